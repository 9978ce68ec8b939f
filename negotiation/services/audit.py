"""The audit log of reads of caucus content (models/audit.py): written where a caucus
room's content is handed out, before it is, so a read that could not be recorded does
not happen. One row per room read, never per item, and never the content itself. A live
event delivered to a socket already in the room is covered by that socket's join."""

from __future__ import annotations

from collections.abc import Iterable

from ..models import CaucusRead, Participant, Room
from ..permissions import caucus_reads_audited


def caucus_reads_record(
    *, participant: Participant, rooms: Iterable[Room], via: CaucusRead.Via
) -> int:
    """Record that `participant` read the content of the caucus rooms among `rooms`
    (joint rooms are skipped), if their reads are audited (permissions.
    caucus_reads_audited). Returns how many rows it wrote. Emits no event."""
    if not caucus_reads_audited(participant):
        return 0
    caucus_rooms = [room for room in rooms if room.kind == Room.Kind.CAUCUS]
    if not caucus_rooms:
        return 0
    user = participant.user
    rows = [
        CaucusRead(
            mediation_id=participant.mediation_id,
            room=room,
            reader=user,
            participant=participant,
            reader_name=user.display_name[:150],
            reader_email=user.email,
            role=participant.role,
            via=via,
        )
        for room in caucus_rooms
    ]
    CaucusRead.objects.bulk_create(rows)
    return len(rows)
