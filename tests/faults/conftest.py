"""Faults injected into a running Parley in the services mode: Daphne processes on the
test database, with a Redis (and a PostgreSQL) of the test's own that it stops and starts,
never the shared ones. The embedded run skips them: it has no Redis to lose, and one
process only."""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from negotiation.models import Room
from negotiation.selectors import room_snapshot
from tests.conftest import Cast, acknowledge_rule
from tests.faults.client import ClientLoop, LiveClient
from tests.negotiation.board_client import normalised
from tests.servers import Daphne, Postgres, Redis

# Each test module's mark (a conftest's own pytestmark marks nothing).
SERVICES_ONLY = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL") or not os.environ.get("REDIS_URL"),
    reason="faults are injected in the services mode (PostgreSQL and Redis) only",
)


@pytest.fixture
def redis() -> Iterator[Redis]:
    """A Redis of this test's own, which it may kill and start again."""
    server = Redis()
    server.start()
    yield server
    server.stop()


def channels_on(redis: Redis) -> dict[str, str]:
    """The settings that make `redis` a server's channel layer, cache and broker."""
    # Clients ping every 0.3 s here: a dead process's sockets leave the groups in 5 s.
    return {
        "REDIS_URL": redis.url,
        "PARLEY_CHANNELS_PREFIX": "parley-fault",
        "PARLEY_CHANNEL_GROUP_EXPIRY": "5",
        # Not a test worker's process: tests/settings.py would move it to another database.
        "PYTEST_XDIST_WORKER": "",
    }


@pytest.fixture
def postgres() -> Iterator[Postgres]:
    """A PostgreSQL cluster of this test's own, running, with an empty `parley` database."""
    folder = Path(tempfile.mkdtemp(prefix="parley-pg-"))
    server = Postgres(folder)
    try:
        server.create()
        yield server
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def daphne_on(redis: Redis) -> Daphne:
    """A Daphne process whose channel layer, cache and broker are `redis`."""
    return Daphne(env=channels_on(redis))


def cookie_of(user: Any) -> str:
    client = Client()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}"


@pytest.fixture
def clients_of(live_cast: Cast) -> Callable[..., list[LiveClient]]:
    """Clients for some personas, on these servers; the rule acknowledged, so they may
    edit. Their backoff's jitter is seeded, so a failure can be replayed."""
    acknowledge_rule(live_cast)
    seed = random.randrange(2**32)
    print(f"client seed {seed}")

    def make(servers: list[str], *who: str, heartbeat: float = 0.3) -> list[LiveClient]:
        rng = random.Random(seed)
        return [
            LiveClient(
                name,
                # Each client starts on another server, in turn.
                servers=servers[i % len(servers) :] + servers[: i % len(servers)]
                if servers
                else [],
                mediation_id=str(live_cast.mediation.pk),
                cookie=cookie_of(live_cast.users[name]),
                rng=random.Random(rng.random()),
                heartbeat=heartbeat,
            )
            for i, name in enumerate(who)
        ]

    return make


def converged(loop: ClientLoop, joint: Room) -> bool:
    """Every client holds exactly the board the database holds, and waits for nothing."""
    joint.refresh_from_db()
    loop.target = joint.last_seq
    if not all(loop.caught_up(client, joint.last_seq) for client in loop.clients):
        return False
    board = normalised(room_snapshot(joint)["data"])
    return all(normalised(state.data) == board for _, state in loop.states())


def unique_title(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:6]}"
