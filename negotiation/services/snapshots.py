"""Snapshots of progress and restoring from them.

A snapshot is a room's content at a seq of its log, copied as the resync snapshot
serializes it. They are taken by beat every few minutes for each room of an active
mediation whose log moved since its last one, on every stage change, when an issue is
agreed, when a session ends, and when the mediator asks. A caucus room is snapshotted on
its own; its snapshots are read only by its members (permissions.access_snapshot).

Restoring never rewrites the past: it runs the board's own services (issue_update,
issue_move, issue_park_edit, position_set) to make the issue as the snapshot has it, so
it is new events in the log and every screen follows live.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from config.errors import Invalid, NotAllowed, NotFound

from ..events import room_lock
from ..models import Issue, Lane, Mediation, Participant, Position, Room, Snapshot
from ..permissions import (
    access_issue,
    access_snapshot,
    can_restore,
    can_take_snapshot,
    room_for,
)
from ..selectors import room_snapshot
from .issue_content import position_set
from .issues import issue_move, issue_park_edit, issue_update

# What can be restored of an issue, each alone or all together.
RESTORABLE = ("title", "description", "lane", "parking", "positions")


def snapshot_take(*, room: Room, reason: str, taken_by: Participant | None = None) -> Snapshot:
    """A snapshot of `room` now; the one already there when nothing was written to the
    room since (one board, one copy). Inside a change's transaction, it is the board
    just written, at that change's seq."""
    with transaction.atomic():
        data = room_snapshot(room)
        existing = Snapshot.objects.filter(room=room, seq=data["seq"]).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                return Snapshot.objects.create(
                    room=room, seq=data["seq"], reason=reason, data=data["data"], taken_by=taken_by
                )
        except IntegrityError:
            # Beat and a command took the same board at once: theirs is this one.
            return Snapshot.objects.get(room=room, seq=data["seq"])


def snapshot_take_for(*, actor: Participant, room: object = "joint") -> Snapshot:
    """The mediator's snapshot on demand of a room they see ("joint" or "caucus:<side>").
    Raises NotAllowed for anyone else, NotFound for a room they do not see."""
    if not can_take_snapshot(actor):
        raise NotAllowed("Only the mediator takes a snapshot.")
    found = room_for(actor, room or "joint")
    if found is None:
        raise NotFound("No such room.")
    return snapshot_take(room=found, reason=Snapshot.Reason.ON_DEMAND, taken_by=actor)


def mediation_snapshots_take(
    *, mediation: Mediation, reason: str, taken_by: Participant | None = None
) -> list[Snapshot]:
    """A snapshot of every room of the mediation (the joint room first)."""
    rooms = Room.objects.filter(mediation=mediation).order_by("id")
    return [snapshot_take(room=room, reason=reason, taken_by=taken_by) for room in rooms]


def snapshots_sweep() -> int:
    """Beat's round: a snapshot of each room of every active mediation whose log moved
    since its last snapshot (a room where nothing happened costs nothing). Returns how
    many it took."""
    moved = (
        Room.objects.filter(mediation__status=Mediation.Status.ACTIVE, last_seq__gt=0)
        .annotate(latest=Max("snapshots__seq"))
        .filter(Q(latest__isnull=True) | Q(latest__lt=F("last_seq")))
        .order_by("id")
    )
    taken = 0
    for room in moved:
        snapshot_take(room=room, reason=Snapshot.Reason.PERIODIC)
        taken += 1
    return taken


