"""An expert brought into a side's private room reads what was said there before they
joined only if the mediator chose so; by default, only what is said from then on. The
earlier items reach them by no path: the room's snapshot, a replay, a gap filled from the
log, or a later event about an earlier item (a mark, an edit, an answer)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.db import transaction
from rest_framework.test import APIClient

from negotiation.models import Participant, Role
from negotiation.selectors import room_catch_up_for
from negotiation.services.invitations import invitation_create, invitation_token
from negotiation.services.mediations import participant_join
from tests.conftest import Cast, acknowledge_rule, run
from tests.factories import UserFactory
from tests.negotiation.test_socket import communicator, next_frame, session_cookie
from tests.negotiation.test_socket_revocation import frames_until_quiet, named


def said_before(cast: Cast) -> dict[str, Any]:
    acknowledge_rule(cast)
    return run(cast, "party_a", "caucus_message.post", side=cast.side_a.pk, body="BEFORE")


def expert_in(cast: Cast, *, history: bool) -> Participant:
    user = UserFactory.create(email="eve@example.com", name="Eve")
    with transaction.atomic():
        expert = participant_join(
            mediation=cast.mediation, user=user, role=Role.EXPERT, side=cast.side_a,
            caucus_history=history,
        )  # fmt: skip
    cast.users["expert"], cast.participants["expert"] = user, expert
    run(cast, "expert", "rule.acknowledge", rule=cast.mediation.confidentiality_rule)
    session = run(cast, "mediator", "caucus.call", side=cast.side_a.pk)
    run(cast, "mediator", "caucus.open", caucus=session["id"])
    return expert


def room_read(cast: Cast) -> str:
    client = APIClient()
    client.force_login(cast.users["expert"])
    url = f"/api/mediations/{cast.mediation.pk}/rooms/caucus:{cast.side_a.pk}/"
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_by_default_an_expert_reads_only_what_is_said_after_they_join(cast: Cast) -> None:
    said_before(cast)
    expert_in(cast, history=False)
    run(cast, "party_a", "caucus_message.post", side=cast.side_a.pk, body="AFTER")
    snapshot = room_read(cast)
    replay = str(room_catch_up_for(cast.participants["expert"].pk, f"caucus:{cast.side_a.pk}", 0))
    assert "AFTER" in snapshot
    assert "AFTER" in replay
    assert "BEFORE" not in snapshot
    assert "BEFORE" not in replay


def test_with_the_history_chosen_the_expert_reads_it_all(cast: Cast) -> None:
    said_before(cast)
    expert_in(cast, history=True)
    assert "BEFORE" in room_read(cast)


def test_a_later_event_about_an_earlier_item_is_withheld(cast: Cast) -> None:
    earlier = said_before(cast)
    expert = expert_in(cast, history=False)
    run(cast, "party_a", "caucus_message.mark", message=earlier["id"], confidential=True)
    frames = room_catch_up_for(expert.pk, f"caucus:{cast.side_a.pk}", 0)
    assert frames is not None
    assert "BEFORE" not in json.dumps(frames)
    assert frames[-1]["name"] == "withheld"
    assert frames[-1]["data"] == {}


def test_the_mediator_chooses_it_on_the_invitation(cast: Cast) -> None:
    said_before(cast)
    client = APIClient()
    client.force_login(cast.users["mediator"])
    url = f"/api/mediations/{cast.mediation.pk}/invitations/"
    choices = {}
    for email, history in (("eve@example.com", False), ("fay@example.com", True)):
        body = {"email": email, "role": "expert", "side": cast.side_a.pk}
        created = client.post(url, body | {"caucus_history": history}, format="json").json()
        token = created["link"].rsplit("#", 1)[1]
        APIClient().post("/api/invitations/redeem/", {"token": token})
        choices[email] = created["caucus_history"]
    joined = {
        p.user.email: p.caucus_history_from is None
        for p in Participant.objects.filter(role=Role.EXPERT).select_related("user")
    }
    assert choices == {"eve@example.com": False, "fay@example.com": True}
    assert joined == choices


def test_a_party_invited_with_history_false_still_reads_everything(cast: Cast) -> None:
    said_before(cast)
    invitation, token = invitation_create(
        actor=cast.participants["mediator"], email="pat@example.com", role="attorney",
        side_id=cast.side_a.pk, caucus_history=False, send_email=False,
    )  # fmt: skip
    APIClient().post("/api/invitations/redeem/", {"token": token or invitation_token(invitation)})
    attorney = Participant.objects.get(user__email="pat@example.com")
    assert attorney.caucus_history_from is None


@pytest.mark.django_db(transaction=True)
async def test_the_experts_socket_gets_a_mark_on_an_earlier_message_withheld(
    live_cast: Cast,
) -> None:
    earlier = await sync_to_async(said_before)(live_cast)
    await sync_to_async(expert_in)(live_cast, history=False)
    cookie = await sync_to_async(session_cookie)(live_cast.users["expert"])
    socket = communicator(f"/ws/mediations/{live_cast.mediation.pk}/", cookie)
    assert (await socket.connect())[0]
    await next_frame(socket)
    await sync_to_async(run)(
        live_cast, "party_a", "caucus_message.mark", message=earlier["id"], confidential=True
    )
    await sync_to_async(run)(
        live_cast, "party_a", "caucus_message.post", side=live_cast.side_a.pk, body="AFTER"
    )
    frames = await frames_until_quiet(socket, until=named("caucus_message.posted"))
    await socket.disconnect()
    events = [f for f in frames if f["type"] == "event"]
    assert [f["name"] for f in events] == ["withheld", "caucus_message.posted"]
    assert "BEFORE" not in json.dumps(frames)
