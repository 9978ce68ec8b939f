"""Sealed positions: the mediator asks every side for an opening figure or position on
an issue; each side's party submits; nobody but that side reads a submission, or learns
that it came in, until every side has submitted, and then everyone reads them all at
once, from one event."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from rest_framework.test import APIClient

from config.errors import Conflict, Invalid, NotAllowed, NotFound
from negotiation import events
from negotiation.models import (
    Event,
    Notification,
    Room,
    SealedRound,
    SealedSubmission,
)
from tests.conftest import Cast, SentEvents, acknowledge_rule, expert_join, run, status_matrix

SECRET = "We would take 180,000 and the car"


@pytest.fixture(autouse=True)
def _acknowledged(cast: Cast) -> None:
    acknowledge_rule(cast)


@pytest.fixture
def sealed(cast: Cast) -> int:
    issue = run(cast, "mediator", "issue.create", title="The house")["id"]
    return int(run(cast, "mediator", "sealed.ask", issue=issue, prompt="Your opening figure")["id"])


@pytest.fixture
def told(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    """Everything that would go to any channel group, rooms and people alike."""
    sent: list[tuple[str, dict[str, Any]]] = []
    original = events.group_send

    def record(group: str, message: dict[str, Any]) -> None:
        sent.append((group, message))
        original(group, message)

    monkeypatch.setattr(events, "group_send", record)
    return sent


def seqs(cast: Cast) -> dict[str, int]:
    return {room.key: room.last_seq for room in Room.objects.filter(mediation=cast.mediation)}


def reads(cast: Cast, who: str) -> str:
    """All that `who` can read over REST of the mediation's rooms and rounds."""
    client = APIClient()
    client.force_login(getattr(cast, who))
    base = f"/api/mediations/{cast.mediation.pk}"
    urls = [f"{base}/board/", f"{base}/sealed/mine/", f"{base}/waiting/", f"{base}/balance/"]
    urls += [f"{base}/rooms/{room.key}/" for room in Room.objects.filter(mediation=cast.mediation)]
    return " ".join(client.get(url).content.decode() for url in urls)


def test_it_is_the_mediators_to_ask(cast: Cast) -> None:
    issue = run(cast, "mediator", "issue.create", title="The house")["id"]
    for who in ("party_a", "attorney_a", "observer"):
        with pytest.raises(NotAllowed):
            run(cast, who, "sealed.ask", issue=issue)
    asked = run(cast, "mediator", "sealed.ask", issue=issue, asks="figure")
    assert (asked["status"], asked["asks"], asked["submissions"]) == ("waiting", "figure", [])
    with pytest.raises(Invalid, match="already asked"):
        run(cast, "mediator", "sealed.ask", issue=issue)
    with pytest.raises(Invalid, match="figure"):
        run(cast, "mediator", "sealed.ask", issue=issue, asks="guess")


def test_a_submission_is_only_its_sides_party_to_make(cast: Cast, sealed: int) -> None:
    expert_join(cast, cast.side_a)
    acknowledge_rule(cast, "expert")
    for who in ("mediator", "attorney_a", "observer", "expert"):
        with pytest.raises(NotAllowed, match="party"):
            run(cast, who, "sealed.submit", sealed=sealed, version=0, text=SECRET)
    mine = run(cast, "party_a", "sealed.submit", sealed=sealed, version=0, text=SECRET)
    assert (mine["side"], mine["text"], mine["version"]) == (cast.side_a.pk, SECRET, 1)
    with pytest.raises(NotFound):
        run(cast, "party_a", "sealed.submit", sealed=sealed + 1000, version=0, text=SECRET)


