"""What a snapshot costs, stored as a compact copy of the board or as what changed.

A board of ISSUES issues (each with a position, an interest, an option, a proposal with
a response, a comment, made through the real commands) takes SNAPSHOTS snapshots, with
EDITS retitles between each two. For each way of storing them it prints, side by side:

- bytes stored per snapshot: the compact JSON copy (what Parley stores), the same copy
  zlib-compressed, and a delta (the events' payloads since the previous snapshot);
- the time to have the board at the last snapshot: one row read for a copy, against the
  first snapshot plus every event after it replayed (what a delta store must do);
- the time to take one snapshot (serialize the board, write the row).

It runs on a scratch SQLite file (removed at the end), so it needs no server.

    .venv/bin/python bench/snapshots.py                 # 200 issues, 20 snapshots
    .venv/bin/python bench/snapshots.py --issues 1000
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--issues", type=int, default=200)
    parser.add_argument("--snapshots", type=int, default=20)
    parser.add_argument("--edits", type=int, default=5)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="parley-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    try:
        report(args.issues, args.snapshots, args.edits)
    finally:
        for path in Path(folder).iterdir():
            path.unlink()
        Path(folder).rmdir()


def report(issues: int, snapshots: int, edits: int) -> None:
    from negotiation.events import event_frame
    from negotiation.models import Event, Issue, Snapshot
    from negotiation.services.snapshots import snapshot_take
    from tests.conftest import acknowledge_rule, cast_create, run
    from tests.negotiation.board_client import BoardClient

    cast = cast_create()
    acknowledge_rule(cast)
    for number in range(issues):
        issue = run(cast, "party_a", "issue.create", title=f"Issue {number}")["id"]
        run(cast, "party_a", "position.set", issue=issue, side=cast.side_a.pk, text="Keep it",
            version=0)  # fmt: skip
        run(cast, "party_a", "interest.add", issue=issue, side=cast.side_a.pk, text="The kids")
        run(cast, "party_b", "option.add", issue=issue, text="Sell and split")
        offer = run(cast, "party_a", "proposal.create", issue=issue, terms="60/40")
        run(cast, "party_b", "proposal.respond", proposal=offer["id"], answer="considering",
            version=0)  # fmt: skip
        run(cast, "attorney_a", "comment.add", issue=issue, body="Check the deed")
    ids = list(Issue.objects.filter(room=cast.joint).values_list("pk", flat=True))
    taking: list[float] = []
    for round_ in range(snapshots):
        for edit in range(edits):
            issue = Issue.objects.get(pk=ids[(round_ * edits + edit) % len(ids)])
            run(cast, "party_b", "issue.update", issue=issue.pk, version=issue.version,
                title=f"{issue.title}'")  # fmt: skip
        started = time.perf_counter()
        snapshot_take(room=cast.joint, reason=Snapshot.Reason.ON_DEMAND)
        taking.append(time.perf_counter() - started)
    taken = list(Snapshot.objects.filter(room=cast.joint).order_by("seq"))
    copies = [len(json.dumps(s.data, separators=(",", ":")).encode()) for s in taken]
    packed = [len(zlib.compress(json.dumps(s.data, separators=(",", ":")).encode())) for s in taken]
    deltas = []
    for before, after in itertools.pairwise(taken):
        events = Event.objects.filter(room=cast.joint, seq__gt=before.seq, seq__lte=after.seq)
        deltas.append(sum(len(json.dumps(e.data, separators=(",", ":"))) for e in events))

    def read_copy() -> None:
        Snapshot.objects.get(pk=taken[-1].pk).data  # noqa: B018

    def read_delta() -> None:
        first = Snapshot.objects.get(pk=taken[0].pk)
        client = BoardClient()
        client.apply({"type": "snapshot", "room": "joint", "seq": first.seq, "data": first.data})
        for event in Event.objects.filter(room=cast.joint, seq__gt=first.seq):
            client.apply(event_frame(event, "joint"))

    def timed(work: object) -> float:
        times = []
        for _ in range(7):
            started = time.perf_counter()
            work()  # type: ignore[operator]
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    copy_read, delta_read = timed(read_copy), timed(read_delta)
    kib = 1024
    print(f"Board: {issues} issues, {snapshots} snapshots, {edits} retitles between two.")
    print(f"{'':34}{'copy':>12}{'zlib copy':>12}{'delta':>12}")
    sizes = [statistics.median(values) / kib for values in (copies, packed, deltas)]
    print(f"{'bytes per snapshot (median)':34}" + "".join(f"{size:>10.1f}Ki" for size in sizes))
    print(f"{'board at the last snapshot (ms)':34}{copy_read * 1000:>12.1f}{'':>12}"
          f"{delta_read * 1000:>12.1f}")  # fmt: skip
    print(f"{'ratio, delta / copy':34}{'':>24}{delta_read / copy_read:>12.1f}x")
    print(f"{'taking one snapshot (ms, median)':34}{statistics.median(taking) * 1000:>12.1f}")


if __name__ == "__main__":
    main()
