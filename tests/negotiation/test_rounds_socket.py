"""The rounds over the socket: a sealed submission reaches its side's connections and
nobody else's, the reveal reaches every phone in one event; a brainstorm option reaches
everyone without a name."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import sync_to_async

from tests.conftest import Cast, acknowledge_rule, run
from tests.negotiation.test_socket import next_frame, session_cookie
from tests.negotiation.test_socket_board import command, connect

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "Our opening figure is 180,000"


@pytest.fixture
def cookies(live_cast: Cast) -> dict[str, bytes]:
    return {name: session_cookie(user) for name, user in live_cast.users.items()}


async def next_event(socket: Any) -> dict[str, Any]:
    while True:
        frame = await next_frame(socket)
        if frame["type"] in ("event", "sealed.mine"):
            return frame


async def test_a_sealed_submission_reaches_only_its_side_until_the_reveal(
    live_cast: Cast, cookies: dict[str, bytes]
) -> None:
    await sync_to_async(acknowledge_rule)(live_cast)
    issue = (await sync_to_async(run)(live_cast, "mediator", "issue.create", title="House"))["id"]
    sealed = (await sync_to_async(run)(live_cast, "mediator", "sealed.ask", issue=issue))["id"]
    sockets = {}
    for who in ("party_a", "attorney_a", "party_b", "mediator", "observer"):
        sockets[who], _ = await connect(live_cast, cookies, who)
    ack = await command(
        sockets["party_a"], "sealed.submit", {"sealed": sealed, "version": 0, "text": SECRET}, "s1"
    )
    assert ack["result"]["text"] == SECRET
    mine = await next_event(sockets["attorney_a"])
    assert (mine["type"], mine["text"]) == ("sealed.mine", SECRET)
    # Anything the others get next comes after the submission: the next thing they get
    # is a later, public event, so nothing of the submission came before it.
    await sync_to_async(run)(live_cast, "mediator", "issue.create", title="Car")
    for who in ("party_b", "mediator", "observer"):
        frame = await next_event(sockets[who])
        assert (frame["name"], frame["data"]["title"]) == ("issue.created", "Car")
    ack = await command(
        sockets["party_b"], "sealed.submit", {"sealed": sealed, "version": 0, "amount": "5"}, "s2"
    )
    assert ack["type"] == "ack"
    revealed = {}
    for who in ("party_a", "attorney_a", "mediator", "observer"):
        frame = await next_event(sockets[who])
        # Before it: Alex's own copy of Alex's submission, and the public card.
        while frame.get("name") != "sealed.revealed":
            assert frame.get("name") == "issue.created" or who in ("party_a", "attorney_a")
            frame = await next_event(sockets[who])
        revealed[who] = frame
    for socket in sockets.values():
        await socket.disconnect()
    assert {frame["name"] for frame in revealed.values()} == {"sealed.revealed"}
    assert len({frame["seq"] for frame in revealed.values()}) == 1
    texts = [s["text"] for s in revealed["observer"]["data"]["submissions"]]
    assert texts == [SECRET, ""]


async def test_a_brainstorm_option_reaches_everyone_without_a_name(
    live_cast: Cast, cookies: dict[str, bytes]
) -> None:
    await sync_to_async(acknowledge_rule)(live_cast)
    issue = (await sync_to_async(run)(live_cast, "mediator", "issue.create", title="House"))["id"]
    await sync_to_async(run)(live_cast, "mediator", "brainstorm.start", issue=issue)
    author, _ = await connect(live_cast, cookies, "party_a")
    other, _ = await connect(live_cast, cookies, "party_b")
    ack = await command(author, "brainstorm.add", {"issue": issue, "text": "Sell it"}, "b1")
    again = await command(author, "brainstorm.add", {"issue": issue, "text": "Sell it"}, "b1")
    assert ack["result"] == again["result"]
    assert "text" not in ack["result"]
    frame = await next_event(other)
    await author.disconnect()
    await other.disconnect()
    assert frame["name"] == "option.added"
    assert (frame["data"]["text"], frame["data"]["created_by"]) == ("Sell it", None)
