"""Proof that nothing leaks: random sequences of actions by random participants, a unique
marker in every caucus item, and a search for every marker in everything that reaches,
or can be read by, someone outside the marker's room: what the channel layer carries to
them (events, presence, notifications, access changes), every GET endpoint (the waiting
list, the rooms' snapshots and the changes between them, issues' histories and the session
summary among them), sync replays and snapshots, notification rows, e-mails, SMS and web
push, and log output.

A note of one's own ("My own notes") is secret from everyone but its author, the mediator
and the attorney of the side included: its markers are searched for in what every other
persona receives and reads, as the consumer and the selectors hand it to them.

Two more kinds of secret come from the rounds on an issue. A sealed submission's words
(its own marker) are read by its side's party and attorney alone until the round is
revealed, which the model here decides (every side has submitted, and it was not
cancelled): not by the mediator, an expert or an observer; a replaced or cancelled one
never. And a brainstorm option (its own marker) is never found beside anything that names
who added it, by anyone, its author included, nor does any row keep that.

A marker stops being secret only when a party of its side releases it (as worded), or,
under the rule that allows it, the mediator shares an unmarked item. Whether the server
let the mediator share is itself checked against a model of the rules kept here (the
rule each item was written under, who marked it, what the party declined or released
only in part): the server's own answer is never taken for the truth.

Who is "outside" a room is decided at the moment: the expert is in Alex's caucus only
while it is open and their time runs; anyone removed is outside everything.

PARLEY_LEAK_EXAMPLES sets the number of sequences (1,000 by default, split over the
SHARDS parametrized copies of the test, which pytest-xdist runs side by side; more on
demand, e.g. PARLEY_LEAK_EXAMPLES=5000).
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from accounts.models import NotificationSettings, PushSubscription
from config.errors import ServiceError
from negotiation import events
from negotiation.delivery import push, sms
from negotiation.models import (
    CaucusMessage,
    CaucusNote,
    CaucusSession,
    CommandReceipt,
    ConfidentialityRule,
    Document,
    Event,
    Issue,
    Mediation,
    Notification,
    OpeningStatement,
    Option,
    Participant,
    ReleaseRequest,
    Room,
    SealedRound,
    SealedSubmission,
    Snapshot,
)
from negotiation.permissions import caucus_frame_for, room_members, visible_rooms
from negotiation.selectors import (
    room_catch_up,
    room_catch_up_for,
    room_events_after_for,
    room_snapshot_for,
)
from negotiation.services.retention import mediation_purge
from negotiation.tasks import participants_expire
from tests.conftest import Cast, acknowledge_rule, cast_create, expert_join, run

EXAMPLES = int(os.environ.get("PARLEY_LEAK_EXAMPLES") or "1000")
SHARDS = 2
STEPS = 30
MARKER = re.compile(r"MK[AB]\d+X")
SEALED = re.compile(r"MS[AB]\d+X")
IDEA = re.compile(r"BO\d+X")
# Who reads a side's sealed submission before the reveal.
SEALED_READERS = {"A": frozenset({"party_a", "attorney_a"}), "B": frozenset({"party_b"})}
# Keys that name a participant (or say who) in any payload.
WHO_KEYS = ("created_by", "author", "actor", "updated_by", "responded_by", "given_by",
            "asked_by", "marked_by", "decided_by", "closed_by", "participant", "actor_role",
            "actor_side")  # fmt: skip
PEOPLE = ["mediator", "party_a", "party_b", "attorney_a", "observer", "expert"]
PERMISSIVE = ConfidentialityRule.SHAREABLE_UNLESS_MARKED
DEFAULT = ConfidentialityRule.CONFIDENTIAL_UNLESS_RELEASED
SIDE_OF = {"party_a": "A", "attorney_a": "A", "party_b": "B"}


# Who would plausibly try each action ("party": the party of the side it is about).
MEDIATOR = ["mediator"]
LIKELY = {
    "share": MEDIATOR, "call": MEDIATOR, "open": MEDIATOR, "close": MEDIATOR,
    "rule": MEDIATOR, "overlap": MEDIATOR, "remove": MEDIATOR, "expert_time": MEDIATOR,
    "answer": ["party"], "mark": ["party", "mediator", "attorney_a"],
    "message": ["party", "mediator", "attorney_a", "expert"],
    "request_item": ["party", "mediator"],
    "opening": ["party", "mediator", "attorney_a"], "show": MEDIATOR,
    "own_note": ["party", "attorney_a"],
    "snapshot": MEDIATOR, "stage": MEDIATOR, "session_end": MEDIATOR, "restore": MEDIATOR,
    "sealed_ask": MEDIATOR, "sealed_submit": ["party"], "sealed_cancel": MEDIATOR,
    "brainstorm_start": MEDIATOR, "brainstorm_end": MEDIATOR,
    "brainstorm_add": ["party_a", "party_b", "attorney_a", "expert", "mediator"],
}  # fmt: skip


# Unique across every sequence of the run, so no marker of one can be taken for another's.
COUNTER = itertools.count(1)


@dataclass
class Item:
    """What the test knows of a caucus message or note, by the rules, not by the server."""

    side: str
    author: str
    rule: str
    marked_by: str | None = None
    # A note of one's own: read by its author alone.
    own: bool = False
    # Release requests naming it that the party declined, has not answered, or answered
    # with less than its words (a paraphrase, that an option exists): each one bounds
    # what may ever leave about it.
    asked: set[int] = field(default_factory=set)


@dataclass
class World:
    cast: Cast
    counter: itertools.count = COUNTER
    # marker -> the side ("A" or "B") whose caucus it was said in
    secret: dict[str, str] = field(default_factory=dict)
    released: set[str] = field(default_factory=set)
    # what went to the channel layer: group, message, markers released at that moment,
    # and who it reached and who was in each caucus then (filled in after each step)
    sent: list[tuple[str, dict[str, Any], frozenset[str]]] = field(default_factory=list)
    delivered: list[tuple[str, dict[str, Any], frozenset[str], frozenset[str], dict[str, frozenset[str]]]] = field(default_factory=list)  # fmt: skip  # noqa: E501
    rule: str = DEFAULT
    acknowledged: dict[str, str] = field(default_factory=dict)
    items: dict[tuple[str, int], Item] = field(default_factory=dict)
    requests: dict[int, tuple[str, int]] = field(default_factory=dict)
    # Each side's opening statement as the rules have it: its words and whether its party
    # said it may be shown; and whether the mediator has opened the statements.
    openings: dict[str, tuple[str, bool]] = field(default_factory=dict)
    openings_shown: bool = False
    # marker -> the persona whose own note holds it
    own: dict[str, str] = field(default_factory=dict)
    # sealed marker -> its side; per round (by id): its status and each side's current
    # submission's markers, as the rules have it
    sealed: dict[str, str] = field(default_factory=dict)
    rounds: dict[int, tuple[str, dict[str, list[str]]]] = field(default_factory=dict)
    # brainstorm option marker -> the persona who added it
    ideas: dict[str, str] = field(default_factory=dict)

    def marker(self, side: str) -> str:
        value = f"MK{side}{next(self.counter)}X"
        self.secret[value] = side
        return value

    def sealed_marker(self, side: str) -> str:
        value = f"MS{side}{next(self.counter)}X"
        self.sealed[value] = side
        return value

    def sealed_leaked(
        self, text: str, reader: str, released: frozenset[str] | None = None
    ) -> set[str]:
        """Sealed markers in `text` that `reader` may not read (by then)."""
        public = self.released if released is None else released
        return {
            m for m in SEALED.findall(text)
            if m not in public and reader not in SEALED_READERS[self.sealed.get(m, "A")]
        }  # fmt: skip

    def side_key(self, side: str) -> int:
        return self.cast.side_a.pk if side == "A" else self.cast.side_b.pk

    def leaked(self, text: str, side: str, released: frozenset[str] | None = None) -> set[str]:
        """Markers of `side`'s caucus in `text` that were not released (by then)."""
        public = self.released if released is None else released
        return {m for m in MARKER.findall(text) if self.secret.get(m) == side and m not in public}

    def members(self) -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
        """Now: the personas each channel group reaches, and each side's caucus members."""
        names = {p.pk: name for name, p in self.cast.participants.items()}
        groups = {f"participant.{pk}": frozenset({name}) for pk, name in names.items()}
        caucus: dict[str, frozenset[str]] = {}
        for room in Room.objects.filter(mediation=self.cast.mediation):
            reached = frozenset(
                names[pk] for pk in room_members(room).values_list("pk", flat=True) if pk in names
            )
            groups[room.group_name] = reached
            if room.side_id is not None:
                caucus["A" if room.side_id == self.cast.side_a.pk else "B"] = reached
        return groups, caucus

    def settle(self) -> None:
        """Note who the last step's channel-layer messages reached: they were sent on its
        commit, and nothing has changed since."""
        if not self.sent:
            return
        groups, caucus = self.members()
        for group, message, released in self.sent:
            self.delivered.append((group, message, released, groups[group], caucus))
        self.sent.clear()


