"""Parley's speed and scale, side by side with two baselines measured in the same run.

    scripts/bench --quick     # small N, about two minutes
    scripts/bench             # the full run, about twenty minutes on 2 cores

The servers, each a single process pinned to CPU 0 (the load generator, this process,
pinned to CPU 1) on loopback ports:
- bare: bench/relay.py, a `websockets` broadcast server (no Django, no Redis, no database);
- stock: bench/stock.py, stock Channels (channels_redis core layer group send, JSON
  encoded per recipient), writing nothing to a database;
- Parley: Daphne serving config.asgi on PostgreSQL and Redis, every edit a committed
  command through the same service as REST.

What it measures (bench/fanout.py has the clients, and how they time):
1. fan-out: 1 board x 10, x 100, x 500 watchers at 10 edits/s; 1 x 100 at 50 edits/s; 50
   boards x 6 (an editor and five watchers each) at 50 edits/s. Edit -> all p50/p99 (from
   the edit's scheduled moment until its last watcher had it), per-delivery p50/p99,
   loss, order faults, the server's CPU per delivery (/proc of the server process only).
2. throughput: boards of six at rising rates; the highest with p99 under 100 ms, no loss.
3. joins: connect and sync 500 clients; resync after missing 150 and 1,000 events (Parley
   only: the first is replayed as events, the second answered with a snapshot).
4. memory: resident bytes per idle connection, and the growth over 10,000 connects.
5. snapshot: board_snapshot's query count and time for 10, 100 and 1,000 issues.

A run whose load generator was saturated (its CPU busy over 90% of the time, or its sends
more than 20 ms behind schedule at p99) is discarded and counted as such. The tables show
medians over the repetitions that were kept, with Parley's ratio to each baseline.
Results go to bench/results/<time>-<mode>.{txt,json}. Scratch database parley_bench_<pid>
and a Redis key prefix of its own, removed at the end, also on Ctrl-C or error.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import json
import math
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import fanout  # noqa: E402
from bench.board import (  # noqa: E402
    BenchTimeout,
    Children,
    SnapshotResult,
    cast_create,
    database_create,
    database_drop,
    free_port,
    log,
    percentile,
    redis_forget,
    run_command,
    signals_raise,
    snapshot_bench,
    url_with_database,
)

SERVERS = ("bare", "stock", "parley")
# Where py-spy profiles of Parley's fan-out runs go (--profile), if anywhere.
PROFILE: Path | None = None
SATURATED_BUSY = 0.9
SATURATED_LATE = 0.020
THROUGHPUT_P99 = 0.100


def median(values: list[float]) -> float:
    values = [v for v in values if not math.isnan(v)]
    return statistics.median(values) if values else math.nan


@dataclass
class Mode:
    quick: bool
    fanout: list[tuple[int, int, float]]  # (boards, watchers per board, edits/s)
    seconds: float
    warmup: float
    reps: int
    rates: list[float]  # throughput steps, edits/s in all
    throughput_boards: int
    joins: int
    churn: int
    resync: int
    sizes: list[int]
    snapshot_repeats: int


def mode_of(quick: bool) -> Mode:
    if quick:
        return Mode(
            True,
            [(1, 10, 10), (1, 100, 10), (10, 5, 20)],
            3,
            0.5,
            1,
            [50, 100, 200],
            10,
            100,
            500,
            300,
            [10, 100],
            3,
        )
    return Mode(
        False,
        [(1, 10, 10), (1, 100, 10), (1, 500, 10), (1, 100, 50), (50, 5, 50)],
        8,
        1,
        3,
        [100, 200, 300, 400, 600, 800],
        40,
        500,
        10_000,
        1000,
        [10, 100, 1000],
        7,
    )


# --- the servers -------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    port: int
    pid: int


class Servers:
    def __init__(self, children: Children, env: dict[str, str], pin: bool) -> None:
        self.children = children
        self.env = env
        self.pin = pin
        self.running: dict[str, Server] = {}
        self.generation = 0
        self.problems: dict[str, int] = {}

    def start(self) -> dict[str, Server]:
        self.generation += 1
        taskset = ["taskset", "-c", "0"] if self.pin else []
        daphne = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-v", "0"]
        stock_env = {k: v for k, v in self.env.items() if k != "DJANGO_SETTINGS_MODULE"}
        stock_env["PARLEY_CHANNELS_PREFIX"] = self.env["PARLEY_CHANNELS_PREFIX"] + "-stock"
        plan: list[tuple[str, Callable[[int], list[str]], dict[str, str]]] = [
            (
                "bare",
                lambda p: [sys.executable, str(ROOT / "bench" / "relay.py"), "--port", str(p)],
                self.env,
            ),
            ("stock", lambda p: [*daphne, "-p", str(p), "bench.stock:application"], stock_env),
            ("parley", lambda p: [*daphne, "-p", str(p), "config.asgi:application"], self.env),
        ]
        started = []
        for name, command, env in plan:
            port = free_port()
            label = f"{name}-{self.generation}"
            process = self.children.start(label, [*taskset, *command(port)], env)
            started.append((name, label, port, process))
        for name, label, port, process in started:
            ready = f"listening on 127.0.0.1:{port}" if name == "bare" else None
            self.children.wait_listening(label, process, port, ready)
            self.running[name] = Server(name, port, process.pid)
        return self.running

    def stop(self) -> None:
        for problem, count in self.children.log_problems().items():
            self.problems[problem] = self.problems.get(problem, 0) + count
        self.children.stop_all()
        self.running.clear()


# --- the boards ------------------------------------------------------------------------


def cookie_for(user: Any) -> str:
    from bench.board import signed_in_cookie

    return signed_in_cookie(user)


@dataclass
class ParleyBoard:
    mediation_id: Any
    editor_cookie: str
    watcher_cookies: list[str]
    issues: list[int]
    joint_id: int
    mediator: Any = None


def parley_board(tag: str, watchers: int, issues: int) -> ParleyBoard:
    """A mediation with a mediator (the editor), two parties and `watchers` observers
    (or, for a board of six: the two parties, two attorneys and an observer)."""
    if watchers == 5:
        names = ["mediator", "party_a", "party_b", "attorney_a", "attorney_b", "observer"]
        watching = names[1:]
    else:
        names = ["mediator", "party_a", "party_b"] + [f"observer_{n}" for n in range(watchers)]
        watching = names[3:]
    cast = cast_create(tag, names)
    mediator = cast["mediator"]
    made = [run_command(mediator, "issue.create", title=f"{tag} {n}")["id"] for n in range(issues)]
    return ParleyBoard(
        mediation_id=mediator.mediation_id,
        editor_cookie=cookie_for(mediator.user),
        watcher_cookies=[cookie_for(cast[name].user) for name in watching],
        issues=made,
        joint_id=mediator.mediation.joint_room().pk,
        mediator=mediator,
    )


def endpoint(server: Server, path: str, cookie: str | None = None) -> fanout.Endpoint:
    base = f"127.0.0.1:{server.port}"
    return fanout.Endpoint(url=f"ws://{base}{path}", origin=f"http://{base}", cookie=cookie)


def boards_for(server: Server, boards: list[ParleyBoard], watchers: int) -> list[fanout.Board]:
    """The fan-out boards on one server; Parley's issues at their versions now."""
    out = []
    if server.name == "parley":
        from negotiation.models import Issue

        versions = dict(
            Issue.objects.filter(pk__in=[i for b in boards for i in b.issues]).values_list(
                "pk", "version"
            )
        )
    for n, board in enumerate(boards):
        if server.name == "parley":
            path = f"/ws/mediations/{board.mediation_id}/"
            editor = endpoint(server, path, board.editor_cookie)
            seen = [endpoint(server, path, c) for c in board.watcher_cookies[:watchers]]
            targets = [fanout.Target(issue, versions[issue]) for issue in board.issues]
        else:
            path = f"/board/{n}-{watchers}/"
            editor = endpoint(server, path)
            seen = [endpoint(server, path) for _ in range(watchers)]
            targets = [fanout.Target(issue) for issue in board.issues]
        out.append(fanout.Board(editor, targets, seen))
    return out


