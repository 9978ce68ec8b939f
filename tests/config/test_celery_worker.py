"""A real Celery worker process consumes what Parley queues, on the broker the runtime
mode picks (Redis, or kombu's filesystem transport when no server is configured)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app as celery_app
from negotiation.services.invitations import invitation_create
from negotiation.tasks import invitation_send
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
    env = (
        os.environ
        | broker_options
        | {
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "PARLEY_LIVE_TEST_DB": str(connection.settings_dict["NAME"]),
            "PARLEY_TEST_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(mail_dir),
        }
    )
    transport = dict(settings.CELERY_BROKER_TRANSPORT_OPTIONS)
    if "CELERY_BROKER_DIR" in broker_options:
        folder = broker_options["CELERY_BROKER_DIR"]
        transport |= {
            "data_folder_in": folder,
            "data_folder_out": folder,
            "control_folder": f"{folder}/control",
        }
    # The suite runs tasks eagerly; this one must really go through the broker.
    celery_app.conf.task_always_eager = False
    try:
        with celery_app.connection_for_write(transport_options=transport) as conn:
            invitation_send.apply_async(
                (invitation.pk,),
                queue=queue,
                connection=conn,  # type: ignore[call-arg]
            )
    finally:
        celery_app.conf.task_always_eager = True

    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-Q", queue,
         "-l", "info"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (mail_dir.exists() and any(mail_dir.iterdir())):
            assert worker.poll() is None, worker.stdout.read() if worker.stdout else ""
            time.sleep(0.2)
    finally:
        worker.send_signal(signal.SIGTERM)
        output = worker.communicate(timeout=30)[0]
    messages = list(mail_dir.iterdir()) if mail_dir.exists() else []
    assert len(messages) == 1, output
    assert f"/invite#{token}" in messages[0].read_text()


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
