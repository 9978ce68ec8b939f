"""The open-loop websocket load of bench/run.py, the same against Parley and the baselines.

Everything is timed with one clock (time.monotonic) in this one process. Watchers connect
(session cookie, Origin), wait for `hello`, send `sync` and wait for `synced`. Editors
then send `issue.update` commands on a fixed schedule (open loop: the k-th edit is due at
start + k / rate whether or not the earlier ones were answered), each with a unique
title; an edit's latency to a watcher runs from its *scheduled* moment to the moment that
watcher's reader had the `event` frame, so a server that falls behind cannot hide it by
slowing the sender. Every recipient's latency is kept. An edit not delivered to everyone
within the drain time counts as lost to those who lack it; a watcher that gets a room's
events out of seq order counts an order fault.

The load generator itself can be the bottleneck: its CPU use over the run and how late
it sent against the schedule are recorded, and bench/run.py discards a saturated run.
No Django here: the clients only speak the protocol (docs/protocol.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import resource
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Origin

CLOCK = time.monotonic
MAX_FRAMES_PER_CLIENT = 1_000_000
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
# Below Parley's per-connection command limit (20 a second, negotiation/socket/ratelimit.py).
EDITS_PER_SOCKET = 15.0


def process_cpu(pids: list[int]) -> float:
    """CPU seconds (user + system, every thread) the processes used so far (/proc)."""
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError):
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rpartition(")")[2].split()
            total += (int(fields[11]) + int(fields[12])) / CLK_TCK
    return total


def process_rss(pids: list[int]) -> int:
    """Resident bytes of the processes (/proc/<pid>/statm)."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError), open(f"/proc/{pid}/statm") as statm:
            total += int(statm.read().split()[1]) * PAGE
    return total


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Endpoint:
    url: str
    origin: str
    cookie: str | None = None


@dataclass
class Target:
    """An issue an editor retitles, and its version when the run starts (each edit
    raises it by one, so the editor knows the next without waiting for the ack)."""

    issue: int
    version: int = 0


@dataclass
class Board:
    editor: Endpoint
    targets: list[Target]
    watchers: list[Endpoint]


@dataclass
class RunResult:
    deliveries: list[float] = field(default_factory=list)  # per (edit, watcher)
    to_all: list[float] = field(default_factory=list)  # per edit, until its last watcher
    acks: list[float] = field(default_factory=list)
    edits: int = 0
    expected: int = 0  # deliveries expected
    lost: int = 0
    order_faults: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0  # from the first scheduled send to the end of the drain
    server_cpu: float = 0.0  # CPU seconds of the server processes over the run
    client_cpu: float = 0.0  # of this process, over the same span
    send_late: list[float] = field(default_factory=list)  # actual send - scheduled

    @property
    def cpu_per_delivery(self) -> float:
        return self.server_cpu / len(self.deliveries) if self.deliveries else float("nan")

    @property
    def client_busy(self) -> float:
        return self.client_cpu / self.seconds if self.seconds else 0.0


