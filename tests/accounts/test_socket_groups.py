"""Telling an account's sockets, from wherever a service runs."""

from __future__ import annotations

import asyncio
import uuid

from channels.layers import get_channel_layer

from accounts.socket_groups import group_tell


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