def pick(draw: Any, queryset: Any, *fields: str) -> Any:
    rows = list(queryset.order_by("id").only("id", *fields))
    return draw(st.sampled_from(rows)) if rows else None


def pick_item(draw: Any, side_id: int) -> tuple[str, Any]:
    kind = draw(st.sampled_from(["message", "note"]))
    model = CaucusMessage if kind == "message" else CaucusNote
    return kind, pick(draw, model.objects.filter(room__side_id=side_id), "confidential")


def act(world: World, draw: Any) -> None:
    """One random action, mostly plausible, often refused; refusals are part of the test."""
    cast = world.cast
    side = draw(st.sampled_from(["A", "B"]))
    side_id = world.side_key(side)
    issue = pick(draw, Issue.objects.filter(room__mediation=cast.mediation))
    action = draw(
        st.sampled_from(
            ["message", "message", "note", "note_edit", "worksheet", "request", "request",
             "request_item", "answer", "answer", "share", "share", "call", "open", "close",
             "issue", "comment", "rule", "rule", "acknowledge", "acknowledge", "overlap",
             "mark", "mark", "answer_share", "answer_share", "remove", "expire", "expert_time",
             "opening", "opening", "show", "own_note", "own_note", "snapshot", "snapshot",
             "stage", "session_end", "restore", "sealed_ask", "sealed_submit", "sealed_submit",
             "sealed_cancel", "brainstorm_start", "brainstorm_add", "brainstorm_add",
             "brainstorm_end"]
        )
    )  # fmt: skip
    # Mostly someone who may do it (so that things happen), sometimes anyone at all.
    likely = LIKELY.get(action, PEOPLE)
    who = draw(st.sampled_from(PEOPLE if draw(st.integers(0, 3)) == 0 else likely))
    if who == "party":
        who = "party_a" if side == "A" else "party_b"
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
        data = {"side": side_id, "issue": issue.pk, "text": f"Bottom line {world.marker(side)}",
                "confidential": draw(st.booleans())}  # fmt: skip
    elif action == "own_note":
        name = "caucus_note.add"
        data = {"side": side_id, "issue": issue.pk, "text": f"Only mine {world.marker(side)}",
                "visibility": "own", "confidential": draw(st.booleans())}  # fmt: skip
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
            "worst_alternative": f"Lose {world.marker(side)}",
            "likely_court_outcome": f"Judge {world.marker(side)}",
            "range_low": str(low), "range_high": str(low + draw(st.integers(0, 100))),
        }  # fmt: skip
    elif action == "request":
        name = "release.request"
        data = {"side": side_id, "text": f"May we say {world.marker(side)}", "issue": issue.pk}
    elif action == "answer_share":
        answer_then_share(world, draw, side, issue.pk)
        return
    elif action in ("request_item", "share"):
        kind, item = pick_item(draw, side_id)
        if item is None:
            return
        name = "release.request" if action == "request_item" else "release.share"
        data = {kind: item.pk}
        if action == "share" and draw(st.booleans()):
            data["text"] = f"Mediator's words {next(world.counter)}"
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
        data = {"rule": draw(st.sampled_from([DEFAULT, PERMISSIVE]))}
    elif action == "acknowledge":
        cast.mediation.refresh_from_db()
        name, data = "rule.acknowledge", {"rule": cast.mediation.confidentiality_rule}
    elif action == "overlap":
        name, data = "overlap.check", {"issue": issue.pk}
    elif action == "mark":
        kind, item = pick_item(draw, side_id)
        if item is None:
            return
        flag = draw(st.booleans())
        if kind == "message":
            name, data = "caucus_message.mark", {"message": item.pk, "confidential": flag}
        else:
            note = CaucusNote.objects.get(pk=item.pk)
            name = "caucus_note.update"
            data = {"note": note.pk, "version": note.version, "confidential": flag}
    elif action == "opening":
        held = OpeningStatement.objects.filter(side_id=side_id).first()
        name = "opening.set"
        data = {"side": side_id, "version": held.version if held else 0}
        if draw(st.booleans()) or held is None:
            data["text"] = f"Opening {world.marker(side)}"
        if draw(st.booleans()):
            data["ready"] = draw(st.booleans())
    elif action == "show":
        name, data = "openings.show", {}
    elif action == "snapshot":
        room = draw(st.sampled_from(["joint", f"caucus:{side_id}"]))
        name, data = "snapshot.take", {"room": room}
    elif action == "stage":
        name, data = "stage.set", {"stage": draw(st.sampled_from(["caucus", "joint_negotiation"]))}
    elif action == "session_end":
        name, data = "session.end", {}
    elif action == "restore":
        snapshot = pick(draw, Snapshot.objects.filter(room=cast.joint))
        if snapshot is None:
            return
        name, data = "issue.restore", {"snapshot": snapshot.pk, "issue": issue.pk}
    elif action == "sealed_ask":
        name = "sealed.ask"
        data = {"issue": issue.pk, "asks": draw(st.sampled_from(["text", "either"]))}
    elif action in ("sealed_submit", "sealed_cancel"):
        sealed = pick(draw, SealedRound.objects.filter(issue__room__mediation=cast.mediation))
        if sealed is None:
            return
        if action == "sealed_cancel":
            name, data = "sealed.cancel", {"sealed": sealed.pk}
        else:
            # The submission is the sender's side's, whatever side was drawn.
            own = SIDE_OF.get(who, side)
            submitted = SealedSubmission.objects.filter(
                round=sealed, side_id=world.side_key(own)
            ).first()
            name = "sealed.submit"
            data = {"sealed": sealed.pk, "version": submitted.version if submitted else 0,
                    "text": f"Sealed {world.sealed_marker(own)}"}  # fmt: skip
    elif action in ("brainstorm_start", "brainstorm_end"):
        name, data = f"brainstorm.{action.partition('_')[2]}", {"issue": issue.pk}
    elif action == "brainstorm_add":
        idea = f"BO{next(world.counter)}X"
        name, data = "brainstorm.add", {"issue": issue.pk, "text": f"Idea {idea}"}
    elif action == "remove":
        target = draw(st.sampled_from(["party_a", "party_b", "attorney_a", "observer", "expert"]))
        name, data = "participant.remove", {"participant": cast.participants[target].pk}
    elif action == "expire":
        # The expert's time runs out; the sweep that records it may or may not have run.
        Participant.objects.filter(pk=cast.participants["expert"].pk).update(
            access_expires_at=timezone.now() - timedelta(seconds=1)
        )
        if draw(st.booleans()):
            participants_expire()
        return
    else:
        hours = draw(st.sampled_from([-1, 2]))
        until = (timezone.now() + timedelta(hours=hours)).isoformat()
        name = "expert.access"
        data = {"participant": cast.participants["expert"].pk, "until": until}
    attempt(world, who, name, data)


