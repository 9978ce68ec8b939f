"""Running a real Celery worker in a test (the `broker_options` fixture in
tests/config/conftest.py gives each test a broker of its own): its environment (the test
database, that broker), putting tasks on the broker for real (the suite otherwise runs them
eagerly), and running the worker until a condition holds."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

from config.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[1]


def worker_env(broker_options: dict[str, str], **extra: str) -> dict[str, str]:
    return (
        dict(os.environ)
        | broker_options
        | {
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "PARLEY_LIVE_TEST_DB": str(connection.settings_dict["NAME"]),
            "PARLEY_TEST_WORKER": "1",
        }
        | extra
    )


def queue_really(
    broker_options: dict[str, str],
    queue: str,
    *tasks: tuple[Any, tuple[Any, ...]],
    url: str | None = None,
    **options: Any,
) -> None:
    """Put tasks on the broker (the one at `url` if given), really (the suite runs tasks
    eagerly); `options` go to each `apply_async`."""
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
                task.apply_async(args, queue=queue, connection=conn, **options)
    finally:
        celery_app.conf.task_always_eager = True


def worker_start(env: dict[str, str], queue: str, *, pool: str = "solo") -> subprocess.Popen[str]:
    """A worker on `queue`: one process (solo), or a parent with one child (prefork),
    which is how a worker that loses its child mid-task is tried."""
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", f"--pool={pool}",
         "--concurrency=1", "--without-gossip", "--without-mingle", "--without-heartbeat",
         "-Q", queue, "-l", "info"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def worker_stop(worker: subprocess.Popen[str]) -> str:
    """Stop the worker; its output."""
    worker.send_signal(signal.SIGTERM)
    try:
        return worker.communicate(timeout=30)[0]
    except subprocess.TimeoutExpired:
        worker.kill()
        return worker.communicate()[0]


def wait_for(done: Callable[[], bool], worker: subprocess.Popen[str], seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if done():
            return True
        assert worker.poll() is None, worker.stdout.read() if worker.stdout else ""
        time.sleep(0.2)
    return done()


def worker_until(env: dict[str, str], queue: str, done: Callable[[], bool]) -> str:
    """Run a worker on `queue` until `done()` (at most a minute); its output."""
    worker = worker_start(env, queue)
    try:
        wait_for(done, worker)
    finally:
        output = worker_stop(worker)
    return output
