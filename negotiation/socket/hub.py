"""One subscription per room per process.

A room's channel group holds one channel of each process that has a socket in the room,
not one channel per socket: an event is sent to Redis once per process, received and
decoded once, and handed to the process's sockets in that room from here (a Zulip-style
per-process fan-out). Each socket still decides for itself what of it to forward
(consumer.room_event: order, revocation, withheld caucus items), so what reaches a
participant is exactly what reached them before; only the copying is shared.

A socket is a member here of exactly the room groups it would have joined on the channel
layer, joined and left at the same moments, so the hub delivers a room's messages to the
same sockets the channel layer did. A socket's own groups (its participant, account and
session) stay on the channel layer.

The hub also keeps what the process has heard of each room's presence, once for all its
sockets: a heartbeat's refresh that changes nothing goes to none of them, and a
connection that stopped refreshing (its process died) is reported gone to all of them.
Kept per socket instead, a room of N cost N entries in each of its N sockets. What it
hears of a room's presence it hands on at most every PRESENCE_BATCH, and a joiner of a
room it holds whole reads the room's presence here instead of from the shared store.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
import weakref
from typing import Any, Protocol

from config.channel_layer import RECOVERED

from . import presence

logger = logging.getLogger(__name__)

# A membership not renewed for the layer's group expiry lapses (a dead process's channel
# is dropped that way): renewed at the members' heartbeats, at most this often.
RENEW_EVERY = 60.0
# What a member is handed when Redis answers again (RoomHub.recovered).
ROOMS_RECOVERED = "rooms.recovered"
# After an unexpected error in a room's receive loop, wait this long before the next.
PUMP_RETRY = 0.5
# A room's sockets are handed presence at most this often: the first after a quiet spell
# at once, what is heard in between waits and goes to them as one `presences` frame. A
# room filling up would otherwise cost a delivery to every member per join, N² for N.
PRESENCE_BATCH = 0.2


class Member(Protocol):
    def hub_deliver(self, message: dict[str, Any]) -> None:
        """Take a message of one of the member's rooms, without waiting (it is queued for
        the member's own loop, which handles its messages one at a time)."""


class _Room:
    def __init__(self, group: str, channel: str) -> None:
        self.group = group
        self.channel = channel
        self.members: set[Member] = set()
        self.renewed_at = time.monotonic()
        self.subscribed: asyncio.Future[None] | None = None
        self.pump: asyncio.Task[None] | None = None
        # Presence heard in this room: connection -> (its last frame, when refreshed, and
        # whether the sockets were handed it: not when only read from the store at a join,
        # as its announcement may still be on its way to them).
        self.presence: dict[str, tuple[dict[str, Any], float, bool]] = {}
        # Whether `presence` holds all the room's presence: once a member read the shared
        # store after the subscription held, every change since reaches it here.
        self.seeded = False
        self.swept_at = time.monotonic()
        # Presence to hand the sockets (PRESENCE_BATCH): when it was last handed, what
        # waits, and the timer that hands it.
        self.presence_out_at = -math.inf
        self.presence_waiting: list[dict[str, Any]] = []
        self.presence_flush: asyncio.TimerHandle | None = None

    def heard(self, frame: dict[str, Any]) -> bool:
        """A presence frame arrived; whether the sockets need it (a refresh of what they
        were last told does not)."""
        connection = frame.get("connection")
        if not isinstance(connection, str):
            return True
        if frame.get("online"):
            last = self.presence.get(connection)
            self.presence[connection] = (frame, time.monotonic(), True)
            return last is None or not last[2] or last[0] != frame
        self.presence.pop(connection, None)
        return True

    def aged_out(self) -> list[dict[str, Any]]:
        """Offline frames for those not refreshed for PRESENCE_TTL, forgotten now."""
        stale = time.monotonic() - presence.PRESENCE_TTL
        gone = []
        for connection, (frame, refreshed_at, _) in list(self.presence.items()):
            if refreshed_at < stale:
                del self.presence[connection]
                gone.append(
                    {
                        "type": "presence",
                        "room": frame["room"],
                        "connection": connection,
                        "participant": frame["participant"],
                        "online": False,
                    }
                )
        return gone


