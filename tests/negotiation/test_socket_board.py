"""The board over the socket: sync (replay or snapshot), commands, presence."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from asgiref.sync import sync_to_async

from negotiation import selectors
from negotiation.models import Issue
from tests.conftest import Cast, run
from tests.negotiation.test_socket import (
    PRESENCE_TYPES,
    next_frame,
    open_socket,
    presence_entries,
    presence_heard,
    session_cookie,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def cookies(live_cast: Cast) -> dict[str, bytes]:
    return {name: session_cookie(user) for name, user in live_cast.users.items()}


async def connect(cast: Cast, cookies: dict[str, bytes], who: str) -> tuple[Any, dict[str, Any]]:
    socket = await open_socket(cast, cookies[who])
    hello = await next_frame(socket)
    return socket, hello


async def command(socket: Any, name: str, data: dict[str, Any], frame_id: str) -> dict[str, Any]:
    """Send a command; return its ack or error, passing over the events on the way."""
    await socket.send_json_to({"type": "command", "id": frame_id, "name": name, "data": data})
    while True:
        frame = await next_frame(socket)
        if frame["type"] in ("ack", "error") and frame.get("id") == frame_id:
            return frame


async def test_sync_replays_what_was_missed_in_order(live_cast: Cast, cookies) -> None:
    socket, hello = await connect(live_cast, cookies, "party_b")
    seen = hello["rooms"]["joint"]
    for title in ("House", "Car", "Dog"):
        await sync_to_async(run)(live_cast, "mediator", "issue.create", title=title)
    await socket.send_json_to({"type": "sync", "rooms": {"joint": seen}})
    frames = []
    while True:
        frame = await next_frame(socket)
        if frame["type"] == "synced":
            break
        frames.append(frame)
    await socket.disconnect()
    # The live copies and the replay overlap; by sequence number there is one of each.
    replayed = {frame["seq"]: frame["data"]["title"] for frame in frames}
    assert replayed == {seen + 1: "House", seen + 2: "Car", seen + 3: "Dog"}
    assert frame["rooms"] == {"joint": seen + 3}


async def test_a_client_far_behind_gets_a_snapshot(
    live_cast: Cast, cookies, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selectors, "REPLAY_MAX", 2)
    for title in ("House", "Car", "Dog"):
        await sync_to_async(run)(live_cast, "mediator", "issue.create", title=title)
    socket, hello = await connect(live_cast, cookies, "observer")
    await socket.send_json_to({"type": "sync", "rooms": {"joint": 0}})
    snapshot = await next_frame(socket)
    synced = await next_frame(socket)
    await socket.disconnect()
    assert snapshot["type"] == "snapshot"
    assert [issue["title"] for issue in snapshot["data"]["issues"]] == ["House", "Car", "Dog"]
    assert snapshot["seq"] == synced["rooms"]["joint"] == hello["rooms"]["joint"]


async def test_a_client_ahead_of_the_server_gets_a_snapshot(live_cast: Cast, cookies) -> None:
    socket, hello = await connect(live_cast, cookies, "observer")
    await socket.send_json_to({"type": "sync", "rooms": {"joint": hello["rooms"]["joint"] + 50}})
    snapshot = await next_frame(socket)
    await socket.disconnect()
    assert (snapshot["type"], snapshot["seq"]) == ("snapshot", hello["rooms"]["joint"])


async def test_a_room_one_may_not_see_is_answered_like_one_that_does_not_exist(
    live_cast: Cast, cookies
) -> None:
    socket, _ = await connect(live_cast, cookies, "party_a")
    other_caucus = f"caucus:{live_cast.side_b.pk}"
    answers = []
    for room in (other_caucus, "caucus:999999"):
        await socket.send_json_to({"type": "sync", "rooms": {room: 0}})
        answers.append(await next_frame(socket))
    await socket.disconnect()
    assert [answer["code"] for answer in answers] == ["unknown_room", "unknown_room"]
    assert answers[0]["message"].replace(other_caucus, "X") == answers[1]["message"].replace(
        "caucus:999999", "X"
    )


@pytest.mark.parametrize(
    "rooms", [None, [], {"joint": "3"}, {"joint": True}, {"joint": 1.5}], ids=str
)
async def test_a_malformed_sync_gets_an_error(live_cast: Cast, cookies, rooms: Any) -> None:
    socket, _ = await connect(live_cast, cookies, "party_a")
    await socket.send_json_to({"type": "sync", "rooms": rooms})
    error = await next_frame(socket)
    await socket.disconnect()
    assert (error["type"], error["code"]) == ("error", "malformed")


async def test_a_command_is_acknowledged_and_its_event_reaches_the_other_side(
    live_cast: Cast, cookies
) -> None:
    alex, _ = await connect(live_cast, cookies, "party_a")
    sam, _ = await connect(live_cast, cookies, "party_b")
    ack = await command(alex, "issue.create", {"title": "Pension"}, "c-1")
    event = await next_frame(sam)
    await alex.disconnect()
    await sam.disconnect()
    assert ack["type"] == "ack"
    assert ack["result"]["title"] == "Pension"
    assert (event["type"], event["name"], event["data"]["id"]) == (
        "event",
        "issue.created",
        ack["result"]["id"],
    )


async def test_a_repeated_command_gets_the_same_ack_and_one_effect(
    live_cast: Cast, cookies
) -> None:
    socket, _ = await connect(live_cast, cookies, "party_a")
    first = await command(socket, "issue.create", {"title": "Pension"}, "same-id")
    await socket.disconnect()
    # Reconnected, the client replays its unacknowledged queue with the same ids.
    socket, _ = await connect(live_cast, cookies, "party_a")
    again = await command(socket, "issue.create", {"title": "Pension"}, "same-id")
    await socket.disconnect()
    assert first == again
    assert await sync_to_async(Issue.objects.count)() == 1


async def test_an_unauthorised_command_is_refused(live_cast: Cast, cookies) -> None:
    socket, _ = await connect(live_cast, cookies, "observer")
    error = await command(socket, "issue.create", {"title": "Mine"}, "c-2")
    await socket.disconnect()
    assert (error["type"], error["code"]) == ("error", "not_allowed")
    assert await sync_to_async(Issue.objects.count)() == 0


async def test_a_stale_edit_gets_a_conflict_with_the_current_state(
    live_cast: Cast, cookies
) -> None:
    issue = await sync_to_async(run)(live_cast, "mediator", "issue.create", title="House")
    await sync_to_async(run)(
        live_cast, "party_a", "issue.update", issue=issue["id"], version=1, title="The house"
    )
    socket, _ = await connect(live_cast, cookies, "party_b")
    error = await command(
        socket, "issue.update", {"issue": issue["id"], "version": 1, "title": "Home"}, "c-3"
    )
    await socket.disconnect()
    assert error["code"] == "conflict"
    assert error["details"]["current"]["title"] == "The house"


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ({"type": "command", "id": "c", "name": "issue.create", "data": {"title": ""}}, "invalid"),
        ({"type": "command", "id": "c", "name": "issue.nope", "data": {}}, "unknown_command"),
        ({"type": "command", "name": "issue.create", "data": {"title": "x"}}, "invalid"),
        ({"type": "command", "id": "c", "name": "issue.create", "data": "x"}, "invalid"),
    ],
)
async def test_a_bad_command_says_what_is_wrong(
    live_cast: Cast, cookies, frame: dict, code: str
) -> None:
    socket, _ = await connect(live_cast, cookies, "party_a")
    await socket.send_json_to(frame)
    error = await next_frame(socket)
    await socket.disconnect()
    assert (error["type"], error["code"]) == ("error", code)


async def test_a_participant_removed_while_connected_cannot_command(
    live_cast: Cast, cookies
) -> None:
    from django.utils import timezone

    from negotiation.models import Participant

    socket, _ = await connect(live_cast, cookies, "party_a")
    await sync_to_async(Participant.objects.filter(pk=live_cast.participants["party_a"].pk).update)(
        removed_at=timezone.now()
    )
    error = await command(socket, "issue.create", {"title": "Mine"}, "c-4")
    await socket.disconnect()
    assert error["code"] == "not_found"


async def test_presence_tells_others_what_one_looks_at(live_cast: Cast, cookies) -> None:
    alex, _ = await connect(live_cast, cookies, "party_a")
    sam, _ = await connect(live_cast, cookies, "party_b")
    await alex.send_json_to(
        {"type": "presence", "viewing": 7, "editing": {"issue": 7, "field": "title"}}
    )
    alex_id = live_cast.participants["party_a"].pk
    frame = await presence_heard(sam, lambda f: f["participant"] == alex_id and f["viewing"])
    await alex.disconnect()
    gone = await presence_heard(sam, lambda f: f["participant"] == alex_id and not f["online"])
    await sam.disconnect()
    assert frame["editing"] == {"issue": 7, "field": "title"}
    assert gone["connection"] == frame["connection"]


async def test_presence_passes_on_no_field_name_that_cannot_be_told(
    live_cast: Cast, cookies
) -> None:
    """A lone surrogate, escaped in JSON, arrives as text that the Redis channel layer
    cannot encode: the sender's connection crashed (1011)."""
    alex, _ = await connect(live_cast, cookies, "party_a")
    sam, _ = await connect(live_cast, cookies, "party_b")
    await alex.send_to(
        text_data='{"type": "presence", "viewing": 7, "editing": {"issue": 7, "field": "\\ud800"}}'
    )
    await alex.send_json_to({"type": "ping"})
    assert (await next_frame(alex))["type"] == "pong"
    alex_id = live_cast.participants["party_a"].pk
    frame = await presence_heard(sam, lambda f: f["participant"] == alex_id and f["viewing"])
    await alex.disconnect()
    await sam.disconnect()
    assert frame["editing"] is None