# --- the phases ----------------------------------------------------------------------------


@dataclass
class Kept:
    """The repetitions of one scenario on one server: kept, and discarded as saturated."""

    runs: list[dict[str, float]] = field(default_factory=list)
    # Saturated runs: shown, marked, only when no run was kept.
    discarded: list[dict[str, float]] = field(default_factory=list)
    failed: int = 0  # clients could not connect and sync

    def median(self, key: str) -> float:
        return median([run[key] for run in self.runs or self.discarded])

    @property
    def indicative(self) -> bool:
        return not self.runs and bool(self.discarded)


def summary(result: fanout.RunResult, joined: float) -> dict[str, float]:
    return {
        "all_p50": percentile(result.to_all, 50),
        "all_p99": percentile(result.to_all, 99),
        "p50": percentile(result.deliveries, 50),
        "p99": percentile(result.deliveries, 99),
        "lost": result.lost,
        "expected": result.expected,
        "order": result.order_faults,
        "errors": sum(result.errors.values()),
        "cpu_per_delivery": result.cpu_per_delivery,
        "server_busy": result.server_cpu / result.seconds if result.seconds else math.nan,
        "client_busy": result.client_busy,
        "send_late_p99": percentile(result.send_late, 99),
        "joined": joined,
        "edits_per_second": result.edits / result.seconds if result.seconds else 0.0,
    }


