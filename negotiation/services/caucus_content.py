"""What is said and kept in a caucus room: the chat, private notes on issues, and the
reality-check worksheet. All of it stays in the room; see releases.py for the only way out.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from config.errors import Invalid, NotAllowed

from ..events import event_append, rooms_lock
from ..models import (
    CaucusMessage,
    CaucusNote,
    ConfidentialityRule,
    Issue,
    Mediation,
    Notification,
    Participant,
    RealityCheck,
    Room,
)
from ..permissions import (
    access_caucus_note,
    access_caucus_room,
    access_in_rooms,
    access_issue,
    can_lower_mark,
    can_manage_caucus,
    can_raise_mark,
    can_write_in_caucus,
    room_members,
)
from ..serializers import (
    CaucusMessageSerializer,
    CaucusNoteSerializer,
    RealityCheckSerializer,
    payload,
)
from .notifications import notify
from .validation import amount_clean, flag_clean, max_length_of, text_clean, version_check

MESSAGE_MAX = max_length_of(CaucusMessage, "body")
NOTE_MAX = max_length_of(CaucusNote, "text")
WORKSHEET_TEXT_MAX = max_length_of(RealityCheck, "best_alternative")
MESSAGES_PER_ROOM_MAX = 20000
NOTES_PER_ROOM_MAX = 5000


def _write_check(actor: Participant, room: Room) -> None:
    if not can_write_in_caucus(actor, room):
        raise NotAllowed(
            "Acknowledge the confidentiality rule first.",
            code="rule_not_acknowledged",
        )


def _rule_written_under(actor: Participant) -> str:
    """The confidentiality rule a caucus item is written under: the one the write was
    checked against (for everyone but the mediator, the one the author acknowledged), if
    it is still the case's rule; the default rule if it changed meanwhile. Call inside
    the writing transaction."""
    checked = actor.mediation.confidentiality_rule
    current = Mediation.objects.values_list("confidentiality_rule", flat=True).get(
        pk=actor.mediation_id
    )
    if checked != current:
        return ConfidentialityRule.CONFIDENTIAL_UNLESS_RELEASED
    return str(current)


def _rule_after_edit(item_rule: str, actor: Participant) -> str:
    """An edited item keeps the stricter of its rule and the rule it is edited under: words
    said in confidence never become shareable by being edited after a change of rule."""
    if item_rule == ConfidentialityRule.CONFIDENTIAL_UNLESS_RELEASED:
        return item_rule
    return _rule_written_under(actor)


def _mark_check(actor: Participant, item: CaucusMessage | CaucusNote, confidential: bool) -> None:
    """Raising a confidential mark: any member who writes in the room. Lowering it: the
    side's party, or the author who set it (permissions.can_lower_mark)."""
    if confidential == item.confidential:
        return
    if confidential:
        allowed = can_raise_mark(actor, item.room)
    else:
        allowed = can_lower_mark(
            actor, item.room, author_id=item.author_id, marked_by_id=item.marked_by_id
        )
    if not allowed:
        raise NotAllowed("Only the side's party, or whoever marked it, takes a mark off.")


def caucus_message_post(
    *, actor: Participant, side_id: object = None, body: object, confidential: object = False
) -> CaucusMessage:
    """Say something in a side's caucus room; the other members are notified without the
    words. A party may mark it confidential: under either rule it then leaves the room
    only by their release. Raises NotFound, NotAllowed, Invalid.
    Emits `caucus_message.posted` in the caucus room."""
    body = text_clean(body, field="body", max_length=MESSAGE_MAX, label="message")
    confidential = flag_clean(confidential, field="confidential")
    room = access_caucus_room(actor, side_id)
    _write_check(actor, room)
    with transaction.atomic():
        rooms_lock(room)
        if CaucusMessage.objects.filter(room=room).count() >= MESSAGES_PER_ROOM_MAX:
            raise Invalid("This room is full.", details={"body": ["Too many messages."]})
        message = CaucusMessage.objects.create(
            room=room,
            author=actor,
            body=body,
            confidential=confidential,
            marked_by=actor if confidential else None,
            rule=_rule_written_under(actor),
        )
        event_append(
            room=room,
            name="caucus_message.posted",
            data=payload(message, CaucusMessageSerializer),
            actor=actor,
        )
        notify(
            participants=room_members(room).exclude(pk=actor.pk),
            kind=Notification.Kind.CAUCUS_MESSAGE,
            room=room,
        )
    return message


