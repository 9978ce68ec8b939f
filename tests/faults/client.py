"""A participant's client over a real socket, doing what docs/protocol.md asks of one
(and what frontend/src/lib/socket.ts does): it applies the joint room's frames to a
BoardClient; pings every `heartbeat` seconds and treats a socket that gives no pong in
time as dead; syncs when the pong says the room's log is ahead of it (live events lost
while Redis was away) or when a frame arrives early; reconnects with a doubling, capped
and jittered backoff, to the next of its servers; and keeps its commands until their ack,
sending each again, with the same id, after every reconnect and after a retryable error.

The clients of a test run in one event loop on a thread of their own (ClientLoop), so the
test itself stays synchronous and can start and kill servers in between."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException

from tests.negotiation.board_client import BoardClient, Gap

RETRYABLE = {"unavailable", "rate_limited"}
# The close code this client uses when its server went silent.
CLOSE_SILENT = 4000


def backoff_delay(attempt: int, base: float, ceiling: float, rng: random.Random) -> float:
    """As socket.ts's backoffDelay: doubling from `base`, capped, then jittered down to
    half, so clients cut off at one moment do not all come back at the same one."""
    top = min(ceiling, base * 2**attempt)
    return top * (0.5 + rng.random() / 2)


@dataclass(frozen=True)
class State:
    """What a client holds at one moment, copied out of its loop."""

    seq: int
    data: dict[str, Any]
    pending: int
    connected: bool


class LiveClient:
    def __init__(
        self,
        name: str,
        *,
        servers: list[str],
        mediation_id: str,
        cookie: str,
        rng: random.Random,
        heartbeat: float = 0.3,
        pong_timeout: float = 3.0,
        backoff_base: float = 0.05,
        backoff_ceiling: float = 1.0,
    ) -> None:
        self.name = name
        self.servers = servers
        self.path = f"/ws/mediations/{mediation_id}/"
        self.cookie = cookie
        self.rng = rng
        self.heartbeat = heartbeat
        self.pong_timeout = pong_timeout
        self.backoff_base = backoff_base
        self.backoff_ceiling = backoff_ceiling
        self.board = BoardClient()
        # Commands not yet answered, in the order they were made: id -> frame.
        self.pending: dict[str, dict[str, Any]] = {}
        self.results: dict[str, Any] = {}
        self.refused: dict[str, dict[str, Any]] = {}
        self.acks: Counter[str] = Counter()
        self.sends: Counter[str] = Counter()
        # Errors that ask for the command again (rate limited, database away).
        self.retryable: list[dict[str, Any]] = []
        self.resends: set[asyncio.Future[None]] = set()
        self.delays: list[float] = []
        # Which server each connection reached, in order, and how each one ended.
        self.connected_to: list[str] = []
        self.closes: list[tuple[int | None, str | None]] = []
        # Every (connection, participant) this client was told is online in the joint room.
        self.presence: set[tuple[str, int]] = set()
        self.ws: ClientConnection | None = None
        self.ready = False
        self.syncing = False
        self.stopped = False

    # --- called from the loop's thread -------------------------------------------------

    async def run(self) -> None:
        attempt = 0
        index = 0
        while not self.stopped:
            server = self.servers[index % len(self.servers)]
            url = server.replace("http://", "ws://") + self.path
            try:
                async with connect(
                    url,
                    origin=server,  # type: ignore[arg-type]
                    additional_headers={"Cookie": self.cookie},
                    open_timeout=self.pong_timeout,
                    ping_interval=None,  # the protocol's own heartbeat notices silence
                    close_timeout=0.2,
                ) as ws:
                    self.ws = ws
                    try:
                        if await self._session(ws, server):
                            attempt = 0
                    finally:
                        self.closes.append((ws.close_code, ws.close_reason))
            except (OSError, WebSocketException, TimeoutError):
                pass
            finally:
                self.ws = None
                self.ready = False
                self.syncing = False
            if self.stopped:
                return
            index += 1  # the next server: this one may be gone
            delay = backoff_delay(attempt, self.backoff_base, self.backoff_ceiling, self.rng)
            self.delays.append(delay)
            attempt += 1
            await asyncio.sleep(delay)

    async def _session(self, ws: ClientConnection, server: str) -> bool:
        """One connection, until it closes or goes silent; whether it said hello."""
        hello = json.loads(await asyncio.wait_for(ws.recv(), self.pong_timeout))
        while hello.get("type") != "hello":
            hello = json.loads(await asyncio.wait_for(ws.recv(), self.pong_timeout))
        self.connected_to.append(server)
        self.ready = True
        await self._sync(ws)
        for frame in list(self.pending.values()):
            await self._send_command(ws, frame)
        beat = asyncio.ensure_future(self._heartbeat(ws))
        try:
            async for raw in ws:
                await self._receive(ws, json.loads(raw))
        finally:
            beat.cancel()
        return True

    async def _heartbeat(self, ws: ClientConnection) -> None:
        while True:
            await asyncio.sleep(self.heartbeat)
            self.ponged = False
            sent_at = time.monotonic()
            await ws.send(json.dumps({"type": "ping"}))
            while not self.ponged:
                if time.monotonic() - sent_at > self.pong_timeout:
                    # Silence: the server is gone without a close (killed, or its network).
                    await ws.close(CLOSE_SILENT, "no pong")
                    return
                await asyncio.sleep(0.02)

    async def _sync(self, ws: ClientConnection) -> None:
        self.syncing = True
        # A board never filled starts from a snapshot (a seq below any the log has).
        seq = self.board.seq if self.board.mediation else -1
        await ws.send(json.dumps({"type": "sync", "rooms": {"joint": seq}}))

    async def _send_command(self, ws: ClientConnection, frame: dict[str, Any]) -> None:
        self.sends[frame["id"]] += 1
        await ws.send(json.dumps(frame))

    async def _receive(self, ws: ClientConnection, frame: dict[str, Any]) -> None:
        kind = frame.get("type")
        if kind in ("event", "snapshot") and frame.get("room") == "joint":
            try:
                self.board.apply(frame)
            except Gap:
                if not self.syncing:
                    await self._sync(ws)
        elif kind in ("presence", "presences") and frame.get("room") == "joint":
            for entry in frame.get("entries", [frame]):
                if entry.get("online"):
                    self.presence.add((entry["connection"], entry["participant"]))
        elif kind == "synced":
            self.syncing = False
        elif kind == "pong":
            self.ponged = True
            behind = frame.get("rooms", {}).get("joint", 0) > self.board.seq
            if behind and not self.syncing:
                await self._sync(ws)
        elif kind == "ack":
            self.acks[frame["id"]] += 1
            if self.pending.pop(frame["id"], None) is not None:
                self.results[frame["id"]] = frame["result"]
        elif kind == "error" and frame.get("id") in self.pending:
            if frame["code"] in RETRYABLE:
                self.retryable.append(frame)
                wait = float((frame.get("details") or {}).get("retry_after", 0.5))
                asyncio.get_running_loop().call_later(wait, self._resend, ws, frame["id"])
            else:
                self.refused[frame["id"]] = frame
                del self.pending[frame["id"]]

    def _resend(self, ws: ClientConnection, frame_id: str) -> None:
        frame = self.pending.get(frame_id)
        if frame is not None and self.ws is ws and self.ready:
            self.resends.add(asyncio.ensure_future(self._send_command(ws, frame)))

    async def _command(self, name: str, data: dict[str, Any]) -> str:
        frame_id = str(uuid.uuid4())
        frame = {"type": "command", "id": frame_id, "name": name, "data": data}
        self.pending[frame_id] = frame
        if self.ws is not None and self.ready:
            with contextlib.suppress(WebSocketException):
                await self._send_command(self.ws, frame)
        return frame_id

    async def _caught_up(self, seq: int) -> bool:
        return not self.pending and self.board.seq == seq

    async def _seen(self, participant_id: int) -> int:
        return len({c for c, p in self.presence if p == participant_id})

    async def _state(self) -> State:
        return State(
            seq=self.board.seq,
            data=copy.deepcopy(self.board.data),
            pending=len(self.pending),
            connected=self.ready,
        )


class ClientLoop:
    """An event loop on a thread of its own that runs the clients; the test calls in."""

    def __init__(self, clients: list[LiveClient]) -> None:
        self.clients = clients
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.tasks: list[Any] = []
        # What the clients should reach (the log's last seq), as last read.
        self.target = 0

    def __enter__(self) -> ClientLoop:
        self.thread.start()
        self.tasks = [self._call(self._start(client)) for client in self.clients]
        return self

    async def _start(self, client: LiveClient) -> asyncio.Task[None]:
        return asyncio.ensure_future(client.run())

    def __exit__(self, *exc: object) -> None:
        for client in self.clients:
            client.stopped = True
            if client.ws is not None:
                with contextlib.suppress(Exception):
                    self._call(client.ws.close())
        for task in self.tasks:
            self.loop.call_soon_threadsafe(task.cancel)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)

    def _call(self, coroutine: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=10)

    def command(self, client: LiveClient, name: str, **data: Any) -> str:
        """Queue a command on a client (sent now if it is connected); its id."""
        return str(self._call(client._command(name, data)))

    def describe(self) -> str:
        return f"the log at {self.target}; " + "; ".join(
            f"{c.name}: seq {c.board.seq}, {len(c.pending)} pending, ready {c.ready}, "
            f"syncing {c.syncing}, connections {len(c.connected_to)}, closes {c.closes}, "
            f"retryable {[f['code'] for f in c.retryable]}, refused {list(c.refused.values())}"
            for c in self.clients
        )

    def caught_up(self, client: LiveClient, seq: int) -> bool:
        """Whether the client waits for nothing and has applied the room up to `seq`
        (cheap: no copy of its board)."""
        return bool(self._call(client._caught_up(seq)))

    def seen(self, client: LiveClient, participant_id: int) -> int:
        """On how many connections `client` was told the participant is online in the
        joint room (each reconnect is a new one)."""
        return int(self._call(client._seen(participant_id)))

    def states(self) -> Iterator[tuple[LiveClient, State]]:
        for client in self.clients:
            yield client, self._call(client._state())

    def until(self, done: Callable[[], bool], seconds: float) -> float:
        """Wait until `done()`, at most `seconds`; how long it took (or raise, saying
        where each client stands)."""
        start = time.monotonic()
        while not done():
            if time.monotonic() - start > seconds:
                raise TimeoutError(f"not within {seconds} s: {self.describe()}")
            time.sleep(0.05)
        return time.monotonic() - start
