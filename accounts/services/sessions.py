"""Sessions and the sockets opened with them.

A socket is opened with a browser session and must not outlive it: signing out closes
that session's sockets; anything that changes what a session's credentials are worth (a
new password set anywhere, all sessions ended, the account deactivated) tells every
socket of the account to check its own session again, and those whose session no longer
holds close. The sockets ask `session_holds` (negotiation/socket reads it).

A session also ends by itself: after PARLEY_SESSION_IDLE_SECONDS without use (a request,
or a command on one of its sockets), and PARLEY_SESSION_ABSOLUTE_SECONDS after it signed
in, however busy. The session holds when it signed in and when it was last used
(`session_stamp`); `session_times_hold` is the one statement of both limits, asked by the
middleware for every request and by the sockets.
"""

from __future__ import annotations

import time
from collections.abc import MutableMapping
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY, logout, update_session_auth_hash
from django.contrib.sessions.backends.base import UpdateError
from django.db import transaction
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare

from accounts.models import User
from accounts.socket_groups import group_tell, session_group


def session_end(request: HttpRequest) -> None:
    """Sign this browser out and close the sockets it opened: nothing more reaches a
    signed-out device."""
    session_key = request.session.session_key
    logout(request)
    if session_key:
        group_tell(session_group(session_key), {"type": "session.ended"})


# When the session signed in, and when it was last used (seconds since the epoch).
SIGNED_IN_AT = "parley_signed_in_at"
USED_AT = "parley_used_at"


def session_deadline(data: MutableMapping[str, Any]) -> float | None:
    """The moment a session ends by itself unless used again before: its idle limit
    from its last use, or its absolute limit from its sign-in, whichever comes first.
    None for a session not stamped yet (`session_stamp`)."""
    signed_in, used = data.get(SIGNED_IN_AT), data.get(USED_AT)
    if not isinstance(signed_in, int | float) or not isinstance(used, int | float):
        return None
    return min(
        signed_in + settings.PARLEY_SESSION_ABSOLUTE_SECONDS,
        used + settings.PARLEY_SESSION_IDLE_SECONDS,
    )


def session_times_hold(data: MutableMapping[str, Any], now: float | None = None) -> bool:
    """Whether a session is within its idle and absolute limits (an unstamped one is:
    it is stamped at its next use)."""
    deadline = session_deadline(data)
    return deadline is None or (time.time() if now is None else now) < deadline


def session_stamp(data: MutableMapping[str, Any], now: float | None = None) -> bool:
    """Record a use of a signed-in session (and its sign-in, the first time). Only every
    PARLEY_SESSION_TOUCH_SECONDS, so a busy session is not written on every request.
    Returns whether it changed anything (the session then needs saving)."""
    now = time.time() if now is None else now
    changed = False
    if not isinstance(data.get(SIGNED_IN_AT), int | float):
        data[SIGNED_IN_AT] = now
        changed = True
    used = data.get(USED_AT)
    if changed or not isinstance(used, int | float) or session_use_due(used, now):
        data[USED_AT] = now
        changed = True
    return changed


def session_use_due(used_at: float | None, now: float | None = None) -> bool:
    """Whether a use now should be recorded (the last was long enough ago)."""
    now = time.time() if now is None else now
    return used_at is None or now - used_at >= _touch_every()


def _touch_every() -> float:
    # Never more than a tenth of the idle limit, so a use always moves the deadline on.
    return min(settings.PARLEY_SESSION_TOUCH_SECONDS, settings.PARLEY_SESSION_IDLE_SECONDS / 10)


@dataclass(frozen=True)
class SessionState:
    """What a stored session that still signs its user in is worth now."""

    auth_hash: str
    deadline: float | None
    used_at: float | None


def _session_store(session_key: str) -> Any:
    engine = import_module(settings.SESSION_ENGINE)
    return engine.SessionStore(session_key)


def session_auth_hash(session_key: str | None) -> tuple[str | None, str | None]:
    """The user id and password hash a stored session holds ((None, None) when it is
    gone: signed out, flushed or expired)."""
    if not session_key:
        return None, None
    data = _session_store(session_key).load()
    return data.get(SESSION_KEY), data.get(HASH_SESSION_KEY)


def session_state(*, user_id: int, session_key: str | None) -> SessionState | None:
    """The session's state if it still signs in `user_id` (stored, within its idle and
    absolute limits, the account active, the hash that of the current password), else
    None."""
    if not session_key:
        return None
    data = _session_store(session_key).load()
    stored_user, stored_hash = data.get(SESSION_KEY), data.get(HASH_SESSION_KEY)
    if stored_user is None or stored_hash is None or str(stored_user) != str(user_id):
        return None
    if not session_times_hold(data):
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not constant_time_compare(stored_hash, user.get_session_auth_hash()):
        return None
    used = data.get(USED_AT)
    return SessionState(
        auth_hash=str(stored_hash),
        deadline=session_deadline(data),
        used_at=used if isinstance(used, int | float) else None,
    )


def session_holds(*, user_id: int, session_key: str | None) -> str | None:
    """The session's current auth hash if it still signs in `user_id`, else None."""
    state = session_state(user_id=user_id, session_key=session_key)
    return None if state is None else state.auth_hash


def session_used(*, user_id: int, session_key: str | None) -> float | None:
    """A use of a stored session outside a request (a command on one of its sockets):
    stamp it, and return its new deadline. Nothing is written for a session that no
    longer signs in `user_id` (it is never brought back)."""
    if not session_key:
        return None
    store = _session_store(session_key)
    if str(store.get(SESSION_KEY)) != str(user_id):
        return None
    if session_stamp(store):
        try:
            store.save()
        except UpdateError:
            # Ended meanwhile (signed out elsewhere): the next check closes the socket.
            return None
    return session_deadline(store)


def session_timeout_end(request: HttpRequest) -> bool:
    """At a request: end the session if it is past its idle or absolute limit (as a sign
    out: its sockets close too), or else record the use. Returns whether it ended."""
    session = request.session
    if SESSION_KEY not in session:
        return False
    if not session_times_hold(session):
        session_end(request)
        return True
    session_stamp(session)
    return False


def session_password_set(*, request: HttpRequest, user: User, password: str) -> None:
    """Give the signed-in user a new password and keep this browser signed in.

    Every other session of the account ends (Django checks each against a hash of the
    password) and its sockets close. This browser's session moves to a new key with the
    new hash; its sockets are told the new key first, so that when every socket of the
    account checks its session again, theirs still holds."""
    with transaction.atomic():
        old_key = request.session.session_key
        user.set_password(password)
        update_session_auth_hash(request, user)
        # Stored now, not when the response goes out: the sockets read it on commit.
        request.session.save()
        new_key = request.session.session_key
        if old_key and new_key:
            renewed = {"type": "session.renewed", "session_key": new_key}
            transaction.on_commit(lambda: group_tell(session_group(old_key), renewed))
        user.save(update_fields=["password"])


def account_sessions_end(user: User) -> None:
    """Sign the account out on every device. Django checks each session against a hash of
    the password field, so a new unusable password ends them all; a usable one is kept."""
    if not user.has_usable_password():
        user.set_unusable_password()
    user.shown_link_signin_at = None
    user.save(update_fields=["password", "shown_link_signin_at"])
