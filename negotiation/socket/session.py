"""The session a socket was opened with. A socket must not outlive it: the consumer
checks it when told the account's credentials changed, on every command, on a heartbeat
at most every SESSION_CHECK_SECONDS (the backstop for a lost notice), and at the moment
the session would end by itself (its idle or absolute limit), when a timer reads it again.
A command counts as a use of the session, as a request does; pings do not (a tab left
open is idle)."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth import HASH_SESSION_KEY
from django.utils.crypto import constant_time_compare

from accounts.services.sessions import (
    USED_AT,
    session_deadline,
    session_state,
    session_use_due,
    session_used,
)

SESSION_CHECK_SECONDS = 30.0


class SessionGuard:
    def __init__(self, session: Any) -> None:
        self.key: str | None = session.session_key if session is not None else None
        self.auth_hash: str | None = session.get(HASH_SESSION_KEY) if session else None
        # When the session ends by itself unless used before (None: not stamped yet).
        self.deadline: float | None = session_deadline(session) if session else None
        self.used_at: float | None = session.get(USED_AT) if session else None
        self.checked_at = time.monotonic()

    def due(self, every: float) -> bool:
        return time.monotonic() - self.checked_at >= every

    def matches(self, current_hash: str) -> bool:
        """Whether the hash held is the account's current one and the session is within
        its limits as last read (no database read)."""
        if self.deadline is not None and time.time() >= self.deadline:
            return False
        return bool(self.auth_hash) and constant_time_compare(self.auth_hash or "", current_hash)

    def check(self, user_id: int) -> bool:
        """Read the session again: whether it still signs in `user_id` with the current
        password, within its limits. Synchronous (it reads the session store and the
        user)."""
        state = session_state(user_id=user_id, session_key=self.key)
        self.auth_hash = None if state is None else state.auth_hash
        if state is not None:
            self.deadline, self.used_at = state.deadline, state.used_at
        self.checked_at = time.monotonic()
        return state is not None

    def used(self, user_id: int) -> None:
        """A command was run: the session was used (synchronous; written at most every
        PARLEY_SESSION_TOUCH_SECONDS)."""
        if not session_use_due(self.used_at):
            return
        deadline = session_used(user_id=user_id, session_key=self.key)
        self.used_at = time.time()
        if deadline is not None:
            self.deadline = deadline
