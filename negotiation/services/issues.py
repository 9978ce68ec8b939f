"""Issue cards on the joint board: create, edit, move between lanes and within one.

Every function runs in one transaction: lock the room, check rights and the version,
write, record the event; the event is sent on commit. Nothing is deleted: a struck issue
stays on the board's record. Parked issues keep a reason and a way back (a time, a
condition) and the place they left, where unparking returns them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from config.errors import Invalid, NotFound

from ..events import event_append, room_lock
from ..models import Issue, Lane, Notification, Participant, Role
from ..permissions import (
    access_issue,
    active_members,
    can_edit_board,
    can_reopen,
    can_strike_alone,
)
from ..serializers import IssueCoreSerializer, IssueSerializer, payload
from .notifications import notify
from .validation import (
    future_time_clean,
    max_length_of,
    refusal,
    text_clean,
    version_check,
)

TITLE_MAX = max_length_of(Issue, "title")
DESCRIPTION_MAX = max_length_of(Issue, "description")
PARKED_REASON_MAX = max_length_of(Issue, "parked_reason")
PARKED_CONDITION_MAX = max_length_of(Issue, "parked_condition")
PARKED_DAYS_MAX = 366
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
        issue = _issue_locked(actor, issue_id, version)
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
    reason: object = None,
    until: object = None,
    condition: object = None,
) -> Issue:
    """Move an issue to position `index` (0 is the top; the end if omitted) of `lane`.

    Parking can carry a reason ("waiting for the appraisal") and a way back: a time
    (`until`, ISO 8601 with its offset) and/or a condition in words. A move within Parked
    keeps what it does not give anew; leaving Parked clears them all. No move puts an
    issue into Agreed: every side agrees it (services.decisions). Only the mediator
    strikes an issue by moving it, and only the mediator moves one out of Agreed or
    Struck, which reopens it and tells everyone.

    Raises NotFound, NotAllowed, Conflict (stale version) or Invalid (unknown lane, bad
    index, long reason, a time in the past). Emits `issue.moved` with the card and the
    new order of every card whose place in the lane changed.
    """
    _edit_check(actor)
    lane = _lane_clean(lane)
    index = _index_clean(index)
    parking = _park_clean(reason=reason, until=until, condition=condition)
    with transaction.atomic():
        issue = _issue_locked(actor, issue_id, version)
        if lane != issue.lane:
            decided_lane_check(actor, issue, lane)
        if lane == Lane.PARKED:
            if issue.lane != Lane.PARKED:
                issue.parked_from_lane = issue.lane
                issue.parked_from_index = place_of(issue)
                issue.parked_due_told_at = None
            _park_apply(issue, parking)
        issue_relocate(issue, lane=lane, index=index, actor=actor)
    return issue


def issue_park_edit(
    *, actor: Participant, issue_id: object, version: object, changes: dict[str, object]
) -> Issue:
    """Change a parked issue's reason and way back (`reason`, `until`, `condition`; an
    empty value clears one). Raises NotFound, NotAllowed, Conflict, Invalid (the issue is
    not parked, bad values). Emits `issue.updated`."""
    _edit_check(actor)
    if not changes:
        raise Invalid("Nothing to change.", details={"reason": ["Change the reason or way back."]})
    parking = _park_clean(**changes, clearing=True)
    with transaction.atomic():
        issue = _issue_locked(actor, issue_id, version)
        if issue.lane != Lane.PARKED:
            raise Invalid("This issue is not parked.", details={"issue": ["Park it first."]})
        if "until" in parking:
            issue.parked_due_told_at = None
        _park_apply(issue, parking)
        issue.version += 1
        issue.updated_at = timezone.now()
        issue.save(update_fields=[*PARK_FIELDS, "version", "updated_at"])
        event_append(room=issue.room, name="issue.updated", data=issue_payload(issue), actor=actor)
    return issue


def issue_unpark(*, actor: Participant, issue_id: object, version: object) -> Issue:
    """Bring a parked issue back to the lane and place it was parked from (the Agenda
    when that is unknown). Raises NotFound, NotAllowed, Conflict, Invalid (not parked).
    Emits `issue.moved`."""
    _edit_check(actor)
    with transaction.atomic():
        issue = _issue_locked(actor, issue_id, version)
        if issue.lane != Lane.PARKED:
            raise Invalid("This issue is not parked.", details={"issue": ["It is not parked."]})
        back = issue.parked_from_lane
        if back not in (Lane.AGENDA, Lane.DISCUSSING):
            back = Lane.AGENDA
        issue_relocate(issue, lane=back, index=issue.parked_from_index, actor=actor)
    return issue


def parked_due_tell(*, issue_id: int) -> bool:
    """Tell the mediators and the parties that a parked issue's time to come back has
    come, once per time set (a later `until` tells again). Returns whether it told.
    Emits `issue.updated` (the card shows it is due)."""
    with transaction.atomic():
        issue = Issue.objects.select_related("room").filter(pk=issue_id).first()
        if issue is None:
            return False
        room_lock(issue.room)
        issue.refresh_from_db()
        due = (
            issue.lane == Lane.PARKED
            and issue.parked_until is not None
            and issue.parked_until <= timezone.now()
            and issue.parked_due_told_at is None
        )
        if not due:
            return False
        issue.parked_due_told_at = timezone.now()
        issue.version += 1
        issue.save(update_fields=["parked_due_told_at", "version"])
        event_append(room=issue.room, name="issue.updated", data=issue_payload(issue), actor=None)
        notify(
            participants=active_members(issue.room.mediation_id).filter(
                role__in=(Role.MEDIATOR, Role.PARTY)
            ),
            kind=Notification.Kind.PARKED_DUE,
            room=issue.room,
        )
    return True


PARK_FIELDS = (
    "parked_reason",
    "parked_until",
    "parked_condition",
    "parked_from_lane",
    "parked_from_index",
    "parked_due_told_at",
)


def place_of(issue: Issue) -> int:
    """The card's index in its lane now."""
    return (
        Issue.objects.filter(room_id=issue.room_id, lane=issue.lane)
        .filter(models.Q(order__lt=issue.order) | models.Q(order=issue.order, id__lt=issue.pk))
        .count()
    )


