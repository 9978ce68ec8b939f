"""What waits on a person: the "Waiting for you" list, read from the state of things
(not from notifications, which may be read or batched): a proposal or a decision waiting
for their side's answer, a release request only they can answer, a call to a private
session, their side's opening statement not yet marked ready, a sealed position their
own side has not submitted, their side's turn in a perspective round; for a mediator,
breaks asked for. Each entry has a fixed text, the room and the issue to open; nothing said in
a private room is in it, and each person sees only what is theirs to answer.

A sealed round waits on a side's party until that side submits: read from their own
side's submission alone, so nothing in anyone else's list changes when another side
submits (services/sealed.py)."""

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
    PerspectiveRound,
    PerspectiveStatement,
    Proposal,
    ReleaseRequest,
    Response,
    Room,
    SealedRound,
    SealedSubmission,
    Stage,
)
from .permissions import (
    answers_for_side,
    can_manage_mediation,
    has_perspective_turns,
    is_called_with_side,
)

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
        entries += _sealed(participant, side_id)
    if side_id is not None and has_perspective_turns(participant):
        entries += _perspective(participant, side_id)
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


def _sealed(participant: Participant, side_id: int) -> list[Waiting]:
    submitted = SealedSubmission.objects.filter(round=OuterRef("pk"), side_id=side_id)
    rounds = (
        SealedRound.objects.filter(
            issue__room__mediation_id=participant.mediation_id,
            status=SealedRound.Status.WAITING,
        )
        .exclude(Exists(submitted))
        .select_related("issue")
        .order_by("asked_at", "id")[:WAITING_MAX]
    )
    return [
        _entry(
            "sealed",
            "The mediator asks your side for a sealed position.",
            "joint",
            sealed.asked_at,
            sealed.issue,
        )
        for sealed in rounds
    ]


def _perspective(participant: Participant, side_id: int) -> list[Waiting]:
    """Side `side_id`'s turns in the open perspective rounds it is in: to state the other
    side's view (first, or again after a correction), and to answer a statement of its
    own view that waits for its answer."""
    rounds = (
        PerspectiveRound.objects.filter(
            issue__room__mediation_id=participant.mediation_id,
            status=PerspectiveRound.Status.OPEN,
        )
        .filter(Q(side_a_id=side_id) | Q(side_b_id=side_id))
        .select_related("issue")
        .prefetch_related("statements")
        .order_by("started_at", "id")[:WAITING_MAX]
    )
    entries: list[Waiting] = []
    for perspective in rounds:
        statements = sorted(perspective.statements.all(), key=lambda s: s.turn)
        mine = [s for s in statements if s.writer_side_id == side_id]
        theirs = [s for s in statements if s.about_side_id == side_id]
        last = mine[-1] if mine else None
        if last is None or last.answer == PerspectiveStatement.Answer.CORRECTED:
            since = perspective.started_at if last is None else last.answered_at
            entries.append(
                _entry(
                    "perspective_write",
                    "Your side's turn: say the other side's view of an issue.",
                    "joint",
                    since or perspective.started_at,
                    perspective.issue,
                )
            )
        if theirs and not theirs[-1].answer:
            entries.append(
                _entry(
                    "perspective_answer",
                    "Your side's turn: is the other side's account of your view right?",
                    "joint",
                    theirs[-1].written_at,
                    perspective.issue,
                )
            )
    return entries
