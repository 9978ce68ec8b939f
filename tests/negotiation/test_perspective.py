"""The perspective round: each side states the other side's view in its own words; the
side stated says "that's right" or corrects it, turn after turn, until both are
confirmed. A submitted statement is the joint room's; a draft is its author's alone."""

from __future__ import annotations

from typing import Any

import pytest

from config.errors import Conflict, Invalid, NotAllowed, NotFound
from negotiation.models import PerspectiveDraft
from tests.conftest import PERSONAS, Cast, expert_join, run, status_matrix


def round_started(cast: Cast) -> dict[str, Any]:
    issue = run(cast, "party_a", "issue.create", title="The house")
    impasse = run(
        cast, "mediator", "impasse.mark", issue=issue["id"], causes=["communication_breakdown"]
    )
    started = run(cast, "mediator", "strategy.start", impasse=impasse["id"], kind="perspective")
    return {"issue": issue, "impasse": started, "round": started["attempts"][0]["perspective"]}


def latest(state: dict[str, Any], writer_side: int) -> dict[str, Any]:
    mine = [s for s in state["statements"] if s["writer_side"] == writer_side]
    return max(mine, key=lambda s: s["turn"])


def test_it_runs_a_round_until_both_sides_confirm(cast: Cast) -> None:
    r = round_started(cast)["round"]
    a, b = cast.side_a.pk, cast.side_b.pk
    run(cast, "party_a", "perspective.submit", round=r, text="Sam wants to keep the garden")
    state = run(cast, "party_b", "perspective.submit", round=r, text="Alex needs the money soon")
    run(cast, "party_b", "perspective.answer", statement=latest(state, a)["id"], answer="correct",
        correction="It is the schools, not the garden")  # fmt: skip
    state = run(cast, "party_a", "perspective.answer", statement=latest(state, b)["id"],
                answer="confirm")  # fmt: skip
    assert state["status"] == "open"
    state = run(cast, "attorney_a", "perspective.submit", round=r,
                text="Sam wants the children to stay at their schools")  # fmt: skip
    state = run(cast, "party_b", "perspective.answer", statement=latest(state, a)["id"],
                answer="confirm")  # fmt: skip
    assert state["status"] == "done"
    assert [s["turn"] for s in state["statements"] if s["writer_side"] == a] == [1, 2]
    assert latest(state, a)["about_side"] == b


def test_a_correction_carries_its_words_and_gives_the_turn_back(cast: Cast) -> None:
    r = round_started(cast)["round"]
    state = run(cast, "party_a", "perspective.submit", round=r, text="Sam wants the garden")
    state = run(cast, "party_b", "perspective.answer", statement=state["statements"][0]["id"],
                answer="correct", correction="The schools")  # fmt: skip
    corrected = state["statements"][0]
    assert (corrected["answer"], corrected["correction"]) == ("corrected", "The schools")
    again = run(cast, "party_a", "perspective.submit", round=r, text="Sam wants the schools")
    assert len(again["statements"]) == 2


def test_a_side_waits_for_the_answer_before_writing_again(cast: Cast) -> None:
    r = round_started(cast)["round"]
    run(cast, "party_a", "perspective.submit", round=r, text="Sam wants the garden")
    with pytest.raises(Invalid):
        run(cast, "attorney_a", "perspective.submit", round=r, text="Sam wants more")


def test_a_correction_needs_its_words(cast: Cast) -> None:
    r = round_started(cast)["round"]
    state = run(cast, "party_a", "perspective.submit", round=r, text="Sam wants the garden")
    with pytest.raises(Invalid) as error:
        run(cast, "party_b", "perspective.answer", statement=state["statements"][0]["id"],
            answer="correct")  # fmt: skip
    assert "correction" in error.value.details


def test_a_statement_is_answered_once(cast: Cast) -> None:
    r = round_started(cast)["round"]
    state = run(cast, "party_a", "perspective.submit", round=r, text="Sam wants the garden")
    statement = state["statements"][0]["id"]
    run(cast, "party_b", "perspective.answer", statement=statement, answer="confirm")
    with pytest.raises(Conflict):
        run(cast, "party_b", "perspective.answer", statement=statement, answer="confirm")


def test_only_the_side_stated_answers(cast: Cast) -> None:
    r = round_started(cast)["round"]
    state = run(cast, "party_a", "perspective.submit", round=r, text="Sam wants the garden")
    statement = state["statements"][0]["id"]
    for who in ("party_a", "attorney_a", "mediator", "observer"):
        with pytest.raises(NotAllowed):
            run(cast, who, "perspective.answer", statement=statement, answer="confirm")


def test_who_writes_in_a_round(cast: Cast) -> None:
    r = round_started(cast)["round"]
    url = f"/api/mediations/{cast.mediation.pk}/commands/perspective.submit/"
    # Alex's attorney may write for Alex's side, but party_a has just done so: their
    # side's statement waits for Sam's answer (400).
    assert status_matrix(cast, "post", url, {"round": r, "text": "Their view"}) == {
        "mediator": 403, "party_a": 200, "party_b": 200, "attorney_a": 400,
        "observer": 403, "outsider": 404, "anonymous": 403,
    }  # fmt: skip


