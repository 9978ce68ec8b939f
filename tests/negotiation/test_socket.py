"""The mediation socket through the real stack: origin check, session auth, routing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from negotiation.services.mediations import side_add
from negotiation.socket.frames import MAX_FRAME_BYTES
from tests.conftest import Cast, run

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]


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


# A presence frame, or several of one room at once.
PRESENCE_TYPES = ("presence", "presences")


def presence_entries(frames: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The presence frames among `frames`, in order, those a `presences` frame holds
    taken out of it."""
    entries = []
    for frame in frames:
        if frame["type"] == "presence":
            entries.append(frame)
        elif frame["type"] == "presences":
            assert all(entry["room"] == frame["room"] for entry in frame["entries"])
            entries.extend(frame["entries"])
    return entries


async def presence_heard(
    socket: WebsocketCommunicator, wanted: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    """The first presence frame to arrive that is `wanted`, skipping all else."""
    while True:
        frame = await socket.receive_json_from(timeout=2)
        for entry in presence_entries([frame]):
            if wanted(entry):
                return entry


async def next_frame(socket: WebsocketCommunicator) -> dict[str, Any]:
    """The next frame that is not presence (connections announce themselves)."""
    while True:
        frame: dict[str, Any] = await socket.receive_json_from(timeout=2)
        if frame["type"] not in PRESENCE_TYPES:
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


async def test_ping_gets_pong_with_where_each_room_stands(live_cast: Cast, cookies) -> None:
    """The heartbeat's answer carries each room's last seq from the log, so a client whose
    live events were lost (Redis away) notices it is behind and syncs."""
    socket = await open_socket(live_cast, cookies["observer"])
    await next_frame(socket)
    await sync_to_async(run)(live_cast, "mediator", "issue.create", title="House")
    joint = await sync_to_async(lambda: live_cast.joint.last_seq)()
    await socket.send_json_to({"type": "ping"})
    reply = await next_frame(socket)
    while reply["type"] == "event":
        reply = await next_frame(socket)
    await socket.disconnect()
    assert reply == {"type": "pong", "rooms": {"joint": joint}}


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("{not json", "malformed"),
        ("[1, 2]", "malformed"),
        ('{"no": "type"}', "malformed"),
        ('{"type": "teleport", "id": "c1"}', "unknown_type"),
        ('{"type": "__class__"}', "unknown_type"),
        ('{"type": "ping", "pad": "' + "x" * MAX_FRAME_BYTES + '"}', "too_large"),
        ("[" * 30000 + "]" * 30000, "malformed"),
        ('{"type": "ping", "x": ' + "[" * 40 + "]" * 40 + "}", "malformed"),
        ('{"type": "ping", "x": NaN}', "malformed"),
        (
            '{"type": "command", "id": "c1", "name": "notifications.read", "data": {"ids": ['
            + str(2**70)
            + "]}}",
            "invalid",
        ),
        (
            '{"type": "command", "id": "c1", "name": "issue.move", "data": {"issue": '
            + str(2**70)
            + ', "version": 1, "lane": "parked"}}',
            "invalid",
        ),
    ],
    ids=[
        "not-json",
        "array",
        "no-type",
        "unknown",
        "dunder",
        "too-large",
        "deep",
        "nested",
        "nan",
        "huge-id-list",
        "huge-id",
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
    assert still_open["type"] == "pong"


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
    # Frames the server answers at once (a ping waits on the database and Redis, so a
    # loaded machine would answer them slower than the bucket refills).
    for _ in range(100):
        await socket.send_json_to({"type": "flood"})
    replies = [await next_frame(socket) for _ in range(100)]
    await socket.disconnect()
    refused = [reply for reply in replies if reply.get("code") == "rate_limited"]
    assert any(reply.get("code") == "unknown_type" for reply in replies)
    assert refused
    assert 0 < refused[0]["details"]["retry_after"] <= 1


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


PRODUCTION_KEY = "production-" + "Zq8Lw3Nx" * 7


def test_under_production_settings_only_participants_from_the_own_origin_connect(
    tmp_path: Path,
) -> None:
    """The ASGI application Daphne serves, built in a fresh interpreter with
    DJANGO_ENV=production, on a SQLite database of its own."""
    keep = {
        "DATABASE_URL",
        "REDIS_URL",
        "DJANGO_ENV",
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "DJANGO_DEBUG",
    }
    env = {key: value for key, value in os.environ.items() if key not in keep} | {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_ENV": "production",
        "SECRET_KEY": PRODUCTION_KEY,
        "ALLOWED_HOSTS": "parley.example.org",
        "PARLEY_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-m", "tests.negotiation.production_handshake"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["settings"] == {
        "DEBUG": False,
        "ALLOWED_HOSTS": ["parley.example.org"],
        "SECRET_KEY": PRODUCTION_KEY,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True,
    }
    assert report["connected"] == {
        "party, own origin": True,
        "party, foreign origin": False,
        "party, own host on another port": False,
        "party, own host over plain http": False,
        "party, no origin": False,
        "outsider, own origin": False,
        "anonymous, own origin": False,
    }


async def test_events_reach_the_room_audience_after_commit(live_cast: Cast, cookies) -> None:
    sockets = {name: await open_socket(live_cast, cookies[name]) for name in live_cast.participants}
    for socket in sockets.values():
        await next_frame(socket)
    await sync_to_async(side_add)(actor=live_cast.participants["mediator"], name="Insurer")
    received = {name: await next_frame(socket) for name, socket in sockets.items()}
    # The mediator's new rights follow the event; on a loaded machine, not at once.
    rights = await next_frame(sockets["mediator"])
    after: dict[str, list[str]] = {"mediator": [rights["type"]]}
    for name, socket in sockets.items():
        while not await socket.receive_nothing(timeout=0.1):
            frame = await socket.receive_json_from()
            if frame["type"] not in PRESENCE_TYPES:
                after.setdefault(name, []).append(frame["type"])
        await socket.disconnect()
    assert {frame["name"] for frame in received.values()} == {"side.added"}
    # The mediator now speaks for the new side too: only their rights changed.
    assert after == {"mediator": ["rights"]}
    assert json.dumps(received["party_a"]) == json.dumps(received["observer"])
