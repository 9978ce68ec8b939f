"""Lookups: a thing by its id for a user or participant, raising NotFound both when it
does not exist and when they may not see it (the two are never told apart)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from config.errors import NotFound

from ..keys import row_key
from ..models import CaucusNote, Issue, Participant, Room, SessionSummary, Snapshot
from .predicates import can_view_balance, can_view_history
from .rooms import caucus_notes_for, visible_rooms
from .scope import issue_scope

if TYPE_CHECKING:
    from accounts.models import User


def active_participations(user: User) -> QuerySet[Participant]:
    return Participant.objects.active().filter(user_id=user.pk)


def only_row(queryset: QuerySet[Any]) -> Any:
    """The row of a query that finds at most one (by a unique key), or None: unordered,
    sparing the query its ordering (`first()` compiles the model's)."""
    return next(iter(queryset.order_by()[:1]), None)


def access_in_rooms(
    participant: Participant, queryset: QuerySet[Any], pk: object, *, room_path: str
) -> Any:
    """A row of `queryset` that lives in a room `participant` may see, by primary key.
    `room_path` is the lookup from the row to its room, e.g. "issue__room"."""
    key = row_key(pk)
    if key is None:
        raise NotFound("Not found.")
    row = only_row(queryset.filter(pk=key, **{f"{room_path}__in": visible_rooms(participant)}))
    if row is None:
        raise NotFound("Not found.")
    return row


def access_caucus_note(participant: Participant, note_id: object) -> CaucusNote:
    """A caucus note `participant` may read (rooms.can_view_caucus_note): someone else's
    own note is not found, the same as a note that does not exist."""
    notes = CaucusNote.objects.select_related("room__side", "room__mediation").filter(
        caucus_notes_for(participant.pk)
    )
    note: CaucusNote = access_in_rooms(participant, notes, note_id, room_path="room")
    return note


def access_mediation(user: User, mediation_id: uuid.UUID | str) -> Participant:
    """The user's active participation in the mediation, with the mediation loaded."""
    if not user.is_authenticated or not user.is_active:
        raise NotFound("No such mediation.")
    try:
        mediation_uuid = uuid.UUID(str(mediation_id))
    except ValueError:
        raise NotFound("No such mediation.") from None
    # At most one active participation per person and mediation (a unique constraint).
    participant: Participant | None = only_row(
        active_participations(user)
        .select_related("mediation", "side", "user")
        .filter(mediation_id=mediation_uuid)
    )
    if participant is None:
        raise NotFound("No such mediation.")
    return participant


def access_issue(participant: Participant, issue_id: object) -> Issue:
    """The issue, if the participant may see its room (an expert brought in on one issue:
    only that one)."""
    issues = Issue.objects.select_related("room")
    scope = issue_scope(participant)
    if scope is not None:
        issues = issues.filter(pk=scope)
    issue: Issue = access_in_rooms(participant, issues, issue_id, room_path="room")
    return issue


def access_caucus_room(participant: Participant, side_id: object) -> Room:
    """The caucus room of a side, if the participant may see it. Parties, attorneys and
    experts may leave the side out: theirs is meant."""
    if side_id is None:
        side_id = participant.side_id
    key = row_key(side_id)
    room = (
        None
        if key is None
        else visible_rooms(participant).filter(kind=Room.Kind.CAUCUS, side_id=key).first()
    )
    if room is None:
        raise NotFound("No such room.")
    return room


def access_balance(user: User, mediation_id: uuid.UUID | str) -> Participant:
    """The user's participation in the mediation, if they may see its balance view; for
    anyone else, the same NotFound as for a mediation that does not exist."""
    participant = access_mediation(user, mediation_id)
    if not can_view_balance(participant):
        raise NotFound("No such mediation.")
    return participant


def access_snapshot(participant: Participant, snapshot_id: object) -> Snapshot:
    """A snapshot of a room the participant may see now (a caucus room's: only its
    members), with its room loaded."""
    if not can_view_history(participant):
        raise NotFound("No such snapshot.")
    snapshot: Snapshot = access_in_rooms(
        participant, Snapshot.objects.select_related("room"), snapshot_id, room_path="room"
    )
    return snapshot


def access_summary(participant: Participant) -> SessionSummary:
    """The latest built summary of the participant's mediation (it holds joint content
    only: everyone at the joint table may read it)."""
    joint = visible_rooms(participant).filter(kind=Room.Kind.JOINT).first()
    summary = (
        None
        if joint is None
        else SessionSummary.objects.filter(mediation_id=joint.mediation_id, built_at__isnull=False)
        .order_by("-created_at", "-id")
        .first()
    )
    if summary is None:
        raise NotFound("No summary yet.")
    return summary
