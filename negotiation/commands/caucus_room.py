"""Commands inside a caucus room: messages, notes, the reality-check worksheet, and the
side's opening statement."""

from __future__ import annotations

from rest_framework import serializers

from ..serializers import (
    CaucusMessageSerializer,
    CaucusNoteSerializer,
    MediationStateSerializer,
    OpeningStatementSerializer,
    RealityCheckSerializer,
)
from ..services import caucus_content, openings
from . import fields as f
from .registry import command

command(
    "caucus_message.post",
    caucus_content.caucus_message_post,
    fields={"side": f.side(), "body": f.text(), "confidential": f.flag()},
    output=CaucusMessageSerializer,
    summary="Say something in a caucus room.",
)
command(
    "caucus_message.mark",
    caucus_content.caucus_message_mark,
    fields={"message": f.id_(), "confidential": f.flag(required=True)},
    output=CaucusMessageSerializer,
    summary="Mark a caucus message confidential, or not.",
)
command(
    "caucus_note.add",
    caucus_content.caucus_note_add,
    fields={
        "side": f.side(),
        "issue": f.id_(),
        "text": f.text(),
        "kind": f.optional_choice(),
        "confidential": f.flag(),
        "visibility": f.optional_choice(),
    },
    output=CaucusNoteSerializer,
    summary="Keep a private note on an issue in a caucus room: for the mediator, or one's own.",
)
command(
    "caucus_note.update",
    caucus_content.caucus_note_update,
    fields={
        "note": f.id_(),
        "version": f.version(),
        "text": f.text(required=False),
        "kind": f.optional_choice(),
        "confidential": f.flag(),
    },
    grouped=("text", "kind", "confidential"),
    output=CaucusNoteSerializer,
    summary="Edit a caucus note, or mark it confidential.",
)
command(
    "reality_check.set",
    caucus_content.reality_check_set,
    fields={
        "side": f.side(),
        "issue": f.id_(),
        "version": f.version(),
        "best_alternative": f.text(required=False),
        "worst_alternative": f.text(required=False),
        "likely_court_outcome": f.text(required=False),
        "court_cost": f.amount(),
        "court_months": f.count(600),
        "confidence": f.count(100),
        "range_low": f.amount(),
        "range_high": f.amount(),
    },
    grouped=caucus_content.WORKSHEET_FIELDS,
    output=RealityCheckSerializer,
    summary="Fill in a side's reality-check worksheet for an issue (version 0 the first time).",
)
command(
    "overlap.check",
    caucus_content.overlap_check,
    fields={"issue": f.id_()},
    answer=("overlap", serializers.BooleanField()),
    summary="Tell the sides whether their ranges on an issue overlap, showing no figures.",
)
command(
    "opening.set",
    openings.opening_set,
    fields={
        "side": f.side(),
        "version": f.version(),
        "text": f.text(required=False),
        "ready": f.flag(),
    },
    output=OpeningStatementSerializer,
    summary=(
        "Write a side's opening statement in its private room (version 0 for the first); "
        "its party says whether it may be shown (ready)."
    ),
)
command(
    "openings.show",
    openings.openings_show,
    fields={},
    output=MediationStateSerializer,
    summary="Open the sides' opening statements to everyone (those their party made ready).",
)
