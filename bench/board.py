"""Parley's board benchmarks, run on demand (never part of the test suite).

1. The board snapshot (negotiation.selectors.board_snapshot): its SQL query count and
   median time for boards of 10, 100 and 1,000 issues, each issue with a position, an
   interest, an option, a criterion, a proposal with a response and a comment, all made
   through the real commands. Baseline: the same rows read with `.values()` (no model
   instances, no serializers), in the same run.
2. Edit-to-every-client latency: 50 boards of 6 websocket clients, split between two
   Daphne processes on the Redis channel layer, every client of every board editing at
   once (the mediator and the parties retitle an issue each, the attorneys comment), for
   a fixed number of rounds. Baseline: the same load against a bare websocket relay
   (bench/relay.py: no Django, no database, no Redis), interleaved pair by pair.

Everything runs against a scratch PostgreSQL database (parley_bench_<pid>) and a Redis key
prefix of its own, both removed at the end, also on Ctrl-C or error. Nothing is written
to the repository: logs go to a temporary directory.

    .venv/bin/python bench/board.py            # everything
    .venv/bin/python bench/board.py --quick    # smaller boards, fewer rounds
    .venv/bin/python bench/board.py --help
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import math
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bench.clients import Board, TrialResult
    from negotiation.models import Participant

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else math.nan


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


class BenchTimeout(Exception):
    pass


# --- options -------------------------------------------------------------------------


@dataclass
class Options:
    sizes: list[int]
    snapshot_repeats: int
    boards: int
    clients_per_board: int
    rounds: int
    warmup: int
    pairs: int
    gap: float
    skip_snapshot: bool
    skip_latency: bool
    pg_admin_url: str
    redis_url: str
    max_seconds: int
    logs: str | None = None


def options_parse(argv: list[str] | None) -> Options:
    parser = argparse.ArgumentParser(
        prog="bench/board.py",
        description="Board snapshot queries and edit-to-every-client latency, "
        "each against a baseline measured in the same run.",
    )
    parser.add_argument("--quick", action="store_true", help="smaller boards, fewer rounds")
    parser.add_argument("--sizes", help="issues per board, comma-separated (10,100,1000)")
    parser.add_argument("--snapshot-repeats", type=int, help="timed snapshots per size (7)")
    parser.add_argument("--boards", type=int, default=50, help="boards for latency (50)")
    parser.add_argument("--clients", type=int, default=6, help="clients per board (6)")
    parser.add_argument("--rounds", type=int, help="timed edit rounds per trial (20)")
    parser.add_argument("--warmup", type=int, help="untimed rounds first (2)")
    parser.add_argument("--pairs", type=int, help="(Parley, baseline) trials, interleaved (3)")
    parser.add_argument("--gap", type=float, default=0.1, help="seconds between rounds")
    parser.add_argument("--skip-snapshot", action="store_true")
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument(
        "--pg",
        default=os.environ.get("PARLEY_BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="a PostgreSQL URL allowed to create databases (the scratch one is made beside it)",
    )
    parser.add_argument(
        "--redis", default=os.environ.get("PARLEY_BENCH_REDIS", "redis://127.0.0.1:6379/2")
    )
    parser.add_argument(
        "--max-seconds", type=int, default=1800, help="give up (and clean up) after this long"
    )
    parser.add_argument(
        "--logs", help="keep the servers' logs in this directory (outside the repo)"
    )
    args = parser.parse_args(argv)
    quick = bool(args.quick)
    sizes = args.sizes or ("10,30,100" if quick else "10,100,1000")
    options = Options(
        sizes=[int(size) for size in sizes.split(",") if size.strip()],
        snapshot_repeats=args.snapshot_repeats or (3 if quick else 7),
        boards=args.boards,
        clients_per_board=args.clients,
        rounds=args.rounds or (5 if quick else 20),
        warmup=args.warmup if args.warmup is not None else (1 if quick else 2),
        pairs=args.pairs or 3,
        gap=args.gap,
        skip_snapshot=args.skip_snapshot,
        skip_latency=args.skip_latency,
        pg_admin_url=args.pg,
        redis_url=args.redis,
        max_seconds=args.max_seconds,
        logs=args.logs,
    )
    if not 2 <= options.clients_per_board <= 50 or not 1 <= options.boards <= 500:
        parser.error("--clients must be 2..50 and --boards 1..500")
    if any(not 1 <= size <= 2000 for size in options.sizes):
        parser.error("a board holds 1..2000 issues")
    return options


# --- the scratch database, Redis keys, and child processes ----------------------------


def url_with_database(url: str, name: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{name}"


def database_create(admin_url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def database_drop(admin_url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def redis_forget(url: str, prefix: str) -> int:
    """Delete every key under the run's prefix (channel layer groups, cache)."""
    import redis

    client = redis.Redis.from_url(url, socket_timeout=10)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))[:1_000_000]
        for start in range(0, len(keys), 1000):
            client.delete(*keys[start : start + 1000])
        return len(keys)
    finally:
        client.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Children:
    """Child processes, each in its own session, stopped by pid at the end."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.running: list[tuple[str, subprocess.Popen[bytes]]] = []

    def start(self, name: str, command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        with open(self.logs / f"{name}.log", "wb") as out:
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.running.append((name, process))
        return process

    def wait_listening(
        self, name: str, process: subprocess.Popen[bytes], port: int, ready: str | None = None
    ) -> None:
        """Wait until the child accepts connections on `port` or, when `ready` is given,
        has logged that line (so that no probe shows up in its log as a bad handshake)."""
        path = self.logs / f"{name}.log"
        deadline = time.monotonic() + 60
        for _ in range(600):
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited ({process.returncode}):\n{self.tail(name)}")
            if ready is not None:
                if ready in path.read_text(errors="replace"):
                    return
            else:
                with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                    return
            if time.monotonic() > deadline:
                break
            time.sleep(0.1)
        raise RuntimeError(f"{name} is not listening on {port} after 60 s:\n{self.tail(name)}")

    def tail(self, name: str, lines: int = 20) -> str:
        path = self.logs / f"{name}.log"
        text = path.read_text(errors="replace") if path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def log_problems(self) -> dict[str, int]:
        """The exceptions the children logged with a traceback, by server kind and the
        exception's last line (each counted once per traceback)."""
        counts: dict[str, int] = {}
        for name, _ in self.running:
            path = self.logs / f"{name}.log"
            lines = path.read_text(errors="replace").splitlines() if path.exists() else []
            in_traceback = False
            pending: str | None = None  # the last exception line seen, not yet counted
            for line in [*lines[:1_000_000], ""]:
                if line.startswith("Traceback"):
                    in_traceback = True
                elif line.startswith(("The above exception", "During handling")):
                    pending = None  # that one caused the next: count the last of a chain
                elif in_traceback and line and not line[0].isspace():
                    pending, in_traceback = line[:100], False
                elif pending is not None and not in_traceback and line.strip():
                    key = f"{name.split('-')[0]}: {pending}"
                    counts[key] = counts.get(key, 0) + 1
                    pending = None
            if pending is not None:
                key = f"{name.split('-')[0]}: {pending}"
                counts[key] = counts.get(key, 0) + 1
        return counts

    def stop_all(self) -> None:
        for _, process in self.running:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    process.terminate()
        for _, process in self.running:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=5)
        self.running.clear()