class Client:
    def __init__(
        self, endpoint: Endpoint, sink: Run | None = None, *, editor: bool = False
    ) -> None:
        self.endpoint = endpoint
        self.sink = sink
        # Parley echoes an edit's event to its editor too: that is no delivery to a watcher.
        self.editor = editor
        self.ws: ClientConnection | None = None
        self.reader: asyncio.Task[None] | None = None
        self.hello: asyncio.Future[dict[str, Any]] | None = None
        self.synced: asyncio.Future[dict[str, Any]] | None = None
        self.last_seq: dict[str, int] = {}
        self.events = 0
        self.snapshots = 0

    async def open(self, seconds: float, rooms: dict[str, int] | None = None) -> None:
        loop = asyncio.get_running_loop()
        self.hello, self.synced = loop.create_future(), loop.create_future()
        async with asyncio.timeout(seconds):
            headers = {"Cookie": self.endpoint.cookie} if self.endpoint.cookie else None
            self.ws = await connect(
                self.endpoint.url,
                origin=Origin(self.endpoint.origin),
                additional_headers=headers,
                compression=None,
                open_timeout=seconds,
                ping_interval=None,
                close_timeout=1,
                max_size=2**26,
            )
            self.reader = asyncio.create_task(self.read())
            hello = await self.hello
            if rooms is None:
                rooms = {room: seq for room, seq in hello.get("rooms", {}).items()}
            self.last_seq = dict(rooms)
            await self.ws.send(json.dumps({"type": "sync", "rooms": rooms}))
            await self.synced

    async def read(self) -> None:
        assert self.ws is not None
        for _ in range(MAX_FRAMES_PER_CLIENT):
            try:
                raw = await self.ws.recv()
            except ConnectionClosed:
                return
            now = CLOCK()
            frame = json.loads(raw)
            kind = frame.get("type")
            if kind == "event":
                self.events += 1
                room, seq = frame.get("room"), frame.get("seq")
                last = self.last_seq.get(room, 0)
                if self.sink is not None and isinstance(seq, int) and not self.editor:
                    if seq <= last and last:
                        self.sink.result.order_faults += 1
                    self.sink.on_event(self, frame, now)
                if isinstance(seq, int):
                    self.last_seq[room] = max(last, seq)
            elif kind in ("ack", "error") and self.sink is not None:
                self.sink.on_reply(frame, now)
            elif kind == "snapshot":
                self.snapshots += 1
            elif kind == "hello" and self.hello is not None and not self.hello.done():
                self.hello.set_result(frame)
            elif kind == "synced" and self.synced is not None and not self.synced.done():
                self.synced.set_result(frame)

    async def close(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await self.ws.close()
        if self.reader is not None:
            self.reader.cancel()
            with contextlib.suppress(BaseException):
                await self.reader


async def open_all(clients: list[Client], concurrency: int, seconds: float) -> float:
    """Connect and sync every client, `concurrency` handshakes in flight at once; the
    wall time it took. Raises if one cannot."""
    limit = asyncio.Semaphore(concurrency)

    async def one(client: Client) -> None:
        async with limit:
            await client.open(seconds)

    started = CLOCK()
    await asyncio.gather(*(one(client) for client in clients))
    return CLOCK() - started


async def close_all(clients: list[Client]) -> None:
    await asyncio.wait_for(
        asyncio.gather(*(client.close() for client in clients), return_exceptions=True), 60
    )


@dataclass
class _Edit:
    due: float
    waiting: int
    record: bool
    seen_by: set[int] = field(default_factory=set)


class Run:
    """One open-loop run over some boards: the frames' bookkeeping."""

    def __init__(self) -> None:
        self.result = RunResult()
        self.edits: dict[str, _Edit] = {}  # by unique title
        self.commands: dict[str, float] = {}  # command id -> due

    def on_event(self, client: Client, frame: dict[str, Any], now: float) -> None:
        data = frame.get("data")
        title = data.get("title") if isinstance(data, dict) else None
        edit = self.edits.get(title) if isinstance(title, str) else None
        if edit is None or id(client) in edit.seen_by:
            return
        edit.seen_by.add(id(client))
        if edit.record:
            self.result.deliveries.append(now - edit.due)
        if len(edit.seen_by) == edit.waiting and edit.record:
            self.result.to_all.append(now - edit.due)

    def on_reply(self, frame: dict[str, Any], now: float) -> None:
        due = self.commands.pop(str(frame.get("id")), None)
        if due is None:
            return
        if frame.get("type") == "ack":
            self.result.acks.append(now - due)
        else:
            code = str(frame.get("code"))
            self.result.errors[code] = self.result.errors.get(code, 0) + 1


async def open_loop(
    boards: list[Board],
    *,
    rate: float,
    seconds: float,
    warmup: float,
    drain: float,
    server_pids: list[int],
    concurrency: int = 16,
    connect_seconds: float = 60.0,
    label: str = "",
    on_joined: Callable[[], None] | None = None,
) -> tuple[RunResult, float]:
    """Connect every board's watchers and editor, then send `rate` edits per second in
    all (spread evenly over the boards, each board's editor retitling its targets in
    turn) for `warmup` + `seconds`; only edits due after the warm-up are recorded. Wait
    up to `drain` seconds after the last for everything to arrive. Returns the result
    and how long connecting and syncing everyone took. `on_joined` is called once
    everyone is in, before the first edit (a profiler started there leaves the joins out)."""
    run = Run()
    watchers = [[Client(endpoint, run) for endpoint in board.watchers] for board in boards]
    # One socket may send only so many commands a second (socket/ratelimit.py); a board
    # edited faster than that is edited over several sockets of its editor, in turn.
    sockets = max(1, math.ceil(rate / len(boards) / EDITS_PER_SOCKET))
    editors = [[Client(board.editor, run, editor=True) for _ in range(sockets)] for board in boards]
    everyone = [c for group in watchers for c in group] + [c for g in editors for c in g]
    try:
        joined = await open_all(everyone, concurrency, connect_seconds)
        await asyncio.sleep(1.0)  # presence of the last joins dies down
        if on_joined is not None:
            on_joined()
        total = int(rate * (warmup + seconds))
        start = CLOCK() + 0.05
        cpu0, own0 = process_cpu(server_pids), own_cpu()
        turn = [0] * len(boards)
        for k in range(total):
            due = start + k / rate
            delay = due - CLOCK()
            if delay > 0:
                await asyncio.sleep(delay)
            b = k % len(boards)
            board, editor = boards[b], editors[b][turn[b] % sockets]
            target = board.targets[turn[b] % len(board.targets)]
            turn[b] += 1
            title = f"bench {label} {k} {secrets.token_hex(4)}"
            record = k >= rate * warmup
            run.edits[title] = _Edit(due=due, waiting=len(board.watchers), record=record)
            command_id = uuid.uuid4().hex
            if record:
                run.commands[command_id] = due
                run.result.edits += 1
                run.result.expected += len(board.watchers)
            frame = {
                "type": "command",
                "id": command_id,
                "name": "issue.update",
                "data": {"issue": target.issue, "version": target.version, "title": title},
            }
            target.version += 1
            assert editor.ws is not None
            run.result.send_late.append(CLOCK() - due)
            with contextlib.suppress(ConnectionClosed):
                await editor.ws.send(json.dumps(frame))
        deadline = CLOCK() + drain
        while CLOCK() < deadline:
            if len(run.result.deliveries) >= run.result.expected and not run.commands:
                break
            await asyncio.sleep(0.02)
        run.result.seconds = CLOCK() - start
        run.result.server_cpu = process_cpu(server_pids) - cpu0
        run.result.client_cpu = own_cpu() - own0
        run.result.lost = run.result.expected - len(run.result.deliveries)
        for _ in run.commands:
            run.result.errors["no_ack"] = run.result.errors.get("no_ack", 0) + 1
        return run.result, joined
    finally:
        await close_all(everyone)


async def idle_memory(
    endpoints: list[Endpoint], server_pids: list[int], *, concurrency: int = 16
) -> tuple[float, float, int]:
    """Connect and sync every endpoint, let them sit; the wall time to connect them all,
    and the server's resident bytes per connection (after minus before, over the count).
    Returns (connect seconds, bytes per client, resident bytes before)."""
    clients = [Client(endpoint) for endpoint in endpoints]
    before = process_rss(server_pids)
    try:
        joined = await open_all(clients, concurrency, 120)
        await asyncio.sleep(2.0)
        after = process_rss(server_pids)
    finally:
        await close_all(clients)
    return joined, (after - before) / len(clients), before


async def churn(
    endpoints: list[Endpoint], server_pids: list[int], *, cycles: int, concurrency: int = 16
) -> tuple[int, int, float]:
    """Connect, sync and disconnect `cycles` times in all (`concurrency` at once), over
    the endpoints in turn; the server's resident bytes before and after, and the time."""
    before = process_rss(server_pids)
    limit = asyncio.Semaphore(concurrency)
    failures = 0

    async def one(n: int) -> None:
        nonlocal failures
        async with limit:
            client = Client(endpoints[n % len(endpoints)])
            try:
                await client.open(30)
            except Exception:
                failures += 1
            finally:
                await client.close()

    started = CLOCK()
    await asyncio.gather(*(one(n) for n in range(cycles)))
    took = CLOCK() - started
    await asyncio.sleep(2.0)
    if failures:
        raise RuntimeError(f"{failures} of {cycles} churned connections failed")
    return before, process_rss(server_pids), took


async def resync(endpoint: Endpoint, seq: int) -> tuple[float, int, int]:
    """Connect, sync the joint room from `seq`; seconds from the connect until `synced`,
    and how many event frames and snapshot frames came."""
    client = Client(endpoint)
    started = CLOCK()
    try:
        await client.open(60, rooms={"joint": seq})
        return CLOCK() - started, client.events, client.snapshots
    finally:
        await client.close()
