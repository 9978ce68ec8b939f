"""The mediator's balance view: how much of the mediator's time and of the table each
side has had, read from the record (caucus sessions, the joint room's log, proposals,
break requests), so the mediator can check their own even-handedness.

Only the mediators see it (permissions.access_balance). It reads nothing said in any
caucus: only when private sessions began and ended, who acted in the joint room, and
who has opened which document (information parity: each side has what it needs to
decide), with the documents' names.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import datetime
from typing import Any

from django.db.models import Count, Max
from django.utils import timezone

from .models import (
    SIDED_ROLES,
    CaucusSession,
    Document,
    Event,
    Notification,
    Proposal,
    Role,
    Room,
    Side,
)
from .models.ids import RANDOM_BITS
from .permissions import room_members

# Joint-room events that record who joined, the session or the rights, not a side
# taking part in the discussion; everything else a side's people do there counts.
NOT_TAKING_PART = frozenset(
    {
        "participant.joined",
        "participant.updated",
        "access.revoked",
        "side.added",
        "mediation.updated",
        "caucus.updated",
        # A side's first opening of a document: reading, not taking part.
        "document.updated",
    }
)

# The gentle note: one side has had more than this many times the private time of
# another, and at least this much more of it.
NOTE_RATIO = 1.5
NOTE_MIN_SECONDS = 10 * 60


def mediation_balance(
    *, mediation_id: uuid.UUID | str, now: datetime | None = None
) -> dict[str, Any]:
    """Per side, as of `now` (default: the present): time in private session and how
    many sessions (a session counts from when it opened, until it closed or until now),
    proposals made, acts in the joint room (board edits, comments, answers) and when the
    last was, break requests; which side the mediator met privately first and last; and
    `note`, a neutral sentence when one side has had markedly more private time, else
    None. Only for a caller who may see it (permissions.access_balance)."""
    now = now or timezone.now()
    sides = list(Side.objects.filter(mediation_id=mediation_id).order_by("order", "id"))
    figures: dict[int, dict[str, Any]] = {
        side.pk: {
            "side": side.pk,
            "name": side.name,
            "private_seconds": 0,
            "private_sessions": 0,
            "in_private_since": None,
            "proposals": 0,
            "edits": 0,
            "last_acted_at": None,
            "break_requests": 0,
        }
        for side in sides
    }

    met = list(
        CaucusSession.objects.filter(mediation_id=mediation_id, opened_at__lte=now).order_by(
            "opened_at", "id"
        )
    )
    for session in met:
        opened_at = session.opened_at or now
        row = figures[session.side_id]
        running = session.closed_at is None or session.closed_at > now
        end = now if running or session.closed_at is None else session.closed_at
        row["private_seconds"] += int((end - opened_at).total_seconds())
        row["private_sessions"] += 1
        if running:
            row["in_private_since"] = opened_at

    joint = Room.objects.get(mediation_id=mediation_id, kind=Room.Kind.JOINT)
    proposals = (
        Proposal.objects.filter(issue__room=joint, side__isnull=False, created_at__lte=now)
        .values("side_id")
        .annotate(count=Count("id"))
    )
    for entry in proposals:
        figures[entry["side_id"]]["proposals"] = entry["count"]

    acts = (
        Event.objects.filter(
            room=joint,
            created_at__lte=now,
            actor__side__isnull=False,
            actor__role__in=sorted(role.value for role in SIDED_ROLES),
        )
        .exclude(name__in=NOT_TAKING_PART)
        .values("actor__side_id")
        .annotate(count=Count("id"), last=Max("created_at"))
    )
    for entry in acts:
        row = figures[entry["actor__side_id"]]
        row["edits"] = entry["count"]
        row["last_acted_at"] = entry["last"]

    for side_id, count in _break_requests(mediation_id, now).items():
        if side_id in figures:
            figures[side_id]["break_requests"] = count

    rows = list(figures.values())
    return {
        "documents": documents_opened(mediation_id, now),
        "now": now,
        "sides": rows,
        "first_met": met[0].side_id if met else None,
        "last_met": met[-1].side_id if met else None,
        "note": private_time_note(rows),
    }


def _break_requests(mediation_id: uuid.UUID | str, now: datetime) -> Counter[int]:
    """Break requests per side. A request leaves one notification per mediator, all
    made together (ids of one millisecond, see models.ids) and pointing to the asker's
    private room: a request is one (room, millisecond). A request made while every
    mediator still had the last one unread left no row, and is not counted."""
    rows = Notification.objects.filter(
        participant__mediation_id=mediation_id,
        kind=Notification.Kind.BREAK_REQUESTED,
        created_at__lte=now,
    ).values_list("room_key", "id")
    requests = {(room_key, pk >> RANDOM_BITS) for room_key, pk in rows}
    counts: Counter[int] = Counter()
    for room_key, _ in requests:
        prefix, _, side = room_key.partition(":")
        if prefix == "caucus" and side.isdigit():
            counts[int(side)] += 1
    return counts


def private_time_note(rows: list[dict[str, Any]]) -> str | None:
    """ "Sam has had 25 more minutes of private time than Alex", when the side with the
    most private time has had more than NOTE_RATIO times the least and at least
    NOTE_MIN_SECONDS more; worded the same whichever side it is."""
    if len(rows) < 2:
        return None
    ranked = sorted(rows, key=lambda row: row["private_seconds"])
    least, most = ranked[0], ranked[-1]
    more = most["private_seconds"] - least["private_seconds"]
    if most["private_seconds"] <= NOTE_RATIO * least["private_seconds"] or more < NOTE_MIN_SECONDS:
        return None
    return f"{most['name']} has had {more // 60} more minutes of private time than {least['name']}."


def documents_opened(mediation_id: uuid.UUID | str, now: datetime) -> list[dict[str, Any]]:
    """Per document not withdrawn, in every room: who among its room's people at the
    table (the parties, attorneys and experts who may see it) has opened it and when
    (`opened`, first opening), and who has not yet (`not_opened`). The mediators' own
    openings are left out: it is the table's information the view is about."""
    documents = list(
        Document.objects.filter(
            room__mediation_id=mediation_id, withdrawn_at__isnull=True, created_at__lte=now
        )
        .select_related("room", "issue")
        .prefetch_related("receipts__participant__user")
        .order_by("created_at", "id")
    )
    members_by_room: dict[int, list[Any]] = {}
    out = []
    for document in documents:
        if document.room_id not in members_by_room:
            members_by_room[document.room_id] = list(
                room_members(document.room)
                .exclude(role=Role.MEDIATOR)
                .select_related("user")
                .order_by("side__order", "role", "id")
            )
        opened = {
            receipt.participant_id: receipt
            for receipt in document.receipts.all()
            if receipt.opened_at <= now and receipt.participant.role != Role.MEDIATOR
        }
        out.append(
            {
                "id": document.pk,
                "name": document.name,
                "room": document.room.key,
                "issue": document.issue_id,
                "issue_title": document.issue.title if document.issue else None,
                "shared_at": document.created_at,
                "opened": [
                    {**_person(receipt.participant), "opened_at": receipt.opened_at}
                    for receipt in opened.values()
                ],
                "not_opened": [
                    _person(member)
                    for member in members_by_room[document.room_id]
                    if member.pk not in opened
                ],
            }
        )
    return out


def _person(participant: Any) -> dict[str, Any]:
    return {
        "participant": participant.pk,
        "name": participant.user.display_name,
        "role": participant.role,
        "side": participant.side_id,
    }
