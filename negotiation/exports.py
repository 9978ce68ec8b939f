"""Reads for exports: a mediation's audit log of caucus reads, and everything a person
wrote (their own data).

A person's export holds only what they wrote themselves (of documents, those they
shared, and when they first opened any), and of caucus rooms only those they may see
now: their own side's (a mediator's: every side's). Another side's caucus content is
never in it: each caucus query is bounded by the rooms the person sees as well as by
the author."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from .models import (
    CaucusMessage,
    CaucusNote,
    CaucusRead,
    Comment,
    Criterion,
    Document,
    DocumentReceipt,
    Impasse,
    InformationCheck,
    Interest,
    Issue,
    Notification,
    Option,
    Participant,
    PerspectiveStatement,
    Position,
    Proposal,
    RealityCheck,
    ReleaseRequest,
    Response,
    Room,
)
from .permissions import visible_rooms

if TYPE_CHECKING:
    from accounts.models import User

AUDIT_COLUMNS = ("at", "reader", "email", "role", "room", "side", "via")


def audit_log(mediation_id: uuid.UUID) -> list[dict[str, Any]]:
    """Every recorded read of the mediation's caucus rooms, oldest first."""
    reads = CaucusRead.objects.filter(mediation_id=mediation_id).select_related("room__side")
    return [
        {
            "at": read.at.isoformat(),
            "reader": read.reader_name,
            "email": read.reader_email,
            "role": read.role,
            "room": read.room.key,
            "side": read.room.side.name if read.room.side else None,
            "via": read.via,
        }
        for read in reads.order_by("at", "id")
    ]


