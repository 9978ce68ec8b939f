"""The websocket load of bench/board.py, the same against Parley and against the bare relay.

Boards of clients, all in this process: each client connects (session cookie, Origin),
waits for `hello`, sends `sync` and waits for `synced`. Then, for a fixed number of
rounds, every client of every board edits at the same moment: an `issue.update` of its
own issue with a unique title, or a `comment.add` with a unique body (what an attorney
may do). Each edit is timed from the send until every other client of its board has
received the `event` frame carrying that text. No Django here: the clients only speak
the protocol (docs/protocol.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Origin

# Bounds: no client reads more frames than this, no trial runs longer than Timeouts.trial.
MAX_FRAMES_PER_CLIENT = 200_000
# Handshakes (and their syncs) in flight at once, so that none waits past Daphne's
# five-second handshake limit while the server works through the others.
CONNECT_CONCURRENCY = 8


@dataclass
class Endpoint:
    url: str
    origin: str
    cookie: str | None = None


@dataclass
class Target:
    """What one client edits: `issue.update` (the title of `issue`, at `version`) or
    `comment.add` (a comment on `issue`)."""

    command: str
    issue: int
    version: int = 0


@dataclass
class Board:
    """One board's clients and what each of them edits (every client edits)."""

    endpoints: list[Endpoint]
    targets: list[Target]


@dataclass
class Timeouts:
    connect: float = 30.0  # one client: handshake, hello and synced
    round: float = 30.0  # one round: every event delivered and every ack back
    trial: float = 900.0  # a whole trial; then everything is cancelled


@dataclass
class TrialResult:
    # Seconds from an edit's send to one receiver's event frame, one per (edit, receiver).
    deliveries: list[float] = field(default_factory=list)
    # Seconds from an edit's send until the last of its receivers had the event.
    edits: list[float] = field(default_factory=list)
    # Seconds from an edit's send until the editor had the ack.
    acks: list[float] = field(default_factory=list)
    # Seconds from an edit's ack until its last receiver had the event (negative: before).
    after_ack: list[float] = field(default_factory=list)
    lost: int = 0  # deliveries that did not arrive within the round's timeout
    errors: dict[str, int] = field(default_factory=dict)  # error frames by code
    connect_seconds: float = 0.0  # to connect and sync every client
    rounds_seconds: float = 0.0  # the rounds, warm-up included
    edits_sent: int = 0

    @property
    def edits_per_second(self) -> float:
        return self.edits_sent / self.rounds_seconds if self.rounds_seconds else 0.0


@dataclass
class _Edit:
    target: Target
    sent_at: float
    waiting: set[int]  # indexes of the board's clients that have not received it yet
    record: bool  # False during warm-up
    acked_at: float | None = None
    done_at: float | None = None  # when the last receiver had it


