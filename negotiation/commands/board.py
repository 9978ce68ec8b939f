"""Commands of the joint board: issues and what hangs on them."""

from __future__ import annotations

from ..serializers import (
    CommentSerializer,
    CriterionSerializer,
    InterestSerializer,
    IssueCoreSerializer,
    IssueSerializer,
    OptionSerializer,
    PositionSerializer,
)
from ..services import issue_content, issues
from . import fields as f
from .registry import command

command(
    "issue.create",
    issues.issue_create,
    fields={"title": f.text(), "description": f.text(required=False), "lane": f.optional_choice()},
    output=IssueSerializer,
    summary="Add an issue card at the end of a lane.",
)
command(
    "issue.update",
    issues.issue_update,
    fields={
        "issue": f.id_(),
        "version": f.version(),
        "title": f.text(required=False),
        "description": f.text(required=False),
    },
    output=IssueCoreSerializer,
    summary="Change an issue's title or description.",
)
command(
    "issue.move",
    issues.issue_move,
    fields={
        "issue": f.id_(),
        "version": f.version(),
        "lane": f.choice(),
        "index": f.index(),
        "reason": f.text(required=False),
        "until": f.when(),
        "condition": f.text(required=False),
    },
    output=IssueCoreSerializer,
    summary=(
        "Move an issue to a place in a lane: to Parked with a reason and a way back (a time, "
        "a condition); to Struck, or out of Agreed or Struck, as the mediator."
    ),
)
command(
    "issue.park_edit",
    issues.issue_park_edit,
    fields={
        "issue": f.id_(),
        "version": f.version(),
        "reason": f.text(required=False),
        "until": f.when(),
        "condition": f.text(required=False),
    },
    grouped=("reason", "until", "condition"),
    output=IssueCoreSerializer,
    summary="Change a parked issue's reason or way back (empty or null clears one).",
)
command(
    "issue.unpark",
    issues.issue_unpark,
    fields={"issue": f.id_(), "version": f.version()},
    output=IssueCoreSerializer,
    summary="Bring a parked issue back to the lane and place it was parked from.",
)
command(
    "position.set",
    issue_content.position_set,
    fields={"issue": f.id_(), "side": f.id_(), "text": f.text(), "version": f.version()},
    output=PositionSerializer,
    summary="State a side's position on an issue (version 0 for the first).",
)
command(
    "interest.add",
    issue_content.interest_add,
    fields={"issue": f.id_(), "side": f.id_(), "text": f.text()},
    output=InterestSerializer,
    summary="Add a side's interest to an issue.",
)
command(
    "option.add",
    issue_content.option_add,
    fields={"issue": f.id_(), "text": f.text()},
    output=OptionSerializer,
    summary="Add a brainstormed option to an issue.",
)
command(
    "criterion.add",
    issue_content.criterion_add,
    fields={"issue": f.id_(), "text": f.text(), "source": f.text(required=False)},
    output=CriterionSerializer,
    summary="Add an objective criterion to an issue.",
)
command(
    "interest.update",
    issue_content.interest_update,
    fields={
        "interest": f.id_(),
        "version": f.version(),
        "struck": f.flag(),
        "text": f.text(required=False),
    },
    grouped=("struck", "text"),
    output=InterestSerializer,
    summary="Edit an interest, or strike it through (struck: true).",
)
command(
    "option.update",
    issue_content.option_update,
    fields={
        "option": f.id_(),
        "version": f.version(),
        "struck": f.flag(),
        "text": f.text(required=False),
    },
    grouped=("struck", "text"),
    output=OptionSerializer,
    summary="Edit an option, or strike it through (struck: true).",
)
command(
    "criterion.update",
    issue_content.criterion_update,
    fields={
        "criterion": f.id_(),
        "version": f.version(),
        "struck": f.flag(),
        "text": f.text(required=False),
        "source": f.text(required=False),
    },
    grouped=("struck", "text", "source"),
    output=CriterionSerializer,
    summary="Edit a criterion, or strike it through (struck: true).",
)
command(
    "comment.add",
    issue_content.comment_add,
    fields={"issue": f.id_(), "body": f.text()},
    output=CommentSerializer,
    summary="Comment on an issue.",
)
