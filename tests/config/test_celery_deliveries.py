"""Notices go out through a real Celery worker, once each: every kind reaches the centre
and the e-mail outbox; a task delivered twice sends one e-mail; a worker that dies
mid-send sends exactly once after it comes back; a failing mail server is retried with
backoff and then shown to the mediator as failed."""

from __future__ import annotations

import email
import os
import signal
import uuid
from collections.abc import Callable
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction

from accounts.models import NotificationSettings
from negotiation.models import Delivery, Notification
from negotiation.services import notifications
from negotiation.services.notifications import CENTRE_ONLY
from negotiation.tasks import deliveries_send
from tests.celery_worker import queue_really, wait_for, worker_env, worker_start, worker_stop
from tests.conftest import Cast
from tests.slow_mail import SENDING

pytestmark = pytest.mark.django_db(transaction=True)


def mails(folder: Path) -> list[EmailMessage]:
    if not folder.exists():
        return []
    found = []
    for path in sorted(folder.iterdir()):
        # The file backend writes each message followed by a line of dashes.
        for chunk in path.read_text().split("-" * 79):
            if chunk.strip():
                message = email.message_from_string(chunk.strip(), policy=policy.default)
                assert isinstance(message, EmailMessage)
                found.append(message)
    return found


@pytest.fixture
def pending_for(monkeypatch: pytest.MonkeyPatch) -> Callable[[Cast, str, list[str]], int]:
    """Make notices of some kinds for one persona, waiting to go out: the test puts the
    send on the broker itself (the suite would run it eagerly)."""
    monkeypatch.setattr(notifications, "task_after_commit", lambda *args, **kwargs: None)

    def make(cast: Cast, who: str, kinds: list[str]) -> int:
        participant = cast.participants[who]
        with transaction.atomic():
            for kind in kinds:
                notifications.notify(participants=[participant], kind=kind, room=cast.joint)
        return participant.pk

    return make


def mail_worker_env(
    broker_options: dict[str, str],
    folder: Path,
    backend: str = "django.core.mail.backends.filebased.EmailBackend",
) -> dict[str, str]:
    """A worker's environment whose e-mails are files in `folder`."""
    return worker_env(
        broker_options, PARLEY_TEST_EMAIL_BACKEND=backend, EMAIL_FILE_PATH=str(folder)
    )


def test_every_kind_reaches_the_centre_and_the_outbox_in_one_message(
    live_cast: Cast,
    tmp_path: Path,
    broker_options: dict[str, str],
    pending_for: Callable[[Cast, str, list[str]], int],
) -> None:
    kinds = [kind for kind in Notification.Kind.values if kind not in CENTRE_ONLY]
    NotificationSettings.objects.create(user=live_cast.party_b, muted=[])  # chat too
    party = pending_for(live_cast, "party_b", kinds)
    folder = tmp_path / "mail"
    env = mail_worker_env(broker_options, folder)
    queue = f"parley-test-{uuid.uuid4().hex[:8]}"
    queue_really(broker_options, queue, (deliveries_send, (party, "email")))
    worker = worker_start(env, queue)
    try:
        wait_for(lambda: len(mails(folder)) >= 1, worker)
    finally:
        output = worker_stop(worker)
    [message] = mails(folder)
    body = message.get_content()
    assert message["To"] == "sam@example.com", output
    assert {n.kind for n in Notification.objects.filter(participant_id=party)} == set(kinds)
    for kind in kinds:
        assert Notification.Kind(kind).label in body, kind
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


def test_a_send_delivered_twice_sends_one_email(
    live_cast: Cast,
    tmp_path: Path,
    broker_options: dict[str, str],
    pending_for: Callable[[Cast, str, list[str]], int],
) -> None:
    party = pending_for(live_cast, "party_b", ["proposal_made"])
    folder = tmp_path / "mail"
    env = mail_worker_env(broker_options, folder)
    queue = f"parley-test-{uuid.uuid4().hex[:8]}"
    same = str(uuid.uuid4())
    send = (deliveries_send, (party, "email"))
    queue_really(broker_options, queue, send, send, task_id=same)
    queue_really(broker_options, queue, send)
    worker = worker_start(env, queue)
    try:
        wait_for(lambda: Delivery.objects.filter(status="sent").exists(), worker)
        # Time for the other two to run and find nothing to send.
        wait_for(lambda: False, worker, 3)
    finally:
        output = worker_stop(worker)
    assert output.count("succeeded") == 3, output
    assert len(mails(folder)) == 1


@pytest.mark.skipif(
    not settings.CELERY_BROKER_URL.startswith("redis"),
    reason="a lost worker's task comes back through Redis (acks late, reject on worker lost)",
)
def test_a_worker_killed_mid_send_sends_exactly_once_after(
    live_cast: Cast,
    tmp_path: Path,
    broker_options: dict[str, str],
    pending_for: Callable[[Cast, str, list[str]], int],
) -> None:
    party = pending_for(live_cast, "party_b", ["proposal_made"])
    folder = tmp_path / "mail"
    env = mail_worker_env(broker_options, folder, "tests.slow_mail.SlowOnceBackend")
    queue = f"parley-test-{uuid.uuid4().hex[:8]}"
    queue_really(broker_options, queue, (deliveries_send, (party, "email")))
    marker = tmp_path / SENDING
    worker = worker_start(env, queue, pool="prefork")
    try:
        assert wait_for(marker.exists, worker), "the send never started"
        os.kill(int(marker.read_text()), signal.SIGKILL)  # the child, mid-send
        wait_for(lambda: len(mails(folder)) >= 1, worker)
        wait_for(lambda: False, worker, 2)
    finally:
        output = worker_stop(worker)
    assert "WorkerLostError" in output or "exited prematurely" in output, output
    assert len(mails(folder)) == 1, output
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("sent", 1)


def test_a_failing_mail_server_is_retried_then_shown_failed(
    live_cast: Cast,
    broker_options: dict[str, str],
    pending_for: Callable[[Cast, str, list[str]], int],
) -> None:
    party = pending_for(live_cast, "party_b", ["proposal_made"])
    env = worker_env(
        broker_options,
        PARLEY_TEST_EMAIL_BACKEND="tests.slow_mail.RefusingBackend",
        PARLEY_DELIVERY_RETRIES="2",
        PARLEY_DELIVERY_RETRY_SECONDS="1",
    )
    queue = f"parley-test-{uuid.uuid4().hex[:8]}"
    queue_really(broker_options, queue, (deliveries_send, (party, "email")))
    worker = worker_start(env, queue)
    try:
        wait_for(lambda: Delivery.objects.filter(status="failed").exists(), worker)
    finally:
        output = worker_stop(worker)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", 3), output
    assert output.count("Retry in") == 2, output
    told = Notification.objects.filter(kind="delivery_failed")
    assert [n.participant_id for n in told] == [live_cast.participants["mediator"].pk]
