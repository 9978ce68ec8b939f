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

from .errors import NotFound
from .models import Participant, Role, Room

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
    """Add and edit issues, options and criteria, and move cards between lanes."""
    return participant.is_active and participant.role in (Role.MEDIATOR, Role.PARTY)


def can_speak_for_side(participant: Participant, side_id: int | None) -> bool:
    """State a side's position and interests: its party, or the mediator (who writes
    what a side says when they say it aloud)."""
    if not participant.is_active or side_id is None:
        return False
    if participant.role == Role.MEDIATOR:
        return True
    return participant.role == Role.PARTY and participant.side_id == side_id


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
    if room.mediation_id != participant.mediation_id or not participant.is_active:
        return False
    if room.kind == Room.Kind.JOINT:
        return True
    if participant.role == Role.MEDIATOR:
        return True
    if participant.role in (Role.PARTY, Role.ATTORNEY, Role.EXPERT):
        return participant.side_id is not None and participant.side_id == room.side_id
    return False


def visible_rooms(participant: Participant) -> QuerySet[Room]:
    """The rooms `participant` may see, in the same terms as can_view_room."""
    rooms = Room.objects.filter(mediation_id=participant.mediation_id)
    if not participant.is_active:
        return rooms.none()
    if participant.role == Role.MEDIATOR:
        return rooms
    own_caucus = Q(kind=Room.Kind.CAUCUS, side_id=participant.side_id)
    if participant.role in (Role.PARTY, Role.ATTORNEY, Role.EXPERT) and participant.side_id:
        return rooms.filter(Q(kind=Room.Kind.JOINT) | own_caucus)
    return rooms.filter(kind=Room.Kind.JOINT)


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
    try:
        key = int(str(pk))
    except ValueError:
        raise NotFound("Not found.") from None
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
