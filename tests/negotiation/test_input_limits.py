"""Over-long words are refused with a message that names the field, over REST and over
the socket alike, and nothing is cut to fit; a mediation's amounts are in its currency."""

from __future__ import annotations

import uuid

import pytest
from rest_framework.test import APIClient

from negotiation.models import Issue, Mediation
from tests.conftest import Cast, acknowledge_rule
from tests.factories import UserFactory
from tests.negotiation.test_socket_board import command, connect, cookies  # noqa: F401


def mediator_client() -> APIClient:
    client = APIClient()
    client.force_login(UserFactory.create(is_mediator=True))
    return client


def test_it_refuses_a_long_mediation_title_rather_than_cut_it(db: None) -> None:
    response = mediator_client().post(
        "/api/mediations/", {"title": "T" * 600, "sides": ["A", "B"]}, format="json"
    )
    assert response.status_code == 400
    assert "200" in str(response.json()["title"])
    assert not Mediation.objects.exists()


def test_it_refuses_a_long_issue_title_over_rest_and_keeps_nothing(cast: Cast) -> None:
    acknowledge_rule(cast)
    client = APIClient()
    client.force_login(cast.party_a)
    url = f"/api/mediations/{cast.mediation.pk}/commands/issue.create/"
    response = client.post(url, {"title": "x" * 600}, format="json")
    assert response.status_code == 400
    assert response.json()["title"] == ["Keep it to 200 characters or fewer."]
    assert not Issue.objects.exists()


@pytest.mark.django_db(transaction=True)
async def test_it_refuses_a_long_description_over_the_socket(live_cast: Cast, cookies) -> None:  # noqa: F811
    socket, _ = await connect(live_cast, cookies, "mediator")
    frame = await command(
        socket, "issue.create", {"title": "House", "description": "d" * 6000}, str(uuid.uuid4())
    )
    await socket.disconnect()
    assert (frame["type"], frame["code"]) == ("error", "invalid")
    assert frame["details"]["description"] == ["Keep it to 5000 characters or fewer."]


def test_a_mediation_is_opened_in_a_currency_and_says_which(db: None) -> None:
    client = mediator_client()
    default = client.post("/api/mediations/", {"title": "A", "sides": ["A", "B"]}, format="json")
    dollars = client.post(
        "/api/mediations/", {"title": "B", "sides": ["A", "B"], "currency": "usd"}, format="json"
    )
    unknown = client.post(
        "/api/mediations/", {"title": "C", "sides": ["A", "B"], "currency": "XYZ"}, format="json"
    )
    assert (default.json()["currency"], dollars.json()["currency"]) == ("EUR", "USD")
    assert unknown.status_code == 400
    assert "currency" in unknown.json()
