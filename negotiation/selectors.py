"""Reads: what a participant's client needs to draw a room, and what it missed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction

from .document_serializers import InformationCheckSerializer, documents_data
from .events import event_frame
from .impasse_reads import perspective_rounds
from .models import (
    BrainstormRound,
    CaucusMessage,
    CaucusNote,
    CaucusSession,
    Document,
    Event,
    InformationCheck,
    Issue,
    Mediation,
    OpeningStatement,
    Participant,
    RealityCheck,
    ReleaseRequest,
    Room,
    SealedRound,
    SharedStatement,
)
from .permissions import (
    caucus_frame_for,
    caucus_items_from,
    caucus_notes_for,
    issue_scope,
    rights_of,
    room_for,
    scoped_snapshot_data,
    visible_rooms,
)
from .permissions.lookups import only_row
from .round_serializers import BrainstormRoundSerializer, SealedRoundSerializer
from .rows import rows_represented
from .serializers import (
    CaucusMessageSerializer,
    CaucusNoteSerializer,
    CaucusSessionSerializer,
    IssueSerializer,
    MediationStateSerializer,
    OpeningStatementSerializer,
    RealityCheckSerializer,
    ReleaseRequestSerializer,
    SharedStatementSerializer,
)

# A client further behind than this gets a fresh snapshot instead of a replay.
REPLAY_MAX = 200


# The order of what hangs on an issue, where not its model's own.
ISSUE_ORDERINGS = {
    "decisions": ("id",),
    "consents": ("side__order", "id"),
    "proposals": ("id",),
    "responses": ("side__order", "id"),
}


def _issues(room: Room) -> list[dict[str, Any]]:
    """Every issue of a room with all that hangs on it, as IssueSerializer shows them,
    read as rows: a fixed number of queries (negotiation/rows.py)."""
    issues = Issue.objects.filter(room=room).order_by("lane", "order", "id")
    return rows_represented(IssueSerializer, issues, orderings=ISSUE_ORDERINGS)


def rounds_data(room: Room) -> dict[str, Any]:
    """The rounds on the joint room's issues, as everyone sees them: a sealed round's
    submissions only once revealed (round_serializers)."""
    return {
        "brainstorms": list(
            BrainstormRoundSerializer(
                BrainstormRound.objects.filter(issue__room=room).order_by("id"), many=True
            ).data
        ),
        "sealed": list(
            SealedRoundSerializer(
                SealedRound.objects.filter(issue__room=room).order_by("id"), many=True
            ).data
        ),
    }


def shown_openings(mediation: Mediation) -> list[dict[str, Any]]:
    """The opening statements everyone sees: none before the mediator opens them, then
    those their side's party has said are ready (services.openings)."""
    if mediation.openings_shown_at is None:
        return []
    rows = OpeningStatement.objects.filter(room__mediation=mediation, ready=True)
    return list(OpeningStatementSerializer(rows, many=True).data)


def room_snapshot(room: Room) -> dict[str, Any]:
    """A room's whole state and the sequence number it is current to, read consistently:
    on PostgreSQL in one REPEATABLE READ transaction, so the content and `seq` match.
    Nobody's own notes are in it: they are read only by their authors (room_snapshot_for)."""
    with _consistent_read():
        return _room_snapshot_read(room, None, None)


def room_snapshot_for(participant_id: int, key: object) -> dict[str, Any] | None:
    """The snapshot of a room by its key, for a participant who may see it, or None.

    The access check and the read happen in one consistent read: a caucus closing, or a
    removal, committed between the check and the read would otherwise let that moment's
    content into the snapshot of someone who just lost the room. Here, either the check
    sees the change (None), or the content is all from before it."""
    with _consistent_read():
        found = _room_of(participant_id, key)
        if found is None:
            return None
        participant, room = found
        return _room_snapshot_read(
            room, caucus_items_from(participant, room), participant.pk, issue_scope(participant)
        )


def room_catch_up_for(participant_id: int, key: object, after: int) -> list[dict[str, Any]] | None:
    """What brings a participant's client from `after` to now in a room: its event
    frames, or a snapshot frame alone when it is too far behind; None when the
    participant may not see the room now. Checked and read in one consistent read."""
    if not isinstance(key, str):
        return None
    return rooms_catch_up_for(participant_id, {key: after})[key]


def rooms_catch_up_for(
    participant_id: int, wanted: dict[str, int]
) -> dict[str, list[dict[str, Any]] | None]:
    """room_catch_up_for for several rooms at once (a client's sync names each room it
    follows), in one consistent read: the participant and their rooms are read once."""
    with _consistent_read():
        participant = participant_read(participant_id)
        rooms = {} if participant is None else {r.key: r for r in visible_rooms(participant)}
        scope = None if participant is None else issue_scope(participant)
        answers: dict[str, list[dict[str, Any]] | None] = {}
        for key, after in wanted.items():
            room = rooms.get(key)
            if participant is None or room is None:
                answers[key] = None
                continue
            items_from = caucus_items_from(participant, room)
            # The room's row was read in this same snapshot: its last_seq is the log's.
            frames = room_catch_up(room, after, last_seq=room.last_seq)
            if frames is None:
                answers[key] = [_room_snapshot_read(room, items_from, participant.pk, scope)]
                continue
            answers[key] = [
                caucus_frame_for(items_from, frame, viewer=participant.pk, scope=scope)
                for frame in frames
            ]
        return answers


