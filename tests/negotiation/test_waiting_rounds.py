"""What the rounds on an issue ask of a side: sealed positions, and a turn in a
perspective round. Each is a notice with fixed words and an entry in "Waiting for you"
for exactly those who act on it, until they do; a sealed submission changes nothing
that any other side can read, not its list, not its notices, not what it is sent."""

from __future__ import annotations

import json
from typing import Any

import pytest
from rest_framework.test import APIClient

from negotiation import events
from negotiation.models import Notification, StrategyAttempt
from tests.conftest import Cast, acknowledge_rule, run

SECRET = "We would take 180,000 and the car"
VIEW = "Sam wants to keep the garden"


@pytest.fixture(autouse=True)
def _acknowledged(cast: Cast) -> None:
    acknowledge_rule(cast)
    run(cast, "mediator", "stage.set", stage="joint_discussion")


def told(kind: str) -> set[str]:
    return {n.participant.user.name for n in Notification.objects.filter(kind=kind)}


def get(cast: Cast, who: str, what: str) -> bytes:
    client = APIClient()
    client.force_login(getattr(cast, who))
    answer = client.get(f"/api/mediations/{cast.mediation.pk}/{what}/")
    assert answer.status_code == 200
    return bytes(answer.content)


def waiting(cast: Cast, who: str) -> list[dict[str, Any]]:
    return list(json.loads(get(cast, who, "waiting")))


def kinds(cast: Cast, who: str) -> list[str]:
    return [entry["kind"] for entry in waiting(cast, who)]


@pytest.fixture
def house(cast: Cast) -> int:
    return int(run(cast, "mediator", "issue.create", title="The house")["id"])


@pytest.fixture
def sealed(cast: Cast, house: int) -> int:
    return int(run(cast, "mediator", "sealed.ask", issue=house, prompt="Your figure")["id"])


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    """Everything that would go to any channel group, rooms and people alike."""
    log: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(events, "group_send", lambda group, message: log.append((group, message)))
    return log


# --- sealed positions ---------------------------------------------------------------------


def test_it_tells_every_sides_party_of_the_ask(cast: Cast, house: int, sealed: int) -> None:
    assert told("sealed_asked") == {"Alex", "Sam"}
    notice = Notification.objects.filter(kind="sealed_asked").first()
    assert notice is not None
    assert (notice.room_key, notice.issue_id) == ("joint", house)
    assert notice.text == "The mediator asks your side for a sealed position on an issue."
    assert "Your figure" not in str(list(Notification.objects.values()))