def attempt(world: World, who: str, name: str, data: dict[str, Any]) -> dict[str, Any] | None:
    try:
        result = run(world.cast, who, name, **data)
    except ServiceError:
        return None
    track(world, who, name, data, result)
    return result


def answer_then_share(world: World, draw: Any, side: str, issue_id: int) -> None:
    """The party says something (or an item already said is taken), the mediator asks
    about it, the party declines or releases it only in part (or whole), and the mediator
    tries to share it anyway, as said or in other words."""
    party = "party_a" if side == "A" else "party_b"
    kind, item = pick_item(draw, world.side_key(side))
    if item is None or draw(st.booleans()):
        kind = draw(st.sampled_from(["message", "note"]))
        said = {"side": world.side_key(side), "confidential": False}
        if kind == "message":
            item = attempt(world, party, "caucus_message.post", said | {
                "body": f"We said {world.marker(side)}"})  # fmt: skip
        else:
            item = attempt(world, party, "caucus_note.add", said | {
                "issue": issue_id, "text": f"Bottom line {world.marker(side)}"})  # fmt: skip
        if item is None:
            return
    item_id = item["id"] if isinstance(item, dict) else item.pk
    asker = draw(st.sampled_from(["mediator", party]))
    request = attempt(world, asker, "release.request", {kind: item_id})
    if request is None:
        return
    answer: dict[str, Any] = {"release": request["id"], "version": request["version"]}
    answer |= draw(
        st.sampled_from(
            [{"decision": "decline"}, {"decision": "release", "mode": "existence"},
             {"decision": "release", "mode": "paraphrase", "text": f"Gist {next(world.counter)}"},
             {"decision": "release", "mode": "as_worded"}]
        )
    )  # fmt: skip
    attempt(world, party, "release.answer", answer)
    share: dict[str, Any] = {kind: item_id}
    if draw(st.booleans()):
        share["text"] = f"Mediator's words {next(world.counter)}"
    attempt(world, "mediator", "release.share", share)


