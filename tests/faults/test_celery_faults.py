"""A Celery worker's process killed in the middle of sending an invitation, and then the
broker (a Redis of this test's own that keeps its data, as a broker must) restarted under
the running worker: every invitation is e-mailed, none twice, and the worker consumes
again after the broker is back."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings

from negotiation.models import Invitation
from negotiation.services.invitations import invitation_create
from negotiation.tasks import invitation_send
from tests.celery_worker import ROOT, queue_really, worker_env
from tests.conftest import Cast
from tests.faults.conftest import SERVICES_ONLY
from tests.figures import Figures
from tests.servers import Redis

pytestmark = SERVICES_ONLY


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Redis]:
    folder = tmp_path / "broker"
    folder.mkdir()
    server = Redis(folder)
    server.start()
    yield server
    server.stop()


def pool_child(worker: subprocess.Popen[str]) -> int | None:
    """The pid of the prefork worker's one pool process, once it has started."""
    children = Path(f"/proc/{worker.pid}/task/{worker.pid}/children").read_text().split()
    return int(children[0]) if children else None


def until(done: Callable[[], bool], seconds: float, worker: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + seconds
    while not done():
        if worker.poll() is not None or time.monotonic() > deadline:
            worker.kill()
            raise AssertionError(f"not within {seconds} s:\n{worker.communicate()[0]}")
        time.sleep(0.02)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_send_and_a_broker_restart_lose_and_repeat_nothing(
    live_cast: Cast, broker: Redis, tmp_path: Path, figures: Figures
) -> None:
    def invite(email: str) -> int:
        invitation, _ = invitation_create(
            actor=live_cast.participants["mediator"],
            email=email,
            role="observer",
            side_id=None,
            send_email=False,
        )
        return invitation.pk

    first, second, third = (invite(f"guest{n}@example.com") for n in range(3))
    mail = tmp_path / "mail"
    mail.mkdir()

    def sends() -> list[Path]:
        return list(mail.glob("sending-*"))

    def sent() -> list[str]:
        return [path.read_text() for path in mail.iterdir() if path.name[:8] != "sending-"]

    queue = f"parley-test-{uuid.uuid4().hex[:8]}"
    env = worker_env(
        {},
        REDIS_URL=broker.url,
        PARLEY_TEST_EMAIL_BACKEND="tests.faults.slow_mail.EmailBackend",
        EMAIL_FILE_PATH=str(mail),
        PARLEY_TEST_MAIL_SECONDS="1",
        # Not a test worker's process: tests/settings.py would move it to another database.
        PYTEST_XDIST_WORKER="",
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork",
         "--concurrency=1", "--without-gossip", "--without-mingle", "--without-heartbeat",
         "-Q", queue, "-l", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    faults = 0
    try:
        queue_really({}, queue, (invitation_send, (first,)), url=broker.url)
        until(lambda: len(sends()) == 1, 60, worker)
        # In the middle of the send: the pool process dies, the message is handed out again.
        child = pool_child(worker)
        assert child is not None
        os.kill(child, signal.SIGKILL)
        faults += 1
        until(lambda: len(sent()) == 1, 30, worker)

        # The second is queued while the worker is busy with nothing, the third waits
        # behind it; the broker goes down in the middle of the second's send.
        queue_really(
            {}, queue, (invitation_send, (second,)), (invitation_send, (third,)), url=broker.url
        )
        until(lambda: len(sends()) == 3, 30, worker)
        broker.stop()
        broker.start()
        faults += 1
        until(lambda: len(sent()) == 3, 30, worker)
        time.sleep(1.5)  # anything handed out twice would be sent by now
    finally:
        worker.send_signal(signal.SIGTERM)
        output = worker.communicate(timeout=30)[0]
    messages = sent()
    addresses = [f"guest{n}@example.com" for n in range(3)]
    twice = [a for a in addresses if sum(f"To: {a}" in m for m in messages) > 1]
    lost = [a for a in addresses if not any(f"To: {a}" in m for m in messages)]
    figures.add(
        "Celery worker and broker faults",
        faults=faults,
        edits=len(addresses),
        failures=len(twice) + len(lost),
    )
    assert lost == [], output
    assert twice == [], output
    assert Invitation.objects.filter(email_sent_at__isnull=False).count() == 3
    assert settings.CELERY_TASK_REJECT_ON_WORKER_LOST
