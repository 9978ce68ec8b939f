"""Hostile bodies over REST get a 400 with a reason, on anonymous endpoints too."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from config.json_input import MAX_DEPTH, MalformedJSON, TooDeep, loads
from tests.conftest import Cast

DEEP = "[" * 30000 + "]" * 30000


def test_it_reads_ordinary_json() -> None:
    assert loads('{"a": [1, {"b": null}]}') == {"a": [1, {"b": None}]}


def test_it_refuses_nesting_past_the_limit_that_python_could_still_parse() -> None:
    with pytest.raises(TooDeep):
        loads("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    assert loads("[" * MAX_DEPTH + "]" * MAX_DEPTH)


def test_it_refuses_nesting_that_would_exhaust_the_stack() -> None:
    with pytest.raises(TooDeep):
        loads(DEEP)


def test_invalid_json_is_malformed() -> None:
    with pytest.raises(MalformedJSON):
        loads("{nope")


@pytest.mark.parametrize("text", ["NaN", '{"a": Infinity}', "[-Infinity]"])
def test_pythons_extras_beyond_json_are_malformed(text: str) -> None:
    # Python's parser takes NaN and Infinity, which are not JSON (browsers refuse them,
    # and DRF's renderer cannot answer with them).
    with pytest.raises(MalformedJSON):
        loads(text)


def test_a_body_with_nan_is_a_400(cast: Cast) -> None:
    client = APIClient()
    client.force_login(cast.users["party_a"])
    url = f"/api/mediations/{cast.mediation.pk}/commands/issue.create/"
    response = client.post(url, '{"title": "Car", "x": NaN}', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/api/auth/login/", "/api/invitations/preview/", "/api/invitations/redeem/"]
)
def test_an_anonymous_endpoint_answers_a_deep_body_with_400(url: str) -> None:
    response = APIClient().post(url, DEEP, content_type="application/json")
    assert response.status_code == 400
    assert "nested" in response.json()["detail"]


def test_a_command_answers_a_deep_body_with_400(cast: Cast) -> None:
    client = APIClient()
    client.force_login(cast.users["party_a"])
    url = f"/api/mediations/{cast.mediation.pk}/commands/issue.create/"
    response = client.post(url, DEEP, content_type="application/json")
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("notifications.read", {"ids": [2**70]}),
        ("issue.move", {"issue": 2**70, "version": 1, "lane": "parked"}),
        ("caucus_message.post", {"side": 2**70, "body": "hi"}),
    ],
)
def test_a_huge_id_is_a_clear_400(cast: Cast, name: str, data: dict) -> None:
    client = APIClient()
    client.force_login(cast.users["mediator"])
    url = f"/api/mediations/{cast.mediation.pk}/commands/{name}/"
    response = client.post(url, json.dumps(data), content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_a_huge_id_in_a_url_is_not_found(cast: Cast) -> None:
    client = APIClient()
    client.force_login(cast.users["mediator"])
    url = f"/api/mediations/{cast.mediation.pk}/invitations/{2**70}/revoke/"
    assert client.post(url).status_code == 404


@pytest.mark.parametrize("key", [2**70, -1, 0, True, "12abc", 2**63])
def test_a_service_lookup_of_an_id_no_row_can_have_is_not_found(cast: Cast, key: object) -> None:
    from config.errors import NotFound
    from negotiation.permissions import access_caucus_room
    from negotiation.services.caucus import caucus_open
    from negotiation.services.participants import expert_access_set

    mediator = cast.participants["mediator"]
    for lookup in (
        lambda: access_caucus_room(mediator, key),
        lambda: caucus_open(actor=mediator, caucus_id=key),
        lambda: expert_access_set(actor=mediator, participant_id=key, until=None),
    ):
        with pytest.raises(NotFound):
            lookup()
