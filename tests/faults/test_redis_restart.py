"""Redis killed and started again (empty: a restart is a flush) mid-session, 20 times,
under a running Daphne: no socket is lost, no acknowledged edit is lost, and every client
converges with the database within 5 s of Redis returning: the server tells each socket,
unasked, where each room's log stands once Redis is back (a pong with each room's last
seq), so a client that missed events syncs without waiting for its next heartbeat."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable

from websockets.sync.client import connect

from negotiation.models import CommandReceipt, Issue
from tests.conftest import Cast
from tests.faults.client import ClientLoop, LiveClient
from tests.faults.conftest import SERVICES_ONLY, converged, daphne_on, unique_title
from tests.figures import Figures
from tests.servers import Redis

RESTARTS = 20
CONVERGE_WITHIN = 5.0


def hello_type(server: str, cast: Cast, cookie: str) -> str:
    """The type of the first frame a new socket gets (or why it got none)."""
    url = server.replace("http://", "ws://") + f"/ws/mediations/{cast.mediation.pk}/"
    try:
        with connect(url, origin=server, additional_headers={"Cookie": cookie},  # type: ignore[arg-type]
                     open_timeout=5) as ws:  # fmt: skip
            return str(json.loads(ws.recv(timeout=5))["type"])
    except Exception as error:
        return repr(error)


pytestmark = SERVICES_ONLY


def test_redis_restarts_lose_no_socket_and_no_edit(
    live_cast: Cast, redis: Redis, clients_of: Callable[..., list[LiveClient]], figures: Figures
) -> None:
    server = daphne_on(redis)
    server.start()
    # A browser's heartbeat (15 s): the server tells each socket when Redis is back, so
    # convergence within 5 s cannot lean on the clients' own pings.
    clients = clients_of([server.url], "mediator", "party_a", "party_b", heartbeat=15.0)
    rng = random.Random(RESTARTS)
    made: dict[str, tuple[LiveClient, str]] = {}  # command id -> (client, title)
    slowest = 0.0
    handshakes: list[str] = []
    try:
        with ClientLoop(clients) as loop:
            loop.until(lambda: converged(loop, live_cast.joint), 30)
            for restart in range(RESTARTS):
                for client in clients:
                    title = unique_title(f"{restart} {client.name} before")
                    made[loop.command(client, "issue.create", title=title)] = (client, title)
                time.sleep(rng.uniform(0, 0.1))
                redis.stop()
                # Edits made while Redis is away: stored, acknowledged, and told later.
                for client in clients:
                    title = unique_title(f"{restart} {client.name} during")
                    made[loop.command(client, "issue.create", title=title)] = (client, title)
                # A socket opened meanwhile is let in (it was answered 500).
                handshakes.append(hello_type(server.url, live_cast, clients[0].cookie))
                time.sleep(rng.uniform(0.05, 0.2))
                redis.start()
                took = loop.until(lambda: converged(loop, live_cast.joint), CONVERGE_WITHIN)
                slowest = max(slowest, took)
            connections = {client.name: len(client.connected_to) for client in clients}
            closes = {client.name: client.closes for client in clients}
    finally:
        server.stop()
    print(f"slowest convergence after Redis returned: {slowest:.2f} s")

    titles = set(Issue.objects.values_list("title", flat=True))
    acknowledged = [
        (client, title) for frame_id, (client, title) in made.items() if frame_id in client.results
    ]
    lost = [title for _, title in acknowledged if title not in titles]
    twice = [id_ for client in clients for id_, count in client.acks.items() if count > 1]
    figures.add("Redis restarts", faults=RESTARTS, edits=len(made), failures=len(lost) + len(twice))
    assert handshakes == ["hello"] * RESTARTS
    assert len(acknowledged) == len(made)
    assert lost == []
    assert Issue.objects.count() == len(made)
    assert CommandReceipt.objects.filter(name="issue.create").count() == len(made)
    # No socket was lost: each client is still on the connection it opened.
    assert connections == {client.name: 1 for client in clients}, closes
