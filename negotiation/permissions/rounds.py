"""Who may run, join and read the rounds on an issue (models/rounds.py).

Brainstorm: the mediator starts and ends a round; everyone at the table but observers
adds options to it (the parties, their attorneys, an expert, the mediator), as they
comment; while a caucus pauses the joint board, only the mediator. While a round is
open nobody evaluates the issue's options: no option is edited or struck and nobody
comments on the issue.

Sealed positions: the mediator asks and cancels. A side's submission is its party's to
make and replace, as a side's answers are (attorneys advise, parties decide); the side's
attorney reads it with the party. Nobody else reads a submission, or learns whether a
side has submitted, before the reveal: not the other sides, not the mediator, not an
expert or observer, not an expert in the side's own private room.
"""

from __future__ import annotations

import uuid

from django.db.models import QuerySet

from ..models import BrainstormRound, Issue, Participant, Role
from .audiences import active_members
from .predicates import can_manage_mediation, joint_closed

# Who reads a side's sealed submission before the reveal, with the party who makes it.
SEALED_READERS = (Role.PARTY, Role.ATTORNEY)


def can_run_rounds(participant: Participant) -> bool:
    """Start and end a brainstorm round, ask for and cancel sealed positions: the
    mediator."""
    return participant.is_active and can_manage_mediation(participant)


def can_add_brainstorm_option(participant: Participant) -> bool:
    if not participant.is_active or participant.role == Role.OBSERVER:
        return False
    if participant.role == Role.MEDIATOR:
        return True
    mediation = participant.mediation
    return not joint_closed(participant) and not mediation.joint_paused


def options_held(issue: Issue) -> bool:
    """Whether a brainstorm round is open on the issue: its options are not evaluated
    (edited, struck) and the issue takes no comments until the mediator ends it."""
    return BrainstormRound.objects.filter(issue=issue, status=BrainstormRound.Status.OPEN).exists()


def can_submit_sealed(participant: Participant) -> bool:
    """Submit or replace one's side's sealed figure or position: its party, not during
    a break."""
    return (
        participant.is_active
        and participant.role == Role.PARTY
        and participant.side_id is not None
        and not joint_closed(participant)
    )


def sealed_side_of(participant: Participant) -> int | None:
    """The side whose sealed submissions `participant` reads before the reveal, or None."""
    if participant.is_active and participant.role in SEALED_READERS:
        return participant.side_id
    return None


def sealed_readers(mediation_id: uuid.UUID | str, side_id: int) -> QuerySet[Participant]:
    """Who is told of a side's own sealed submission before the reveal: its party and
    attorney, nobody else."""
    return active_members(mediation_id).filter(side_id=side_id, role__in=SEALED_READERS)


def sealed_askees(mediation_id: uuid.UUID | str) -> QuerySet[Participant]:
    """Who is told that the mediator asks for sealed positions: every side's party, who
    makes its submission (the round waits on them as a side's answers do:
    predicates.answers_for_side)."""
    return active_members(mediation_id).filter(side__isnull=False, role=Role.PARTY)
