"""The channel groups an account's sockets join, and what is sent to them. Kept apart
from the services so that the user model can tell the sockets about a change to its own
credentials without importing the services that use the model."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


def user_group(user_id: int) -> str:
    """The channel group of every socket an account has open, on any device."""
    return f"user.{user_id}"


def session_group(session_key: str) -> str:
    """The channel group of one browser session's sockets, closed when it signs out."""
    return "session." + hashlib.sha256(session_key.encode()).hexdigest()[:32]


def group_tell(group: str, message: dict[str, Any]) -> None:
    """Send now. The sockets also check their session on every command and heartbeat,
    so a message the channel layer loses delays a close, it does not prevent one."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        if _loop_running():
            _send_from_another_thread(layer, group, message)
        else:
            async_to_sync(layer.group_send)(group, message)
    except Exception:
        logger.exception("Could not send %s to %s", message.get("type"), group)


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _send_from_another_thread(layer: Any, group: str, message: dict[str, Any]) -> None:
    """Synchronous code running in a thread that holds an event loop (a script or test
    driving Playwright's sync API, say) cannot block that loop on the send: the send runs
    in a thread of its own, and this waits for it."""
    failure: list[BaseException] = []

    def send() -> None:
        try:
            async_to_sync(layer.group_send)(group, message)
        except BaseException as error:  # re-raised below, in the caller's thread
            failure.append(error)

    thread = threading.Thread(target=send, name="group-send")
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


def credentials_changed(user_id: int) -> None:
    """After commit, have every socket of the account check that its session still
    holds. User.save calls it whenever the password or the active flag changes."""
    transaction.on_commit(lambda: group_tell(user_group(user_id), {"type": "credentials.changed"}))
