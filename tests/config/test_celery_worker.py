"""A real Celery worker process consumes what Parley queues, on the broker the runtime
mode picks (Redis, or kombu's filesystem transport when no server is configured)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from config.celery import app as celery_app
from negotiation.services.invitations import invitation_create
from negotiation.tasks import break_end_due, invitation_send, parked_due_sweep
from tests.conftest import Cast

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def broker_options(tmp_path: Path) -> dict[str, str]:
    """A broker of this test's own: a fresh folder, or the configured Redis."""
    if settings.CELERY_BROKER_URL.startswith("filesystem:"):
        folder = tmp_path / "broker"
        folder.mkdir()
        return {"CELERY_BROKER_DIR": str(folder)}
    return {}


def _worker_env(broker_options: dict[str, str], **extra: str) -> dict[str, str]:
    return (
        dict(os.environ)
        | broker_options
        | {
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "PARLEY_LIVE_TEST_DB": str(connection.settings_dict["NAME"]),
        }
        | extra
    )


def _queue(
    broker_options: dict[str, str],
    queue: str,
    *tasks: tuple[Any, tuple[Any, ...]],
    url: str | None = None,
) -> None:
    """Put tasks on the broker (the one at `url` if given), really (the suite runs tasks
    eagerly)."""
    transport = dict(settings.CELERY_BROKER_TRANSPORT_OPTIONS)
    if "CELERY_BROKER_DIR" in broker_options:
        folder = broker_options["CELERY_BROKER_DIR"]
        transport |= {
            "data_folder_in": folder,
            "data_folder_out": folder,
            "control_folder": f"{folder}/control",
        }
    celery_app.conf.task_always_eager = False
    try:
        with celery_app.connection_for_write(url=url, transport_options=transport) as conn:
            for task, args in tasks:
                task.apply_async(args, queue=queue, connection=conn)
    finally:
        celery_app.conf.task_always_eager = True


def _worker_until(env: dict[str, str], queue: str, done: Callable[[], bool]) -> str:
    """Run a worker on `queue` until `done()` (at most a minute); its output."""
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-Q", queue,
         "-l", "info"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not done():
            assert worker.poll() is None, worker.stdout.read() if worker.stdout else ""
            time.sleep(0.2)
    finally:
        worker.send_signal(signal.SIGTERM)
        output = worker.communicate(timeout=30)[0]
    return output


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
    env = _worker_env(
        broker_options,
        PARLEY_TEST_EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(mail_dir),
    )
    _queue(broker_options, queue, (invitation_send, (invitation.pk,)))
    output = _worker_until(env, queue, lambda: mail_dir.exists() and any(mail_dir.iterdir()))
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
    _queue(
        broker_options,
        queue,
        (break_end_due, (str(live_cast.mediation.pk),)),
        (parked_due_sweep, ()),
    )

    def done() -> bool:
        ended = not Mediation.objects.get(pk=live_cast.mediation.pk).on_break
        told = Issue.objects.get(pk=issue["id"]).parked_due_told_at is not None
        return ended and told

    output = _worker_until(_worker_env(broker_options), queue, done)
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
    task = celery_app.tasks["negotiation.tasks.notification_email"]
    monkeypatch.setattr(task, "run", lambda *args: ran.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        queue.task_after_commit("negotiation.tasks.notification_email", 42)
        assert ran == []
    assert ran == [(42,)]
