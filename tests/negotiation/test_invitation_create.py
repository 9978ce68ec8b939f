from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.core import mail
from rest_framework.test import APIClient

from negotiation.models import Invitation
from tests.conftest import Cast


def invite(client: APIClient, cast: Cast, **data: object) -> Any:
    payload = {"email": "erin@example.com", "role": "party", "side": cast.side_a.pk} | data
    return client.post(f"/api/mediations/{cast.mediation.pk}/invitations/", payload, format="json")


@pytest.fixture
def mediator_client(cast: Cast) -> APIClient:
    client = APIClient()
    client.force_login(cast.mediator)
    return client


def test_it_invites_and_shows_the_link_once(
    mediator_client: APIClient, cast: Cast, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(mediator_client, cast)
    assert response.status_code == 201
    token = response.json()["link"].split("#", 1)[1]
    listing = mediator_client.get(f"/api/mediations/{cast.mediation.pk}/invitations/").json()
    assert [item["email"] for item in listing] == ["erin@example.com"]
    assert "link" not in listing[0]
    assert token not in str(listing)


def test_it_stores_no_plaintext_token(mediator_client: APIClient, cast: Cast) -> None:
    response = invite(mediator_client, cast)
    token = response.json()["link"].split("#", 1)[1]
    invitation = Invitation.objects.get()
    stored = [str(value) for value in Invitation.objects.values().get().values()]
    assert token not in " ".join(stored)
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()


def test_it_emails_the_link_after_commit(
    mediator_client: APIClient, cast: Cast, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = invite(mediator_client, cast, name="Erin")
    assert mail.outbox == []  # nothing is sent before the invitation is committed
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["erin@example.com"]
    assert response.json()["link"].split("#", 1)[1] in str(mail.outbox[0].body)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"email": "not-an-address"}, "email"),
        ({"role": "judge"}, "role"),
        ({"role": "party", "side": None}, "side"),
        ({"role": "observer"}, "side"),
        ({"side": 999999}, "side"),
    ],
)
def test_it_says_which_field_is_wrong(
    mediator_client: APIClient, cast: Cast, data: dict[str, object], field: str
) -> None:
    response = invite(mediator_client, cast, **data)
    assert response.status_code == 400
    assert field in response.json()
    assert Invitation.objects.count() == 0


def test_it_refuses_a_side_of_another_mediation(
    mediator_client: APIClient, cast: Cast, db: None
) -> None:
    from negotiation.services.mediations import mediation_create

    other = mediation_create(creator=cast.mediator, title="Other", side_names=["X", "Y"])
    response = invite(mediator_client, cast, side=other.sides.first().pk)  # type: ignore[union-attr]
    assert response.status_code == 400
    assert "side" in response.json()


def test_it_lets_only_the_mediator_invite(cast: Cast) -> None:
    codes = {}
    for name in ["mediator", "party_a", "party_b", "attorney_a", "observer", "outsider"]:
        client = APIClient()
        client.force_login(getattr(cast, name))
        codes[name] = invite(client, cast, email=f"{name}-guest@example.com").status_code
    codes["anonymous"] = invite(APIClient(), cast).status_code
    assert codes == {
        "mediator": 201,
        "party_a": 403,
        "party_b": 403,
        "attorney_a": 403,
        "observer": 403,
        "outsider": 404,
        "anonymous": 403,
    }


def test_the_link_keeps_the_token_out_of_the_url_path(
    mediator_client: APIClient, cast: Cast
) -> None:
    link = invite(mediator_client, cast).json()["link"]
    path, _, token = link.partition("#")
    assert path == "http://testserver/invite"
    assert len(token) == 43
