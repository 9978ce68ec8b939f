"""Sessions and the sockets opened with them.

A socket is opened with a browser session and must not outlive it: signing out closes
that session's sockets; anything that changes what a session's credentials are worth (a
new password set anywhere, all sessions ended, the account deactivated) tells every
socket of the account to check its own session again, and those whose session no longer
holds close. The sockets ask `session_holds` (negotiation/socket reads it).
"""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY, logout, update_session_auth_hash
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


def session_auth_hash(session_key: str | None) -> tuple[str | None, str | None]:
    """The user id and password hash a stored session holds ((None, None) when it is
    gone: signed out, flushed or expired)."""
    if not session_key:
        return None, None
    engine = import_module(settings.SESSION_ENGINE)
    data = engine.SessionStore(session_key).load()
    return data.get(SESSION_KEY), data.get(HASH_SESSION_KEY)


def session_holds(*, user_id: int, session_key: str | None) -> str | None:
    """The session's current auth hash if it still signs in `user_id` (stored, not
    expired, the account active, the hash that of the current password), else None."""
    stored_user, stored_hash = session_auth_hash(session_key)
    if stored_user is None or stored_hash is None or str(stored_user) != str(user_id):
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not constant_time_compare(stored_hash, user.get_session_auth_hash()):
        return None
    return str(stored_hash)


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
