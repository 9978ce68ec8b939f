from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from config.errors import Gone
from negotiation.models import Invitation, Participant
from negotiation.services.invitations import invitation_create, invitation_redeem, invitation_token
from tests.conftest import Cast


def redeem(client: APIClient, token: str) -> Any:
    return client.post("/api/invitations/redeem/", {"token": token})


def new_invitation(cast: Cast, email: str = "erin@example.com", **kwargs: object) -> str:
    """The link's token: the one the inviter is shown, or else the one in the e-mail."""
    invitation, token = invitation_create(
        actor=cast.participants["mediator"],
        email=email,
        role=kwargs.pop("role", "party"),  # type: ignore[arg-type]
        side_id=kwargs.pop("side_id", cast.side_b.pk),  # type: ignore[arg-type]
        send_email=False,
    )
    return token or invitation_token(invitation)


def test_it_signs_in_a_new_person_without_a_password(cast: Cast) -> None:
    token = new_invitation(cast)
    client = APIClient()
    response = redeem(client, token)
    assert response.status_code == 200
    assert response.json()["mediation"]["id"] == str(cast.mediation.pk)
    me = client.get("/api/auth/session/").json()["user"]
    assert me["email"] == "erin@example.com"
    assert me["has_password"] is False
    assert Participant.objects.get(user__email="erin@example.com").side == cast.side_b


def test_it_works_once(cast: Cast) -> None:
    token = new_invitation(cast)
    assert redeem(APIClient(), token).status_code == 200
    second = redeem(APIClient(), token)
    assert second.status_code == 410
    assert second.json()["code"] == "invitation_used"


def test_a_plain_get_of_the_link_spends_nothing(cast: Cast) -> None:
    token = new_invitation(cast)
    client = APIClient()
    page = client.get("/invite")
    preview = client.post("/api/invitations/preview/", {"token": token})
    assert page.status_code in (200, 503)  # 503 only while the front end is not built
    assert preview.status_code == 200
    assert preview.json()["mediation"]["title"] == "Alex & Sam"
    assert Invitation.objects.get().redeemed_at is None
    assert client.get("/api/auth/session/").json()["user"] is None


def test_an_expired_token_fails_clearly(cast: Cast) -> None:
    token = new_invitation(cast)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    preview = APIClient().post("/api/invitations/preview/", {"token": token})
    redeemed = redeem(APIClient(), token)
    assert (preview.status_code, redeemed.status_code) == (410, 410)
    assert redeemed.json()["code"] == "invitation_expired"
    assert "expired" in redeemed.json()["detail"]


def test_a_revoked_token_fails_clearly(cast: Cast) -> None:
    token = new_invitation(cast)
    client = APIClient()
    client.force_login(cast.mediator)
    invitation = Invitation.objects.get()
    revoked = client.post(
        f"/api/mediations/{cast.mediation.pk}/invitations/{invitation.pk}/revoke/"
    )
    assert revoked.json()["status"] == "revoked"
    redeemed = redeem(APIClient(), token)
    assert redeemed.status_code == 410
    assert redeemed.json()["code"] == "invitation_revoked"


def test_an_unknown_token_is_not_found(db: None) -> None:
    response = redeem(APIClient(), "x" * 43)
    assert response.status_code == 404
    assert response.json()["code"] == "invitation_not_found"


def test_it_keeps_an_existing_participant_in_place(cast: Cast) -> None:
    token = new_invitation(cast, email=cast.party_a.email, side_id=cast.side_a.pk)
    assert not Invitation.objects.get().link_shown  # Alex has an account: e-mailed only
    response = redeem(APIClient(), token)
    assert response.status_code == 200
    assert Participant.objects.filter(user=cast.party_a).count() == 1


def test_it_needs_the_csrf_token_from_a_browser(cast: Cast) -> None:
    token = new_invitation(cast)
    client = APIClient(enforce_csrf_checks=True)
    refused = redeem(client, token)
    client.get("/api/auth/session/")
    accepted = client.post(
        "/api/invitations/redeem/",
        {"token": token},
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
    )
    assert refused.status_code == 403
    assert accepted.status_code == 200


def test_it_emits_participant_joined_to_the_joint_room(
    cast: Cast, sent_events, django_capture_on_commit_callbacks
) -> None:
    token = new_invitation(cast)
    with django_capture_on_commit_callbacks(execute=True):
        invitation_redeem(token=token)
    [(group, frame)] = sent_events.named("participant.joined")
    assert frame["data"]["name"] == "erin"
    assert frame["data"]["role"] == "party"
    assert "email" not in frame["data"]
    assert cast.audience(group) == {
        "mediator",
        "party_a",
        "party_b",
        "attorney_a",
        "observer",
    }


@pytest.mark.exclusive  # a hundred connections: PostgreSQL's default limit, all of it
@pytest.mark.django_db(transaction=True)
def test_one_hundred_concurrent_redemptions_have_one_winner() -> None:
    from tests.conftest import cast_create

    cast = cast_create()
    token = new_invitation(cast)
    barrier = threading.Barrier(100)
    results: list[str] = []
    lock = threading.Lock()

    def connect() -> None:
        deadline = time.monotonic() + 30
        while True:
            try:
                connection.ensure_connection()
                return
            except OperationalError:
                if time.monotonic() > deadline:
                    raise
                connection.close()
                time.sleep(0.2)

    def redeem() -> None:
        # Anything but the expected refusal, a timed-out barrier included, is recorded
        # as a result of its own, so the assertions below see it.
        try:
            # Connect first: a connection slot a moment late (the server's limit is a
            # hundred, all of them needed here) is not a redemption's result.
            connect()
            barrier.wait(timeout=60)
            invitation_redeem(token=token)
            outcome = "won"
        except Gone as error:
            outcome = error.code
        except BaseException as error:
            outcome = f"{type(error).__name__}: {error}"
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=redeem) for _ in range(100)]
    # PostgreSQL's default max_connections is 100: leave them all to the threads.
    connection.close()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 100
    assert sorted(results) == ["invitation_used"] * 99 + ["won"]
    assert User.objects.filter(email="erin@example.com").count() == 1
