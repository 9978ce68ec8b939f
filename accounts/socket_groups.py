"""The channel groups an account's sockets join, and what is sent to them. Kept apart
from the services so that the user model can tell the sockets about a change to its own
credentials without importing the services that use the model."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import threading
import weakref
from collections import deque
from typing import Any

from asgiref.sync import SyncToAsync, async_to_sync
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


def group_post(group: str, message: dict[str, Any]) -> None:
    """Send soon, without waiting. In a thread a server's event loop runs synchronous code
    in (a socket's database work, a view), the send is handed to that loop and this returns
    at once: the thread, which serves every socket's database work, does not wait on the
    channel layer's round trips. Sends to one group leave in the order posted; a failure
    is logged. Elsewhere it is group_tell."""
    loop = _server_loop()
    if loop is None:
        group_tell(group, message)
        return
    try:
        loop.call_soon_threadsafe(_outbox_post, group, message)
    except RuntimeError:  # the loop closed meanwhile: the process is stopping
        logger.warning("Could not post %s to %s: the event loop is closed", message["type"], group)


# Sends waiting in one process, past which more are dropped (and logged): clients catch
# up from the log, and a channel layer that is down must not grow memory without bound.
OUTBOX_LIMIT = 10_000


class _Outbox:
    """The sends posted to one event loop: a queue per group, each drained by a task of
    its own, so one group's sends keep their order and groups do not wait on each other."""

    def __init__(self) -> None:
        self.queues: dict[str, deque[dict[str, Any]]] = {}
        self.size = 0
        self.tasks: set[asyncio.Task[None]] = set()

    def post(self, group: str, message: dict[str, Any]) -> None:
        if self.size >= OUTBOX_LIMIT:
            logger.warning("Dropped %s to %s: %d sends wait", message["type"], group, self.size)
            return
        self.size += 1
        queue = self.queues.get(group)
        if queue is not None:
            queue.append(message)
            return
        self.queues[group] = deque([message])
        task = asyncio.get_running_loop().create_task(self._drain(group))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _drain(self, group: str) -> None:
        queue = self.queues[group]
        try:
            while queue:
                message = queue[0]
                try:
                    layer = get_channel_layer()
                    if layer is not None:
                        await layer.group_send(group, message)
                except Exception:
                    logger.exception("Could not send %s to %s", message.get("type"), group)
                queue.popleft()
                self.size -= 1
        finally:
            # No await between the last check and this: a post now starts a new drain.
            self.size -= len(queue)
            del self.queues[group]


_outboxes: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Outbox] = (
    weakref.WeakKeyDictionary()
)


def _outbox_post(group: str, message: dict[str, Any]) -> None:
    loop = asyncio.get_running_loop()
    outbox = _outboxes.get(loop)
    if outbox is None:
        outbox = _outboxes[loop] = _Outbox()
    outbox.post(group, message)


def _server_loop() -> asyncio.AbstractEventLoop | None:
    """The running event loop this synchronous thread works for (asgiref's SyncToAsync
    records it), if any; None in a thread that runs a loop itself or has none."""
    if _loop_running():
        return None
    recorded = SyncToAsync.threadlocal
    loop: asyncio.AbstractEventLoop | None = getattr(recorded, "main_event_loop", None)
    pid = getattr(recorded, "main_event_loop_pid", None)
    if loop is None or pid != os.getpid() or loop.is_closed() or not loop.is_running():
        return None
    return loop


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
