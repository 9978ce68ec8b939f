"""Rooms are the unit of visibility: which rooms a participant sees, who is in a room,
and what of a caucus room an expert invited "from now on" may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from ..models import CaucusNote, CaucusSession, Participant, Role, Room
from ..models.ids import time_id_at
from .audiences import active_members
from .scope import scoped_frame


def can_view_room(participant: Participant, room: Room) -> bool:
    """The one rule of visibility. The joint room: every active participant. A caucus
    room: the mediators, that side's party and attorney, and an expert invited into that
    side's caucus, only while a caucus with that side is open.

    The same rule as visible_rooms, decided from the rows at hand: only an expert's open
    caucus takes a query (the rights of one connection ask it of every room, for each of
    a dozen controls). tests/negotiation/test_room_visibility.py holds the two equal."""
    if room.mediation_id != participant.mediation_id or not participant.is_active:
        return False
    if participant.role == Role.MEDIATOR or room.kind == Room.Kind.JOINT:
        return True
    if room.kind != Room.Kind.CAUCUS or not participant.side_id:
        return False
    if room.side_id != participant.side_id:
        return False
    if participant.role in (Role.PARTY, Role.ATTORNEY):
        return True
    if participant.role == Role.EXPERT:
        return CaucusSession.objects.filter(
            side_id=room.side_id, status=CaucusSession.Status.OPEN
        ).exists()
    return False


def visible_rooms(participant: Participant) -> QuerySet[Room]:
    """The rooms `participant` may see."""
    rooms = Room.objects.filter(mediation_id=participant.mediation_id)
    if not participant.is_active:
        return rooms.none()
    if participant.role == Role.MEDIATOR:
        return rooms
    own_caucus = Q(kind=Room.Kind.CAUCUS, side_id=participant.side_id)
    if participant.role in (Role.PARTY, Role.ATTORNEY) and participant.side_id:
        return rooms.filter(Q(kind=Room.Kind.JOINT) | own_caucus)
    if participant.role == Role.EXPERT and participant.side_id:
        caucus_open = Q(side__caucuses__status="open")
        return rooms.filter(Q(kind=Room.Kind.JOINT) | (own_caucus & caucus_open)).distinct()
    return rooms.filter(kind=Room.Kind.JOINT)


def room_members(room: Room) -> QuerySet[Participant]:
    """Who may see `room`: visible_rooms turned around, for fanning out notifications.
    tests/negotiation/test_permissions.py holds the two to the same answer."""
    members = active_members(room.mediation_id)
    if room.kind == Room.Kind.JOINT:
        return members
    side = Q(side_id=room.side_id)
    return members.filter(
        Q(role=Role.MEDIATOR)
        | (side & Q(role__in=[Role.PARTY, Role.ATTORNEY]))
        | (side & Q(role=Role.EXPERT) & Q(side__caucuses__status="open"))
    ).distinct()


def caucus_items_from(participant: Participant, room: Room) -> int | None:
    """The first caucus item (by its time id) `participant` may see in `room`, or None
    for all of them. An expert the mediator invited to read their side's private room
    only from then on sees nothing created there before they joined: not in a snapshot,
    not in a replay, and not in a later event about such an item (an edit, a mark, an
    answer to an older request)."""
    if room.kind != Room.Kind.CAUCUS or participant.caucus_history_from is None:
        return None
    return time_id_at(participant.caucus_history_from)


def can_view_caucus_note(participant: Participant, note: CaucusNote) -> bool:
    """A note for the mediator: everyone who sees its caucus room. A note of one's own:
    its author alone, not the mediator, not the attorney, not the party."""
    if note.visibility == CaucusNote.Visibility.OWN and note.author_id != participant.pk:
        return False
    return can_view_room(participant, note.room)


def caucus_notes_for(participant_id: int | None) -> Q:
    """The caucus notes a member of their room may read: can_view_caucus_note as a
    filter (the room's own check is the caller's). None: no one's own notes."""
    shared = ~Q(visibility=CaucusNote.Visibility.OWN)
    return shared if participant_id is None else shared | Q(author_id=participant_id)


def _own_note_of_another(frame: dict[str, Any], viewer: int) -> bool:
    data = frame.get("data")
    name = frame.get("name")
    if not isinstance(data, dict) or not isinstance(name, str):
        return False
    return (
        name.startswith("caucus_note.")
        and data.get("visibility") == CaucusNote.Visibility.OWN
        and data.get("author") != viewer
    )


def caucus_frame_for(
    items_from: int | None, frame: dict[str, Any], *, viewer: int, scope: int | None = None
) -> dict[str, Any]:
    """An event frame of a caucus room as participant `viewer` may receive it: the frame
    itself or, in its place, a `withheld` event of the same seq (the client moves on past
    it, learning only that something happened in a room it is in). Withheld: an event
    about an item from before `items_from`, and one about someone else's own note; and,
    for an expert brought in on issue `scope`, an event about anything else
    (scope.scoped_frame)."""
    frame = scoped_frame(scope, frame)
    if _own_note_of_another(frame, viewer):
        return {**frame, "name": "withheld", "data": {}}
    data = frame.get("data")
    item = data.get("id") if isinstance(data, dict) else None
    if items_from is None or not isinstance(item, int) or item >= items_from:
        return frame
    return {**frame, "name": "withheld", "data": {}}


def is_caucus_member(participant: Participant, room: Room) -> bool:
    return room.kind == Room.Kind.CAUCUS and can_view_room(participant, room)


def room_for(participant: Participant, key: object) -> Room | None:
    """A room the participant may see, by its protocol key ("joint", "caucus:<side>")."""
    for room in visible_rooms(participant):
        if room.key == key:
            return room
    return None
