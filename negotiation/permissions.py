"""Who may see and do what. The one place that decides; views, consumers, tasks and
exports all ask here.

`can_*` are pure predicates on a participant. `access_*` look a thing up for a user and
raise NotFound both when it does not exist and when the user may not see it.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from config.errors import NotFound

from .keys import row_key
from .models import ConfidentialityRule, Participant, Role, Room
from .models.ids import time_id_at

if TYPE_CHECKING:
    from accounts.models import User


# --- predicates -------------------------------------------------------------------------


def can_create_mediation(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_mediator)


def can_manage_mediation(participant: Participant) -> bool:
    """Run the session: stages, sides, invitations, caucuses."""
    return participant.role == Role.MEDIATOR


def can_add_side(participant: Participant) -> bool:
    return can_manage_mediation(participant)


def can_invite(participant: Participant) -> bool:
    return can_manage_mediation(participant)


def can_view_invitations(participant: Participant) -> bool:
    return can_manage_mediation(participant)


def can_view_contact_details(participant: Participant) -> bool:
    """E-mail addresses of the other participants."""
    return can_manage_mediation(participant)


def can_edit_board(participant: Participant) -> bool:
    """Add and edit issues, options and criteria, and move cards between lanes. While
    the mediator pauses joint editing (during a caucus), only mediators do."""
    if not participant.is_active:
        return False
    if participant.role == Role.MEDIATOR:
        return True
    return participant.role == Role.PARTY and not participant.mediation.joint_paused


def can_speak_for_side(participant: Participant, side_id: int | None) -> bool:
    """State a side's position and interests: its party, or the mediator (who writes
    what a side says when they say it aloud)."""
    if not participant.is_active or side_id is None:
        return False
    if participant.role == Role.MEDIATOR:
        return True
    return can_edit_board(participant) and participant.side_id == side_id


def can_propose(participant: Participant) -> bool:
    """Make a proposal: a party for their side, or the mediator as a mediator's proposal."""
    return can_edit_board(participant)


def can_respond(participant: Participant, side_id: int | None) -> bool:
    """Answer a proposal for a side: only that side's party. Attorneys advise, parties
    decide; the mediator never answers for anyone."""
    return (
        participant.is_active
        and participant.role == Role.PARTY
        and side_id is not None
        and participant.side_id == side_id
    )


def can_withdraw(participant: Participant, proposal_side_id: int | None) -> bool:
    """Withdraw a proposal: whoever made it (its side's party, or the mediator for the
    mediator's own proposals)."""
    if not participant.is_active:
        return False
    if proposal_side_id is None:
        return participant.role == Role.MEDIATOR
    return participant.role == Role.PARTY and participant.side_id == proposal_side_id


def can_comment(participant: Participant) -> bool:
    return participant.is_active and participant.role != Role.OBSERVER


def can_view_room(participant: Participant, room: Room) -> bool:
    """The one rule of visibility. The joint room: every active participant. A caucus
    room: the mediators, that side's party and attorney, and an expert invited into that
    side's caucus, only while a caucus with that side is open."""
    return visible_rooms(participant).filter(pk=room.pk).exists()


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


def caucus_frame_for(items_from: int | None, frame: dict[str, Any]) -> dict[str, Any]:
    """An event frame of a caucus room as `items_from` allows it: the frame itself, or,
    for an event about an earlier item, a `withheld` event of the same seq in its place
    (the client moves on past it, learning only that something happened in a room it is
    in)."""
    data = frame.get("data")
    item = data.get("id") if isinstance(data, dict) else None
    if items_from is None or not isinstance(item, int) or item >= items_from:
        return frame
    return {**frame, "name": "withheld", "data": {}}


def is_caucus_member(participant: Participant, room: Room) -> bool:
    return room.kind == Room.Kind.CAUCUS and can_view_room(participant, room)


def can_manage_caucus(participant: Participant) -> bool:
    """Call, open and close caucuses, pause joint editing, set the confidentiality rule."""
    return can_manage_mediation(participant)


def can_write_in_caucus(participant: Participant, room: Room) -> bool:
    """Post messages, keep notes and worksheets in a caucus: its members, once they have
    acknowledged the case's confidentiality rule (the mediator sets it, so is bound)."""
    if not is_caucus_member(participant, room):
        return False
    return participant.role == Role.MEDIATOR or (
        participant.rule_acknowledged == participant.mediation.confidentiality_rule
    )


