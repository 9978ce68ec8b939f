"""The mediator's balance view, figured from a history with known times: every row's
time is set by hand, and the view is read as of a chosen moment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import transaction

from negotiation.balance import mediation_balance, private_time_note
from negotiation.models import CaucusSession, Event, Notification, Proposal, Role
from negotiation.services.mediations import participant_join
from tests.conftest import Cast, acknowledge_rule, run
from tests.factories import UserFactory

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def caucus(cast: Cast, side: Any, opened: float | None, closed: float | None) -> None:
    """A private session with `side`, opened and closed at these minutes past T0 (never
    opened when `opened` is None; still running when `closed` is None)."""
    session = run(cast, "mediator", "caucus.call", side=side.pk)
    if opened is not None:
        run(cast, "mediator", "caucus.open", caucus=session["id"])
    if closed is not None:
        run(cast, "mediator", "caucus.close", caucus=session["id"])
    CaucusSession.objects.filter(pk=session["id"]).update(
        called_at=at(opened if opened is not None else (closed or 0) - 1),
        opened_at=None if opened is None else at(opened),
        closed_at=None if closed is None else at(closed),
    )


def by_name(balance: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["name"]: row for row in balance["sides"]}


@pytest.fixture
def history(cast: Cast) -> Cast:
    """Alex (side A) is met for 20 minutes, then again from minute 60 on; Sam (side B)
    for 10 minutes at minute 30, and called once more but never met. The view is read
    at minute 75."""
    acknowledge_rule(cast)
    caucus(cast, cast.side_a, 0, 20)
    caucus(cast, cast.side_b, 30, 40)
    caucus(cast, cast.side_b, None, 55)
    caucus(cast, cast.side_a, 60, None)

    mediators_issue = run(cast, "mediator", "issue.create", title="Agenda")
    house = run(cast, "party_a", "issue.create", title="House")
    run(cast, "attorney_a", "comment.add", issue=house["id"], body="Valued in May.")
    first = run(cast, "party_a", "proposal.create", issue=house["id"], terms="Sell it")
    run(cast, "party_a", "proposal.create", issue=house["id"], terms="Rent it out")
    run(cast, "party_b", "proposal.respond", proposal=first["id"], answer="reject", version=0)
    run(cast, "party_b", "proposal.create", issue=house["id"], terms="Keep it")
    run(cast, "mediator", "proposal.create", issue=mediators_issue["id"], terms="Both")

    # Everything happened early on; then each side's last act at a known minute.
    joint = cast.joint
    Event.objects.filter(room=joint).update(created_at=at(1))
    Proposal.objects.filter(issue__room=joint).update(created_at=at(1))
    last_of = {
        cast.participants["attorney_a"].pk: at(70),
        cast.participants["party_b"].pk: at(45),
    }
    for actor, moment in last_of.items():
        event = Event.objects.filter(room=joint, actor_id=actor).order_by("-seq").first()
        assert event is not None
        Event.objects.filter(pk=event.pk).update(created_at=moment)

    # A second mediator: each request for a break reaches both of them.
    co = UserFactory.create(email="cleo@example.com", name="Cleo", is_mediator=True)
    with transaction.atomic():
        participant_join(mediation=cast.mediation, user=co, role=Role.MEDIATOR, side=None)
    for who in ("party_a", "party_b", "attorney_a"):
        run(cast, who, "break.request")
        Notification.objects.filter(kind=Notification.Kind.BREAK_REQUESTED).update(read_at=at(2))
    Notification.objects.update(created_at=at(2))
    return cast


def test_it_adds_up_the_private_time_of_each_side_until_now(history: Cast) -> None:
    sides = by_name(mediation_balance(mediation_id=history.mediation.pk, now=at(75)))
    figures = {
        name: (row["private_seconds"], row["private_sessions"], row["in_private_since"])
        for name, row in sides.items()
    }
    assert figures == {"Alex": (35 * 60, 2, at(60)), "Sam": (10 * 60, 1, None)}


def test_it_says_who_was_met_first_and_last(history: Cast) -> None:
    balance = mediation_balance(mediation_id=history.mediation.pk, now=at(75))
    assert (balance["first_met"], balance["last_met"]) == (history.side_a.pk, history.side_a.pk)
    earlier = mediation_balance(mediation_id=history.mediation.pk, now=at(50))
    assert earlier["last_met"] == history.side_b.pk


def test_it_counts_proposals_acts_and_break_requests_of_each_side(history: Cast) -> None:
    sides = by_name(mediation_balance(mediation_id=history.mediation.pk, now=at(75)))
    figures = {
        name: (row["proposals"], row["edits"], row["last_acted_at"], row["break_requests"])
        for name, row in sides.items()
    }
    # Alex: the issue, the attorney's comment, two proposals; Sam: an answer, a proposal.
    # The mediator's issue and proposal, and everyone's acceptance of the rule, are no
    # side's.
    assert figures == {"Alex": (2, 4, at(70), 2), "Sam": (1, 2, at(45), 1)}


def test_it_notes_gently_when_one_side_had_markedly_more_private_time(history: Cast) -> None:
    balance = mediation_balance(mediation_id=history.mediation.pk, now=at(75))
    assert balance["note"] == "Alex has had 25 more minutes of private time than Sam."
    # At minute 45 Alex had had 20 minutes and Sam 10: twice as much, and just 10 more.
    assert mediation_balance(mediation_id=history.mediation.pk, now=at(45))["note"] == (
        "Alex has had 10 more minutes of private time than Sam."
    )
    # At minute 9, Alex 9 minutes and Sam none: not yet ten minutes apart.
    assert mediation_balance(mediation_id=history.mediation.pk, now=at(9))["note"] is None


def test_it_reads_nothing_from_after_its_moment(history: Cast) -> None:
    sides = by_name(mediation_balance(mediation_id=history.mediation.pk, now=at(0.5)))
    assert [
        (row["private_seconds"], row["proposals"], row["edits"], row["break_requests"])
        for row in sides.values()
    ] == [(30, 0, 0, 0), (0, 0, 0, 0)]


def test_a_mediation_with_no_history_has_zeros_and_no_note(cast: Cast) -> None:
    balance = mediation_balance(mediation_id=cast.mediation.pk)
    assert [row["private_seconds"] + row["edits"] for row in balance["sides"]] == [0, 0]
    assert (balance["first_met"], balance["last_met"], balance["note"]) == (None, None, None)


@pytest.mark.parametrize(
    ("alex", "sam", "note"),
    [
        (0, 600, "Sam has had 10 more minutes of private time than Alex."),
        (0, 599, None),
        (1200, 1800, None),  # half as much again, not more
        (1000, 1501, None),  # more than half as much again, but not ten minutes more
        (2400, 3660, "Sam has had 21 more minutes of private time than Alex."),
        (3660, 2400, "Alex has had 21 more minutes of private time than Sam."),
    ],
)
def test_the_note_reads_the_same_whichever_side(alex: int, sam: int, note: str | None) -> None:
    rows = [{"name": "Alex", "private_seconds": alex}, {"name": "Sam", "private_seconds": sam}]
    assert private_time_note(rows) == note
