"""Losing access closes the door at once: after a removal, a caucus closing or signing
out commits, nothing more reaches the affected sockets."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer

from negotiation.events import event_frame
from negotiation.models import Event
from tests.conftest import Cast, acknowledge_rule, expert_join, run
from tests.negotiation.test_socket import communicator, next_frame, open_socket, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)


def is_a(*types: str) -> Callable[[dict[str, Any]], bool]:
    """For `frames_until_quiet(until=...)`: a frame of one of these types."""
    return lambda frame: frame["type"] in types


def named(name: str) -> Callable[[dict[str, Any]], bool]:
    """For `frames_until_quiet(until=...)`: the event of this name."""
    return lambda frame: frame["type"] == "event" and frame["name"] == name


def titled(title: str) -> Callable[[dict[str, Any]], bool]:
    """For `frames_until_quiet(until=...)`: the event of the issue of this title."""
    return lambda frame: frame["type"] == "event" and frame["data"].get("title") == title


async def frames_until_quiet(
    socket: Any, *, closing: bool = False, until: Callable[[dict[str, Any]], bool] | None = None
) -> list[dict[str, Any]]:
    """The frames that come until 0.3 s pass without one. With `closing`, until the socket
    closes; with `until`, at least until a frame it accepts has come: each waits at most
    10 s, since a loaded machine answers a little late."""
    frames: list[dict[str, Any]] = []
    pending = closing or until is not None  # what was asked for has not come yet
    while not await socket.receive_nothing(timeout=10 if pending else 0.3):
        output = await socket.receive_output()
        if output["type"] == "websocket.close":
            frames.append({"type": "closed", "code": output.get("code")})
            break
        frames.append(json.loads(output["text"]))
        if until is not None and not closing and until(frames[-1]):
            pending = False
    return frames


async def test_a_removed_party_gets_nothing_after_the_removal(live_cast: Cast) -> None:
    cookie = await sync_to_async(session_cookie)(live_cast.users["party_a"])
    socket = await open_socket(live_cast, cookie)
    await next_frame(socket)
    await sync_to_async(acknowledge_rule)(live_cast, "mediator")
    await sync_to_async(run)(
        live_cast,
        "mediator",
        "participant.remove",
        participant=live_cast.participants["party_a"].pk,
    )
    # Committed after the removal, in both of the rooms Alex could see.
    await sync_to_async(run)(live_cast, "mediator", "issue.create", title="AFTER-REMOVAL")
    await sync_to_async(run)(
        live_cast, "mediator", "caucus_message.post", side=live_cast.side_a.pk, body="AFTER-REMOVAL"
    )
    frames = await frames_until_quiet(socket, closing=True)
    assert "AFTER-REMOVAL" not in str(frames)
    assert {"type": "closed", "code": 4403} in frames


async def test_a_late_event_after_a_revocation_is_never_forwarded(live_cast: Cast) -> None:
    """Deliver the channel layer's messages out of order: the event committed after the
    removal arrives first. The socket reads the gap from the log and stops at the marker."""
    cookie = await sync_to_async(session_cookie)(live_cast.users["party_a"])
    socket = await open_socket(live_cast, cookie)
    await next_frame(socket)
    layer = get_channel_layer()
    joint = await sync_to_async(lambda: live_cast.joint)()

    def commit_removal_then_event() -> tuple[dict[str, Any], dict[str, Any]]:
        from unittest import mock

        with (
            mock.patch("negotiation.events.event_send"),
            mock.patch("negotiation.events.participant_send"),
        ):
            run(live_cast, "mediator", "participant.remove",
                participant=live_cast.participants["party_a"].pk)  # fmt: skip
            run(live_cast, "mediator", "issue.create", title="AFTER-REMOVAL")
        marker, after = Event.objects.filter(room=joint).order_by("-seq")[:2][::-1]
        return event_frame(marker, "joint"), event_frame(after, "joint")

    marker, after = await sync_to_async(commit_removal_then_event)()
    await layer.group_send(joint.group_name, {"type": "room.event", "frame": after})
    await layer.group_send(joint.group_name, {"type": "room.event", "frame": marker})
    frames = await frames_until_quiet(socket, closing=True)
    assert "AFTER-REMOVAL" not in str(frames)
    assert {"type": "closed", "code": 4403} in frames


async def test_a_gap_is_filled_from_the_log_in_order(live_cast: Cast) -> None:
    cookie = await sync_to_async(session_cookie)(live_cast.users["party_b"])
    socket = await open_socket(live_cast, cookie)
    await next_frame(socket)

    def commit_three_quietly() -> list[dict[str, Any]]:
        from unittest import mock

        with mock.patch("negotiation.events.event_send"):
            for title in ("One", "Two", "Three"):
                run(live_cast, "mediator", "issue.create", title=title)
        return [
            event_frame(e, "joint")
            for e in Event.objects.filter(room=live_cast.joint).order_by("-seq")[:3]
        ]

    newest_first = await sync_to_async(commit_three_quietly)()
    layer = get_channel_layer()
    joint = await sync_to_async(lambda: live_cast.joint)()
    # Only the last one arrives; the two before it were lost on the way.
    await layer.group_send(joint.group_name, {"type": "room.event", "frame": newest_first[0]})
    frames = await frames_until_quiet(socket, until=titled("Three"))
    frames = [f for f in frames if f["type"] == "event"]
    await socket.disconnect()
    assert [f["data"]["title"] for f in frames] == ["One", "Two", "Three"]


async def test_closing_the_caucus_shuts_the_expert_out(live_cast: Cast) -> None:
    await sync_to_async(expert_join)(live_cast, live_cast.side_a)
    await sync_to_async(acknowledge_rule)(live_cast)
    session = await sync_to_async(run)(
        live_cast, "mediator", "caucus.call", side=live_cast.side_a.pk
    )
    await sync_to_async(run)(live_cast, "mediator", "caucus.open", caucus=session["id"])
    cookie = await sync_to_async(session_cookie)(live_cast.users["expert"])
    socket = await open_socket(live_cast, cookie)
    hello = await next_frame(socket)
    caucus = f"caucus:{live_cast.side_a.pk}"
    await sync_to_async(run)(live_cast, "mediator", "caucus.close", caucus=session["id"])
    await sync_to_async(run)(
        live_cast, "party_a", "caucus_message.post", side=live_cast.side_a.pk, body="AFTER-CLOSE"
    )
    await sync_to_async(run)(live_cast, "mediator", "issue.create", title="Joint goes on")
    frames = await frames_until_quiet(socket, until=titled("Joint goes on"))
    await socket.disconnect()
    assert caucus in hello["rooms"]
    assert {"type": "revoked", "room": caucus} in frames
    assert "AFTER-CLOSE" not in str(frames)
    assert any(f.get("name") == "issue.created" for f in frames)


async def test_an_expert_joins_the_caucus_room_when_it_opens(live_cast: Cast) -> None:
    await sync_to_async(expert_join)(live_cast, live_cast.side_a)
    cookie = await sync_to_async(session_cookie)(live_cast.users["expert"])
    socket = await open_socket(live_cast, cookie)
    hello = await next_frame(socket)
    session = await sync_to_async(run)(
        live_cast, "mediator", "caucus.call", side=live_cast.side_a.pk
    )
    await sync_to_async(run)(live_cast, "mediator", "caucus.open", caucus=session["id"])
    frames = await frames_until_quiet(socket, until=is_a("rooms"))
    await socket.disconnect()
    caucus = f"caucus:{live_cast.side_a.pk}"
    assert caucus not in hello["rooms"]
    assert any(f["type"] == "rooms" and caucus in f["rooms"] for f in frames)


async def test_signing_out_closes_that_browsers_sockets(live_cast: Cast) -> None:
    from django.test import Client

    client = Client()
    await sync_to_async(client.force_login)(live_cast.users["party_a"])
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    socket = communicator(f"/ws/mediations/{live_cast.mediation.pk}/", cookie)
    assert (await socket.connect())[0]
    await next_frame(socket)
    await sync_to_async(client.post)("/api/auth/logout/")
    frames = await frames_until_quiet(socket, closing=True)
    assert {"type": "closed", "code": 4401} in frames


async def test_nothing_is_sent_after_the_close() -> None:
    """A revocation racing an expiry used to send `revoked` after the 4403 close."""
    from negotiation.socket.consumer import MediationConsumer

    consumer = MediationConsumer()
    sent: list[dict[str, Any]] = []

    async def base_send(message: dict[str, Any]) -> None:
        sent.append(message)

    consumer.base_send = base_send
    consumer.rooms, consumer.forwarded = {}, {}
    await consumer.close(code=4403)
    await consumer.send_json({"type": "revoked", "room": "joint"})
    await consumer.close(code=4403)
    assert sent == [{"type": "websocket.close", "code": 4403}]