def track(world: World, who: str, name: str, data: dict[str, Any], result: dict[str, Any]) -> None:
    """Keep the model of the rules up to date with what the server accepted, and check
    that it accepted nothing the rules forbid."""
    kind = "message" if name.startswith("caucus_message") else "note"
    if name == "rule.set":
        world.rule = data["rule"]
    elif name == "rule.acknowledge":
        world.acknowledged[who] = data["rule"]
    elif name in ("caucus_message.post", "caucus_note.add"):
        side = "A" if data["side"] == world.side_key("A") else "B"
        if who != "mediator":
            # Writing needs the rule in force to have been accepted.
            assert world.acknowledged.get(who) == world.rule, f"{who} wrote unacknowledged"
        own = data.get("visibility") == "own"
        world.items[kind, result["id"]] = Item(
            side=side, author=who, rule=world.rule,
            marked_by=who if data.get("confidential") and not own else None, own=own,
        )  # fmt: skip
        if own:
            world.own.update(dict.fromkeys(MARKER.findall(data["text"]), who))
    elif name in ("caucus_message.mark", "caucus_note.update"):
        item = world.items[kind, result["id"]]
        if item.own:
            assert who == item.author, f"{who} changed {item.author}'s own note"
            world.own.update(dict.fromkeys(MARKER.findall(data.get("text", "")), who))
            return
        if "text" in data:
            item.rule = DEFAULT if DEFAULT in (item.rule, world.rule) else PERMISSIVE
        if "confidential" in data:
            lowered = not data["confidential"] and item.marked_by is not None
            if lowered:
                by_party = who.startswith("party") and SIDE_OF.get(who) == item.side
                by_marker = who == item.author == item.marked_by
                assert by_party or by_marker, f"{who} unmarked {item.marked_by}'s {kind}"
                item.marked_by = None
            elif data["confidential"] and item.marked_by is None:
                item.marked_by = who
    elif name == "release.request":
        for kind in ("message", "note"):
            if kind in data:
                assert not world.items[kind, data[kind]].own, "a release of an own note"
                world.requests[result["id"]] = (kind, data[kind])
                world.items[kind, data[kind]].asked.add(result["id"])
    elif name == "release.answer":
        about = world.requests.get(result["id"])
        released_whole = result["status"] == "released" and result["mode"] == "as_worded"
        if about is not None and released_whole:
            world.items[about].asked.discard(result["id"])
    elif name == "release.share":
        kind = "message" if "message" in data else "note"
        item = world.items[kind, data[kind]]
        assert not item.own, "the mediator shared an own note"
        assert who == "mediator"
        assert world.rule == PERMISSIVE, "shared under the default rule"
        assert item.rule == PERMISSIVE, f"shared a {kind} said under the default rule"
        assert item.marked_by is None, f"shared a {kind} marked by {item.marked_by}"
        assert not item.asked, f"shared a {kind} the party held back"
    elif name == "opening.set":
        side = "A" if data["side"] == world.side_key("A") else "B"
        text, ready = world.openings.get(side, ("", False))
        if "ready" in data:
            assert who == ("party_a" if side == "A" else "party_b"), f"{who} readied {side}'s"
            ready = data["ready"]
        elif "text" in data and who != ("party_a" if side == "A" else "party_b"):
            ready = False
        if "text" in data:
            text = data["text"]
        world.openings[side] = (text, ready)
        if world.openings_shown and ready:
            world.released.update(MARKER.findall(text))
    elif name == "openings.show":
        world.openings_shown = True
        for text, ready in world.openings.values():
            if ready:
                world.released.update(MARKER.findall(text))
    elif name == "sealed.ask":
        world.rounds[result["id"]] = ("waiting", {})
    elif name == "sealed.submit":
        status, submitted = world.rounds[data["sealed"]]
        sender_side = SIDE_OF.get(who)
        assert status == "waiting", f"a submission to a {status} round"
        assert who in ("party_a", "party_b"), f"{who} submitted"
        assert sender_side is not None
        submitted[sender_side] = SEALED.findall(data["text"])
        if set(submitted) == {"A", "B"}:
            world.rounds[data["sealed"]] = ("revealed", submitted)
            for markers in submitted.values():
                world.released.update(markers)
        server = SealedRound.objects.get(pk=data["sealed"]).status
        assert server == world.rounds[data["sealed"]][0], f"the round is {server}"
    elif name == "sealed.cancel":
        assert who == "mediator"
        world.rounds[data["sealed"]] = ("cancelled", {})
    elif name == "brainstorm.add":
        world.ideas.update(dict.fromkeys(IDEA.findall(data["text"]), who))
    if name in ("release.answer", "release.share") and result["status"] == "released":
        world.released.update(MARKER.findall(result["released_text"]))


