from __future__ import annotations

from typing import Any

import pytest

from config.errors import Conflict, Invalid, NotAllowed
from negotiation.models import Proposal
from tests.conftest import Cast, accept, run


@pytest.fixture
def car(cast: Cast) -> dict[str, Any]:
    return run(cast, "mediator", "issue.create", title="The car")


@pytest.fixture
def offer(cast: Cast, car: dict) -> dict[str, Any]:
    return run(cast, "party_a", "proposal.create", issue=car["id"], terms="Alex keeps the car",
               amount="4500.00")  # fmt: skip


def test_a_partys_proposal_is_for_their_side(cast: Cast, offer: dict) -> None:
    assert offer["side"] == cast.side_a.pk
    assert offer["amount"] == "4500.00"
    assert offer["responses"] == []


def test_the_mediators_proposal_has_no_side(cast: Cast, car: dict) -> None:
    proposal = run(cast, "mediator", "proposal.create", issue=car["id"], terms="Sell it")
    assert proposal["side"] is None


def test_the_other_side_answers_and_may_change_its_mind(cast: Cast, offer: dict) -> None:
    first = run(cast, "party_b", "proposal.respond", proposal=offer["id"], answer="considering",
                version=0)  # fmt: skip
    then = accept(cast, "party_b", offer["id"], version=1, note="If the loan moves with it")
    assert (first["answer"], then["answer"], then["version"]) == ("considering", "accept", 2)
    assert then["side"] == cast.side_b.pk


def test_a_counter_tables_a_linked_proposal(cast: Cast, offer: dict) -> None:
    response = run(cast, "party_b", "proposal.respond", proposal=offer["id"], answer="counter",
                   version=0, counter_terms="Alex keeps the car and pays 2,000",
                   counter_amount="2000")  # fmt: skip
    counter = Proposal.objects.get(pk=response["counter"])
    assert counter.counter_to_id == offer["id"]
    assert counter.side_id == cast.side_b.pk


def test_a_counter_needs_terms(cast: Cast, offer: dict) -> None:
    with pytest.raises(Invalid) as error:
        run(cast, "party_b", "proposal.respond", proposal=offer["id"], answer="counter", version=0)
    assert "counter_terms" in error.value.details


def test_only_the_other_sides_party_answers(cast: Cast, offer: dict) -> None:
    for who in ("party_a", "attorney_a", "mediator", "observer"):
        with pytest.raises(NotAllowed):
            accept(cast, who, offer["id"])


def test_a_stale_answer_conflicts(cast: Cast, offer: dict) -> None:
    run(cast, "party_b", "proposal.respond", proposal=offer["id"], answer="reject", version=0)
    with pytest.raises(Conflict) as conflict:
        accept(cast, "party_b", offer["id"])
    assert conflict.value.details["current"]["answer"] == "reject"


def test_only_the_proposer_withdraws_and_then_nobody_answers(cast: Cast, offer: dict) -> None:
    with pytest.raises(NotAllowed):
        run(cast, "party_b", "proposal.withdraw", proposal=offer["id"], version=1)
    withdrawn = run(cast, "party_a", "proposal.withdraw", proposal=offer["id"], version=1)
    with pytest.raises(Invalid):
        accept(cast, "party_b", offer["id"])
    assert withdrawn["status"] == "withdrawn"


@pytest.mark.parametrize("amount", ["-1", "1.234", "abc", "1e20"])
def test_it_refuses_a_bad_amount(cast: Cast, car: dict, amount: str) -> None:
    with pytest.raises(Invalid) as error:
        run(cast, "party_a", "proposal.create", issue=car["id"], terms="x", amount=amount)
    assert "amount" in error.value.details


def test_a_counter_emits_the_proposal_before_the_response(
    cast: Cast, offer: dict, sent_events, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        run(cast, "party_b", "proposal.respond", proposal=offer["id"], answer="counter",
            version=0, counter_terms="Sell it")  # fmt: skip
    assert [frame["name"] for _, frame in sent_events.sent] == ["proposal.created", "response.set"]
    seqs = [frame["seq"] for _, frame in sent_events.sent]
    assert seqs[1] == seqs[0] + 1


AT_THE_TABLE = {"mediator", "party_a", "party_b", "attorney_a", "observer"}


@pytest.mark.parametrize(
    ("who", "name", "event"),
    [
        ("mediator", "proposal.create", "proposal.created"),
        ("party_b", "proposal.respond", "response.set"),
        ("party_a", "proposal.withdraw", "proposal.withdrawn"),
    ],
)
def test_each_change_tells_everyone_at_the_table_and_nobody_else(
    cast: Cast,
    car: dict,
    offer: dict,
    sent_events,
    django_capture_on_commit_callbacks,
    who: str,
    name: str,
    event: str,
) -> None:
    data = {
        "proposal.create": {"issue": car["id"], "terms": "Sell it", "amount": "9000.00"},
        "proposal.respond": {"proposal": offer["id"], "answer": "reject", "version": 0},
        "proposal.withdraw": {"proposal": offer["id"], "version": 1},
    }[name]
    with django_capture_on_commit_callbacks(execute=True):
        result = run(cast, who, name, **data)
    [(group, frame)] = sent_events.sent
    assert (frame["name"], frame["room"], cast.audience(group)) == (event, "joint", AT_THE_TABLE)
    assert frame["data"] == result


def test_a_counter_tells_everyone_at_the_table_and_nobody_else(
    cast: Cast, offer: dict, sent_events, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        result = run(cast, "party_b", "proposal.respond", proposal=offer["id"], answer="counter",
                     version=0, counter_terms="Sell it")  # fmt: skip
    sent = [(frame["name"], frame["data"]["id"], cast.audience(group))
            for group, frame in sent_events.sent]  # fmt: skip
    assert sent == [
        ("proposal.created", result["counter"], AT_THE_TABLE),
        ("response.set", result["id"], AT_THE_TABLE),
    ]
