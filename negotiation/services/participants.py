"""Ending someone's place in a mediation, and the confidentiality rule each accepts."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from config.errors import Invalid, NotAllowed, NotFound

from ..events import event_append, participant_send, rooms_lock
from ..keys import row_key
from ..models import ConfidentialityRule, Mediation, Participant, Room
from ..permissions import (
    active_members,
    can_manage_mediation,
    can_set_access_time,
    is_last_mediator,
    visible_rooms,
)
from ..serializers import MediationStateSerializer, participant_payload, payload


def access_revoke(
    *, participant: Participant, rooms: list[Room], actor: Participant | None
) -> None:
    """Record in each room's log that `participant` lost access to it, then tell their
    connections. Must run inside the revoking transaction, with the rooms locked: every
    event after the marker has a higher sequence number, and the socket forwards a room's
    events strictly in order, stopping at the marker."""
    for room in rooms:
        event_append(
            room=room,
            name="access.revoked",
            data={"participant": participant.pk},
            actor=actor,
        )
    participant_send(participant.pk, {"type": "participant.access"})


def participant_remove(*, actor: Participant | None, participant_id: int) -> Participant:
    """End a participant's place in the mediation (an expert's time, a party withdrawn).
    `actor` None is the system (an expert's access expiring).

    Raises NotFound for someone of another mediation, NotAllowed unless the actor runs
    the mediation, Invalid for removing the last mediator. Emits `access.revoked` in
    every room they could see, the joint room included.
    """
    with transaction.atomic():
        queryset = Participant.objects.select_related("mediation", "side", "user")
        if actor is not None:
            if not can_manage_mediation(actor):
                raise NotAllowed("Only the mediator removes people.")
            queryset = queryset.filter(mediation_id=actor.mediation_id)
        participant = queryset.filter(pk=participant_id, removed_at__isnull=True).first()
        if participant is None:
            raise NotFound("No such participant.")
        if is_last_mediator(participant):
            raise Invalid("A mediation needs a mediator.", details={"participant": ["Last one."]})
        # Compute the rooms ignoring an expiry already passed: they are the ones to close.
        participant.access_expires_at = None
        rooms = list(visible_rooms(participant))
        rooms_lock(*rooms)
        Participant.objects.filter(pk=participant.pk).update(removed_at=timezone.now())
        participant.refresh_from_db()
        access_revoke(participant=participant, rooms=rooms, actor=actor)
    return participant


def expert_access_set(
    *, actor: Participant, participant_id: object, until: datetime | None
) -> Participant:
    """Set how long an expert the mediator invited keeps access (`until`, aware), lift the
    limit (None), or end it now (a time not after now: the expert is removed at once, as
    by participant_remove). Their open sockets learn the new time and stop forwarding at
    it, without waiting for the participants_expire sweep.

    Raises NotAllowed unless the actor runs the mediation; NotFound for someone not (or no
    longer, time up included) in it; Invalid for anyone but an expert, or a naive time.
    Emits `participant.updated` in the joint room, or `access.revoked` when ending it.
    """
    if not can_manage_mediation(actor):
        raise NotAllowed("Only the mediator sets an expert's time.")
    if until is not None and timezone.is_naive(until):
        raise Invalid("Give a time zone.", details={"until": ["Send a time with its zone."]})
    key = row_key(participant_id)
    if key is None:
        raise NotFound("No such participant.")
    expert = (
        active_members(actor.mediation_id)
        .select_related("mediation", "side", "user")
        .filter(pk=key)
        .first()
    )
    if expert is None:
        raise NotFound("No such participant.")
    if not can_set_access_time(actor, expert):
        raise Invalid(
            "Only an expert's access is limited in time.",
            details={"participant": ["Choose an expert."]},
        )
    if until is not None and until <= timezone.now():
        return participant_remove(actor=actor, participant_id=expert.pk)
    joint = actor.mediation.joint_room()
    with transaction.atomic():
        rooms_lock(joint)
        Participant.objects.filter(pk=expert.pk).update(access_expires_at=until)
        expert.refresh_from_db()
        event_append(
            room=joint, name="participant.updated", data=participant_payload(expert), actor=actor
        )
        participant_send(expert.pk, {"type": "participant.access"})
    return expert


def rule_set(*, actor: Participant, rule: object) -> Mediation:
    """Set the case's confidentiality rule; everyone acknowledges it again.
    Raises NotAllowed unless the actor runs the mediation, Invalid for an unknown rule.
    Emits `mediation.updated` in the joint room."""
    if not can_manage_mediation(actor):
        raise NotAllowed("Only the mediator sets the confidentiality rule.")
    if rule not in ConfidentialityRule.values:
        raise Invalid("Unknown rule.", details={"rule": ["Choose a confidentiality rule."]})
    mediation = actor.mediation
    joint = mediation.joint_room()
    with transaction.atomic():
        rooms_lock(joint)
        mediation.refresh_from_db()
        mediation.confidentiality_rule = str(rule)
        mediation.save(update_fields=["confidentiality_rule"])
        event_append(
            room=joint,
            name="mediation.updated",
            data=payload(mediation, MediationStateSerializer),
            actor=actor,
        )
    return mediation


def rule_acknowledge(*, actor: Participant, rule: object) -> Participant:
    """Record that the actor read and accepts the case's confidentiality rule, as shown to
    them (`rule` must be the current one: a rule changed meanwhile is shown again).
    Raises Invalid for another rule. Emits `participant.updated` in the joint room."""
    mediation = actor.mediation
    mediation.refresh_from_db(fields=["confidentiality_rule"])
    if rule != mediation.confidentiality_rule:
        raise Invalid(
            "The rule has changed; read it again.",
            details={"rule": ["The mediator changed the rule. Read the new one."]},
        )
    joint = mediation.joint_room()
    with transaction.atomic():
        rooms_lock(joint)
        Participant.objects.filter(pk=actor.pk).update(
            rule_acknowledged=str(rule), rule_acknowledged_at=timezone.now()
        )
        actor.refresh_from_db()
        event_append(
            room=joint, name="participant.updated", data=participant_payload(actor), actor=actor
        )
    return actor
