"""The Redis channel layer, made to survive Redis going away for a moment.

The channel layer is a hint bus (docs/protocol.md): PostgreSQL holds every event, and
clients catch up from its log. So a Redis error must never end a socket: channels_redis
raises read timeouts and closed connections out of `receive`, which Channels turns into
close 1011 ("Exception inside application") for every open socket, and out of
`group_add` during a handshake, which Daphne answers with HTTP 500. Here `receive` waits
and tries again until Redis answers, and sends and subscriptions that fail are logged and
dropped: a socket re-subscribes on its next heartbeat (sockets.consumer), and the
heartbeat's answer carries each room's last seq, so a client that missed events syncs.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from channels_redis.core import RedisChannelLayer
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# What Redis going away looks like from redis-py: its own errors, and the socket's.
REDIS_DOWN = (RedisError, OSError, asyncio.TimeoutError)
# receive() tries again after this long, doubling up to the ceiling.
RETRY_FIRST = 0.05
RETRY_CEILING = 1.0


class ResilientRedisChannelLayer(RedisChannelLayer):
    async def receive(self, channel: str) -> dict[str, Any]:
        delay = RETRY_FIRST
        while True:
            try:
                return await super().receive(channel)
            except REDIS_DOWN as error:
                logger.warning("Channel layer receive failed (%s); retrying", error)
                await asyncio.sleep(delay)
                delay = min(delay * 2, RETRY_CEILING)

    async def send(self, channel: str, message: dict[str, Any]) -> None:
        try:
            await super().send(channel, message)
        except REDIS_DOWN as error:
            logger.warning("Channel layer send dropped (%s)", error)

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        try:
            await super().group_send(group, message)
        except REDIS_DOWN as error:
            logger.warning("Channel layer group send to %s dropped (%s)", group, error)

    async def group_add(self, group: str, channel: str) -> None:
        try:
            await super().group_add(group, channel)
        except REDIS_DOWN as error:
            # The next heartbeat subscribes again.
            logger.warning("Channel layer could not join %s (%s)", group, error)

    async def group_discard(self, group: str, channel: str) -> None:
        try:
            await super().group_discard(group, channel)
        except REDIS_DOWN as error:
            # Left behind, the membership expires with the group (group_expiry).
            logger.warning("Channel layer could not leave %s (%s)", group, error)
