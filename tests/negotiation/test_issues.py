"""Issue cards: create, edit, move. Boards are drawn lane by lane, top card first."""

from __future__ import annotations

import pytest

from config.errors import Conflict, Invalid, NotAllowed, NotFound
from negotiation.models import Issue
from tests.conftest import Cast, run, status_matrix


def lanes(cast: Cast) -> dict[str, list[str]]:
    board: dict[str, list[str]] = {}
    for issue in Issue.objects.filter(room__mediation=cast.mediation).order_by("order", "id"):
        board.setdefault(issue.lane, []).append(issue.title)
    return board


def create(cast: Cast, *titles: str, who: str = "mediator") -> list[dict]:
    return [run(cast, who, "issue.create", title=title) for title in titles]


def test_it_adds_cards_to_the_end_of_the_agenda(cast: Cast) -> None:
    created = create(cast, "House", "Car", who="party_a")
    assert lanes(cast) == {"agenda": ["House", "Car"]}
    assert created[0]["positions"] == created[0]["proposals"] == []
    assert created[1]["version"] == 1


def test_it_moves_a_card_to_a_place_in_another_lane(cast: Cast) -> None:
    house, _car, dog = create(cast, "House", "Car", "Dog")
    run(cast, "mediator", "issue.move", issue=house["id"], version=1, lane="discussing")
    run(cast, "party_b", "issue.move", issue=dog["id"], version=1, lane="discussing", index=0)
    #   agenda   | discussing
    #   Car      | Dog
    #            | House
    assert lanes(cast) == {"agenda": ["Car"], "discussing": ["Dog", "House"]}


def test_it_reorders_within_a_lane(cast: Cast) -> None:
    a, _b, c = create(cast, "A", "B", "C")
    run(cast, "party_a", "issue.move", issue=c["id"], version=1, lane="agenda", index=0)
    run(cast, "party_a", "issue.move", issue=a["id"], version=1, lane="agenda", index=99)
    #   agenda: C, B, A
    assert lanes(cast) == {"agenda": ["C", "B", "A"]}


def test_parking_keeps_a_reason_until_the_card_comes_back(cast: Cast) -> None:
    [pension] = create(cast, "Pension")
    parked = run(
        cast, "party_a", "issue.move", issue=pension["id"], version=1, lane="parked",
        reason="Waiting for the actuary's valuation",
    )  # fmt: skip
    back = run(cast, "party_a", "issue.move", issue=pension["id"], version=2, lane="discussing")
    assert parked["parked_reason"] == "Waiting for the actuary's valuation"
    assert back["parked_reason"] == ""


@pytest.mark.parametrize("reason", [None, ""], ids=["no-reason", "empty-reason"])
def test_reordering_inside_parked_keeps_the_reason(cast: Cast, reason: str | None) -> None:
    pension, house = create(cast, "Pension", "House")
    run(cast, "party_a", "issue.move", issue=pension["id"], version=1, lane="parked",
        reason="After the valuation")  # fmt: skip
    run(cast, "party_a", "issue.move", issue=house["id"], version=1, lane="parked")
    #   parked: Pension (after the valuation), House
    extra = {} if reason is None else {"reason": reason}
    moved = run(cast, "party_a", "issue.move", issue=pension["id"], version=2, lane="parked",
                index=1, **extra)  # fmt: skip
    #   parked: House, Pension (after the valuation)
    assert lanes(cast) == {"parked": ["House", "Pension"]}
    assert moved["parked_reason"] == "After the valuation"


def test_a_new_reason_inside_parked_replaces_the_old(cast: Cast) -> None:
    [pension] = create(cast, "Pension")
    run(cast, "party_a", "issue.move", issue=pension["id"], version=1, lane="parked",
        reason="After the valuation")  # fmt: skip
    moved = run(cast, "party_a", "issue.move", issue=pension["id"], version=2, lane="parked",
                reason="After the school term")  # fmt: skip
    assert moved["parked_reason"] == "After the school term"


def test_a_struck_card_is_kept(cast: Cast) -> None:
    [dog] = create(cast, "Dog")
    run(cast, "mediator", "issue.move", issue=dog["id"], version=1, lane="struck")
    assert lanes(cast) == {"struck": ["Dog"]}


