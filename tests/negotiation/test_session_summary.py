"""The session summary: ending a session snapshots every room, and a task builds the
summary (agreed, parked with its way back, open, the next session) and tells everyone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from rest_framework.test import APIClient

from negotiation.models import Notification, SessionSummary, Snapshot
from negotiation.services.summaries import summary_build_send
from tests.conftest import Cast, accept, acknowledge_rule, run, status_matrix

# The next session, a month ahead (the service takes times within the coming year).
NEXT = (timezone.now() + timedelta(days=30)).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_ending_a_session_sends_everyone_its_summary(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    acknowledge_rule(cast)
    house = run(cast, "party_a", "issue.create", title="House")
    proposal = run(cast, "party_a", "proposal.create", issue=house["id"], terms="Sell it")
    accept(cast, "party_b", proposal["id"])
    car = run(cast, "party_a", "issue.create", title="Car")
    run(cast, "party_b", "issue.move", issue=car["id"], version=1, lane="parked",
        reason="After the valuation", condition="When the appraisal is in")  # fmt: skip
    run(cast, "party_a", "issue.create", title="Dog")
    run(cast, "party_a", "caucus_message.post", side=cast.side_a.pk, body="Our floor is 300")
    with django_capture_on_commit_callbacks(execute=True):
        run(cast, "mediator", "session.end", next_session_at=NEXT)
    assert (
        Snapshot.objects.filter(room__mediation=cast.mediation, reason="session_end").count() == 3
    )
    told = Notification.objects.filter(kind="session_summary")
    assert set(told.values_list("participant_id", flat=True)) == {
        p.pk for p in cast.participants.values()
    }
    client = APIClient()
    client.force_login(cast.party_b)
    summary = client.get(f"/api/mediations/{cast.mediation.pk}/summary/").json()["data"]
    assert [(a["title"], a["terms"]) for a in summary["agreed"]] == [("House", "Sell it")]
    assert [a["side"] for a in summary["agreed"][0]["agreed_by"]] == ["Alex", "Sam"]
    assert summary["parked"] == [
        {"id": car["id"], "title": "Car", "reason": "After the valuation", "until": None,
         "condition": "When the appraisal is in"}
    ]  # fmt: skip
    assert [o["title"] for o in summary["open"]] == ["Dog"]
    assert summary["next_session_at"] == NEXT
    assert "floor" not in str(summary)


def test_a_summary_task_run_twice_tells_once(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        run(cast, "mediator", "session.end")
    summary = SessionSummary.objects.get()
    assert summary_build_send(summary_id=summary.pk) is False
    assert Notification.objects.filter(kind="session_summary").count() == len(cast.participants)


def test_only_the_mediator_ends_a_session(cast: Cast) -> None:
    url = f"/api/mediations/{cast.mediation.pk}/commands/session.end/"
    assert status_matrix(cast, "post", url, {}) == {
        "mediator": 200, "party_a": 403, "party_b": 403, "attorney_a": 403,
        "observer": 403, "outsider": 404, "anonymous": 403,
    }  # fmt: skip


def test_there_is_no_summary_before_a_session_ends(cast: Cast) -> None:
    url = f"/api/mediations/{cast.mediation.pk}/summary/"
    assert status_matrix(cast, "get", url)["party_a"] == 404
