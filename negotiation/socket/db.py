"""Where a socket's database work runs.

Channels runs every `database_sync_to_async` call of a process in one thread, one call
after another: with hundreds of sockets, a room event waits behind every other socket's
commands and checks, while the database itself sits idle between round trips. Against
PostgreSQL this process instead runs them on a small pool of threads
(`PARLEY_SOCKET_DB_THREADS`, each with its own connection), so they overlap their waits
on the database. That is safe because every call is a whole unit of work: it opens and
ends its own transaction (services take the room's lock inside it), shares no
connection or transaction with another call, and one socket awaits each call before
its next, so its own calls keep their order. SQLite (the embedded mode) takes one
writer at a time anyway: there the calls stay in Channels' one thread.

Django's connection health check (CONN_HEALTH_CHECKS: a `SELECT 1` before a connection
is used again) runs once per request, and every call here counts as one: a busy thread
paid a round trip per call for it, a tenth of a join. A connection that answered within
HEALTH_CHECK_EVERY is taken as alive; one that failed is closed after its call, as
before, and an idle one is checked.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor, wait
from typing import Any, ParamSpec, TypeVar

from asgiref.sync import SyncToAsync
from channels.db import DatabaseSyncToAsync
from django.conf import settings
from django.db import close_old_connections, connections

P = ParamSpec("P")
R = TypeVar("R")


def pool_size() -> int:
    """The threads of the pool, or 1: Channels' own single database thread."""
    if connections["default"].vendor == "sqlite":
        return 1
    return max(1, int(settings.PARLEY_SOCKET_DB_THREADS))


@functools.cache
def _pool(size: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=size, thread_name_prefix="socket-db")


# A connection that answered this recently (seconds) is not health-checked again.
HEALTH_CHECK_EVERY = 1.0
# Per thread: the DB-API connection that last answered a call, and when.
_answered = threading.local()


class SocketDatabaseCall(DatabaseSyncToAsync):
    """Channels' call, stale connections closed before and after, with the health
    check of a connection that just answered left out."""

    def thread_handler(self, loop: Any, *args: Any, **kwargs: Any) -> Any:
        close_old_connections()
        connection = connections["default"]
        raw, at = getattr(_answered, "last", (None, -HEALTH_CHECK_EVERY))
        if (
            raw is not None
            and raw is connection.connection
            and time.monotonic() - at < HEALTH_CHECK_EVERY
        ):
            connection.health_check_done = True  # type: ignore[attr-defined]
        try:
            return SyncToAsync.thread_handler(self, loop, *args, **kwargs)
        finally:
            if connection.connection is not None and not connection.errors_occurred:
                _answered.last = (connection.connection, time.monotonic())
            else:
                _answered.last = (None, 0.0)
            close_old_connections()


def database_call(func: Callable[P, R]) -> Callable[P, Awaitable[R]]:
    """`func` made awaitable, run in the socket's database threads (closing stale
    connections before and after, as Channels does)."""
    size = pool_size()
    if size == 1:
        return SocketDatabaseCall(func)
    return SocketDatabaseCall(func, thread_sensitive=False, executor=_pool(size))


def connections_close() -> None:
    """Close the database connections of every thread of the pool (as at a process's
    end, or before a database is dropped): one task per thread, held at a barrier until
    each thread has taken one."""
    size = pool_size()
    if size == 1 or _pool.cache_info().currsize == 0:
        return
    barrier = threading.Barrier(size, timeout=10)

    def close() -> None:
        barrier.wait()
        connections.close_all()

    wait([_pool(size).submit(close) for _ in range(size)])
