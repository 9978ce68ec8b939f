"""Random command sequences by random participants: a client that applies the events it
receives (some lost, some twice, catching up on gaps as the protocol says) ends with
exactly the board a fresh snapshot returns."""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config.errors import ServiceError
from negotiation.models import (
    CaucusSession,
    Decision,
    Issue,
    Lane,
    OpeningStatement,
    Proposal,
    Response,
)
from negotiation.selectors import room_catch_up, room_snapshot
from tests.conftest import Cast, acknowledge_rule, cast_create, run
from tests.negotiation.board_client import BoardClient, Gap, normalised

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = int(os.environ.get("PARLEY_PROPERTY_EXAMPLES", "40"))
ACTORS = ["mediator", "party_a", "party_b", "attorney_a", "observer"]
NAMES = [
    "issue.create", "issue.update", "issue.move", "position.set", "interest.add",
    "interest.update", "option.add", "option.update", "criterion.add", "criterion.update",
    "comment.add", "proposal.create", "proposal.respond", "proposal.withdraw",
    "caucus.call", "caucus.close", "board.pause", "release",
    "decision.propose", "decision.answer", "opening.set", "openings.show", "issue.unpark",
    "issue.park_edit",
]  # fmt: skip


class Chooser:
    """Draws choices from hypothesis, or from a seeded random for fixture generation."""

    def __init__(self, draw: Any = None, rng: random.Random | None = None) -> None:
        self._draw, self._rng = draw, rng

    def pick(self, options: list[Any]) -> Any:
        if self._draw is not None:
            return self._draw(st.sampled_from(options))
        assert self._rng is not None
        return self._rng.choice(options)

    def chance(self, percent: int) -> bool:
        return bool(self.pick(list(range(100))) < percent)


def _existing(model: Any, cast: Cast) -> list[Any]:
    return list(model.objects.filter(issue__room__mediation=cast.mediation).order_by("id"))


def random_command(choose: Chooser, cast: Cast) -> tuple[str, str, dict[str, Any]]:
    """A command, mostly valid, sometimes stale or wrong, as real clients send them."""
    who, name = choose.pick(ACTORS), choose.pick(NAMES)
    issues = list(Issue.objects.filter(room__mediation=cast.mediation).order_by("id"))
    if not issues or name == "issue.create":
        return who, "issue.create", {"title": choose.pick(["House", "Car", "", "Dog " * 3])}
    issue = choose.pick(issues)
    stale = choose.chance(15)
    if name == "caucus.call":
        return "mediator", name, {"side": choose.pick([cast.side_a.pk, cast.side_b.pk])}
    if name == "caucus.close":
        session = CaucusSession.objects.filter(mediation=cast.mediation).order_by("-id").first()
        return "mediator", name, {"caucus": session.pk if session else 999999}
    if name == "board.pause":
        return "mediator", name, {"paused": choose.chance(50)}
    if name == "release":
        # A party asks to share, and shares (the joint room gains a statement).
        request = run(cast, "party_a", "release.request", text="We would sell", issue=issue.pk)
        return "party_a", "release.answer", {
            "release": request["id"], "version": 1, "decision": "release",
            "mode": choose.pick(["as_worded", "existence"]),
            "attribution": choose.pick(["side", "mediator"]),
        }  # fmt: skip

    def version(obj: Any) -> int:
        return max(obj.version - 1, 0) if stale else obj.version

    if name == "decision.propose":
        kind = choose.pick(["agree", "strike"])
        return choose.pick(["mediator", "party_a"]), name, {
            "issue": issue.pk, "kind": kind, "terms": "As proposed"}  # fmt: skip
    if name == "decision.answer":
        waiting = Decision.objects.filter(issue__room__mediation=cast.mediation, status="open")
        decision = waiting.order_by("id").first()
        return choose.pick(["party_a", "party_b"]), name, {
            "decision": decision.pk if decision else 999999,
            "answer": choose.pick(["confirm", "confirm", "decline"]),
            "informed": choose.chance(80)}  # fmt: skip
    if name == "opening.set":
        held = OpeningStatement.objects.filter(side=cast.side_a).first()
        return "party_a", name, {
            "side": cast.side_a.pk, "version": held.version if held else 0,
            "text": choose.pick(["We hope", "A fair split"]),
            "ready": choose.chance(70)}  # fmt: skip
    if name == "openings.show":
        return "mediator", name, {}
    if name == "issue.unpark":
        return who, name, {"issue": issue.pk, "version": version(issue)}
    if name == "issue.park_edit":
        return who, name, {"issue": issue.pk, "version": version(issue),
                           "condition": choose.pick(["", "After the sale"])}  # fmt: skip

    text = choose.pick(["Keep it", "Sell it", "Split 60/40", ""])
    side = choose.pick([cast.side_a.pk, cast.side_b.pk])
    if name == "issue.update":
        return who, name, {"issue": issue.pk, "version": version(issue), "title": text}
    if name == "issue.move":
        return who, name, {
            "issue": issue.pk, "version": version(issue), "lane": choose.pick(Lane.values),
            "index": choose.pick([None, 0, 1, 3]), "reason": choose.pick(["", "Later"]),
        }  # fmt: skip
    if name == "position.set":
        position = issue.positions.filter(side_id=side).first()
        current = position.version if position else 0
        given_version = max(current - 1, 0) if stale else current
        return who, name, {"issue": issue.pk, "side": side, "text": text, "version": given_version}
    if name == "interest.add":
        return who, name, {"issue": issue.pk, "side": side, "text": text}
    if name in ("option.add", "criterion.add"):
        return who, name, {"issue": issue.pk, "text": text}
    if name == "comment.add":
        return who, name, {"issue": issue.pk, "body": text}
    if name == "proposal.create":
        return who, name, {"issue": issue.pk, "terms": text, "amount": choose.pick([None, "10"])}
    if name.endswith(".update"):
        kind = name.split(".")[0]
        model = {"interest": "interests", "option": "options", "criterion": "criteria"}[kind]
        items = list(getattr(issue, model).all())
        if not items:
            return who, "option.add", {"issue": issue.pk, "text": "Lease"}
        item = choose.pick(items)
        return who, name, {kind: item.pk, "version": version(item), "struck": choose.chance(50),
                           "text": text or "Edited"}  # fmt: skip
    proposals = _existing(Proposal, cast)
    if not proposals:
        return who, "proposal.create", {"issue": issue.pk, "terms": "Split it"}
    proposal = choose.pick(proposals)
    if name == "proposal.withdraw":
        return who, name, {"proposal": proposal.pk, "version": version(proposal)}
    answer = choose.pick(Response.Answer.values)
    response = None
    if who in cast.participants and cast.participants[who].side_id:
        response = proposal.responses.filter(side_id=cast.participants[who].side_id).first()
    return who, name, {
        "proposal": proposal.pk, "answer": answer,
        "version": response.version if response else 0,
        "counter_terms": "Counter" if answer == "counter" else "",
        "informed": choose.chance(80),
    }  # fmt: skip