def saturated(run: dict[str, float]) -> bool:
    return run["client_busy"] > SATURATED_BUSY or run["send_late_p99"] > SATURATED_LATE


def profile_log(path: Path, top: int = 12) -> None:
    """The functions the server was seen in most (inclusive, as a share of samples),
    from py-spy's collapsed stacks."""
    if not path.exists():
        return
    total = 0
    inclusive: dict[str, int] = {}
    for line in path.read_text().splitlines():
        stack, _, samples = line.rpartition(" ")
        if not samples.isdigit():
            continue
        total += int(samples)
        for frame in set(stack.split(";")):
            name = frame.split(" (")[0]
            inclusive[name] = inclusive.get(name, 0) + int(samples)
    log(f"    profile {path.name}: {total} samples; most seen in:")
    for name, seen in sorted(inclusive.items(), key=lambda kv: -kv[1])[:top]:
        log(f"      {seen / max(total, 1):6.1%}  {name[:90]}")


@contextlib.contextmanager
def profiled(server: Server, name: str, seconds: float | None) -> Iterator[Callable[[], None]]:
    """With --profile, py-spy samples Parley's server from when the body calls the
    function it is given, for `seconds` (None: until the body ends), into
    PROFILE/parley-<name>.txt (collapsed stacks of every thread, idle ones left out),
    summarised in the log at the end."""
    spies: list[subprocess.Popen[bytes]] = []
    out = Path()
    py_spy = shutil.which("py-spy") or shutil.which("py-spy", path=str(Path(sys.executable).parent))
    if PROFILE is not None and server.name == "parley" and py_spy is None:
        log("    no py-spy installed (pip install py-spy): not profiled")
    elif PROFILE is not None and server.name == "parley":
        out = PROFILE / f"parley-{name}.txt"

    def start() -> None:
        if out == Path():
            return
        command = [str(py_spy), "record", "--pid", str(server.pid), "--format", "raw"]
        command += ["--rate", "200", "--nonblocking", "-o", str(out)]
        if seconds is not None:
            command += ["--duration", str(int(seconds))]
        spies.append(
            subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        )

    try:
        yield start
    finally:
        for spy in spies:
            if seconds is None:
                spy.send_signal(signal.SIGINT)  # py-spy writes what it has, and ends
            spy.wait(timeout=120)
            profile_log(out)


def one_run(
    server: Server, boards: list[fanout.Board], rate: float, mode: Mode, seconds: float
) -> dict[str, float] | None:
    """One open-loop run; None if its clients could not all connect and sync (a server
    past its handshake limit), which is reported, not hidden. Profiled (--profile) from
    the first edit on: the joins are left out."""
    name = f"{len(boards)}x{len(boards[0].watchers)}-{rate:g}"
    with profiled(server, name, seconds + mode.warmup + 1) as profile_start:
        try:
            result, joined = asyncio.run(
                fanout.open_loop(
                    boards,
                    rate=rate,
                    seconds=seconds,
                    warmup=mode.warmup,
                    drain=10.0,
                    server_pids=[server.pid],
                    label=server.name,
                    on_joined=profile_start,
                )
            )
        except Exception as error:
            log(f"    {server.name}: the run failed: {error!r:.200}")
            return None
    run = summary(result, joined)
    if result.errors:
        log(f"    {server.name}: errors {result.errors}")
    return run


