"""Commands of an impasse on an issue: marking it and naming its causes, the strategies
tried and what came of them (all the mediator's), and the perspective round (the two
sides' parties and attorneys). Answers about the impasse itself go only to mediators:
no one else may run those commands."""

from __future__ import annotations

from rest_framework import serializers

from config import json_fields

from ..impasse_reads import (
    ImpasseSerializer,
    PerspectiveDraftSerializer,
    PerspectiveRoundSerializer,
)
from ..services import impasse
from . import fields as f
from .registry import command


def causes() -> serializers.ListField:
    return serializers.ListField(child=f.choice(), max_length=6)


command(
    "impasse.mark",
    impasse.impasse_mark,
    fields={"issue": f.id_(), "causes": causes(), "note": f.text(required=False)},
    output=ImpasseSerializer,
    summary="Mark an issue at impasse and name its causes (only mediators ever see them; "
    "everyone else sees that another way is being tried).",
)
command(
    "impasse.causes",
    impasse.impasse_causes_set,
    fields={
        "impasse": f.id_(),
        "version": f.version(),
        "causes": causes(),
        "note": f.text(required=False),
    },
    output=ImpasseSerializer,
    summary="Change an impasse's causes (and the mediator's note).",
)
command(
    "impasse.clear",
    impasse.impasse_clear,
    fields={"impasse": f.id_()},
    output=ImpasseSerializer,
    summary="The issue is past its impasse: strategies still running end; the record stays.",
)
command(
    "strategy.start",
    impasse.strategy_start,
    fields={
        "impasse": f.id_(),
        "kind": f.choice(),
        "side": f.side(),
        "sides": serializers.ListField(child=f.id_(), required=False, max_length=2),
        "minutes": json_fields.IntegerField(required=False, allow_null=True),
        "message": f.text(required=False),
        "reason": f.text(required=False),
        "until": f.when(),
        "condition": f.text(required=False),
        "invitation": f.id_(required=False),
    },
    output=ImpasseSerializer,
    summary="Start a strategy on an impasse: perspective, break, park, reality_check, "
    "criteria, alternatives or professional.",
)
command(
    "strategy.end",
    impasse.strategy_end,
    fields={
        "attempt": f.id_(),
        "outcome": f.optional_choice(),
        "note": f.text(required=False),
    },
    output=ImpasseSerializer,
    summary="End a strategy and record what came of it (helped, did_not_help, a note).",
)
command(
    "perspective.draft",
    impasse.perspective_draft,
    fields={"round": f.id_(), "text": f.text(required=False)},
    output=PerspectiveDraftSerializer,
    summary="Keep a draft of your side's statement of the other side's view (yours alone).",
)
command(
    "perspective.submit",
    impasse.perspective_submit,
    fields={"round": f.id_(), "text": f.text()},
    output=PerspectiveRoundSerializer,
    summary="Submit your side's statement of the other side's view, in your own words.",
)
command(
    "perspective.answer",
    impasse.perspective_answer,
    fields={
        "statement": f.id_(),
        "answer": f.choice(),
        "correction": f.text(required=False),
    },
    output=PerspectiveRoundSerializer,
    summary="Answer a statement of your side's view: \"that's right\" (confirm) or correct it.",
)