@dataclass
class Recorder:
    """What the channel layer is asked to carry, recorded into the current sequence's world.
    Patched in once per test; each example points it at its own world."""

    world: World | None = None


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    recorder = Recorder()
    original = events.group_send

    def record(group: str, message: dict[str, Any]) -> None:
        if recorder.world is not None:
            recorder.world.sent.append((group, message, frozenset(recorder.world.released)))
        original(group, message)

    monkeypatch.setattr(events, "group_send", record)
    return recorder


def check_channel_layer(world: World) -> None:
    """No message reached anyone outside a caucus, at that moment, with its secrets; no
    sealed words reached anyone but their side before the reveal; no brainstorm option
    went with its author's name."""
    for group, message, released, reached, caucus in world.delivered:
        text = str(message)
        for side in ("A", "B"):
            outsiders = reached - caucus[side]
            if outsiders:
                leaked = world.leaked(text, side, released)
                assert not leaked, f"{leaked} reached {outsiders} via {group}: {message}"
        for reader in reached:
            leaked = world.sealed_leaked(text, reader, released)
            assert not leaked, f"sealed {leaked} reached {reader} via {group}: {message}"
        linked_check(world, message, f"the channel layer ({group})")


def linked_check(world: World, found: Any, where: str) -> None:
    """No brainstorm option in `found` (parsed JSON or Python data) sits in an object
    that names or places someone, nor in an issue history entry with an actor."""
    if not world.ideas:
        return

    def walk(value: Any, entries: list[dict[str, Any]]) -> None:
        if isinstance(value, dict):
            if "changes" in value and "event" in value:
                entries = [*entries, value]
            texts = " ".join(v for v in value.values() if isinstance(v, str))
            if IDEA.search(texts):
                named = {k: value[k] for k in WHO_KEYS if value.get(k) is not None}
                for entry in entries:
                    named |= {k: entry[k] for k in WHO_KEYS if entry.get(k) is not None}
                assert not named, f"a brainstorm option with {named} at {where}: {value}"
            for inner in value.values():
                walk(inner, entries)
        elif isinstance(value, (list, tuple)):
            for inner in value:
                walk(inner, entries)

    walk(found, [])