async def frames_until_quiet(socket: Any) -> list[dict[str, Any]]:
    """Every frame that arrives until the socket has been quiet for half a second."""
    frames = []
    while not await socket.receive_nothing(timeout=0.5):
        frames.append(await socket.receive_json_from())
    return frames


async def test_it_sends_no_event_twice_after_a_sync(
    live_cast: Cast, cookies, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Events committed between connecting and syncing reach the client in the sync's
    replay; their live copies, arriving late, and the next event are not followed by a
    second copy of what the sync sent."""
    from negotiation import events

    socket, hello = await connect(live_cast, cookies, "party_b")
    seen = hello["rooms"]["joint"]
    late: list[tuple[str, dict[str, Any]]] = []
    send = events.event_send
    monkeypatch.setattr(events, "event_send", lambda group, frame: late.append((group, frame)))
    for title in ("House", "Car"):
        await sync_to_async(run)(live_cast, "mediator", "issue.create", title=title)
    monkeypatch.setattr(events, "event_send", send)
    await socket.send_json_to({"type": "sync", "rooms": {"joint": seen}})
    replayed = []
    while (frame := await next_frame(socket))["type"] != "synced":
        replayed.append(frame["seq"])
    for group, frame in late:
        await sync_to_async(send)(group, frame)
    await sync_to_async(run)(live_cast, "mediator", "issue.create", title="Dog")
    after = [frame["seq"] for frame in await frames_until_quiet(socket) if frame["type"] == "event"]
    await socket.disconnect()
    assert replayed == [seen + 1, seen + 2]
    assert after == [seen + 3]


async def test_it_ages_out_the_presence_of_a_connection_that_stopped_pinging(
    live_cast: Cast, cookies, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Daphne process that dies says no goodbye for its clients: their presence, last
    announced through the channel layer, is reported gone to every socket of the room
    once no ping has refreshed it (at the next heartbeat of any of them), while a
    connection that keeps pinging stays."""
    from channels.layers import get_channel_layer

    from negotiation.socket import presence

    monkeypatch.setattr(presence, "PRESENCE_TTL", 2.0)
    alex, _ = await connect(live_cast, cookies, "party_a")
    sam, _ = await connect(live_cast, cookies, "party_b")
    ghost = {
        "type": "presence",
        "room": "joint",
        "connection": "0123456789abcdef",
        "participant": live_cast.participants["observer"].pk,
        "online": True,
        "viewing": 3,
        "editing": None,
    }
    group = (await sync_to_async(lambda: live_cast.joint)()).group_name
    await get_channel_layer().group_send(group, {"type": "presence.broadcast", "frame": ghost})
    sent = time.monotonic()
    told = [await frames_until_quiet(socket) for socket in (alex, sam)]
    for socket in (alex, sam):  # both keep pinging, a second or more later; the ghost not
        await socket.send_json_to({"type": "ping"})
    # The ghost's last refresh is now past the TTL, theirs not.
    await asyncio.sleep(sent + presence.PRESENCE_TTL + 0.2 - time.monotonic())
    await sam.send_json_to({"type": "ping"})
    assert (await next_frame(sam))["type"] == "pong"
    await alex.send_json_to({"type": "ping"})
    after = [presence_entries(await frames_until_quiet(socket)) for socket in (alex, sam)]
    await alex.disconnect()
    await sam.disconnect()
    assert all(ghost in presence_entries(frames) for frames in told)
    for frames in after:
        assert [(f["connection"], f["online"]) for f in frames if not f["online"]] == [
            (ghost["connection"], False)
        ]


async def test_it_refreshes_presence_at_most_once_per_room_for_a_burst_of_pings(
    live_cast: Cast, cookies, monkeypatch: pytest.MonkeyPatch
) -> None:
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    told: list[str] = []
    group_send = layer.group_send

    async def count(group: str, message: dict[str, Any]) -> None:
        if message["type"] == "presence.broadcast" and message["frame"]["online"]:
            told.append(group)
        await group_send(group, message)

    socket, _ = await connect(live_cast, cookies, "party_b")
    monkeypatch.setattr(layer, "group_send", count)
    for _ in range(30):
        await socket.send_json_to({"type": "ping"})
    pongs = [frame for frame in await frames_until_quiet(socket) if frame["type"] == "pong"]
    await socket.disconnect()
    assert len(pongs) == 30
    # Each room is told at most once (the caucus room, never told at connect, is told now).
    assert len(told) == len(set(told))


async def test_a_mediators_connection_is_recorded_alive_and_a_partys_is_not(
    live_cast: Cast, cookies
) -> None:
    """Where every server process can see it: the board pauses by itself only when
    every mediator's connection is gone (negotiation.services.session.absence_pause)."""
    from negotiation.models import Mediation

    def seen_at() -> object:
        return Mediation.objects.get(pk=live_cast.mediation.pk).mediator_seen_at

    party, _ = await connect(live_cast, cookies, "party_a")
    assert await sync_to_async(seen_at)() is None
    mediator, _ = await connect(live_cast, cookies, "mediator")
    # Written just after the hello, by the socket's own database work.
    first = None
    for _ in range(100):
        first = await sync_to_async(seen_at)()
        if first is not None:
            break
        await asyncio.sleep(0.05)
    assert first is not None
    # A ping soon after does not write again; the next one after the interval does.
    await mediator.send_json_to({"type": "ping"})
    assert (await next_frame(mediator))["type"] in ("pong", *PRESENCE_TYPES)
    assert await sync_to_async(seen_at)() == first
    await party.disconnect()
    await mediator.disconnect()
