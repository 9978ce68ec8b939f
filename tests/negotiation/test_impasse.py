"""Impasse on an issue: the mediator marks it and names its causes, which only mediators
ever see; everyone else sees that another way is being tried. The strategies the causes
suggest, started from the impasse, and their record."""

from __future__ import annotations

from typing import Any

import pytest

from config.errors import Conflict, Invalid, NotAllowed, NotFound
from negotiation import events
from negotiation.impasse_reads import strategies_for
from negotiation.models import Issue, Lane, Mediation, RealityCheck, StrategyAttempt
from tests.conftest import PERSONAS, Cast, run, status_matrix

CAUSES = [
    "communication_breakdown",
    "lack_of_trust",
    "misunderstanding",
    "power_imbalance",
    "unrealistic_expectations",
    "emotional_barriers",
]


class Told:
    """What went to participants' own connections (participant groups), after commit."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

    def impasse_frames(self) -> list[tuple[str, dict[str, Any]]]:
        return [
            (group, message["frame"])
            for group, message in self.sent
            if group.startswith("participant.")
            and message.get("type") == "participant.notification"
            and message["frame"].get("type") == "impasse"
        ]

    def groups(self) -> set[str]:
        return {group for group, _ in self.impasse_frames()}


@pytest.fixture
def told(monkeypatch: pytest.MonkeyPatch) -> Told:
    recorder = Told()
    original = events.group_send

    def record(group: str, message: dict[str, Any]) -> None:
        recorder.sent.append((group, message))
        original(group, message)

    monkeypatch.setattr(events, "group_send", record)
    return recorder


def group_of(cast: Cast, who: str) -> str:
    return f"participant.{cast.participants[who].pk}"


def issue_of(cast: Cast, title: str = "The house") -> dict[str, Any]:
    return run(cast, "party_a", "issue.create", title=title)


def mark(cast: Cast, issue: dict[str, Any], causes: list[str] | None = None) -> dict[str, Any]:
    return run(cast, "mediator", "impasse.mark", issue=issue["id"], causes=causes or CAUSES[:1])


# --- marking and the causes -------------------------------------------------------------


def test_it_marks_an_issue_at_impasse_with_its_causes(cast: Cast) -> None:
    issue = issue_of(cast)
    impasse = mark(cast, issue, ["lack_of_trust", "power_imbalance"])
    assert impasse["causes"] == ["lack_of_trust", "power_imbalance"]
    assert Issue.objects.get(pk=issue["id"]).impasse_since is not None


def test_it_tells_everyone_only_that_another_way_is_tried(
    cast: Cast, sent_events, django_capture_on_commit_callbacks
) -> None:
    issue = issue_of(cast)
    with django_capture_on_commit_callbacks(execute=True):
        mark(cast, issue, CAUSES)
    [(group, frame)] = sent_events.named("issue.updated")
    assert group == cast.joint.group_name
    assert cast.audience(group) == set(cast.participants)
    assert frame["data"]["impasse_since"] is not None
    assert not any(cause in str(frame) for cause in CAUSES)


def test_it_tells_the_causes_to_the_mediators_alone(
    cast: Cast, told: Told, django_capture_on_commit_callbacks
) -> None:
    issue = issue_of(cast)
    with django_capture_on_commit_callbacks(execute=True):
        mark(cast, issue, ["misunderstanding"])
    [(group, frame)] = told.impasse_frames()
    assert group == group_of(cast, "mediator")
    assert frame["impasse"]["causes"] == ["misunderstanding"]


def test_it_changes_the_causes_without_a_word_in_any_room(
    cast: Cast, sent_events, told: Told, django_capture_on_commit_callbacks
) -> None:
    impasse = mark(cast, issue_of(cast))
    with django_capture_on_commit_callbacks(execute=True):
        changed = run(
            cast, "mediator", "impasse.causes", impasse=impasse["id"], version=1,
            causes=["emotional_barriers"],
        )  # fmt: skip
    assert changed["causes"] == ["emotional_barriers"]
    assert sent_events.sent == []
    assert told.groups() == {group_of(cast, "mediator")}


def test_it_refuses_a_stale_change_of_causes(cast: Cast) -> None:
    impasse = mark(cast, issue_of(cast))
    run(cast, "mediator", "impasse.causes", impasse=impasse["id"], version=1, causes=CAUSES[1:2])
    with pytest.raises(Conflict):
        run(cast, "mediator", "impasse.causes", impasse=impasse["id"], version=1, causes=CAUSES)


def test_it_refuses_no_cause_and_unknown_causes(cast: Cast) -> None:
    issue = issue_of(cast)
    with pytest.raises(Invalid) as empty:
        run(cast, "mediator", "impasse.mark", issue=issue["id"], causes=[])
    with pytest.raises(Invalid) as unknown:
        run(cast, "mediator", "impasse.mark", issue=issue["id"], causes=["stubbornness"])
    assert "causes" in empty.value.details
    assert "causes" in unknown.value.details


def test_it_marks_an_issue_at_impasse_once(cast: Cast) -> None:
    issue = issue_of(cast)
    mark(cast, issue)
    with pytest.raises(Invalid):
        mark(cast, issue)


def test_it_clears_the_impasse_and_keeps_its_record(cast: Cast) -> None:
    issue = issue_of(cast)
    impasse = mark(cast, issue)
    run(cast, "mediator", "strategy.start", impasse=impasse["id"], kind="criteria")
    cleared = run(cast, "mediator", "impasse.clear", impasse=impasse["id"])
    again = mark(cast, issue, ["lack_of_trust"])
    assert cleared["cleared_at"] is not None
    assert cleared["attempts"][0]["ended_at"] is not None
    assert again["id"] != impasse["id"]
    assert Issue.objects.get(pk=issue["id"]).impasse_since is not None


def test_only_the_mediator_marks_an_impasse(cast: Cast) -> None:
    issue = issue_of(cast)
    url = f"/api/mediations/{cast.mediation.pk}/commands/impasse.mark/"
    body = {"issue": issue["id"], "causes": ["lack_of_trust"]}
    assert status_matrix(cast, "post", url, body, who=(*PERSONAS[1:], "mediator")) == {
        "party_a": 403, "party_b": 403, "attorney_a": 403, "observer": 403,
        "outsider": 404, "mediator": 200, "anonymous": 403,
    }  # fmt: skip


def test_only_the_mediator_changes_and_clears_an_impasse(cast: Cast) -> None:
    impasse = mark(cast, issue_of(cast))
    for who in ("party_a", "attorney_a", "observer"):
        with pytest.raises(NotAllowed):
            run(cast, who, "impasse.causes", impasse=impasse["id"], version=1, causes=CAUSES)
        with pytest.raises(NotAllowed):
            run(cast, who, "impasse.clear", impasse=impasse["id"])


def test_the_impasses_are_read_by_the_mediators_alone(cast: Cast) -> None:
    mark(cast, issue_of(cast), ["power_imbalance"])
    url = f"/api/mediations/{cast.mediation.pk}/impasses/"
    assert status_matrix(cast, "get", url) == {
        "mediator": 200, "party_a": 404, "party_b": 404, "attorney_a": 404,
        "observer": 404, "outsider": 404, "anonymous": 403,
    }  # fmt: skip


def test_an_impasse_of_another_mediation_is_not_found(cast: Cast) -> None:
    impasse = mark(cast, issue_of(cast))
    other = Mediation.objects.create(title="Other", created_by=cast.mediator)
    from negotiation.models import Participant, Role

    stranger = Participant.objects.create(mediation=other, user=cast.outsider, role=Role.MEDIATOR)
    from negotiation.services.impasse import impasse_clear

    with pytest.raises(NotFound):
        impasse_clear(actor=stranger, impasse_id=impasse["id"])


# --- suggestions -------------------------------------------------------------------------


def test_it_suggests_the_strategies_of_the_causes_best_first() -> None:
    assert strategies_for(["unrealistic_expectations"]) == [
        "reality_check", "criteria", "professional",
    ]  # fmt: skip
    assert strategies_for(["communication_breakdown", "misunderstanding"])[0] == "perspective"
    assert strategies_for(["emotional_barriers"])[:2] == ["break", "park"]


def test_the_suggestions_follow_a_change_of_causes(cast: Cast) -> None:
    impasse = mark(cast, issue_of(cast), ["power_imbalance"])
    changed = run(
        cast, "mediator", "impasse.causes", impasse=impasse["id"], version=1,
        causes=["emotional_barriers"],
    )  # fmt: skip
    assert impasse["suggestions"][0] == "professional"
    assert changed["suggestions"][0] == "break"


# --- strategies ----------------------------------------------------------------------------


def test_it_starts_a_break_from_the_impasse(cast: Cast) -> None:
    impasse = mark(cast, issue_of(cast), ["emotional_barriers"])
    after = run(cast, "mediator", "strategy.start", impasse=impasse["id"], kind="break", minutes=10)
    assert Mediation.objects.get(pk=cast.mediation.pk).on_break is True
    assert after["attempts"][0]["kind"] == "break"


def test_a_refused_break_records_no_strategy(cast: Cast) -> None:
    impasse = mark(cast, issue_of(cast))
    with pytest.raises(Invalid):
        run(cast, "mediator", "strategy.start", impasse=impasse["id"], kind="break", minutes=0)
    assert not StrategyAttempt.objects.exists()


def test_it_sets_the_issue_aside_from_the_impasse(
    cast: Cast, sent_events, django_capture_on_commit_callbacks
) -> None:
    issue = issue_of(cast)
    impasse = mark(cast, issue, ["emotional_barriers"])
    with django_capture_on_commit_callbacks(execute=True):
        run(
            cast, "mediator", "strategy.start", impasse=impasse["id"], kind="park",
            reason="Time to think", condition="After the weekend",
        )  # fmt: skip
    parked = Issue.objects.get(pk=issue["id"])
    assert (parked.lane, parked.parked_reason) == (Lane.PARKED, "Time to think")
    [(group, _)] = sent_events.named("issue.moved")
    assert group == cast.joint.group_name


def test_it_opens_the_sides_worksheet_in_its_private_room(
    cast: Cast, sent_events, django_capture_on_commit_callbacks
) -> None:
    issue = issue_of(cast)
    impasse = mark(cast, issue, ["unrealistic_expectations"])
    with django_capture_on_commit_callbacks(execute=True):
        after = run(
            cast, "mediator", "strategy.start", impasse=impasse["id"], kind="reality_check",
            side=cast.side_b.pk,
        )  # fmt: skip
    [(group, frame)] = sent_events.named("reality_check.updated")
    assert group == cast.caucus(cast.side_b).group_name
    assert cast.audience(group) == {"mediator", "party_b"}
    assert frame["data"]["issue"] == issue["id"]
    assert after["attempts"][0]["side"] == cast.side_b.pk
    assert RealityCheck.objects.filter(room=cast.caucus(cast.side_b)).count() == 1


def test_a_reality_check_keeps_a_worksheet_the_side_has(cast: Cast) -> None:
    from tests.conftest import acknowledge_rule

    issue = issue_of(cast)
    acknowledge_rule(cast, "party_b")
    run(cast, "party_b", "reality_check.set", issue=issue["id"], version=0,
        best_alternative="Sell it")  # fmt: skip
    impasse = mark(cast, issue)
    run(cast, "mediator", "strategy.start", impasse=impasse["id"], kind="reality_check",
        side=cast.side_b.pk)  # fmt: skip
    assert RealityCheck.objects.get(room=cast.caucus(cast.side_b)).best_alternative == "Sell it"


def test_it_records_the_outcome_of_a_strategy(cast: Cast) -> None:
    impasse = mark(cast, issue_of(cast))
    started = run(cast, "mediator", "strategy.start", impasse=impasse["id"], kind="criteria")
    attempt = started["attempts"][0]["id"]
    ended = run(cast, "mediator", "strategy.end", attempt=attempt, outcome="helped",
                note="The appraisal table settled it")  # fmt: skip
    [record] = ended["attempts"]
    assert (record["outcome"], record["note"]) == ("helped", "The appraisal table settled it")
    assert record["ended_at"] is not None


def test_it_refuses_an_unknown_strategy_or_outcome(cast: Cast) -> None:
    impasse = mark(cast, issue_of(cast))
    with pytest.raises(Invalid) as kind:
        run(cast, "mediator", "strategy.start", impasse=impasse["id"], kind="arbitration")
    started = run(cast, "mediator", "strategy.start", impasse=impasse["id"], kind="alternatives")
    with pytest.raises(Invalid) as outcome:
        run(cast, "mediator", "strategy.end", attempt=started["attempts"][0]["id"],
            outcome="maybe")  # fmt: skip
    assert "kind" in kind.value.details
    assert "outcome" in outcome.value.details


def test_generating_alternatives_is_a_brainstorm_round_that_ends_with_the_strategy(
    cast: Cast,
) -> None:
    from negotiation.models import BrainstormRound

    issue = issue_of(cast)
    impasse = mark(cast, issue)
    started = run(cast, "mediator", "strategy.start", impasse=impasse["id"], kind="alternatives")
    run(cast, "party_b", "brainstorm.add", issue=issue["id"], text="Lease it out")
    opened = list(
        BrainstormRound.objects.filter(issue_id=issue["id"]).values_list("status", flat=True)
    )
    run(cast, "mediator", "strategy.end", attempt=started["attempts"][0]["id"], outcome="helped")
    ended = list(
        BrainstormRound.objects.filter(issue_id=issue["id"]).values_list("status", flat=True)
    )
    assert (opened, ended) == (["open"], ["ended"])


def test_only_the_mediator_starts_and_ends_strategies(cast: Cast) -> None:
    impasse = mark(cast, issue_of(cast))
    started = run(cast, "mediator", "strategy.start", impasse=impasse["id"], kind="criteria")
    url = f"/api/mediations/{cast.mediation.pk}/commands/strategy.end/"
    body = {"attempt": started["attempts"][0]["id"], "outcome": "helped"}
    assert status_matrix(cast, "post", url, body, who=(*PERSONAS[1:], "mediator")) == {
        "party_a": 403, "party_b": 403, "attorney_a": 403, "observer": 403,
        "outsider": 404, "mediator": 200, "anonymous": 403,
    }  # fmt: skip
    with pytest.raises(NotAllowed):
        run(cast, "party_a", "strategy.start", impasse=impasse["id"], kind="criteria")


def test_a_strategy_is_told_to_the_mediators_alone(
    cast: Cast, sent_events, told: Told, django_capture_on_commit_callbacks
) -> None:
    impasse = mark(cast, issue_of(cast))
    with django_capture_on_commit_callbacks(execute=True):
        run(cast, "mediator", "strategy.start", impasse=impasse["id"], kind="criteria")
    assert sent_events.sent == []
    assert told.groups() == {group_of(cast, "mediator")}


def test_every_mediator_is_told_of_an_impasse(
    cast: Cast, told: Told, django_capture_on_commit_callbacks
) -> None:
    from django.db import transaction

    from accounts.models import User
    from negotiation.models import Role
    from negotiation.services.mediations import participant_join

    co = User.objects.create_user("comed@example.com", name="Cody", is_mediator=True)
    with transaction.atomic():
        second = participant_join(mediation=cast.mediation, user=co, role=Role.MEDIATOR, side=None)
    with django_capture_on_commit_callbacks(execute=True):
        mark(cast, issue_of(cast))
    assert told.groups() == {group_of(cast, "mediator"), f"participant.{second.pk}"}
