"""Proof that nothing leaks: random sequences of actions by random participants, a unique
marker in every caucus item, and a search for every marker in everything that reaches,
or can be read by, someone outside the marker's room: what the channel layer carries to
them (events, presence, notifications, access changes), every GET endpoint, sync replays
and snapshots, notification rows, e-mails, and log output.

A marker stops being secret only when a party of its side releases it (as worded), or,
under the rule that allows it, the mediator shares an unmarked item.

PARLEY_LEAK_EXAMPLES sets the number of sequences (1,000 by default, in two shards that
pytest-xdist runs side by side; more on demand).
"""

from __future__ import annotations

import itertools
import logging
import os
import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from negotiation import events
from negotiation.errors import ServiceError
from negotiation.models import (
    CaucusMessage,
    CaucusNote,
    CaucusSession,
    Issue,
    Notification,
    Participant,
    ReleaseRequest,
    Room,
)
from negotiation.permissions import room_members, visible_rooms
from negotiation.selectors import room_catch_up, room_for
from tests.conftest import Cast, acknowledge_rule, cast_create, expert_join, run

EXAMPLES = int(os.environ.get("PARLEY_LEAK_EXAMPLES", "1000"))
SHARDS = 2
STEPS = 30
MARKER = re.compile(r"MK[AB]\d+X")
PEOPLE = ["mediator", "party_a", "party_b", "attorney_a", "observer", "expert"]


# Unique across every sequence of the run, so no marker of one can be taken for another's.
COUNTER = itertools.count(1)


@dataclass
class World:
    cast: Cast
    counter: itertools.count = COUNTER
    # marker -> the side ("A" or "B") whose caucus it was said in
    secret: dict[str, str] = field(default_factory=dict)
    released: set[str] = field(default_factory=set)
    # what went to the channel layer, with the markers released at that moment
    sent: list[tuple[str, dict[str, Any], frozenset[str]]] = field(default_factory=list)

    def marker(self, side: str) -> str:
        value = f"MK{side}{next(self.counter)}X"
        self.secret[value] = side
        return value

    def side_key(self, side: str) -> int:
        return self.cast.side_a.pk if side == "A" else self.cast.side_b.pk

    def outsiders(self, side: str) -> list[str]:
        """Who must never see side `side`'s caucus: the other side and the observer.
        (The expert is in A's caucus while it is open, so counts only for B's.)"""
        return (
            ["party_b", "observer"]
            if side == "A"
            else ["party_a", "attorney_a", "observer", "expert"]
        )

    def leaked(self, text: str, side: str, released: frozenset[str] | None = None) -> set[str]:
        """Markers of `side`'s caucus in `text` that were not released (by then)."""
        public = self.released if released is None else released
        return {m for m in MARKER.findall(text) if self.secret.get(m) == side and m not in public}


def pick(draw: Any, queryset: Any, *fields: str) -> Any:
    rows = list(queryset.order_by("id").only("id", *fields))
    return draw(st.sampled_from(rows)) if rows else None


