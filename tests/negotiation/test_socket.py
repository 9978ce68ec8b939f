"""The mediation socket through the real stack: origin check, session auth, routing."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client, override_settings

from negotiation.consumers import MAX_FRAME_BYTES
from negotiation.services.mediations import side_add
from tests.conftest import Cast

pytestmark = pytest.mark.django_db(transaction=True)


def session_cookie(user: object) -> bytes:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    name = settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}".encode()


Connect = Callable[..., "AsyncIterator[WebsocketCommunicator]"]


def communicator(
    path: str, cookie: bytes | None = None, origin: bytes = b"http://127.0.0.1:8000"
) -> WebsocketCommunicator:
    from config.asgi import websocket_application

    headers = [(b"origin", origin), (b"host", b"127.0.0.1:8000")]
    if cookie:
        headers.append((b"cookie", cookie))
    return WebsocketCommunicator(websocket_application(), path, headers=headers)


@pytest.fixture
def cookies(live_cast: Cast) -> dict[str, bytes]:
    return {name: session_cookie(user) for name, user in live_cast.users.items()}


async def next_frame(socket: WebsocketCommunicator) -> dict[str, Any]:
    """The next frame that is not presence (connections announce themselves)."""
    while True:
        frame: dict[str, Any] = await socket.receive_json_from(timeout=2)
        if frame["type"] != "presence":
            return frame


async def open_socket(cast: Cast, cookie: bytes | None) -> WebsocketCommunicator:
    socket = communicator(f"/ws/mediations/{cast.mediation.pk}/", cookie)
    connected, _ = await socket.connect()
    assert connected
    return socket


async def test_a_participant_connects_and_gets_hello(live_cast: Cast, cookies) -> None:
    socket = await open_socket(live_cast, cookies["party_a"])
    hello = await next_frame(socket)
    await socket.disconnect()
    assert hello["type"] == "hello"
    assert hello["participant"]["role"] == "party"
    assert set(hello["rooms"]) == {"joint", f"caucus:{live_cast.side_a.pk}"}


async def test_ping_gets_pong(live_cast: Cast, cookies) -> None:
    socket = await open_socket(live_cast, cookies["observer"])
    await next_frame(socket)
    await socket.send_json_to({"type": "ping"})
    reply = await next_frame(socket)
    await socket.disconnect()
    assert reply == {"type": "pong"}


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("{not json", "malformed"),
        ("[1, 2]", "malformed"),
        ('{"no": "type"}', "malformed"),
        ('{"type": "teleport", "id": "c1"}', "unknown_type"),
        ('{"type": "__class__"}', "unknown_type"),
        ('{"type": "ping", "pad": "' + "x" * MAX_FRAME_BYTES + '"}', "too_large"),
    ],
)
async def test_bad_frames_get_an_error_and_the_socket_stays_open(
    live_cast: Cast, cookies, frame: str, code: str
) -> None:
    socket = await open_socket(live_cast, cookies["party_b"])
    await next_frame(socket)
    await socket.send_to(text_data=frame)
    error = await next_frame(socket)
    await socket.send_json_to({"type": "ping"})
    still_open = await next_frame(socket)
    await socket.disconnect()
    assert (error["type"], error["code"]) == ("error", code)
    assert error["message"]
    assert still_open == {"type": "pong"}


async def test_binary_frames_get_an_error(live_cast: Cast, cookies) -> None:
    socket = await open_socket(live_cast, cookies["party_b"])
    await next_frame(socket)
    await socket.send_to(bytes_data=b"\x00\x01")
    error = await next_frame(socket)
    await socket.disconnect()
    assert error["code"] == "malformed"


async def test_a_flood_is_rate_limited(live_cast: Cast, cookies) -> None:
    socket = await open_socket(live_cast, cookies["party_b"])
    await next_frame(socket)
    for _ in range(100):
        await socket.send_json_to({"type": "ping"})
    replies = [await next_frame(socket) for _ in range(100)]
    await socket.disconnect()
    assert {"type": "pong"} in replies
    assert any(reply.get("code") == "rate_limited" for reply in replies)


@pytest.mark.parametrize("who", ["outsider", "anonymous"])
async def test_strangers_are_refused_at_the_handshake(live_cast: Cast, cookies, who: str) -> None:
    socket = communicator(f"/ws/mediations/{live_cast.mediation.pk}/", cookies.get(who))
    connected, _ = await socket.connect()
    assert not connected


async def test_a_missing_mediation_is_refused_the_same_way(live_cast: Cast, cookies) -> None:
    for path in ["/ws/mediations/00000000-0000-0000-0000-000000000000/", "/ws/mediations/x/"]:
        socket = communicator(path, cookies["mediator"])
        connected, _ = await socket.connect()
        assert not connected


@override_settings(DEBUG=False, ALLOWED_HOSTS=["parley.example.org"])
async def test_a_foreign_origin_is_refused_under_production_settings(
    live_cast: Cast, cookies
) -> None:
    path = f"/ws/mediations/{live_cast.mediation.pk}/"
    foreign = communicator(path, cookies["party_a"], origin=b"https://evil.example.com")
    own = communicator(path, cookies["party_a"], origin=b"https://parley.example.org")
    foreign_connected, _ = await foreign.connect()
    own_connected, _ = await own.connect()
    await own.disconnect()
    assert not foreign_connected
    assert own_connected


async def test_events_reach_the_room_audience_after_commit(live_cast: Cast, cookies) -> None:
    sockets = {name: await open_socket(live_cast, cookies[name]) for name in live_cast.participants}
    for socket in sockets.values():
        await next_frame(socket)
    await sync_to_async(side_add)(actor=live_cast.participants["mediator"], name="Insurer")
    received = {name: await next_frame(socket) for name, socket in sockets.items()}
    for socket in sockets.values():
        while not await socket.receive_nothing(timeout=0.1):
            assert (await socket.receive_json_from())["type"] == "presence"
        await socket.disconnect()
    assert {frame["name"] for frame in received.values()} == {"side.added"}
    assert json.dumps(received["party_a"]) == json.dumps(received["observer"])
