"""Positions, interests, options, criteria and comments on an issue."""

from __future__ import annotations

from typing import Any

import pytest

from config.errors import Conflict, Invalid, NotAllowed
from tests.conftest import Cast, run


@pytest.fixture
def house(cast: Cast) -> dict[str, Any]:
    return run(cast, "mediator", "issue.create", title="The house")


def test_a_party_states_their_sides_position(cast: Cast, house: dict) -> None:
    first = run(
        cast, "party_a", "position.set", issue=house["id"], side=cast.side_a.pk,
        text="Keep the house", version=0,
    )  # fmt: skip
    changed = run(
        cast, "party_a", "position.set", issue=house["id"], side=cast.side_a.pk,
        text="Keep the house until the kids finish school", version=1,
    )  # fmt: skip
    assert (first["version"], changed["version"]) == (1, 2)
    assert changed["id"] == first["id"]


def test_nobody_speaks_for_the_other_side(cast: Cast, house: dict) -> None:
    for who in ("party_b", "attorney_a", "observer"):
        with pytest.raises(NotAllowed):
            run(
                cast, who, "position.set", issue=house["id"], side=cast.side_a.pk,
                text="They want to sell", version=0,
            )  # fmt: skip
    mediator = run(
        cast, "mediator", "interest.add", issue=house["id"], side=cast.side_b.pk,
        text="Stability for the children",
    )  # fmt: skip
    assert mediator["side"] == cast.side_b.pk


def test_two_first_positions_conflict(cast: Cast, house: dict) -> None:
    run(
        cast, "party_a", "position.set", issue=house["id"], side=cast.side_a.pk,
        text="Keep it", version=0,
    )  # fmt: skip
    with pytest.raises(Conflict) as conflict:
        run(
            cast, "mediator", "position.set", issue=house["id"], side=cast.side_a.pk,
            text="Sell it", version=0,
        )  # fmt: skip
    assert conflict.value.details["current"]["text"] == "Keep it"


def test_a_side_of_another_mediation_is_refused(cast: Cast, house: dict) -> None:
    with pytest.raises(Invalid) as error:
        run(cast, "mediator", "interest.add", issue=house["id"], side=999999, text="x")
    assert "side" in error.value.details


def test_options_are_struck_through_not_deleted(cast: Cast, house: dict) -> None:
    option = run(cast, "party_b", "option.add", issue=house["id"], text="Sell and split")
    struck = run(cast, "party_a", "option.update", option=option["id"], version=1, struck=True)
    assert struck["struck"] is True
    assert struck["text"] == "Sell and split"


def test_criteria_carry_their_source(cast: Cast, house: dict) -> None:
    criterion = run(
        cast, "party_a", "criterion.add", issue=house["id"], text="Market value",
        source="Appraisal by J. Ruiz, March",
    )  # fmt: skip
    edited = run(
        cast, "mediator", "criterion.update", criterion=criterion["id"], version=1,
        source="Appraisal by J. Ruiz, 12 March",
    )  # fmt: skip
    assert edited["source"] == "Appraisal by J. Ruiz, 12 March"
    assert edited["text"] == "Market value"


def test_an_interest_is_edited_only_by_its_side(cast: Cast, house: dict) -> None:
    interest = run(
        cast, "party_a", "interest.add", issue=house["id"], side=cast.side_a.pk,
        text="Stay near work",
    )  # fmt: skip
    with pytest.raises(NotAllowed):
        run(cast, "party_b", "interest.update", interest=interest["id"], version=1, struck=True)
    with pytest.raises(Invalid):
        run(cast, "party_a", "interest.update", interest=interest["id"], version=1)


def test_everyone_but_observers_comments(cast: Cast, house: dict) -> None:
    for who in ("mediator", "party_a", "party_b", "attorney_a"):
        run(cast, who, "comment.add", issue=house["id"], body=f"A note from {who}")
    with pytest.raises(NotAllowed):
        run(cast, "observer", "comment.add", issue=house["id"], body="Hello")


def test_content_events_go_to_the_joint_room(
    cast: Cast, house: dict, sent_events, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        run(cast, "party_b", "option.add", issue=house["id"], text="Buy out")
        run(cast, "attorney_a", "comment.add", issue=house["id"], body="Tax applies")
    assert [frame["name"] for _, frame in sent_events.sent] == ["option.added", "comment.added"]
    for group, frame in sent_events.sent:
        assert frame["room"] == "joint"
        assert cast.audience(group) == {"mediator", "party_a", "party_b", "attorney_a", "observer"}


AT_THE_TABLE = {"mediator", "party_a", "party_b", "attorney_a", "observer"}
CONTENT_EVENTS = {
    "position.set": "position.set",
    "interest.add": "interest.added",
    "interest.update": "interest.updated",
    "option.add": "option.added",
    "option.update": "option.updated",
    "criterion.add": "criterion.added",
    "criterion.update": "criterion.updated",
    "comment.add": "comment.added",
}


@pytest.mark.parametrize("name", sorted(CONTENT_EVENTS))
def test_each_change_tells_everyone_at_the_table_and_nobody_else(
    cast: Cast, house: dict, sent_events, django_capture_on_commit_callbacks, name: str
) -> None:
    on = {"issue": house["id"]}
    side = cast.side_a.pk
    interest = run(cast, "party_a", "interest.add", **on, side=side, text="Stability")
    option = run(cast, "party_a", "option.add", **on, text="Sell")
    criterion = run(cast, "party_a", "criterion.add", **on, text="Appraisal")
    data = {
        "position.set": {**on, "side": side, "text": "Keep the house", "version": 0},
        "interest.add": {**on, "side": side, "text": "The kids' school"},
        "interest.update": {"interest": interest["id"], "version": 1, "text": "Schools"},
        "option.add": {**on, "text": "Buy out"},
        "option.update": {"option": option["id"], "version": 1, "struck": True},
        "criterion.add": {**on, "text": "Blue book", "source": "KBB"},
        "criterion.update": {"criterion": criterion["id"], "version": 1, "source": "Bank"},
        "comment.add": {**on, "body": "Tax applies"},
    }[name]
    with django_capture_on_commit_callbacks(execute=True):
        result = run(cast, "party_a", name, **data)
    [(group, frame)] = sent_events.sent
    assert (frame["name"], frame["room"], cast.audience(group)) == (
        CONTENT_EVENTS[name],
        "joint",
        AT_THE_TABLE,
    )
    assert frame["data"] == result
