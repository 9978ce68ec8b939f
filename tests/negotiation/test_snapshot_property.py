"""Random command sequences (tests/negotiation/test_board_property.py's), with snapshots
taken along the way and restores from them among the commands: the events between two
snapshots, replayed by the reference client onto the first, give exactly the second; so
the changes between the two read the same from either, and name only issues those
events touched. An issue's history, rebuilt from the log, ends at the card the board has."""

from __future__ import annotations

import contextlib
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config.errors import ServiceError
from negotiation.events import event_frame
from negotiation.history import issue_apply, issue_events, snapshots_diff
from negotiation.models import Event, Issue, Proposal, Snapshot
from negotiation.selectors import room_snapshot
from negotiation.services.snapshots import snapshot_take
from tests.conftest import acknowledge_rule, cast_create, run
from tests.negotiation.board_client import BoardClient, normalised
from tests.negotiation.test_board_property import Chooser, random_command

# A quarter of the board property test's examples: each one plays a whole sequence.
EXAMPLES = int(os.environ.get("PARLEY_PROPERTY_EXAMPLES", "40")) // 4 or 1


def replayed(start: Snapshot, end: Snapshot) -> dict[str, Any]:
    client = BoardClient()
    client.apply({"type": "snapshot", "room": "joint", "seq": start.seq, "data": start.data})
    for event in Event.objects.filter(room=start.room, seq__gt=start.seq, seq__lte=end.seq):
        client.apply(event_frame(event, "joint"))
    assert client.seq == end.seq
    return client.data


def issues_touched(start: Snapshot, end: Snapshot) -> set[int]:
    touched: set[int] = set()
    proposals = dict(Proposal.objects.values_list("pk", "issue_id"))
    for event in Event.objects.filter(room=start.room, seq__gt=start.seq, seq__lte=end.seq):
        data = event.data
        if event.name == "issue.moved":
            touched.add(data["issue"]["id"])
        elif event.name.startswith("issue."):
            touched.add(data["id"])
        elif event.name == "response.set":
            touched.add(proposals[data["proposal"]])
        elif isinstance(data.get("issue"), int):
            touched.add(data["issue"])
    return touched


@pytest.mark.django_db
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), steps=st.integers(min_value=2, max_value=24))
def test_the_changes_between_snapshots_are_the_replay_of_the_events_between_them(
    data: st.DataObject, steps: int
) -> None:
    choose = Chooser(draw=data.draw)
    cast = cast_create()
    acknowledge_rule(cast)
    taken = [snapshot_take(room=cast.joint, reason="on_demand")]
    for _ in range(steps):
        if choose.chance(15):
            taken.append(snapshot_take(room=cast.joint, reason="on_demand"))
        issues = list(Issue.objects.filter(room=cast.joint).values_list("pk", flat=True))
        if issues and choose.chance(10):
            who, name = "mediator", "issue.restore"
            field = choose.pick([None, "title", "lane", "parking", "positions"])
            command = {"snapshot": choose.pick(taken).pk, "issue": choose.pick(issues),
                       "field": field}  # fmt: skip
        else:
            who, name, command = random_command(choose, cast)
        with contextlib.suppress(ServiceError):
            run(cast, who, name, **{k: v for k, v in command.items() if v is not None})
    taken.append(snapshot_take(room=cast.joint, reason="on_demand"))
    taken = list(Snapshot.objects.filter(room=cast.joint).order_by("seq"))
    start, end = choose.pick(taken), taken[-1]
    if start.seq > end.seq:
        start, end = end, start
    board = replayed(start, end)
    assert normalised(board) == normalised(end.data)
    changes = snapshots_diff("joint", start.data, end.data)
    assert changes == snapshots_diff("joint", start.data, board)
    assert {c["issue"] for c in changes if "issue" in c} <= issues_touched(start, end) | {None}
    assert snapshots_diff("joint", end.data, end.data) == []
    # Each issue's history, rebuilt from its events in the log, ends at the board's card.
    for card in room_snapshot(cast.joint)["data"]["issues"]:
        rebuilt: dict[str, Any] | None = None
        for event in issue_events(Issue.objects.get(pk=card["id"])):
            rebuilt = issue_apply(rebuilt, event.name, event.data)
        assert rebuilt is not None
        assert normalised({**rebuilt, "order": 0}) == normalised({**card, "order": 0})
