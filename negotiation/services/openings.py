"""Opening statements: each side's, written in advance in its private room or live, shown
to everyone when the mediator opens them.

A statement lives in its side's caucus room: its party, attorney and the mediators read
and write it there (`opening.saved` in that room). Nothing of it reaches the joint room
until the side's party says it may be shown (`ready`) and the mediator opens the
statements: then the ready ones go to the joint room (`openings.shown`), and each later
change to a shown one by the party (`opening.saved` in the joint room too). An edit by
anyone but the party takes the party's `ready` back; once shown, only the party edits it.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from config.errors import Invalid, NotAllowed

from ..events import event_append, rooms_lock
from ..models import Mediation, OpeningStatement, Participant
from ..permissions import (
    access_caucus_room,
    can_manage_mediation,
    can_ready_opening,
    can_write_opening,
    joint_closed,
)
from ..selectors import shown_openings
from ..serializers import MediationStateSerializer, OpeningStatementSerializer, payload
from .validation import ON_BREAK, max_length_of, text_clean, version_check

TEXT_MAX = max_length_of(OpeningStatement, "text")


def opening_payload(opening: OpeningStatement) -> dict[str, Any]:
    return payload(opening, OpeningStatementSerializer)


def opening_set(
    *,
    actor: Participant,
    version: object,
    side_id: object = None,
    text: object = None,
    ready: object = None,
) -> OpeningStatement:
    """Write a side's opening statement (`version` 0 for the first) and/or, as the side's
    party, say whether it may be shown (`ready`). Parties and attorneys may leave out
    `side`: theirs is meant.

    Raises NotFound for a room the actor cannot see; NotAllowed for anyone else, for
    `ready` from anyone but the party, for an edit of a shown statement by anyone but the
    party, and during a break once shown; Invalid for long text or nothing to change;
    Conflict for a stale version. Emits `opening.saved` in the side's room, and in the
    joint room too when the statement is shown.
    """
    if text is None and ready is None:
        raise Invalid("Nothing to change.", details={"text": ["Write the statement."]})
    words = (
        None
        if text is None
        else text_clean(text, field="text", max_length=TEXT_MAX, required=False, label="statement")
    )
    if ready is not None and not isinstance(ready, bool):
        raise Invalid("Ready is yes or no.", details={"ready": ["Send true or false."]})
    room = access_caucus_room(actor, side_id)
    if not can_write_opening(actor, room):
        raise NotAllowed("Only the side's party, its attorney and the mediator write it.")
    if ready is not None and not can_ready_opening(actor, room):
        raise NotAllowed("Only the side's party says whether it may be shown.")
    mediation = actor.mediation
    joint = mediation.joint_room()
    with transaction.atomic():
        rooms_lock(joint, room)
        mediation.refresh_from_db()
        held = OpeningStatement.objects.filter(side_id=room.caucus_side_id).first()
        if held is None:
            version_check(current=0, given=version, payload=None)
            opening = OpeningStatement(room=room, side_id=room.caucus_side_id)
        else:
            version_check(
                current=held.version, given=version, payload=lambda: opening_payload(held)
            )
            opening = held
            opening.version += 1
        # Everyone has seen it: the mediator opened the statements and it was ready.
        shown = mediation.openings_shown_at is not None and held is not None and held.ready
        is_party = can_ready_opening(actor, room)
        if shown and not is_party:
            raise NotAllowed("It has been shown to everyone: only the side's party changes it.")
        if shown and joint_closed(actor):
            raise NotAllowed(ON_BREAK, code="on_break")
        if words is not None:
            opening.text = words
            if not is_party:
                # The party's yes was to the words they read.
                opening.ready = False
        if ready is not None:
            if shown and not ready:
                raise Invalid(
                    "It has been shown to everyone already.",
                    details={"ready": ["It cannot be taken back."]},
                )
            opening.ready = ready
        opening.updated_by = actor
        opening.updated_at = timezone.now()
        opening.save()
        data = opening_payload(opening)
        event_append(room=room, name="opening.saved", data=data, actor=actor)
        if mediation.openings_shown_at is not None and opening.ready:
            # Shown now, or made ready after the mediator opened the statements.
            event_append(room=joint, name="opening.saved", data=data, actor=actor)
    return opening


def openings_show(*, actor: Participant) -> Mediation:
    """Open the sides' statements to everyone: each one its party has said is ready goes
    to the joint room, and any made ready later follows. Raises NotAllowed unless the
    actor runs the session. Emits `mediation.updated` and `openings.shown` (joint)."""
    if not can_manage_mediation(actor):
        raise NotAllowed("Only the mediator opens the statements.")
    mediation = actor.mediation
    joint = mediation.joint_room()
    with transaction.atomic():
        rooms_lock(joint)
        mediation.refresh_from_db()
        if mediation.openings_shown_at is None:
            mediation.openings_shown_at = timezone.now()
            mediation.save(update_fields=["openings_shown_at"])
        event_append(
            room=joint,
            name="mediation.updated",
            data=payload(mediation, MediationStateSerializer),
            actor=actor,
        )
        event_append(
            room=joint,
            name="openings.shown",
            data={"openings": shown_openings(mediation)},
            actor=actor,
        )
    return mediation
