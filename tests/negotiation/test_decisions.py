"""Agreement only by every side; striking by the mediator or by every side; reopening
by the mediator, with everyone told. The record of who decided what, and when, is on
the card."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from config.errors import Invalid, NotAllowed, ServiceError
from negotiation.models import Decision, Event, Issue, Notification, Proposal
from tests.conftest import Cast, accept, confirm, run


def card(cast: Cast, issue_id: int) -> Issue:
    return Issue.objects.get(pk=issue_id)


def notified(cast: Cast, kind: str) -> set[str]:
    ids = set(Notification.objects.filter(kind=kind).values_list("participant_id", flat=True))
    return {who for who, participant in cast.participants.items() if participant.pk in ids}


def new_issue(cast: Cast, title: str = "Car") -> dict[str, Any]:
    return run(cast, "mediator", "issue.create", title=title)


# --- a proposal every side accepts ------------------------------------------------------


def test_a_proposal_every_side_accepts_agrees_the_issue(cast: Cast) -> None:
    car = new_issue(cast)
    offer = run(cast, "party_a", "proposal.create", issue=car["id"], terms="Alex keeps the car",
                amount="12000")  # fmt: skip
    accept(cast, "party_b", offer["id"])

    issue = card(cast, car["id"])
    assert issue.lane == "agreed"
    assert Proposal.objects.get(pk=offer["id"]).status == "accepted"
    [decision] = issue.decisions.all()
    assert (decision.kind, decision.status, decision.proposal_id) == ("agree", "done", offer["id"])
    assert decision.terms == "Alex keeps the car (12000.00)"
    given_by = {c.side_id: c.given_by_id for c in decision.consents.all()}
    assert given_by == {
        cast.side_a.pk: cast.participants["party_a"].pk,
        cast.side_b.pk: cast.participants["party_b"].pk,
    }
    assert decision.decided_by_id == cast.participants["party_b"].pk
    assert decision.decided_at is not None
    # Everyone hears of it but whoever made it.
    assert notified(cast, "issue_agreed") == {"mediator", "party_a", "attorney_a", "observer"}
    names = list(Event.objects.filter(room=cast.joint).values_list("name", flat=True))
    assert names[-3:] == ["response.set", "proposal.updated", "issue.moved"]


def test_an_accepted_proposal_stands(cast: Cast) -> None:
    car = new_issue(cast)
    offer = run(cast, "party_a", "proposal.create", issue=car["id"], terms="Sell it")
    accept(cast, "party_b", offer["id"])
    with pytest.raises(Invalid, match="accepted"):
        run(cast, "party_a", "proposal.withdraw", proposal=offer["id"], version=2)
    with pytest.raises(Invalid, match="agreed"):
        run(cast, "party_b", "proposal.respond", proposal=offer["id"], answer="reject", version=1)
    with pytest.raises(Invalid, match="agreed"):
        run(cast, "party_a", "proposal.create", issue=car["id"], terms="Something else")


def test_a_mediators_proposal_needs_every_side(cast: Cast) -> None:
    car = new_issue(cast)
    offer = run(cast, "mediator", "proposal.create", issue=car["id"], terms="Sell and split")
    accept(cast, "party_a", offer["id"])
    assert card(cast, car["id"]).lane == "agenda"
    accept(cast, "party_b", offer["id"])
    issue = card(cast, car["id"])
    assert issue.lane == "agreed"
    [decision] = issue.decisions.all()
    assert {c.side_id for c in decision.consents.all()} == {cast.side_a.pk, cast.side_b.pk}


def test_a_rejection_or_a_counter_agrees_nothing(cast: Cast) -> None:
    car = new_issue(cast)
    offer = run(cast, "party_a", "proposal.create", issue=car["id"], terms="Keep it")
    run(cast, "party_b", "proposal.respond", proposal=offer["id"], answer="counter", version=0,
        counter_terms="Sell it")  # fmt: skip
    assert card(cast, car["id"]).lane == "agenda"
    assert not Decision.objects.exists()


# --- the mediator's wording, confirmed by every side -------------------------------------


def test_the_mediators_wording_is_agreed_when_every_side_confirms(cast: Cast) -> None:
    car = new_issue(cast)
    asked = run(cast, "mediator", "decision.propose", issue=car["id"], kind="agree",
                terms="Alex keeps the car and pays Sam half its value")  # fmt: skip
    [waiting] = asked["decisions"]
    assert (waiting["status"], waiting["consents"]) == ("open", [])
    assert notified(cast, "decision_asked") == {"party_a", "party_b"}

    confirm(cast, "party_a", waiting["id"])
    assert card(cast, car["id"]).lane == "agenda"
    with pytest.raises(Invalid, match="answered already"):
        confirm(cast, "party_a", waiting["id"])
    done = confirm(cast, "party_b", waiting["id"])

    assert done["lane"] == "agreed"
    [decision] = done["decisions"]
    assert decision["status"] == "done"
    assert decision["terms"] == "Alex keeps the car and pays Sam half its value"
    assert [c["side"] for c in decision["consents"]] == [cast.side_a.pk, cast.side_b.pk]


def test_a_side_may_decline_the_wording(cast: Cast) -> None:
    car = new_issue(cast)
    asked = run(cast, "mediator", "decision.propose", issue=car["id"], kind="agree", terms="Sell")
    decision_id = asked["decisions"][0]["id"]
    declined = run(cast, "party_b", "decision.answer", decision=decision_id, answer="decline")
    assert declined["lane"] == "agenda"
    assert declined["decisions"][0]["status"] == "declined"
    assert declined["decisions"][0]["closed_by"] == cast.participants["party_b"].pk
    assert "mediator" in notified(cast, "decision_answered")
    with pytest.raises(Invalid, match="no longer waiting"):
        confirm(cast, "party_a", decision_id)
    # A new wording may be tabled after a decline.
    run(cast, "mediator", "decision.propose", issue=car["id"], kind="agree", terms="Sell, split")


def test_one_wording_waits_at_a_time_and_the_mediator_may_withdraw_it(cast: Cast) -> None:
    car = new_issue(cast)
    asked = run(cast, "mediator", "decision.propose", issue=car["id"], kind="agree", terms="A")
    with pytest.raises(Invalid, match="already waiting"):
        run(cast, "mediator", "decision.propose", issue=car["id"], kind="agree", terms="B")
    withdrawn = run(cast, "mediator", "decision.withdraw", decision=asked["decisions"][0]["id"])
    assert withdrawn["decisions"][0]["status"] == "withdrawn"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "agree"}, "terms"),
        ({"kind": "agree", "terms": "   "}, "terms"),
        ({"kind": "agree", "terms": "x" * 5001}, "terms"),
        ({"kind": "settle"}, "kind"),
    ],
)
def test_bad_decisions_say_what_is_wrong(cast: Cast, data: dict[str, Any], field: str) -> None:
    car = new_issue(cast)
    with pytest.raises(Invalid) as error:
        run(cast, "mediator", "decision.propose", issue=car["id"], **data)
    assert field in error.value.details


def test_a_bad_answer_says_so_over_rest(cast: Cast) -> None:
    car = new_issue(cast)
    asked = run(cast, "mediator", "decision.propose", issue=car["id"], kind="agree", terms="A")
    client = APIClient()
    client.force_login(cast.party_a)
    response = client.post(
        f"/api/mediations/{cast.mediation.pk}/commands/decision.answer/",
        {"decision": asked["decisions"][0]["id"], "answer": "maybe"},
    )
    assert response.status_code == 400
    assert response.json()["answer"] == ["Choose confirm or decline."]


# --- no hand moves into or out of Agreed --------------------------------------------------


@pytest.mark.parametrize("who", ["mediator", "party_a"])
def test_no_one_drags_an_issue_into_agreed(cast: Cast, who: str) -> None:
    car = new_issue(cast)
    with pytest.raises(NotAllowed, match="every side"):
        run(cast, who, "issue.move", issue=car["id"], version=1, lane="agreed")
    assert card(cast, car["id"]).lane == "agenda"


def agreed(cast: Cast, title: str = "Car") -> dict[str, Any]:
    issue = new_issue(cast, title)
    offer = run(cast, "party_a", "proposal.create", issue=issue["id"], terms="Keep it")
    accept(cast, "party_b", offer["id"])
    return {"id": issue["id"], "version": card(cast, issue["id"]).version}


def test_only_the_mediator_reopens_an_agreed_issue_and_everyone_is_told(cast: Cast) -> None:
    car = agreed(cast)
    with pytest.raises(NotAllowed, match="Only the mediator reopens"):
        run(cast, "party_a", "issue.move", issue=car["id"], version=car["version"], lane="agenda")
    reopened = run(cast, "mediator", "issue.move", issue=car["id"], version=car["version"],
                   lane="discussing")  # fmt: skip
    assert reopened["lane"] == "discussing"
    [decision] = reopened["decisions"]
    assert decision["status"] == "reopened"
    assert decision["closed_by"] == cast.participants["mediator"].pk
    assert notified(cast, "issue_reopened") == {"party_a", "party_b", "attorney_a", "observer"}
    # Reordering within Agreed is not a reopening.
    again = agreed(cast, "House")
    run(cast, "party_a", "issue.move", issue=again["id"], version=again["version"],
        lane="agreed", index=0)  # fmt: skip
    assert card(cast, again["id"]).lane == "agreed"


# --- striking ------------------------------------------------------------------------------


def test_the_mediator_strikes_alone(cast: Cast) -> None:
    dog = new_issue(cast, "Dog")
    struck = run(cast, "mediator", "issue.move", issue=dog["id"], version=1, lane="struck")
    [decision] = struck["decisions"]
    assert (decision["kind"], decision["status"]) == ("strike", "done")
    assert decision["decided_by"] == cast.participants["mediator"].pk


def test_a_party_asks_and_the_issue_is_struck_when_every_side_has(cast: Cast) -> None:
    dog = new_issue(cast, "Dog")
    with pytest.raises(NotAllowed, match="every side"):
        run(cast, "party_a", "issue.move", issue=dog["id"], version=1, lane="struck")
    asked = run(cast, "party_a", "decision.propose", issue=dog["id"], kind="strike")
    assert asked["lane"] == "agenda"
    [waiting] = asked["decisions"]
    assert [c["side"] for c in waiting["consents"]] == [cast.side_a.pk]
    assert notified(cast, "decision_asked") == {"party_b"}
    with pytest.raises(NotAllowed):
        confirm(cast, "attorney_a", waiting["id"])
    struck = confirm(cast, "party_b", waiting["id"])
    assert struck["lane"] == "struck"
    with pytest.raises(NotAllowed, match="restores"):
        run(cast, "party_b", "issue.move", issue=dog["id"], version=struck["version"],
            lane="agenda")  # fmt: skip


def test_the_asking_side_may_withdraw_its_request_to_strike(cast: Cast) -> None:
    dog = new_issue(cast, "Dog")
    asked = run(cast, "party_a", "decision.propose", issue=dog["id"], kind="strike")
    decision_id = asked["decisions"][0]["id"]
    with pytest.raises(NotAllowed):
        run(cast, "party_b", "decision.withdraw", decision=decision_id)
    withdrawn = run(cast, "party_a", "decision.withdraw", decision=decision_id)
    assert withdrawn["decisions"][0]["status"] == "withdrawn"


def test_the_mediators_strike_makes_a_waiting_request(cast: Cast) -> None:
    dog = new_issue(cast, "Dog")
    run(cast, "party_a", "decision.propose", issue=dog["id"], kind="strike")
    struck = run(cast, "mediator", "decision.propose", issue=dog["id"], kind="strike")
    [decision] = struck["decisions"]
    assert struck["lane"] == "struck"
    assert decision["status"] == "done"
    assert decision["asked_by"] == cast.participants["party_a"].pk


def test_decisions_wait_out_a_break(cast: Cast) -> None:
    car = new_issue(cast)
    asked = run(cast, "mediator", "decision.propose", issue=car["id"], kind="agree", terms="A")
    run(cast, "mediator", "break.start", minutes=5)
    with pytest.raises(NotAllowed) as refused:
        confirm(cast, "party_a", asked["decisions"][0]["id"])
    assert refused.value.code == "on_break"


def test_an_outsider_finds_no_decision(cast: Cast) -> None:
    car = new_issue(cast)
    asked = run(cast, "mediator", "decision.propose", issue=car["id"], kind="agree", terms="A")
    client = APIClient()
    client.force_login(cast.outsider)
    response = client.post(
        f"/api/mediations/{cast.mediation.pk}/commands/decision.answer/",
        {"decision": asked["decisions"][0]["id"], "answer": "confirm"},
    )
    assert response.status_code == 404


# --- no single side moves an issue into or out of Agreed or Struck ------------------------

SIDE_A = ("party_a", "attorney_a")
LANES = ("agenda", "discussing", "parked", "agreed", "struck")


def _side_a_step(cast: Cast, who: str, action: str, pick: int, lane: str) -> None:
    issues = list(Issue.objects.filter(room=cast.joint).order_by("id"))
    issue = issues[pick % len(issues)]
    proposals = list(Proposal.objects.filter(issue__room=cast.joint).order_by("id"))
    decisions = list(Decision.objects.filter(issue__room=cast.joint).order_by("id"))
    if action == "move":
        run(cast, who, "issue.move", issue=issue.pk, version=issue.version, lane=lane, index=0)
    elif action == "propose":
        run(cast, who, "proposal.create", issue=issue.pk, terms="Ours")
    elif action in ("accept", "reject", "counter") and proposals:
        proposal = proposals[pick % len(proposals)]
        held = proposal.responses.filter(side=cast.side_a).first()
        run(cast, who, "proposal.respond", proposal=proposal.pk, answer=action,
            version=held.version if held else 0, counter_terms="Mine")  # fmt: skip
    elif action == "withdraw" and proposals:
        proposal = proposals[pick % len(proposals)]
        run(cast, who, "proposal.withdraw", proposal=proposal.pk, version=proposal.version)
    elif action in ("agree", "strike"):
        run(cast, who, "decision.propose", issue=issue.pk, kind=action, terms="We agree")
    elif action in ("confirm", "decline") and decisions:
        decision = decisions[pick % len(decisions)]
        run(cast, who, "decision.answer", decision=decision.pk, answer=action)
    elif action == "retract" and decisions:
        run(cast, who, "decision.withdraw", decision=decisions[pick % len(decisions)].pk)


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(SIDE_A),
            st.sampled_from(
                [
                    "move",
                    "propose",
                    "accept",
                    "reject",
                    "counter",
                    "withdraw",
                    "agree",
                    "strike",
                    "confirm",
                    "decline",
                    "retract",
                ]
            ),
            st.integers(0, 7),
            st.sampled_from(LANES),
        ),
        max_size=25,
    )
)
def test_no_sequence_by_one_side_moves_an_issue_into_or_out_of_agreed(
    cast: Cast, steps: list[tuple[str, str, int, str]]
) -> None:
    """Whatever one side's party and attorney do, alone, the issues in Agreed and in
    Struck stay as they were: the mediator has tabled proposals and wordings, and an
    issue is agreed and another struck already, but the other side has said nothing."""
    from django.db import transaction

    with transaction.atomic():
        for title in ("House", "Car", "Dog", "Pension"):
            new_issue(cast, title)
        house, car, dog, pension = Issue.objects.filter(room=cast.joint).order_by("id")
        run(cast, "mediator", "proposal.create", issue=house.pk, terms="Sell and split")
        run(cast, "mediator", "decision.propose", issue=car.pk, kind="agree", terms="Alex keeps")
        run(cast, "mediator", "issue.move", issue=dog.pk, version=1, lane="struck")
        agreed_pension = run(cast, "mediator", "decision.propose", issue=pension.pk,
                             kind="agree", terms="Split")  # fmt: skip
        for who in ("party_a", "party_b"):
            confirm(cast, who, agreed_pension["decisions"][0]["id"])

        def decided() -> dict[str, set[int]]:
            rows = Issue.objects.filter(room=cast.joint, lane__in=("agreed", "struck"))
            out: dict[str, set[int]] = {"agreed": set(), "struck": set()}
            for issue in rows:
                out[issue.lane].add(issue.pk)
            return out

        before = decided()
        assert before == {"agreed": {pension.pk}, "struck": {dog.pk}}
        for who, action, pick, lane in steps:
            try:
                with transaction.atomic():
                    _side_a_step(cast, who, action, pick, lane)
            except ServiceError:
                pass
            assert decided() == before, (who, action, pick, lane)
        transaction.set_rollback(True)