def check_ideas_kept(world: World) -> None:
    """No row keeps who added a brainstorm option, or when: no author, no actor, the
    round's start as its time, no receipt of the command."""
    if not world.ideas:
        return
    options = Option.objects.filter(issue__room__mediation=world.cast.mediation)
    for option in options.filter(brainstorm__isnull=False).select_related("brainstorm"):
        assert option.created_by_id is None
        assert option.brainstorm is not None
        assert option.created_at == option.updated_at == option.brainstorm.started_at
    added = Event.objects.filter(room=world.cast.joint, name="option.added")
    for event in added:
        if IDEA.search(event.data["text"]):
            assert event.actor_id is None
            assert event.data["created_by"] is None
    receipts = CommandReceipt.objects.filter(participant__mediation=world.cast.mediation)
    assert not receipts.filter(name="brainstorm.add").exists()
    # Another command's answer may show the option (a restore answers with the issue),
    # never with its author.
    for receipt in receipts:
        for shown in dicts_in(receipt.result):
            if isinstance(shown.get("text"), str) and IDEA.search(shown["text"]):
                assert shown.get("created_by") is None, receipt.name


def dicts_in(value: Any) -> Iterator[dict[str, Any]]:
    """Every object inside a JSON value, itself included."""
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from dicts_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from dicts_in(item)


def own_leaked(world: World, text: str, reader: str) -> set[str]:
    """Markers of someone else's own notes in what `reader` received or read."""
    return {m for m in MARKER.findall(text) if world.own.get(m, reader) != reader}


def check_own_notes_delivered(world: World) -> None:
    """An own note's events reach the channel group of its room; what each member's
    connection passes on (permissions.caucus_frame_for, as RoomStream applies it) holds
    no one else's own words."""
    pks = {name: p.pk for name, p in world.cast.participants.items()}
    for _group, message, _released, reached, _caucus in world.delivered:
        frame = message.get("frame")
        if not isinstance(frame, dict):
            continue
        for reader in reached:
            shown = caucus_frame_for(None, frame, viewer=pks[reader])
            leaked = own_leaked(world, str(shown), reader)
            assert not leaked, f"{reader} received {leaked}, someone else's own note"


def check_own_notes_read(world: World, clients: dict[Any, Any], sequence: int) -> None:
    """In turn, one of those in Alex's room (the mediator, the party, the attorney, the
    expert) reads every GET endpoint and the socket's snapshot, catch-up and gap replay
    of every room: no one else's own note. (Party B is in check_reads: an own
    note is a secret of its side's room, too.) The author does find their own, so the
    search could find it."""
    pending = [m for m in world.sealed if m not in world.released]
    if not world.own and not pending:
        return
    cast = world.cast
    urls = get_urls(world)
    for who in (("mediator", "party_a", "attorney_a", "expert")[sequence % 4],):
        participant = cast.participants[who]
        user = cast.users[who]
        if user.pk not in clients:
            clients[user.pk] = APIClient()
            clients[user.pk].force_login(user)
        readable = [(url, clients[user.pk].get(url).content.decode()) for url in urls]
        for room in Room.objects.filter(mediation=cast.mediation):
            key, pk = room.key, participant.pk
            readable.append((f"sync {key}", str(room_catch_up_for(pk, key, 0))))
            readable.append((f"gap {key}", str(room_events_after_for(pk, key, 0))))
            readable.append((f"snapshot {key}", str(room_snapshot_for(pk, key))))
        for where, text in readable:
            leaked = own_leaked(world, text, who)
            assert not leaked, f"{who} read {leaked}, someone else's own note, at {where}"
            sealed = world.sealed_leaked(text, who)
            assert not sealed, f"{who} read sealed {sealed} at {where}"
    if not world.own:
        return
    author = next(iter(world.own.values()))
    markers = [m for m, by in world.own.items() if by == author]
    key = f"caucus:{world.side_key(world.secret[markers[0]])}"
    mine = cast.participants[author].pk
    if room_snapshot_for(mine, key) is not None:  # still in that room
        text = str(room_catch_up_for(mine, key, 0))
        assert any(m in text for m in markers), f"{author} cannot read their own note"