def act(world: World, draw: Any) -> None:
    """One random action, mostly plausible, often refused; refusals are part of the test."""
    cast = world.cast
    who = draw(st.sampled_from(PEOPLE))
    side = draw(st.sampled_from(["A", "B"]))
    side_id = world.side_key(side)
    issue = pick(draw, Issue.objects.filter(room__mediation=cast.mediation))
    action = draw(
        st.sampled_from(
            ["message", "message", "note", "note_edit", "worksheet", "request", "request",
             "answer", "answer", "share", "call", "open", "close", "issue", "comment",
             "rule", "acknowledge", "overlap", "mark"]
        )
    )  # fmt: skip
    data: dict[str, Any]
    name = ""
    if action == "issue" or issue is None:
        name, data = "issue.create", {"title": f"Issue {next(world.counter)}"}
    elif action == "message":
        name = "caucus_message.post"
        data = {"side": side_id, "body": f"We said {world.marker(side)}",
                "confidential": draw(st.booleans())}  # fmt: skip
    elif action == "note":
        name = "caucus_note.add"
        data = {"side": side_id, "issue": issue.pk, "text": f"Bottom line {world.marker(side)}"}
    elif action == "note_edit":
        note = pick(draw, CaucusNote.objects.filter(room__side_id=side_id), "version")
        if note is None:
            return
        name = "caucus_note.update"
        data = {"note": note.pk, "version": note.version, "text": f"Edited {world.marker(side)}"}
    elif action == "worksheet":
        name = "reality_check.set"
        low = draw(st.integers(0, 100))
        data = {
            "side": side_id, "issue": issue.pk, "version": draw(st.sampled_from([0, 1, 2])),
            "best_alternative": f"Court {world.marker(side)}",
            "range_low": str(low), "range_high": str(low + draw(st.integers(0, 100))),
        }  # fmt: skip
    elif action == "request":
        name = "release.request"
        data = {"side": side_id, "text": f"May we say {world.marker(side)}", "issue": issue.pk}
    elif action == "answer":
        request = pick(draw, ReleaseRequest.objects.filter(room__side_id=side_id), "version")
        if request is None:
            return
        mode = draw(st.sampled_from(["as_worded", "paraphrase", "existence"]))
        name = "release.answer"
        data = {
            "release": request.pk, "version": request.version,
            "decision": draw(st.sampled_from(["release", "decline"])), "mode": mode,
            "attribution": draw(st.sampled_from(["side", "mediator"])),
            "text": f"Public words {next(world.counter)}",
        }  # fmt: skip
    elif action == "share":
        message = pick(draw, CaucusMessage.objects.filter(room__side_id=side_id))
        if message is None:
            return
        name = "release.share"
        data = {"message": message.pk}
        if draw(st.booleans()):
            data["text"] = f"Mediator's words {next(world.counter)}"
    elif action == "call":
        name, data = "caucus.call", {"side": side_id}
    elif action in ("open", "close"):
        session = CaucusSession.objects.filter(side_id=side_id).order_by("-id").first()
        if session is None:
            return
        name, data = f"caucus.{action}", {"caucus": session.pk}
    elif action == "comment":
        name, data = "comment.add", {"issue": issue.pk, "body": f"Comment {next(world.counter)}"}
    elif action == "rule":
        name = "rule.set"
        data = {"rule": draw(st.sampled_from(["confidential_unless_released",
                                              "shareable_unless_marked"]))}  # fmt: skip
    elif action == "acknowledge":
        cast.mediation.refresh_from_db()
        name, data = "rule.acknowledge", {"rule": cast.mediation.confidentiality_rule}
    elif action == "overlap":
        name, data = "overlap.check", {"issue": issue.pk}
    else:
        message = pick(draw, CaucusMessage.objects.filter(room__side_id=side_id))
        if message is None:
            return
        name, data = "caucus_message.mark", {"message": message.pk, "confidential": True}
    try:
        result = run(cast, who, name, **data)
    except ServiceError:
        return
    release_track(world, name, data, result)


def release_track(world: World, name: str, data: dict[str, Any], result: dict[str, Any]) -> None:
    """Markers made public by a release, as worded, or by the mediator's own sharing."""
    if name in ("release.answer", "release.share") and result["status"] == "released":
        world.released.update(MARKER.findall(result["released_text"]))


