"""The rights each participant's browser is given: the matrix per persona, and proof that
each published right is what the server enforces (every right tried as a command, by
every persona, allowed exactly when published)."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import sync_to_async
from rest_framework.test import APIClient

from config.errors import NotAllowed, NotFound, ServiceError
from negotiation.models import ConfidentialityRule, Issue, OpeningStatement, Participant
from negotiation.permissions import rights_of
from tests.conftest import Cast, acknowledge_rule, expert_join, run
from tests.negotiation.test_socket import communicator, next_frame, session_cookie

PERSONAS = ("mediator", "party_a", "party_b", "attorney_a", "observer", "expert")


@pytest.fixture
def ready(cast: Cast) -> Cast:
    expert_join(cast, cast.side_a)
    acknowledge_rule(cast)
    session = run(cast, "mediator", "caucus.call", side=cast.side_a.pk)
    run(cast, "mediator", "caucus.open", caucus=session["id"])
    return cast


def rights(cast: Cast, who: str) -> dict[str, Any]:
    participant = Participant.objects.select_related("mediation", "side").get(
        pk=cast.participants[who].pk
    )
    return rights_of(participant)


def test_each_persona_has_the_rights_of_their_role(ready: Cast) -> None:
    a, b = ready.side_a.pk, ready.side_b.pk
    table = {who: rights(ready, who) for who in PERSONAS}
    summary = {
        who: (r["manage"], r["edit_board"], r["propose"], r["comment"], r["speak_for"],
              r["answer_for"], r["withdraw_for"], sorted(r["rooms"]))
        for who, r in table.items()
    }  # fmt: skip
    assert summary == {
        "mediator": (True, True, True, True, [a, b], None, [None], [f"caucus:{a}", f"caucus:{b}"]),
        "party_a": (False, True, True, True, [a], a, [a], [f"caucus:{a}"]),
        "party_b": (False, True, True, True, [b], b, [b], [f"caucus:{b}"]),
        "attorney_a": (False, False, False, True, [], None, [], [f"caucus:{a}"]),
        "observer": (False, False, False, False, [], None, [], []),
        "expert": (False, False, False, True, [], None, [], [f"caucus:{a}"]),
    }
    deciding = {
        who: (r["mark_agreed"], r["strike"], r["consent_for"], r["reopen"])
        for who, r in table.items()
    }
    assert deciding == {
        "mediator": (True, "now", None, True),
        "party_a": (False, "ask", a, False),
        "party_b": (False, "ask", b, False),
        "attorney_a": (False, None, None, False),
        "observer": (False, None, None, False),
        "expert": (False, None, None, False),
    }
    room = f"caucus:{a}"
    in_room = {who: table[who]["rooms"].get(room) for who in ("mediator", "party_a", "attorney_a")}
    assert in_room == {
        "mediator": {"write": True, "mark": True, "unmark_any": False, "unmark_own": True,
                     "draft_release": True, "answer_release": False, "share_unmarked": False,
                     "write_opening": True, "ready_opening": False},
        "party_a": {"write": True, "mark": True, "unmark_any": True, "unmark_own": True,
                    "draft_release": True, "answer_release": True, "share_unmarked": False,
                    "write_opening": True, "ready_opening": True},
        "attorney_a": {"write": True, "mark": True, "unmark_any": False, "unmark_own": True,
                       "draft_release": False, "answer_release": False, "share_unmarked": False,
                       "write_opening": True, "ready_opening": False},
    }  # fmt: skip


def test_a_pause_takes_the_board_from_the_parties_only(ready: Cast) -> None:
    run(ready, "mediator", "board.pause", paused=True)
    assert [rights(ready, who)["edit_board"] for who in ("mediator", "party_a")] == [True, False]


def test_the_permissive_rule_lets_the_mediator_share(ready: Cast) -> None:
    run(ready, "mediator", "rule.set", rule=ConfidentialityRule.SHAREABLE_UNLESS_MARKED)
    room = f"caucus:{ready.side_a.pk}"
    assert rights(ready, "mediator")["rooms"][room]["share_unmarked"] is True
    # Writing waits for the new rule's acknowledgement.
    assert rights(ready, "party_a")["rooms"][room]["write"] is False


# --- each right is what the server enforces ------------------------------------------------


def allowed(cast: Cast, who: str, name: str, **data: Any) -> bool:
    try:
        run(cast, who, name, **data)
    except (NotAllowed, NotFound):
        return False
    except ServiceError as error:
        # Refused for another reason than rights (e.g. a rule not yet acknowledged is a
        # NotAllowed too): any other refusal means the right was there.
        return error.code != "not_allowed"
    return True


@pytest.mark.parametrize("who", PERSONAS)
def test_every_published_right_is_what_the_server_allows(ready: Cast, who: str) -> None:
    cast = ready
    a = cast.side_a.pk
    room = f"caucus:{a}"
    published = rights(cast, who)
    issue = run(cast, "mediator", "issue.create", title="House")
    said = run(cast, "party_a", "caucus_message.post", side=a, body="Between us")
    asked = run(cast, "mediator", "release.request", message=said["id"])
    mine = published["rooms"].get(room, {})
    to_agree, to_strike, to_confirm, struck = (
        run(cast, "mediator", "issue.create", title=title)["id"]
        for title in ("Car", "Dog", "Boat", "Shed")
    )
    wording = run(cast, "mediator", "decision.propose", issue=to_confirm, kind="agree", terms="A")
    struck_version = run(cast, "mediator", "issue.move", issue=struck, version=1, lane="struck")[
        "version"
    ]

    def opening_version() -> int:
        held = OpeningStatement.objects.filter(side=cast.side_a).first()
        return held.version if held else 0

    struck_now = None
    if allowed(cast, who, "decision.propose", issue=to_strike, kind="strike"):
        struck_now = "now" if Issue.objects.get(pk=to_strike).lane == "struck" else "ask"
    tried = {
        "edit_board": allowed(cast, who, "issue.create", title="Car"),
        "propose": allowed(cast, who, "proposal.create", issue=issue["id"], terms="Sell"),
        "comment": allowed(cast, who, "comment.add", issue=issue["id"], body="Hm"),
        "manage": allowed(cast, who, "board.pause", paused=False),
        "speak_for": [
            side.pk for side in (cast.side_a, cast.side_b)
            if allowed(cast, who, "interest.add", issue=issue["id"], side=side.pk, text="Keep")
        ],
        "write": allowed(cast, who, "caucus_message.post", side=a, body="Noted"),
        "mark": allowed(cast, who, "caucus_message.mark", message=said["id"], confidential=True),
        "draft_release": allowed(cast, who, "release.request", side=a, text="May we say"),
        "answer_release": allowed(
            cast, who, "release.answer", release=asked["id"], version=1, decision="decline"
        ),
        "write_opening": allowed(cast, who, "opening.set", side=a, version=0, text="We hope"),
        "ready_opening": allowed(cast, who, "opening.set", side=a, version=opening_version(),
                                 ready=True),
        "mark_agreed": allowed(cast, who, "decision.propose", issue=to_agree, kind="agree",
                               terms="B"),
        "strike": struck_now,
        "consent_for": cast.participants[who].side_id if allowed(
            cast, who, "decision.answer", decision=wording["decisions"][0]["id"],
            answer="confirm") else None,
        "reopen": allowed(cast, who, "issue.move", issue=struck, version=struck_version,
                          lane="agenda"),
    }  # fmt: skip
    expected = {
        **{key: published[key] for key in ("edit_board", "propose", "comment", "manage")},
        "speak_for": published["speak_for"],
        **{key: mine.get(key, False) for key in ("write", "mark", "draft_release",
                                                  "answer_release", "write_opening",
                                                  "ready_opening")},
        **{key: published[key] for key in ("mark_agreed", "strike", "consent_for", "reopen")},
    }  # fmt: skip
    assert tried == expected


def test_the_rest_payload_carries_the_rights(ready: Cast) -> None:
    client = APIClient()
    client.force_login(ready.users["party_b"])
    body = client.get(f"/api/mediations/{ready.mediation.pk}/").json()
    assert body["my_rights"] == rights(ready, "party_b")


@pytest.mark.django_db(transaction=True)
async def test_hello_carries_the_rights_and_a_pause_sends_new_ones(live_cast: Cast) -> None:
    cookie = await sync_to_async(session_cookie)(live_cast.users["party_a"])
    socket = communicator(f"/ws/mediations/{live_cast.mediation.pk}/", cookie)
    assert (await socket.connect())[0]
    hello = await next_frame(socket)
    await sync_to_async(run)(live_cast, "mediator", "board.pause", paused=True)
    frames = [await next_frame(socket), await next_frame(socket)]
    await socket.disconnect()
    assert hello["rights"]["edit_board"] is True
    assert frames[0]["name"] == "mediation.updated"
    assert frames[1] == {"type": "rights", "rights": {**hello["rights"], "edit_board": False,
                                                      "propose": False,
                                                      "speak_for": [],
                                                      "strike": None,
                                                      "brainstorm": False}}  # fmt: skip


@pytest.mark.django_db(transaction=True)
async def test_a_replayed_pause_sends_the_new_rights_too(live_cast: Cast) -> None:
    """The live event was lost; the client's sync replays it, and the rights follow."""
    from unittest import mock

    cookie = await sync_to_async(session_cookie)(live_cast.users["party_a"])
    socket = communicator(f"/ws/mediations/{live_cast.mediation.pk}/", cookie)
    assert (await socket.connect())[0]
    hello = await next_frame(socket)

    def pause_quietly() -> None:
        with mock.patch("negotiation.events.event_send"):
            run(live_cast, "mediator", "board.pause", paused=True)

    await sync_to_async(pause_quietly)()
    await socket.send_json_to({"type": "sync", "rooms": {"joint": hello["rooms"]["joint"]}})
    frames = [await next_frame(socket) for _ in range(3)]
    await socket.disconnect()
    assert [f["type"] for f in frames] == ["event", "rights", "synced"]
    assert frames[1]["rights"]["edit_board"] is False
