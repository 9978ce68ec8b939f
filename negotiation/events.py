"""Write, record, then tell.

A service appends an Event to the room's log in the same transaction as its change; the
event goes to the room's channel group only after the transaction commits. The channel
layer is a hint bus: clients that miss a message catch up from the log with `sync`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from accounts.socket_groups import group_post, group_tell

from .models import Event, Participant, Room


def event_frame(event: Event, room_key: str) -> dict[str, Any]:
    """The `event` frame a client receives, as sent live and as replayed by sync."""
    return {
        "type": "event",
        "room": room_key,
        "seq": event.seq,
        "name": event.name,
        "data": event.data,
    }


def room_lock(room: Room) -> None:
    """Serialise the writes of one room. Every service that changes a room's content takes
    this lock first, before any row lock, so writers queue in one order and never deadlock;
    event_append then numbers events under the same lock."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("room_lock must run inside the change's transaction.")
    Room.objects.select_for_update().filter(pk=room.pk).values_list("pk", flat=True).get()


def rooms_lock(*rooms: Room) -> None:
    """Lock several rooms in one fixed order (by id: the joint room, made first, comes
    first), so two writers that touch the same rooms cannot deadlock."""
    for room in sorted({room.pk: room for room in rooms}.values(), key=lambda room: room.pk):
        room_lock(room)


def participant_send(participant_id: int, message: dict[str, Any]) -> None:
    """After commit, tell one participant's connections (their notification centre, or
    that their access changed and they must recheck their rooms)."""
    group = f"participant.{participant_id}"
    transaction.on_commit(lambda: group_send(group, message))


def group_send(group: str, message: dict[str, Any]) -> None:
    """Send to a channel group now; a failure is logged, never raised (the channel layer
    is a hint bus: clients catch up from the log)."""
    group_tell(group, message)


def event_append(
    *,
    room: Room,
    name: str,
    data: dict[str, Any],
    actor: Participant | None = None,
    at: datetime | None = None,
) -> Event:
    """Record an event in `room`'s log with the room's next sequence number.

    Must run inside the transaction that makes the change. Takes the room row's lock, so
    sequence numbers have no gaps and no repeats. The event is sent on commit. `at`
    records another time than now (an anonymous brainstorm option keeps its round's).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("event_append must run inside the change's transaction.")
    with connection.cursor() as cursor:
        # One statement for both: PostgreSQL and SQLite (3.35+) return the new number.
        cursor.execute(
            f"UPDATE {Room._meta.db_table} SET last_seq = last_seq + 1 WHERE id = %s "  # noqa: S608
            "RETURNING last_seq",
            [room.pk],
        )
        (seq,) = cursor.fetchone()
    room.last_seq = seq
    event = Event.objects.create(
        room=room, seq=seq, name=name, data=data, actor=actor, created_at=at or timezone.now()
    )
    frame = event_frame(event, room.key)
    group = room.group_name
    transaction.on_commit(lambda: event_send(group, frame))
    return event


def event_send(group: str, frame: dict[str, Any]) -> None:
    """Tell the room's connected clients. A lost message is recovered by sync, so a
    channel layer failure is logged, never raised into the committed request. Posted, not
    awaited: the database thread goes on to the next change while the event is sent."""
    group_post(group, {"type": "room.event", "frame": frame})
