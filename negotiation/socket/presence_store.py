"""Who is present in each room, kept where every server process reads it, so that a
joining connection learns who is there with one read instead of asking every member (a
join that made each of N members answer cost N messages per join, N squared for a room
filling up, and overflowed the joiner's channel past a hundred members).

Keyed by the room's channel group: a connection reads only the rooms it is a member of,
the same rooms whose presence frames reach it live. Each entry carries the time it was
last refreshed; entries older than PRESENCE_TTL (a dead process's connections, which say
no goodbye) are skipped and dropped. With Redis as channel layer the entries are in Redis
(a hash per room, under the layer's prefix); with the in-memory layer (one process) they
are on the layer itself. Like the channel layer it is a hint: while Redis is away, reads
are empty and writes are dropped, and the next heartbeat writes again.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from typing import Any

from channels_redis.core import RedisChannelLayer

from config.channel_layer import REDIS_DOWN

from . import presence

logger = logging.getLogger(__name__)


class MemoryPresence:
    def __init__(self) -> None:
        self.rooms: dict[str, dict[str, tuple[dict[str, Any], float]]] = {}

    async def put(self, group: str, connection: str, frame: dict[str, Any]) -> None:
        self.rooms.setdefault(group, {})[connection] = (frame, time.time())

    async def remove(self, group: str, connection: str) -> None:
        self.rooms.get(group, {}).pop(connection, None)

    async def present(self, group: str) -> list[dict[str, Any]]:
        fresh = time.time() - presence.PRESENCE_TTL
        room = self.rooms.get(group, {})
        for connection in [c for c, (_, at) in room.items() if at < fresh]:
            del room[connection]
        return [frame for frame, _ in room.values()]


class RedisPresence:
    def __init__(self, layer: RedisChannelLayer) -> None:
        self.layer = layer

    def _where(self, group: str) -> tuple[Any, str]:
        redis = self.layer.connection(self.layer.consistent_hash(group))
        return redis, f"{self.layer.prefix}:presence:{group}"

    async def put(self, group: str, connection: str, frame: dict[str, Any]) -> None:
        redis, key = self._where(group)
        entry = json.dumps({"at": time.time(), "frame": frame})
        try:
            async with redis.pipeline(transaction=False) as pipe:
                pipe.hset(key, connection, entry)
                # A room nobody refreshes goes away by itself.
                pipe.expire(key, int(presence.PRESENCE_TTL * 2) + 1)
                await pipe.execute()
        except REDIS_DOWN:
            logger.info("Presence not stored: Redis unavailable")

    async def remove(self, group: str, connection: str) -> None:
        redis, key = self._where(group)
        try:
            await redis.hdel(key, connection)
        except REDIS_DOWN:
            logger.info("Presence not removed: Redis unavailable")

    async def present(self, group: str) -> list[dict[str, Any]]:
        redis, key = self._where(group)
        try:
            entries = await redis.hgetall(key)
        except REDIS_DOWN:
            return []
        fresh = time.time() - presence.PRESENCE_TTL
        frames, stale = [], []
        for connection, raw in entries.items():
            entry = json.loads(raw)
            if entry["at"] < fresh:
                stale.append(connection)
            else:
                frames.append(entry["frame"])
        if stale:
            with contextlib.suppress(*REDIS_DOWN):
                await redis.hdel(key, *stale)
        return frames


def presence_store(layer: Any) -> MemoryPresence | RedisPresence:
    """The presence store that goes with a channel layer (one per layer instance)."""
    store = getattr(layer, "parley_presence", None)
    if store is None:
        store = RedisPresence(layer) if isinstance(layer, RedisChannelLayer) else MemoryPresence()
        layer.parley_presence = store
    return store
