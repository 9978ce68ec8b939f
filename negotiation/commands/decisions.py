"""Commands of the decisions that take every side: agreeing an issue, striking it."""

from __future__ import annotations

from ..serializers import IssueCoreSerializer
from ..services import decisions
from . import fields as f
from .registry import command

command(
    "decision.propose",
    decisions.decision_propose,
    fields={"issue": f.id_(), "kind": f.choice(), "terms": f.text(required=False)},
    output=IssueCoreSerializer,
    summary=(
        "Ask every side for a decision on an issue: the mediator's wording of an agreement "
        "(kind agree, with terms), or to strike it (the mediator's strikes it at once)."
    ),
)
command(
    "decision.answer",
    decisions.decision_answer,
    fields={"decision": f.id_(), "answer": f.choice(), "informed": f.flag()},
    output=IssueCoreSerializer,
    summary=(
        "Confirm or decline a waiting decision, for your side (confirming an agreement "
        "with `informed`: you have the information you need to decide)."
    ),
)
command(
    "decision.withdraw",
    decisions.decision_withdraw,
    fields={"decision": f.id_()},
    output=IssueCoreSerializer,
    summary="Withdraw a decision you asked for (the mediator may withdraw any).",
)
