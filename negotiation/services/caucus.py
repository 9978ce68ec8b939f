"""Caucus sessions: the mediator calls a side to a private meeting, opens it, closes it;
and may pause joint editing while caucuses run.

That a side is in caucus is no secret (in a room, everyone sees them step out): sessions
are announced in the joint room. What is said in a caucus never is.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from config.errors import Invalid, NotAllowed, NotFound

from ..events import event_append, participant_send, rooms_lock
from ..keys import row_key
from ..models import CaucusSession, Mediation, Notification, Participant
from ..permissions import (
    access_caucus_room,
    called_to_caucus,
    can_manage_caucus,
    experts_of,
)
from ..serializers import CaucusSessionSerializer, MediationStateSerializer, payload
from .notifications import notify
from .participants import access_revoke


def _session_event(session: CaucusSession, actor: Participant) -> None:
    event_append(
        room=session.mediation.joint_room(),
        name="caucus.updated",
        data=payload(session, CaucusSessionSerializer),
        actor=actor,
    )


def caucus_call(*, actor: Participant, side_id: object) -> CaucusSession:
    """Ask a side to a private meeting: its party and attorney are prompted on their
    phones (and by e-mail). Raises NotAllowed unless the actor runs the mediation,
    NotFound for a side of another mediation, Invalid if that side's caucus is already
    called or open. Emits `caucus.updated` in the joint room."""
    if not can_manage_caucus(actor):
        raise NotAllowed("Only the mediator calls a caucus.")
    room = access_caucus_room(actor, side_id)
    joint = actor.mediation.joint_room()
    side_id = room.caucus_side_id
    with transaction.atomic():
        rooms_lock(joint, room)
        if CaucusSession.objects.filter(side_id=side_id).exclude(status="closed").exists():
            raise Invalid(
                "This side's caucus is already running.", details={"side": ["Already called."]}
            )
        session = CaucusSession.objects.create(
            mediation=actor.mediation, side_id=side_id, called_by=actor
        )
        _session_event(session, actor)
        notify(participants=called_to_caucus(room), kind=Notification.Kind.CAUCUS_CALLED, room=room)
    return session


def _session_running(actor: Participant, caucus_id: object) -> CaucusSession:
    if not can_manage_caucus(actor):
        raise NotAllowed("Only the mediator runs caucuses.")
    key = row_key(caucus_id)
    if key is None:
        raise NotFound("No such caucus.")
    session = (
        CaucusSession.objects.select_related("mediation", "side")
        .filter(mediation_id=actor.mediation_id, pk=key)
        .first()
    )
    if session is None:
        raise NotFound("No such caucus.")
    return session


def caucus_open(*, actor: Participant, caucus_id: object) -> CaucusSession:
    """Start the private meeting; experts invited into this side's caucus gain access
    until it closes. Raises NotAllowed, NotFound, Invalid unless it was called.
    Emits `caucus.updated` in the joint room."""
    session = _session_running(actor, caucus_id)
    with transaction.atomic():
        rooms_lock(session.mediation.joint_room(), session.side.caucus_room)
        session.refresh_from_db()
        if session.status != CaucusSession.Status.CALLED:
            raise Invalid("Only a called caucus opens.", details={"caucus": ["Not waiting."]})
        session.status = CaucusSession.Status.OPEN
        session.opened_at = timezone.now()
        session.save(update_fields=["status", "opened_at"])
        _session_event(session, actor)
        for expert in experts_of(session.side):
            participant_send(expert.pk, {"type": "participant.access"})
    return session


def caucus_close(*, actor: Participant, caucus_id: object) -> CaucusSession:
    """End the private meeting (or withdraw a call). Experts invited into the caucus lose
    access to it at once. Raises NotAllowed, NotFound, Invalid if already closed.
    Emits `access.revoked` in the caucus room for each expert, `caucus.updated` in the
    joint room."""
    session = _session_running(actor, caucus_id)
    caucus = session.side.caucus_room
    with transaction.atomic():
        rooms_lock(session.mediation.joint_room(), caucus)
        session.refresh_from_db()
        if session.status == CaucusSession.Status.CLOSED:
            raise Invalid("Already closed.", details={"caucus": ["Already closed."]})
        was_open = session.status == CaucusSession.Status.OPEN
        session.status = CaucusSession.Status.CLOSED
        session.closed_at = timezone.now()
        session.save(update_fields=["status", "closed_at"])
        if was_open:
            for expert in experts_of(session.side):
                access_revoke(participant=expert, rooms=[caucus], actor=actor)
        _session_event(session, actor)
    return session


def joint_pause(*, actor: Participant, paused: object) -> Mediation:
    """Pause (or resume) the parties' editing of the joint board, e.g. while caucuses
    run. Raises NotAllowed, Invalid. Emits `mediation.updated` in the joint room."""
    if not can_manage_caucus(actor):
        raise NotAllowed("Only the mediator pauses the board.")
    if not isinstance(paused, bool):
        raise Invalid("Paused is yes or no.", details={"paused": ["Send true or false."]})
    mediation = actor.mediation
    joint = mediation.joint_room()
    with transaction.atomic():
        rooms_lock(joint)
        mediation.refresh_from_db()
        mediation.joint_paused = paused
        # However the pause came, the mediator's word ends it.
        mediation.paused_for_absence = False
        mediation.save(update_fields=["joint_paused", "paused_for_absence"])
        event_append(
            room=joint,
            name="mediation.updated",
            data=payload(mediation, MediationStateSerializer),
            actor=actor,
        )
    return mediation
