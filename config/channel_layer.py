"""The Redis channel layer, made to survive Redis going away for a moment.

The channel layer is a hint bus (docs/protocol.md): PostgreSQL holds every event, and
clients catch up from its log. So a Redis error must never end a socket: channels_redis
raises read timeouts and closed connections out of `receive`, which Channels turns into
close 1011 ("Exception inside application") for every open socket, and out of
`group_add` during a handshake, which Daphne answers with HTTP 500. Here `receive` waits
and tries again until Redis answers, and sends and subscriptions that fail are logged and
dropped. When Redis answers again, each waiting receive() first hands its consumer a
`layer.recovered` message: the socket re-subscribes and sends its client each room's last
seq, so a client that missed events syncs at once (the heartbeat does the same, as a
backstop).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from channels.exceptions import ChannelFull
from channels_redis.core import RedisChannelLayer
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# A read waits this much longer than Redis' own timeout of a blocking pop (brpop_timeout):
# redis-py 8 gives every connection a 5 s read timeout, which an idle channel's 5 s pop
# raced, so every idle receive "failed" every few seconds and every socket re-subscribed.
BLOCKING_READ_MARGIN = 10.0
# What Redis going away looks like from redis-py: its own errors, and the socket's.
REDIS_DOWN = (RedisError, OSError, asyncio.TimeoutError)
# receive() tries again after this long, doubling up to the ceiling.
RETRY_FIRST = 0.05
RETRY_CEILING = 1.0
# What receive() hands a consumer once Redis answers again after failing it.
RECOVERED = "layer.recovered"


class ResilientRedisChannelLayer(RedisChannelLayer):
    # When this process first saw Redis fail, until it answers again: one warning per
    # outage, not one per socket and message (hundreds a second on a busy server).
    down_since: float | None = None
    # Each Redis server's connection settings (channels_redis.utils.decode_hosts).
    hosts: list[dict[str, Any]]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A host that sets its own read timeout keeps it.
        self.hosts = [
            {"socket_timeout": self.brpop_timeout + BLOCKING_READ_MARGIN, **host}
            for host in self.hosts
        ]

    def _failed(self, what: str, error: BaseException) -> None:
        if self.down_since is None:
            self.down_since = time.monotonic()
            logger.warning("Redis unavailable (%s: %s); sockets stay open", what, error)

    def _answered(self) -> None:
        if self.down_since is not None:
            logger.warning("Redis back after %.1f s", time.monotonic() - self.down_since)
            self.down_since = None

    async def receive(self, channel: str) -> dict[str, Any]:
        """The channel's next message. While Redis is away, wait and try again; once it
        answers again, the first thing received is `{"type": "layer.recovered"}`, so the
        consumer joins its groups again (Redis forgot them) and tells its client where
        each room's log stands, at once rather than at the client's next heartbeat."""
        delay = RETRY_FIRST
        failed = False
        while True:
            try:
                if failed:
                    await self.connection(self.consistent_hash(channel)).ping()
                    self._answered()
                    return {"type": RECOVERED}
                message = await super().receive(channel)
            except REDIS_DOWN as error:
                task = asyncio.current_task()
                if task is not None and task.cancelling():
                    # The receiver was cancelled and the connection failed on the way out:
                    # it stops, rather than waiting for Redis that no one awaits.
                    raise asyncio.CancelledError from error
                self._failed("receive", error)
                failed = True
                await asyncio.sleep(delay)
                delay = min(delay * 2, RETRY_CEILING)
            else:
                self._answered()
                return message

    async def send(self, channel: str, message: dict[str, Any]) -> None:
        try:
            await super().send(channel, message)
        except ChannelFull:
            # As group_send does: a receiver this far behind catches up from the log.
            logger.info("Channel full: message dropped")
        except REDIS_DOWN as error:
            self._failed("send dropped", error)
        else:
            self._answered()

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        try:
            await super().group_send(group, message)
        except REDIS_DOWN as error:
            self._failed("group send dropped", error)
        else:
            self._answered()

    async def group_add(self, group: str, channel: str) -> None:
        try:
            await super().group_add(group, channel)
        except REDIS_DOWN as error:
            # The next heartbeat joins again.
            self._failed("group join failed", error)
        else:
            self._answered()

    async def group_discard(self, group: str, channel: str) -> None:
        try:
            await super().group_discard(group, channel)
        except REDIS_DOWN as error:
            # Left behind, the membership lapses (group_expiry).
            self._failed("group leave failed", error)
        else:
            self._answered()
