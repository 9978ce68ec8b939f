"""Caucus sessions and what is said in them: who hears of it, and who does not."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from config.errors import Invalid, NotAllowed, NotFound
from negotiation.models import CaucusSession, Notification
from tests.conftest import Cast, acknowledge_rule, expert_join, run

CAUCUS_A = {"mediator", "party_a", "attorney_a"}
EVERYONE = {"mediator", "party_a", "party_b", "attorney_a", "observer"}


@pytest.fixture
def ready(cast: Cast) -> Cast:
    acknowledge_rule(cast)
    return cast


def test_a_called_side_is_prompted_and_everyone_sees_the_session(
    ready: Cast, sent_events, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        session = run(ready, "mediator", "caucus.call", side=ready.side_a.pk)
    [(group, frame)] = sent_events.named("caucus.updated")
    prompted = Notification.objects.filter(kind="caucus_called")
    assert (frame["room"], frame["data"]["status"]) == ("joint", "called")
    assert ready.audience(group) == EVERYONE
    assert {n.participant.user.email for n in prompted} == {
        "alex@example.com",
        "jordan@example.com",
    }
    assert [m.to for m in mail.outbox] == [["alex@example.com"], ["jordan@example.com"]]
    assert session["opened_at"] is None


def test_a_caucus_is_called_opened_and_closed_and_the_times_are_kept(ready: Cast) -> None:
    session = run(ready, "mediator", "caucus.call", side=ready.side_a.pk)
    with pytest.raises(Invalid):
        run(ready, "mediator", "caucus.call", side=ready.side_a.pk)
    run(ready, "mediator", "caucus.open", caucus=session["id"])
    closed = run(ready, "mediator", "caucus.close", caucus=session["id"])
    record = CaucusSession.objects.get()
    assert closed["status"] == "closed"
    assert record.called_at <= record.opened_at <= record.closed_at  # type: ignore[operator]
    again = run(ready, "mediator", "caucus.call", side=ready.side_a.pk)
    assert again["id"] != session["id"]


def test_the_mediator_moves_between_open_caucuses(ready: Cast) -> None:
    a = run(ready, "mediator", "caucus.call", side=ready.side_a.pk)
    b = run(ready, "mediator", "caucus.call", side=ready.side_b.pk)
    run(ready, "mediator", "caucus.open", caucus=a["id"])
    run(ready, "mediator", "caucus.open", caucus=b["id"])
    assert CaucusSession.objects.filter(status="open").count() == 2


def test_a_message_is_heard_only_in_its_room(
    ready: Cast, sent_events, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        run(ready, "party_a", "caucus_message.post", side=ready.side_a.pk, body="I need the house")
    [(group, frame)] = sent_events.named("caucus_message.posted")
    assert frame["room"] == f"caucus:{ready.side_a.pk}"
    assert ready.audience(group) == CAUCUS_A


def test_members_are_told_of_a_message_without_its_words(
    ready: Cast, sent_events, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        run(ready, "party_a", "caucus_message.post", side=ready.side_a.pk, body="SECRET-WORDS")
        run(ready, "party_a", "caucus_message.post", side=ready.side_a.pk, body="MORE-WORDS")
    notified = Notification.objects.filter(kind="caucus_message")
    assert {n.participant.user.email for n in notified} == {
        "maya@example.com",
        "jordan@example.com",
    }
    assert notified.first().text == "New message in your private room."  # type: ignore[union-attr]
    assert mail.outbox == []  # chat is in-app only
    assert "SECRET" not in str(
        [frame for _, frame in sent_events.sent if frame["name"] != "caucus_message.posted"]
    )


def test_the_other_side_cannot_reach_the_room(ready: Cast) -> None:
    with pytest.raises(NotFound):
        run(ready, "party_b", "caucus_message.post", side=ready.side_a.pk, body="Hello?")
    with pytest.raises(NotFound):
        run(ready, "observer", "caucus_message.post", side=ready.side_a.pk, body="Hello?")


def test_writing_waits_for_the_rule_to_be_acknowledged(cast: Cast) -> None:
    with pytest.raises(NotAllowed) as error:
        run(cast, "party_a", "caucus_message.post", body="Hello")
    acknowledge_rule(cast, "party_a")
    message = run(cast, "party_a", "caucus_message.post", body="Hello")
    assert error.value.code == "rule_not_acknowledged"
    assert message["body"] == "Hello"


def test_a_changed_rule_is_acknowledged_again(ready: Cast) -> None:
    run(ready, "mediator", "rule.set", rule="shareable_unless_marked")
    with pytest.raises(NotAllowed):
        run(ready, "party_a", "caucus_message.post", body="Hello")
    with pytest.raises(Invalid):
        run(ready, "party_a", "rule.acknowledge", rule="confidential_unless_released")


def test_an_expert_is_in_the_caucus_only_while_it_is_open(ready: Cast) -> None:
    expert_join(ready, ready.side_a)
    acknowledge_rule(ready, "expert")
    with pytest.raises(NotFound):
        run(ready, "expert", "caucus_message.post", body="Valuation is 300k")
    session = run(ready, "mediator", "caucus.call", side=ready.side_a.pk)
    run(ready, "mediator", "caucus.open", caucus=session["id"])
    run(ready, "expert", "caucus_message.post", body="Valuation is 300k")
    run(ready, "mediator", "caucus.close", caucus=session["id"])
    with pytest.raises(NotFound):
        run(ready, "expert", "caucus_message.post", body="One more thing")


def test_the_mediator_pauses_the_parties_editing(ready: Cast) -> None:
    run(ready, "mediator", "board.pause", paused=True)
    with pytest.raises(NotAllowed):
        run(ready, "party_a", "issue.create", title="House")
    run(ready, "mediator", "issue.create", title="House")
    run(ready, "mediator", "board.pause", paused=False)
    assert run(ready, "party_a", "issue.create", title="Car")["title"] == "Car"


def worksheet(cast: Cast, who: str, side: int, issue: int, **fields: Any) -> dict[str, Any]:
    return run(cast, who, "reality_check.set", side=side, issue=issue, version=0, **fields)


def test_the_ranges_overlap_is_told_without_figures(
    ready: Cast, sent_events, django_capture_on_commit_callbacks
) -> None:
    issue = run(ready, "mediator", "issue.create", title="Support")["id"]
    worksheet(ready, "party_a", ready.side_a.pk, issue, range_low="800", range_high="1200")
    worksheet(ready, "party_b", ready.side_b.pk, issue, range_low="1100", range_high="1500")
    with django_capture_on_commit_callbacks(execute=True):
        result = run(ready, "mediator", "overlap.check", issue=issue)
    frames = sent_events.named("reality_check.updated")
    assert result == {"overlap": True}
    for group, frame in frames:
        mine = frame["room"] == f"caucus:{ready.side_a.pk}"
        assert frame["data"]["overlap"] is True
        # Each side's room gets its own figures back, never the other's.
        assert frame["data"]["range_low"] == ("800.00" if mine else "1100.00")
        assert ready.audience(group) == (CAUCUS_A if mine else {"mediator", "party_b"})


def test_no_overlap_is_told_too_and_one_range_is_not_enough(ready: Cast) -> None:
    issue = run(ready, "mediator", "issue.create", title="Support")["id"]
    worksheet(ready, "party_a", ready.side_a.pk, issue, range_low="100", range_high="200")
    with pytest.raises(Invalid):
        run(ready, "mediator", "overlap.check", issue=issue)
    worksheet(ready, "party_b", ready.side_b.pk, issue, range_low="300", range_high="400")
    assert run(ready, "mediator", "overlap.check", issue=issue) == {"overlap": False}


def test_a_worksheet_range_must_not_be_upside_down(ready: Cast) -> None:
    issue = run(ready, "mediator", "issue.create", title="Support")["id"]
    with pytest.raises(Invalid) as error:
        worksheet(ready, "party_a", ready.side_a.pk, issue, range_low="500", range_high="100")
    assert "range_low" in error.value.details


def test_the_mediator_sees_every_sides_worksheet(ready: Cast) -> None:
    from negotiation.selectors import room_snapshot

    issue = run(ready, "mediator", "issue.create", title="Support")["id"]
    worksheet(ready, "party_a", ready.side_a.pk, issue, best_alternative="Court")
    worksheet(ready, "party_b", ready.side_b.pk, issue, best_alternative="Sell")
    sheets = [
        room_snapshot(ready.caucus(side))["data"]["worksheets"][0]["best_alternative"]
        for side in (ready.side_a, ready.side_b)
    ]
    assert sheets == ["Court", "Sell"]


def test_a_changed_range_forgets_the_old_overlap(ready: Cast) -> None:
    issue = run(ready, "mediator", "issue.create", title="Support")["id"]
    worksheet(ready, "party_a", ready.side_a.pk, issue, range_low="100", range_high="200")
    worksheet(ready, "party_b", ready.side_b.pk, issue, range_low="150", range_high="300")
    run(ready, "mediator", "overlap.check", issue=issue)
    changed = run(ready, "party_a", "reality_check.set", side=ready.side_a.pk, issue=issue,
                  version=1, range_high="120")  # fmt: skip
    assert (changed["overlap"], changed["overlap_checked_at"]) == (None, None)
