"""Opening statements: written in the side's private room, shown to everyone only when
the side's party has said so and the mediator opens them; nothing of a draft reaches the
other side before."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from config.errors import Invalid, NotAllowed, NotFound
from negotiation.models import Event, OpeningStatement
from tests.conftest import Cast, acknowledge_rule, run

DRAFT = "I want the children to be settled before we talk about money"


@pytest.fixture(autouse=True)
def _acknowledged(cast: Cast) -> None:
    acknowledge_rule(cast)


def joint_snapshot(cast: Cast, who: str) -> dict[str, Any]:
    client = APIClient()
    client.force_login(getattr(cast, who))
    response = client.get(f"/api/mediations/{cast.mediation.pk}/rooms/joint/")
    assert response.status_code == 200
    return response.json()


def text_in_joint(cast: Cast, text: str) -> bool:
    events = Event.objects.filter(room=cast.joint)
    return any(text in str(event.data) for event in events)


def test_a_draft_stays_in_the_sides_room(cast: Cast) -> None:
    a = cast.side_a.pk
    saved = run(cast, "attorney_a", "opening.set", side=a, version=0, text=DRAFT)
    assert (saved["text"], saved["ready"], saved["version"]) == (DRAFT, False, 1)
    run(cast, "party_a", "opening.set", side=a, version=1, ready=True)
    assert [e.room.key for e in Event.objects.filter(name="opening.saved")] == [f"caucus:{a}"] * 2
    assert not text_in_joint(cast, DRAFT)
    for who in ("party_b", "observer"):
        assert DRAFT not in str(joint_snapshot(cast, who))
    with pytest.raises(NotFound):
        run(cast, "party_b", "opening.set", side=a, version=2, text="Mine now")


def test_the_mediator_opens_the_ready_statements_only(cast: Cast) -> None:
    a, b = cast.side_a.pk, cast.side_b.pk
    run(cast, "party_a", "opening.set", side=a, version=0, text=DRAFT, ready=True)
    run(cast, "party_b", "opening.set", side=b, version=0, text="Not finished, do not show")
    run(cast, "mediator", "openings.show")
    shown = Event.objects.filter(room=cast.joint, name="openings.shown").get()
    assert [o["text"] for o in shown.data["openings"]] == [DRAFT]
    assert not text_in_joint(cast, "Not finished")
    assert [o["text"] for o in joint_snapshot(cast, "party_b")["data"]["openings"]] == [DRAFT]

    # Sam's is shown the moment Sam says it may be.
    run(cast, "party_b", "opening.set", side=b, version=1, text="I want a fair split", ready=True)
    later = Event.objects.filter(room=cast.joint, name="opening.saved").get()
    assert later.data["text"] == "I want a fair split"
    texts = {o["text"] for o in joint_snapshot(cast, "observer")["data"]["openings"]}
    assert texts == {DRAFT, "I want a fair split"}


def test_only_the_party_says_it_may_be_shown(cast: Cast) -> None:
    a = cast.side_a.pk
    for who in ("attorney_a", "mediator"):
        with pytest.raises(NotAllowed, match="party"):
            run(cast, who, "opening.set", side=a, version=0, text=DRAFT, ready=True)
    run(cast, "party_a", "opening.set", side=a, version=0, text=DRAFT, ready=True)
    # Words changed by anyone else take the party's yes back.
    edited = run(cast, "attorney_a", "opening.set", side=a, version=1, text=DRAFT + ".")
    assert edited["ready"] is False


def test_once_shown_only_the_party_changes_it(cast: Cast) -> None:
    a = cast.side_a.pk
    run(cast, "party_a", "opening.set", side=a, version=0, text=DRAFT, ready=True)
    run(cast, "mediator", "openings.show")
    for who in ("attorney_a", "mediator"):
        with pytest.raises(NotAllowed, match="shown"):
            run(cast, who, "opening.set", side=a, version=1, text="Something else")
    with pytest.raises(Invalid, match="shown"):
        run(cast, "party_a", "opening.set", side=a, version=1, ready=False)
    run(cast, "party_a", "opening.set", side=a, version=1, text=DRAFT + ", and soon")
    assert OpeningStatement.objects.get().text == DRAFT + ", and soon"
    assert Event.objects.filter(room=cast.joint, name="opening.saved").count() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [({"text": "x" * 5001}, "text"), ({}, "text"), ({"ready": "yes"}, "ready")],
)
def test_bad_statements_say_what_is_wrong(cast: Cast, data: dict[str, Any], field: str) -> None:
    from negotiation.services.openings import opening_set

    with pytest.raises(Invalid) as error:
        opening_set(actor=cast.participants["party_a"], side_id=cast.side_a.pk, version=0, **data)
    assert field in error.value.details


def test_a_stale_version_is_a_conflict(cast: Cast) -> None:
    from config.errors import Conflict

    a = cast.side_a.pk
    run(cast, "party_a", "opening.set", side=a, version=0, text=DRAFT)
    with pytest.raises(Conflict):
        run(cast, "attorney_a", "opening.set", side=a, version=0, text="Ours")
