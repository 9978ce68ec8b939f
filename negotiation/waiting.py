"""What waits on a person: the "Waiting for you" list, read from the state of things
(not from notifications, which may be read or batched): a proposal or a decision waiting
for their side's answer, a release request only they can answer, a call to a private
session, their side's opening statement not yet marked ready; for a mediator, breaks
asked for. Each entry has a fixed text, the room and the issue to open; nothing said in
a private room is in it, and each person sees only what is theirs to answer."""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict

from django.db.models import Exists, OuterRef, Q

from .models import (
    CaucusSession,
    Consent,
    Decision,
    Issue,
    Lane,
    Notification,
    OpeningStatement,
    Participant,
    Proposal,
    ReleaseRequest,
    Response,
    Room,
    Stage,
)
from .permissions import answers_for_side, can_manage_mediation, is_called_with_side

WAITING_MAX = 50
OPEN_LANES = (Lane.AGENDA, Lane.DISCUSSING, Lane.PARKED)


class Waiting(TypedDict):
    kind: str
    text: str
    room: str
    issue: int | None
    issue_title: str | None
    since: datetime


def waiting_for(participant: Participant) -> list[Waiting]:
    """Everything that waits on `participant`'s answer now, oldest first."""
    entries: list[Waiting] = []
    side_id = participant.side_id
    if side_id is not None and answers_for_side(participant, side_id):
        entries += _proposals(participant, side_id)
        entries += _decisions(participant, side_id)
        entries += _releases(participant, side_id)
        entries += _opening(participant, side_id)
    if side_id is not None and is_called_with_side(participant):
        entries += _caucus_call(participant, side_id)
    if can_manage_mediation(participant):
        entries += _break_requests(participant)
    entries.sort(key=lambda entry: entry["since"])
    return entries[:WAITING_MAX]


def _entry(kind: str, text: str, room: str, since: datetime, issue: Issue | None = None) -> Waiting:
    return {
        "kind": kind,
        "text": text,
        "room": room,
        "issue": issue.pk if issue else None,
        "issue_title": issue.title if issue else None,
        "since": since,
    }


def _proposals(participant: Participant, side_id: int) -> list[Waiting]:
    answered = Response.objects.filter(proposal=OuterRef("pk"), side_id=side_id).exclude(
        answer=Response.Answer.CONSIDERING
    )
    proposals = (
        Proposal.objects.filter(
            issue__room__mediation_id=participant.mediation_id,
            issue__lane__in=OPEN_LANES,
            status=Proposal.Status.OPEN,
        )
        .filter(Q(side__isnull=True) | ~Q(side_id=side_id))
        .exclude(Exists(answered))
        .select_related("issue")
        .order_by("created_at")[:WAITING_MAX]
    )
    return [
        _entry(
            "proposal",
            "A proposal waits for your side's answer.",
            "joint",
            proposal.created_at,
            proposal.issue,
        )
        for proposal in proposals
    ]


def _decisions(participant: Participant, side_id: int) -> list[Waiting]:
    consented = Consent.objects.filter(decision=OuterRef("pk"), side_id=side_id)
    decisions = (
        Decision.objects.filter(
            issue__room__mediation_id=participant.mediation_id, status=Decision.Status.OPEN
        )
        .exclude(Exists(consented))
        .select_related("issue")
        .order_by("created_at")[:WAITING_MAX]
    )
    texts = {
        Decision.Kind.AGREE: "Your side is asked to confirm an agreement.",
        Decision.Kind.STRIKE: "Your side is asked whether to strike an issue.",
    }
    return [
        _entry("decision", texts[Decision.Kind(d.kind)], "joint", d.created_at, d.issue)
        for d in decisions
    ]


def _own_room(participant: Participant, side_id: int) -> Room | None:
    return Room.objects.filter(mediation_id=participant.mediation_id, side_id=side_id).first()


def _releases(participant: Participant, side_id: int) -> list[Waiting]:
    room = _own_room(participant, side_id)
    if room is None:
        return []
    requests = ReleaseRequest.objects.filter(
        room=room, status=ReleaseRequest.Status.PENDING
    ).order_by("id")[:WAITING_MAX]
    return [
        _entry(
            "release",
            "The mediator asks whether something may be shared. Only you can decide.",
            room.key,
            request.created_at,
        )
        for request in requests
    ]


def _opening(participant: Participant, side_id: int) -> list[Waiting]:
    mediation = participant.mediation
    if mediation.stage != Stage.OPENING or mediation.openings_shown_at is not None:
        return []
    statement = OpeningStatement.objects.filter(side_id=side_id).first()
    if statement is not None and statement.ready:
        return []
    room = _own_room(participant, side_id)
    if room is None:
        return []
    since = statement.updated_at if statement is not None else mediation.created_at
    return [
        _entry(
            "opening",
            "Your side's opening statement is not marked ready yet.",
            room.key,
            since,
        )
    ]


def _caucus_call(participant: Participant, side_id: int) -> list[Waiting]:
    called = CaucusSession.objects.filter(
        side_id=side_id, status=CaucusSession.Status.CALLED
    ).first()
    room = _own_room(participant, side_id) if called else None
    if called is None or room is None:
        return []
    return [
        _entry(
            "caucus",
            "The mediator has asked to talk with you privately.",
            room.key,
            called.called_at,
        )
    ]


def _break_requests(participant: Participant) -> list[Waiting]:
    if participant.mediation.on_break:
        return []
    asked = Notification.objects.filter(
        participant=participant, kind=Notification.Kind.BREAK_REQUESTED, read_at__isnull=True
    ).order_by("created_at")[:WAITING_MAX]
    return [
        _entry("break", "Someone at the table asks for a break.", n.room_key, n.created_at)
        for n in asked
    ]
