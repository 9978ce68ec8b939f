"""Impasse tools: who may mark an impasse and read its cause, who writes and answers a
perspective round, and what an expert brought in on one issue may see.

The cause of an impasse and the strategies tried are the mediators' alone: they travel
only in `impasse` frames to each mediator's own connections (impasse_audience) and in
answers to mediators, never in a room's log, so no snapshot, replay, history, export or
notification can carry them.

What an expert brought in on one issue sees is in scope.py.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from config.errors import NotFound

from ..models import Participant, Role
from .audiences import active_members, mediators_of
from .lookups import access_mediation
from .predicates import can_manage_mediation, joint_closed

if TYPE_CHECKING:
    from accounts.models import User

# Sides that state and answer in a perspective round: the party and its attorney.
PERSPECTIVE_ROLES = (Role.PARTY, Role.ATTORNEY)


def can_handle_impasse(participant: Participant) -> bool:
    """Mark an issue at impasse, name and change its causes, clear it, start and end
    strategies and record what came of them: the mediator."""
    return participant.is_active and can_manage_mediation(participant)


def can_view_impasse(participant: Participant) -> bool:
    """Read an impasse's causes, the suggested strategies and the strategies tried, with
    their outcomes: the mediators only. Everyone else sees "We are trying another way"."""
    return participant.is_active and participant.role == Role.MEDIATOR


def impasse_audience(mediation_id: uuid.UUID | str) -> QuerySet[Participant]:
    """Who is told of a change to an impasse's cause or strategies: the mediators."""
    return mediators_of(mediation_id)


def has_perspective_turns(participant: Participant) -> bool:
    """Whether a perspective round's turn can wait on the participant: a side's party
    and attorney, who write and answer for it (can_state_perspective, break aside)."""
    return (
        participant.is_active
        and participant.role in PERSPECTIVE_ROLES
        and participant.side_id is not None
    )


def can_state_perspective(participant: Participant, side_id: int) -> bool:
    """Write (draft and submit) a side's statement of the other side's view: that side's
    party and attorney, while the joint board is not on a break for them."""
    return (
        has_perspective_turns(participant)
        and participant.side_id == side_id
        and not joint_closed(participant)
    )


def can_answer_perspective(participant: Participant, side_id: int) -> bool:
    """Say "that's right" to, or correct, a statement of side `side_id`'s view: that
    side's party and attorney."""
    return can_state_perspective(participant, side_id)


def perspective_turn_audience(mediation_id: uuid.UUID | str, side_id: int) -> QuerySet[Participant]:
    """Who is told that a perspective round's turn passed to side `side_id`: its party
    and attorney. Nobody else hears of a turn: the mediator reads the round itself."""
    return active_members(mediation_id).filter(side_id=side_id, role__in=PERSPECTIVE_ROLES)


def access_impasses(user: User, mediation_id: uuid.UUID | str) -> Participant:
    """The user's participation, if they may read the mediation's impasses (causes and
    strategies tried); for anyone else, the NotFound of a mediation that does not exist."""
    participant = access_mediation(user, mediation_id)
    if not can_view_impasse(participant):
        raise NotFound("No such mediation.")
    return participant
