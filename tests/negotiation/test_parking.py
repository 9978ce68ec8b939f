"""The park lane's way back: a reason, a time and a condition, editable; unparking
returns the card to where it was parked from; everyone is told when one is due."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from config.errors import Invalid
from negotiation import tasks
from negotiation.models import Event, Issue, Notification
from tests.conftest import Cast, run


def create(cast: Cast, *titles: str, lane: str = "agenda") -> list[dict[str, Any]]:
    return [run(cast, "mediator", "issue.create", title=title, lane=lane) for title in titles]


def later(**delta: float) -> str:
    return (timezone.now() + timedelta(**delta)).isoformat()


def order(cast: Cast, lane: str) -> list[str]:
    issues = Issue.objects.filter(room__mediation=cast.mediation, lane=lane)
    return list(issues.order_by("order", "id").values_list("title", flat=True))


def test_parking_keeps_a_reason_a_time_and_a_condition(cast: Cast) -> None:
    [pension] = create(cast, "Pension")
    when = later(days=7)
    parked = run(cast, "party_a", "issue.move", issue=pension["id"], version=1, lane="parked",
                 reason="Waiting for the valuation", until=when,
                 condition="After the actuary reports")  # fmt: skip
    assert parked["parked_reason"] == "Waiting for the valuation"
    assert parked["parked_condition"] == "After the actuary reports"
    assert parked["parked_until"] is not None
    assert parked["parked_from_lane"] == "agenda"


def test_unparking_returns_the_card_to_its_lane_and_place(cast: Cast) -> None:
    _house, car, _dog = create(cast, "House", "Car", "Dog", lane="discussing")
    run(cast, "party_b", "issue.move", issue=car["id"], version=1, lane="parked", reason="Later")
    #   discussing: House, Dog      parked: Car (from discussing, place 1)
    run(cast, "mediator", "issue.create", title="Boat", lane="discussing")
    back = run(cast, "party_a", "issue.unpark", issue=car["id"], version=2)
    #   discussing: House, Car, Dog, Boat
    assert order(cast, "discussing") == ["House", "Car", "Dog", "Boat"]
    assert (back["lane"], back["parked_reason"], back["parked_from_lane"]) == ("discussing", "", "")
    assert back["parked_until"] is None


def test_unparking_a_card_not_parked_is_refused(cast: Cast) -> None:
    [house] = create(cast, "House")
    with pytest.raises(Invalid, match="not parked"):
        run(cast, "party_a", "issue.unpark", issue=house["id"], version=1)


def test_reordering_inside_parked_keeps_the_way_back(cast: Cast) -> None:
    pension, house = create(cast, "Pension", "House")
    run(cast, "party_a", "issue.move", issue=pension["id"], version=1, lane="parked",
        reason="After the valuation", until=later(days=3), condition="Valuation in")  # fmt: skip
    run(cast, "party_a", "issue.move", issue=house["id"], version=1, lane="parked")
    moved = run(cast, "party_b", "issue.move", issue=pension["id"], version=2, lane="parked",
                index=1, reason="")  # fmt: skip
    assert order(cast, "parked") == ["House", "Pension"]
    assert moved["parked_reason"] == "After the valuation"
    assert moved["parked_condition"] == "Valuation in"
    assert moved["parked_until"] is not None
    assert moved["parked_from_lane"] == "agenda"


def test_the_way_back_can_be_changed_and_cleared(cast: Cast) -> None:
    [pension] = create(cast, "Pension")
    run(cast, "party_a", "issue.move", issue=pension["id"], version=1, lane="parked",
        reason="After the valuation", until=later(days=3))  # fmt: skip
    edited = run(cast, "party_b", "issue.park_edit", issue=pension["id"], version=2,
                 condition="When the house is valued", until=None)  # fmt: skip
    assert edited["parked_condition"] == "When the house is valued"
    assert edited["parked_until"] is None
    assert edited["parked_reason"] == "After the valuation"
    assert Event.objects.filter(name="issue.updated").count() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"until": "next Tuesday"}, "until"),
        ({"until": "2020-01-01T10:00:00+00:00"}, "until"),
        ({"condition": "x" * 301}, "condition"),
        ({"reason": "x" * 501}, "reason"),
    ],
)
def test_a_bad_way_back_says_what_is_wrong(cast: Cast, data: dict[str, Any], field: str) -> None:
    [pension] = create(cast, "Pension")
    with pytest.raises(Invalid) as error:
        run(cast, "party_a", "issue.move", issue=pension["id"], version=1, lane="parked", **data)
    assert field in error.value.details
    assert Issue.objects.get().lane == "agenda"


def test_a_way_back_too_far_ahead_is_refused(cast: Cast) -> None:
    [pension] = create(cast, "Pension")
    with pytest.raises(Invalid, match="too far"):
        run(cast, "party_a", "issue.move", issue=pension["id"], version=1, lane="parked",
            until=later(days=400))  # fmt: skip


def test_editing_the_way_back_of_a_card_not_parked_is_refused(cast: Cast) -> None:
    [house] = create(cast, "House")
    with pytest.raises(Invalid, match="not parked"):
        run(cast, "party_a", "issue.park_edit", issue=house["id"], version=1, condition="Later")


def test_everyone_is_told_once_when_a_parked_issue_is_due(cast: Cast) -> None:
    [pension] = create(cast, "Pension")
    run(cast, "party_a", "issue.move", issue=pension["id"], version=1, lane="parked",
        until=later(minutes=30))  # fmt: skip
    assert tasks.parked_due_sweep() == 0
    Issue.objects.filter(pk=pension["id"]).update(parked_until=timezone.now())

    assert tasks.parked_due_sweep() == 1
    assert tasks.parked_due_sweep() == 0
    told = set(
        Notification.objects.filter(kind="parked_due").values_list("participant_id", flat=True)
    )
    assert told == {cast.participants[w].pk for w in ("mediator", "party_a", "party_b")}
    issue = Issue.objects.get()
    assert issue.parked_due_told_at is not None
    told_event = Event.objects.filter(name="issue.updated").last()
    assert told_event is not None
    assert told_event.data["parked_due_told_at"]

    # A new time tells again when it comes.
    run(cast, "party_a", "issue.park_edit", issue=issue.pk, version=issue.version,
        until=later(minutes=5))  # fmt: skip
    Issue.objects.filter(pk=issue.pk).update(parked_until=timezone.now())
    Notification.objects.update(read_at=timezone.now())
    assert tasks.parked_due_sweep() == 1


def test_an_unparked_issue_is_not_told_of(cast: Cast) -> None:
    [pension] = create(cast, "Pension")
    run(cast, "party_a", "issue.move", issue=pension["id"], version=1, lane="parked",
        until=later(minutes=30))  # fmt: skip
    run(cast, "party_a", "issue.unpark", issue=pension["id"], version=2)
    Issue.objects.filter(pk=pension["id"]).update(parked_until=timezone.now())
    assert tasks.parked_due_sweep() == 0
