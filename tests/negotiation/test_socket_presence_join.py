"""A join's presence: the joiner tells its room once, and reads who is there from the
shared presence store, asking no member.

Every member answering a join to the whole room made N joins cost N cubed deliveries:
500 watchers took minutes to connect."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import sync_to_async

from negotiation.socket.presence_store import presence_store
from tests.conftest import Cast
from tests.negotiation.test_socket import (
    next_frame,
    open_socket,
    presence_entries,
    session_cookie,
)
from tests.negotiation.test_socket_board import frames_until_quiet

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def cookies(live_cast: Cast) -> dict[str, bytes]:
    return {name: session_cookie(user) for name, user in live_cast.users.items()}


async def test_a_joiner_tells_its_room_once_and_reads_who_is_there(
    live_cast: Cast, cookies: dict[str, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    sockets = []
    for who in ("party_a", "party_b"):
        socket = await open_socket(live_cast, cookies[who])
        await next_frame(socket)
        sockets.append(socket)
    for socket in sockets:
        await frames_until_quiet(socket)
    joint = (await sync_to_async(lambda: live_cast.joint)()).group_name
    told: list[tuple[str, str]] = []
    group_send, send = layer.group_send, layer.send
    in_group_send = False  # the in-memory layer's group_send sends to each member

    async def counted_group_send(group: str, message: dict[str, Any]) -> None:
        nonlocal in_group_send
        if message["type"] == "presence.broadcast":
            told.append(("group", group))
        in_group_send = True
        try:
            await group_send(group, message)
        finally:
            in_group_send = False

    async def counted_send(channel: str, message: dict[str, Any]) -> None:
        if message["type"] == "presence.broadcast" and not in_group_send:
            told.append(("one", channel))
        await send(channel, message)

    store = presence_store(layer)
    present = store.present
    reads: list[str] = []

    async def counted_present(group: str) -> list[dict[str, Any]]:
        reads.append(group)
        return await present(group)

    monkeypatch.setattr(layer, "group_send", counted_group_send)
    monkeypatch.setattr(layer, "send", counted_send)
    monkeypatch.setattr(store, "present", counted_present)
    observer = await open_socket(live_cast, cookies["observer"])
    await next_frame(observer)
    joined = await frames_until_quiet(observer)
    heard = presence_entries(joined)
    others = [await frames_until_quiet(socket) for socket in sockets]
    told_at_join = list(told)
    for socket in [*sockets, observer]:
        await socket.disconnect()

    parties = {live_cast.participants[who].pk for who in ("party_a", "party_b")}
    observer_id = live_cast.participants["observer"].pk
    # The joiner heard each member once (and itself), in the joint room ...
    assert sorted(f["participant"] for f in heard) == sorted([*parties, observer_id])
    assert {f["room"] for f in heard} == {"joint"}
    # Those already there came in one frame, from what this process already held of the
    # room: the first joiner here read the shared store, and every change since came here.
    assert reads == []
    seed = [f for f in joined if f["type"] == "presences"]
    assert [sorted(e["participant"] for e in f["entries"]) for f in seed] == [sorted(parties)]
    # ... which heard the joiner once: one room announcement, and no member was asked.
    assert told_at_join == [("group", joint)]
    for frames in others:
        assert [f["participant"] for f in presence_entries(frames)] == [observer_id]
