"""Commands of the board's history: snapshots on demand, restoring an issue from one,
and ending a session (its summary follows)."""

from __future__ import annotations

from ..serializers import IssueSerializer, MediationStateSerializer, SnapshotSerializer
from ..services import session, snapshots
from . import fields as f
from .registry import command

command(
    "snapshot.take",
    snapshots.snapshot_take_for,
    fields={"room": f.optional_choice()},
    output=SnapshotSerializer,
    summary='Take a snapshot of a room\'s board now ("joint", the default, or '
    '"caucus:<side>"); the latest one when nothing changed since.',
)
command(
    "issue.restore",
    snapshots.issue_restore,
    fields={"snapshot": f.id_(), "issue": f.id_(), "field": f.optional_choice()},
    output=IssueSerializer,
    summary="Make an issue as a joint snapshot has it: all of it, or one field (title, "
    "description, lane, parking, positions); written as new events.",
)
command(
    "session.end",
    session.session_end,
    fields={"next_session_at": f.when()},
    output=MediationStateSerializer,
    summary="End the session: every room is snapshotted and everyone gets its summary; "
    "optionally say when the next session is.",
)
