"""Commands of releases: the one way anything leaves a caucus room."""

from __future__ import annotations

from ..serializers import ReleaseRequestSerializer
from ..services import releases
from . import fields as f
from .registry import command

command(
    "release.request",
    releases.release_request_create,
    fields={
        "side": f.side(),
        "text": f.OptionalText(),
        "issue": f.id_(required=False),
        "message": f.id_(required=False),
        "note": f.id_(required=False),
    },
    output=ReleaseRequestSerializer,
    summary="Ask a side's party to let something be shared in the joint room (a message or "
    "note of the caucus, or words of one's own).",
)
command(
    "release.answer",
    releases.release_request_answer,
    fields={
        "release": f.id_(),
        "version": f.version(),
        "decision": f.choice(),
        "mode": f.optional_choice(),
        "text": f.text(required=False),
        "attribution": f.optional_choice(),
    },
    output=ReleaseRequestSerializer,
    summary="Release (as worded, paraphrased, or only that an option exists) or decline.",
)
command(
    "release.share",
    releases.release_share,
    fields={
        "message": f.id_(required=False),
        "note": f.id_(required=False),
        "text": f.OptionalText(),
        "issue": f.id_(required=False),
    },
    output=ReleaseRequestSerializer,
    summary="Share an unmarked caucus item (only under the rule that allows the mediator to).",
)