def _when(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def _own_caucus_rooms(participant: Participant) -> QuerySet[Room]:
    """The caucus rooms whose writing by `participant` is theirs to take: those they may
    see now (permissions.visible_rooms). A place that ended (removed, an expert's time
    up or their caucus closed) is outside its rooms, and nothing of them reaches it."""
    return visible_rooms(participant).filter(kind=Room.Kind.CAUCUS)


def _documents(documents: QuerySet[Document]) -> list[dict[str, Any]]:
    """What is shown of the documents one shared (the file itself is the room's, and is
    opened there while it is shared)."""
    return [
        {
            "id": d.pk,
            "room": d.room.key,
            "issue": d.issue_id,
            "name": d.name,
            "kind": d.kind,
            "size": d.size,
            "shared_at": _when(d.created_at),
            "withdrawn_at": _when(d.withdrawn_at),
        }
        for d in documents.select_related("room")
    ]


def _receipts(receipts: QuerySet[DocumentReceipt]) -> list[dict[str, Any]]:
    """When one first opened each document: by its id, since its name is its sharer's."""
    return [
        {"document": r.document_id, "room": r.document.room.key, "opened_at": _when(r.opened_at)}
        for r in receipts.select_related("document__room")
    ]


def _board(participant: Participant) -> dict[str, Any]:
    me = participant.pk
    return {
        "issues": [
            {
                "id": i.pk,
                "title": i.title,
                "description": i.description,
                "created_at": _when(i.created_at),
            }
            for i in Issue.objects.filter(created_by=me)
        ],
        "positions": [
            {
                "issue": p.issue_id,
                "side": p.side_id,
                "text": p.text,
                "updated_at": _when(p.updated_at),
            }
            for p in Position.objects.filter(updated_by=me)
        ],
        "interests": [
            {
                "issue": i.issue_id,
                "side": i.side_id,
                "text": i.text,
                "struck": i.struck,
                "created_at": _when(i.created_at),
            }
            for i in Interest.objects.filter(created_by=me)
        ],
        "options": [
            {
                "issue": o.issue_id,
                "text": o.text,
                "struck": o.struck,
                "created_at": _when(o.created_at),
            }
            for o in Option.objects.filter(created_by=me)
        ],
        "criteria": [
            {
                "issue": c.issue_id,
                "text": c.text,
                "source": c.source,
                "struck": c.struck,
                "created_at": _when(c.created_at),
            }
            for c in Criterion.objects.filter(created_by=me)
        ],
        "proposals": [
            {
                "id": p.pk,
                "issue": p.issue_id,
                "terms": p.terms,
                "amount": None if p.amount is None else str(p.amount),
                "status": p.status,
                "created_at": _when(p.created_at),
            }
            for p in Proposal.objects.filter(created_by=me)
        ],
        "responses": [
            {
                "proposal": r.proposal_id,
                "answer": r.answer,
                "note": r.note,
                "responded_at": _when(r.responded_at),
            }
            for r in Response.objects.filter(responded_by=me)
        ],
        "comments": [
            {"issue": c.issue_id, "body": c.body, "created_at": _when(c.created_at)}
            for c in Comment.objects.filter(author=me)
        ],
        "perspective_statements": [
            {
                "issue": st.round.issue_id,
                "about_side": st.about_side_id,
                "turn": st.turn,
                "text": st.text,
                "written_at": _when(st.written_at),
            }
            for st in PerspectiveStatement.objects.filter(written_by=me).select_related("round")
        ],
        "perspective_answers": [
            {
                "issue": st.round.issue_id,
                "statement": st.pk,
                "answer": st.answer,
                "correction": st.correction,
                "answered_at": _when(st.answered_at),
            }
            for st in PerspectiveStatement.objects.filter(answered_by=me).select_related("round")
        ],
        # What a mediator wrote of an impasse: theirs to export, no one else's to read.
        "impasses": [
            {
                "issue": i.issue_id,
                "causes": list(i.causes),
                "note": i.note,
                "started_at": _when(i.started_at),
            }
            for i in Impasse.objects.filter(started_by=me)
        ],
        "documents": _documents(Document.objects.filter(shared_by=me, room__kind=Room.Kind.JOINT)),
        "document_receipts": _receipts(
            DocumentReceipt.objects.filter(participant=me, document__room__kind=Room.Kind.JOINT)
        ),
    }


def _caucus(participant: Participant, rooms: QuerySet[Room]) -> dict[str, Any]:
    me = participant.pk
    mine = Q(room__in=rooms)
    return {
        "messages": [
            {
                "id": m.pk,
                "room": m.room.key,
                "body": m.body,
                "confidential": m.confidential,
                "created_at": _when(m.created_at),
            }
            for m in CaucusMessage.objects.filter(mine, author=me).select_related("room")
        ],
        "notes": [
            {
                "id": n.pk,
                "room": n.room.key,
                "issue": n.issue_id,
                "kind": n.kind,
                "text": n.text,
                "confidential": n.confidential,
                "created_at": _when(n.created_at),
            }
            for n in CaucusNote.objects.filter(mine, author=me).select_related("room")
        ],
        "worksheets": [
            {
                "id": w.pk,
                "room": w.room.key,
                "issue": w.issue_id,
                "best_alternative": w.best_alternative,
                "worst_alternative": w.worst_alternative,
                "likely_court_outcome": w.likely_court_outcome,
                "court_cost": None if w.court_cost is None else str(w.court_cost),
                "court_months": w.court_months,
                "confidence": w.confidence,
                "range_low": None if w.range_low is None else str(w.range_low),
                "range_high": None if w.range_high is None else str(w.range_high),
                "updated_at": _when(w.updated_at),
            }
            for w in RealityCheck.objects.filter(mine, updated_by=me).select_related("room")
        ],
        "release_requests": [
            {
                "id": r.pk,
                "room": r.room.key,
                "text": r.text,
                "status": r.status,
                "created_at": _when(r.created_at),
            }
            for r in ReleaseRequest.objects.filter(mine, drafted_by=me).select_related("room")
        ],
        "release_answers": [
            {
                "id": r.pk,
                "room": r.room.key,
                "status": r.status,
                "mode": r.mode,
                "attribution": r.attribution,
                "released_text": r.released_text,
                "answered_at": _when(r.answered_at),
            }
            for r in ReleaseRequest.objects.filter(mine, answered_by=me).select_related("room")
        ],
        "documents": _documents(Document.objects.filter(mine, shared_by=me)),
        "document_receipts": _receipts(
            DocumentReceipt.objects.filter(participant=me, document__room__in=rooms)
        ),
        "information_checks": [
            {
                "id": c.pk,
                "room": c.room.key,
                "issue": c.issue_id,
                "status": c.status,
                "text": c.text,
                "created_at": _when(c.created_at),
            }
            for c in InformationCheck.objects.filter(mine, participant=me).select_related("room")
        ],
    }


CaucusRooms = list[tuple[Participant, list[Room]]]


def personal_data(user: User) -> tuple[dict[str, Any], CaucusRooms]:
    """Everything `user` wrote, by participation (removed ones too), with their account
    and notifications; and, per participation, the caucus rooms it holds writing from."""
    places = Participant.objects.filter(user_id=user.pk).select_related("mediation", "side", "user")
    participations = []
    rooms_read: CaucusRooms = []
    for place in places.order_by("joined_at", "id"):
        own_rooms = _own_caucus_rooms(place)
        caucus = _caucus(place, own_rooms)
        keys = {item["room"] for items in caucus.values() for item in items}
        rooms_read.append((place, [room for room in own_rooms if room.key in keys]))
        mediation = place.mediation
        participations.append(
            {
                "id": place.pk,
                "mediation": {
                    "id": str(mediation.pk),
                    "title": mediation.title,
                    "status": mediation.status,
                    "closed_at": _when(mediation.closed_at),
                },
                "role": place.role,
                "side": place.side.name if place.side else None,
                "joined_at": _when(place.joined_at),
                "removed_at": _when(place.removed_at),
                "rule_acknowledged": place.rule_acknowledged,
                "board": _board(place),
                "caucus": caucus,
                "notifications": [
                    {
                        "kind": n.kind,
                        "text": n.text,
                        "room": n.room_key,
                        "created_at": _when(n.created_at),
                        "read_at": _when(n.read_at),
                    }
                    for n in Notification.objects.filter(participant=place)
                ],
            }
        )
    account = {
        "email": user.email,
        "name": user.name,
        "is_mediator": user.is_mediator,
        "date_joined": _when(user.date_joined),
        "last_login": _when(user.last_login),
    }
    return {"account": account, "participations": participations}, rooms_read