def can_draft_release(participant: Participant, room: Room) -> bool:
    """Ask to carry caucus content to the joint room: the mediator, or the side's party."""
    if not can_write_in_caucus(participant, room):
        return False
    return participant.role == Role.MEDIATOR or (
        participant.role == Role.PARTY and participant.side_id == room.side_id
    )


def can_answer_release(participant: Participant, room: Room) -> bool:
    """Release or decline: only a party of the caucus's side. Nobody else, the mediator
    and the side's attorney included, can put a side's words in the joint room."""
    return (
        participant.role == Role.PARTY
        and participant.side_id == room.side_id
        and can_write_in_caucus(participant, room)
    )


def can_lower_mark(
    participant: Participant, room: Room, *, author_id: int | None, marked_by_id: int | None
) -> bool:
    """Take the confidential mark off a caucus message or note: a party of the room's side
    (it is their secret), or the item's author when they set the mark themselves. Nobody
    else, the mediator and the attorney included: a mark lowered is a mark the mediator
    may then share past."""
    if not can_write_in_caucus(participant, room):
        return False
    if participant.role == Role.PARTY and participant.side_id == room.side_id:
        return True
    return participant.pk == author_id and participant.pk == marked_by_id


def can_raise_mark(participant: Participant, room: Room) -> bool:
    """Mark a caucus message or note confidential: any member who may write there (more
    protection never harms the side)."""
    return can_write_in_caucus(participant, room)


def can_share_unmarked(
    participant: Participant,
    *,
    rule: str,
    item_rule: str,
    confidential: bool,
    refused: bool,
) -> bool:
    """Under the rule "the mediator may share unless marked confidential", the mediator
    may carry an unmarked caucus item to the joint room without asking, but only an item
    written under that rule (`item_rule`, which its author had accepted: writing needs the
    acknowledgement), never one said in confidence under the default rule before a
    change, and never one the party was asked about and declined, is still deciding on,
    or released only in part (`refused`): a party's answer about an item is the most
    that may ever leave about it."""
    permissive = ConfidentialityRule.SHAREABLE_UNLESS_MARKED
    return (
        participant.is_active
        and participant.role == Role.MEDIATOR
        and rule == permissive
        and item_rule == permissive
        and not confidential
        and not refused
    )


def can_set_access_time(participant: Participant, expert: Participant) -> bool:
    """Set or end an expert's invited time: the mediator, for an expert of the mediation."""
    return (
        can_manage_mediation(participant)
        and participant.is_active
        and expert.mediation_id == participant.mediation_id
        and expert.role == Role.EXPERT
    )


def active_members(mediation_id: uuid.UUID | str) -> QuerySet[Participant]:
    """Everyone whose place in a mediation holds now: not removed, time not up. Every
    fan-out (notifications, experts to move between rooms) starts from here."""
    now = timezone.now()
    return Participant.objects.filter(mediation_id=mediation_id, removed_at__isnull=True).filter(
        Q(access_expires_at__isnull=True) | Q(access_expires_at__gt=now)
    )


# --- lookups ----------------------------------------------------------------------------


def active_participations(user: User) -> QuerySet[Participant]:
    now = timezone.now()
    return Participant.objects.filter(user_id=user.pk, removed_at__isnull=True).filter(
        Q(access_expires_at__isnull=True) | Q(access_expires_at__gt=now)
    )


def access_in_rooms(
    participant: Participant, queryset: QuerySet[Any], pk: object, *, room_path: str
) -> Any:
    """A row of `queryset` that lives in a room `participant` may see, by primary key.
    `room_path` is the lookup from the row to its room, e.g. "issue__room"."""
    key = row_key(pk)
    if key is None:
        raise NotFound("Not found.")
    row = queryset.filter(pk=key, **{f"{room_path}__in": visible_rooms(participant)}).first()
    if row is None:
        raise NotFound("Not found.")
    return row


def access_mediation(user: User, mediation_id: uuid.UUID | str) -> Participant:
    """The user's active participation in the mediation, with the mediation loaded."""
    if not user.is_authenticated or not user.is_active:
        raise NotFound("No such mediation.")
    try:
        mediation_uuid = uuid.UUID(str(mediation_id))
    except ValueError:
        raise NotFound("No such mediation.") from None
    participant = (
        active_participations(user)
        .select_related("mediation", "side", "user")
        .filter(mediation_id=mediation_uuid)
        .first()
    )
    if participant is None:
        raise NotFound("No such mediation.")
    return participant
