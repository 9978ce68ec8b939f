"""The per-process fan-out (negotiation/socket/hub.py): one subscription per room per
process, each message handed to exactly the sockets of that room here, and a frame
every socket shows unchanged encoded once for all of them."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer

from negotiation.socket import hub as hub_module
from negotiation.socket import presence
from negotiation.socket.consumer import MediationConsumer
from negotiation.socket.hub import ROOMS_RECOVERED, RoomHub, room_hub
from negotiation.socket.presence import Presence
from tests.conftest import Cast, acknowledge_rule, run
from tests.negotiation.test_socket import next_frame, open_socket, session_cookie
from tests.negotiation.test_socket_board import frames_until_quiet


class Member:
    def __init__(self) -> None:
        self.got: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    def hub_deliver(self, message: dict[str, Any]) -> None:
        self.got.put_nowait(message)


class CountingLayer:
    """The real channel layer, its group memberships counted."""

    def __init__(self, layer: Any) -> None:
        self.layer = layer
        self.added: list[tuple[str, str]] = []
        self.discarded: list[tuple[str, str]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.layer, name)

    async def group_add(self, group: str, channel: str) -> None:
        self.added.append((group, channel))
        await self.layer.group_add(group, channel)

    async def group_discard(self, group: str, channel: str) -> None:
        self.discarded.append((group, channel))
        await self.layer.group_discard(group, channel)


async def quiet(member: Member) -> list[dict[str, Any]]:
    await asyncio.sleep(0.3)
    got = []
    while not member.got.empty():
        got.append(member.got.get_nowait())
    return got


async def test_sockets_of_a_room_share_one_subscription_and_each_gets_every_message() -> None:
    layer = CountingLayer(get_channel_layer())
    hub = RoomHub(layer)
    members = [Member() for _ in range(5)]
    await asyncio.gather(*(hub.join("room.1", member) for member in members))
    other = Member()
    await hub.join("room.2", other)

    assert len({channel for group, channel in layer.added if group == "room.1"}) == 1
    await layer.group_send("room.1", {"type": "room.event", "n": 1})
    await layer.group_send("room.1", {"type": "room.event", "n": 2})
    for member in members:
        assert [m["n"] for m in [await member.got.get(), await member.got.get()]] == [1, 2]
    assert await quiet(other) == []

    # Leaving: the others still get the room's messages; the last one out ends the
    # process's membership, and nothing more arrives.
    for member in members[:4]:
        await hub.leave("room.1", member)
    assert layer.discarded == []
    await layer.group_send("room.1", {"type": "room.event", "n": 3})
    assert (await members[4].got.get())["n"] == 3
    assert [await quiet(member) for member in members[:4]] == [[]] * 4
    await hub.forget(members[4])
    assert [group for group, _ in layer.discarded] == ["room.1"]
    await layer.group_send("room.1", {"type": "room.event", "n": 4})
    assert await quiet(members[4]) == []
    await hub.forget(other)
    assert hub.rooms == {}


async def test_a_rooms_receive_loop_ends_when_left_even_if_the_layer_fails_on_the_way_out() -> None:
    # An error in place of the cancellation must not keep the loop receiving for good.
    class FailingOnCancel(CountingLayer):
        async def receive(self, channel: str) -> dict[str, Any]:
            try:
                message: dict[str, Any] = await self.layer.receive(channel)
            except asyncio.CancelledError:
                raise AssertionError("clean-up failed") from None
            return message

    hub = RoomHub(FailingOnCancel(get_channel_layer()))
    member = Member()
    await hub.join("room.1", member)
    pump = hub.rooms["room.1"].pump
    assert pump is not None
    await asyncio.sleep(0.05)
    await hub.leave("room.1", member)
    await asyncio.wait([pump], timeout=2)
    assert pump.cancelled()


async def test_a_recovered_layer_renews_every_room_and_tells_every_member() -> None:
    layer = CountingLayer(get_channel_layer())
    hub = RoomHub(layer)
    first, second = Member(), Member()
    await hub.join("room.1", first)
    await hub.join("room.2", second)
    await hub.join("room.2", first)
    added = len(layer.added)

    await hub.recovered()

    assert sorted(group for group, _ in layer.added[added:]) == ["room.1", "room.2"]
    assert await quiet(first) == [{"type": ROOMS_RECOVERED}]
    assert await quiet(second) == [{"type": ROOMS_RECOVERED}]
    await hub.forget(first)
    await hub.forget(second)


async def test_presence_is_told_once_per_change_and_lapsed_presence_to_every_socket(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Kept once per room for the process: a room of N sockets holds N entries, not N².
    layer = get_channel_layer()
    hub = RoomHub(layer)
    members = [Member(), Member()]
    for member in members:
        await hub.join("room.1", member)
    theirs = Presence(channel_name="b", participant_id=2).announced("joint")
    for _ in range(3):
        await layer.group_send("room.1", {"type": "presence.broadcast", "frame": theirs})
    moved = {**theirs, "viewing": 4}
    await layer.group_send("room.1", {"type": "presence.broadcast", "frame": moved})
    for member in members:
        assert [m["frame"] for m in await quiet(member)] == [theirs, moved]
    assert len(hub.rooms["room.1"].presence) == 1

    # Heard only, never read from the store: not all of the room's presence.
    assert hub.presence_known("room.1") is None
    # A joiner's read of the store does not swallow an announcement still on its way.
    joiner = Presence(channel_name="c", participant_id=3).announced("joint")
    hub.presence_seed("room.1", [joiner, theirs])
    for _ in range(2):
        await layer.group_send("room.1", {"type": "presence.broadcast", "frame": joiner})
    for member in members:
        assert [m["frame"] for m in await quiet(member)] == [joiner]

    # The room's presence is known here once a member read the store: all of it since.
    assert sorted(f["connection"] for f in hub.presence_known("room.1") or []) == sorted(
        [theirs["connection"], joiner["connection"]]
    )
    assert hub.presence_known("room.9") is None

    hub.presence_sweep(["room.1"])  # just swept at the room's start: not yet due
    monkeypatch.setattr(presence, "PRESENCE_TTL", -1.0)
    assert hub.presence_known("room.1") == []  # lapsed, if not swept yet
    hub.presence_sweep(["room.1"])
    for member in members:
        gone = [m["frame"] for m in await quiet(member)]
        assert sorted((f["participant"], f["connection"], f["online"]) for f in gone) == [
            (2, theirs["connection"], False),
            (3, joiner["connection"], False),
        ]
    assert hub.rooms["room.1"].presence == {}
    for member in members:
        await hub.forget(member)


async def test_presence_heard_close_together_reaches_the_sockets_as_one_frame_per_room(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A room filling up: a delivery to every socket per join would cost N² for N joins.
    monkeypatch.setattr(hub_module, "PRESENCE_BATCH", 0.3)
    layer = get_channel_layer()
    hub = RoomHub(layer)
    joint, caucus = Member(), Member()
    await hub.join("room.1", joint)
    await hub.join("room.2", caucus)
    people = [Presence(channel_name=f"c{n}", participant_id=n) for n in range(5)]
    frames = [person.announced("joint") for person in people]
    for frame in frames:
        await layer.group_send("room.1", {"type": "presence.broadcast", "frame": frame})
    gone = people[1].frame("joint", online=False)
    await layer.group_send("room.1", {"type": "presence.broadcast", "frame": gone})
    in_caucus = people[2].announced("caucus:4")
    await layer.group_send("room.2", {"type": "presence.broadcast", "frame": in_caucus})

    # The first at once; the rest together once the interval is over, each connection's
    # last word only, in the order they were first heard.
    first = await asyncio.wait_for(joint.got.get(), 0.2)
    assert first == {"type": "presence.broadcast", "frame": frames[0]}
    await asyncio.sleep(0.05)
    assert joint.got.empty()
    batch = await asyncio.wait_for(joint.got.get(), 0.5)
    assert batch["type"] == "presence.batch"
    assert batch["frame"] == {
        "type": "presences",
        "room": "joint",
        "entries": [gone, frames[2], frames[3], frames[4]],
    }
    # Another room's presence is its own: never in this room's frame, nor delayed by it.
    assert [m["frame"] for m in await quiet(caucus)] == [in_caucus]
    assert await quiet(joint) == []

    # Quiet again for the interval: the next goes at once. A room left with presence
    # waiting hands it to no one.
    await asyncio.sleep(0.3)
    moved = {**frames[3], "viewing": 9}
    await layer.group_send("room.1", {"type": "presence.broadcast", "frame": moved})
    assert (await asyncio.wait_for(joint.got.get(), 0.2))["frame"] == moved
    await layer.group_send("room.1", {"type": "presence.broadcast", "frame": frames[1]})
    await asyncio.sleep(0.1)
    await hub.forget(joint)
    await asyncio.sleep(0.4)
    assert joint.got.empty()
    await hub.forget(caucus)


@pytest.fixture
def cookies(live_cast: Cast) -> dict[str, bytes]:
    return {name: session_cookie(user) for name, user in live_cast.users.items()}


@pytest.mark.django_db(transaction=True)
async def test_a_frame_every_socket_shows_alike_is_encoded_once_and_caucus_words_stay_apart(
    live_cast: Cast, cookies: dict[str, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    await sync_to_async(acknowledge_rule)(live_cast)
    watchers = ("party_a", "party_b", "observer", "mediator")
    sockets = {}
    for who in watchers:
        sockets[who] = await open_socket(live_cast, cookies[who])
        await next_frame(sockets[who])
    for socket in sockets.values():
        await frames_until_quiet(socket)
    layer = get_channel_layer()
    hub = room_hub(layer)
    joint = (await sync_to_async(lambda: live_cast.joint)()).group_name
    assert len(hub.rooms[joint].members) == len(watchers)

    encoded: list[dict[str, Any]] = []
    encode = MediationConsumer.encode_json

    async def counted(cls: type[MediationConsumer], content: Any) -> str:
        encoded.append(content)
        return await encode.__func__(cls, content)

    monkeypatch.setattr(MediationConsumer, "encode_json", classmethod(counted))
    made = await sync_to_async(run)(live_cast, "mediator", "issue.create", title="Rent")
    await sync_to_async(run)(
        live_cast, "party_a", "caucus_message.post", side=live_cast.side_a.pk, body="Floor: 900"
    )
    got = {who: await frames_until_quiet(socket) for who, socket in sockets.items()}
    for socket in sockets.values():
        await socket.disconnect()

    created = [f for frames in got.values() for f in frames if f.get("name") == "issue.created"]
    assert [f["data"]["id"] for f in created] == [made["id"]] * len(watchers)
    assert len([c for c in encoded if c.get("name") == "issue.created"]) == 1
    # The caucus message reached its side's party and the mediator, no one else.
    heard = {who for who, frames in got.items() if "Floor: 900" in json.dumps(frames)}
    assert heard == {"party_a", "mediator"}
