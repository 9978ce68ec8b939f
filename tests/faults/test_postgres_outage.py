"""PostgreSQL away for a moment (an immediate shutdown, as a crash or a failover looks,
then back), under a running Daphne on a copy of the test database in a cluster of this
test's own: commands sent meanwhile get a clear retryable error, the socket stays, and
each command sent again runs once when the database is back. Nothing is acknowledged
that is not stored."""

from __future__ import annotations

import time
from collections.abc import Callable

import psycopg

from tests.conftest import Cast
from tests.faults.client import ClientLoop, LiveClient
from tests.faults.conftest import SERVICES_ONLY, channels_on, unique_title
from tests.figures import Figures
from tests.servers import Daphne, Postgres, Redis

OUTAGES = 3

pytestmark = SERVICES_ONLY


def test_commands_while_the_database_is_away_are_refused_for_retry_and_none_is_lost(
    live_cast: Cast,
    redis: Redis,
    clients_of: Callable[..., list[LiveClient]],
    figures: Figures,
    postgres: Postgres,
) -> None:
    clients = clients_of([], "party_a")  # made first: their sessions are in the copy
    server = None
    try:
        postgres.copy_of_test_database()
        server = Daphne(
            env=channels_on(redis) | {"DATABASE_URL": postgres.url, "PARLEY_LIVE_TEST_DB": "parley"}
        )
        server.start()
        (alex,) = clients
        alex.servers = [server.url]
        made: list[tuple[str, str]] = []
        with ClientLoop(clients) as loop:
            loop.until(lambda: alex.ready, 30)
            for outage in range(OUTAGES):
                title = unique_title(f"{outage} before")
                made.append((loop.command(alex, "issue.create", title=title), title))
                loop.until(lambda: not alex.pending, 10)
                postgres.stop()
                refused = len(alex.retryable)
                for when in ("during", "during, too"):
                    title = unique_title(f"{outage} {when}")
                    made.append((loop.command(alex, "issue.create", title=title), title))
                loop.until(lambda: len(alex.retryable) >= refused + 2, 10)  # noqa: B023
                # Nothing was acknowledged while the database was away.
                assert len(alex.pending) == 2
                time.sleep(0.5)
                postgres.start()
                loop.until(lambda: not alex.pending, 15)
            connections = len(alex.connected_to)
        with psycopg.connect(f"{postgres.url}", autocommit=True) as db:
            stored = [
                row[0]
                for row in db.execute(
                    "SELECT title FROM negotiation_issue WHERE title = ANY(%s)",
                    [[title for _, title in made]],
                )
            ]
            receipts = {
                row[0]
                for row in db.execute(
                    "SELECT client_id FROM negotiation_commandreceipt WHERE name = 'issue.create'"
                )
            }
    finally:
        if server is not None:
            server.stop()
    codes = {frame["code"] for frame in alex.retryable}
    acknowledged = [frame_id for frame_id, _ in made if frame_id in alex.results]
    unstored = [frame_id for frame_id in acknowledged if frame_id not in receipts]
    lost = [title for _, title in made if title not in stored]
    figures.add(
        "PostgreSQL outages",
        faults=OUTAGES,
        edits=len(made),
        failures=len(unstored) + len(lost) + len(stored) - len(set(stored)),
    )
    assert codes == {"unavailable"}
    assert all(frame["details"]["retry_after"] > 0 for frame in alex.retryable)
    assert "database" in alex.retryable[0]["message"]
    assert unstored == []
    assert lost == []
    assert sorted(stored) == sorted(title for _, title in made)
    assert acknowledged == [frame_id for frame_id, _ in made]
    # The socket stayed open through every outage.
    assert connections == 1
