"""Where a socket's database work runs (negotiation/socket/db.py): a connection that has
just answered a call is not asked `SELECT 1` before the next one, an idle one is, and a
connection that failed is never taken as alive; a handshake's session and user are read
there too."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels import auth
from django.db import DatabaseError, connections

from negotiation.models import Mediation
from negotiation.socket import db
from negotiation.socket.db import database_call, pool_size
from tests.conftest import Cast
from tests.negotiation.test_socket import next_frame, open_socket, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
async def checks(monkeypatch: pytest.MonkeyPatch, settings: Any) -> AsyncIterator[list[int]]:
    """The health checks made, with connections kept between calls and checked before
    reuse, as in production (the test settings close each connection after its use);
    every call in one thread, so on one connection."""
    settings.PARLEY_SOCKET_DB_THREADS = 1
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 60)
    monkeypatch.setitem(connections.settings["default"], "CONN_HEALTH_CHECKS", True)
    made: list[int] = []
    wrapper = type(connections["default"])
    is_usable = wrapper.is_usable

    def counted(self: Any) -> bool:
        made.append(1)
        return bool(is_usable(self))

    monkeypatch.setattr(wrapper, "is_usable", counted)
    yield made
    await database_call(connections.close_all)()


async def test_a_connection_that_just_answered_is_not_checked_again(
    checks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    count = database_call(Mediation.objects.count)
    for _ in range(20):
        await count()
    assert checks == []
    # Idle for longer than the interval: checked before it is used again.
    monkeypatch.setattr(db, "HEALTH_CHECK_EVERY", 0.0)
    for _ in range(4):
        await count()
    assert checks


async def test_a_connection_that_failed_is_checked_before_its_next_use(
    checks: list[int],
) -> None:
    def failing() -> None:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table")

    count = database_call(Mediation.objects.count)
    await count()
    await count()
    assert checks == []
    with pytest.raises(DatabaseError):
        await database_call(failing)()
    # Django checks a connection after an error on it; the next call checks it again,
    # instead of taking its last answer as a sign of life.
    after_error = len(checks)
    assert after_error >= 1
    await count()
    assert len(checks) == after_error + 1
    await count()
    assert len(checks) == after_error + 1


async def test_a_handshake_reads_its_session_and_user_on_the_sockets_database_threads(
    live_cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Not on Channels' one database thread, where every handshake waited behind the others.
    threads: list[str] = []
    get_user = auth.get_user.func

    def recorded(scope: Any) -> Any:
        threads.append(threading.current_thread().name)
        return get_user(scope)

    monkeypatch.setattr(auth.get_user, "func", recorded)
    cookie = await sync_to_async(session_cookie)(live_cast.users["party_a"])
    socket = await open_socket(live_cast, cookie)
    hello = await next_frame(socket)
    await socket.disconnect()
    assert hello["participant"]["id"] == live_cast.participants["party_a"].pk
    assert len(threads) == 1
    if pool_size() > 1:
        assert threads[0].startswith("socket-db")