# --- building boards through the real commands ---------------------------------------


def run_command(actor: Participant, name: str, **data: Any) -> dict[str, Any]:
    from negotiation.commands import command_execute

    return command_execute(actor=actor, client_id=uuid.uuid4().hex, name=name, data=data)


ROLES = ("mediator", "party_a", "party_b", "attorney_a", "attorney_b", "observer")


def signed_in_cookie(user: Any) -> str:
    """The session cookie of `user`, signed in as through the sign-in page: its session
    stamped with its sign-in and use (accounts.middleware), so a socket that opens with
    it finds its limits set and writes nothing."""
    from django.conf import settings
    from django.test import Client

    from accounts.services.sessions import session_stamp

    client = Client()
    client.force_login(user)
    session = client.session
    session_stamp(session)
    session.save()
    name = settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}"


def editors(people: int) -> list[str]:
    """A board where everyone can write: ROLES without the observer, then more parties
    on alternating sides (party_a2, party_b2, ...)."""
    names = [name for name in ROLES if name != "observer"]
    names += [f"party_{'ab'[n % 2]}{n // 2 + 2}" for n in range(max(0, people - len(names)))]
    return names[:people]


def cast_create(tag: str, names: tuple[str, ...] | list[str] = ROLES) -> dict[str, Participant]:
    """A mediation with two sides and a participant per name (the mediator, parties,
    attorneys and observers, told by the name's start: party_a2 is a party of side A):
    the mediator opens it, the others join."""
    from django.db import transaction

    from accounts.models import User
    from negotiation.models import Participant, Role
    from negotiation.services.mediations import mediation_create, participant_join

    mediator = User.objects.create_user(f"{tag}-mediator@bench.invalid", is_mediator=True)
    mediation = mediation_create(creator=mediator, title=f"Bench {tag}", side_names=["A", "B"])
    side_a, side_b = mediation.sides.order_by("order")
    cast = {"mediator": Participant.objects.get(mediation=mediation, user=mediator)}
    roles = {"party": Role.PARTY, "attorney": Role.ATTORNEY, "observer": Role.OBSERVER}
    with transaction.atomic():
        for name in names:
            if name == "mediator":
                continue
            kind, _, rest = name.partition("_")
            role = roles[kind]
            side = None if role == Role.OBSERVER else side_a if rest[:1] == "a" else side_b
            user = User.objects.create_user(f"{tag}-{name}@bench.invalid")
            cast[name] = participant_join(mediation=mediation, user=user, role=role, side=side)
    for participant in cast.values():
        participant.refresh_from_db()
    return cast


