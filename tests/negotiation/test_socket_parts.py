"""The socket's plain parts, without Channels: a room's stream, the rate limit, frames,
presence."""

from __future__ import annotations

from typing import Any

import pytest

from negotiation.models import Room
from negotiation.socket import frames
from negotiation.socket.presence import Presence
from negotiation.socket.ratelimit import TokenBucket
from negotiation.socket.stream import Next, RoomStream, until_revoked


def event(seq: int, name: str = "issue.created", **data: Any) -> dict[str, Any]:
    return {"type": "event", "room": "caucus:3", "seq": seq, "name": name, "data": data}


def stream(seq: int = 4, items_from: int | None = None, viewer: int = 1) -> RoomStream:
    room = Room(kind=Room.Kind.CAUCUS, side_id=3)
    return RoomStream(room, seq=seq, items_from=items_from, viewer=viewer)


def test_a_stream_forwards_the_next_event_and_drops_duplicates() -> None:
    room = stream()
    assert [room.next(seq) for seq in (3, 4, 5, 7)] == [
        Next.DUPLICATE, Next.DUPLICATE, Next.FORWARD, Next.GAP,
    ]  # fmt: skip
    room.shown(event(5))
    assert room.seq == 5


def test_a_stream_withholds_events_about_items_before_its_start() -> None:
    room = stream(items_from=1000)
    assert room.shown(event(5, id=999))["name"] == "withheld"
    assert room.shown(event(6, id=1000))["name"] == "issue.created"
    assert room.seq == 6


def test_a_stream_withholds_someone_else_s_own_note_and_passes_on_one_s_own() -> None:
    own = {"id": 5, "visibility": "own", "author": 7, "text": "Only mine"}
    theirs, mine = stream(viewer=1), stream(viewer=7)
    assert theirs.shown(event(5, "caucus_note.added", **own)) == {
        **event(5, "caucus_note.added", **own), "name": "withheld", "data": {},
    }  # fmt: skip
    assert mine.shown(event(5, "caucus_note.updated", **own))["data"]["text"] == "Only mine"
    shared = {**own, "visibility": "room"}
    assert theirs.shown(event(6, "caucus_note.added", **shared))["data"]["text"] == "Only mine"


def test_a_replay_stops_at_the_revocation_of_this_participant() -> None:
    replay = [event(1), event(2, "access.revoked", participant=8), event(3)]
    assert until_revoked(replay, 8) == replay[:1]
    assert until_revoked(replay, 9) == replay


def test_a_caught_up_stream_takes_live_copies_as_duplicates() -> None:
    room = stream(seq=2)
    room.caught_up(9)
    assert room.next(9) is Next.DUPLICATE


def test_the_bucket_allows_a_burst_then_refuses() -> None:
    bucket = TokenBucket(rate=1.0, burst=3.0)
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]
    assert 0 < bucket.retry_after() <= 1


def test_a_refused_frame_is_never_told_to_come_back_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = [100.0]
    monkeypatch.setattr("negotiation.socket.ratelimit.time.monotonic", lambda: clock[0])
    bucket = TokenBucket(rate=20.0, burst=1.0)
    assert bucket.take()
    clock[0] += 0.0499  # 0.998 of the next token
    assert not bucket.take()
    assert bucket.retry_after() == 0.001


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (None, "malformed"),
        ("x" * (frames.MAX_FRAME_BYTES + 1), "too_large"),
    ],
)
def test_a_frame_can_be_refused_before_it_is_read(text: str | None, code: str) -> None:
    refusal = frames.precheck(text)
    assert refusal is not None
    assert refusal.code == code


def test_a_frame_names_its_id_even_when_refused() -> None:
    parsed = frames.parse('{"type": "__class__", "id": "c1"}')
    assert parsed.content is None
    assert parsed.refusal == frames.unknown_type("__class__")
    assert parsed.frame_id == "c1"


@pytest.mark.parametrize("field", ["\ud800", "ti\x00tle", "\u202e"])
def test_presence_ignores_a_field_name_that_is_not_printable(field: str) -> None:
    mine = Presence(channel_name="a", participant_id=1)
    mine.update("joint", 7, {"issue": 7, "field": field})
    assert mine.frame("joint", online=True)["editing"] is None


def test_presence_ignores_what_is_not_an_issue_or_a_field() -> None:
    mine = Presence(channel_name="a", participant_id=1)
    mine.update("joint", True, {"issue": 2**60, "field": "title"})
    assert mine.frame("joint", online=True) | {"connection": ""} == {
        "type": "presence", "room": "joint", "connection": "", "participant": 1,
        "online": True, "viewing": None, "editing": None,
    }  # fmt: skip