def play(
    choose: Chooser, steps: int, sent_events: Any, capture: Any
) -> tuple[Cast, dict[str, Any], list[dict[str, Any]]]:
    """Run `steps` random commands on a new mediation; return it, the snapshot the client
    started from and the frames sent after it."""
    cast = cast_create()
    acknowledge_rule(cast)
    start = room_snapshot(cast.joint)
    sent_events.sent.clear()
    for _ in range(steps):
        who, name, data = random_command(choose, cast)
        with capture(execute=True), contextlib.suppress(ServiceError):
            run(cast, who, name, **data)
    frames = [frame for _, frame in sent_events.sent if frame["room"] == "joint"]
    return cast, start, frames


@pytest.mark.django_db
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), steps=st.integers(min_value=1, max_value=30))
def test_a_client_applying_its_events_matches_a_fresh_snapshot(
    data: st.DataObject, steps: int, sent_events: Any, django_capture_on_commit_callbacks: Any
) -> None:
    choose = Chooser(draw=data.draw)
    cast, start, frames = play(choose, steps, sent_events, django_capture_on_commit_callbacks)
    client = BoardClient()
    client.apply(start)
    for frame in frames:
        if choose.chance(10):
            continue  # lost on the way: the channel layer is only a hint bus
        for _ in range(2 if choose.chance(10) else 1):
            try:
                client.apply(frame)
            except Gap:
                catch_up(client, cast)
    catch_up(client, cast)  # the next sync, as after a reconnect
    assert normalised(client.data) == normalised(room_snapshot(cast.joint)["data"])


def catch_up(client: BoardClient, cast: Cast) -> None:
    frames = room_catch_up(cast.joint, client.seq)
    for frame in frames if frames is not None else [room_snapshot(cast.joint)]:
        client.apply(frame)


@pytest.mark.django_db
def test_the_browser_client_agrees(
    tmp_path: Path, sent_events: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The front end's reducer (frontend/src/lib/board.ts) applied to event streams from
    real server runs ends with the server's snapshot too."""
    if shutil.which("npx") is None:
        pytest.fail("Node.js is needed: the test command installs the front end's tools.")
    sequences = []
    for seed in range(12):
        cast, start, frames = play(
            Chooser(rng=random.Random(seed)), 30, sent_events, django_capture_on_commit_callbacks
        )
        sequences.append(
            {"snapshot": start, "frames": frames, "expected": room_snapshot(cast.joint)}
        )
    fixture = tmp_path / "board-sequences.json"
    fixture.write_text(json.dumps(sequences))
    result = subprocess.run(
        ["npx", "vitest", "run", "tests/board-sequences.test.ts"],
        cwd=ROOT / "frontend", env=os.environ | {"PARLEY_BOARD_SEQUENCES": str(fixture)},
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "skipped" not in result.stdout.lower() or "1 passed" in result.stdout
