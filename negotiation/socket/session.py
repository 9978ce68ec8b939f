"""The session a socket was opened with. A socket must not outlive it: the consumer
checks it when told the account's credentials changed, on every command, and on a
heartbeat at most every SESSION_CHECK_SECONDS (the backstop for a lost notice, and for a
session that simply expired)."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth import HASH_SESSION_KEY
from django.utils.crypto import constant_time_compare

from accounts.services.sessions import session_holds

SESSION_CHECK_SECONDS = 30.0


class SessionGuard:
    def __init__(self, session: Any) -> None:
        self.key: str | None = session.session_key if session is not None else None
        self.auth_hash: str | None = session.get(HASH_SESSION_KEY) if session else None
        self.checked_at = time.monotonic()

    def due(self, every: float) -> bool:
        return time.monotonic() - self.checked_at >= every

    def matches(self, current_hash: str) -> bool:
        """Whether the hash held is the account's current one (no database read)."""
        return bool(self.auth_hash) and constant_time_compare(self.auth_hash or "", current_hash)

    def check(self, user_id: int) -> bool:
        """Read the session again: whether it still signs in `user_id` with the current
        password. Synchronous (it reads the session store and the user)."""
        self.auth_hash = session_holds(user_id=user_id, session_key=self.key)
        self.checked_at = time.monotonic()
        return self.auth_hash is not None
