"""The impasse over the socket: the mediator's command answers with the causes; the
mediators' connections get the `impasse` frame; everyone else's get only the card's
"trying another way", and the perspective round's events."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async

from tests.conftest import Cast, run
from tests.negotiation.test_socket import open_socket, session_cookie
from tests.negotiation.test_socket_board import command, connect
from tests.negotiation.test_socket_revocation import frames_until_quiet

pytestmark = pytest.mark.django_db(transaction=True)

WHO = ("mediator", "party_a", "party_b", "attorney_a", "observer")


@pytest.fixture
def cookies(live_cast: Cast) -> dict[str, bytes]:
    return {name: session_cookie(user) for name, user in live_cast.users.items()}


async def test_the_causes_reach_the_mediators_socket_alone(live_cast: Cast, cookies) -> None:
    issue = await sync_to_async(run)(live_cast, "party_a", "issue.create", title="House")
    sockets = {}
    for who in WHO:
        sockets[who], _ = await connect(live_cast, cookies, who)
    ack = await command(
        sockets["mediator"], "impasse.mark",
        {"issue": issue["id"], "causes": ["lack_of_trust"]}, "m-1",
    )  # fmt: skip
    frames = {who: await frames_until_quiet(socket) for who, socket in sockets.items()}
    for socket in sockets.values():
        await socket.disconnect()
    assert ack["result"]["causes"] == ["lack_of_trust"]
    [told] = [f for f in frames["mediator"] if f["type"] == "impasse"]
    assert told["impasse"]["causes"] == ["lack_of_trust"]
    for who in WHO[1:]:
        assert "lack_of_trust" not in str(frames[who])
        cards = [f for f in frames[who] if f.get("name") == "issue.updated"]
        assert cards
        assert cards[0]["data"]["impasse_since"] is not None


async def test_a_party_is_refused_the_impasse_commands_over_the_socket(
    live_cast: Cast, cookies
) -> None:
    issue = await sync_to_async(run)(live_cast, "party_a", "issue.create", title="House")
    socket = await open_socket(live_cast, cookies["party_a"])
    await frames_until_quiet(socket)
    refused = await command(
        socket, "impasse.mark", {"issue": issue["id"], "causes": ["lack_of_trust"]}, "p-1"
    )
    await socket.disconnect()
    assert (refused["type"], refused["code"]) == ("error", "not_allowed")


async def test_both_phones_follow_a_perspective_round(live_cast: Cast, cookies) -> None:
    issue = await sync_to_async(run)(live_cast, "party_a", "issue.create", title="House")
    impasse = await sync_to_async(run)(
        live_cast, "mediator", "impasse.mark", issue=issue["id"], causes=["misunderstanding"]
    )
    started = await sync_to_async(run)(
        live_cast, "mediator", "strategy.start", impasse=impasse["id"], kind="perspective"
    )
    round_ = started["attempts"][0]["perspective"]
    alex, _ = await connect(live_cast, cookies, "party_a")
    sam, _ = await connect(live_cast, cookies, "party_b")
    await frames_until_quiet(alex)
    await frames_until_quiet(sam)
    ack = await command(alex, "perspective.submit", {"round": round_, "text": "Sam wants X"}, "a")
    heard = await frames_until_quiet(sam)
    await alex.disconnect()
    await sam.disconnect()
    assert ack["result"]["statements"][0]["text"] == "Sam wants X"
    [event] = [f for f in heard if f.get("name") == "perspective.updated"]
    assert event["data"]["statements"][0]["text"] == "Sam wants X"
