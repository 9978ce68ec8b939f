"""Presence on the wire: what this connection tells its rooms and hears from them.
Part of MediationConsumer; the state itself is presence.Presence."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .hub import RoomHub
from .presence import Presence, presences_frame
from .presence_store import presence_store
from .stream import RoomStream


class PresenceRelay:
    """The presence frames of one connection, for MediationConsumer."""

    presence: Presence
    streams: dict[str, RoomStream]
    channel_layer: Any
    channel_name: str
    hub: RoomHub

    if TYPE_CHECKING:  # the consumer's own

        async def send_json(self, content: Any, close: bool = False) -> None: ...

        async def send_shared(self, message: dict[str, Any], frame: dict[str, Any]) -> None: ...

        async def send_error(
            self, frame_id: str | None, code: str, message: str, details: Any = None
        ) -> None: ...

        def _expired(self) -> bool: ...

        async def _expire(self) -> None: ...

    async def handle_presence(self, content: dict[str, Any]) -> None:
        """What this connection looks at and edits, for avatars and "Sam is editing"
        markers, told only to the room it is in: looking at something in a caucus never
        shows in the joint room."""
        key = content.get("room", "joint")
        if not isinstance(key, str) or key not in self.streams:
            await self.send_error(None, "unknown_room", "No such room.")
            return
        self.presence.update(key, content.get("viewing"), content.get("editing"))
        await self._presence_announce(key)

    async def _presence_announce(self, key: str) -> None:
        if key in self.streams:
            group = self.streams[key].room.group_name
            frame = self.presence.announced(key)
            await presence_store(self.channel_layer).put(group, frame["connection"], frame)
            await self.channel_layer.group_send(
                group, {"type": "presence.broadcast", "frame": frame}
            )

    async def _presence_join(self) -> None:
        """Just connected: tell the joint room, and tell the client who is in each of its
        rooms, read once per room from the shared store rather than asked of everyone (or
        from what this process already holds of the room: hub.presence_known), and sent
        as one frame per room."""
        await self._presence_announce("joint")
        store = presence_store(self.channel_layer)
        for key, stream in list(self.streams.items()):
            group = stream.room.group_name
            present = self.hub.presence_known(group)
            if present is None:
                present = await store.present(group)
                self.hub.presence_seed(group, present)
            others = [
                frame
                for frame in present
                if frame.get("room") == key and frame.get("connection") != self.presence.connection
            ]
            if len(others) == 1:
                await self.send_json(others[0])
            elif others:
                await self.send_json(presences_frame(key, others))

    async def _presence_heartbeat(self) -> None:
        """Refresh this connection's presence in its rooms; the hub tells the sockets of
        these rooms that those not refreshed for PRESENCE_TTL are gone."""
        for key in self.presence.due(list(self.streams)):
            await self._presence_announce(key)
        self.hub.presence_sweep([stream.room.group_name for stream in self.streams.values()])

    async def _presence_leave(self, key: str) -> None:
        group = self.streams[key].room.group_name
        await presence_store(self.channel_layer).remove(group, self.presence.connection)
        await self.channel_layer.group_send(
            group, {"type": "presence.broadcast", "frame": self.presence.frame(key, online=False)}
        )

    async def presence_broadcast(self, message: dict[str, Any]) -> None:
        if self._expired():
            await self._expire()
            return
        frame = message["frame"]
        if frame["room"] in self.streams:
            await self.send_shared(message, frame)

    # Several presence frames of one room, heard close together (hub.PRESENCE_BATCH).
    presence_batch = presence_broadcast

    async def presence_query(self, message: dict[str, Any]) -> None:
        """A process of an earlier release asks, for a connection of its own that joined
        a room of ours: tell that one alone (the room heard of us already). The query
        came through the room's group, so its sender is a member of that room. Current
        processes read the shared store instead (_presence_join)."""
        key = message.get("room")
        sender = message.get("sender")
        if isinstance(sender, str) and sender != self.channel_name and key in self.streams:
            await self.channel_layer.send(
                sender,
                {"type": "presence.broadcast", "frame": self.presence.frame(key, online=True)},
            )
