"""The socket of one mediation: `/ws/mediations/<id>/`.

Thin, like a REST view: it parses frames, asks permissions, calls services and forwards
events. A frame type `a.b` is handled by `handle_a_b`. Everything it keeps is per
connection; several Daphne processes can serve one mediation.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from .commands import command_execute
from .errors import NotFound, ServiceError
from .models import Participant, Room
from .permissions import access_mediation, visible_rooms
from .selectors import room_catch_up, room_snapshot
from .serializers import participant_payload

logger = logging.getLogger(__name__)

MAX_FRAME_BYTES = 64 * 1024
# Token bucket per connection: a steady rate with room for a burst (a replayed queue).
RATE_PER_SECOND = 20.0
RATE_BURST = 60.0


def _small_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**53


class MediationConsumer(AsyncJsonWebsocketConsumer):
    participant: Participant
    rooms: dict[str, Room]

    async def connect(self) -> None:
        mediation_id = self.scope["url_route"]["kwargs"]["mediation_id"]
        try:
            self.participant, rooms, hello = await self._open(mediation_id)
        except NotFound:
            # Refused at the handshake, the same for a stranger and a missing mediation.
            await self.close()
            return
        self.rooms = {room.key: room for room in rooms}
        self.joint_group = self.rooms["joint"].group_name
        self.groups = [room.group_name for room in rooms]
        # Subscribe before anything is read, so no event falls between a read and the
        # subscription; the client drops the duplicates by sequence number.
        for group in self.groups:
            await self.channel_layer.group_add(group, self.channel_name)
        self._tokens = RATE_BURST
        self._refilled_at = time.monotonic()
        self.presence: dict[str, Any] = {"viewing": None, "editing": None}
        await self.accept()
        await self.send_json(hello)
        await self._presence_announce()
        await self.channel_layer.group_send(
            self.joint_group, {"type": "presence.query", "sender": self.channel_name}
        )

    @database_sync_to_async
    def _open(self, mediation_id: str) -> tuple[Participant, list[Room], dict[str, Any]]:
        user = self.scope.get("user")
        if user is None:
            raise NotFound("No such mediation.")
        participant = access_mediation(user, mediation_id)
        rooms = list(visible_rooms(participant))
        hello = {
            "type": "hello",
            "participant": participant_payload(participant),
            "rooms": {room.key: room.last_seq for room in rooms},
        }
        return participant, rooms, hello

    async def disconnect(self, code: int) -> None:
        if not hasattr(self, "participant"):
            return
        for group in self.groups:
            await self.channel_layer.group_discard(group, self.channel_name)
        await self.channel_layer.group_send(
            self.joint_group,
            {"type": "presence.broadcast", "frame": self._presence_frame(online=False)},
        )

    # --- client → server ---------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is None:
            await self.send_error(None, "malformed", "Send JSON text frames, not binary ones.")
            return
        if len(text_data.encode()) > MAX_FRAME_BYTES:
            await self.send_error(
                None, "too_large", f"A frame may hold at most {MAX_FRAME_BYTES // 1024} KB."
            )
            return
        if not self._take_token():
            await self.send_error(None, "rate_limited", "Too many messages; slow down.")
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            await self.send_error(None, "malformed", "That frame is not valid JSON.")
            return
        if not isinstance(content, dict) or not isinstance(content.get("type"), str):
            await self.send_error(None, "malformed", 'A frame is an object with a "type".')
            return
        frame_id = content.get("id") if isinstance(content.get("id"), str) else None
        handler = getattr(self, "handle_" + content["type"].replace(".", "_"), None)
        if handler is None or not content["type"].replace(".", "").isalpha():
            await self.send_error(
                frame_id, "unknown_type", f"Unknown frame type {content['type'][:40]!r}."
            )
            return
        await handler(content)

    async def handle_ping(self, content: dict[str, Any]) -> None:
        await self.send_json({"type": "pong"})

    async def handle_sync(self, content: dict[str, Any]) -> None:
        """Replay what the client missed in each room it names, or send a snapshot when
        it is too far behind (or ahead: the server's log was reset). Ends with `synced`."""
        wanted = content.get("rooms")
        if not isinstance(wanted, dict) or not all(
            isinstance(seq, int) and not isinstance(seq, bool) for seq in wanted.values()
        ):
            await self.send_error(
                None, "malformed", 'Sync with {"rooms": {"<room>": <last seq>, ...}}.'
            )
            return
        unknown = [key for key in wanted if key not in self.rooms]
        if unknown:
            # The same answer for a room that does not exist and one the caller may not see.
            await self.send_error(None, "unknown_room", f"No such room: {unknown[0][:40]!r}.")
            return
        synced: dict[str, int] = {}
        for key, after in wanted.items():
            frames = await database_sync_to_async(room_catch_up)(self.rooms[key], after)
            if frames is None:
                snapshot = await database_sync_to_async(room_snapshot)(self.rooms[key])
                await self.send_json(snapshot)
                synced[key] = snapshot["seq"]
                continue
            for frame in frames:
                await self.send_json(frame)
            synced[key] = frames[-1]["seq"] if frames else after
        await self.send_json({"type": "synced", "rooms": synced})

    async def handle_command(self, content: dict[str, Any]) -> None:
        """Run a command through the same service as REST; answer `ack` or `error`."""
        frame_id = content.get("id")
        try:
            result = await self._command(content)
        except ServiceError as error:
            reply_id = frame_id if isinstance(frame_id, str) else None
            await self.send_error(reply_id, error.code, error.message, error.details)
            return
        except Exception:
            logger.exception("Command %s failed", str(content.get("name"))[:40])
            await self.send_error(
                frame_id if isinstance(frame_id, str) else None,
                "internal",
                "Something went wrong on our side; nothing was changed. Try again.",
            )
            return
        await self.send_json({"type": "ack", "id": frame_id, "result": result})

    @database_sync_to_async
    def _command(self, content: dict[str, Any]) -> dict[str, Any]:
        # Rights are checked afresh for every command: access may have ended since connect.
        actor = access_mediation(self.scope["user"], self.participant.mediation_id)
        return command_execute(
            actor=actor,
            client_id=content.get("id"),
            name=content.get("name"),
            data=content.get("data", {}),
        )

    async def handle_presence(self, content: dict[str, Any]) -> None:
        """What this connection is looking at and editing, for everyone's avatars and
        "Sam is editing" markers. Issues are joint-room content, so the joint room hears."""
        viewing = content.get("viewing")
        editing = content.get("editing")
        if viewing is not None and not _small_int(viewing):
            viewing = None
        if not (
            isinstance(editing, dict)
            and _small_int(editing.get("issue"))
            and isinstance(editing.get("field"), str)
            and len(editing["field"]) <= 40
        ):
            editing = None
        else:
            editing = {"issue": editing["issue"], "field": editing["field"]}
        self.presence = {"viewing": viewing, "editing": editing}
        await self._presence_announce()

    async def _presence_announce(self) -> None:
        await self.channel_layer.group_send(
            self.joint_group,
            {"type": "presence.broadcast", "frame": self._presence_frame(online=True)},
        )

    def _presence_frame(self, *, online: bool) -> dict[str, Any]:
        frame: dict[str, Any] = {
            "type": "presence",
            # A connection, not a person: one person may have the board open twice.
            "connection": hashlib.sha256(self.channel_name.encode()).hexdigest()[:16],
            "participant": self.participant.pk,
            "online": online,
        }
        if online:
            frame.update(self.presence)
        return frame

    # --- server → client ---------------------------------------------------------------

    async def room_event(self, message: dict[str, Any]) -> None:
        await self.send_json(message["frame"])

    async def presence_broadcast(self, message: dict[str, Any]) -> None:
        await self.send_json(message["frame"])

    async def presence_query(self, message: dict[str, Any]) -> None:
        """Someone connected: tell them we are here."""
        if message.get("sender") != self.channel_name:
            await self._presence_announce()

    async def send_error(
        self, frame_id: str | None, code: str, message: str, details: Any = None
    ) -> None:
        frame: dict[str, Any] = {"type": "error", "id": frame_id, "code": code, "message": message}
        if details is not None:
            frame["details"] = details
        await self.send_json(frame)

    def _take_token(self) -> bool:
        now = time.monotonic()
        self._tokens = min(RATE_BURST, self._tokens + (now - self._refilled_at) * RATE_PER_SECOND)
        self._refilled_at = now
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True