class RoomHub:
    """The room subscriptions of one process (one event loop) on one channel layer."""

    def __init__(self, layer: Any) -> None:
        self.layer = layer
        self.rooms: dict[str, _Room] = {}
        expiry = getattr(layer, "group_expiry", None)
        self.renew_every = min(RENEW_EVERY, expiry / 4) if expiry else RENEW_EVERY

    async def join(self, group: str, member: Member) -> None:
        """Deliver `group`'s messages to `member`; returns once the process is subscribed,
        so whatever is sent to the group from then on reaches the member."""
        room = self.rooms.get(group)
        if room is None:
            channel = await self.layer.new_channel()
            room = self.rooms.get(group)
            if room is None:
                room = self.rooms[group] = _Room(group, channel)
                # Receiving first, so nothing sent once the subscription holds is missed.
                room.pump = asyncio.ensure_future(self._pump(room))
                room.subscribed = asyncio.ensure_future(self.layer.group_add(group, channel))
        room.members.add(member)
        assert room.subscribed is not None
        await asyncio.shield(room.subscribed)

    async def leave(self, group: str, member: Member) -> None:
        """Stop delivering `group`'s messages to `member`; the last member out ends the
        process's subscription."""
        room = self.rooms.get(group)
        if room is None or member not in room.members:
            return
        room.members.discard(member)
        if room.members:
            return
        del self.rooms[group]
        if room.presence_flush is not None:
            room.presence_flush.cancel()
        if room.pump is not None:
            room.pump.cancel()
        if room.subscribed is not None:
            # Left only once joined: Redis could otherwise take the two in either order.
            with contextlib.suppress(Exception):
                await asyncio.shield(room.subscribed)
        await self.layer.group_discard(group, room.channel)

    async def forget(self, member: Member) -> None:
        """Leave every room (a socket's loop ended, however it ended)."""
        for group in [group for group, room in self.rooms.items() if member in room.members]:
            await self.leave(group, member)

    async def renew(self, groups: list[str], *, now: bool = False) -> None:
        """Join these groups again on the layer: a membership lapses after the layer's
        group expiry, and Redis forgets all of them when it restarts. Joining twice is one
        membership. Unless `now`, at most every `renew_every` seconds per room."""
        moment = time.monotonic()
        for group in groups:
            room = self.rooms.get(group)
            if room is None or (not now and moment - room.renewed_at < self.renew_every):
                continue
            room.renewed_at = moment
            await self.layer.group_add(group, room.channel)

    async def recovered(self) -> None:
        """Redis answers again after failing (one receiver of the process was told): it
        may have forgotten every group. Join the rooms' again, and tell every member, so
        each joins its own groups again and tells its client where its rooms stand."""
        await self.renew(list(self.rooms), now=True)
        members = {member for room in self.rooms.values() for member in room.members}
        for member in members:
            member.hub_deliver({"type": ROOMS_RECOVERED})

    def presence_seed(self, group: str, frames: list[dict[str, Any]]) -> None:
        """What a joining socket read of the room's presence from the shared store: aged
        out from now on like what was heard (a dead process's connections too)."""
        room = self.rooms.get(group)
        if room is None:
            return
        moment = time.monotonic()
        for frame in frames:
            connection = frame.get("connection")
            if isinstance(connection, str) and frame.get("online"):
                room.presence.setdefault(connection, (frame, moment, False))
        room.seeded = True

    def presence_known(self, group: str) -> list[dict[str, Any]] | None:
        """Who is in the room, as the shared store would say (those refreshed within
        PRESENCE_TTL), when this process holds all of it: a later joiner here need not
        read the store again. None when only the store knows."""
        room = self.rooms.get(group)
        if room is None or not room.seeded:
            return None
        fresh = time.monotonic() - presence.PRESENCE_TTL
        return [frame for frame, at, _ in room.presence.values() if at >= fresh]

    def presence_sweep(self, groups: list[str]) -> None:
        """At a member's heartbeat: tell every socket of these rooms of those whose
        presence lapsed (at most every PRESENCE_TTL / 6 per room)."""
        moment = time.monotonic()
        for group in groups:
            room = self.rooms.get(group)
            if room is None or moment - room.swept_at < presence.PRESENCE_TTL / 6:
                continue
            room.swept_at = moment
            for frame in room.aged_out():
                self._presence_out(room, frame)

    def _presence_out(self, room: _Room, frame: dict[str, Any]) -> None:
        """Hand a presence frame to the room's sockets: at once when none was handed for
        PRESENCE_BATCH, else with whatever else comes by the end of that time."""
        if room.presence_flush is None and (
            time.monotonic() - room.presence_out_at >= PRESENCE_BATCH
        ):
            room.presence_out_at = time.monotonic()
            self._hand(room, {"type": "presence.broadcast", "frame": frame})
            return
        room.presence_waiting.append(frame)
        if room.presence_flush is None:
            delay = max(0.0, room.presence_out_at + PRESENCE_BATCH - time.monotonic())
            room.presence_flush = asyncio.get_running_loop().call_later(
                delay, self._presence_flush, room
            )

    def _presence_flush(self, room: _Room) -> None:
        room.presence_flush = None
        waiting, room.presence_waiting = room.presence_waiting, []
        if self.rooms.get(room.group) is not room or not waiting:
            return
        # A connection's last word is all its sockets need of it; each keeps its place.
        latest: dict[object, dict[str, Any]] = {}
        for frame in waiting:
            connection = frame.get("connection")
            latest[connection if isinstance(connection, str) else id(frame)] = frame
        frames = list(latest.values())
        room.presence_out_at = time.monotonic()
        if len(frames) == 1:
            self._hand(room, {"type": "presence.broadcast", "frame": frames[0]})
            return
        batch = presence.presences_frame(frames[0].get("room"), frames)
        self._hand(room, {"type": "presence.batch", "frame": batch})

    def _hand(self, room: _Room, message: dict[str, Any]) -> None:
        for member in list(room.members):
            member.hub_deliver(message)

    async def _pump(self, room: _Room) -> None:
        while True:
            try:
                message = await self.layer.receive(room.channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                if _cancelled():
                    # Cancelled, and the layer's clean-up failed on the way out: this loop
                    # must end all the same, or the process cannot stop.
                    raise asyncio.CancelledError from None
                logger.exception("Receiving the messages of %s failed", room.group)
                await asyncio.sleep(PUMP_RETRY)
                continue
            if message.get("type") == RECOVERED:
                await self.recovered()
                continue
            frame = message.get("frame")
            if message.get("type") == "presence.broadcast" and isinstance(frame, dict):
                if room.heard(frame):
                    self._presence_out(room, frame)
                continue
            self._hand(room, message)


def _cancelled() -> bool:
    """Whether the running task was asked to stop (an error may replace the cancellation
    on its way out of the channel layer's receive)."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, RoomHub] = weakref.WeakKeyDictionary()


def room_hub(layer: Any) -> RoomHub:
    """This process's hub on `layer` (one per event loop: a test's loop has its own)."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None or hub.layer is not layer:
        hub = _hubs[loop] = RoomHub(layer)
    return hub