def room_events_after_for(
    participant_id: int, key: object, after: int
) -> list[dict[str, Any]] | None:
    """Up to REPLAY_MAX event frames of a room after `after` (a gap to fill), or None
    when the participant may not see the room now. Checked and read in one read."""
    with _consistent_read():
        found = _room_of(participant_id, key)
        if found is None:
            return None
        participant, room = found
        items_from = caucus_items_from(participant, room)
        scope = issue_scope(participant)
        events = Event.objects.filter(room=room, seq__gt=after).order_by("seq")[:REPLAY_MAX]
        return [
            caucus_frame_for(
                items_from, event_frame(event, room.key), viewer=participant.pk, scope=scope
            )
            for event in events
        ]


def participant_read(participant_id: int) -> Participant | None:
    """A participant with their mediation and side, as the database has them now."""
    participant: Participant | None = only_row(
        Participant.objects.select_related("mediation", "side").filter(pk=participant_id)
    )
    return participant


def _room_of(participant_id: int, key: object) -> tuple[Participant, Room] | None:
    participant = participant_read(participant_id)
    room = None if participant is None else room_for(participant, key)
    return None if participant is None or room is None else (participant, room)


@contextmanager
def _consistent_read() -> Iterator[None]:
    """One snapshot of the database for every read inside: REPEATABLE READ on
    PostgreSQL; on SQLite a transaction reads one snapshot already."""
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def _room_snapshot_read(
    room: Room, items_from: int | None, viewer: int | None, scope: int | None = None
) -> dict[str, Any]:
    seq = Room.objects.values_list("last_seq", flat=True).get(pk=room.pk)
    data = (
        _joint_data(room)
        if room.kind == Room.Kind.JOINT
        else _caucus_data(room, items_from, viewer)
    )
    return {
        "type": "snapshot",
        "room": room.key,
        "seq": seq,
        "data": scoped_snapshot_data(scope, data),
    }


def _joint_data(room: Room) -> dict[str, Any]:
    mediation = Mediation.objects.get(pk=room.mediation_id)
    return {
        "mediation": dict(MediationStateSerializer(mediation).data),
        "caucuses": list(
            CaucusSessionSerializer(
                CaucusSession.objects.filter(mediation_id=room.mediation_id), many=True
            ).data
        ),
        "issues": _issues(room),
        "statements": list(
            SharedStatementSerializer(SharedStatement.objects.filter(room=room), many=True).data
        ),
        "openings": shown_openings(mediation),
        "documents": documents_data(Document.objects.filter(room=room, withdrawn_at__isnull=True)),
        "perspectives": perspective_rounds(room),
        **rounds_data(room),
    }


def _caucus_data(room: Room, items_from: int | None, viewer: int | None) -> dict[str, Any]:
    """Everything in a caucus room that participant `viewer` may read (from item
    `items_from` on, when given: see permissions.caucus_items_from; no one else's own
    notes). Only ever called for a room the caller may see."""
    since = {} if items_from is None else {"pk__gte": items_from}
    return {
        "messages": list(
            CaucusMessageSerializer(
                CaucusMessage.objects.filter(room=room, **since), many=True
            ).data
        ),
        "notes": list(
            CaucusNoteSerializer(
                CaucusNote.objects.filter(caucus_notes_for(viewer), room=room, **since),
                many=True,
            ).data
        ),
        "worksheets": list(
            RealityCheckSerializer(RealityCheck.objects.filter(room=room, **since), many=True).data
        ),
        "releases": list(
            ReleaseRequestSerializer(
                ReleaseRequest.objects.filter(room=room, **since), many=True
            ).data
        ),
        "openings": list(
            OpeningStatementSerializer(
                OpeningStatement.objects.filter(room=room, **since), many=True
            ).data
        ),
        "documents": documents_data(
            Document.objects.filter(room=room, withdrawn_at__isnull=True, **since)
        ),
        "information": list(
            InformationCheckSerializer(
                InformationCheck.objects.filter(room=room, **since).select_related("participant"),
                many=True,
            ).data
        ),
    }


def board_snapshot(participant: Participant) -> dict[str, Any]:
    """The joint board for REST: its content and the last sequence number of every room
    the participant may see."""
    joint = participant.mediation.joint_room()
    snapshot = room_snapshot(joint)
    return {
        "rooms": {room.key: room.last_seq for room in visible_rooms(participant)}
        | {"joint": snapshot["seq"]},
        **scoped_snapshot_data(issue_scope(participant), snapshot["data"]),
    }


def room_catch_up(
    room: Room, after: int, *, last_seq: int | None = None
) -> list[dict[str, Any]] | None:
    """The event frames of `room` after sequence number `after`, in order; None when the
    client should take a snapshot instead (too far behind, or ahead of the log).
    `last_seq`: where the log stands, when the caller read it in the same snapshot."""
    if last_seq is None:
        last_seq = Room.objects.values_list("last_seq", flat=True).get(pk=room.pk)
    if after < 0 or after > last_seq or last_seq - after > REPLAY_MAX:
        return None
    if after == last_seq:
        return []
    events = Event.objects.filter(room=room, seq__gt=after).order_by("seq")
    return [event_frame(event, room.key) for event in events]


def room_seqs(rooms: list[Room]) -> dict[int, int]:
    """Where each room's log stands now, by room id."""
    return dict(
        Room.objects.filter(pk__in=[room.pk for room in rooms]).values_list("pk", "last_seq")
    )


def participant_rooms_now(participant_id: int) -> tuple[Participant, dict[str, Room]] | None:
    """A participant as they stand now and the rooms they see, by key; None when their
    place in the mediation no longer holds."""
    participant = participant_read(participant_id)
    if participant is None or not participant.is_active:
        return None
    return participant, {room.key: room for room in visible_rooms(participant)}


def participant_rights_now(participant_id: int) -> dict[str, Any] | None:
    """A participant's rights as they stand now (permissions.rights_of); None when their
    place no longer holds."""
    participant = participant_read(participant_id)
    return None if participant is None or not participant.is_active else rights_of(participant)
