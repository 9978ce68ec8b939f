from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from negotiation.models import Participant
from negotiation.selectors import board_snapshot, room_catch_up, room_snapshot
from tests.conftest import Cast, run


def fill(cast: Cast, issues: int) -> None:
    for n in range(issues):
        issue = run(cast, "party_a", "issue.create", title=f"Issue {n}")
        run(cast, "party_a", "position.set", issue=issue["id"], side=cast.side_a.pk, text="Mine",
            version=0)  # fmt: skip
        run(cast, "party_a", "option.add", issue=issue["id"], text="An option")
        offer = run(cast, "party_a", "proposal.create", issue=issue["id"], terms="Terms")
        run(cast, "party_b", "proposal.respond", proposal=offer["id"], answer="considering",
            version=0)  # fmt: skip
        run(cast, "attorney_a", "comment.add", issue=issue["id"], body="Comment")


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
    fill(cast, 1)
    board = board_snapshot(cast.participants["party_b"])
    [issue] = board["issues"]
    assert [len(issue[key]) for key in ("positions", "options", "proposals", "comments")] == [
        1, 1, 1, 1,
    ]  # fmt: skip
    assert issue["proposals"][0]["responses"][0]["answer"] == "considering"
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
