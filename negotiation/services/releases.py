"""Release by consent: the one way anything leaves a caucus room.

The mediator (or the side's party) drafts a request to carry something to the joint
room. Only a party of that side answers: release it as worded, release a paraphrase
(edited before release), release only that an option exists, or decline. The answer is
kept with who and when; a release publishes a SharedStatement in the joint room,
attributed as the party chose. Under the rule "the mediator may share unless marked
confidential" the mediator may also share an unmarked caucus item directly, recorded the
same way.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from ..errors import Invalid, NotAllowed
from ..events import event_append, rooms_lock
from ..models import (
    CaucusMessage,
    CaucusNote,
    Issue,
    Notification,
    Participant,
    ReleaseRequest,
    Role,
    Room,
    SharedStatement,
)
from ..permissions import (
    access_in_rooms,
    can_answer_release,
    can_draft_release,
    can_share_unmarked,
)
from ..serializers import ReleaseRequestSerializer, SharedStatementSerializer
from .caucus import caucus_room_for, caucus_side_id
from .issues import access_issue
from .notifications import notify
from .validation import text_clean, version_check

TEXT_MAX = 5000


def existence_text(room: Room, attribution: str) -> str:
    """What "only that an option exists" puts in the joint room."""
    if attribution == ReleaseRequest.Attribution.SIDE and room.side is not None:
        return f"{room.side.name} has an option on this they are willing to discuss."
    return "One side has an option on this they are willing to discuss."


def release_request_create(
    *, actor: Participant, side_id: object, text: object, issue_id: object = None
) -> ReleaseRequest:
    """Draft a request to carry `text` from a side's caucus to the joint room (on an
    issue, or generally). The side's party is asked, and nothing leaves until they answer.
    Raises NotFound, NotAllowed, Invalid. Emits `release.requested` in the caucus room."""
    text = text_clean(text, field="text", max_length=TEXT_MAX, label="wording")
    room = caucus_room_for(actor, side_id)
    if not can_draft_release(actor, room):
        raise NotAllowed("Only the mediator or the side's party asks to share.")
    issue: Issue | None = None if issue_id is None else access_issue(actor, issue_id)
    with transaction.atomic():
        rooms_lock(room)
        request = ReleaseRequest.objects.create(room=room, issue=issue, text=text, drafted_by=actor)
        event_append(
            room=room,
            name="release.requested",
            data=dict(ReleaseRequestSerializer(request).data),
            actor=actor,
        )
        notify(
            participants=_parties(room).exclude(pk=actor.pk),
            kind=Notification.Kind.RELEASE_REQUESTED,
            room=room,
        )
    return request


def release_request_answer(
    *,
    actor: Participant,
    release_id: object,
    version: object,
    decision: object,
    mode: object = None,
    text: object = None,
    attribution: object = ReleaseRequest.Attribution.SIDE,
) -> ReleaseRequest:
    """A party of the side answers a release request. `decision` is "release" (with a
    `mode`: as_worded, paraphrase with the edited `text`, or existence) or "decline".
    `attribution` says whose words the joint room sees: "side" or "mediator".

    Raises NotFound; NotAllowed unless the actor is a party of the side; Invalid for a
    request already answered, an unknown decision, mode or attribution, or a missing
    paraphrase; Conflict for a stale version. Emits `release.answered` in the caucus
    room and, for a release, `statement.released` in the joint room.
    """
    if decision not in ("release", "decline"):
        raise Invalid("Release or decline.", details={"decision": ["Release or decline."]})
    released = decision == "release"
    if released and mode not in ReleaseRequest.Mode.values:
        raise Invalid("How should it be shared?", details={"mode": ["Choose how to share."]})
    if attribution not in ReleaseRequest.Attribution.values:
        raise Invalid("Whose words?", details={"attribution": ["Choose side or mediator."]})
    paraphrase = None
    if released and mode == ReleaseRequest.Mode.PARAPHRASE:
        paraphrase = text_clean(text, field="text", max_length=TEXT_MAX, label="paraphrase")
    request = _release_request(actor, release_id)
    room = request.room
    if not can_answer_release(actor, room):
        raise NotAllowed("Only the side's party decides what is shared.")
    joint = room.mediation.joint_room()
    with transaction.atomic():
        rooms_lock(joint, room)
        request.refresh_from_db()
        version_check(
            current=request.version,
            given=version,
            payload=lambda: dict(ReleaseRequestSerializer(request).data),
        )
        if request.status != ReleaseRequest.Status.PENDING:
            raise Invalid("Already answered.", details={"decision": ["Already answered."]})
        request.status = (
            ReleaseRequest.Status.RELEASED if released else ReleaseRequest.Status.DECLINED
        )
        request.answered_by = actor
        request.answered_at = timezone.now()
        request.version += 1
        if released:
            request.mode = str(mode)
            request.attribution = str(attribution)
            request.released_text = {
                ReleaseRequest.Mode.AS_WORDED: request.text,
                ReleaseRequest.Mode.PARAPHRASE: paraphrase or "",
                ReleaseRequest.Mode.EXISTENCE: existence_text(room, str(attribution)),
            }[ReleaseRequest.Mode(str(mode))]
        request.save()
        event_append(
            room=room,
            name="release.answered",
            data=dict(ReleaseRequestSerializer(request).data),
            actor=actor,
        )
        if released:
            _statement_publish(joint=joint, caucus=room, request=request, actor=actor)
        notify(
            participants=_mediators(room).exclude(pk=actor.pk),
            kind=Notification.Kind.RELEASE_ANSWERED,
            room=room,
        )
    return request


def release_share(
    *,
    actor: Participant,
    message_id: object = None,
    note_id: object = None,
    text: object = None,
    issue_id: object = None,
) -> ReleaseRequest:
    """Under "the mediator may share unless marked confidential": the mediator carries an
    unmarked caucus message or note to the joint room in their own words (`text`, or the
    item's words), attributed to the mediator, and the record says so.
    Raises NotFound, NotAllowed (another rule, a marked item, not the mediator), Invalid.
    Emits `release.answered` in the caucus room and `statement.released` in the joint room.
    """
    if (message_id is None) == (note_id is None):
        raise Invalid("Share one item.", details={"message": ["Name a message or a note."]})
    model = CaucusMessage if message_id is not None else CaucusNote
    item = access_in_rooms(
        actor,
        model.objects.select_related("room__side"),
        message_id if message_id is not None else note_id,
        room_path="room",
    )
    rule = actor.mediation.confidentiality_rule
    if not can_share_unmarked(actor, rule=rule, confidential=item.confidential):
        raise NotAllowed(
            "This needs the party's release.",
            code="release_needed",
        )
    original = item.body if isinstance(item, CaucusMessage) else item.text
    wording = original if text is None else text_clean(text, field="text", max_length=TEXT_MAX)
    issue: Issue | None = None if issue_id is None else access_issue(actor, issue_id)
    if issue is None and isinstance(item, CaucusNote):
        issue = item.issue
    room = item.room
    joint = room.mediation.joint_room()
    with transaction.atomic():
        rooms_lock(joint, room)
        request = ReleaseRequest.objects.create(
            room=room,
            issue=issue,
            text=original,
            drafted_by=actor,
            status=ReleaseRequest.Status.RELEASED,
            mode=(
                ReleaseRequest.Mode.AS_WORDED
                if wording == original
                else ReleaseRequest.Mode.PARAPHRASE
            ),
            attribution=ReleaseRequest.Attribution.MEDIATOR,
            released_text=wording,
            answered_by=actor,
            answered_at=timezone.now(),
        )
        event_append(
            room=room,
            name="release.answered",
            data=dict(ReleaseRequestSerializer(request).data),
            actor=actor,
        )
        _statement_publish(joint=joint, caucus=room, request=request, actor=actor)
        # Sharing needs no consent under this rule, but the party always learns of it.
        notify(
            participants=_parties(room).exclude(pk=actor.pk),
            kind=Notification.Kind.SHARED_BY_MEDIATOR,
            room=room,
        )
    return request


def _parties(room: Room) -> QuerySet[Participant]:
    return Participant.objects.filter(
        side_id=caucus_side_id(room), role=Role.PARTY, removed_at__isnull=True
    )


def _mediators(room: Room) -> QuerySet[Participant]:
    return Participant.objects.filter(
        mediation_id=room.mediation_id, role=Role.MEDIATOR, removed_at__isnull=True
    )


def _statement_publish(
    *, joint: Room, caucus: Room, request: ReleaseRequest, actor: Participant
) -> SharedStatement:
    by_side = request.attribution == ReleaseRequest.Attribution.SIDE
    statement = SharedStatement.objects.create(
        room=joint,
        issue=request.issue,
        text=request.released_text,
        attribution=request.attribution,
        side_id=caucus.side_id if by_side else None,
    )
    event_append(
        room=joint,
        name="statement.released",
        data=dict(SharedStatementSerializer(statement).data),
        # The statement speaks for the side or the mediator, not for whoever pressed.
        actor=None,
    )
    return statement


def _release_request(actor: Participant, release_id: object) -> ReleaseRequest:
    request: ReleaseRequest = access_in_rooms(
        actor,
        ReleaseRequest.objects.select_related("room__side", "room__mediation"),
        release_id,
        room_path="room",
    )
    return request