def test_a_stale_edit_gets_the_current_card(cast: Cast) -> None:
    [house] = create(cast, "House")
    run(cast, "party_a", "issue.update", issue=house["id"], version=1, title="The house")
    with pytest.raises(Conflict) as conflict:
        run(cast, "party_b", "issue.update", issue=house["id"], version=1, title="Home")
    assert conflict.value.details["current"]["title"] == "The house"
    assert conflict.value.details["current"]["version"] == 2
    assert Issue.objects.get().title == "The house"


def test_a_stale_move_is_refused_too(cast: Cast) -> None:
    [house] = create(cast, "House")
    run(cast, "party_a", "issue.move", issue=house["id"], version=1, lane="parked")
    with pytest.raises(Conflict):
        run(cast, "party_b", "issue.move", issue=house["id"], version=1, lane="agreed")
    assert lanes(cast) == {"parked": ["House"]}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "ok", "lane": "limbo"}, "lane"),
        ({"title": "ok", "description": "x" * 5001}, "description"),
    ],
)
def test_it_names_the_bad_field(cast: Cast, data: dict, field: str) -> None:
    with pytest.raises(Invalid) as error:
        run(cast, "mediator", "issue.create", **data)
    assert field in error.value.details
    assert not Issue.objects.exists()


def test_only_parties_and_the_mediator_edit_the_board(cast: Cast) -> None:
    for who in ("attorney_a", "observer"):
        with pytest.raises(NotAllowed):
            run(cast, who, "issue.create", title="Mine")
    [house] = create(cast, "House")
    with pytest.raises(NotAllowed):
        run(cast, "attorney_a", "issue.move", issue=house["id"], version=1, lane="parked")


def test_a_card_of_another_mediation_is_not_found(cast: Cast) -> None:
    from negotiation.services.mediations import mediation_create

    other = mediation_create(creator=cast.mediator, title="Other", side_names=["X", "Y"])
    from negotiation.models import Participant
    from negotiation.services.issues import issue_create

    foreign = issue_create(
        actor=Participant.objects.get(mediation=other, user=cast.mediator), title="Secret"
    )
    with pytest.raises(NotFound):
        run(cast, "party_a", "issue.update", issue=foreign.pk, version=1, title="Mine now")


def test_events_go_to_the_joint_room_in_order(
    cast: Cast, sent_events, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        [house] = create(cast, "House")
        run(cast, "party_a", "issue.move", issue=house["id"], version=1, lane="discussing")
    names = [frame["name"] for _, frame in sent_events.sent]
    groups = {group for group, _ in sent_events.sent}
    moved = sent_events.named("issue.moved")[0][1]
    assert names == ["issue.created", "issue.moved"]
    assert [cast.audience(group) for group in groups] == [
        {"mediator", "party_a", "party_b", "attorney_a", "observer"}
    ]
    assert moved["data"]["orders"] == {str(house["id"]): 0}


def test_the_rest_mirror_matrix(cast: Cast) -> None:
    url = f"/api/mediations/{cast.mediation.pk}/commands/issue.create/"
    assert status_matrix(cast, "post", url, {"title": "Car"}) == {
        "mediator": 200,
        "party_a": 200,
        "party_b": 200,
        "attorney_a": 403,
        "observer": 403,
        "outsider": 404,
        "anonymous": 403,
    }


AT_THE_TABLE = {"mediator", "party_a", "party_b", "attorney_a", "observer"}


@pytest.mark.parametrize(
    ("name", "event"),
    [("issue.create", "issue.created"), ("issue.update", "issue.updated"),
     ("issue.move", "issue.moved")],
)  # fmt: skip
def test_each_change_tells_everyone_at_the_table_and_nobody_else(
    cast: Cast, sent_events, django_capture_on_commit_callbacks, name: str, event: str
) -> None:
    [house] = create(cast, "House")
    data = {
        "issue.create": {"title": "Car"},
        "issue.update": {"issue": house["id"], "version": 1, "description": "The family home"},
        "issue.move": {"issue": house["id"], "version": 1, "lane": "parked", "reason": "Later"},
    }[name]
    with django_capture_on_commit_callbacks(execute=True):
        result = run(cast, "party_b", name, **data)
    [(group, frame)] = sent_events.sent
    assert (frame["name"], frame["room"], cast.audience(group)) == (event, "joint", AT_THE_TABLE)
    assert (frame["data"]["issue"] if event == "issue.moved" else frame["data"]) == result
