"""How long a socket lives: until its participant's invited time ends (experts), and
while the session it was opened with still holds. Part of MediationConsumer."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from accounts.socket_groups import session_group

from ..models import Participant
from .db import database_call
from .session import SessionGuard

# Close codes: access ended, signed out.
CLOSE_REVOKED = 4403
CLOSE_SIGNED_OUT = 4401


class Lifetime:
    """The end of an invited time and of a session, for MediationConsumer."""

    participant: Participant
    session: SessionGuard
    expires_at: datetime | None
    _expiry: asyncio.Task[None] | None
    _session_timer: asyncio.Task[None] | None = None
    personal_groups: list[str]
    channel_layer: Any
    channel_name: str

    if TYPE_CHECKING:  # the consumer's own

        async def close(
            self, code: int | bool | None = None, reason: str | None = None
        ) -> None: ...

        async def _revoke(self, key: str) -> None: ...

        def _room_keys(self) -> list[str]: ...

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
        check already treats the participant as gone; the sweep records it in the logs."""
        for key in sorted(self._room_keys(), key=lambda key: key == "joint"):
            await self._revoke(key)

    # --- the session ---------------------------------------------------------------------

    async def session_ended(self, message: dict[str, Any]) -> None:
        await self.close(code=CLOSE_SIGNED_OUT)

    async def session_renewed(self, message: dict[str, Any]) -> None:
        """This browser's session moved to a new key (its password was changed here):
        follow it, so a sign-out of the new session still closes this socket."""
        old = session_group(self.session.key) if self.session.key else None
        self.session.key = message["session_key"]
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
        holds = await database_call(self.session.check)(self.participant.user_id)
        if not holds:
            await self.close(code=CLOSE_SIGNED_OUT)
        else:
            self._session_timer_arm()
        return holds

    def _session_lapsed(self) -> bool:
        """Past the moment the session would end by itself, as last read."""
        return self.session.deadline is not None and time.time() >= self.session.deadline

    async def _session_current(self) -> bool:
        """Whether the session still holds: read again (closing the socket when not) only
        once past its deadline as last read, so nothing goes out in the moment between
        the deadline and the timer's check."""
        return not self._session_lapsed() or await self._session_check()

    def _session_timer_arm(self) -> None:
        """Read the session again at the moment it would end by itself (its idle or
        absolute limit): a use elsewhere may have moved that on; if not, it closes."""
        if self._session_timer is not None and self._session_timer is not _current_task():
            self._session_timer.cancel()
        self._session_timer = None
        if self.session.deadline is not None:
            self._session_timer = asyncio.ensure_future(self._session_end_at(self.session.deadline))

    async def _session_end_at(self, deadline: float) -> None:
        await asyncio.sleep(max(0.0, deadline - time.time()))
        await self._session_check()

    def _session_timer_stop(self) -> None:
        if self._session_timer is not None:
            self._session_timer.cancel()
            self._session_timer = None


def _current_task() -> asyncio.Task[object] | None:
    try:
        return asyncio.current_task()
    except RuntimeError:
        return None
