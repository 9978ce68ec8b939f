"""Proposals on an issue and each side's response.

A party proposes for their side; the mediator may table a mediator's proposal (no side).
Each other side answers: accept, reject, considering, or counter, which tables a new
proposal linked to the one it answers. Terms never change once tabled; a proposal can be
withdrawn by whoever made it, until every side has accepted it: then the issue is agreed
on its terms (services.decisions) and the proposal stands. An issue agreed or struck
takes no more proposals or answers until the mediator reopens it.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from config.errors import Invalid

from ..events import event_append, room_lock
from ..models import Issue, Lane, Notification, Participant, Proposal, Response
from ..permissions import (
    access_in_rooms,
    access_issue,
    answering_for_sides,
    can_propose,
    can_respond,
    can_withdraw,
    is_own_side_proposal,
    of_side,
    proposing_side,
)
from ..serializers import ProposalSerializer, ResponseSerializer, payload
from .decisions import agreement_by_acceptance
from .documents import acceptance_check
from .notifications import notify
from .validation import (
    amount_clean,
    flag_clean,
    max_length_of,
    refusal,
    text_clean,
    version_check,
)

TERMS_MAX = max_length_of(Proposal, "terms")
NOTE_MAX = max_length_of(Response, "note")
PROPOSALS_PER_ISSUE_MAX = 500


def proposal_payload(proposal: Proposal) -> dict[str, Any]:
    return payload(proposal, ProposalSerializer)


def _decided_check(issue: Issue) -> None:
    if issue.lane in (Lane.AGREED, Lane.STRUCK):
        word = "agreed" if issue.lane == Lane.AGREED else "struck"
        raise Invalid(
            f"This issue is {word}: the mediator can reopen it.",
            details={"issue": [f"The issue is {word}."]},
        )


def _proposal_table(
    *, actor: Participant, issue: Issue, terms: str, amount: Any, counter_to: Proposal | None
) -> Proposal:
    _decided_check(issue)
    if issue.proposals.count() >= PROPOSALS_PER_ISSUE_MAX:
        raise Invalid("Too many proposals.", details={"terms": ["This issue has too many."]})
    proposal = Proposal.objects.create(
        issue=issue,
        side_id=proposing_side(actor),
        terms=terms,
        amount=amount,
        counter_to=counter_to,
        created_by=actor,
    )
    event_append(
        room=issue.room, name="proposal.created", data=proposal_payload(proposal), actor=actor
    )
    notify(
        participants=answering_for_sides(issue.room.mediation_id, but=proposal.side_id),
        kind=Notification.Kind.PROPOSAL_MADE,
        room=issue.room,
        issue=issue,
    )
    return proposal


def proposal_create(
    *, actor: Participant, issue_id: object, terms: object, amount: object = None
) -> Proposal:
    """Table a proposal on an issue: a party's is for their side, the mediator's is a
    mediator's proposal. Raises NotFound, NotAllowed, Invalid (terms, amount).
    Emits `proposal.created`."""
    terms = text_clean(terms, field="terms", max_length=TERMS_MAX, label="terms")
    cleaned_amount = amount_clean(amount)
    with transaction.atomic():
        issue = access_issue(actor, issue_id)
        if not can_propose(actor):
            raise refusal(actor, "Only the parties and the mediator make proposals.")
        room_lock(issue.room)
        issue.refresh_from_db()
        return _proposal_table(
            actor=actor, issue=issue, terms=terms, amount=cleaned_amount, counter_to=None
        )


def proposal_respond(
    *,
    actor: Participant,
    proposal_id: object,
    answer: object,
    version: object = 0,
    note: object = "",
    counter_terms: object = None,
    counter_amount: object = None,
    informed: object = False,
) -> Response:
    """Answer a proposal for the actor's side. `version` is 0 for the side's first answer,
    else the version of the answer being changed. A counter tables a new proposal (with
    `counter_terms`, `counter_amount`) linked to this one. An acceptance comes with the
    party's word that they have the information they need to decide (`informed`), unless
    they gave it already.

    Raises NotFound; NotAllowed unless the actor is a party of a side other than the
    proposer's; Invalid for an unknown answer, a withdrawn or accepted proposal, an issue
    agreed or struck, counter terms missing, or an acceptance held back
    (services.documents.acceptance_check: `documents_unopened`, or
    `information_unconfirmed` when the party has not said, before or with `informed`,
    that they have the information they need); Conflict with the side's current answer.
    Emits `response.set`, after `proposal.created` for a counter. The acceptance that
    completes every side's makes the agreement: `proposal.updated` (accepted) and
    `issue.moved` (to Agreed) follow.
    """
    if answer not in Response.Answer.values:
        raise Invalid(
            "Unknown answer.",
            details={"answer": [f"Choose one of {', '.join(Response.Answer.values)}."]},
        )
    note = text_clean(note, field="note", max_length=NOTE_MAX, required=False, label="note")
    informed = flag_clean(informed, field="informed")
    is_counter = answer == Response.Answer.COUNTER
    if is_counter:
        counter_terms = text_clean(
            counter_terms, field="counter_terms", max_length=TERMS_MAX, label="counter terms"
        )
        counter_amount = amount_clean(counter_amount, field="counter_amount")
    with transaction.atomic():
        proposal: Proposal = access_in_rooms(
            actor,
            Proposal.objects.select_related("issue__room"),
            proposal_id,
            room_path="issue__room",
        )
        side_id = actor.side_id
        if side_id is None or not can_respond(actor, side_id):
            raise refusal(actor, "Only a party answers a proposal, for their own side.")
        if is_own_side_proposal(actor, proposal.side_id):
            raise refusal(actor, "This is your side's own proposal.")
        room_lock(proposal.issue.room)
        proposal.refresh_from_db()
        proposal.issue.refresh_from_db()
        _decided_check(proposal.issue)
        if proposal.status == Proposal.Status.WITHDRAWN:
            raise Invalid("This proposal was withdrawn.", details={"answer": ["Withdrawn."]})
        if proposal.status == Proposal.Status.ACCEPTED:
            raise Invalid(
                "Every side accepted this proposal.", details={"answer": ["Accepted by all."]}
            )
        if answer == Response.Answer.ACCEPT:
            acceptance_check(actor=actor, issue=proposal.issue, informed=informed)
        response = Response.objects.filter(proposal=proposal, side_id=side_id).first()
        if response is None:
            version_check(current=0, given=version, payload=None)
            response = Response(proposal=proposal, side_id=side_id)
        else:
            version_check(
                current=response.version,
                given=version,
                payload=lambda: dict(ResponseSerializer(response).data),
            )
            response.version += 1
        response.counter = (
            _proposal_table(
                actor=actor,
                issue=proposal.issue,
                terms=str(counter_terms),
                amount=counter_amount,
                counter_to=proposal,
            )
            if is_counter
            else None
        )
        response.answer = str(answer)
        response.note = note
        response.responded_by = actor
        response.responded_at = timezone.now()
        response.save()
        event_append(
            room=proposal.issue.room,
            name="response.set",
            data=payload(response, ResponseSerializer),
            actor=actor,
        )
        notify(
            participants=of_side(proposal.issue.room.mediation_id, proposal.side_id),
            kind=Notification.Kind.PROPOSAL_ANSWERED,
            room=proposal.issue.room,
            issue=proposal.issue,
        )
        if response.answer == Response.Answer.ACCEPT:
            agreement_by_acceptance(proposal=proposal, actor=actor)
    return response


def proposal_withdraw(*, actor: Participant, proposal_id: object, version: object) -> Proposal:
    """Withdraw an open proposal; only whoever tabled it may. Raises NotFound, NotAllowed,
    Invalid (already withdrawn), Conflict. Emits `proposal.withdrawn`."""
    with transaction.atomic():
        proposal: Proposal = access_in_rooms(
            actor,
            Proposal.objects.select_related("issue__room"),
            proposal_id,
            room_path="issue__room",
        )
        if not can_withdraw(actor, proposal.side_id):
            raise refusal(actor, "Only whoever made a proposal withdraws it.")
        room_lock(proposal.issue.room)
        proposal.refresh_from_db()
        version_check(
            current=proposal.version, given=version, payload=lambda: proposal_payload(proposal)
        )
        if proposal.status == Proposal.Status.WITHDRAWN:
            raise Invalid("Already withdrawn.", details={"proposal": ["Already withdrawn."]})
        if proposal.status == Proposal.Status.ACCEPTED:
            raise Invalid(
                "Every side accepted this proposal: it stands.",
                details={"proposal": ["Accepted by every side."]},
            )
        proposal.status = Proposal.Status.WITHDRAWN
        proposal.version += 1
        proposal.save(update_fields=["status", "version"])
        event_append(
            room=proposal.issue.room,
            name="proposal.withdrawn",
            data=proposal_payload(proposal),
            actor=actor,
        )
    return proposal
