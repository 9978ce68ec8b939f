"""Commands of the rounds on an issue: a brainstorm without names, sealed positions."""

from __future__ import annotations

from ..round_serializers import (
    BrainstormRoundSerializer,
    SealedOwnSerializer,
    SealedRoundSerializer,
)
from ..services import brainstorm, sealed
from . import fields as f
from .registry import command

command(
    "brainstorm.start",
    brainstorm.brainstorm_start,
    fields={"issue": f.id_()},
    output=BrainstormRoundSerializer,
    summary="Open a brainstorm round on an issue: options without names, judged only after.",
)
command(
    "brainstorm.add",
    brainstorm.brainstorm_add,
    fields={"issue": f.id_(), "text": f.text()},
    output=BrainstormRoundSerializer,
    anonymous=True,
    summary="Add an option, without your name, to the issue's open brainstorm round.",
)
command(
    "brainstorm.end",
    brainstorm.brainstorm_end,
    fields={"issue": f.id_()},
    output=BrainstormRoundSerializer,
    summary="End the issue's brainstorm round: its options can be judged, struck, discussed.",
)
command(
    "sealed.ask",
    sealed.sealed_ask,
    fields={"issue": f.id_(), "asks": f.optional_choice(), "prompt": f.text(required=False)},
    output=SealedRoundSerializer,
    summary="Ask every side for a sealed opening figure or position on an issue.",
)
command(
    "sealed.submit",
    sealed.sealed_submit,
    fields={
        "sealed": f.id_(),
        "version": f.version(),
        "amount": f.amount(),
        "text": f.text(required=False),
    },
    output=SealedOwnSerializer,
    summary="Submit or replace your side's sealed figure or position (revealed with all).",
)
command(
    "sealed.cancel",
    sealed.sealed_cancel,
    fields={"sealed": f.id_()},
    output=SealedRoundSerializer,
    summary="Cancel sealed positions before the reveal: the submissions are deleted unread.",
)
