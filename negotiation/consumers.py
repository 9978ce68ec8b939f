"""The socket of one mediation: `/ws/mediations/<id>/`.

Thin, like a REST view: it parses frames, asks permissions, calls services and forwards
events. A frame type `a.b` is handled by `handle_a_b`. Everything it keeps is per
connection; several Daphne processes can serve one mediation.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from .errors import NotFound
from .models import Participant, Room
from .permissions import access_mediation, visible_rooms
from .serializers import participant_payload

logger = logging.getLogger(__name__)

MAX_FRAME_BYTES = 64 * 1024
# Token bucket per connection: a steady rate with room for a burst (a replayed queue).
RATE_PER_SECOND = 20.0
RATE_BURST = 60.0


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
        self.groups = [room.group_name for room in rooms]
        for group in self.groups:
            await self.channel_layer.group_add(group, self.channel_name)
        self._tokens = RATE_BURST
        self._refilled_at = time.monotonic()
        await self.accept()
        await self.send_json(hello)

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
        for group in getattr(self, "groups", []):
            await self.channel_layer.group_discard(group, self.channel_name)

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

    # --- server → client ---------------------------------------------------------------

    async def room_event(self, message: dict[str, Any]) -> None:
        await self.send_json(message["frame"])

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
