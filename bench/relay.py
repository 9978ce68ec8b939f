"""The baseline of bench/board.py: a bare websocket broadcast server.

No Django, no database, no Redis: it keeps each board's connections (one board per URL
path) in memory, greets a client with `hello`, answers `sync` with `synced`, and relays
each `command` as an `event` frame to the board's other members, with an `ack` to the
sender. The frames have the shapes of docs/protocol.md, so bench/clients.py drives it
exactly as it drives Parley.

    python bench/relay.py --port 9001 [--max-seconds 3600]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
from typing import Any

from websockets.asyncio.server import ServerConnection, broadcast, serve

MAX_FRAMES_PER_CONNECTION = 200_000

boards: dict[str, set[ServerConnection]] = {}
sequences: dict[str, int] = {}


async def handler(ws: ServerConnection) -> None:
    path = ws.request.path if ws.request is not None else "/"
    members = boards.setdefault(path, set())
    members.add(ws)
    try:
        await ws.send(json.dumps({"type": "hello", "participant": {}, "rooms": {"joint": 0}}))
        for _ in range(MAX_FRAMES_PER_CONNECTION):
            try:
                raw = await ws.recv()
            except Exception:
                return
            try:
                frame: Any = json.loads(raw)
            except ValueError:
                continue
            kind = frame.get("type") if isinstance(frame, dict) else None
            if kind == "sync":
                rooms = frame.get("rooms") or {}
                await ws.send(json.dumps({"type": "synced", "rooms": dict(rooms)}))
            elif kind == "command":
                data = frame.get("data") or {}
                seq = sequences[path] = sequences.get(path, 0) + 1
                event = {"type": "event", "room": "joint", "seq": seq, "name": "issue.updated"}
                broadcast(
                    [member for member in members if member is not ws],
                    json.dumps({**event, "data": data}),
                )
                version = data.get("version")
                result = {**data, "version": version + 1 if isinstance(version, int) else 1}
                await ws.send(json.dumps({"type": "ack", "id": frame.get("id"), "result": result}))
            elif kind == "ping":
                await ws.send(json.dumps({"type": "pong"}))
    finally:
        members.discard(ws)


async def main(host: str, port: int, max_seconds: float) -> None:
    async with serve(handler, host, port, compression=None, ping_interval=None, max_size=2**20):
        print(f"listening on {host}:{port}", flush=True)
        # The parent stops us; this is the backstop if it cannot.
        await asyncio.sleep(max_seconds)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="A bare websocket broadcast server.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--max-seconds", type=float, default=3600)
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main(args.host, args.port, args.max_seconds))