# Routes that describe the API rather than hold anything of a mediation.
NOT_DATA = {"api/schema/", "api/docs/"}


def get_routes() -> list[str]:
    """Every GET route of the API, from the URL configuration: a new endpoint is read by
    this test without anyone adding it here."""

    def walk(patterns: list[Any], prefix: str) -> Iterator[tuple[str, URLPattern]]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern), pattern

    routes = []
    for route, pattern in walk(get_resolver().url_patterns, ""):
        view = getattr(pattern.callback, "view_class", None) or getattr(
            pattern.callback, "cls", None
        )
        if route.startswith("api/") and route not in NOT_DATA and hasattr(view, "get"):
            routes.append(route)
    return routes


def get_urls(world: World) -> list[str]:
    """The GET routes with their ids filled in, every room for a room key."""
    return urls_of(world.cast)


def urls_of(cast: Cast, *, every_issue: bool = False) -> list[str]:
    """The GET routes of `cast`'s mediation with their ids filled in: every room for a room
    key, every document, the first and the latest issue (or, `every_issue`, all)."""
    taken = list(
        Snapshot.objects.filter(room__mediation=cast.mediation)
        .order_by("seq")
        .values_list("pk", "room_id")
    )
    # The first and the latest snapshot of each room, each compared with the latest of
    # every room: the reads of a room outsiders may not see, and of pairs across rooms.
    latest = {room_id: pk for pk, room_id in taken}
    first = {room_id: pk for pk, room_id in reversed(taken)}
    snapshots = sorted(set(first.values()) | set(latest.values())) or [1]
    issues = list(Issue.objects.filter(room__mediation=cast.mediation).order_by("id"))
    fillers: dict[str, list[str]] = {
        "mediation_id": [str(cast.mediation.pk)],
        "room_key": ["joint", f"caucus:{cast.side_a.pk}", f"caucus:{cast.side_b.pk}"],
        "snapshot_id": [str(pk) for pk in snapshots],
        "other_id": [str(pk) for pk in latest.values()] or ["1"],
        # The first issue and the latest: their histories.
        "issue_id": sorted(
            {str(issue.pk) for issue in (issues if every_issue else issues[:1] + issues[-1:])}
        )
        or ["1"],
        "document_id": [
            str(pk)
            for pk in Document.objects.filter(room__mediation=cast.mediation).values_list(
                "pk", flat=True
            )
        ]
        or ["1"],
    }
    urls: list[str] = []
    for route in get_routes():
        filled = [route]
        for converter, param in re.findall(r"<(?:(\w+):)?(\w+)>", route):
            assert param in fillers, f"give {route} a value for <{param}> in get_urls"
            filled = [
                url.replace(f"<{converter}:{param}>" if converter else f"<{param}>", value)
                for url in filled
                for value in fillers[param]
            ]
        urls.extend(f"/{url}" for url in filled)
    return urls


READERS = ("party_a", "party_b")
FEWER_READERS = ("attorney_a", "observer", "expert")