def caucus_note_add(
    *,
    actor: Participant,
    side_id: object = None,
    issue_id: object,
    text: object,
    kind: object = CaucusNote.Kind.OTHER,
    confidential: object = False,
    visibility: object = None,
) -> CaucusNote:
    """Keep a private note on a joint issue in a side's caucus room (an interest, a
    priority, a bottom line): for the mediator (`visibility` "room", the default), or of
    one's own ("own"), which only its author ever reads. Raises NotFound, NotAllowed,
    Invalid. Emits `caucus_note.added` in the caucus room; permissions.caucus_frame_for
    withholds an own note's events from everyone but its author."""
    text = text_clean(text, field="text", max_length=NOTE_MAX, label="note")
    if kind not in CaucusNote.Kind.values:
        raise Invalid("Unknown kind of note.", details={"kind": ["Choose a kind of note."]})
    visibility = CaucusNote.Visibility.ROOM if visibility is None else visibility
    if visibility not in CaucusNote.Visibility.values:
        raise Invalid(
            "Unknown visibility.",
            details={"visibility": ["Choose a note for the mediator or your own note."]},
        )
    confidential = flag_clean(confidential, field="confidential")
    # Read by no one else, an own note has nothing to keep confidential from anyone.
    if visibility == CaucusNote.Visibility.OWN:
        confidential = False
    room = access_caucus_room(actor, side_id)
    _write_check(actor, room)
    issue = access_issue(actor, issue_id)
    with transaction.atomic():
        rooms_lock(room)
        if CaucusNote.objects.filter(room=room).count() >= NOTES_PER_ROOM_MAX:
            raise Invalid("This room is full.", details={"text": ["Too many notes."]})
        note = CaucusNote.objects.create(
            room=room, issue=issue, kind=str(kind), text=text, confidential=confidential,
            visibility=str(visibility), author=actor, marked_by=actor if confidential else None,
            rule=_rule_written_under(actor),
        )  # fmt: skip
        event_append(
            room=room,
            name="caucus_note.added",
            data=payload(note, CaucusNoteSerializer),
            actor=actor,
        )
    return note


def caucus_note_update(
    *, actor: Participant, note_id: object, version: object, changes: dict[str, object]
) -> CaucusNote:
    """Edit a caucus note's text, kind, or confidential mark. Any member who writes in the
    room edits and marks; only the side's party, or the author who set the mark, lowers
    it. New words keep the stricter of the note's rule and the rule in force now.
    Raises NotFound, NotAllowed, Invalid, Conflict. Emits `caucus_note.updated` in the
    caucus room."""
    unknown = set(changes) - {"text", "kind", "confidential"}
    if unknown or not changes:
        raise Invalid(
            "Nothing to change.",
            details={name: ["Not editable."] for name in unknown} or {"text": ["Change it."]},
        )
    cleaned: dict[str, Any] = {}
    if "text" in changes:
        cleaned["text"] = text_clean(changes["text"], field="text", max_length=NOTE_MAX)
    if "kind" in changes:
        if changes["kind"] not in CaucusNote.Kind.values:
            raise Invalid("Unknown kind of note.", details={"kind": ["Choose a kind."]})
        cleaned["kind"] = changes["kind"]
    if "confidential" in changes:
        cleaned["confidential"] = flag_clean(changes["confidential"], field="confidential")
    note = access_caucus_note(actor, note_id)
    if note.visibility == CaucusNote.Visibility.OWN:
        cleaned.pop("confidential", None)
        if not cleaned:
            raise Invalid("Nothing to change.", details={"text": ["Change it."]})
    _write_check(actor, note.room)
    with transaction.atomic():
        rooms_lock(note.room)
        note.refresh_from_db()
        version_check(
            current=note.version,
            given=version,
            payload=lambda: dict(CaucusNoteSerializer(note).data),
        )
        fields = [*cleaned, "version", "updated_at"]
        if "confidential" in cleaned:
            _mark_check(actor, note, cleaned["confidential"])
            if cleaned["confidential"] != note.confidential:
                note.marked_by = actor if cleaned["confidential"] else None
                fields.append("marked_by")
        if "text" in cleaned:
            note.rule = _rule_after_edit(note.rule, actor)
            fields.append("rule")
        for field, value in cleaned.items():
            setattr(note, field, value)
        note.version += 1
        note.updated_at = timezone.now()
        note.save(update_fields=fields)
        event_append(
            room=note.room,
            name="caucus_note.updated",
            data=payload(note, CaucusNoteSerializer),
            actor=actor,
        )
    return note


def caucus_message_mark(
    *, actor: Participant, message_id: object, confidential: object
) -> CaucusMessage:
    """Mark a caucus message confidential: any member who writes in the room. Take the
    mark off: only the side's party, or the author who set it.
    Raises NotFound, NotAllowed, Invalid. Emits `caucus_message.updated`."""
    confidential = flag_clean(confidential, field="confidential")
    message = _caucus_item(actor, CaucusMessage, message_id)
    _write_check(actor, message.room)
    with transaction.atomic():
        rooms_lock(message.room)
        message.refresh_from_db()
        _mark_check(actor, message, confidential)
        changes: dict[str, Any] = {"confidential": confidential}
        if confidential != message.confidential:
            changes["marked_by"] = actor if confidential else None
        CaucusMessage.objects.filter(pk=message.pk).update(**changes)
        message.refresh_from_db()
        event_append(
            room=message.room,
            name="caucus_message.updated",
            data=payload(message, CaucusMessageSerializer),
            actor=actor,
        )
    return message