def recorded(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    original = events.group_send

    def record(group: str, message: dict[str, Any]) -> None:
        world.sent.append((group, message, frozenset(world.released)))
        original(group, message)

    monkeypatch.setattr(events, "group_send", record)


def audiences(world: World) -> dict[str, set[str]]:
    """The personas each channel-layer group reaches. Room membership here is fixed but
    for the expert, who is counted only as an outsider of B's caucus, never A's."""
    names = {p.pk: name for name, p in world.cast.participants.items()}
    groups = {f"participant.{pk}": {name} for pk, name in names.items()}
    for room in Room.objects.filter(mediation=world.cast.mediation):
        groups[room.group_name] = {
            names[pk] for pk in room_members(room).values_list("pk", flat=True) if pk in names
        } | ({"expert"} if room.side_id == world.cast.side_a.pk else set())
    return groups


def check_channel_layer(world: World) -> None:
    groups = audiences(world)
    for group, message, released in world.sent:
        reached = groups[group]
        for side in ("A", "B"):
            outsiders = reached & set(world.outsiders(side))
            if outsiders:
                leaked = world.leaked(str(message), side, released)
                assert not leaked, f"{leaked} reached {outsiders} via {group}: {message}"


GET_PATHS = [
    "/api/mediations/",
    "/api/mediations/{m}/",
    "/api/mediations/{m}/board/",
    "/api/mediations/{m}/participants/",
    "/api/mediations/{m}/invitations/",
    "/api/mediations/{m}/notifications/",
    "/api/mediations/{m}/rooms/joint/",
    "/api/mediations/{m}/rooms/caucus:{a}/",
    "/api/mediations/{m}/rooms/caucus:{b}/",
    "/api/auth/session/",
]


READERS = ("party_a", "party_b")
FEWER_READERS = ("observer", "expert")


def check_reads(world: World, clients: dict[Any, Any], *, everyone: bool) -> None:
    """Everything an outsider can read: every GET endpoint, and the replay of every room
    the socket would let them sync.

    Each side's party reads after every sequence. The observer and the expert see a subset
    of what the parties see (the joint room; the expert, A's caucus at most) and read after
    every fourth. Alex's attorney reads exactly what Alex reads; everyone's notifications
    are checked in check_everywhere."""
    cast = world.cast
    for who in READERS + (FEWER_READERS if everyone else ()):
        sides = [side for side in ("A", "B") if who in world.outsiders(side)]
        participant = Participant.objects.select_related("mediation", "side").get(
            pk=cast.participants[who].pk
        )
        user = cast.users[who]
        if user.pk not in clients:
            clients[user.pk] = APIClient()
            clients[user.pk].force_login(user)
        client = clients[user.pk]
        readable = []
        for path in GET_PATHS:
            url = path.format(m=cast.mediation.pk, a=cast.side_a.pk, b=cast.side_b.pk)
            readable.append((url, client.get(url).content.decode()))
        # The socket's sync: a replay from the start (its snapshots are the rooms/ GETs).
        for room in visible_rooms(participant):
            readable.append((f"sync {room.key}", str(room_catch_up(room, 0) or [])))
        for side in sides:
            for where, text in readable:
                assert not world.leaked(text, side), f"{who} read a secret of {side} at {where}"
            if who != "expert":
                assert room_for(participant, f"caucus:{world.side_key(side)}") is None


def check_everywhere(world: World, logs: str) -> None:
    """Notifications, e-mails and logs carry no caucus words at all, released or not."""
    notifications = " ".join(
        f"{n.text} {n.room_key}" for n in Notification.objects.filter(
            participant__mediation=world.cast.mediation)
    )  # fmt: skip
    mails = " ".join(f"{m.subject} {m.body}" for m in mail.outbox)
    for where, text in (("notifications", notifications), ("e-mails", mails), ("logs", logs)):
        found = set(MARKER.findall(text))
        assert not found, f"markers {found} in {where}"


def world_create() -> World:
    cast = cast_create()
    expert_join(cast, cast.side_a)
    acknowledge_rule(cast)
    return World(cast=cast)


@pytest.mark.django_db
@settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    max_examples=max(1, EXAMPLES // SHARDS),
)
@given(data=st.data())
@pytest.mark.parametrize("shard", range(SHARDS))
def test_no_caucus_marker_reaches_anyone_outside_its_room(
    shard: int,
    data: st.DataObject,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: Any,
    clients: dict[Any, Any],
) -> None:
    mail.outbox.clear()
    caplog.clear()
    with caplog.at_level(logging.DEBUG):
        world = world_create()
        recorded(world, monkeypatch)
        for _ in range(STEPS):
            with django_capture_on_commit_callbacks(execute=True):
                act(world, data.draw)
        check_channel_layer(world)
        clients["sequences"] = clients.get("sequences", 0) + 1
        check_reads(world, clients, everyone=clients["sequences"] % 4 == 1)
        logs = caplog.text + " ".join(str(r.args) for r in caplog.records)
    check_everywhere(world, logs)
    # Each sequence has its own mediation; leave it, so the personas' next lists are short.
    Participant.objects.filter(mediation=world.cast.mediation).update(removed_at=timezone.now())


@pytest.fixture
def clients() -> dict[Any, Any]:
    """Signed-in clients, kept across sequences: the personas are the same people."""
    return {}
