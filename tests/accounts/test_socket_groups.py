"""Telling an account's sockets, from wherever a service runs."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer

from accounts import socket_groups
from accounts.socket_groups import group_post, group_tell


def test_it_sends_from_synchronous_code_in_a_thread_that_runs_an_event_loop() -> None:
    # Such as a script driving a browser through Playwright's sync API while it calls a
    # service: the send must neither fail nor block that loop for good.
    layer = get_channel_layer()
    group = f"test.{uuid.uuid4().hex}"

    async def main() -> dict[str, str]:
        channel = await layer.new_channel()
        await layer.group_add(group, channel)
        try:
            group_tell(group, {"type": "credentials.changed"})
            return await asyncio.wait_for(layer.receive(channel), 5)
        finally:
            await layer.group_discard(group, channel)

    assert asyncio.run(main()) == {"type": "credentials.changed"}


def test_it_sends_from_plain_synchronous_code() -> None:
    layer = get_channel_layer()
    group = f"test.{uuid.uuid4().hex}"

    async def join() -> str:
        channel = await layer.new_channel()
        await layer.group_add(group, channel)
        return channel

    async def receive(channel: str) -> dict[str, str]:
        return await asyncio.wait_for(layer.receive(channel), 5)

    channel = asyncio.run(join())
    group_tell(group, {"type": "session.ended"})
    assert asyncio.run(receive(channel)) == {"type": "session.ended"}


def post_all(group: str, count: int) -> None:
    for n in range(count):
        group_post(group, {"type": "x", "n": n})


async def held_layer(monkeypatch: pytest.MonkeyPatch) -> tuple[Any, str, str, asyncio.Event]:
    """The channel layer, its group sends held until the event is set; a group with one
    channel in it."""
    layer = get_channel_layer()
    group = f"test.{uuid.uuid4().hex}"
    channel = await layer.new_channel()
    await layer.group_add(group, channel)
    release = asyncio.Event()
    group_send = layer.group_send

    async def held(group: str, message: dict[str, object]) -> None:
        await release.wait()
        await group_send(group, message)

    monkeypatch.setattr(layer, "group_send", held)
    return layer, group, channel, release


async def test_a_post_from_a_servers_sync_thread_returns_at_once_and_keeps_the_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The database thread of a socket posts an event and goes on: the send happens on
    # the server's loop, one group's sends in the order posted.
    layer, group, channel, release = await held_layer(monkeypatch)
    await sync_to_async(post_all)(group, 20)
    release.set()
    got = [await asyncio.wait_for(layer.receive(channel), 5) for _ in range(20)]
    await layer.group_discard(group, channel)
    assert [message["n"] for message in got] == list(range(20))


async def test_posts_past_the_limit_are_dropped_and_logged(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # A channel layer that does not answer must not grow the process without bound.
    monkeypatch.setattr(socket_groups, "OUTBOX_LIMIT", 3)
    layer, group, channel, release = await held_layer(monkeypatch)
    await sync_to_async(post_all)(group, 5)
    await asyncio.sleep(0.05)
    release.set()
    got = [await asyncio.wait_for(layer.receive(channel), 5) for _ in range(3)]
    assert [message["n"] for message in got] == [0, 1, 2]
    assert "Dropped x" in caplog.text
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(layer.receive(channel), 0.3)
    await layer.group_discard(group, channel)
