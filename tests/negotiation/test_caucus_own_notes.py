"""A party's own notes in their private room: stored there like the room's other notes,
read by their author alone: not the mediator, not the attorney, not anyone else. Notes
for the mediator are read by the whole room, as before."""

from __future__ import annotations

import pytest

from config.errors import Invalid, NotFound
from negotiation.selectors import room_catch_up_for, room_snapshot_for
from tests.conftest import Cast, acknowledge_rule, run

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready(cast: Cast) -> Cast:
    acknowledge_rule(cast)
    return cast


def own_note(cast: Cast, text: str = "My walk-away is 40,000") -> dict:
    issue = run(cast, "mediator", "issue.create", title="House")
    return run(cast, "party_a", "caucus_note.add", side=cast.side_a.pk, issue=issue["id"],
               text=text, visibility="own")  # fmt: skip


def snapshot_notes(cast: Cast, who: str) -> list[str]:
    key = f"caucus:{cast.side_a.pk}"
    snapshot = room_snapshot_for(cast.participants[who].pk, key)
    assert snapshot is not None
    return [note["text"] for note in snapshot["data"]["notes"]]


def test_it_is_in_its_author_s_snapshot_and_in_no_one_else_s(ready: Cast) -> None:
    own_note(ready)
    issue = run(ready, "mediator", "issue.create", title="Car")
    run(ready, "party_a", "caucus_note.add", side=ready.side_a.pk, issue=issue["id"],
        text="For the mediator")  # fmt: skip
    assert snapshot_notes(ready, "party_a") == ["My walk-away is 40,000", "For the mediator"]
    assert snapshot_notes(ready, "mediator") == ["For the mediator"]
    assert snapshot_notes(ready, "attorney_a") == ["For the mediator"]


def test_it_is_withheld_from_everyone_else_s_replay(ready: Cast) -> None:
    note = own_note(ready)
    key = f"caucus:{ready.side_a.pk}"

    def replay(who: str) -> list[tuple[str, object]]:
        frames = room_catch_up_for(ready.participants[who].pk, key, 0) or []
        return [(f["name"], f["data"].get("text")) for f in frames if f["seq"] == note_seq]

    frames = room_catch_up_for(ready.participants["party_a"].pk, key, 0) or []
    note_seq = next(f["seq"] for f in frames if f["data"].get("id") == note["id"])
    assert replay("party_a") == [("caucus_note.added", "My walk-away is 40,000")]
    assert replay("mediator") == [("withheld", None)]
    assert replay("attorney_a") == [("withheld", None)]


def test_it_is_sent_to_the_room_and_passed_on_to_its_author_alone(
    ready: Cast, sent_events, django_capture_on_commit_callbacks
) -> None:
    from negotiation.permissions import caucus_frame_for

    with django_capture_on_commit_callbacks(execute=True):
        own_note(ready)
    [(_group, frame)] = sent_events.named("caucus_note.added")
    shown = {
        who: caucus_frame_for(None, frame, viewer=ready.participants[who].pk)["name"]
        for who in ("party_a", "attorney_a", "mediator")
    }
    assert shown == {"party_a": "caucus_note.added", "attorney_a": "withheld",
                     "mediator": "withheld"}  # fmt: skip
    assert frame["data"]["visibility"] == "own"


@pytest.mark.parametrize("who", ["mediator", "attorney_a"])
def test_no_one_else_may_edit_it_or_ask_to_share_it(ready: Cast, who: str) -> None:
    note = own_note(ready)
    with pytest.raises(NotFound):
        run(ready, who, "caucus_note.update", note=note["id"], version=note["version"], text="x")
    with pytest.raises(NotFound):
        run(ready, who, "release.request", note=note["id"])


def test_its_author_edits_it_but_cannot_put_it_up_for_sharing(ready: Cast) -> None:
    note = own_note(ready)
    edited = run(ready, "party_a", "caucus_note.update", note=note["id"],
                 version=note["version"], text="My walk-away is 45,000")  # fmt: skip
    assert (edited["text"], edited["visibility"]) == ("My walk-away is 45,000", "own")
    with pytest.raises(Invalid):
        run(ready, "party_a", "release.request", note=note["id"])


def test_it_is_never_marked_confidential_and_an_unknown_visibility_is_refused(
    ready: Cast,
) -> None:
    issue = run(ready, "mediator", "issue.create", title="House")
    note = run(ready, "party_a", "caucus_note.add", side=ready.side_a.pk, issue=issue["id"],
               text="Mine", visibility="own", confidential=True)  # fmt: skip
    assert note["confidential"] is False
    with pytest.raises(Invalid) as refused:
        run(ready, "party_a", "caucus_note.add", side=ready.side_a.pk, issue=issue["id"],
            text="Mine", visibility="everyone")  # fmt: skip
    assert "visibility" in refused.value.details
