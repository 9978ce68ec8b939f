"""The other side's socket traffic is the same, ids and timestamps aside, whether or not a
caucus is busy: nothing about what happens inside a caucus shows in its timing, numbering
or content."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from asgiref.sync import sync_to_async

from tests.conftest import Cast, acknowledge_rule, cast_create, run
from tests.negotiation.test_socket import open_socket, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)

TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT[\d:.]+Z?")
IDS = {"id", "participant", "side", "caucus", "issue", "created_by", "author", "connection",
       "answer_for", "consent_for", "marked_by", "perspective_for", "sealed_reads"}  # fmt: skip
# Lists of ids (the sides one speaks for, the proposals one may withdraw, by side).
ID_LISTS = {"speak_for", "withdraw_for"}


ROOM = re.compile(r"caucus:\d+")


def anonymised(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {ROOM.sub("caucus:<id>", k): anonymised(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [anonymised(v, "id" if key in ID_LISTS else "") for v in value]
    if key in IDS and value is not None:
        return "<id>"
    if isinstance(value, str):
        return ROOM.sub("caucus:<id>", TIMESTAMP.sub("<time>", value))
    return value


def session(cast: Cast, busy: bool) -> None:
    """A caucus with Alex's side, then back to the joint board."""
    a = cast.side_a.pk
    caucus = run(cast, "mediator", "caucus.call", side=a)
    run(cast, "mediator", "caucus.open", caucus=caucus["id"])
    if busy:
        for n in range(6):
            run(cast, "party_a", "caucus_message.post", side=a, body=f"Private {n}")
            run(cast, "mediator", "caucus_message.post", side=a, body=f"Reply {n}")
        board_issue = run(cast, "mediator", "issue.create", title="House")["id"]
        run(cast, "party_a", "caucus_note.add", side=a, issue=board_issue, text="Bottom line")
        run(cast, "party_a", "reality_check.set", side=a, issue=board_issue, version=0,
            range_low="100", range_high="200")  # fmt: skip
        release = run(cast, "mediator", "release.request", side=a, text="May I say this?")
        run(cast, "party_a", "release.answer", release=release["id"], version=1,
            decision="decline")  # fmt: skip
    else:
        run(cast, "mediator", "issue.create", title="House")
    run(cast, "mediator", "caucus.close", caucus=caucus["id"])
    run(cast, "mediator", "issue.create", title="Car")


async def traffic(busy: bool) -> list[Any]:
    def prepare() -> tuple[Cast, bytes]:
        cast = cast_create()
        acknowledge_rule(cast)
        return cast, session_cookie(cast.users["party_b"])

    cast, cookie = await sync_to_async(prepare)()
    socket = await open_socket(cast, cookie)
    await sync_to_async(session)(cast, busy)
    frames = []
    while not await socket.receive_nothing(timeout=0.5):
        frames.append(await socket.receive_json_from())
    await socket.disconnect()
    # A pong no one asked for comes when the channel layer's read of Redis timed out on a
    # loaded machine and came back: it says where the rooms stand, at a moment of the
    # machine's choosing, not the caucus's.
    return [anonymised(frame) for frame in frames if frame["type"] != "pong"]


async def test_the_other_sides_traffic_does_not_change_with_a_busy_caucus() -> None:
    quiet = await traffic(busy=False)
    busy = await traffic(busy=True)
    assert busy == quiet
    assert [f.get("name") for f in quiet if f["type"] == "event"] == [
        "caucus.updated", "caucus.updated", "issue.created", "caucus.updated", "issue.created",
    ]  # fmt: skip
    assert "Private" not in json.dumps(busy)
