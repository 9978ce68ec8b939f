"""Commands of proposals and the sides' answers to them."""

from __future__ import annotations

from ..serializers import ProposalSerializer, ResponseSerializer
from ..services import proposals
from . import fields as f
from .registry import command

command(
    "proposal.create",
    proposals.proposal_create,
    fields={"issue": f.id_(), "terms": f.text(), "amount": f.amount()},
    output=ProposalSerializer,
    summary="Table a proposal on an issue, for your side (or as the mediator).",
)
command(
    "proposal.respond",
    proposals.proposal_respond,
    fields={
        "proposal": f.id_(),
        "answer": f.choice(),
        "version": f.version(),
        "note": f.text(required=False),
        "counter_terms": f.text(required=False),
        "counter_amount": f.amount(),
        "informed": f.flag(),
    },
    output=ResponseSerializer,
    summary=(
        "Answer a proposal for your side: accept (with `informed`: you have the "
        "information you need to decide), reject, considering or counter."
    ),
)
command(
    "proposal.withdraw",
    proposals.proposal_withdraw,
    fields={"proposal": f.id_(), "version": f.version()},
    output=ProposalSerializer,
    summary="Withdraw a proposal you made.",
)
