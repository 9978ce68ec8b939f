"""A real Celery worker process consumes what Parley queues, on the broker the runtime
mode picks (Redis, or kombu's filesystem transport when no server is configured)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from config.celery import app as celery_app
from negotiation.services.invitations import invitation_create
from negotiation.tasks import break_end_due, invitation_send, parked_due_sweep
from tests.celery_worker import queue_really, worker_env, worker_until
from tests.conftest import Cast


@pytest.mark.django_db(transaction=True)
def test_a_worker_sends_the_invitation_email(
    live_cast: Cast, tmp_path: Path, broker_options: dict[str, str]
) -> None:
    invitation, token = invitation_create(
        actor=live_cast.participants["mediator"],
        email="erin@example.com",
        role="observer",
        side_id=None,
        send_email=False,
    )
    queue = f"parley-test-{uuid.uuid4().hex[:8]}"
    mail_dir = tmp_path / "mail"
    env = worker_env(
        broker_options,
        PARLEY_TEST_EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(mail_dir),
    )
    queue_really(broker_options, queue, (invitation_send, (invitation.pk,)))
    output = worker_until(env, queue, lambda: mail_dir.exists() and any(mail_dir.iterdir()))
    messages = list(mail_dir.iterdir()) if mail_dir.exists() else []
    assert len(messages) == 1, output
    assert f"/invite#{token}" in messages[0].read_text()


@pytest.mark.django_db(transaction=True)
def test_a_worker_ends_a_break_and_brings_a_parked_issue_back_on_time(
    live_cast: Cast, broker_options: dict[str, str]
) -> None:
    """The break's end and the parked issue's time are tasks a worker really runs: the
    timed end of a break, and beat's sweep of parked issues that are due."""
    from negotiation.models import Issue, Mediation, Notification
    from negotiation.services.session import break_start
    from tests.conftest import run

    issue = run(live_cast, "party_a", "issue.create", title="Pension")
    later = (timezone.now() + timedelta(minutes=5)).isoformat()
    run(live_cast, "party_a", "issue.move", issue=issue["id"], version=1, lane="parked",
        reason="After the valuation", until=later)  # fmt: skip
    break_start(actor=live_cast.participants["mediator"], minutes=5)
    # Their times have come.
    past = timezone.now() - timedelta(seconds=1)
    Mediation.objects.filter(pk=live_cast.mediation.pk).update(break_ends_at=past)
    Issue.objects.filter(pk=issue["id"]).update(parked_until=past)

    queue = f"parley-test-{uuid.uuid4().hex[:8]}"
    queue_really(
        broker_options,
        queue,
        (break_end_due, (str(live_cast.mediation.pk),)),
        (parked_due_sweep, ()),
    )

    def done() -> bool:
        ended = not Mediation.objects.get(pk=live_cast.mediation.pk).on_break
        told = Issue.objects.get(pk=issue["id"]).parked_due_told_at is not None
        return ended and told

    output = worker_until(worker_env(broker_options), queue, done)
    assert done(), output
    told = Notification.objects.filter(kind="parked_due").values_list("participant_id", flat=True)
    assert set(told) == {
        live_cast.participants[who].pk for who in ("mediator", "party_a", "party_b")
    }


def test_beat_schedules_registered_tasks() -> None:
    celery_app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in celery_app.tasks


@pytest.mark.django_db
def test_a_task_queued_by_name_runs_in_eager_mode(
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    """Services queue tasks by name, after commit; where tasks run eagerly (the tests)
    they still run, rather than going out to a broker by name."""
    from negotiation import queue

    ran: list[tuple[object, ...]] = []
    task = celery_app.tasks["negotiation.tasks.deliveries_send"]
    monkeypatch.setattr(task, "run", lambda *args: ran.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        queue.task_after_commit("negotiation.tasks.deliveries_send", 42, "email")
        assert ran == []
    assert ran == [(42, "email")]