def test_an_attorney_writes_for_their_side(cast: Cast) -> None:
    r = round_started(cast)["round"]
    state = run(cast, "attorney_a", "perspective.submit", round=r, text="Sam wants the garden")
    assert state["statements"][0]["writer_side"] == cast.side_a.pk


def test_an_expert_writes_nothing_in_a_round(cast: Cast) -> None:
    r = round_started(cast)["round"]
    expert_join(cast, cast.side_a)
    with pytest.raises(NotAllowed):
        run(cast, "expert", "perspective.submit", round=r, text="Their view")


def test_a_submitted_statement_is_told_to_the_joint_room(
    cast: Cast, sent_events, django_capture_on_commit_callbacks
) -> None:
    r = round_started(cast)["round"]
    with django_capture_on_commit_callbacks(execute=True):
        run(cast, "party_a", "perspective.submit", round=r, text="Sam wants the garden")
    [(group, frame)] = sent_events.named("perspective.updated")
    assert group == cast.joint.group_name
    assert cast.audience(group) == set(cast.participants)
    assert frame["data"]["statements"][0]["text"] == "Sam wants the garden"


def test_starting_a_round_is_told_to_the_joint_room(
    cast: Cast, sent_events, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        started = round_started(cast)
    [(group, frame)] = sent_events.named("perspective.updated")
    assert group == cast.joint.group_name
    assert frame["data"]["sides"] == [cast.side_a.pk, cast.side_b.pk]
    assert "causes" not in frame["data"]
    assert started["impasse"]["attempts"][0]["kind"] == "perspective"


def test_a_draft_is_its_authors_alone(
    cast: Cast, sent_events, django_capture_on_commit_callbacks
) -> None:
    r = round_started(cast)["round"]
    with django_capture_on_commit_callbacks(execute=True):
        run(cast, "party_a", "perspective.draft", round=r, text="DRAFT-WORDS half a thought")
    assert sent_events.sent == []
    from rest_framework.test import APIClient

    def drafts(who: str) -> str:
        client = APIClient()
        client.force_login(getattr(cast, who))
        return str(client.get(f"/api/mediations/{cast.mediation.pk}/perspective-drafts/").json())

    def board(who: str) -> str:
        client = APIClient()
        client.force_login(getattr(cast, who))
        return str(client.get(f"/api/mediations/{cast.mediation.pk}/board/").json())

    assert "DRAFT-WORDS" in drafts("party_a")
    for who in ("attorney_a", "mediator", "party_b", "observer"):
        assert "DRAFT-WORDS" not in drafts(who)
        assert "DRAFT-WORDS" not in board(who)


def test_submitting_forgets_the_draft(cast: Cast) -> None:
    r = round_started(cast)["round"]
    run(cast, "party_a", "perspective.draft", round=r, text="Sam wants")
    run(cast, "party_a", "perspective.submit", round=r, text="Sam wants the garden")
    assert not PerspectiveDraft.objects.exists()


def test_the_round_is_in_the_joint_snapshot(cast: Cast) -> None:
    from negotiation.selectors import room_snapshot

    r = round_started(cast)["round"]
    run(cast, "party_a", "perspective.submit", round=r, text="Sam wants the garden")
    data = room_snapshot(cast.joint)["data"]
    assert data["perspectives"][0]["statements"][0]["text"] == "Sam wants the garden"


def test_ending_the_strategy_ends_the_round(cast: Cast) -> None:
    started = round_started(cast)
    attempt = started["impasse"]["attempts"][0]["id"]
    run(cast, "mediator", "strategy.end", attempt=attempt, outcome="did_not_help")
    with pytest.raises(Invalid):
        run(cast, "party_a", "perspective.submit", round=started["round"], text="Too late")


def test_one_round_at_a_time_on_an_issue(cast: Cast) -> None:
    started = round_started(cast)
    with pytest.raises(Invalid):
        run(cast, "mediator", "strategy.start", impasse=started["impasse"]["id"],
            kind="perspective")  # fmt: skip


def test_a_round_of_another_mediation_is_not_found(cast: Cast) -> None:
    with pytest.raises(NotFound):
        run(cast, "party_a", "perspective.submit", round=999_999, text="Their view")


def test_no_one_writes_in_a_round_during_a_break(cast: Cast) -> None:
    r = round_started(cast)["round"]
    run(cast, "mediator", "break.start", minutes=5)
    with pytest.raises(NotAllowed) as error:
        run(cast, "party_a", "perspective.submit", round=r, text="Their view")
    assert error.value.code == "on_break"


@pytest.mark.parametrize("who", [p for p in PERSONAS if p not in ("outsider",)])
def test_everyone_at_the_table_sees_a_submitted_statement(cast: Cast, who: str) -> None:
    from rest_framework.test import APIClient

    r = round_started(cast)["round"]
    run(cast, "party_a", "perspective.submit", round=r, text="Sam wants the garden")
    client = APIClient()
    client.force_login(getattr(cast, who))
    board = client.get(f"/api/mediations/{cast.mediation.pk}/board/").json()
    assert board["perspectives"][0]["statements"][0]["text"] == "Sam wants the garden"
