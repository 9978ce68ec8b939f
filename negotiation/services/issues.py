"""Issue cards on the joint board: create, edit, move between lanes and within one.

Every function runs in one transaction: lock the room, check rights and the version,
write, record the event; the event is sent on commit. Moving to Struck is how an issue is
struck: it stays on the board's record, never deleted.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from config.errors import Invalid

from ..events import event_append, room_lock
from ..models import Issue, Lane, Participant
from ..permissions import access_issue, can_edit_board
from ..serializers import IssueCoreSerializer, IssueSerializer, payload
from .validation import max_length_of, refusal, text_clean, version_check

TITLE_MAX = max_length_of(Issue, "title")
DESCRIPTION_MAX = max_length_of(Issue, "description")
PARKED_REASON_MAX = max_length_of(Issue, "parked_reason")
ISSUES_MAX = 2000


def issue_payload(issue: Issue) -> dict[str, Any]:
    return payload(issue, IssueCoreSerializer)


def _edit_check(actor: Participant) -> None:
    if not can_edit_board(actor):
        raise refusal(actor, "Only the parties and the mediator edit the board.")


def issue_create(
    *, actor: Participant, title: object, description: object = "", lane: object = Lane.AGENDA
) -> Issue:
    """Add an issue card at the end of a lane (Agenda unless told).

    Raises NotAllowed unless the actor edits the board; Invalid for a missing or long
    title, a long description or an unknown lane. Emits `issue.created` (the full card).
    """
    _edit_check(actor)
    title = text_clean(title, field="title", max_length=TITLE_MAX, label="title")
    description = text_clean(
        description,
        field="description",
        max_length=DESCRIPTION_MAX,
        required=False,
        label="description",
    )
    lane = _lane_clean(lane)
    room = actor.mediation.joint_room()
    with transaction.atomic():
        room_lock(room)
        issues = Issue.objects.filter(room=room)
        if issues.count() >= ISSUES_MAX:
            raise Invalid("The board is full.", details={"title": ["Too many issues."]})
        last = issues.filter(lane=lane).order_by("-order").values_list("order", flat=True).first()
        issue = Issue.objects.create(
            room=room,
            title=title,
            description=description,
            lane=lane,
            order=0 if last is None else last + 1,
            created_by=actor,
        )
        event_append(
            room=room, name="issue.created", data=payload(issue, IssueSerializer), actor=actor
        )
    return issue


def issue_update(
    *, actor: Participant, issue_id: object, version: object, **changes: object
) -> Issue:
    """Change an issue's title and/or description.

    Raises NotFound for an issue the actor cannot see, NotAllowed unless the actor edits
    the board, Conflict (with the current card) for a stale version, Invalid for bad text.
    Emits `issue.updated` (the card without what hangs on it).
    """
    unknown = set(changes) - {"title", "description"}
    if unknown:
        raise Invalid("Unknown fields.", details={name: ["Not editable."] for name in unknown})
    if not changes:
        raise Invalid("Nothing to change.", details={"title": ["Change the title or description."]})
    _edit_check(actor)
    cleaned: dict[str, str] = {}
    if "title" in changes:
        cleaned["title"] = text_clean(
            changes["title"], field="title", max_length=TITLE_MAX, label="title"
        )
    if "description" in changes:
        cleaned["description"] = text_clean(
            changes["description"],
            field="description",
            max_length=DESCRIPTION_MAX,
            required=False,
            label="description",
        )
    with transaction.atomic():
        issue = access_issue(actor, issue_id)
        room_lock(issue.room)
        issue.refresh_from_db()
        version_check(current=issue.version, given=version, payload=lambda: issue_payload(issue))
        for field, value in cleaned.items():
            setattr(issue, field, value)
        issue.version += 1
        issue.updated_at = timezone.now()
        issue.save(update_fields=[*cleaned, "version", "updated_at"])
        event_append(room=issue.room, name="issue.updated", data=issue_payload(issue), actor=actor)
    return issue


def issue_move(
    *,
    actor: Participant,
    issue_id: object,
    version: object,
    lane: object,
    index: object = None,
    reason: object = "",
) -> Issue:
    """Move an issue to position `index` (0 is the top; the end if omitted) of `lane`.
    Parking can carry a reason ("waiting for the appraisal"); a move within Parked keeps
    the reason unless it gives a new one; leaving Parked clears it.

    Raises NotFound, NotAllowed, Conflict (stale version) or Invalid (unknown lane, bad
    index, long reason). Emits `issue.moved` with the card and the new order of every
    card whose place in the lane changed.
    """
    _edit_check(actor)
    lane = _lane_clean(lane)
    if index is not None and (not isinstance(index, int) or isinstance(index, bool) or index < 0):
        raise Invalid("Bad position.", details={"index": ["Give a whole number from 0."]})
    reason = text_clean(
        reason, field="reason", max_length=PARKED_REASON_MAX, required=False, label="reason"
    )
    with transaction.atomic():
        issue = access_issue(actor, issue_id)
        room_lock(issue.room)
        issue.refresh_from_db()
        version_check(current=issue.version, given=version, payload=lambda: issue_payload(issue))
        siblings = list(
            Issue.objects.filter(room=issue.room, lane=lane)
            .exclude(pk=issue.pk)
            .order_by("order", "id")
        )
        place = len(siblings) if index is None else min(index, len(siblings))
        siblings.insert(place, issue)
        orders: dict[str, int] = {}
        renumbered = []
        for order, card in enumerate(siblings):
            if card.order != order or card is issue:
                card.order = order
                orders[str(card.pk)] = order
                if card is not issue:
                    renumbered.append(card)
        Issue.objects.bulk_update(renumbered, ["order"])
        stays_parked = issue.lane == Lane.PARKED == lane
        if lane != Lane.PARKED:
            issue.parked_reason = ""
        elif reason or not stays_parked:
            issue.parked_reason = reason
        issue.lane = lane
        issue.version += 1
        issue.updated_at = timezone.now()
        issue.save(update_fields=["lane", "order", "parked_reason", "version", "updated_at"])
        event_append(
            room=issue.room,
            name="issue.moved",
            data={"issue": issue_payload(issue), "orders": orders},
            actor=actor,
        )
    return issue


def _lane_clean(lane: object) -> str:
    if lane not in Lane.values:
        raise Invalid(
            "Unknown lane.", details={"lane": [f"Choose one of {', '.join(Lane.values)}."]}
        )
    return str(lane)