def run_line(name: str, run: dict[str, float]) -> str:
    return (
        f"    {name:<6} all p50 {run['all_p50'] * 1000:8.1f} p99 {run['all_p99'] * 1000:8.1f} ms"
        f"  lost {run['lost']:.0f}/{run['expected']:.0f}  order {run['order']:.0f}"
        f"  cpu/delivery {run['cpu_per_delivery'] * 1e6:6.1f} us  server busy "
        f"{run['server_busy']:.0%}  client busy {run['client_busy']:.0%}"
        f"  late p99 {run['send_late_p99'] * 1000:.1f} ms"
        + ("  SATURATED, discarded" if saturated(run) else "")
    )


def fanout_phase(
    mode: Mode, servers: dict[str, Server], made: dict[tuple[int, int], list[ParleyBoard]]
) -> dict[str, dict[str, Kept]]:
    results: dict[str, dict[str, Kept]] = {}
    for boards_n, watchers, rate in mode.fanout:
        key = f"{boards_n}x{watchers}@{rate:g}"
        log(f"  fan-out {boards_n} board(s) x {watchers} watchers at {rate:g} edits/s")
        results[key] = {name: Kept() for name in SERVERS}
        for rep in range(mode.reps):
            # Rotate who goes first, so drift in the machine's load hits all alike.
            order = SERVERS[rep % 3 :] + SERVERS[: rep % 3]
            for name in order:
                server = servers[name]
                boards = boards_for(server, made[boards_n, watchers], watchers)
                run = one_run(server, boards, rate, mode, mode.seconds)
                kept = results[key][name]
                if run is None:
                    kept.failed += 1
                    continue
                log(run_line(name, run))
                if saturated(run):
                    kept.discarded.append(run)
                else:
                    kept.runs.append(run)
    return results


def throughput_phase(
    mode: Mode, servers: dict[str, Server], made: list[ParleyBoard]
) -> dict[str, dict[str, Any]]:
    """Rising rates over boards of six, every server at each rate, until a server's p99
    passes 100 ms or it loses something; its best is the last rate it held."""
    best: dict[str, dict[str, Any]] = {name: {"rate": 0.0, "runs": {}} for name in SERVERS}
    active = set(SERVERS)
    for rate in mode.rates:
        log(f"  throughput: {len(made)} boards of six at {rate:g} edits/s")
        for name in SERVERS:
            if name not in active:
                continue
            server = servers[name]
            run = one_run(server, boards_for(server, made, 5), rate, mode, mode.seconds / 2)
            if run is None:
                active.discard(name)
                continue
            log(run_line(name, run))
            best[name]["runs"][rate] = run
            if saturated(run):
                best[name]["saturated_at"] = rate
                active.discard(name)
            elif run["p99"] <= THROUGHPUT_P99 and run["lost"] == 0 and not run["errors"]:
                best[name]["rate"] = rate
                best[name]["edits_per_second"] = run["edits_per_second"]
            else:
                active.discard(name)
    return best


