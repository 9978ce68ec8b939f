"""Who may see and do what. The one place that decides; views, consumers, tasks and
exports all ask here.

`can_*` are pure predicates on a participant. `access_*` look a thing up for a user and
raise NotFound both when it does not exist and when the user may not see it.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

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
