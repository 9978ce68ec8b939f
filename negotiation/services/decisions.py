"""Decisions that take every side: agreeing an issue and striking it.

An issue enters Agreed in one of two ways: a proposal on it is accepted by every side
(the proposing side by proposing; a mediator's proposal by every side), or the mediator
words an agreement and every side's party confirms it. No one moves an issue into
Agreed by hand. The mediator strikes an issue alone; anyone else asks, and it is struck
when every side has asked. Leaving Agreed or Struck is the mediator's (a reopening), and
everyone hears of an agreement and of a reopening. Every decision is kept on the issue
with each side's consent: who gave it for the side, and when.

Each function runs inside the issue's room lock; the card's event (`issue.updated`, or
`issue.moved` when the issue changes lane) carries the decisions, as every card does.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from config.errors import Invalid, NotAllowed

from ..events import event_append, room_lock
from ..models import (
    Consent,
    Decision,
    Issue,
    Lane,
    Notification,
    Participant,
    Proposal,
    Role,
    Side,
    Snapshot,
)
from ..permissions import (
    access_in_rooms,
    access_issue,
    active_members,
    can_ask_strike,
    can_consent_for,
    can_manage_mediation,
    can_mark_agreed,
    can_withdraw_decision,
    mediators_of,
)
from ..serializers import ProposalSerializer, payload
from .documents import acceptance_check
from .issues import issue_payload, issue_relocate
from .notifications import notify
from .snapshots import snapshot_take
from .validation import flag_clean, max_length_of, refusal, text_clean

TERMS_MAX = max_length_of(Decision, "terms")
DECIDED = (Lane.AGREED, Lane.STRUCK)


def decision_propose(
    *, actor: Participant, issue_id: object, kind: object, terms: object = ""
) -> Issue:
    """Ask every side for a decision on an issue.

    - `agree`, by the mediator, with the agreement's wording (`terms`): every side's
      party confirms it, and the issue moves to Agreed when the last one does;
    - `strike`: the mediator's strikes the issue at once; a party's asks the other
      sides, for their own side, and the issue is struck when every side has asked.

    Raises NotFound; NotAllowed (a party proposing an agreement: they accept a
    proposal instead; anyone else striking); Invalid (unknown kind, missing or long
    wording, an issue agreed or struck already, the same decision already waiting, a
    party's strike where there are fewer than two sides). Emits the card's event.
    """
    if kind not in Decision.Kind.values:
        raise Invalid(
            "Unknown decision.",
            details={"kind": [f"Choose one of {', '.join(Decision.Kind.values)}."]},
        )
    wording = ""
    if kind == Decision.Kind.AGREE:
        wording = text_clean(terms, field="terms", max_length=TERMS_MAX, label="wording")
    with transaction.atomic():
        issue = access_issue(actor, issue_id)
        room_lock(issue.room)
        issue.refresh_from_db()
        if kind == Decision.Kind.AGREE:
            if not can_mark_agreed(actor):
                raise refusal(
                    actor,
                    "A side agrees an issue by accepting a proposal on it, or by "
                    "confirming the mediator's wording.",
                )
            _open_check(issue, Decision.Kind.AGREE)
            if not _sides(issue):
                raise Invalid("This mediation has no sides yet.", details={"kind": ["Add a side."]})
            Decision.objects.create(
                issue=issue, kind=Decision.Kind.AGREE, terms=wording, asked_by=actor
            )
            notify(
                participants=_parties(issue).exclude(pk=actor.pk),
                kind=Notification.Kind.DECISION_ASKED,
                room=issue.room,
            )
            _card_changed(issue, actor)
            return issue
        if can_manage_mediation(actor) and actor.is_active:
            _open_check(issue, Decision.Kind.STRIKE, waiting_ok=True)
            strike_by_mediator(actor=actor, issue=issue)
            issue_relocate(issue, lane=Lane.STRUCK, index=None, actor=actor)
            return issue
        side = actor.side_id
        if side is None or not can_ask_strike(actor):
            raise refusal(actor, "Only the mediator or a party asks to strike an issue.")
        _open_check(issue, Decision.Kind.STRIKE)
        if len(_sides(issue)) < 2:
            raise NotAllowed("With fewer than two sides, only the mediator strikes an issue.")
        decision = Decision.objects.create(issue=issue, kind=Decision.Kind.STRIKE, asked_by=actor)
        Consent.objects.create(decision=decision, side_id=side, given_by=actor)
        notify(
            participants=_parties(issue).exclude(side_id=side),
            kind=Notification.Kind.DECISION_ASKED,
            room=issue.room,
        )
        _card_changed(issue, actor)
    return issue


def decision_answer(
    *, actor: Participant, decision_id: object, answer: object, informed: object = False
) -> Issue:
    """Confirm or decline a waiting decision for the actor's side. The last side to
    confirm makes it: the issue moves to Agreed (or Struck). A decline ends the request;
    the mediator is told either way. Confirming an agreement's wording is accepting it,
    so it comes with the party's word that they have the information they need to
    decide (`informed`), unless they gave it already (services.documents.acceptance_check).

    Raises NotFound; NotAllowed unless the actor answers for a side (a party, not during
    a break); Invalid for an unknown answer, a decision no longer waiting, a side that
    has answered already, or an acceptance held back (`documents_unopened`,
    `information_unconfirmed`). Emits the card's event, and `information.checked` in the
    party's private room when the word comes with the confirmation.
    """
    if answer not in ("confirm", "decline"):
        raise Invalid("Unknown answer.", details={"answer": ["Choose confirm or decline."]})
    informed = flag_clean(informed, field="informed")
    with transaction.atomic():
        decision: Decision = access_in_rooms(
            actor,
            Decision.objects.select_related("issue__room"),
            decision_id,
            room_path="issue__room",
        )
        side_id = actor.side_id
        if side_id is None or not can_consent_for(actor, side_id):
            raise refusal(actor, "Only a party answers for their side.")
        issue = decision.issue
        room_lock(issue.room)
        decision.refresh_from_db()
        issue.refresh_from_db()
        if decision.status != Decision.Status.OPEN:
            raise Invalid(
                "This is no longer waiting for an answer.", details={"answer": ["Closed."]}
            )
        if decision.consents.filter(side_id=side_id).exists():
            raise Invalid("Your side has answered already.", details={"answer": ["Answered."]})
        if answer == "confirm" and decision.kind == Decision.Kind.AGREE:
            acceptance_check(actor=actor, issue=issue, informed=informed)
        if answer == "decline":
            _close(decision, Decision.Status.DECLINED, actor)
            notify(
                participants=_asker_and_mediators(decision).exclude(pk=actor.pk),
                kind=Notification.Kind.DECISION_ANSWERED,
                room=issue.room,
            )
            _card_changed(issue, actor)
            return issue
        Consent.objects.create(decision=decision, side_id=side_id, given_by=actor)
        decision.version += 1
        decision.save(update_fields=["version"])
        if _every_side_consented(decision, issue):
            _decide(decision, issue, actor)
            return issue
        notify(
            participants=mediators_of(issue.room.mediation_id),
            kind=Notification.Kind.DECISION_ANSWERED,
            room=issue.room,
        )
        _card_changed(issue, actor)
    return issue


def decision_withdraw(*, actor: Participant, decision_id: object) -> Issue:
    """Withdraw a waiting decision: whoever asked for it, a party of the side that
    asked to strike, or the mediator. Raises NotFound, NotAllowed, Invalid (no longer
    waiting). Emits the card's event."""
    with transaction.atomic():
        decision: Decision = access_in_rooms(
            actor, Decision.objects.select_related("issue__room", "asked_by"), decision_id,
            room_path="issue__room",
        )  # fmt: skip
        asker = decision.asked_by
        if not can_withdraw_decision(actor, decision.kind, asker):
            raise refusal(actor, "Only whoever asked, or the mediator, withdraws this.")
        issue = decision.issue
        room_lock(issue.room)
        decision.refresh_from_db()
        issue.refresh_from_db()
        if decision.status != Decision.Status.OPEN:
            raise Invalid("This is no longer waiting.", details={"decision": ["Closed."]})
        _close(decision, Decision.Status.WITHDRAWN, actor)
        _card_changed(issue, actor)
    return issue


def agreement_by_acceptance(*, proposal: Proposal, actor: Participant) -> bool:
    """After an acceptance: if every side has now accepted the proposal (the proposing
    side by proposing it), the proposal is accepted, the issue agreed on its terms and
    moved to Agreed, and everyone is told. Runs inside the room lock. Returns whether it
    was."""
    issue = proposal.issue
    if issue.lane in DECIDED or proposal.status != Proposal.Status.OPEN:
        return False
    others = [side for side in _sides(issue) if side != proposal.side_id]
    accepted = {
        response.side_id: response
        for response in proposal.responses.filter(answer="accept").select_related("responded_by")
    }
    if not others or any(side not in accepted for side in others):
        return False
    proposal.status = Proposal.Status.ACCEPTED
    proposal.version += 1
    proposal.save(update_fields=["status", "version"])
    event_append(
        room=issue.room,
        name="proposal.updated",
        data=payload(proposal, ProposalSerializer),
        actor=actor,
    )
    terms = proposal.terms
    if proposal.amount is not None:
        terms = f"{terms} ({proposal.amount})"
    decision = Decision.objects.create(
        issue=issue,
        kind=Decision.Kind.AGREE,
        status=Decision.Status.OPEN,
        terms=terms[:TERMS_MAX],
        proposal=proposal,
        asked_by=proposal.created_by,
        created_at=proposal.created_at,
    )
    consents = [
        Consent(decision=decision, side_id=side, given_by=r.responded_by, given_at=r.responded_at)
        for side, r in accepted.items()
        if side in others
    ]
    if proposal.side_id is not None:
        consents.append(
            Consent(
                decision=decision,
                side_id=proposal.side_id,
                given_by=proposal.created_by,
                given_at=proposal.created_at,
            )
        )
    Consent.objects.bulk_create(consents)
    # The wording the mediator may have tabled meanwhile is overtaken by this.
    for waiting in Decision.objects.filter(issue=issue, status=Decision.Status.OPEN).exclude(
        pk=decision.pk
    ):
        _close(waiting, Decision.Status.WITHDRAWN, None)
    _decide(decision, issue, actor)
    return True


def strike_by_mediator(*, actor: Participant, issue: Issue) -> Decision:
    """Record the mediator's striking of a locked issue (the caller moves it). A waiting
    request to strike is made by it; a waiting agreement is withdrawn."""
    now = timezone.now()
    waiting = Decision.objects.filter(
        issue=issue, kind=Decision.Kind.STRIKE, status=Decision.Status.OPEN
    ).first()
    for other in Decision.objects.filter(issue=issue, kind=Decision.Kind.AGREE, status="open"):
        _close(other, Decision.Status.WITHDRAWN, actor)
    decision = waiting or Decision(issue=issue, kind=Decision.Kind.STRIKE, asked_by=actor)
    decision.status = Decision.Status.DONE
    decision.decided_at = now
    decision.decided_by = actor
    decision.version += 1
    decision.save()
    return decision


def decision_reopen(*, actor: Participant, issue: Issue) -> None:
    """Record the reopening of a locked issue leaving Agreed or Struck (the caller moves
    it): the decision that put it there is marked reopened, by whom and when, and for an
    agreed issue everyone is told."""
    kind = Decision.Kind.AGREE if issue.lane == Lane.AGREED else Decision.Kind.STRIKE
    decided = (
        Decision.objects.filter(issue=issue, kind=kind, status=Decision.Status.DONE)
        .order_by("-id")
        .first()
    )
    if decided is not None:
        _close(decided, Decision.Status.REOPENED, actor)
    if kind == Decision.Kind.AGREE:
        notify(
            participants=active_members(issue.room.mediation_id).exclude(pk=actor.pk),
            kind=Notification.Kind.ISSUE_REOPENED,
            room=issue.room,
        )


# --- helpers ----------------------------------------------------------------------------


def _sides(issue: Issue) -> list[int]:
    return list(
        Side.objects.filter(mediation_id=issue.room.mediation_id).values_list("pk", flat=True)
    )


def _parties(issue: Issue) -> QuerySet[Participant]:
    return active_members(issue.room.mediation_id).filter(role=Role.PARTY)


def _asker_and_mediators(decision: Decision) -> QuerySet[Participant]:
    members = active_members(decision.issue.room.mediation_id)
    asker = decision.asked_by_id
    return members.filter(role=Role.MEDIATOR) | members.filter(pk=asker or 0)


def _open_check(issue: Issue, kind: str, *, waiting_ok: bool = False) -> None:
    if issue.lane in DECIDED:
        word = "agreed" if issue.lane == Lane.AGREED else "struck"
        raise Invalid(
            f"This issue is {word} already.",
            details={"issue": ["The mediator can reopen it."]},
        )
    if not waiting_ok and Decision.objects.filter(issue=issue, kind=kind, status="open").exists():
        raise Invalid(
            "This is already waiting for every side.",
            details={"kind": ["Answer or withdraw the waiting one."]},
        )


def _every_side_consented(decision: Decision, issue: Issue) -> bool:
    given = set(decision.consents.values_list("side_id", flat=True))
    sides = _sides(issue)
    return bool(sides) and all(side in given for side in sides)


def _close(decision: Decision, status: str, actor: Participant | None) -> None:
    decision.status = status
    decision.closed_by = actor
    decision.closed_at = timezone.now()
    decision.version += 1
    decision.save(update_fields=["status", "closed_by", "closed_at", "version"])


def _decide(decision: Decision, issue: Issue, actor: Participant) -> None:
    """Every side said yes: make the decision and move the (locked) issue."""
    decision.status = Decision.Status.DONE
    decision.decided_at = timezone.now()
    decision.decided_by = actor
    decision.version += 1
    decision.save(update_fields=["status", "decided_at", "decided_by", "version"])
    for other in Decision.objects.filter(issue=issue, status=Decision.Status.OPEN):
        _close(other, Decision.Status.WITHDRAWN, None)
    if decision.kind == Decision.Kind.AGREE:
        issue_relocate(issue, lane=Lane.AGREED, index=None, actor=actor)
        snapshot_take(room=issue.room, reason=Snapshot.Reason.AGREED)
        notify(
            participants=active_members(issue.room.mediation_id).exclude(pk=actor.pk),
            kind=Notification.Kind.ISSUE_AGREED,
            room=issue.room,
        )
    else:
        issue_relocate(issue, lane=Lane.STRUCK, index=None, actor=actor)


def _card_changed(issue: Issue, actor: Participant) -> None:
    issue.version += 1
    issue.updated_at = timezone.now()
    issue.save(update_fields=["version", "updated_at"])
    event_append(room=issue.room, name="issue.updated", data=issue_payload(issue), actor=actor)
