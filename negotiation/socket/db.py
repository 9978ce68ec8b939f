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
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor, wait
from typing import ParamSpec, TypeVar

from channels.db import DatabaseSyncToAsync
from django.conf import settings
from django.db import connections

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


def database_call(func: Callable[P, R]) -> Callable[P, Awaitable[R]]:
    """`func` made awaitable, run in the socket's database threads (closing stale
    connections before and after, as Channels does)."""
    size = pool_size()
    if size == 1:
        return DatabaseSyncToAsync(func)
    return DatabaseSyncToAsync(func, thread_sensitive=False, executor=_pool(size))


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
