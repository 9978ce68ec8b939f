"""The "Waiting for you" list: what waits on each person's answer, read from the state of
things, each person seeing only what is theirs to answer."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.conftest import Cast, acknowledge_rule, run, status_matrix


def waiting(cast: Cast, who: str) -> list[dict[str, Any]]:
    client = APIClient()
    client.force_login(getattr(cast, who))
    answer = client.get(f"/api/mediations/{cast.mediation.pk}/waiting/")
    assert answer.status_code == 200
    return answer.json()


def kinds(cast: Cast, who: str) -> list[str]:
    return [entry["kind"] for entry in waiting(cast, who)]


@pytest.fixture
def discussing(cast: Cast) -> Cast:
    """Past the opening statements, whose readiness waits on each party at first."""
    run(cast, "mediator", "stage.set", stage="joint_discussion")
    return cast


def test_a_proposal_waits_on_the_other_sides_party_until_answered(discussing: Cast) -> None:
    cast = discussing
    house = run(cast, "mediator", "issue.create", title="House")
    offer = run(cast, "party_a", "proposal.create", issue=house["id"], terms="Sell")
    [entry] = waiting(cast, "party_b")
    assert (entry["kind"], entry["issue"], entry["issue_title"]) == (
        "proposal",
        house["id"],
        "House",
    )
    assert entry["text"] == "A proposal waits for your side's answer."
    assert kinds(cast, "party_a") == kinds(cast, "attorney_a") == kinds(cast, "observer") == []
    run(cast, "party_b", "proposal.respond", proposal=offer["id"], answer="considering", version=0)
    assert kinds(cast, "party_b") == ["proposal"]  # still to decide
    run(cast, "party_b", "proposal.respond", proposal=offer["id"], answer="reject", version=1)
    assert kinds(cast, "party_b") == []


def test_a_decision_waits_on_each_side_that_has_not_confirmed(discussing: Cast) -> None:
    cast = discussing
    house = run(cast, "mediator", "issue.create", title="House")
    run(cast, "mediator", "decision.propose", issue=house["id"], kind="agree", terms="Sell")
    assert kinds(cast, "party_a") == kinds(cast, "party_b") == ["decision"]
    wording = waiting(cast, "party_a")[0]
    assert wording["text"] == "Your side is asked to confirm an agreement."


def test_a_release_request_waits_only_on_its_sides_party(discussing: Cast) -> None:
    cast = discussing
    acknowledge_rule(cast)
    message = run(cast, "party_a", "caucus_message.post", side=cast.side_a.pk, body="Secret")
    run(cast, "mediator", "release.request", side=cast.side_a.pk, message=message["id"])
    [entry] = waiting(cast, "party_a")
    assert (entry["kind"], entry["room"]) == ("release", f"caucus:{cast.side_a.pk}")
    assert "Secret" not in str(entry)
    assert kinds(cast, "party_b") == kinds(cast, "attorney_a") == kinds(cast, "mediator") == []


def test_a_call_to_a_private_session_waits_on_that_side(discussing: Cast) -> None:
    cast = discussing
    run(cast, "mediator", "caucus.call", side=cast.side_b.pk)
    assert kinds(cast, "party_b") == ["caucus"]
    assert waiting(cast, "party_b")[0]["text"] == (
        "The mediator has asked to talk with you privately."
    )
    assert kinds(cast, "party_a") == kinds(cast, "attorney_a") == []


def test_a_break_asked_for_waits_on_the_mediator_until_read_or_taken(cast: Cast) -> None:
    run(cast, "party_b", "break.request")
    assert kinds(cast, "mediator") == ["break"]
    run(cast, "mediator", "break.start", minutes=5)
    assert kinds(cast, "mediator") == []


def test_the_opening_statement_waits_on_its_party_in_the_opening_stage(cast: Cast) -> None:
    assert kinds(cast, "party_a") == ["opening"]
    acknowledge_rule(cast)
    run(cast, "party_a", "opening.set", side=cast.side_a.pk, version=0, text="We hope",
        ready=True)  # fmt: skip
    assert kinds(cast, "party_a") == []
    assert kinds(cast, "party_b") == ["opening"]


def test_only_members_read_a_waiting_list(cast: Cast) -> None:
    codes = status_matrix(cast, "get", f"/api/mediations/{cast.mediation.pk}/waiting/")
    assert codes == {"mediator": 200, "party_a": 200, "party_b": 200, "attorney_a": 200,
                     "observer": 200, "outsider": 404, "anonymous": 403}  # fmt: skip
