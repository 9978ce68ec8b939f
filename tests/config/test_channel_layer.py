"""The Redis channel layer rides out Redis going away (config/channel_layer.py): sends
and joins while it is down are dropped without raising, and a receive waits for it to
come back instead of failing, then says it is back, on a Redis of this test's own."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from config.channel_layer import BLOCKING_READ_MARGIN, ResilientRedisChannelLayer
from tests.servers import Redis


@pytest.fixture
def redis() -> Iterator[Redis]:
    server = Redis()
    server.start()
    yield server
    server.stop()


async def test_it_drops_what_it_cannot_send_and_receives_once_redis_is_back(
    redis: Redis,
) -> None:
    layer = ResilientRedisChannelLayer(hosts=[{"address": redis.url}], prefix="layer-test")
    channel = await layer.new_channel()
    await layer.group_add("room.1", channel)
    waiting = asyncio.ensure_future(layer.receive(channel))
    await asyncio.sleep(0.2)
    await asyncio.to_thread(redis.stop)
    # None of these raises: a socket that made them stays open.
    await layer.group_add("room.2", channel)
    await layer.group_send("room.1", {"type": "room.event", "n": 1})
    await layer.send(channel, {"type": "room.event", "n": 2})
    await layer.group_discard("room.1", channel)
    await asyncio.sleep(0.3)
    assert not waiting.done()  # still waiting, not failed

    await asyncio.to_thread(redis.start)
    # First word that Redis is back, so the consumer joins its groups again at once.
    assert await asyncio.wait_for(waiting, 10) == {"type": "layer.recovered"}
    await layer.group_add("room.1", channel)
    await layer.group_send("room.1", {"type": "room.event", "n": 3})
    assert await asyncio.wait_for(layer.receive(channel), 10) == {"type": "room.event", "n": 3}
    await layer.flush()


async def test_a_cancelled_receive_ends_even_when_its_connection_fails_on_the_way_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Retried as "Redis is down", it would wait for a Redis no one awaits any more, and
    # the process (or a test's event loop) could never finish stopping.
    from channels_redis.core import RedisChannelLayer

    async def failing(self: RedisChannelLayer, channel: str) -> dict[str, object]:
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            raise ConnectionError("lost on the way out") from None
        return {}

    monkeypatch.setattr(RedisChannelLayer, "receive", failing)
    layer = ResilientRedisChannelLayer(hosts=[{"address": "redis://127.0.0.1:1"}], prefix="t")
    waiting = asyncio.ensure_future(layer.receive("specific.a!b"))
    await asyncio.sleep(0.05)
    waiting.cancel()
    await asyncio.wait([waiting], timeout=2)
    assert waiting.cancelled()


async def test_an_idle_receive_waits_past_redis_own_timeout_without_failing(
    redis: Redis,
) -> None:
    # Redis answers a blocking pop on an empty channel after brpop_timeout; a read that
    # gave up as early took that for Redis gone, and every idle socket re-subscribed.
    class Quick(ResilientRedisChannelLayer):
        brpop_timeout = 1

    layer = Quick(hosts=[{"address": redis.url}], prefix="layer-idle", capacity=10, group_expiry=60)
    assert layer.hosts[0]["socket_timeout"] == 1 + BLOCKING_READ_MARGIN
    channel = await layer.new_channel()
    waiting = asyncio.ensure_future(layer.receive(channel))
    await asyncio.sleep(3.5)  # three empty pops, one after another
    assert not waiting.done()
    assert layer.down_since is None
    await layer.send(channel, {"type": "room.event", "n": 1})
    assert await asyncio.wait_for(waiting, 5) == {"type": "room.event", "n": 1}
    # A host that sets its own read timeout keeps it.
    own = ResilientRedisChannelLayer(hosts=[{"address": redis.url, "socket_timeout": 2}])
    assert own.hosts[0]["socket_timeout"] == 2
    await layer.flush()
