"""What hangs on an issue card: each side's position and interests, the options
brainstormed, the objective criteria, and comments.

Positions and interests speak for a side, so only that side's party (or the mediator)
writes them. Options and criteria belong to everyone at the table. Nothing is deleted:
interests, options and criteria are struck through instead.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models, transaction
from django.utils import timezone
from rest_framework import serializers

from config.errors import Invalid, NotAllowed

from ..events import event_append, room_lock
from ..keys import row_key
from ..models import Comment, Criterion, Interest, Issue, Option, Participant, Position, Side
from ..permissions import (
    access_in_rooms,
    access_issue,
    can_comment,
    can_edit_board,
    can_speak_for_side,
    options_held,
)
from ..serializers import (
    CommentSerializer,
    CriterionSerializer,
    InterestSerializer,
    OptionSerializer,
    PositionSerializer,
    payload,
)
from .validation import max_length_of, refusal, text_clean, version_check

TEXT_MAX = max_length_of(Interest, "text")
POSITION_MAX = max_length_of(Position, "text")
COMMENT_MAX = max_length_of(Comment, "body")
SOURCE_MAX = max_length_of(Criterion, "source")
ITEMS_PER_ISSUE_MAX = 500
HELD = "A brainstorm round is open on this issue: options are judged once the mediator ends it."

Item = Interest | Option | Criterion
ItemT = TypeVar("ItemT", Interest, Option, Criterion)

ItemKind = tuple[type[serializers.ModelSerializer[Any]], dict[str, int]]

# Per kind of item: its serializer, its fields a client may change, and their limits.
ITEM_KINDS: dict[type[models.Model], ItemKind] = {
    Interest: (InterestSerializer, {"text": TEXT_MAX}),
    Option: (OptionSerializer, {"text": TEXT_MAX}),
    Criterion: (CriterionSerializer, {"text": TEXT_MAX, "source": SOURCE_MAX}),
}


def _payload(item: models.Model) -> dict[str, Any]:
    return payload(item, ITEM_KINDS[type(item)][0])


def _side_of(issue: Issue, side_id: object) -> Side:
    key = row_key(side_id)
    side = (
        None
        if key is None
        else Side.objects.filter(mediation_id=issue.room.mediation_id, pk=key).first()
    )
    if side is None:
        raise Invalid("Unknown side.", details={"side": ["Choose a side of this mediation."]})
    return side


def _room_count_check(issue: Issue, related: str) -> None:
    if getattr(issue, related).count() >= ITEMS_PER_ISSUE_MAX:
        raise Invalid("This issue is full.", details={"text": ["Too many entries on this issue."]})


def position_set(
    *, actor: Participant, issue_id: object, side_id: object, text: object, version: object
) -> Position:
    """Set a side's position on an issue. `version` is 0 to state the first position,
    else the version being replaced.

    Raises NotFound (issue), Invalid (side, text), NotAllowed unless the actor speaks for
    the side, Conflict (with the current position) if it changed meanwhile.
    Emits `position.set`.
    """
    text = text_clean(text, field="text", max_length=POSITION_MAX, label="position")
    with transaction.atomic():
        issue = access_issue(actor, issue_id)
        side = _side_of(issue, side_id)
        if not can_speak_for_side(actor, side.pk):
            raise refusal(actor, f"Only {side.name}'s party states {side.name}'s position.")
        room_lock(issue.room)
        position = Position.objects.filter(issue=issue, side=side).first()
        if position is None:
            version_check(current=0, given=version, payload=None)
            position = Position(issue=issue, side=side)
        else:
            version_check(
                current=position.version,
                given=version,
                payload=lambda: dict(PositionSerializer(position).data),
            )
            position.version += 1
        position.text = text
        position.updated_by = actor
        position.updated_at = timezone.now()
        position.save()
        event_append(
            room=issue.room,
            name="position.set",
            data=payload(position, PositionSerializer),
            actor=actor,
        )
    return position


def interest_add(
    *, actor: Participant, issue_id: object, side_id: object, text: object
) -> Interest:
    """Add a side's interest (the need behind its position) to an issue.

    Raises NotFound, Invalid, or NotAllowed unless the actor speaks for the side.
    Emits `interest.added`.
    """
    text = text_clean(text, field="text", max_length=TEXT_MAX, label="interest")
    with transaction.atomic():
        issue = access_issue(actor, issue_id)
        side = _side_of(issue, side_id)
        if not can_speak_for_side(actor, side.pk):
            raise refusal(actor, f"Only {side.name}'s party states {side.name}'s interests.")
        room_lock(issue.room)
        _room_count_check(issue, "interests")
        interest = Interest.objects.create(issue=issue, side=side, text=text, created_by=actor)
        event_append(room=issue.room, name="interest.added", data=_payload(interest), actor=actor)
    return interest


def option_add(*, actor: Participant, issue_id: object, text: object) -> Option:
    """Add a brainstormed option to an issue. Emits `option.added`.
    Raises NotFound, Invalid, or NotAllowed unless the actor edits the board."""
    text = text_clean(text, field="text", max_length=TEXT_MAX, label="option")
    with transaction.atomic():
        issue = access_issue(actor, issue_id)
        if not can_edit_board(actor):
            raise refusal(actor, "Only the parties and the mediator add options.")
        room_lock(issue.room)
        if options_held(issue):
            raise Invalid(
                "A brainstorm round is open on this issue: add your option to it.",
                code="brainstorm_open",
                details={"text": ["Add it to the brainstorm round, without a name."]},
            )
        _room_count_check(issue, "options")
        option = Option.objects.create(issue=issue, text=text, created_by=actor)
        event_append(room=issue.room, name="option.added", data=_payload(option), actor=actor)
    return option


def criterion_add(
    *, actor: Participant, issue_id: object, text: object, source: object = ""
) -> Criterion:
    """Add an objective criterion (an appraisal, a guideline table) to an issue, with
    where it comes from. Emits `criterion.added`.
    Raises NotFound, Invalid, or NotAllowed unless the actor edits the board."""
    text = text_clean(text, field="text", max_length=TEXT_MAX, label="criterion")
    source = text_clean(
        source, field="source", max_length=SOURCE_MAX, required=False, label="source"
    )
    with transaction.atomic():
        issue = access_issue(actor, issue_id)
        if not can_edit_board(actor):
            raise refusal(actor, "Only the parties and the mediator add criteria.")
        room_lock(issue.room)
        _room_count_check(issue, "criteria")
        criterion = Criterion.objects.create(
            issue=issue, text=text, source=source, created_by=actor
        )
        event_append(room=issue.room, name="criterion.added", data=_payload(criterion), actor=actor)
    return criterion


def interest_update(
    *, actor: Participant, interest_id: object, version: object, changes: dict[str, object]
) -> Interest:
    """Edit a side's interest (`text`) or strike it (`struck`): see `_item_update`."""
    return _item_update(
        actor=actor, model=Interest, item_id=interest_id, version=version, changes=changes
    )


