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
from django.utils import timezone

from config.errors import Invalid, NotAllowed, NotFound

from ..events import event_append, rooms_lock
from ..models import (
    CaucusMessage,
    CaucusNote,
    Issue,
    Notification,
    Participant,
    ReleaseRequest,
    Room,
    SharedStatement,
)
from ..permissions import (
    access_caucus_note,
    access_caucus_room,
    access_in_rooms,
    access_issue,
    can_answer_release,
    can_draft_release,
    can_share_unmarked,
    mediators_of,
    parties_of,
    party_answer_binds,
)
from ..serializers import ReleaseRequestSerializer, SharedStatementSerializer, payload
from .notifications import notify
from .validation import max_length_of, text_clean, version_check

TEXT_MAX = max_length_of(ReleaseRequest, "text")


def existence_text(room: Room, attribution: str) -> str:
    """What "only that an option exists" puts in the joint room."""
    if attribution == ReleaseRequest.Attribution.SIDE and room.side is not None:
        return f"{room.side.name} has an option on this they are willing to discuss."
    return "One side has an option on this they are willing to discuss."


def release_request_create(
    *,
    actor: Participant,
    side_id: object = None,
    text: object = None,
    issue_id: object = None,
    message_id: object = None,
    note_id: object = None,
) -> ReleaseRequest:
    """Draft a request to carry `text` from a side's caucus to the joint room (on an
    issue, or generally). It may name the caucus message or note it is about (at most
    one, in that side's room): its words are then the default wording, a note's issue
    the default issue, and the party's answer binds that item (a decline keeps the
    mediator from sharing it directly under the permissive rule).
    The side's party is asked, and nothing leaves until they answer.
    Raises NotFound, NotAllowed, Invalid. Emits `release.requested` in the caucus room."""
    if message_id is not None and note_id is not None:
        raise Invalid("Name one item.", details={"message": ["Name a message or a note."]})
    item = None
    if message_id is not None or note_id is not None:
        item = _caucus_item(actor, message_id=message_id, note_id=note_id)
        if side_id is None:
            side_id = item.room.side_id
    room = access_caucus_room(actor, side_id)
    if item is not None and item.room_id != room.pk:
        # An item of another caucus is, from here, an item that does not exist.
        raise NotFound("No such message or note.")
    if text is None and item is not None:
        text = _item_words(item)
    text = text_clean(text, field="text", max_length=TEXT_MAX, label="wording")
    if not can_draft_release(actor, room):
        raise NotAllowed("Only the mediator or the side's party asks to share.")
    issue: Issue | None = None if issue_id is None else access_issue(actor, issue_id)
    if issue is None and isinstance(item, CaucusNote):
        issue = item.issue
    with transaction.atomic():
        rooms_lock(room)
        request = ReleaseRequest.objects.create(
            room=room,
            issue=issue,
            text=text,
            drafted_by=actor,
            message=item if isinstance(item, CaucusMessage) else None,
            note=item if isinstance(item, CaucusNote) else None,
        )
        event_append(
            room=room,
            name="release.requested",
            data=payload(request, ReleaseRequestSerializer),
            actor=actor,
        )
        notify(
            participants=parties_of(room).exclude(pk=actor.pk),
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
            data=payload(request, ReleaseRequestSerializer),
            actor=actor,
        )
        if released:
            _statement_publish(joint=joint, caucus=room, request=request, actor=actor)
        notify(
            participants=mediators_of(room.mediation_id).exclude(pk=actor.pk),
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

    Only an item written under that rule qualifies (never one said under the default rule
    before a change), and never one the party was asked about (a request naming it, or
    with its very words) and declined, is still deciding on, or released only in part (a
    paraphrase, or that an option exists): the party's answer is the most that may ever
    leave about an item, whichever rule is on.
    Raises NotFound, NotAllowed (code release_needed: another rule now or when written, a
    marked item, a request declined, pending or answered with less than the whole, not
    the mediator), Invalid.
    Emits `release.answered` in the caucus room and `statement.released` in the joint room.
    """
    if (message_id is None) == (note_id is None):
        raise Invalid("Share one item.", details={"message": ["Name a message or a note."]})
    item = _caucus_item(actor, message_id=message_id, note_id=note_id)
    wording = None if text is None else text_clean(text, field="text", max_length=TEXT_MAX)
    issue: Issue | None = None if issue_id is None else access_issue(actor, issue_id)
    room = item.room
    joint = room.mediation.joint_room()
    with transaction.atomic():
        rooms_lock(joint, room)
        # Read the mark, the rule and the party's answers behind the locks that their
        # writers take, so a mark or a decline a moment ago is never shared past.
        item.refresh_from_db()
        actor.mediation.refresh_from_db(fields=["confidentiality_rule"])
        if not can_share_unmarked(
            actor,
            rule=actor.mediation.confidentiality_rule,
            item_rule=item.rule,
            confidential=item.confidential,
            refused=party_answer_binds(item),
        ):
            raise NotAllowed("This needs the party's release.", code="release_needed")
        original = _item_words(item)
        wording = original if wording is None else wording
        if issue is None and isinstance(item, CaucusNote):
            issue = item.issue
        request = ReleaseRequest.objects.create(
            room=room,
            issue=issue,
            text=original,
            message=item if isinstance(item, CaucusMessage) else None,
            note=item if isinstance(item, CaucusNote) else None,
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
            data=payload(request, ReleaseRequestSerializer),
            actor=actor,
        )
        _statement_publish(joint=joint, caucus=room, request=request, actor=actor)
        # Sharing needs no consent under this rule, but the party always learns of it.
        notify(
            participants=parties_of(room).exclude(pk=actor.pk),
            kind=Notification.Kind.SHARED_BY_MEDIATOR,
            room=room,
        )
    return request


def _caucus_item(
    actor: Participant, *, message_id: object, note_id: object
) -> CaucusMessage | CaucusNote:
    if message_id is None:
        note = access_caucus_note(actor, note_id)
        # One's own note is read by no one else: there is nothing to ask about or share.
        if note.visibility == CaucusNote.Visibility.OWN:
            raise Invalid(
                "This is a note of your own: no one else reads it, so it cannot be shared.",
                details={"note": ["Write it as a note for the mediator first."]},
            )
        return note
    item: CaucusMessage = access_in_rooms(
        actor,
        CaucusMessage.objects.select_related("room__side", "room__mediation"),
        message_id,
        room_path="room",
    )
    return item


def _item_words(item: CaucusMessage | CaucusNote) -> str:
    return item.body if isinstance(item, CaucusMessage) else item.text


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
        data=payload(statement, SharedStatementSerializer),
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