class _Client:
    def __init__(self, trial: _Trial, board: int, index: int, endpoint: Endpoint) -> None:
        self.trial = trial
        self.board = board
        self.index = index
        self.endpoint = endpoint
        self.ws: ClientConnection | None = None
        loop = asyncio.get_running_loop()
        self.hello: asyncio.Future[dict[str, Any]] = loop.create_future()
        self.synced: asyncio.Future[dict[str, Any]] = loop.create_future()
        self.reader: asyncio.Task[None] | None = None

    async def open(self, limit: asyncio.Semaphore, seconds: float) -> None:
        async with limit, asyncio.timeout(seconds):
            headers = {"Cookie": self.endpoint.cookie} if self.endpoint.cookie else None
            self.ws = await connect(
                self.endpoint.url,
                origin=Origin(self.endpoint.origin),
                additional_headers=headers,
                compression=None,
                open_timeout=seconds,
                ping_interval=None,
                close_timeout=2,
                max_size=2**24,
            )
            self.reader = asyncio.create_task(self.read())
            hello = await self.hello
            rooms = {room: 0 for room in hello.get("rooms", {})}
            await self.ws.send(json.dumps({"type": "sync", "rooms": rooms}))
            await self.synced

    async def read(self) -> None:
        assert self.ws is not None
        for _ in range(MAX_FRAMES_PER_CLIENT):
            try:
                raw = await self.ws.recv()
            except ConnectionClosed:
                return
            now = time.perf_counter()
            frame = json.loads(raw)
            kind = frame.get("type") if isinstance(frame, dict) else None
            if kind == "event":
                self.trial.on_event(self, frame, now)
            elif kind in ("ack", "error"):
                self.trial.on_reply(frame, now)
            elif kind == "hello" and not self.hello.done():
                self.hello.set_result(frame)
            elif kind == "synced" and not self.synced.done():
                self.synced.set_result(frame)
            # presence, snapshot and pong frames need nothing here.

    async def close(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await self.ws.close()
        if self.reader is not None:
            self.reader.cancel()
            with contextlib.suppress(BaseException):
                await self.reader


class _Trial:
    def __init__(self, label: str, boards: list[Board], timeouts: Timeouts) -> None:
        self.label = label
        self.boards = boards
        self.timeouts = timeouts
        self.result = TrialResult()
        self.edits: dict[str, _Edit] = {}  # by the unique title
        self.commands: dict[str, tuple[str, _Edit]] = {}  # by command id: (title, edit)
        self.open_edits = 0  # edits of this round not yet delivered to all
        self.open_acks = 0  # commands of this round not yet answered
        self.round_done = asyncio.Event()

    # --- frames -------------------------------------------------------------------------

    def on_event(self, client: _Client, frame: dict[str, Any], now: float) -> None:
        data = frame.get("data")
        title = (data.get("title") or data.get("body")) if isinstance(data, dict) else None
        if not isinstance(title, str):
            return
        edit = self.edits.get(title)
        if edit is None or client.index not in edit.waiting:
            return  # replayed, our own, a duplicate, or another kind of event
        edit.waiting.discard(client.index)
        if edit.record:
            self.result.deliveries.append(now - edit.sent_at)
        if not edit.waiting:
            edit.done_at = now
            if edit.record:
                self.result.edits.append(now - edit.sent_at)
                if edit.acked_at is not None:
                    self.result.after_ack.append(now - edit.acked_at)
            self.edits.pop(title, None)
            self.open_edits -= 1
            self._check_round()

    def on_reply(self, frame: dict[str, Any], now: float) -> None:
        command_id = frame.get("id")
        entry = self.commands.pop(command_id, None) if isinstance(command_id, str) else None
        if entry is None:
            if frame.get("type") == "error":
                self._error(str(frame.get("code")))
            return
        title, edit = entry
        target = edit.target
        if frame.get("type") == "ack":
            edit.acked_at = now
            if edit.record:
                self.result.acks.append(now - edit.sent_at)
                if edit.done_at is not None:
                    self.result.after_ack.append(edit.done_at - now)
            result = frame.get("result")
            if isinstance(result, dict) and isinstance(result.get("version"), int):
                target.version = result["version"]
        else:
            self._error(str(frame.get("code")))
            current = (frame.get("details") or {}).get("current")
            if isinstance(current, dict) and isinstance(current.get("version"), int):
                target.version = current["version"]
            # A refused edit sends no event: stop waiting for it.
            if self.edits.pop(title, None) is not None:
                self.open_edits -= 1
        self.open_acks -= 1
        self._check_round()

    def _error(self, code: str) -> None:
        self.result.errors[code] = self.result.errors.get(code, 0) + 1

    def _check_round(self) -> None:
        if self.open_edits <= 0 and self.open_acks <= 0:
            self.round_done.set()

    # --- phases -------------------------------------------------------------------------

    async def run(self, clients: list[list[_Client]], rounds: int, warmup: int, gap: float) -> None:
        started = time.perf_counter()
        for number in range(warmup + rounds):
            record = number >= warmup
            self.round_done = asyncio.Event()
            # The first client of every board, then the second of every board, and so on.
            everyone = sorted(
                (i, b) for b, board in enumerate(self.boards) for i in range(len(board.endpoints))
            )
            self.open_edits = self.open_acks = len(everyone)
            for i, b in everyone:
                editor = clients[b][i]
                assert editor.ws is not None
                board = self.boards[b]
                target = board.targets[i]
                text = f"bench {self.label} board {b} client {i} round {number} "
                text += secrets.token_hex(4)
                data: dict[str, Any] = {"issue": target.issue}
                if target.command == "issue.update":
                    data.update(version=target.version, title=text)
                else:
                    data.update(body=text)
                command_id = uuid.uuid4().hex
                frame = json.dumps(
                    {"type": "command", "id": command_id, "name": target.command, "data": data}
                )
                edit = _Edit(
                    target=target,
                    sent_at=time.perf_counter(),
                    waiting=set(range(len(board.endpoints))) - {i},
                    record=record,
                )
                self.edits[text] = edit
                self.commands[command_id] = (text, edit)
                await editor.ws.send(frame)
                self.result.edits_sent += 1
            try:
                await asyncio.wait_for(self.round_done.wait(), self.timeouts.round)
            except TimeoutError:
                self.result.lost += sum(len(e.waiting) for e in self.edits.values() if e.record)
                self.result.errors["round_timeout"] = self.result.errors.get("round_timeout", 0) + 1
            self.edits.clear()
            self.commands.clear()
            await asyncio.sleep(gap)
        self.result.rounds_seconds = time.perf_counter() - started


async def run_trial(
    label: str,
    boards: list[Board],
    *,
    rounds: int,
    warmup: int,
    gap: float = 0.1,
    settle: float = 1.0,
    timeouts: Timeouts | None = None,
) -> TrialResult:
    """Connect every board's clients, edit for `warmup` + `rounds` rounds, disconnect.

    Raises if a client cannot connect and sync. Updates each target's `version` from the
    acks, so the next trial against the same server edits with the right one.
    """
    timeouts = timeouts or Timeouts()
    trial = _Trial(label, boards, timeouts)
    clients = [
        [_Client(trial, b, i, endpoint) for i, endpoint in enumerate(board.endpoints)]
        for b, board in enumerate(boards)
    ]
    everyone = [client for board_clients in clients for client in board_clients]
    try:
        async with asyncio.timeout(timeouts.trial):
            started = time.perf_counter()
            limit = asyncio.Semaphore(CONNECT_CONCURRENCY)
            await asyncio.gather(*(client.open(limit, timeouts.connect) for client in everyone))
            trial.result.connect_seconds = time.perf_counter() - started
            # Let the presence announcements of the last connections die down.
            await asyncio.sleep(settle)
            await trial.run(clients, rounds, warmup, gap)
    finally:
        await asyncio.wait_for(
            asyncio.gather(*(client.close() for client in everyone), return_exceptions=True),
            timeout=30,
        )
    return trial.result
