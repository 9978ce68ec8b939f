"""Celery beat itself, not only its schedule table: a beat process and a worker, on the
broker the runtime mode picks, take the board's periodic snapshot."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from negotiation.models import Snapshot
from tests.celery_worker import ROOT, worker_env, worker_start
from tests.conftest import Cast, run


@pytest.mark.django_db(transaction=True)
def test_beat_schedules_the_snapshot_of_a_board_that_changed(
    live_cast: Cast,
    tmp_path: Path,
    broker_options: dict[str, str],
) -> None:
    run(live_cast, "party_a", "issue.create", title="Pension")
    queue = f"parley-test-{uuid.uuid4().hex[:8]}"
    env = worker_env(broker_options, PARLEY_SNAPSHOT_SECONDS="1", PARLEY_CELERY_QUEUE=queue)
    beat = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "beat", "-s",
         str(tmp_path / "beat-schedule"), "--max-interval", "1", "-l", "info"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    worker = worker_start(env, queue)
    snapshots = Snapshot.objects.filter(room=live_cast.joint, reason="periodic")
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not snapshots.exists():
            assert beat.poll() is None
            assert worker.poll() is None
            time.sleep(0.2)
    finally:
        for process in (beat, worker):
            process.send_signal(signal.SIGTERM)
        output = "".join(p.communicate(timeout=30)[0] for p in (beat, worker))
    assert snapshots.count() == 1, output
    assert "negotiation.tasks.snapshots_sweep" in output
    assert [i["title"] for i in snapshots.get().data["issues"]] == ["Pension"]
