"""Experts are invited for a limited time: the mediator sets or ends it, every access
check treats them as gone once it is up, their sockets stop at that moment, and the
participants_expire sweep records the removal."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from config.errors import Invalid, NotFound
from negotiation.models import CaucusSession, Event, Notification, Participant
from negotiation.permissions import access_mediation, room_members, visible_rooms
from negotiation.tasks import participants_expire
from tests.conftest import Cast, acknowledge_rule, expert_join, run
from tests.negotiation.test_socket import next_frame, open_socket, session_cookie
from tests.negotiation.test_socket_revocation import frames_until_quiet


def in_(seconds: float) -> str:
    return (timezone.now() + timedelta(seconds=seconds)).isoformat()


def expert_of_a(cast: Cast) -> Participant:
    expert = expert_join(cast, cast.side_a)
    acknowledge_rule(cast)
    CaucusSession.objects.create(mediation=cast.mediation, side=cast.side_a, status="open")
    return expert


def expire(participant: Participant) -> None:
    Participant.objects.filter(pk=participant.pk).update(
        access_expires_at=timezone.now() - timedelta(seconds=1)
    )


# --- the mediator sets the time ---------------------------------------------------------


@pytest.mark.django_db
def test_it_sets_an_experts_time_and_lifts_it(cast: Cast) -> None:
    expert = expert_of_a(cast)
    until = run(cast, "mediator", "expert.access", participant=expert.pk, until=in_(3600))
    expert.refresh_from_db()
    limited = expert.access_expires_at
    run(cast, "mediator", "expert.access", participant=expert.pk, until=None)
    expert.refresh_from_db()
    assert until["id"] == expert.pk
    assert limited is not None
    assert limited > timezone.now()
    assert expert.access_expires_at is None


@pytest.mark.django_db
def test_it_ends_an_experts_access_now(cast: Cast) -> None:
    expert = expert_of_a(cast)
    run(cast, "mediator", "expert.access", participant=expert.pk, until=in_(-1))
    expert.refresh_from_db()
    caucus = cast.caucus(cast.side_a)
    assert expert.removed_at is not None
    assert Event.objects.filter(room=caucus, name="access.revoked").count() == 1


@pytest.mark.django_db
def test_only_an_experts_time_is_limited(cast: Cast) -> None:
    with pytest.raises(Invalid):
        run(cast, "mediator", "expert.access",
            participant=cast.participants["party_a"].pk, until=in_(60))  # fmt: skip


@pytest.mark.django_db
def test_an_expert_whose_time_is_up_is_gone_for_the_mediator_too(cast: Cast) -> None:
    expert = expert_of_a(cast)
    expire(expert)
    with pytest.raises(NotFound):
        run(cast, "mediator", "expert.access", participant=expert.pk, until=in_(3600))


# --- every access check ----------------------------------------------------------------


@pytest.mark.django_db
def test_an_expired_expert_is_gone_everywhere_before_the_sweep(cast: Cast) -> None:
    expert = expert_of_a(cast)
    expire(expert)
    expert.refresh_from_db()
    caucus = cast.caucus(cast.side_a)
    with pytest.raises(NotFound):
        access_mediation(cast.users["expert"], cast.mediation.pk)
    assert not visible_rooms(expert).exists()
    assert expert.pk not in {p.pk for p in room_members(caucus)}
    run(cast, "party_a", "caucus_message.post", body="Between us")
    assert not Notification.objects.filter(participant=expert).exists()


# --- the sweep ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_sweep_removes_experts_whose_time_is_up_and_no_one_else(cast: Cast) -> None:
    expert = expert_of_a(cast)
    run(cast, "mediator", "expert.access", participant=expert.pk, until=in_(3600))
    assert participants_expire() == 0
    expire(expert)
    assert participants_expire() == 1
    expert.refresh_from_db()
    revoked = Event.objects.filter(name="access.revoked", data__participant=expert.pk)
    assert expert.removed_at is not None
    assert {event.room.key for event in revoked} == {"joint", f"caucus:{cast.side_a.pk}"}
    staying = Participant.objects.filter(mediation=cast.mediation, removed_at__isnull=True)
    assert staying.count() == 5


@pytest.mark.django_db
def test_the_sweep_runs_twice_without_harm(cast: Cast) -> None:
    expert = expert_of_a(cast)
    expire(expert)
    assert (participants_expire(), participants_expire()) == (1, 0)


# --- the socket ---------------------------------------------------------------------------


async def expert_socket(cast: Cast, until: float) -> Any:
    expert = await sync_to_async(expert_of_a)(cast)
    await sync_to_async(run)(cast, "mediator", "expert.access", participant=expert.pk,
                             until=in_(until))  # fmt: skip
    cookie = await sync_to_async(session_cookie)(cast.users["expert"])
    socket = await open_socket(cast, cookie)
    hello = await next_frame(socket)
    assert f"caucus:{cast.side_a.pk}" in hello["rooms"]
    return socket


def say(cast: Cast, words: str) -> None:
    run(cast, "party_a", "caucus_message.post", side=cast.side_a.pk, body=words)


@pytest.mark.django_db(transaction=True)
async def test_an_expired_experts_socket_gets_nothing_after_the_time(live_cast: Cast) -> None:
    socket = await expert_socket(live_cast, until=1.5)
    await sync_to_async(say)(live_cast, "BEFORE-THE-TIME")
    before = await frames_until_quiet(socket)
    await asyncio.sleep(1.6)
    await sync_to_async(say)(live_cast, "AFTER-THE-TIME")
    await sync_to_async(run)(live_cast, "mediator", "issue.create", title="AFTER-JOINT")
    after = await frames_until_quiet(socket, closing=True)
    await socket.disconnect()
    assert "BEFORE-THE-TIME" in str(before)
    assert "AFTER-THE-TIME" not in str(after)
    assert "AFTER-JOINT" not in str(after)
    assert {"type": "closed", "code": 4403} in after
    # The sweep has not run: the socket stopped by itself.
    assert await sync_to_async(participants_expire)() == 1


@pytest.mark.django_db(transaction=True)
async def test_a_shortened_time_reaches_the_open_socket(live_cast: Cast) -> None:
    socket = await expert_socket(live_cast, until=3600)
    expert = live_cast.participants["expert"]
    await sync_to_async(run)(live_cast, "mediator", "expert.access", participant=expert.pk,
                             until=in_(1))  # fmt: skip
    await asyncio.sleep(1.2)
    await sync_to_async(say)(live_cast, "AFTER-THE-TIME")
    frames = await frames_until_quiet(socket, closing=True)
    await socket.disconnect()
    assert "AFTER-THE-TIME" not in str(frames)
    assert {"type": "closed", "code": 4403} in frames
