"""Two Daphne processes serve one mediation, sharing Redis and PostgreSQL: a client on
each sees the other's presence and edits. Then one of them is killed (SIGKILL, no close
frames) mid-session, several times, in turn. Its clients reconnect to the other with backoff
and jitter and converge with the database; what they had not had answered is sent again
once, with the same ids, and runs once. (The killed one comes back at once, forked from a
process that loaded Parley already, so that 20 kills take seconds, not minutes.)"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from negotiation.models import CommandReceipt, Issue
from tests.conftest import Cast
from tests.faults.client import ClientLoop, LiveClient
from tests.faults.conftest import SERVICES_ONLY, channels_on, converged, unique_title
from tests.figures import Figures
from tests.servers import DaphneForks, Redis, free_port

# Each kill is one process going and its clients moving: a few of each, in turn, prove
# it; more only lengthen the run.
KILLS = 6
CONVERGE_WITHIN = 10.0

pytestmark = SERVICES_ONLY


def test_a_killed_daphne_s_clients_move_to_the_other_and_lose_nothing(
    live_cast: Cast, redis: Redis, clients_of: Callable[..., list[LiveClient]], figures: Figures
) -> None:
    ports = [free_port(), free_port()]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    rng = random.Random(KILLS)
    made: dict[str, tuple[LiveClient, str]] = {}
    slowest = 0.0
    with DaphneForks(channels_on(redis)) as servers:
        for port in ports:
            servers.start(port)
        clients = clients_of(urls, "mediator", "party_b")
        mediator, party = clients
        ids = {client: live_cast.participants[client.name].pk for client in clients}

        def each_told_of_the_other(connections: int) -> bool:
            return (
                loop.seen(mediator, ids[party]) >= connections
                and loop.seen(party, ids[mediator]) >= connections
            )

        with ClientLoop(clients) as loop:
            loop.until(lambda: converged(loop, live_cast.joint), 30)
            # One on each process: each is told the other is here, and has the other's edit.
            assert mediator.connected_to == [urls[0]]
            assert party.connected_to == [urls[1]]
            loop.until(lambda: each_told_of_the_other(1), 10)
            for client in clients:
                title = unique_title(f"{client.name} across")
                made[loop.command(client, "issue.create", title=title)] = (client, title)
            loop.until(lambda: converged(loop, live_cast.joint), CONVERGE_WITHIN)
            for kill in range(KILLS):
                victim = ports[kill % 2]
                for client in clients:
                    title = unique_title(f"{kill} {client.name} before")
                    made[loop.command(client, "issue.create", title=title)] = (client, title)
                time.sleep(rng.uniform(0, 0.05))
                servers.kill(victim)
                for client in clients:
                    title = unique_title(f"{kill} {client.name} after")
                    made[loop.command(client, "issue.create", title=title)] = (client, title)
                took = loop.until(lambda: converged(loop, live_cast.joint), CONVERGE_WITHIN)
                slowest = max(slowest, took)
                servers.start(victim)
            # Each was cut off KILLS / 2 times; every reconnection was announced to the other.
            loop.until(lambda: each_told_of_the_other(1 + KILLS // 2), 10)
    print(f"slowest convergence after a kill: {slowest:.2f} s")

    titles = list(Issue.objects.values_list("title", flat=True))
    lost = [title for _, title in made.values() if title not in titles]
    twice = [id_ for client in clients for id_, count in client.acks.items() if count > 1]
    refused = [frame for client in clients for frame in client.refused.values()]
    figures.add(
        "Daphne kills, two processes",
        faults=KILLS,
        edits=len(made),
        failures=len(lost) + len(twice) + len(refused),
    )
    assert refused == []
    assert lost == []
    assert twice == []
    assert sorted(titles) == sorted(title for _, title in made.values())
    assert CommandReceipt.objects.filter(name="issue.create").count() == len(made)
    # Each command went out at most twice: once, and once more after its reconnect.
    assert max(count for client in clients for count in client.sends.values()) <= 2
    assert any(count == 2 for client in clients for count in client.sends.values())
    # Every client was cut off and came back, to both servers in turn, waiting between.
    for client in clients:
        assert len(client.connected_to) > KILLS // 2
        assert set(client.connected_to) == set(urls)
        assert client.delays
