"""Presence on the wire: what this connection tells its rooms and hears from them.
Part of MediationConsumer; the state itself is presence.Presence."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .presence import Presence
from .stream import RoomStream


class PresenceRelay:
    """The presence frames of one connection, for MediationConsumer."""

    presence: Presence
    streams: dict[str, RoomStream]
    channel_layer: Any
    channel_name: str

    if TYPE_CHECKING:  # the consumer's own

        async def send_json(self, content: Any, close: bool = False) -> None: ...

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
            await self.channel_layer.group_send(
                self.streams[key].room.group_name,
                {"type": "presence.broadcast", "frame": self.presence.announced(key)},
            )

    async def _presence_heartbeat(self) -> None:
        """Refresh this connection's presence in its rooms; tell the client that those
        not refreshed for PRESENCE_TTL are gone."""
        for key in self.presence.due(list(self.streams)):
            await self._presence_announce(key)
        for frame in self.presence.aged_out(set(self.streams)):
            await self.send_json(frame)

    async def _presence_leave(self, key: str) -> None:
        await self.channel_layer.group_send(
            self.streams[key].room.group_name,
            {"type": "presence.broadcast", "frame": self.presence.frame(key, online=False)},
        )

    async def presence_broadcast(self, message: dict[str, Any]) -> None:
        if self._expired():
            await self._expire()
            return
        frame = message["frame"]
        if frame["room"] in self.streams and self.presence.heard(frame):
            await self.send_json(frame)

    async def presence_query(self, message: dict[str, Any]) -> None:
        """Someone connected: tell them we are here."""
        if message.get("sender") != self.channel_name and message.get("room") in self.streams:
            await self._presence_announce(message["room"])
