"""The socket of one mediation: `/ws/mediations/<id>/`.

Thin, like a REST view: it reads frames (frames.py), asks permissions, calls the same
command layer as REST and forwards events. A frame type `a.b` is handled by `handle_a_b`.
Everything it keeps is per connection; several Daphne processes can serve one mediation.

Events of a room are forwarded strictly in sequence order (stream.py). One arriving early
(the channel layer does not keep order across processes, and may drop messages) makes
the socket read the missing ones from the log, with the participant's access checked
afresh. Losing access to a room is itself an event in that room's log (`access.revoked`),
so the socket stops exactly there: nothing committed after a revocation reaches the
revoked. An expert invited until a given time is cut off at that time by the connection
itself, not only when the participants_expire sweep records the removal. The socket
closes as soon as the session it was opened with no longer holds (session.py).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from datetime import datetime
from typing import Any

from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from channels.utils import await_many_dispatch
from django.db import InterfaceError, OperationalError

from accounts.services.sessions import session_times_hold
from accounts.socket_groups import session_group, user_group
from config.errors import NotFound, ServiceError

from ..commands import command_execute
from ..models import CaucusRead, Participant, Role, Room
from ..permissions import (
    access_mediation,
    caucus_items_from,
    issue_scope,
    rights_of,
    visible_rooms,
)
from ..selectors import (
    participant_rights_now,
    participant_rooms_now,
    room_events_after_for,
    room_seqs,
    rooms_catch_up_for,
)
from ..serializers import MediationStateSerializer, participant_payload, payload
from ..services.audit import caucus_reads_record
from ..services.session import mediator_seen
from . import frames, session
from .db import database_call
from .hub import RoomHub, room_hub
from .lifetime import CLOSE_REVOKED, CLOSE_SIGNED_OUT, Lifetime
from .presence import Presence
from .presence_relay import PresenceRelay
from .ratelimit import TokenBucket
from .stream import Next, RoomStream, revokes, until_revoked

logger = logging.getLogger(__name__)

# PostgreSQL away for a moment (a restart, a failover): answered with a retryable error.
DATABASE_DOWN = (OperationalError, InterfaceError)
UNAVAILABLE_RETRY_AFTER = 1.0

# Browsers ping every 15 s: a mediator's connection is recorded alive about every 30 s.
MEDIATOR_SEEN_EVERY = 20.0
# Room messages waiting for a socket's loop: a socket this far behind (a stalled client)
# loses the rest, and catches up from the log at the next event or heartbeat, as when the
# channel layer drops a message.
INBOX_SIZE = 1000


class SignedOut(Exception):
    """The session this socket was opened with no longer holds."""


class MediationConsumer(Lifetime, PresenceRelay, AsyncJsonWebsocketConsumer):
    closing = False
    participant: Participant
    streams: dict[str, RoomStream]
    rights: dict[str, Any]
    mediation_state: dict[str, Any]
    hub: RoomHub
    inbox: asyncio.Queue[dict[str, Any]]

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """As Channels' AsyncConsumer, with a third source of messages: the room messages
        the process's hub (socket/hub.py) hands this socket. All three go through one
        dispatch, one message at a time, so a room event never overtakes a sync."""
        self.scope = scope
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        self.channel_name = await self.channel_layer.new_channel()
        self.channel_receive = functools.partial(self.channel_layer.receive, self.channel_name)
        self.hub = room_hub(self.channel_layer)
        self.inbox = asyncio.Queue(maxsize=INBOX_SIZE)
        self.base_send = send
        try:
            sources = [receive, self.channel_receive, self.inbox.get]
            await await_many_dispatch(sources, self.dispatch)
        except StopConsumer:
            pass
        finally:
            await self.hub.forget(self)

    def hub_deliver(self, message: dict[str, Any]) -> None:
        if self.closing:
            return
        try:
            self.inbox.put_nowait(message)
        except asyncio.QueueFull:
            logger.info("Socket %s behind: a room message dropped", self.channel_name)

    async def dispatch(self, message: dict[str, Any]) -> None:
        """As Channels does, without its database round trip before every message: here
        every database call goes through database_call (socket/db.py), which closes
        stale connections itself, and a room event should not wait for a database
        thread at all."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        try:
            await handler(message)
        except DATABASE_DOWN:
            # PostgreSQL is away for a moment: keep the socket. A client's frame was
            # answered with a retryable error (receive); a room event that could not be
            # checked is not forwarded, and the next heartbeat brings the client back in
            # step. A handshake is refused, and the client tries again.
            logger.warning("Database unavailable handling %s", message["type"], exc_info=True)
            if message["type"] == "websocket.connect":
                await self.close()

    async def connect(self) -> None:
        mediation_id = self.scope["url_route"]["kwargs"]["mediation_id"]
        try:
            self.participant, rooms = await self._open(mediation_id)
        except NotFound:
            # Refused at the handshake, the same for a stranger and a missing mediation.
            await self.close()
            return
        self.streams = {}
        # When this participant's invited time ends (experts), and the close waiting for it.
        self.expires_at: datetime | None = self.participant.access_expires_at
        self._expiry: asyncio.Task[None] | None = None
        self.presence = Presence(channel_name=self.channel_name, participant_id=self.participant.pk)
        self.bucket = TokenBucket()
        self.session = session.SessionGuard(self.scope.get("session"))
        self.personal_groups = [
            f"participant.{self.participant.pk}",
            user_group(self.participant.user_id),
        ]
        if self.session.key:
            self.personal_groups.append(session_group(self.session.key))
        for group in self.personal_groups:
            await self.channel_layer.group_add(group, self.channel_name)
        # Subscribe before reading where each room stands, so nothing falls between.
        for room in rooms:
            await self.hub.join(room.group_name, self)
        seqs = await database_call(room_seqs)(rooms)
        for room in rooms:
            self._stream_add(room, seqs[room.pk])
        if self.session.deadline is None:
            # A session not stamped yet (signed in before the limits existed) starts now.
            await database_call(self.session.used)(self.participant.user_id)
        await self.accept()
        self._expiry_arm()
        self._session_timer_arm()
        await self.send_json(
            {
                "type": "hello",
                "participant": await database_call(participant_payload)(self.participant),
                "rooms": {key: stream.seq for key, stream in self.streams.items()},
                "rights": self.rights,
                "mediation": self.mediation_state,
            }
        )
        self._seen_at = -MEDIATOR_SEEN_EVERY
        await self._mediator_seen()
        await self._presence_join()

    def _room_keys(self) -> list[str]:
        return list(self.streams)

    def _stream_add(self, room: Room, seq: int) -> None:
        items_from = caucus_items_from(self.participant, room)
        self.streams[room.key] = RoomStream(
            room,
            seq=seq,
            items_from=items_from,
            viewer=self.participant.pk,
            scope=issue_scope(self.participant),
        )

    @database_call
    def _open(self, mediation_id: str) -> tuple[Participant, list[Room]]:
        user = self.scope.get("user")
        session = self.scope.get("session")
        if user is None or (session is not None and not session_times_hold(session)):
            # A session past its limits signs nobody in (the next request ends it).
            raise NotFound("No such mediation.")
        participant = access_mediation(user, mediation_id)
        rooms = list(visible_rooms(participant))
        self.rights = rights_of(participant, rooms)
        self.mediation_state = payload(participant.mediation, MediationStateSerializer)
        # Joining a caucus room is reading it, and everything said there while joined.
        caucus_reads_record(participant=participant, rooms=rooms, via=CaucusRead.Via.SOCKET_JOIN)
        return participant, rooms

    async def disconnect(self, code: int) -> None:
        if not hasattr(self, "streams"):
            return
        if self._expiry is not None:
            self._expiry.cancel()
        self._session_timer_stop()
        groups = [stream.room.group_name for stream in self.streams.values()]
        try:
            for key in list(self.streams):
                await self._presence_leave(key)
        except Exception:
            # Others' avatars go stale until their next sync; leaving must still complete.
            logger.warning("Could not announce a departure", exc_info=True)
        for group in groups:
            try:
                await self.hub.leave(group, self)
            except Exception:
                logger.warning("Could not leave group %s", group, exc_info=True)
        for group in self.personal_groups:
            try:
                await self.channel_layer.group_discard(group, self.channel_name)
            except Exception:
                logger.warning("Could not leave group %s", group, exc_info=True)

    # --- client → server ---------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        refusal = frames.precheck(text_data)
        if refusal is not None or text_data is None:
            await self._refuse(None, refusal)
            return
        allowed = self.bucket.take()
        parsed = frames.parse(text_data)
        if not allowed:
            # Name the command refused, so its sender knows exactly what to send again.
            await self.send_error(
                parsed.frame_id,
                "rate_limited",
                "Too many messages; slow down.",
                {"retry_after": self.bucket.retry_after()},
            )
            return
        if parsed.content is None:
            await self._refuse(parsed.frame_id, parsed.refusal)
            return
        kind = parsed.content["type"]
        handler = getattr(self, "handle_" + kind.replace(".", "_"), None)
        if handler is None:
            await self._refuse(parsed.frame_id, frames.unknown_type(kind))
            return
        try:
            await handler(parsed.content)
        except DATABASE_DOWN:
            logger.warning("Database unavailable for a %s frame", kind, exc_info=True)
            await self._unavailable(parsed.frame_id)

    async def _unavailable(self, frame_id: str | None) -> None:
        await self.send_error(
            frame_id,
            "unavailable",
            "The server cannot reach its database for a moment. Send it again, with the "
            "same id: a command already stored is never run twice.",
            {"retry_after": UNAVAILABLE_RETRY_AFTER},
        )

    async def _refuse(self, frame_id: str | None, refusal: frames.Refusal | None) -> None:
        refusal = refusal or frames.Refusal("malformed", "That frame cannot be read.")
        await self.send_error(None if refusal.code != "unknown_type" else frame_id,
                              refusal.code, refusal.message)  # fmt: skip

    async def handle_ping(self, content: dict[str, Any]) -> None:
        if self.session.due(session.SESSION_CHECK_SECONDS) and not await self._session_check():
            return
        await self._resubscribe()
        await self._pong()
        await self._presence_heartbeat()
        await self._mediator_seen()

    async def layer_recovered(self, message: dict[str, Any]) -> None:
        """Redis answers again (config/channel_layer.py), as this socket's receive was
        the process's first to hear: the hub joins the rooms again and tells each of
        their sockets (rooms_recovered), this one too."""
        await self.hub.recovered()

    async def rooms_recovered(self, message: dict[str, Any]) -> None:
        """Redis answers again: join the groups it forgot, and tell the client where each
        room stands, unasked, so it syncs what it missed."""
        await self._resubscribe()
        await self._pong()

    async def _pong(self) -> None:
        # Where each room's log stands: a client behind in a room (its live events lost
        # while Redis was away) syncs it. Without the database, a pong still says alive.
        try:
            seqs = await database_call(room_seqs)([s.room for s in self.streams.values()])
        except DATABASE_DOWN:
            await self.send_json({"type": "pong"})
        else:
            rooms = {key: seqs[stream.room.pk] for key, stream in self.streams.items()}
            await self.send_json({"type": "pong", "rooms": rooms})

    async def _resubscribe(self) -> None:
        """Join this socket's groups again: Redis forgets them when it restarts, and a
        join that failed while it was away is only logged (config/channel_layer.py).
        Joining a group twice is one membership. The rooms' are the process's (hub.py),
        renewed by whichever of its sockets comes first."""
        await self.hub.renew([stream.room.group_name for stream in self.streams.values()])
        for group in self.personal_groups:
            await self.channel_layer.group_add(group, self.channel_name)

    async def _mediator_seen(self) -> None:
        """A mediator's connection is alive: recorded where every server process sees it
        (at most every MEDIATOR_SEEN_EVERY seconds), so the board pauses by itself only
        when every mediator's connection is gone."""
        if self.participant.role != Role.MEDIATOR:
            return
        now = time.monotonic()
        if now - self._seen_at < MEDIATOR_SEEN_EVERY:
            return
        self._seen_at = now
        await database_call(mediator_seen)(mediation_id=self.participant.mediation_id)

    async def handle_sync(self, content: dict[str, Any]) -> None:
        """Replay what the client missed in each room it names, or send a snapshot when
        it is too far behind (or ahead: the server's log was reset). Ends with `synced`."""
        if not await self._session_current():
            return
        wanted = content.get("rooms")
        if not isinstance(wanted, dict) or not all(
            isinstance(seq, int) and not isinstance(seq, bool) for seq in wanted.values()
        ):
            await self.send_error(
                None, "malformed", 'Sync with {"rooms": {"<room>": <last seq>, ...}}.'
            )
            return
        unknown = [key for key in wanted if key not in self.streams]
        if unknown:
            # The same answer for a room that does not exist and one the caller may not see.
            await self.send_error(None, "unknown_room", f"No such room: {unknown[0][:40]!r}.")
            return
        answers = await self._catch_up(wanted)
        synced: dict[str, int] = {}
        for key, after in wanted.items():
            answer = answers[key]
            if answer is None:
                await self._revoke(key)
                continue
            for frame in answer:
                await self.send_json(frame)
            if key == "joint" and any(self._changes_rights(frame) for frame in answer):
                # A replayed pause, break or rule change may change what this one may do.
                await self._rights_refresh()
            synced[key] = answer[-1]["seq"] if answer else after
            if answer and key in self.streams:
                # The client has all of it now: live copies arriving late are duplicates,
                # and a later event must not read the replayed ones from the log again.
                self.streams[key].caught_up(answer[-1]["seq"])
        await self.send_json({"type": "synced", "rooms": synced})

    @database_call
    def _catch_up(self, wanted: dict[str, int]) -> dict[str, list[dict[str, Any]] | None]:
        """The frames that bring a client from where it is to now in each room it names,
        read with the participant's access checked in the same breath; None for a room
        that is gone."""
        seqs = room_seqs([self.streams[key].room for key in wanted])
        if all(seqs.get(self.streams[key].room.pk) == after for key, after in wanted.items()):
            # Nothing to send (so no access to check): one query, the common case of a
            # client that reconnects current.
            return {key: [] for key in wanted}
        answers = rooms_catch_up_for(self.participant.pk, wanted)
        replayed = []
        for key, answer in answers.items():
            if answer is None:
                continue
            answers[key] = answer = until_revoked(answer, self.participant.pk)
            stream = self.streams.get(key)
            if answer and stream is not None:
                replayed.append(stream.room)
        if replayed:
            caucus_reads_record(
                participant=self.participant, rooms=replayed, via=CaucusRead.Via.RESYNC
            )
        return answers

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
        except DATABASE_DOWN:
            # Not acknowledged: whether its transaction committed is unknown if the
            # connection broke at the commit, and a repeat of the id is answered with the
            # stored result, so sending it again is always safe.
            logger.warning("Database unavailable for command %s", str(content.get("name"))[:40])
            await self._unavailable(reply_id)
            return
        except Exception:
            logger.exception("Command %s failed", str(content.get("name"))[:40])
            await self.send_error(
                reply_id, "internal", "Something went wrong on our side; nothing was changed."
            )
            return
        await self.send_json({"type": "ack", "id": frame_id, "result": result})

    @database_call
    def _command(self, content: dict[str, Any]) -> dict[str, Any]:
        # Rights are checked afresh for every command: access may have ended since connect,
        # and so may the session (its password hash must still be the account's; when it
        # changed, this browser's own session may hold the new one).
        actor = access_mediation(self.scope["user"], self.participant.mediation_id)
        current = actor.user.get_session_auth_hash()
        if not self.session.matches(current) and not self.session.check(actor.user_id):
            raise SignedOut
        self.session.used(actor.user_id)
        return command_execute(
            actor=actor,
            client_id=content.get("id"),
            name=content.get("name"),
            data=content.get("data", {}),
        )

    # --- server → client ---------------------------------------------------------------

    async def room_event(self, message: dict[str, Any]) -> None:
        if not await self._session_current():
            return
        if self._expired():
            await self._expire()
            return
        frame = message["frame"]
        stream = self.streams.get(frame["room"])
        if stream is None:
            return
        step = stream.next(frame["seq"])
        if step is Next.DUPLICATE:
            return
        if step is Next.FORWARD:
            await self._forward(stream.key, frame, message)
            return
        # Earlier events are late or lost: read them from the log, access checked.
        missing = await database_call(room_events_after_for)(
            self.participant.pk, stream.key, stream.seq
        )
        if missing is None:
            await self._revoke(stream.key)
            return
        for frame in missing:
            if stream.key not in self.streams:
                break
            await self._forward(stream.key, frame)

    async def _forward(
        self, key: str, frame: dict[str, Any], message: dict[str, Any] | None = None
    ) -> None:
        """Send one event of a room. `message`, when given, is the one the hub handed
        every socket of the room in this process: its text is encoded once for all."""
        stream = self.streams.get(key)
        if stream is None:
            return
        if self._expired():
            await self._expire()
            return
        if not await self._session_current():
            return
        if revokes(frame, self.participant.pk):
            await self._revoke(key)
            return
        shown = stream.shown(frame)
        if shown is frame and message is not None:
            await self.send_shared(message, frame)
        else:
            await self.send_json(shown)
        if key == "joint" and self._changes_rights(frame):
            await self._rights_refresh()

    def _changes_rights(self, frame: dict[str, Any]) -> bool:
        """Events after which this participant's rights may differ: the mediation's state
        (a pause, the rule), a side added, or their own place (an acknowledgement)."""
        if frame.get("type") == "snapshot" or frame.get("name") in (
            "mediation.updated",
            "side.added",
        ):
            return True
        data = frame.get("data")
        return (
            frame.get("name") == "participant.updated"
            and isinstance(data, dict)
            and (data.get("id") == self.participant.pk)
        )

    async def _rights_refresh(self) -> None:
        rights = await database_call(participant_rights_now)(self.participant.pk)
        if rights is not None and rights != self.rights:
            self.rights = rights
            await self.send_json({"type": "rights", "rights": rights})

    async def _revoke(self, key: str) -> None:
        """Stop a room: unsubscribe, tell the client; without the joint room, close."""
        stream = self.streams.pop(key, None)
        if stream is not None:
            await self.hub.leave(stream.room.group_name, self)
            await self.send_json({"type": "revoked", "room": key})
        if "joint" not in self.streams:
            await self.close(code=CLOSE_REVOKED)

    async def participant_access(self, message: dict[str, Any]) -> None:
        """This participant's access changed: drop rooms no longer visible, join new ones,
        and close at the (new) end of their invited time."""
        now = await database_call(participant_rooms_now)(self.participant.pk)
        if now is None:
            await self._expire()
            return
        participant, rooms = now
        self.expires_at = participant.access_expires_at
        self._expiry_arm()
        for key in [key for key in self.streams if key not in rooms]:
            await self._revoke(key)
        added = {}
        joined = []
        for key, room in rooms.items():
            if key not in self.streams:
                joined.append(room)
                await self.hub.join(room.group_name, self)
                self._stream_add(room, room.last_seq)
                added[key] = room.last_seq
        if joined:
            await database_call(caucus_reads_record)(
                participant=participant, rooms=joined, via=CaucusRead.Via.SOCKET_JOIN
            )
        if added:
            await self.send_json({"type": "rooms", "rooms": added})
        await self._rights_refresh()

    async def participant_notification(self, message: dict[str, Any]) -> None:
        if not await self._session_current():
            return
        if self._expired():
            await self._expire()
            return
        await self.send_json(message["frame"])

    # --- sending -------------------------------------------------------------------------

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

    async def send_shared(self, message: dict[str, Any], frame: dict[str, Any]) -> None:
        """Send `frame`, exactly as the hub's `message` carries it, as text encoded once
        for every socket of the process it was handed to."""
        if self.closing:
            return
        text = message.get("encoded")
        if not isinstance(text, str):
            text = message["encoded"] = await self.encode_json(frame)
        await self.send(text_data=text)

    async def send_error(
        self, frame_id: str | None, code: str, message: str, details: Any = None
    ) -> None:
        await self.send_json(frames.error_frame(frame_id, code, message, details))
