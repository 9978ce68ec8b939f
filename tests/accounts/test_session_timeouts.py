"""Sessions end by themselves: after PARLEY_SESSION_IDLE_SECONDS without use, and
PARLEY_SESSION_ABSOLUTE_SECONDS after signing in however busy. A request or a socket
command counts as a use; the session's sockets close (4401) at the moment it ends."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client

from accounts.models import User
from accounts.services.sessions import SIGNED_IN_AT, USED_AT
from tests.conftest import Cast, acknowledge_rule, run
from tests.factories import UserFactory
from tests.negotiation.test_socket import communicator, next_frame
from tests.negotiation.test_socket_revocation import frames_until_quiet, is_a

IDLE = settings.PARLEY_SESSION_IDLE_SECONDS
ABSOLUTE = settings.PARLEY_SESSION_ABSOLUTE_SECONDS
# Sockets' sessions end this many seconds after the test signs in: time enough to open
# the socket on a busy machine.
AHEAD = 2.0


def signed_in(user: User, *, signed_in_ago: float = 0, used_ago: float = 0) -> Client:
    """A browser signed in `signed_in_ago` seconds ago, last used `used_ago` ago."""
    client = Client()
    client.force_login(user)
    session = client.session
    now = time.time()
    session[SIGNED_IN_AT] = now - signed_in_ago
    session[USED_AT] = now - used_ago
    session.save()
    return client


def who(client: Client) -> Any:
    return client.get("/api/auth/session/").json()["user"]


def stored(client: Client) -> dict[str, Any] | None:
    row = Session.objects.filter(session_key=client.session.session_key).first()
    return None if row is None else row.get_decoded()


@pytest.fixture
def user(db: None) -> User:
    return UserFactory.create(email="alex@example.com", name="Alex")


def test_it_keeps_a_session_used_within_the_idle_limit(user: User) -> None:
    client = signed_in(user, used_ago=IDLE - 60)
    assert who(client)["email"] == "alex@example.com"
    data = stored(client)
    assert data is not None
    assert time.time() - data[USED_AT] < 5  # the use moved the deadline on


def test_it_ends_a_session_idle_for_longer_than_the_limit(user: User) -> None:
    client = signed_in(user, used_ago=IDLE + 1)
    key = client.session.session_key
    assert who(client) is None
    assert client.get("/api/mediations/").status_code == 403
    assert not Session.objects.filter(session_key=key).exists()


def test_it_ends_a_busy_session_at_the_absolute_limit(user: User) -> None:
    client = signed_in(user, signed_in_ago=ABSOLUTE + 1, used_ago=1)
    assert who(client) is None


def test_it_does_not_write_the_session_on_every_request(user: User) -> None:
    client = signed_in(user, used_ago=10)
    before = stored(client)
    who(client)
    assert before is not None
    assert stored(client) == before


def test_a_new_sign_in_is_stamped(user: User) -> None:
    client = Client()
    client.force_login(user)
    assert who(client) is not None
    data = stored(client)
    assert data is not None
    assert time.time() - data[SIGNED_IN_AT] < 5


def test_an_ended_session_closes_its_sockets(user: User, monkeypatch: pytest.MonkeyPatch) -> None:
    told: list[tuple[str, str]] = []
    monkeypatch.setattr(
        "accounts.services.sessions.group_tell",
        lambda group, message: told.append((group, message["type"])),
    )
    client = signed_in(user, used_ago=IDLE + 1)
    who(client)
    assert [kind for _, kind in told] == ["session.ended"]


# --- sockets ------------------------------------------------------------------------------


def cookie_of(client: Client) -> bytes:
    name = settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}".encode()


async def socket_of(cast: Cast, client: Client) -> Any:
    socket = communicator(f"/ws/mediations/{cast.mediation.pk}/", cookie_of(client))
    assert (await socket.connect())[0]
    await next_frame(socket)
    return socket


def said_in_caucus(cast: Cast, body: str) -> None:
    acknowledge_rule(cast, "party_a")
    run(cast, "party_a", "caucus_message.post", side=cast.side_a.pk, body=body)


@pytest.mark.django_db(transaction=True)
async def test_a_socket_closes_when_its_session_idles_out(live_cast: Cast) -> None:
    client = await sync_to_async(signed_in)(live_cast.users["mediator"], used_ago=IDLE - AHEAD)
    socket = await socket_of(live_cast, client)
    await asyncio.sleep(AHEAD + 0.3)
    await sync_to_async(said_in_caucus)(live_cast, "AFTER-IDLE")
    frames = await frames_until_quiet(socket, closing=True)
    assert {"type": "closed", "code": 4401} in frames
    assert "AFTER-IDLE" not in str(frames)


@pytest.mark.django_db(transaction=True)
async def test_a_socket_closes_at_the_absolute_limit(live_cast: Cast) -> None:
    client = await sync_to_async(signed_in)(
        live_cast.users["party_a"], signed_in_ago=ABSOLUTE - AHEAD
    )
    socket = await socket_of(live_cast, client)
    await asyncio.sleep(AHEAD + 0.3)
    frames = await frames_until_quiet(socket, closing=True)
    assert {"type": "closed", "code": 4401} in frames


@pytest.mark.django_db(transaction=True)
async def test_a_use_elsewhere_keeps_the_socket_open(live_cast: Cast) -> None:
    """The socket reads the session again at its deadline: a request from the same
    browser moved it on, so it stays."""
    client = await sync_to_async(signed_in)(live_cast.users["party_a"], used_ago=IDLE - AHEAD)
    socket = await socket_of(live_cast, client)
    assert (await sync_to_async(who)(client)) is not None
    await asyncio.sleep(AHEAD + 0.3)
    await socket.send_json_to({"type": "ping"})
    frames = await frames_until_quiet(socket, until=is_a("pong"))
    await socket.disconnect()
    assert any(frame["type"] == "pong" for frame in frames)


@pytest.mark.django_db(transaction=True)
async def test_a_command_on_the_socket_is_a_use(live_cast: Cast) -> None:
    client = await sync_to_async(signed_in)(live_cast.users["mediator"], used_ago=IDLE - AHEAD)
    socket = await socket_of(live_cast, client)
    await socket.send_json_to(
        {"type": "command", "id": "c1", "name": "issue.create", "data": {"title": "House"}}
    )
    frames = await frames_until_quiet(socket, until=is_a("ack"))
    await asyncio.sleep(AHEAD + 0.3)
    await socket.send_json_to({"type": "ping"})
    later = await frames_until_quiet(socket, until=is_a("pong"))
    data = await sync_to_async(stored)(client)
    await socket.disconnect()
    assert [frame["type"] for frame in frames if frame["type"] == "ack"] == ["ack"]
    assert any(frame["type"] == "pong" for frame in later)
    assert data is not None
    assert time.time() - data[USED_AT] < 10


@pytest.mark.django_db(transaction=True)
async def test_a_session_past_its_limit_opens_no_socket(live_cast: Cast) -> None:
    client = await sync_to_async(signed_in)(live_cast.users["mediator"], used_ago=IDLE + 1)
    socket = communicator(f"/ws/mediations/{live_cast.mediation.pk}/", cookie_of(client))
    connected, _ = await socket.connect()
    assert not connected


@pytest.mark.django_db(transaction=True)
async def test_nothing_goes_out_past_the_deadline_before_the_timer_checks(
    live_cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The timer is late (here: never runs): a sync past the deadline reads the session
    again and closes instead of answering."""
    monkeypatch.setattr(
        "negotiation.socket.lifetime.Lifetime._session_timer_arm", lambda self: None
    )
    await sync_to_async(said_in_caucus)(live_cast, "BEFORE")
    client = await sync_to_async(signed_in)(live_cast.users["mediator"], used_ago=IDLE - AHEAD)
    socket = await socket_of(live_cast, client)
    await asyncio.sleep(AHEAD + 0.3)
    await socket.send_json_to({"type": "sync", "rooms": {f"caucus:{live_cast.side_a.pk}": 0}})
    frames = await frames_until_quiet(socket, closing=True)
    assert {"type": "closed", "code": 4401} in frames
    assert "BEFORE" not in str(frames)
