"""Who receives what a room or a mediation says: the fan-outs of notifications and
events, all from one rule of who is in a mediation now."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet

from ..models import Participant, Role, Room, Side


def active_members(mediation_id: uuid.UUID | str) -> QuerySet[Participant]:
    """Everyone whose place in a mediation holds now: not removed, time not up. Every
    fan-out (notifications, experts to move between rooms) starts from here."""
    return Participant.objects.active().filter(mediation_id=mediation_id)


def mediators_of(mediation_id: uuid.UUID | str) -> QuerySet[Participant]:
    return active_members(mediation_id).filter(role=Role.MEDIATOR)


def parties_of(room: Room) -> QuerySet[Participant]:
    """The parties of a caucus room's side: who answers for what was said there."""
    return active_members(room.mediation_id).filter(side_id=room.caucus_side_id, role=Role.PARTY)


# Who is prompted when the mediator calls a side to a private meeting: its party and
# attorney (an expert comes in when it opens).
CALLED_ROLES = (Role.PARTY, Role.ATTORNEY)


def called_to_caucus(room: Room) -> QuerySet[Participant]:
    """Who is prompted when the mediator calls a side to a private meeting."""
    return active_members(room.mediation_id).filter(
        side_id=room.caucus_side_id, role__in=CALLED_ROLES
    )


def is_called_with_side(participant: Participant) -> bool:
    """Whether a call of the participant's side to a private meeting waits on them."""
    return participant.side_id is not None and participant.role in CALLED_ROLES


def answering_for_sides(
    mediation_id: uuid.UUID | str, *, but: int | None = None
) -> QuerySet[Participant]:
    """Who hears that their side is asked to answer (a proposal): every side's party and
    attorney, but those of side `but` (the asker's own)."""
    members = active_members(mediation_id).filter(
        side__isnull=False, role__in=[Role.PARTY, Role.ATTORNEY]
    )
    return members.exclude(side_id=but) if but is not None else members


def of_side(mediation_id: uuid.UUID | str, side_id: int | None) -> QuerySet[Participant]:
    """Who hears what comes to a side's own act (an answer to its proposal): its party
    and attorney; for the mediator's own (no side), the mediators."""
    if side_id is None:
        return mediators_of(mediation_id)
    return active_members(mediation_id).filter(
        side_id=side_id, role__in=[Role.PARTY, Role.ATTORNEY]
    )


def experts_of(side: Side) -> list[Participant]:
    """The experts invited into a side's private room, whose access follows its caucus."""
    return list(active_members(side.mediation_id).filter(side=side, role=Role.EXPERT))