def joins_phase(
    mode: Mode, servers: dict[str, Server], board: ParleyBoard
) -> dict[str, dict[str, Any]]:
    """On servers fresh from start: connect and sync `mode.joins` idle clients (their
    resident bytes each), then churn; Parley's resync after missing events."""
    out: dict[str, dict[str, Any]] = {}
    for name in SERVERS:
        server = servers[name]
        log(f"    {name}: {mode.joins} idle clients")
        if name == "parley":
            path = f"/ws/mediations/{board.mediation_id}/"
            points = [endpoint(server, path, c) for c in board.watcher_cookies[: mode.joins]]
        else:
            points = [endpoint(server, "/board/idle/") for _ in range(mode.joins)]
        # Warm: the first connections pay for imports and caches, not per client.
        asyncio.run(fanout.idle_memory(points[:10], [server.pid]))
        with profiled(server, f"joins-{mode.joins}", None) as profile_start:
            profile_start()
            joined, per_client, rss = asyncio.run(fanout.idle_memory(points, [server.pid]))
        before, after, took = asyncio.run(fanout.churn(points, [server.pid], cycles=mode.churn))
        out[name] = {
            "joined": joined,
            "per_client": per_client,
            "rss": rss,
            "churn_before": before,
            "churn_after": after,
            "churn_seconds": took,
        }
        log(
            f"    {name:<6} {len(points)} connected and synced in {joined:.2f} s, "
            f"{per_client / 1024:.1f} KiB each; {mode.churn} churned in {took:.1f} s, "
            f"resident {before / 2**20:.1f} -> {after / 2**20:.1f} MiB"
        )
    # Resync: an observer at seq s misses n retitles, then syncs from s. A gap within
    # REPLAY_MAX is replayed as events; a longer one is answered with a snapshot.
    from negotiation.models import Issue, Room
    from negotiation.selectors import REPLAY_MAX

    server = servers["parley"]
    point = endpoint(server, f"/ws/mediations/{board.mediation_id}/", board.watcher_cookies[0])
    resyncs = []
    for missed in sorted({min(REPLAY_MAX * 3 // 4, mode.resync), mode.resync}):
        seq = Room.objects.get(pk=board.joint_id).last_seq
        issue = Issue.objects.get(pk=board.issues[0])
        version = issue.version
        for n in range(missed):
            run_command(
                board.mediator, "issue.update", issue=issue.pk, version=version,
                title=f"missed {missed} {n}",
            )  # fmt: skip
            version += 1
        took, events, snapshots = asyncio.run(fanout.resync(point, seq))
        resyncs.append(
            {"missed": missed, "seconds": took, "events": events, "snapshots": snapshots}
        )
        log(
            f"    parley resync after {missed} missed events: {took * 1000:.0f} ms "
            f"({events} event frames, {snapshots} snapshot frames)"
        )
    out["parley"]["resyncs"] = resyncs
    return out


# --- the report ------------------------------------------------------------------------------


def ratio(a: float, b: float) -> str:
    if math.isnan(a) or math.isnan(b) or b == 0:
        return "-"
    return f"{a / b:.1f}x"


def ms(value: float) -> str:
    return "-" if math.isnan(value) else f"{value * 1000:.1f}"


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |"
    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    out = [line, rule]
    for row in rows:
        out.append("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
    return out


def measured_code() -> str:
    """The commit the servers ran, and whether the work tree held changes to it."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD")
    if not commit:
        return "code outside git"
    changed = git("status", "--porcelain", "--untracked-files=no")
    return f"{commit}" + (" with uncommitted changes" if changed else "")


def report(
    mode: Mode,
    fan: dict[str, dict[str, Kept]],
    best: dict[str, dict[str, Any]],
    joins: dict[str, dict[str, Any]],
    snapshots: list[SnapshotResult],
    load: tuple[tuple[float, ...], tuple[float, ...]],
    pinned: bool,
) -> str:
    lines = [
        f"Parley speed and scale ({'quick' if mode.quick else 'full'} run, "
        f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC) of {measured_code()}",
        f"{os.cpu_count()} CPUs; servers "
        + ("pinned to CPU 0, load generator to CPU 1" if pinned else "not pinned")
        + "; "
        f"load average {load[0][0]:.2f} at start, {load[1][0]:.2f} at end. Medians of "
        f"{mode.reps} repetition(s), saturated runs of the load generator discarded.",
        "",
        "Fan-out: edit -> every watcher, from the edit's scheduled send (ms); * = every "
        "run of it saturated the load generator: indicative only",
    ]
    header = ["scenario", "metric", "bare", "stock", "Parley", "/bare", "/stock"]
    rows = []
    for key, by in fan.items():
        for label, metric, fmt in (
            ("edit->all p50", "all_p50", ms),
            ("edit->all p99", "all_p99", ms),
            ("delivery p99", "p99", ms),
            (
                "CPU us/delivery",
                "cpu_per_delivery",
                lambda v: "-" if math.isnan(v) else f"{v * 1e6:.1f}",
            ),
        ):
            values = [by[name].median(metric) for name in SERVERS]
            marks = ["*" if by[name].indicative else "" for name in SERVERS]
            rows.append(
                [
                    key,
                    label,
                    *(fmt(v) + m for v, m in zip(values, marks, strict=True)),
                    ratio(values[2], values[0]),
                    ratio(values[2], values[1]),
                ]
            )
        lost = [sum(r["lost"] for r in by[n].runs or by[n].discarded) for n in SERVERS]
        expected = [sum(r["expected"] for r in by[n].runs or by[n].discarded) for n in SERVERS]
        order = [sum(r["order"] for r in by[n].runs or by[n].discarded) for n in SERVERS]
        rows.append(
            [
                key,
                "lost / order faults",
                *(f"{int(lost[i])}/{int(expected[i])} / {int(order[i])}" for i in range(3)),
                "",
                "",
            ]
        )
        discarded = [len(by[n].discarded) for n in SERVERS]
        if any(discarded):
            rows.append([key, "runs discarded (saturated)", *map(str, discarded), "", ""])
        failed = [by[n].failed for n in SERVERS]
        if any(failed):
            rows.append([key, "runs failed (could not connect)", *map(str, failed), "", ""])
    lines += table(header, rows)
    if best:
        lines += [
            "",
            f"Throughput: boards of six, highest rate with p99 <= "
            f"{THROUGHPUT_P99 * 1000:.0f} ms and no loss (edits/s)",
        ]
        cells = [
            f"{best[n]['rate']:g}"
            + (" (load generator saturated)" if "saturated_at" in best[n] else "")
            for n in SERVERS
        ]
        lines += table(
            ["", "bare", "stock", "Parley", "/bare", "/stock"],
            [
                [
                    "edits/s",
                    *cells,
                    ratio(best["parley"]["rate"], best["bare"]["rate"]),
                    ratio(best["parley"]["rate"], best["stock"]["rate"]),
                ]
            ],
        )
    if joins:
        lines += [
            "",
            f"Joins and memory ({mode.joins} idle clients; {mode.churn} connects and disconnects)",
        ]
        rows = []
        for label, fmt in (
            ("connect+sync all, s", lambda j: f"{j['joined']:.2f}"),
            ("KiB per idle client", lambda j: f"{j['per_client'] / 1024:.1f}"),
            (
                "resident growth after churn, MiB",
                lambda j: f"{(j['churn_after'] - j['churn_before']) / 2**20:.1f}",
            ),
        ):
            cells = [fmt(joins[n]) for n in SERVERS]
            rows.append([label, *cells])
        lines += table(["", "bare", "stock", "Parley"], rows)
        parley = joins["parley"]
        for one in parley.get("resyncs", []):
            answer = (
                f"{one['events']} event frames"
                if not one["snapshots"]
                else f"a snapshot and {one['events']} event frames"
            )
            lines.append(
                f"Parley resync after missing {one['missed']} events: "
                f"{one['seconds'] * 1000:.0f} ms to `synced` ({answer})"
            )
    if snapshots:
        lines += ["", "Snapshot (board_snapshot as an observer)"]
        rows = [
            [str(s.issues), str(max(s.queries)), ms(median(s.seconds)), ms(median(s.rows_seconds))]
            for s in snapshots
        ]
        lines += table(["issues", "queries", "p50 ms", "rows only ms"], rows)
    return "\n".join(lines)


# --- main ------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/run.py", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small N, about two minutes")
    parser.add_argument(
        "--only",
        default="fanout,throughput,joins,snapshot",
        help="phases, comma-separated (fanout,throughput,joins,snapshot)",
    )
    parser.add_argument("--reps", type=int, help="repetitions per fan-out scenario")
    parser.add_argument("--churn", type=int, help="connects and disconnects (10,000)")
    parser.add_argument("--joins", type=int, help="clients that connect and sync (500)")
    parser.add_argument(
        "--pg",
        default=os.environ.get("PARLEY_BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres"),
    )
    parser.add_argument(
        "--redis", default=os.environ.get("PARLEY_BENCH_REDIS", "redis://127.0.0.1:6379/15")
    )
    parser.add_argument("--no-pin", action="store_true", help="do not pin to CPUs")
    parser.add_argument("--max-seconds", type=int, default=3600)
    parser.add_argument("--results", default=str(ROOT / "bench" / "results"))
    parser.add_argument("--logs", help="keep the servers' logs in this directory")
    parser.add_argument("--profile", help="py-spy profiles of Parley's fan-out runs, here")
    args = parser.parse_args(argv)
    mode = mode_of(args.quick)
    global PROFILE
    if args.profile:
        PROFILE = Path(args.profile)
        PROFILE.mkdir(parents=True, exist_ok=True)
    if args.reps:
        mode.reps = args.reps
    if args.churn:
        mode.churn = args.churn
    if args.joins:
        mode.joins = args.joins
    phases = set(args.only.split(","))
    pin = not args.no_pin and (os.cpu_count() or 1) >= 2 and hasattr(os, "sched_setaffinity")
    sys.dont_write_bytecode = True
    database = f"parley_bench_{os.getpid()}"
    prefix = f"parley-bench-{os.getpid()}"
    load_start = os.getloadavg()
    fan: dict[str, dict[str, Kept]] = {}
    best: dict[str, dict[str, Any]] = {}
    joins: dict[str, dict[str, Any]] = {}
    snapshots: list[SnapshotResult] = []
    with tempfile.TemporaryDirectory(prefix="parley-bench-") as tmp:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": url_with_database(args.pg, database),
            "REDIS_URL": args.redis,
            "PARLEY_CHANNELS_PREFIX": prefix,
            "PARLEY_VAR_DIR": str(Path(tmp) / "var"),
            "DJANGO_DEBUG": "false",
            "LOG_LEVEL": "WARNING",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONPATH": str(ROOT),
        }
        env.pop("DJANGO_ENV", None)
        logs = Path(args.logs) if args.logs else Path(tmp)
        logs.mkdir(parents=True, exist_ok=True)
        children = Children(logs)
        servers = Servers(children, env, pin)
        created = False
        try:
            with signals_raise(args.max_seconds):
                log(f"Scratch database {database}, Redis {args.redis} prefix {prefix}")
                database_create(args.pg, database)
                created = True
                os.environ.update(env)
                import django
                from django.core.management import call_command

                django.setup()
                call_command("migrate", verbosity=0, interactive=False)
                if pin:
                    os.sched_setaffinity(0, {1})
                made: dict[tuple[int, int], list[ParleyBoard]] = {}
                if "fanout" in phases:
                    for boards_n, watchers, _ in mode.fanout:
                        if (boards_n, watchers) not in made:
                            log(f"  making {boards_n} board(s) x {watchers} watchers")
                            made[boards_n, watchers] = [
                                parley_board(
                                    f"f{boards_n}x{watchers}b{b}",
                                    watchers,
                                    20 if boards_n == 1 else 4,
                                )
                                for b in range(boards_n)
                            ]
                big = None
                if "joins" in phases:
                    log(f"  making a board of {mode.joins} observers")
                    big = parley_board("joins", mode.joins, 2)
                six = []
                if "throughput" in phases:
                    log(f"  making {mode.throughput_boards} boards of six")
                    six = [parley_board(f"t{b}", 5, 6) for b in range(mode.throughput_boards)]
                from django.db import connections

                connections.close_all()
                if big is not None:
                    log("Joins and memory (fresh servers)")
                    joins = joins_phase(mode, servers.start(), big)
                    servers.stop()
                if "fanout" in phases or six:
                    running = servers.start()
                    if "fanout" in phases:
                        log("Fan-out")
                        fan = fanout_phase(mode, running, made)
                    if six:
                        log("Throughput")
                        best = throughput_phase(mode, running, six)
                    servers.stop()
                if "snapshot" in phases:
                    log("Snapshot")
                    from bench.board import options_parse

                    options = options_parse(
                        [
                            "--sizes",
                            ",".join(map(str, mode.sizes)),
                            "--snapshot-repeats",
                            str(mode.snapshot_repeats),
                        ]
                    )
                    snapshots = snapshot_bench(options)
        except KeyboardInterrupt:
            log("Interrupted: cleaning up.")
            return 130
        except BenchTimeout as error:
            log(f"{error}: cleaning up.")
            return 1
        finally:
            previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
            try:
                servers.stop()
                for problem, count in sorted(servers.problems.items()):
                    log(f"  servers logged {count} times: {problem}")
                if "django" in sys.modules:
                    from django.db import connections

                    with contextlib.suppress(Exception):
                        connections.close_all()
                if created:
                    with contextlib.suppress(Exception):
                        database_drop(args.pg, database)
                with contextlib.suppress(Exception):
                    redis_forget(args.redis, prefix)
            finally:
                signal.signal(signal.SIGINT, previous)
    text = report(mode, fan, best, joins, snapshots, (load_start, os.getloadavg()), pin)
    print(text, flush=True)
    results = Path(args.results)
    results.mkdir(parents=True, exist_ok=True)
    stamp = (
        f"{datetime.datetime.now(datetime.UTC):%Y%m%dT%H%M%SZ}-{'quick' if mode.quick else 'full'}"
    )
    (results / f"{stamp}.txt").write_text(text + "\n")
    raw = {
        "mode": asdict(mode),
        "load": [load_start, os.getloadavg()],
        "code": measured_code(),
        "fanout": {k: {n: asdict(v) for n, v in by.items()} for k, by in fan.items()},
        "throughput": best,
        "joins": joins,
        "snapshot": [asdict(s) for s in snapshots],
    }
    (results / f"{stamp}.json").write_text(json.dumps(raw, indent=1, default=str) + "\n")
    log(f"Results in {results / stamp}.txt and .json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
