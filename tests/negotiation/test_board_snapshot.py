from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from negotiation.models import Issue, Participant
from negotiation.selectors import board_snapshot, room_catch_up, room_snapshot
from tests.conftest import Cast, run


def fill(cast: Cast, issues: int) -> None:
    """Issues with one of everything that hangs on an issue, each worded after its issue."""
    start = Issue.objects.count()
    for n in range(start, start + issues):
        issue = run(cast, "party_a", "issue.create", title=f"Issue {n}")
        on = {"issue": issue["id"]}
        run(cast, "party_a", "position.set", **on, side=cast.side_a.pk, text=f"Position {n}",
            version=0)  # fmt: skip
        run(cast, "party_a", "interest.add", **on, side=cast.side_a.pk, text=f"Interest {n}")
        run(cast, "party_b", "option.add", **on, text=f"Option {n}")
        run(cast, "party_b", "criterion.add", **on, text=f"Criterion {n}", source="KBB")
        offer = run(cast, "party_a", "proposal.create", **on, terms=f"Terms {n}")
        run(cast, "party_b", "proposal.respond", proposal=offer["id"], answer="considering",
            version=0, note=f"Response {n}")  # fmt: skip
        run(cast, "attorney_a", "comment.add", **on, body=f"Comment {n}")


def queries(cast: Cast) -> int:
    observer = Participant.objects.get(pk=cast.participants["observer"].pk)
    with CaptureQueriesContext(connection) as captured:
        board_snapshot(observer)
    return len(captured)


def test_the_query_count_does_not_grow_with_the_board(cast: Cast) -> None:
    fill(cast, 2)
    small = queries(cast)
    fill(cast, 8)
    assert queries(cast) == small


def test_it_holds_everything_on_every_issue(cast: Cast) -> None:
    fill(cast, 2)
    board = board_snapshot(cast.participants["party_b"])
    held = [
        {
            "title": issue["title"],
            "positions": [position["text"] for position in issue["positions"]],
            "interests": [interest["text"] for interest in issue["interests"]],
            "options": [option["text"] for option in issue["options"]],
            "criteria": [
                (criterion["text"], criterion["source"]) for criterion in issue["criteria"]
            ],
            "proposals": [proposal["terms"] for proposal in issue["proposals"]],
            "responses": [
                (response["answer"], response["note"])
                for proposal in issue["proposals"]
                for response in proposal["responses"]
            ],
            "comments": [comment["body"] for comment in issue["comments"]],
        }
        for issue in board["issues"]
    ]
    assert held == [
        {
            "title": f"Issue {n}",
            "positions": [f"Position {n}"],
            "interests": [f"Interest {n}"],
            "options": [f"Option {n}"],
            "criteria": [(f"Criterion {n}", "KBB")],
            "proposals": [f"Terms {n}"],
            "responses": [("considering", f"Response {n}")],
            "comments": [f"Comment {n}"],
        }
        for n in range(2)
    ]
    assert set(board["rooms"]) == {"joint", f"caucus:{cast.side_b.pk}"}


def test_catch_up_replays_or_asks_for_a_snapshot(cast: Cast) -> None:
    joint = cast.joint
    start = joint.last_seq
    fill(cast, 1)
    joint.refresh_from_db()
    frames = room_catch_up(joint, start)
    assert [frame["seq"] for frame in frames or []] == list(range(start + 1, joint.last_seq + 1))
    assert room_catch_up(joint, joint.last_seq + 5) is None
    assert room_catch_up(joint, -1) is None
    assert room_snapshot(joint)["seq"] == joint.last_seq