def test_the_asks_notice_frames_go_to_the_parties_alone(
    cast: Cast,
    house: int,
    sent: list[tuple[str, dict[str, Any]]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        run(cast, "mediator", "sealed.ask", issue=house)
    notices = {
        group
        for group, message in sent
        if message.get("type") == "participant.notification"
        and message["frame"]["type"] == "notification"
    }
    assert notices == {f"participant.{cast.participants[w].pk}" for w in ("party_a", "party_b")}
    [frame] = {
        message["frame"]["kind"]
        for _, message in sent
        if message.get("type") == "participant.notification"
    }
    assert frame == "sealed_asked"


def test_a_turns_notice_frames_go_to_that_side_alone(
    cast: Cast,
    house: int,
    sent: list[tuple[str, dict[str, Any]]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    r = round_started(cast, house)
    with django_capture_on_commit_callbacks(execute=True):
        run(cast, "party_b", "perspective.submit", round=r, text="Alex needs the money soon")
    notices = [
        (group, message["frame"])
        for group, message in sent
        if message.get("type") == "participant.notification"
    ]
    # Alex and Jordan were told at the start and have not read it: one notice, not two.
    assert notices == []
    Notification.objects.update(read_at="2026-01-01T00:00Z")
    with django_capture_on_commit_callbacks(execute=True):
        run(cast, "party_a", "perspective.submit", round=r, text=VIEW)
    notices = [
        (group, message["frame"])
        for group, message in sent
        if message.get("type") == "participant.notification"
    ]
    assert {group for group, _ in notices} == {f"participant.{cast.participants['party_b'].pk}"}
    assert VIEW not in str(notices)


def test_the_ask_waits_on_each_party_until_their_own_side_submits(
    cast: Cast, house: int, sealed: int
) -> None:
    [entry] = waiting(cast, "party_a")
    assert (entry["kind"], entry["room"], entry["issue"], entry["issue_title"]) == (
        "sealed",
        "joint",
        house,
        "The house",
    )
    assert kinds(cast, "party_b") == ["sealed"]
    assert kinds(cast, "attorney_a") == kinds(cast, "mediator") == kinds(cast, "observer") == []
    run(cast, "party_a", "sealed.submit", sealed=sealed, version=0, text=SECRET)
    assert kinds(cast, "party_a") == []
    assert kinds(cast, "party_b") == ["sealed"]


def test_a_submission_changes_nothing_the_other_side_reads(
    cast: Cast,
    sealed: int,
    sent: list[tuple[str, dict[str, Any]]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Sam's waiting list and notices are the same bytes before Alex submits and after,
    and Alex's submission sends nothing to anyone but side A's party and attorney."""
    before = (get(cast, "party_b", "waiting"), get(cast, "party_b", "notifications"))
    mediator_before = get(cast, "mediator", "waiting"), get(cast, "mediator", "notifications")
    notices = Notification.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        run(cast, "party_a", "sealed.submit", sealed=sealed, version=0, text=SECRET)
    assert (get(cast, "party_b", "waiting"), get(cast, "party_b", "notifications")) == before
    assert (get(cast, "mediator", "waiting"), get(cast, "mediator", "notifications")) == (
        mediator_before
    )
    assert Notification.objects.count() == notices
    side_a = {f"participant.{cast.participants[w].pk}" for w in ("party_a", "attorney_a")}
    assert {group for group, _ in sent} == side_a


def test_the_ask_stops_waiting_at_the_reveal_or_the_cancel(
    cast: Cast, house: int, sealed: int
) -> None:
    run(cast, "party_a", "sealed.submit", sealed=sealed, version=0, amount="100")
    run(cast, "party_b", "sealed.submit", sealed=sealed, version=0, amount="200")
    assert kinds(cast, "party_a") == kinds(cast, "party_b") == []
    again = run(cast, "mediator", "sealed.ask", issue=house)
    assert kinds(cast, "party_a") == kinds(cast, "party_b") == ["sealed"]
    run(cast, "mediator", "sealed.cancel", sealed=again["id"])
    assert kinds(cast, "party_a") == kinds(cast, "party_b") == []


# --- the perspective round ----------------------------------------------------------------


def round_started(cast: Cast, house: int) -> int:
    impasse = run(cast, "mediator", "impasse.mark", issue=house, causes=["misunderstanding"])
    started = run(cast, "mediator", "strategy.start", impasse=impasse["id"], kind="perspective")
    return int(started["attempts"][0]["perspective"])


def latest(state: dict[str, Any], writer_side: int) -> dict[str, Any]:
    mine = [s for s in state["statements"] if s["writer_side"] == writer_side]
    return max(mine, key=lambda s: s["turn"])


def test_a_round_tells_both_sides_it_is_their_turn_to_write(cast: Cast, house: int) -> None:
    round_started(cast, house)
    assert told("perspective_turn") == {"Alex", "Sam", "Jordan"}
    notice = Notification.objects.filter(kind="perspective_turn").first()
    assert notice is not None
    assert (notice.room_key, notice.issue_id) == ("joint", house)
    for who in ("party_a", "attorney_a", "party_b"):
        [entry] = waiting(cast, who)
        assert (entry["kind"], entry["issue"]) == ("perspective_write", house)
    assert kinds(cast, "mediator") == kinds(cast, "observer") == []


def test_the_turn_passes_to_the_side_whose_view_was_stated_and_back_on_a_correction(
    cast: Cast, house: int
) -> None:
    r = round_started(cast, house)
    a = cast.side_a.pk
    Notification.objects.update(read_at="2026-01-01T00:00Z")
    run(cast, "party_a", "perspective.draft", round=r, text="Not yet said")
    state = run(cast, "party_a", "perspective.submit", round=r, text=VIEW)
    assert told("perspective_turn") == {"Alex", "Sam", "Jordan"}
    assert Notification.objects.filter(kind="perspective_turn", read_at=None).count() == 1
    assert sorted(kinds(cast, "party_b")) == ["perspective_answer", "perspective_write"]
    assert kinds(cast, "party_a") == kinds(cast, "attorney_a") == []
    Notification.objects.update(read_at="2026-01-01T00:00Z")
    run(cast, "party_b", "perspective.answer", statement=latest(state, a)["id"],
        answer="correct", correction="The schools, not the garden")  # fmt: skip
    unread = Notification.objects.filter(kind="perspective_turn", read_at=None)
    assert {n.participant.user.name for n in unread} == {"Alex", "Jordan"}
    assert kinds(cast, "party_a") == ["perspective_write"]
    assert kinds(cast, "party_b") == ["perspective_write"]
    state = run(cast, "party_a", "perspective.submit", round=r, text="Sam wants the schools")
    run(cast, "party_b", "perspective.answer", statement=latest(state, a)["id"], answer="confirm")
    assert kinds(cast, "party_a") == []
    assert kinds(cast, "party_b") == ["perspective_write"]
    words = str(list(Notification.objects.values()))
    for said in (VIEW, "Not yet said", "schools"):
        assert said not in words


def test_a_confirmation_passes_no_turn(cast: Cast, house: int) -> None:
    r = round_started(cast, house)
    state = run(cast, "party_a", "perspective.submit", round=r, text=VIEW)
    Notification.objects.update(read_at="2026-01-01T00:00Z")
    run(cast, "party_b", "perspective.answer", statement=latest(state, cast.side_a.pk)["id"],
        answer="confirm")  # fmt: skip
    assert not Notification.objects.filter(kind="perspective_turn", read_at=None).exists()


def test_an_ended_round_waits_on_nobody(cast: Cast, house: int) -> None:
    round_started(cast, house)
    attempt = StrategyAttempt.objects.get()
    run(cast, "mediator", "strategy.end", attempt=attempt.pk)
    assert kinds(cast, "party_a") == kinds(cast, "party_b") == []
