"""The socket of one mediation: `/ws/mediations/<id>/`.

Thin, like a REST view: it parses frames, asks permissions, calls services and forwards
events. A frame type `a.b` is handled by `handle_a_b`. Everything it keeps is per
connection; several Daphne processes can serve one mediation.

Events of a room are forwarded strictly in sequence order. One arriving early (the
channel layer does not keep order across processes, and may drop messages) makes the
socket read the missing ones from the log, with the participant's access checked afresh.
Losing access to a room is itself an event in that room's log (`access.revoked`), so the
socket stops exactly there: nothing committed after a revocation reaches the revoked.
An expert invited until a given time is cut off at that time by the connection itself
(it knows the time), not only when the participants_expire sweep records the removal.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import time
from datetime import datetime
from typing import Any

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.contrib.auth import HASH_SESSION_KEY
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from accounts.services.sessions import session_holds
from accounts.socket_groups import session_group, user_group
from config import json_input
from config.errors import NotFound, ServiceError

from .commands import command_execute
from .models import Participant, Room
from .permissions import access_mediation, caucus_frame_for, caucus_items_from, visible_rooms
from .selectors import room_catch_up_for, room_events_after_for
from .serializers import participant_payload

logger = logging.getLogger(__name__)

MAX_FRAME_BYTES = 64 * 1024
# Token bucket per connection: a steady rate with room for a burst (a replayed queue).
RATE_PER_SECOND = 20.0
RATE_BURST = 60.0
# Close codes: access ended, signed out.
CLOSE_REVOKED = 4403
CLOSE_SIGNED_OUT = 4401
NOT_JSON = object()
# How often a heartbeat checks that the session the socket was opened with still holds
# (a password change or sign-out elsewhere tells the socket at once; this is the backstop
# for a message the channel layer lost, and for a session that simply expired).
SESSION_CHECK_SECONDS = 30.0
# Others' presence lasts this long past their last sign of life: a connection refreshes it
# with every ping (browsers ping every 15 s), so the avatars of a server process that died
# without saying goodbye age out. A ping refreshes at most every PRESENCE_TTL / 6, so a
# flood of pings is no flood of presence.
PRESENCE_TTL = 60.0


class SignedOut(Exception):
    """The session this socket was opened with no longer holds."""


def _small_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**53


class MediationConsumer(AsyncJsonWebsocketConsumer):
    closing = False
    participant: Participant
    rooms: dict[str, Room]
    forwarded: dict[str, int]

    async def dispatch(self, message: dict[str, Any]) -> None:
        """As Channels does, without its database round trip before every message: here
        every database call goes through database_sync_to_async, which closes stale
        connections itself, and a room event should not wait behind other sockets'
        commands in the database thread."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self) -> None:
        mediation_id = self.scope["url_route"]["kwargs"]["mediation_id"]
        try:
            self.participant, rooms = await self._open(mediation_id)
        except NotFound:
            # Refused at the handshake, the same for a stranger and a missing mediation.
            await self.close()
            return
        self.rooms = {}
        self.forwarded = {}
        # When this participant's invited time ends (experts), and the close waiting for it.
        self.expires_at: datetime | None = self.participant.access_expires_at
        self._expiry: asyncio.Task[None] | None = None
        self.presence: dict[str, dict[str, Any]] = {}
        # Presence as last told to the client, and when it was last refreshed.
        self.seen: dict[tuple[str, str], tuple[dict[str, Any], float]] = {}
        self.announced_at: dict[str, float] = {}
        self._tokens = RATE_BURST
        self._refilled_at = time.monotonic()
        # The session this socket was opened with, and the password hash it holds: a
        # socket must not outlive the credentials it was opened with.
        session = self.scope.get("session")
        self.session_key: str | None = session.session_key if session is not None else None
        self.auth_hash: str | None = session.get(HASH_SESSION_KEY) if session else None
        self.session_checked_at = time.monotonic()
        self.personal_groups = [
            f"participant.{self.participant.pk}",
            user_group(self.participant.user_id),
        ]
        if self.session_key:
            self.personal_groups.append(session_group(self.session_key))
        for group in self.personal_groups:
            await self.channel_layer.group_add(group, self.channel_name)
        # Subscribe before reading where each room stands, so nothing falls between.
        for room in rooms:
            await self.channel_layer.group_add(room.group_name, self.channel_name)
        seqs = await self._last_seqs(rooms)
        for room in rooms:
            self.rooms[room.key] = room
            self.forwarded[room.key] = seqs[room.pk]
        await self.accept()
        self._expiry_arm()
        await self.send_json(
            {
                "type": "hello",
                "participant": await database_sync_to_async(participant_payload)(self.participant),
                "rooms": dict(self.forwarded),
            }
        )
        await self._presence_announce("joint")
        for key, room in self.rooms.items():
            await self.channel_layer.group_send(
                room.group_name,
                {"type": "presence.query", "sender": self.channel_name, "room": key},
            )

    @database_sync_to_async
    def _open(self, mediation_id: str) -> tuple[Participant, list[Room]]:
        user = self.scope.get("user")
        if user is None:
            raise NotFound("No such mediation.")
        participant = access_mediation(user, mediation_id)
        return participant, list(visible_rooms(participant))

    @database_sync_to_async
    def _last_seqs(self, rooms: list[Room]) -> dict[int, int]:
        return dict(
            Room.objects.filter(pk__in=[room.pk for room in rooms]).values_list("pk", "last_seq")
        )

    async def disconnect(self, code: int) -> None:
        if not hasattr(self, "rooms"):
            return
        if self._expiry is not None:
            self._expiry.cancel()
        groups = [room.group_name for room in self.rooms.values()] + self.personal_groups
        try:
            for key in list(self.rooms):
                await self._presence_leave(key)
        except Exception:
            # Others' avatars go stale until their next sync; leaving must still complete.
            logger.warning("Could not announce a departure", exc_info=True)
        for group in groups:
            try:
                await self.channel_layer.group_discard(group, self.channel_name)
            except Exception:
                logger.warning("Could not leave group %s", group, exc_info=True)

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
        allowed = self._take_token()
        content: Any
        reason = "That frame is not valid JSON."
        try:
            content = json_input.loads(text_data)
        except json_input.TooDeep as error:
            content, reason = NOT_JSON, str(error)
        except json_input.MalformedJSON:
            content = NOT_JSON
        if not allowed:
            # Name the command refused, so its sender knows exactly what to send again.
            refused = content.get("id") if isinstance(content, dict) else None
            await self.send_error(
                refused if isinstance(refused, str) else None,
                "rate_limited",
                "Too many messages; slow down.",
                {"retry_after": self._retry_after()},
            )
            return
        if content is NOT_JSON:
            await self.send_error(None, "malformed", reason)
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
        due = time.monotonic() - self.session_checked_at >= SESSION_CHECK_SECONDS
        if due and not await self._session_check():
            return
        await self.send_json({"type": "pong"})
        await self._presence_heartbeat()

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
            answer = await self._catch_up(key, after)
            if answer is None:
                await self._revoke(key)
                continue
            for frame in answer:
                await self.send_json(frame)
            synced[key] = answer[-1]["seq"] if answer else after
            if answer and key in self.forwarded:
                # The client has all of it now: live copies arriving late are duplicates,
                # and a later event must not read the replayed ones from the log again.
                self.forwarded[key] = max(self.forwarded[key], answer[-1]["seq"])
        await self.send_json({"type": "synced", "rooms": synced})

    @database_sync_to_async
    def _catch_up(self, key: str, after: int) -> list[dict[str, Any]] | None:
        """The frames that bring a client from `after` to now in a room, read with the
        participant's access checked in the same breath; None if it is gone."""
        frames = room_catch_up_for(self.participant.pk, key, after)
        return None if frames is None else self._until_revoked(frames)

    def _until_revoked(self, frames: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for index, frame in enumerate(frames):
            if self._revokes_me(frame):
                return frames[:index]
        return frames

    def _revokes_me(self, frame: dict[str, Any]) -> bool:
        return (
            frame.get("name") == "access.revoked"
            and frame["data"].get("participant") == self.participant.pk
        )

    async def handle_command(self, content: dict[str, Any]) -> None:
        """Run a command through the same service as REST; answer `ack` or `error`."""
        frame_id = content.get("id")
        reply_id = frame_id if isinstance(frame_id, str) else None
        try:
            result = await self._command(content)
        except SignedOut:
            await self.close(code=CLOSE_SIGNED_OUT)
            return
        except ServiceError as error:
            await self.send_error(reply_id, error.code, error.message, error.details)
            return
        except Exception:
            logger.exception("Command %s failed", str(content.get("name"))[:40])
            await self.send_error(
                reply_id, "internal", "Something went wrong on our side; nothing was changed."
            )
            return
        await self.send_json({"type": "ack", "id": frame_id, "result": result})

    @database_sync_to_async
    def _command(self, content: dict[str, Any]) -> dict[str, Any]:
        # Rights are checked afresh for every command: access may have ended since connect,
        # and so may the session (its password hash must still be the account's).
        actor = access_mediation(self.scope["user"], self.participant.mediation_id)
        current = actor.user.get_session_auth_hash()
        if not (self.auth_hash and constant_time_compare(self.auth_hash, current)):
            # Changed under us: the session may have been updated with the new password
            # (the same browser changed it), or it no longer holds.
            self.auth_hash = session_holds(user_id=actor.user_id, session_key=self.session_key)
            self.session_checked_at = time.monotonic()
            if self.auth_hash is None:
                raise SignedOut
        return command_execute(
            actor=actor,
            client_id=content.get("id"),
            name=content.get("name"),
            data=content.get("data", {}),
        )

    async def handle_presence(self, content: dict[str, Any]) -> None:
        """What this connection looks at and edits, for avatars and "Sam is editing"
        markers, told only to the room it is in: looking at something in a caucus never
        shows in the joint room."""
        key = content.get("room", "joint")
        if not isinstance(key, str) or key not in self.rooms:
            await self.send_error(None, "unknown_room", "No such room.")
            return
        viewing = content.get("viewing")
        editing = content.get("editing")
        if viewing is not None and not _small_int(viewing):
            viewing = None
        if (
            isinstance(editing, dict)
            and _small_int(editing.get("issue"))
            and isinstance(editing.get("field"), str)
            and len(editing["field"]) <= 40
        ):
            editing = {"issue": editing["issue"], "field": editing["field"]}
        else:
            editing = None
        self.presence[key] = {"viewing": viewing, "editing": editing}
        await self._presence_announce(key)

    # --- presence ----------------------------------------------------------------------

    def _connection(self) -> str:
        # A connection, not a person: one person may have the board open twice.
        return hashlib.sha256(self.channel_name.encode()).hexdigest()[:16]

    def _presence_frame(self, key: str, *, online: bool) -> dict[str, Any]:
        frame: dict[str, Any] = {
            "type": "presence",
            "room": key,
            "connection": self._connection(),
            "participant": self.participant.pk,
            "online": online,
        }
        if online:
            frame.update(self.presence.get(key, {"viewing": None, "editing": None}))
        return frame

    async def _presence_announce(self, key: str) -> None:
        if key in self.rooms:
            self.announced_at[key] = time.monotonic()
            await self.channel_layer.group_send(
                self.rooms[key].group_name,
                {"type": "presence.broadcast", "frame": self._presence_frame(key, online=True)},
            )

    async def _presence_heartbeat(self) -> None:
        """Refresh this connection's presence in its rooms; tell the client that those
        not refreshed for PRESENCE_TTL are gone."""
        due = time.monotonic() - PRESENCE_TTL / 6
        for key in list(self.rooms):
            if self.announced_at.get(key, -math.inf) <= due:
                await self._presence_announce(key)
        stale = time.monotonic() - PRESENCE_TTL
        for (key, connection), (frame, refreshed_at) in list(self.seen.items()):
            if refreshed_at < stale and connection != self._connection():
                del self.seen[key, connection]
                if key in self.rooms:
                    gone = {name: frame[name] for name in ("type", "room", "connection")}
                    await self.send_json(
                        {**gone, "participant": frame["participant"], "online": False}
                    )

    async def _presence_leave(self, key: str) -> None:
        await self.channel_layer.group_send(
            self.rooms[key].group_name,
            {"type": "presence.broadcast", "frame": self._presence_frame(key, online=False)},
        )

    # --- server → client ---------------------------------------------------------------

    async def room_event(self, message: dict[str, Any]) -> None:
        if self._expired():
            await self._expire()
            return
        frame = message["frame"]
        key = frame["room"]
        if key not in self.rooms or frame["seq"] <= self.forwarded[key]:
            return
        if frame["seq"] == self.forwarded[key] + 1:
            await self._forward(key, frame)
            return
        # Earlier events are late or lost: read them from the log, access checked.
        missing = await self._read_after(key, self.forwarded[key])
        if missing is None:
            await self._revoke(key)
            return
        for frame in missing:
            if key not in self.rooms:
                break
            await self._forward(key, frame)

    @database_sync_to_async
    def _read_after(self, key: str, after: int) -> list[dict[str, Any]] | None:
        return room_events_after_for(self.participant.pk, key, after)

    async def _forward(self, key: str, frame: dict[str, Any]) -> None:
        if key not in self.rooms:
            return
        if self._expired():
            await self._expire()
            return
        if self._revokes_me(frame):
            await self._revoke(key)
            return
        await self.send_json(
            caucus_frame_for(caucus_items_from(self.participant, self.rooms[key]), frame)
        )
        self.forwarded[key] = frame["seq"]

    async def _revoke(self, key: str) -> None:
        """Stop a room: unsubscribe, tell the client; without the joint room, close."""
        room = self.rooms.pop(key, None)
        self.forwarded.pop(key, None)
        if room is not None:
            await self.channel_layer.group_discard(room.group_name, self.channel_name)
            await self.send_json({"type": "revoked", "room": key})
        if "joint" not in self.rooms:
            await self.close(code=CLOSE_REVOKED)

    async def participant_access(self, message: dict[str, Any]) -> None:
        """This participant's access changed: drop rooms no longer visible, join new ones,
        and close at the (new) end of their invited time."""
        rooms, self.expires_at = await self._visible_now()
        if rooms is None:
            await self._expire()
            return
        self._expiry_arm()
        for key in [key for key in self.rooms if key not in rooms]:
            await self._revoke(key)
        added = {}
        for key, room in rooms.items():
            if key not in self.rooms:
                await self.channel_layer.group_add(room.group_name, self.channel_name)
                self.rooms[key] = room
                self.forwarded[key] = room.last_seq
                added[key] = room.last_seq
        if added:
            await self.send_json({"type": "rooms", "rooms": added})

    @database_sync_to_async
    def _visible_now(self) -> tuple[dict[str, Room] | None, datetime | None]:
        """The rooms the participant sees now (None: no longer in the mediation), and the
        end of their invited time."""
        participant = (
            Participant.objects.select_related("mediation", "side")
            .filter(pk=self.participant.pk)
            .first()
        )
        if participant is None or not participant.is_active:
            return None, None
        rooms = {room.key: room for room in visible_rooms(participant)}
        return rooms, participant.access_expires_at

    # --- the end of an invited time ------------------------------------------------------

    def _expired(self) -> bool:
        return self.expires_at is not None and timezone.now() >= self.expires_at

    def _expiry_arm(self) -> None:
        """Close the connection when the invited time ends (re-armed when it changes)."""
        if self._expiry is not None:
            self._expiry.cancel()
            self._expiry = None
        if self.expires_at is not None:
            self._expiry = asyncio.ensure_future(self._expire_at(self.expires_at))

    async def _expire_at(self, moment: datetime) -> None:
        await asyncio.sleep(max(0.0, (moment - timezone.now()).total_seconds()))
        await self._expire()

    async def _expire(self) -> None:
        """Access is over: stop every room, which closes the connection. Every access
        check already treats the participant as gone; the sweep records it in the logs.
        Nothing left to stop: it was closed already."""
        for key in sorted(self.rooms, key=lambda key: key == "joint"):
            await self._revoke(key)

    async def participant_notification(self, message: dict[str, Any]) -> None:
        if self._expired():
            await self._expire()
            return
        await self.send_json(message["frame"])

    async def session_ended(self, message: dict[str, Any]) -> None:
        await self.close(code=CLOSE_SIGNED_OUT)

    async def session_renewed(self, message: dict[str, Any]) -> None:
        """This browser's session moved to a new key (its password was changed here):
        follow it, so a sign-out of the new session still closes this socket."""
        old = session_group(self.session_key) if self.session_key else None
        self.session_key = message["session_key"]
        new = session_group(message["session_key"])
        await self.channel_layer.group_add(new, self.channel_name)
        self.personal_groups.append(new)
        if old in self.personal_groups:
            self.personal_groups.remove(old)
            await self.channel_layer.group_discard(old, self.channel_name)
        await self._session_check()

    async def credentials_changed(self, message: dict[str, Any]) -> None:
        """The account's password or standing changed: close unless this socket's own
        session still holds (the browser that changed the password keeps its socket)."""
        await self._session_check()

    async def _session_check(self) -> bool:
        """Whether the socket's session still holds; closes the socket when not."""
        self.auth_hash = await database_sync_to_async(session_holds)(
            user_id=self.participant.user_id, session_key=self.session_key
        )
        self.session_checked_at = time.monotonic()
        if self.auth_hash is None:
            await self.close(code=CLOSE_SIGNED_OUT)
            return False
        return True

    async def close(self, code: int | bool | None = None, reason: str | None = None) -> None:
        # Closed once; nothing is sent after the close frame.
        if self.closing:
            return
        self.closing = True
        await super().close(code=code, reason=reason)

    async def send_json(self, content: Any, close: bool = False) -> None:
        if self.closing:
            return
        await super().send_json(content, close=close)

    async def presence_broadcast(self, message: dict[str, Any]) -> None:
        if self._expired():
            await self._expire()
            return
        frame = message["frame"]
        key = frame["room"]
        if key not in self.rooms:
            return
        seen = (key, frame["connection"])
        if frame["online"]:
            last = self.seen.get(seen)
            self.seen[seen] = (frame, time.monotonic())
            if last is not None and last[0] == frame:
                return  # a heartbeat's refresh: the client already shows it
        else:
            self.seen.pop(seen, None)
        await self.send_json(frame)

    async def presence_query(self, message: dict[str, Any]) -> None:
        """Someone connected: tell them we are here."""
        if message.get("sender") != self.channel_name and message.get("room") in self.rooms:
            await self._presence_announce(message["room"])

    async def send_error(
        self, frame_id: str | None, code: str, message: str, details: Any = None
    ) -> None:
        frame: dict[str, Any] = {"type": "error", "id": frame_id, "code": code, "message": message}
        if details is not None:
            frame["details"] = details
        await self.send_json(frame)

    def _retry_after(self) -> float:
        """Seconds until the next frame would be taken."""
        return round(max(1 - self._tokens, 0) / RATE_PER_SECOND, 3)

    def _take_token(self) -> bool:
        now = time.monotonic()
        self._tokens = min(RATE_BURST, self._tokens + (now - self._refilled_at) * RATE_PER_SECOND)
        self._refilled_at = now
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True
