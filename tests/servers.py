"""Servers the tests start as separate processes: Daphne on the test database, and
Redis and PostgreSQL instances of a test's own, which it may stop and start again."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Daphne:
    """A Daphne process on the test database that can be stopped and started again on
    the same port, as a server restart looks to the browsers."""

    def __init__(self, port: int | None = None, env: dict[str, str] | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # Settings of this server's own (another Redis, say), over the test run's.
        self.env = env or {}
        self.process: subprocess.Popen[str] | None = None

    def start(self) -> None:
        env = (
            os.environ
            | {
                "DJANGO_SETTINGS_MODULE": "tests.settings",
                "PARLEY_LIVE_TEST_DB": str(connection.settings_dict["NAME"]),
                "PARLEY_BASE_URL": self.url,
            }
            | self.env
        )
        # Its output goes to a file: a pipe nobody reads fills up (64 KB of log lines,
        # which a Redis outage writes in seconds) and then blocks the server mid-write.
        self.log = tempfile.TemporaryFile("w+")  # noqa: SIM115 (as long as the process)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port),
             "config.asgi:application"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.process.kill()
                    self.process.communicate()
                    self.log.seek(0)
                    raise RuntimeError("Daphne did not start:\n" + self.log.read()) from None
                time.sleep(0.1)

    def kill(self) -> None:
        """End the process at once (SIGKILL), as a crash or an out-of-memory kill does:
        its sockets are cut without a close frame."""
        if self.process is None:
            return
        self.process.kill()
        self.process.communicate()
        self.process = None
        self.log.close()

    def stop(self) -> None:
        """Stop the process and wait until the port refuses connections."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.communicate()
        self.process = None
        self.log.close()


def wait_for_port(
    port: int, process: subprocess.Popen[str], what: str, seconds: float = 30
) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                output = process.communicate()[0]
                raise RuntimeError(f"{what} did not start:\n{output}") from None
            time.sleep(0.02)


class Redis:
    """A Redis of a test's own. Without a folder it keeps nothing on disk: stopped and
    started again on the same port, it comes back empty (a restart is a flush), in
    milliseconds."""

    def __init__(self, folder: Path | None = None) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        # With a folder, it keeps every write there before answering (as a broker must),
        # and comes back from a restart with it.
        self.folder = folder
        self.process: subprocess.Popen[str] | None = None

    def start(self) -> None:
        keep = ["--appendonly", "no"]
        if self.folder is not None:
            keep = ["--dir", str(self.folder), "--appendonly", "yes", "--appendfsync", "always"]
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
             *keep, "--loglevel", "warning"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        wait_for_port(self.port, self.process, "Redis")

    def stop(self) -> None:
        """Kill it: its clients' connections break mid-read, and what it held is gone."""
        if self.process is None:
            return
        self.process.kill()
        self.process.communicate()
        self.process = None


class DaphneForks:
    """Daphne processes forked from one that has loaded Parley (tests/faults/
    daphne_forks.py): `start(port)` serves on a port in milliseconds, `kill(port)` ends
    that process at once (SIGKILL). Same settings as Daphne: the test database, plus `env`."""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        self.env = env or {}
        self.pids: dict[int, int] = {}
        self.parent: subprocess.Popen[str] | None = None

    def __enter__(self) -> DaphneForks:
        env = (
            os.environ
            | {
                "DJANGO_SETTINGS_MODULE": "tests.settings",
                "PARLEY_LIVE_TEST_DB": str(connection.settings_dict["NAME"]),
            }
            | self.env
        )
        self.parent = subprocess.Popen(
            [sys.executable, "-m", "tests.faults.daphne_forks"],
            cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        return self

    def start(self, port: int) -> None:
        assert self.parent is not None
        assert self.parent.stdin is not None
        assert self.parent.stdout is not None
        self.parent.stdin.write(f"{port}\n")
        self.parent.stdin.flush()
        self.pids[port] = int(self.parent.stdout.readline())
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"No Daphne on port {port}") from None
                time.sleep(0.01)

    def kill(self, port: int) -> None:
        pid = self.pids.pop(port)
        os.kill(pid, signal.SIGKILL)
        # Gone (the forking process reaps its children) before the port is used again.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.005)
        raise RuntimeError(f"Daphne {pid} outlived SIGKILL")

    def __exit__(self, *exc: object) -> None:
        for port in list(self.pids):
            self.kill(port)
        if self.parent is not None:
            assert self.parent.stdin is not None
            self.parent.stdin.close()
            self.parent.wait(timeout=10)


PG_BIN = Path(
    os.environ.get("PARLEY_PG_BIN", sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1])
)


class Postgres:
    """A PostgreSQL cluster of a test's own, in a temporary folder, run by the `postgres`
    account (the server refuses root), tuned for speed over durability: `stop()` is an
    immediate shutdown, which cuts every connection as a crash or a failover does."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.folder = folder
        self.data = folder / "data"
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/parley"

    def _run(self, *command: str) -> None:
        as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*as_postgres, *command], check=True, capture_output=True, text=True)

    def create(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            import pwd

            account = pwd.getpwnam("postgres")
            os.chown(self.folder, account.pw_uid, account.pw_gid)
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
                  "--no-sync", "-E", "UTF8")  # fmt: skip
        self.start()
        self._run(str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "parley")

    def start(self) -> None:
        options = (
            # No fsync (the machine does not crash, the server does), but a commit is
            # still written before it is acknowledged: synchronous_commit=off would lose
            # the last acknowledged ones at an immediate shutdown.
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c full_page_writes=off"
        )
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", options, "-w", "-s",
                  "-l", str(self.folder / "log"), "start")  # fmt: skip

    def stop(self) -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "-s",
                  "stop")  # fmt: skip

    def copy_of_test_database(self) -> None:
        """Fill its database with the test database as it stands (schema and rows)."""
        source = connection.settings_dict
        dump = subprocess.run(
            [str(PG_BIN / "pg_dump"), "--no-owner", "-h", str(source["HOST"] or "127.0.0.1"),
             "-p", str(source["PORT"] or 5432), "-U", str(source["USER"] or "postgres"),
             str(source["NAME"])],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        subprocess.run(
            [str(PG_BIN / "psql"), "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
             "-p", str(self.port), "-U", "postgres", "-d", "parley"],
            input=dump.stdout, check=True, capture_output=True, text=True,
        )  # fmt: skip