def issues_fill(cast: dict[str, Participant], count: int, progress: Callable[[int], None]) -> None:
    """`count` issues, each with a position, an interest, an option, a criterion, a
    proposal with a response, and a comment: eight commands per issue."""
    side_a = cast["party_a"].side_id
    for n in range(count):
        issue = run_command(cast["party_a"], "issue.create", title=f"Issue {n}")["id"]
        run_command(cast["party_a"], "position.set", issue=issue, side=side_a, text="Mine",
                    version=0)  # fmt: skip
        run_command(cast["party_a"], "interest.add", issue=issue, side=side_a, text="Why")
        run_command(cast["party_a"], "option.add", issue=issue, text="An option")
        run_command(cast["party_a"], "criterion.add", issue=issue, text="Appraisal")
        offer = run_command(cast["party_a"], "proposal.create", issue=issue, terms="Terms")
        run_command(cast["party_b"], "proposal.respond", proposal=offer["id"],
                    answer="considering", version=0)  # fmt: skip
        run_command(cast["attorney_a"], "comment.add", issue=issue, body="A comment")
        progress(n + 1)


# --- 1. the board snapshot -----------------------------------------------------------


@dataclass
class SnapshotResult:
    issues: int
    queries: list[int]  # per timed snapshot
    seconds: list[float]
    rows_seconds: list[float]  # the baseline
    build_seconds: float
    commands: int
    payload_issues: int
    tables: list[str] = field(default_factory=list)


def rows_read(room_id: int) -> int:
    """The baseline: the rows a snapshot holds, read with `.values()`, nothing built."""
    from negotiation.models import (
        Comment,
        Criterion,
        Interest,
        Issue,
        Option,
        Position,
        Proposal,
        Response,
    )

    count = len(list(Issue.objects.filter(room_id=room_id).order_by("lane", "order").values()))
    for model in (Position, Interest, Option, Criterion, Proposal, Comment):
        count += len(list(model.objects.filter(issue__room_id=room_id).values()))
    count += len(list(Response.objects.filter(proposal__issue__room_id=room_id).values()))
    return count


