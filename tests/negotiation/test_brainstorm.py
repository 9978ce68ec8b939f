"""Brainstorm rounds: the mediator opens and ends one on an issue; meanwhile everyone at
the table but observers adds options that carry no name anywhere, and nobody evaluates,
strikes or comments until it ends."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from rest_framework.test import APIClient

from config.errors import Invalid, NotAllowed, NotFound
from negotiation.commands import command_execute
from negotiation.models import (
    BrainstormKey,
    BrainstormRound,
    CommandReceipt,
    Event,
    Option,
    Participant,
)
from tests.conftest import Cast, SentEvents, acknowledge_rule, expert_join, run, status_matrix


@pytest.fixture(autouse=True)
def _acknowledged(cast: Cast) -> None:
    acknowledge_rule(cast)


@pytest.fixture
def issue(cast: Cast) -> int:
    return int(run(cast, "mediator", "issue.create", title="The house")["id"])


def add_as(cast: Cast, who: str, issue: int, text: str, client_id: str | None = None) -> Any:
    actor = Participant.objects.select_related("mediation", "side", "user").get(
        pk=cast.participants[who].pk
    )
    return command_execute(
        actor=actor,
        client_id=client_id or str(uuid.uuid4()),
        name="brainstorm.add",
        data={"issue": issue, "text": text},
    )


def test_it_is_the_mediators_to_start_and_end(cast: Cast, issue: int) -> None:
    for who in ("party_a", "party_b", "attorney_a", "observer"):
        with pytest.raises(NotAllowed):
            run(cast, who, "brainstorm.start", issue=issue)
    started = run(cast, "mediator", "brainstorm.start", issue=issue)
    assert started["status"] == "open"
    with pytest.raises(Invalid, match="already open"):
        run(cast, "mediator", "brainstorm.start", issue=issue)
    with pytest.raises(NotAllowed):
        run(cast, "party_a", "brainstorm.end", issue=issue)
    ended = run(cast, "mediator", "brainstorm.end", issue=issue)
    assert (ended["id"], ended["status"]) == (started["id"], "ended")
    with pytest.raises(Invalid, match="No brainstorm round"):
        run(cast, "mediator", "brainstorm.end", issue=issue)


def test_it_keeps_no_name_on_an_option(cast: Cast, issue: int) -> None:
    run(cast, "mediator", "brainstorm.start", issue=issue)
    started = BrainstormRound.objects.get()
    for who in ("party_a", "party_b", "attorney_a", "mediator"):
        answer = add_as(cast, who, issue, f"Idea of {who}")
        # The sender's answer is the round, the same whoever sent which option.
        assert answer == {**answer, "id": started.pk, "status": "open"}
        assert "text" not in answer
    options = Option.objects.filter(issue_id=issue)
    assert {o.created_by_id for o in options} == {None}
    assert {(o.created_at, o.updated_at) for o in options} == {
        (started.started_at, started.started_at)
    }
    added = Event.objects.filter(name="option.added", room=cast.joint)
    assert [e.actor_id for e in added] == [None] * 4
    assert {e.created_at for e in added} == {started.started_at}
    assert {e.data["created_by"] for e in added} == {None}
    assert not CommandReceipt.objects.filter(name="brainstorm.add").exists()


def test_it_adds_a_repeated_command_once(cast: Cast, issue: int) -> None:
    run(cast, "mediator", "brainstorm.start", issue=issue)
    first = add_as(cast, "party_a", issue, "Sell it", client_id="same")
    again = add_as(cast, "party_a", issue, "Sell it", client_id="same")
    add_as(cast, "party_b", issue, "Keep it", client_id="same")
    assert first == again
    assert sorted(Option.objects.values_list("text", flat=True)) == ["Keep it", "Sell it"]
    # A key per option: a hash, with no participant and no option in it; gone with the round.
    keys = list(BrainstormKey.objects.values_list("pk", flat=True))
    assert len(keys) == 2
    assert all(len(key) == 64 and "same" not in key for key in keys)
    assert [f.name for f in BrainstormKey._meta.get_fields()] == ["key", "round"]
    run(cast, "mediator", "brainstorm.end", issue=issue)
    assert not BrainstormKey.objects.exists()


def test_it_holds_judgement_until_the_round_ends(cast: Cast, issue: int) -> None:
    before = run(cast, "party_a", "option.add", issue=issue, text="Sell it")
    run(cast, "mediator", "brainstorm.start", issue=issue)
    add_as(cast, "party_b", issue, "Rent it out")
    for who in ("mediator", "party_b"):
        with pytest.raises(NotAllowed, match="brainstorm"):
            run(cast, who, "option.update", option=before["id"], version=1, struck=True)
        with pytest.raises(NotAllowed, match="brainstorm"):
            run(cast, who, "comment.add", issue=issue, body="That will never work")
    with pytest.raises(Invalid, match="brainstorm"):
        run(cast, "party_a", "option.add", issue=issue, text="With my name")
    run(cast, "mediator", "brainstorm.end", issue=issue)
    anonymous = Option.objects.get(text="Rent it out")
    struck = run(cast, "party_a", "option.update", option=anonymous.pk, version=1, struck=True)
    assert (struck["struck"], struck["created_by"]) == (True, None)
    run(cast, "party_b", "comment.add", issue=issue, body="Now we can talk")


def test_it_takes_options_from_everyone_at_the_table_but_observers(cast: Cast, issue: int) -> None:
    expert_join(cast)
    acknowledge_rule(cast, "expert")
    with pytest.raises(Invalid, match="No brainstorm round"):
        add_as(cast, "party_a", issue, "Too early")
    run(cast, "mediator", "brainstorm.start", issue=issue)
    for who in ("party_a", "attorney_a", "expert", "mediator"):
        add_as(cast, who, issue, f"From {who}")
    with pytest.raises(NotAllowed, match="Observers"):
        add_as(cast, "observer", issue, "Watching")
    with pytest.raises(Invalid, match="empty"):
        add_as(cast, "party_a", issue, "   ")
    run(cast, "mediator", "board.pause", paused=True)
    with pytest.raises(NotAllowed):
        add_as(cast, "party_b", issue, "While paused")
    assert Option.objects.count() == 4


def test_its_events_reach_the_joint_room(
    cast: Cast, issue: int, sent_events: SentEvents, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        run(cast, "mediator", "brainstorm.start", issue=issue)
        add_as(cast, "party_a", issue, "Sell it")
        run(cast, "mediator", "brainstorm.end", issue=issue)
    names = ["brainstorm.started", "option.added", "brainstorm.ended"]
    for name in names:
        [(group, frame)] = sent_events.named(name)
        assert group == cast.joint.group_name
        assert cast.audience(group) == set(cast.participants)
        assert frame["room"] == "joint"
    assert [frame["name"] for _, frame in sent_events.sent] == names


def test_the_board_shows_the_round(cast: Cast, issue: int) -> None:
    run(cast, "mediator", "brainstorm.start", issue=issue)
    add_as(cast, "party_b", issue, "Sell it")
    client = APIClient()
    client.force_login(cast.observer)
    board = client.get(f"/api/mediations/{cast.mediation.pk}/board/").json()
    [round_] = board["brainstorms"]
    assert (round_["issue"], round_["status"]) == (issue, "open")
    [option] = board["issues"][0]["options"]
    assert (option["text"], option["created_by"]) == ("Sell it", None)


def test_its_rest_mirrors_answer_by_role(cast: Cast, issue: int) -> None:
    url = f"/api/mediations/{cast.mediation.pk}/commands/brainstorm.start/"
    codes = status_matrix(cast, "post", url, {"issue": issue}, who=("party_a", "outsider"))
    assert codes == {"party_a": 403, "outsider": 404, "anonymous": 403}
    client = APIClient()
    client.force_login(cast.mediator)
    assert client.post(url, {"issue": issue}, format="json").status_code == 200
    add = f"/api/mediations/{cast.mediation.pk}/commands/brainstorm.add/"
    codes = status_matrix(
        cast, "post", add, {"issue": issue, "text": "An idea"},
        who=("mediator", "party_a", "party_b", "attorney_a", "observer", "outsider"),
    )  # fmt: skip
    assert codes == {
        "mediator": 200, "party_a": 200, "party_b": 200, "attorney_a": 200,
        "observer": 403, "outsider": 404, "anonymous": 403,
    }  # fmt: skip
    assert Option.objects.filter(created_by__isnull=False).count() == 0
    assert not CommandReceipt.objects.filter(name="brainstorm.add").exists()


def test_an_issue_of_another_mediation_is_not_found(cast: Cast, issue: int) -> None:
    with pytest.raises(NotFound):
        run(cast, "mediator", "brainstorm.start", issue=issue + 1000)