def issue_relocate(
    issue: Issue, *, lane: str, index: int | None, actor: Participant | None
) -> dict[str, int]:
    """Put a locked, checked card at `index` of `lane` (the end if None), renumber the
    lane, save, and emit `issue.moved`. Leaving Parked clears the reason and way back.
    Returns the new orders."""
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
    if lane != Lane.PARKED:
        issue.parked_reason = issue.parked_condition = issue.parked_from_lane = ""
        issue.parked_until = issue.parked_from_index = issue.parked_due_told_at = None
    issue.lane = lane
    issue.version += 1
    issue.updated_at = timezone.now()
    issue.save(update_fields=["lane", "order", *PARK_FIELDS, "version", "updated_at"])
    event_append(
        room=issue.room,
        name="issue.moved",
        data={"issue": issue_payload(issue), "orders": orders},
        actor=actor,
    )
    return orders


def decided_lane_check(actor: Participant, issue: Issue, lane: str) -> None:
    """Refuse a move into or out of Agreed or Struck that the actor may not make alone;
    a mediator's move out of one reopens the issue (services.decisions)."""
    from .decisions import decision_reopen, strike_by_mediator

    if lane == Lane.AGREED:
        raise refusal(
            actor,
            "An issue is agreed when every side accepts a proposal on it, or confirms the "
            "mediator's wording.",
        )
    if issue.lane in (Lane.AGREED, Lane.STRUCK):
        if not can_reopen(actor):
            what = (
                "reopens an agreed issue"
                if issue.lane == Lane.AGREED
                else "restores a struck issue"
            )
            raise refusal(actor, f"Only the mediator {what}.")
        decision_reopen(actor=actor, issue=issue)
    if lane == Lane.STRUCK:
        if not can_strike_alone(actor):
            raise refusal(actor, "Striking an issue takes every side: ask to strike it.")
        strike_by_mediator(actor=actor, issue=issue)


def _index_clean(index: object) -> int | None:
    if index is not None and (not isinstance(index, int) or isinstance(index, bool) or index < 0):
        raise Invalid("Bad position.", details={"index": ["Give a whole number from 0."]})
    return index


def _park_clean(*, clearing: bool = False, **given: object) -> dict[str, object]:
    """The parking fields given, cleaned. On a move, empty means "not given" (a reorder
    inside Parked keeps what the card has); on an edit (`clearing`) every field given is
    set, and empty clears it."""
    unknown = set(given) - {"reason", "until", "condition"}
    if unknown:
        raise Invalid("Unknown fields.", details={name: ["Not editable."] for name in unknown})
    named = {
        name: value
        for name, value in given.items()
        if (clearing and name in given) or value not in (None, "")
    }
    cleaned: dict[str, object] = {}
    if "reason" in named:
        cleaned["reason"] = text_clean(
            named["reason"], field="reason", max_length=PARKED_REASON_MAX, required=False,
            label="reason",
        )  # fmt: skip
    if "condition" in named:
        cleaned["condition"] = text_clean(
            named["condition"], field="condition", max_length=PARKED_CONDITION_MAX,
            required=False, label="condition",
        )  # fmt: skip
    if "until" in named:
        cleaned["until"] = future_time_clean(
            named["until"], field="until", days_max=PARKED_DAYS_MAX
        )
    return cleaned


def _park_apply(issue: Issue, parking: dict[str, object]) -> None:
    if "reason" in parking:
        issue.parked_reason = str(parking["reason"])
    if "condition" in parking:
        issue.parked_condition = str(parking["condition"])
    if "until" in parking:
        until = parking["until"]
        issue.parked_until = until if isinstance(until, datetime) else None


def _issue_locked(actor: Participant, issue_id: object, version: object) -> Issue:
    """The issue, if the actor sees it, with its room locked and read afresh; Conflict
    (with the current card) unless `version` is its version."""
    seen = access_issue(actor, issue_id)
    room_lock(seen.room)
    # Read afresh under the lock, its room with it (refresh_from_db would drop the room
    # and read it again at the first use).
    issue = next(iter(Issue.objects.select_related("room").filter(pk=seen.pk).order_by()), None)
    if issue is None:  # removed meanwhile
        raise NotFound("Not found.")
    version_check(current=issue.version, given=version, payload=lambda: issue_payload(issue))
    return issue


def _lane_clean(lane: object) -> str:
    if lane not in Lane.values:
        raise Invalid(
            "Unknown lane.", details={"lane": [f"Choose one of {', '.join(Lane.values)}."]}
        )
    return str(lane)