WORKSHEET_TEXT = ("best_alternative", "worst_alternative", "likely_court_outcome")
WORKSHEET_FIELDS = (
    *WORKSHEET_TEXT, "court_cost", "court_months", "confidence", "range_low", "range_high",
)  # fmt: skip


def reality_check_set(
    *,
    actor: Participant,
    side_id: object = None,
    issue_id: object,
    version: object,
    changes: dict[str, object],
) -> RealityCheck:
    """Fill in a side's reality-check worksheet for an issue (`version` 0 for the first
    time). Raises NotFound, NotAllowed, Invalid (bad numbers, a range upside down),
    Conflict. Emits `reality_check.updated` in the caucus room."""
    unknown = set(changes) - set(WORKSHEET_FIELDS)
    if unknown:
        raise Invalid(
            "Unknown fields.", details={name: ["Not on the worksheet."] for name in unknown}
        )
    cleaned: dict[str, Any] = {}
    for field in WORKSHEET_TEXT:
        if field in changes:
            cleaned[field] = text_clean(
                changes[field], field=field, max_length=WORKSHEET_TEXT_MAX, required=False
            )
    for field in ("court_cost", "range_low", "range_high"):
        if field in changes:
            cleaned[field] = amount_clean(changes[field], field=field)
    for field, top in (("court_months", 600), ("confidence", 100)):
        if field in changes:
            value = changes[field]
            if value is not None and (
                not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= top
            ):
                raise Invalid(
                    "Out of range.", details={field: [f"A whole number from 0 to {top}."]}
                )
            cleaned[field] = value
    room = access_caucus_room(actor, side_id)
    _write_check(actor, room)
    issue = access_issue(actor, issue_id)
    with transaction.atomic():
        rooms_lock(room)
        sheet = RealityCheck.objects.filter(room=room, issue=issue).first()
        if sheet is None:
            version_check(current=0, given=version, payload=None)
            sheet = RealityCheck(room=room, issue=issue, version=0)
        else:
            version_check(
                current=sheet.version,
                given=version,
                payload=lambda: dict(RealityCheckSerializer(sheet).data),
            )
        if any(
            field in cleaned and cleaned[field] != getattr(sheet, field)
            for field in ("range_low", "range_high")
        ):
            # An overlap found for other figures says nothing about these.
            sheet.overlap = None
            sheet.overlap_checked_at = None
        for field, value in cleaned.items():
            setattr(sheet, field, value)
        if (
            sheet.range_low is not None
            and sheet.range_high is not None
            and sheet.range_low > sheet.range_high
        ):
            raise Invalid(
                "The range is upside down.",
                details={"range_low": ["The low end must not be above the high end."]},
            )
        sheet.version += 1
        sheet.updated_by = actor
        sheet.updated_at = timezone.now()
        sheet.save()
        event_append(
            room=room,
            name="reality_check.updated",
            data=payload(sheet, RealityCheckSerializer),
            actor=actor,
        )
    return sheet


def overlap_check(*, actor: Participant, issue_id: object) -> bool:
    """Tell every side that has a range on this issue whether the ranges overlap, without
    showing anyone's figures. Needs two sides or more with a range.
    Raises NotAllowed unless the actor runs the mediation; NotFound; Invalid.
    Emits `reality_check.updated` in each of those caucus rooms."""
    if not can_manage_caucus(actor):
        raise NotAllowed("Only the mediator compares ranges.")
    issue: Issue = access_issue(actor, issue_id)
    with transaction.atomic():
        sheets = list(
            RealityCheck.objects.select_related("room")
            .filter(
                issue=issue,
                room__kind=Room.Kind.CAUCUS,
                range_low__isnull=False,
                range_high__isnull=False,
            )
            .order_by("room_id")
        )
        if len(sheets) < 2:
            raise Invalid(
                "Two sides need a range first.",
                details={"issue": ["At least two sides must fill in a range."]},
            )
        rooms_lock(*(sheet.room for sheet in sheets))
        overlap = max(s.range_low for s in sheets if s.range_low is not None) <= min(
            s.range_high for s in sheets if s.range_high is not None
        )
        now = timezone.now()
        for sheet in sheets:
            sheet.overlap = overlap
            sheet.overlap_checked_at = now
            sheet.save(update_fields=["overlap", "overlap_checked_at"])
            event_append(
                room=sheet.room,
                name="reality_check.updated",
                data=payload(sheet, RealityCheckSerializer),
                actor=actor,
            )
    return overlap


def _caucus_item(actor: Participant, model: Any, item_id: object) -> Any:
    """A message or note in a caucus room the actor may see; NotFound otherwise."""
    return access_in_rooms(actor, model.objects.select_related("room"), item_id, room_path="room")