def snapshot_bench(options: Options) -> list[SnapshotResult]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from negotiation.permissions import access_mediation
    from negotiation.selectors import board_snapshot

    results = []
    for size in options.sizes:
        cast = cast_create(f"snap{size}")
        started = time.perf_counter()

        def progress(
            done: int, size: int = size, started: float = started, step: int = max(1, size // 5)
        ) -> None:
            if done % step == 0 or done == size:
                rate = done / (time.perf_counter() - started)
                log(f"  board of {size}: {done} issues built ({rate:.0f} issues/s)")

        issues_fill(cast, size, progress)
        build = time.perf_counter() - started
        observer = cast["observer"]
        mediation_id = observer.mediation_id
        joint = observer.mediation.joint_room().pk
        result = SnapshotResult(size, [], [], [], build, size * 8, 0)
        # Warm up once, then alternate snapshot and baseline.
        board_snapshot(access_mediation(observer.user, mediation_id))
        rows_read(joint)
        for _ in range(options.snapshot_repeats):
            participant = access_mediation(observer.user, mediation_id)
            with CaptureQueriesContext(connection) as captured:
                t0 = time.perf_counter()
                board = board_snapshot(participant)
                result.seconds.append(time.perf_counter() - t0)
            result.queries.append(len(captured))
            result.tables = [query["sql"][:90] for query in captured.captured_queries]
            result.payload_issues = len(board["issues"])
            t0 = time.perf_counter()
            rows_read(joint)
            result.rows_seconds.append(time.perf_counter() - t0)
        log(
            f"  board of {size}: {result.queries[-1]} queries, snapshot "
            f"{median(result.seconds) * 1000:.1f} ms, rows only "
            f"{median(result.rows_seconds) * 1000:.1f} ms"
        )
        if result.payload_issues != size:
            raise RuntimeError(f"snapshot held {result.payload_issues} issues, not {size}")
        results.append(result)
    return results


# --- 2. edit-to-every-client latency -------------------------------------------------


@dataclass
class LatencyPair:
    parley: TrialResult
    baseline: TrialResult


def latency_boards(options: Options, daphne_ports: list[int], relay_ports: list[int]) -> tuple[
    list[Board], list[Board]
]:  # fmt: skip
    """The boards, their participants and session cookies, and what each one edits: the
    mediator and each party retitle an issue of their own, attorneys comment on the first.
    Parley: board b's client j goes to Daphne (b + j) % 2, so every board spans both
    processes evenly. Baseline: a board lives on one relay."""
    from bench.clients import Board, Endpoint, Target
    from negotiation.models import Role

    parley: list[Board] = []
    baseline: list[Board] = []
    for b in range(options.boards):
        cast = cast_create(f"live{b}", editors(options.clients_per_board))
        endpoints = []
        targets: list[Target] = []
        for j, participant in enumerate(cast.values()):
            if participant.role == Role.ATTORNEY:
                targets.append(Target("comment.add", issue=targets[0].issue))
            else:
                issue = run_command(cast["party_a"], "issue.create", title=f"Board {b} {j}")
                targets.append(Target("issue.update", issue=issue["id"], version=issue["version"]))
            port = daphne_ports[(b + j) % len(daphne_ports)]
            endpoints.append(
                Endpoint(
                    url=f"ws://127.0.0.1:{port}/ws/mediations/{participant.mediation_id}/",
                    origin=f"http://127.0.0.1:{port}",
                    cookie=signed_in_cookie(participant.user),
                )
            )
        parley.append(Board(endpoints, targets))
        port = relay_ports[b % len(relay_ports)]
        relay = Endpoint(url=f"ws://127.0.0.1:{port}/board/{b}/", origin=f"http://127.0.0.1:{port}")
        baseline.append(
            Board(
                [relay for _ in endpoints],
                [Target(target.command, target.issue, target.version) for target in targets],
            )
        )
    return parley, baseline


def trial_line(label: str, result: TrialResult) -> str:
    return (
        f"  {label:<9} p50 {percentile(result.deliveries, 50) * 1000:7.1f} ms  "
        f"p99 {percentile(result.deliveries, 99) * 1000:7.1f} ms  "
        f"all-5 p50 {percentile(result.edits, 50) * 1000:7.1f} ms  "
        f"p99 {percentile(result.edits, 99) * 1000:7.1f} ms  "
        f"ack p50 {percentile(result.acks, 50) * 1000:6.1f} ms  "
        f"event after ack p50 {percentile(result.after_ack, 50) * 1000:6.1f} ms  "
        f"connect {result.connect_seconds:5.1f} s  {result.edits_per_second:.0f} edits/s  "
        f"lost {result.lost}" + (f"  errors {result.errors}" if result.errors else "")
    )


def latency_bench(
    options: Options, env: dict[str, str], children: Children
) -> tuple[list[LatencyPair], dict[str, int]]:
    from bench.clients import Timeouts, run_trial

    daphne_ports = [free_port(), free_port()]
    relay_ports = [free_port(), free_port()]
    log(f"  Daphne on {daphne_ports}, relay on {relay_ports}")
    started = [
        (f"daphne-{port}", port, [str(VENV_BIN / "daphne"), "-b", "127.0.0.1", "-p", str(port),
                                  "-v", "0", "config.asgi:application"])
        for port in daphne_ports
    ] + [
        (f"relay-{port}", port, [sys.executable, str(ROOT / "bench" / "relay.py"), "--port",
                                 str(port), "--max-seconds", str(options.max_seconds)])
        for port in relay_ports
    ]  # fmt: skip
    processes = [
        (name, port, children.start(name, command, env)) for name, port, command in started
    ]
    t0 = time.perf_counter()
    parley_boards, baseline_boards = latency_boards(options, daphne_ports, relay_ports)
    log(
        f"  {options.boards} boards x {options.clients_per_board} clients made "
        f"({time.perf_counter() - t0:.1f} s)"
    )
    for name, port, process in processes:
        ready = f"listening on 127.0.0.1:{port}" if name.startswith("relay") else None
        children.wait_listening(name, process, port, ready)
    # The latency phase should not pay for the collection of the build phase's garbage.
    from django.db import connections

    connections.close_all()
    gc.collect()
    gc.freeze()

    timeouts = Timeouts()

    def trial(label: str, boards: list[Board]) -> TrialResult:
        return asyncio.run(
            run_trial(
                label,
                boards,
                rounds=options.rounds,
                warmup=options.warmup,
                gap=options.gap,
                timeouts=timeouts,
            )
        )

    pairs = []
    for number in range(options.pairs):
        # Alternate which goes first, so drift in the machine's load hits both alike.
        order = ["parley", "baseline"] if number % 2 == 0 else ["baseline", "parley"]
        got: dict[str, TrialResult] = {}
        for which in order:
            boards = parley_boards if which == "parley" else baseline_boards
            got[which] = trial(f"{which}{number}", boards)
            log(trial_line(f"{which} {number + 1}", got[which]))
        pairs.append(LatencyPair(got["parley"], got["baseline"]))
    return pairs, children.log_problems()


# --- the report ------------------------------------------------------------------------


def report(
    options: Options,
    snapshots: list[SnapshotResult],
    pairs: list[LatencyPair],
    problems: dict[str, int],
    load: tuple[tuple[float, ...], tuple[float, ...]],
) -> str:
    lines = [
        "",
        f"Parley benchmarks: {os.cpu_count()} CPUs, load average "
        f"{load[0][0]:.2f} at start, {load[1][0]:.2f} at end (a shared machine: compare "
        "ratios, not absolute times)",
    ]
    if snapshots:
        lines += [
            "",
            f"1. Board snapshot (board_snapshot as an observer; median of "
            f"{options.snapshot_repeats}; baseline: the same rows with .values())",
            "   issues  queries  snapshot ms  rows-only ms  snapshot/rows  us/issue  build s",
        ]
        for s in snapshots:
            snap, rows = median(s.seconds), median(s.rows_seconds)
            lines.append(
                f"   {s.issues:>6}  {max(s.queries):>7}  {snap * 1000:>11.1f}  "
                f"{rows * 1000:>12.1f}  {snap / rows:>12.1f}x  {snap / s.issues * 1e6:>8.0f}"
                f"  {s.build_seconds:>7.1f}"
            )
        counts = [q for s in snapshots for q in s.queries]
        if len(set(counts)) == 1:
            lines.append(f"   query count: constant at {counts[0]} for every size")
        else:
            lines.append(
                "   QUERY COUNT GROWS: "
                + ", ".join(f"{s.issues} issues: {sorted(set(s.queries))}" for s in snapshots)
            )
    if pairs:
        lines += [
            "",
            f"2. Edit to every other client ({options.boards} boards x "
            f"{options.clients_per_board} clients, every client editing, all at once; "
            f"{options.rounds} timed rounds after {options.warmup} warm-up; "
            f"{len(pairs)} interleaved pairs; medians over pairs)",
            "   Parley: 2 Daphne processes, Redis channel layer, each board split across "
            "both; baseline: bench/relay.py, 2 processes, a board on one",
        ]
        metrics: list[tuple[str, Callable[[TrialResult], list[float]], float]] = [
            ("p50", lambda r: r.deliveries, 50),
            ("p99", lambda r: r.deliveries, 99),
            ("all p50", lambda r: r.edits, 50),
            ("all p99", lambda r: r.edits, 99),
            ("ack p50", lambda r: r.acks, 50),
        ]
        lines += [
            "   ms, per delivery (p50, p99), until all the others have it (all), editor's ack",
            f"   {'':<17}" + "".join(f"{name:>10}" for name, _, _ in metrics),
        ]
        parley = [p.parley for p in pairs]
        baseline = [p.baseline for p in pairs]
        for label, results in (("Parley", parley), ("baseline relay", baseline)):
            cells = [
                median([percentile(values(r), q) * 1000 for r in results])
                for _, values, q in metrics
            ]
            lines.append(f"   {label:<17}" + "".join(f"{cell:>10.1f}" for cell in cells))
        ratios = [
            median(
                [percentile(values(p.parley), q) / percentile(values(p.baseline), q) for p in pairs]
            )
            for _, values, q in metrics
        ]
        lines.append(f"   {'Parley/baseline':<17}" + "".join(f"{r:>9.1f}x" for r in ratios))
        after_ack = [
            median([percentile(r.after_ack, 50) * 1000 for r in rs]) for rs in (parley, baseline)
        ]
        lines.append(
            f"   the last receiver had the event {after_ack[0]:.1f} ms after the editor's ack "
            f"(p50; baseline {after_ack[1]:.1f} ms)"
        )
        samples = sum(len(r.deliveries) for r in parley)
        lost = sum(r.lost for r in parley), sum(r.lost for r in baseline)
        errors: dict[str, int] = {}
        for r in parley + baseline:
            for code, n in r.errors.items():
                errors[code] = errors.get(code, 0) + n
        lines.append(
            f"   {samples} Parley deliveries timed; lost: Parley {lost[0]}, baseline {lost[1]}; "
            f"errors: {errors or 'none'}; connect+sync of all clients: Parley "
            f"{median([r.connect_seconds for r in parley]):.1f} s, baseline "
            f"{median([r.connect_seconds for r in baseline]):.1f} s"
        )
        throughput = [median([r.edits_per_second for r in rs]) for rs in (parley, baseline)]
        lines.append(
            f"   edit rounds ran at {throughput[0]:.0f} edits/s on Parley, "
            f"{throughput[1]:.0f} edits/s on the baseline (gaps of {options.gap} s included)"
        )
        for problem, count in sorted(problems.items()):
            lines.append(f"   logged {count} times over the run: {problem}")
    return "\n".join(lines)


# --- main ---------------------------------------------------------------------------------


@contextlib.contextmanager
def signals_raise(max_seconds: int) -> Iterator[None]:
    """SIGTERM and SIGHUP stop the run like Ctrl-C; past max_seconds it stops itself."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    def alarm(signum: int, frame: object) -> None:
        raise BenchTimeout(f"gave up after --max-seconds {max_seconds}")

    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGHUP)}
    for sig in previous:
        signal.signal(sig, interrupt)
    signal.signal(signal.SIGALRM, alarm)
    signal.alarm(max_seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def main(argv: list[str] | None = None) -> int:
    sys.dont_write_bytecode = True  # nothing written to the repository, not even .pyc
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    options = options_parse(argv)
    database = f"parley_bench_{os.getpid()}"
    prefix = f"parley-bench-{os.getpid()}"
    load_start = os.getloadavg()
    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="parley-bench-")))
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": url_with_database(options.pg_admin_url, database),
            "REDIS_URL": options.redis_url,
            "PARLEY_CHANNELS_PREFIX": prefix,
            "PARLEY_VAR_DIR": str(tmp / "var"),
            # Production-like: no query log kept in memory by every connection.
            "DJANGO_DEBUG": "false",
            "LOG_LEVEL": "WARNING",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        env.pop("DJANGO_ENV", None)
        logs = tmp
        if options.logs:
            logs = Path(options.logs).resolve()
            if logs.is_relative_to(ROOT):
                raise SystemExit("--logs must be outside the repository")
            logs.mkdir(parents=True, exist_ok=True)
        children = Children(logs)
        created = False
        snapshots: list[SnapshotResult] = []
        pairs: list[LatencyPair] = []
        problems: dict[str, int] = {}
        try:
            with signals_raise(options.max_seconds):
                log(f"Scratch database {database}, Redis prefix {prefix}, logs in {logs}")
                database_create(options.pg_admin_url, database)
                created = True
                os.environ.update(env)
                import django
                from django.core.management import call_command

                django.setup()
                t0 = time.perf_counter()
                call_command("migrate", verbosity=0, interactive=False)
                log(f"Migrated ({time.perf_counter() - t0:.1f} s)")
                if not options.skip_snapshot:
                    log("1. Board snapshot")
                    snapshots = snapshot_bench(options)
                if not options.skip_latency:
                    log("2. Edit-to-every-client latency")
                    pairs, problems = latency_bench(options, env, children)
        except KeyboardInterrupt:
            log("Interrupted: cleaning up.")
            return 130
        except BenchTimeout as error:
            log(f"{error}: cleaning up.")
            return 1
        finally:
            previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
            try:
                cleanup(children, options, database, prefix, created)
            finally:
                signal.signal(signal.SIGINT, previous)
    print(report(options, snapshots, pairs, problems, (load_start, os.getloadavg())), flush=True)
    return 0


def cleanup(
    children: Children, options: Options, database: str, prefix: str, created: bool
) -> None:
    steps: list[tuple[str, Callable[[], object]]] = [("stop servers", children.stop_all)]
    if "django" in sys.modules:
        from django.db import connections

        steps.append(("close connections", connections.close_all))
    if created:
        steps.append(("drop database", lambda: database_drop(options.pg_admin_url, database)))
    steps.append(("forget Redis keys", lambda: redis_forget(options.redis_url, prefix)))
    for name, step in steps:
        try:
            step()
        except Exception as error:
            log(f"Clean-up step '{name}' failed: {error!r}")


if __name__ == "__main__":
    sys.exit(main())