def check_reads(world: World, clients: dict[Any, Any], sequence: int) -> None:
    """Everything someone outside a caucus can read: every GET endpoint, and the replay of
    every room the socket would let them sync.

    Each side's party reads after every sequence; every second sequence, one of Alex's
    attorney, the observer and the expert, in turn. Whose caucus is secret from a reader
    is decided now: the expert after A's caucus closed, or anyone removed, is outside."""
    cast = world.cast
    urls = get_urls(world)
    fewer = () if sequence % 2 else (FEWER_READERS[sequence // 2 % len(FEWER_READERS)],)
    for who in READERS + fewer:
        participant = Participant.objects.select_related("mediation", "side").get(
            pk=cast.participants[who].pk
        )
        visible = {room.side_id: room for room in visible_rooms(participant)}
        sides = [side for side in ("A", "B") if world.side_key(side) not in visible]
        user = cast.users[who]
        if user.pk not in clients:
            clients[user.pk] = APIClient()
            clients[user.pk].force_login(user)
        client = clients[user.pk]
        readable = [(url, client.get(url).content.decode()) for url in urls]
        for url, text in readable:
            if world.ideas and IDEA.search(text):
                linked_check(world, json.loads(text), url)
        # The socket's sync: a replay from the start (its snapshots are the rooms/ GETs).
        for room in visible.values():
            frames = room_catch_up(room, 0) or []
            linked_check(world, frames, f"sync {room.key}")
            readable.append((f"sync {room.key}", str(frames)))
        for side in sides:
            for where, text in readable:
                assert not world.leaked(text, side), f"{who} read a secret of {side} at {where}"
        for where, text in readable:
            sealed = world.sealed_leaked(text, who)
            assert not sealed, f"{who} read sealed {sealed} at {where}"


def check_everywhere(world: World, logs: str) -> None:
    """Notifications, and every channel they go out on (e-mails, SMS, web push, batched
    or not), and logs carry no caucus words at all, released or not."""
    notifications = " ".join(
        f"{n.text} {n.room_key}" for n in Notification.objects.filter(
            participant__mediation=world.cast.mediation)
    )  # fmt: skip
    mails = " ".join(f"{m.subject} {m.body}" for m in mail.outbox)
    texts = " ".join(m["text"] for m in sms.MemoryBackend.outbox)
    pushes = " ".join(str(p) for p in push.MemoryBackend.outbox)
    for where, text in (("notifications", notifications), ("e-mails", mails),
                        ("SMS", texts), ("web push", pushes), ("logs", logs)):  # fmt: skip
        found = {*MARKER.findall(text), *SEALED.findall(text), *IDEA.findall(text)}
        assert not found, f"markers {found} in {where}"


def world_create(rule: str, channels: bool) -> World:
    """A fresh mediation under `rule`, accepted by everyone: half the sequences start
    under the permissive rule, so that the mediator's direct sharing is tried from the
    first step rather than only after a change of rule."""
    cast = cast_create()
    expert_join(cast, cast.side_a)
    if rule != DEFAULT:
        run(cast, "mediator", "rule.set", rule=rule)
    acknowledge_rule(cast)
    # In half the sequences every channel is on for everyone, chat notices too, and what
    # goes out is checked on each; the others keep the defaults (e-mail, chat muted).
    for user in cast.users.values() if channels else ():
        NotificationSettings.objects.update_or_create(
            user=user,
            defaults={"email": True, "sms": True, "phone": "+447700900123", "push": True,
                      "muted": []},
        )  # fmt: skip
        PushSubscription.objects.get_or_create(
            endpoint=f"https://push.example/{user.pk}",
            defaults={"user": user, "p256dh": "key", "auth": "auth"},
        )
    world = World(cast=cast, rule=rule)
    world.acknowledged = {name: rule for name in cast.participants}
    return world


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
    recorder: Recorder,
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: Any,
    clients: dict[Any, Any],
) -> None:
    mail.outbox.clear()
    sms.MemoryBackend.outbox.clear()
    push.MemoryBackend.outbox.clear()
    caplog.clear()
    world = world_create(
        data.draw(st.sampled_from([DEFAULT, PERMISSIVE])), data.draw(st.booleans())
    )
    recorder.world = world
    try:
        with caplog.at_level(logging.DEBUG):
            for _ in range(STEPS):
                with django_capture_on_commit_callbacks(execute=True):
                    act(world, data.draw)
                world.settle()
            recorder.world = None
            check_channel_layer(world)
            check_ideas_kept(world)
            check_own_notes_delivered(world)
            clients["sequences"] = clients.get("sequences", 0) + 1
            check_reads(world, clients, clients["sequences"])
            check_own_notes_read(world, clients, clients["sequences"])
            logs = caplog.text + " ".join(str(r.args) for r in caplog.records)
        check_everywhere(world, logs)
    finally:
        # Each sequence has its own mediation; leave it, so the personas' next lists are
        # short, and so that nothing of it (an expert whose time ran out, swept by a later
        # sequence) acts on later ones, also when hypothesis cuts a sequence short.
        recorder.world = None
        # Deleted as its retention period would: the personas' own exports (which hold
        # their ended places too) stay the size of one sequence, not of all of them.
        Mediation.objects.filter(pk=world.cast.mediation.pk).update(
            status=Mediation.Status.CLOSED, closed_at=timezone.now() - timedelta(days=3650)
        )
        mediation_purge(mediation_id=world.cast.mediation.pk)


def test_every_get_route_is_read() -> None:
    routes = get_routes()
    assert "api/mediations/<str:mediation_id>/rooms/<str:room_key>/" in routes
    assert "api/auth/session/" in routes
    assert not [route for route in routes if "commands/" in route]


@pytest.fixture
def clients() -> dict[Any, Any]:
    """Signed-in clients, kept across sequences: the personas are the same people."""
    return {}
