"""The second baseline of bench/run.py: stock Channels, as its documentation builds a chat.

An AsyncJsonWebsocketConsumer per connection, a channels_redis core layer group per board
(one URL path), `group_send` of every command to the board's group and each consumer
encoding the event to JSON for its own client. No database, no permissions, no log: what
Parley adds to this is what the comparison measures. The frames have the shapes of
docs/protocol.md, so bench/fanout.py drives it as it drives Parley and bench/relay.py.

    REDIS_URL=redis://127.0.0.1:6379/15 PARLEY_CHANNELS_PREFIX=bench-stock \\
        daphne -p 9002 bench.stock:application
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

import django
from django.conf import settings

if not settings.configured:
    settings.configure(
        DEBUG=False,
        INSTALLED_APPS=["channels"],
        CHANNEL_LAYERS={
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {
                    # As Parley's settings: a connection pool room enough for 500 sockets.
                    "hosts": [
                        {
                            "address": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15"),
                            "max_connections": 2000,
                        }
                    ],
                    "prefix": os.environ.get("PARLEY_CHANNELS_PREFIX", "bench-stock"),
                },
            }
        },
    )
    django.setup()

from channels.generic.websocket import AsyncJsonWebsocketConsumer


class BoardConsumer(AsyncJsonWebsocketConsumer):
    group = ""
    seq = 0

    async def connect(self) -> None:
        path = self.scope.get("path", "/")
        self.group = "board." + hashlib.sha256(path.encode()).hexdigest()[:24]
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "hello", "participant": {}, "rooms": {"joint": 0}})

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "sync":
            await self.send_json({"type": "synced", "rooms": dict(content.get("rooms") or {})})
        elif kind == "command":
            data = content.get("data") or {}
            BoardConsumer.seq += 1
            frame = {
                "type": "event",
                "room": "joint",
                "seq": BoardConsumer.seq,
                "name": "issue.updated",
                "data": data,
            }
            await self.channel_layer.group_send(
                self.group, {"type": "board.event", "frame": frame, "sender": self.channel_name}
            )
            version = data.get("version")
            result = {**data, "version": version + 1 if isinstance(version, int) else 1}
            await self.send_json({"type": "ack", "id": content.get("id"), "result": result})
        elif kind == "ping":
            await self.send_json({"type": "pong"})

    async def board_event(self, message: dict[str, Any]) -> None:
        if message["sender"] != self.channel_name:
            await self.send_json(message["frame"])


application = BoardConsumer.as_asgi()
