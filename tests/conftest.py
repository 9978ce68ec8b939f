"""Personas (healthchecks-style): one mediation with a mediator, a party on each side
(A is Alex, B is Sam), Alex's attorney, an observer, and an outsider with no access."""

from __future__ import annotations

import asyncio
import inspect
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from asgiref.sync import SyncToAsync, sync_to_async
from channels.layers import channel_layers
from django.core.cache import cache
from django.db import connections
from django.test import Client

from accounts.models import User
from negotiation import events
from negotiation.models import Mediation, Participant, Role, Room, Side
from negotiation.permissions import visible_rooms
from negotiation.services.mediations import mediation_create, participant_join
from negotiation.socket.db import connections_close as socket_connections_close
from tests.factories import UserFactory
from tests.figures import Figures, figures, pytest_runtest_logreport, pytest_terminal_summary

# The table of figures printed at the end of the run: pytest finds its fixture and hooks
# here, and tests import Figures from here.
__all__ = ["Figures", "figures", "pytest_runtest_logreport", "pytest_terminal_summary"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests last, after all else is green; the long property tests each at the
    head of a different worker's share, so they run side by side from the start."""

    def rank(item: pytest.Item) -> int:
        return 1 if item.get_closest_marker("e2e") is not None else 0

    items.sort(key=rank)
    long = [item for item in items if "caucus_leaks" in item.nodeid]
    rest = [item for item in items if "caucus_leaks" not in item.nodeid]
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    heads = share_starts(len(items), workers)
    # Long test j goes to share j % workers; insertion in ascending order of final position.
    placed = sorted(
        ((heads[j % workers] + j // workers, item) for j, item in enumerate(long)),
        key=lambda pair: pair[0],
    )
    items[:] = rest
    for position, item in placed:
        items.insert(position, item)


def share_starts(count: int, workers: int) -> list[int]:
    """Where each worker's first share of the collection starts under pytest-xdist's
    `--dist worksteal`, which splits the pending tests evenly into contiguous runs."""
    starts, position, remaining = [], 0, count
    for k in range(workers):
        starts.append(position)
        share = remaining // (workers - k)
        position, remaining = position + share, remaining - share
    return starts


@dataclass
class Cast:
    mediation: Mediation
    side_a: Side
    side_b: Side
    users: dict[str, User]
    participants: dict[str, Participant] = field(default_factory=dict)

    def __getattr__(self, name: str) -> User:
        try:
            return self.__dict__["users"][name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def joint(self) -> Room:
        return Room.objects.get(mediation=self.mediation, kind=Room.Kind.JOINT)

    def caucus(self, side: Side) -> Room:
        return Room.objects.get(mediation=self.mediation, side=side)

    def audience(self, group: str) -> set[str]:
        """The personas whose connections belong to a room's channel group."""
        return {
            name
            for name, participant in self.participants.items()
            if any(room.group_name == group for room in visible_rooms(participant))
        }


PERSONAS = ("mediator", "party_a", "party_b", "attorney_a", "observer", "outsider")


def run(cast: Cast, who: str, name: str, **data: Any) -> dict[str, Any]:
    """Run a client command as a persona, as the socket and REST do."""
    from negotiation.commands import command_execute

    # Fresh from the database, as the socket and REST load it for every command.
    actor = Participant.objects.select_related("mediation", "side", "user").get(
        pk=cast.participants[who].pk
    )
    return command_execute(actor=actor, client_id=str(uuid.uuid4()), name=name, data=data)


def accept(cast: Cast, who: str, proposal: int, *, version: int = 0, **data: Any) -> dict[str, Any]:
    """A persona accepts a proposal for their side, saying they have the information they
    need to decide, as the Accept form does."""
    return run(cast, who, "proposal.respond", proposal=proposal, answer="accept",
               version=version, informed=True, **data)  # fmt: skip


def confirm(cast: Cast, who: str, decision: int) -> dict[str, Any]:
    """A persona confirms a waiting decision for their side, saying (for an agreement)
    they have the information they need to decide, as the Confirm button does."""
    return run(cast, who, "decision.answer", decision=decision, answer="confirm", informed=True)


def status_matrix(
    cast: Cast, method: str, url: str, data: Any = None, who: tuple[str, ...] = PERSONAS
) -> dict[str, int]:
    """The status code each persona (and an anonymous caller) gets, Taiga-style."""
    from rest_framework.test import APIClient

    codes = {}
    for name in (*who, "anonymous"):
        client = APIClient()
        if name != "anonymous":
            client.force_login(getattr(cast, name))
        codes[name] = getattr(client, method)(url, data).status_code
    return codes


def acknowledge_rule(cast: Cast, *who: str) -> None:
    """The personas accept the case's confidentiality rule, as on first entering."""
    cast.mediation.refresh_from_db()
    for name in who or tuple(cast.participants):
        run(cast, name, "rule.acknowledge", rule=cast.mediation.confidentiality_rule)


def expert_join(cast: Cast, side: Side | None = None) -> Participant:
    """An advisor the mediator brings in, for one side's caucus (or the joint room)."""
    from django.db import transaction

    user = UserFactory.create(email="eve@example.com", name="Eve")
    with transaction.atomic():
        expert = participant_join(mediation=cast.mediation, user=user, role=Role.EXPERT, side=side)
    cast.users["expert"] = user
    cast.participants["expert"] = expert
    return expert


def cast_create() -> Cast:
    mediator = UserFactory.create(email="maya@example.com", name="Maya", is_mediator=True)
    mediation = mediation_create(creator=mediator, title="Alex & Sam", side_names=["Alex", "Sam"])
    side_a, side_b = mediation.sides.order_by("order")
    users = {
        "mediator": mediator,
        "party_a": UserFactory.create(email="alex@example.com", name="Alex"),
        "party_b": UserFactory.create(email="sam@example.com", name="Sam"),
        "attorney_a": UserFactory.create(email="jordan@example.com", name="Jordan"),
        "observer": UserFactory.create(email="olive@example.com", name="Olive"),
        "outsider": UserFactory.create(email="otto@example.com", name="Otto"),
    }
    cast = Cast(mediation=mediation, side_a=side_a, side_b=side_b, users=users)
    cast.participants["mediator"] = Participant.objects.get(mediation=mediation, user=mediator)
    from django.db import transaction

    with transaction.atomic():
        for name, role, side in [
            ("party_a", Role.PARTY, side_a),
            ("party_b", Role.PARTY, side_b),
            ("attorney_a", Role.ATTORNEY, side_a),
            ("observer", Role.OBSERVER, None),
        ]:
            cast.participants[name] = participant_join(
                mediation=mediation, user=users[name], role=role, side=side
            )
    for participant in cast.participants.values():
        participant.refresh_from_db()
    return cast


@pytest.fixture
def staff(db: None) -> Client:
    """A signed-in superuser's client, for the admin."""
    client = Client()
    client.force_login(
        UserFactory.create(email="ops@example.com", is_staff=True, is_superuser=True)
    )
    return client


@pytest.fixture
def cast(db: None) -> Cast:
    return cast_create()


@pytest.fixture
def live_cast(transactional_db: None) -> Cast:
    """The cast, committed: for tests where another thread or process reads it."""
    return cast_create()


@pytest.fixture(autouse=True)
def _sync_thread_connections_closed(request: pytest.FixtureRequest) -> Iterator[None]:
    """Async tests reach the database through asgiref's one thread for synchronous code,
    where the test client leaves connections open after its requests; close them, or the
    test database cannot be dropped at the end of the run."""
    yield
    if inspect.iscoroutinefunction(getattr(request, "function", None)):
        asyncio.run(sync_to_async(connections.close_all)())


@pytest.fixture(autouse=True)
def _fresh_channel_layer(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each async test gets a channel layer of its own. Every test runs in an event loop
    of its own, and channels_redis keeps per-loop state (its receive lock): a consumer
    cancelled mid-receive when one test's loop ended would leave that lock held for the
    next test's loop."""
    yield
    if inspect.iscoroutinefunction(getattr(request, "function", None)):
        channel_layers.backends.clear()
        # The test's own sync_to_async calls run in asgiref's one thread, and the
        # sockets' database work in threads of their own (negotiation/socket/db.py):
        # their connections are closed here, so the test database can be dropped.
        SyncToAsync.single_thread_executor.submit(connections.close_all).result()
        socket_connections_close()


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    # Rate limit counters and throttles live in the cache.
    cache.clear()
    yield
    cache.clear()


@dataclass
class SentEvents:
    sent: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def named(self, name: str) -> list[tuple[str, dict[str, Any]]]:
        return [(group, frame) for group, frame in self.sent if frame["name"] == name]


@pytest.fixture
def sent_events(monkeypatch: pytest.MonkeyPatch) -> SentEvents:
    """Records what would go to the channel layer, in order, and still sends it."""
    recorder = SentEvents()
    original = events.event_send

    def record(group: str, frame: dict[str, Any]) -> None:
        recorder.sent.append((group, frame))
        original(group, frame)

    monkeypatch.setattr(events, "event_send", record)
    return recorder