def option_update(
    *, actor: Participant, option_id: object, version: object, changes: dict[str, object]
) -> Option:
    """Edit an option (`text`) or strike it (`struck`): see `_item_update`."""
    return _item_update(
        actor=actor, model=Option, item_id=option_id, version=version, changes=changes
    )


def criterion_update(
    *, actor: Participant, criterion_id: object, version: object, changes: dict[str, object]
) -> Criterion:
    """Edit a criterion (`text`, `source`) or strike it (`struck`): see `_item_update`."""
    return _item_update(
        actor=actor, model=Criterion, item_id=criterion_id, version=version, changes=changes
    )


def _item_update(
    *,
    actor: Participant,
    model: type[ItemT],
    item_id: object,
    version: object,
    changes: dict[str, object],
) -> ItemT:
    """Edit an interest, option or criterion: its text fields, or `struck` to strike it
    through (or restore it).

    Raises NotFound, Invalid (unknown field, bad text), NotAllowed (an interest by anyone
    but its side's party or the mediator; an option or criterion by anyone who does not
    edit the board), Conflict with the current item. Emits `<kind>.updated`.
    """
    serializer_class: type[serializers.ModelSerializer[Any]] = ITEM_KINDS[model][0]
    text_fields: dict[str, int] = ITEM_KINDS[model][1]
    kind = model._meta.model_name
    unknown = set(changes) - {*text_fields, "struck"}
    if unknown or not changes:
        raise Invalid(
            "Nothing to change.",
            details={name: ["Not editable."] for name in unknown}
            or {"text": ["Change something."]},
        )
    cleaned: dict[str, object] = {}
    for field, max_length in text_fields.items():
        if field in changes:
            cleaned[field] = text_clean(
                changes[field],
                field=field,
                max_length=max_length,
                required=field == "text",
                label=field,
            )
    if "struck" in changes:
        if not isinstance(changes["struck"], bool):
            raise Invalid("Struck is yes or no.", details={"struck": ["Send true or false."]})
        cleaned["struck"] = changes["struck"]
    with transaction.atomic():
        item: ItemT = access_in_rooms(
            actor, model.objects.select_related("issue__room"), item_id, room_path="issue__room"
        )
        allowed = (
            can_speak_for_side(actor, item.side_id)
            if isinstance(item, Interest)
            else can_edit_board(actor)
        )
        if not allowed:
            raise refusal(actor, f"You cannot change this {kind}.")
        room_lock(item.issue.room)
        if isinstance(item, Option) and options_held(item.issue):
            raise NotAllowed(HELD, code="brainstorm_open")
        item.refresh_from_db()
        version_check(
            current=item.version, given=version, payload=lambda: dict(serializer_class(item).data)
        )
        for field, value in cleaned.items():
            setattr(item, field, value)
        item.version += 1
        item.updated_at = timezone.now()
        item.save(update_fields=[*cleaned, "version", "updated_at"])
        event_append(room=item.issue.room, name=f"{kind}.updated", data=_payload(item), actor=actor)
    return item


def comment_add(*, actor: Participant, issue_id: object, body: object) -> Comment:
    """Comment on an issue: everyone but observers. Comments are a record: they are not
    edited or deleted. Raises NotFound, Invalid, NotAllowed. Emits `comment.added`."""
    body = text_clean(body, field="body", max_length=COMMENT_MAX, label="comment")
    with transaction.atomic():
        issue = access_issue(actor, issue_id)
        if not can_comment(actor):
            raise refusal(actor, "Observers read the board; they do not comment.")
        room_lock(issue.room)
        if options_held(issue):
            raise NotAllowed(HELD, code="brainstorm_open")
        _room_count_check(issue, "comments")
        comment = Comment.objects.create(issue=issue, body=body, author=actor)
        event_append(
            room=issue.room,
            name="comment.added",
            data=payload(comment, CommentSerializer),
            actor=actor,
        )
    return comment