def test_a_submission_moves_no_room_and_tells_only_its_side(
    cast: Cast, sealed: int, told: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    before, events_before = seqs(cast), Event.objects.count()
    notices = Notification.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        run(cast, "party_a", "sealed.submit", sealed=sealed, version=0, amount="180000")
        run(cast, "party_a", "sealed.submit", sealed=sealed, version=1, text=SECRET, amount="1")
    assert seqs(cast) == before
    assert Event.objects.count() == events_before
    assert Notification.objects.count() == notices
    groups = {group for group, _ in told}
    side_a = {cast.participants[who].pk for who in ("party_a", "attorney_a")}
    assert groups == {f"participant.{pk}" for pk in side_a}
    frames = [message["frame"] for _, message in told]
    assert {frame["type"] for frame in frames} == {"sealed.mine"}
    assert frames[-1] | {"round": 0} == {
        "type": "sealed.mine", "round": 0, "side": cast.side_a.pk,
        "amount": "1.00", "text": SECRET, "version": 2,
    }  # fmt: skip


def test_nobody_else_reads_it_before_the_reveal(cast: Cast, sealed: int) -> None:
    run(cast, "party_a", "sealed.submit", sealed=sealed, version=0, text=SECRET, amount="4321.5")
    for who in ("mediator", "party_b", "observer"):
        text = reads(cast, who)
        assert SECRET not in text
        assert "4321.5" not in text
    for who in ("party_a", "attorney_a"):
        assert SECRET in reads(cast, who)


def test_the_other_side_learns_nothing_from_its_own_answers(cast: Cast, sealed: int) -> None:
    """What party B gets back, and what everyone reads of the round, is the same whether
    Alex has submitted or not."""

    def seen_by_b() -> list[Any]:
        client = APIClient()
        client.force_login(cast.party_b)
        board = client.get(f"/api/mediations/{cast.mediation.pk}/board/").json()
        answers: list[Any] = [board["sealed"], board["rooms"]]
        for data in ({}, {"amount": "-1"}, {"amount": "1", "version": 3}):
            try:
                run(cast, "party_b", "sealed.submit", sealed=sealed, **({"version": 0} | data))
            except (Invalid, Conflict) as error:
                answers.append((type(error).__name__, error.message, error.details))
        return answers

    before = seen_by_b()
    run(cast, "party_a", "sealed.submit", sealed=sealed, version=0, text=SECRET)
    assert seen_by_b() == before


def test_the_last_side_reveals_every_one_at_once(
    cast: Cast, sealed: int, sent_events: SentEvents, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        run(cast, "party_b", "sealed.submit", sealed=sealed, version=0, amount="150000")
        run(cast, "party_a", "sealed.submit", sealed=sealed, version=0, text=SECRET)
    [(group, frame)] = sent_events.named("sealed.revealed")
    assert [name for _, name in [(g, f["name"]) for g, f in sent_events.sent]] == [
        "sealed.revealed"
    ]
    assert group == cast.joint.group_name
    assert cast.audience(group) == set(cast.participants)
    assert frame["data"]["status"] == "revealed"
    assert frame["data"]["submissions"] == [
        {"side": cast.side_a.pk, "amount": None, "text": SECRET},
        {"side": cast.side_b.pk, "amount": "150000.00", "text": ""},
    ]
    event = Event.objects.get(name="sealed.revealed")
    assert event.actor_id is None
    assert SECRET in reads(cast, "observer")
    with pytest.raises(Invalid, match="over"):
        run(cast, "party_a", "sealed.submit", sealed=sealed, version=1, text="Changed my mind")


def test_a_replacement_needs_the_current_version(cast: Cast, sealed: int) -> None:
    run(cast, "party_a", "sealed.submit", sealed=sealed, version=0, text=SECRET)
    with pytest.raises(Conflict) as conflict:
        run(cast, "party_a", "sealed.submit", sealed=sealed, version=0, text="Other")
    assert conflict.value.details["current"]["text"] == SECRET
    run(cast, "party_a", "sealed.submit", sealed=sealed, version=1, text="Other")
    assert SealedSubmission.objects.get().text == "Other"


def test_it_takes_what_the_mediator_asked_for(cast: Cast) -> None:
    issue = run(cast, "mediator", "issue.create", title="Support")["id"]
    figure = run(cast, "mediator", "sealed.ask", issue=issue, asks="figure")["id"]
    with pytest.raises(Invalid, match="figure") as error:
        run(cast, "party_a", "sealed.submit", sealed=figure, version=0, text="Words only")
    assert error.value.details == {"amount": ["Enter a figure."]}
    with pytest.raises(Invalid) as error:
        run(cast, "party_a", "sealed.submit", sealed=figure, version=0, amount="1.234")
    assert list(error.value.details) == ["amount"]
    run(cast, "party_a", "sealed.submit", sealed=figure, version=0, amount="900.10")
    assert SealedSubmission.objects.get().amount == Decimal("900.10")


def test_cancelling_deletes_the_submissions_unread(
    cast: Cast, sealed: int, sent_events: SentEvents, django_capture_on_commit_callbacks: Any
) -> None:
    run(cast, "party_a", "sealed.submit", sealed=sealed, version=0, text=SECRET)
    for who in ("party_a", "party_b", "attorney_a"):
        with pytest.raises(NotAllowed):
            run(cast, who, "sealed.cancel", sealed=sealed)
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = run(cast, "mediator", "sealed.cancel", sealed=sealed)
    assert (cancelled["status"], cancelled["submissions"]) == ("cancelled", [])
    assert not SealedSubmission.objects.exists()
    [(group, frame)] = sent_events.named("sealed.cancelled")
    assert cast.audience(group) == set(cast.participants)
    assert SECRET not in str(frame)
    with pytest.raises(Invalid, match="over"):
        run(cast, "party_b", "sealed.submit", sealed=sealed, version=0, text="Late")
    with pytest.raises(Invalid, match="over"):
        run(cast, "mediator", "sealed.cancel", sealed=sealed)
    assert SealedRound.objects.get().status == "cancelled"


def test_own_submissions_read_by_role(cast: Cast, sealed: int) -> None:
    run(cast, "party_a", "sealed.submit", sealed=sealed, version=0, text=SECRET)
    url = f"/api/mediations/{cast.mediation.pk}/sealed/mine/"
    assert status_matrix(cast, "get", url) == {
        "mediator": 200, "party_a": 200, "party_b": 200, "attorney_a": 200,
        "observer": 200, "outsider": 404, "anonymous": 403,
    }  # fmt: skip
    for who, count in (("party_a", 1), ("attorney_a", 1), ("mediator", 0), ("party_b", 0)):
        client = APIClient()
        client.force_login(getattr(cast, who))
        assert len(client.get(url).json()) == count


def test_its_rest_mirrors_answer_by_role(cast: Cast, sealed: int) -> None:
    base = f"/api/mediations/{cast.mediation.pk}/commands"
    submit = {"sealed": sealed, "version": 0, "amount": "10"}
    codes = status_matrix(cast, "post", f"{base}/sealed.submit/", submit)
    assert codes == {
        "mediator": 403, "party_a": 200, "party_b": 200, "attorney_a": 403,
        "observer": 403, "outsider": 404, "anonymous": 403,
    }  # fmt: skip
    issue = run(cast, "mediator", "issue.create", title="Car")["id"]
    codes = status_matrix(
        cast, "post", f"{base}/sealed.ask/", {"issue": issue},
        who=("party_a", "observer", "outsider"),
    )  # fmt: skip
    assert codes == {"party_a": 403, "observer": 403, "outsider": 404, "anonymous": 403}