def issue_restore(
    *, actor: Participant, snapshot_id: object, issue_id: object, field: object = None
) -> Issue:
    """Make an issue as a snapshot of the joint room has it: all of it, or one `field`
    (title, description, lane, parking, positions). Each difference is written by the
    board's own service, so the log gains ordinary events (issue.updated, issue.moved,
    position.set) and the history stays append-only.

    An issue can leave Agreed this way (the mediator reopens it), never enter it: that
    takes every side. A parking time already past is left out.

    Raises NotAllowed unless the actor restores (the mediator), NotFound for a snapshot
    or issue they cannot see or an issue the snapshot does not hold, Invalid for an
    unknown field or a lane the issue cannot be restored to, and what the services
    raise.
    """
    if not can_restore(actor):
        raise NotAllowed("Only the mediator restores from a snapshot.")
    if field is not None and field not in RESTORABLE:
        raise Invalid(
            "Unknown field.", details={"field": [f"Choose one of {', '.join(RESTORABLE)}."]}
        )
    fields = RESTORABLE if field is None else (str(field),)
    snapshot = access_snapshot(actor, snapshot_id)
    issue = access_issue(actor, issue_id)
    if snapshot.room.kind != Room.Kind.JOINT or issue.room_id != snapshot.room_id:
        raise NotFound("That issue is not in that snapshot.")
    then = next((i for i in snapshot.data.get("issues", []) if i["id"] == issue.pk), None)
    if then is None:
        raise NotFound("That issue was not on the board then.")
    with transaction.atomic():
        room_lock(issue.room)
        for name in fields:
            _restore_field(actor, issue.pk, name, then, snapshot.data.get("issues", []))
        issue.refresh_from_db()
    return issue


def _restore_field(
    actor: Participant, issue_id: int, name: str, then: dict[str, Any], board: list[dict[str, Any]]
) -> None:
    now = Issue.objects.get(pk=issue_id)
    if name in ("title", "description"):
        if getattr(now, name) != then.get(name, ""):
            issue_update(actor=actor, issue_id=issue_id, version=now.version, **{name: then[name]})
    elif name == "lane":
        lane = then.get("lane")
        if lane == now.lane:
            return
        if lane == Lane.AGREED:
            raise Invalid(
                "An issue is agreed only by every side.",
                details={"field": ["Restore its wording instead, then ask every side."]},
            )
        issue_move(
            actor=actor,
            issue_id=issue_id,
            version=now.version,
            lane=lane,
            index=_index_then(board, then),
            **_parking_then(then),
        )
    elif name == "parking":
        if now.lane != Lane.PARKED or then.get("lane") != Lane.PARKED:
            return
        wanted = _parking_then(then, clearing=True)
        until = parse_datetime(wanted["until"]) if wanted["until"] else None
        if (wanted["reason"], wanted["condition"], until) != (
            now.parked_reason,
            now.parked_condition,
            now.parked_until,
        ):
            issue_park_edit(actor=actor, issue_id=issue_id, version=now.version, changes=wanted)
    elif name == "positions":
        held = {p.side_id: p for p in Position.objects.filter(issue_id=issue_id)}
        for position in then.get("positions", []):
            current = held.get(position["side"])
            if current is None or current.text != position["text"]:
                position_set(
                    actor=actor,
                    issue_id=issue_id,
                    side_id=position["side"],
                    text=position["text"],
                    version=current.version if current else 0,
                )


def _parking_then(then: dict[str, Any], *, clearing: bool = False) -> dict[str, Any]:
    """The snapshot's reason and way back as a move takes them; a time already past
    is left out (the board refuses to park until the past)."""
    until = then.get("parked_until")
    when = parse_datetime(until) if isinstance(until, str) else None
    if when is None or when <= timezone.now():
        until = "" if clearing else None
    if then.get("lane") != Lane.PARKED:
        return {}
    return {
        "reason": then.get("parked_reason") or ("" if clearing else None),
        "condition": then.get("parked_condition") or ("" if clearing else None),
        "until": until,
    }


def _index_then(board: list[dict[str, Any]], then: dict[str, Any]) -> int:
    """The card's place in its lane then (the board puts it at the end if the lane is
    shorter now)."""
    lane = sorted(
        (issue for issue in board if issue.get("lane") == then.get("lane")),
        key=lambda issue: (issue.get("order", 0), issue["id"]),
    )
    return next(index for index, issue in enumerate(lane) if issue["id"] == then["id"])
