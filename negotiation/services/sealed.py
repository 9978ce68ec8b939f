"""Sealed positions: every side's opening figure or position on an issue, read by
nobody but its own side until every side has submitted, then by everyone at once.

The mediator asks (`sealed.asked`, joint; a notice to every side's party, and the ask
waits for each party in "Waiting for you" until their own side submits) and may cancel
(`sealed.cancelled`, joint, and the submissions are deleted unread). A side's party
submits and may replace the submission until the reveal; the side's party and attorney
are told of it by a frame to their own connections, never in a room's log: the
mediator reads every room, and a number taken in a room's sequence would show everyone
in it that something happened. So a submission leaves no event, no notice and no row
anyone else reads (another side's waiting list reads only that side's own submission),
and touches nothing shared but the round's row: until the last side submits, nobody
else can tell that a side has. That one writes `sealed.revealed` (joint), one event
with every side's submission, in the same transaction.

Locks: a round's row, then the joint room (for its event), in that order everywhere.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from config.errors import Invalid, NotAllowed

from ..events import event_append, participant_send, room_lock
from ..models import Notification, Participant, SealedRound, SealedSubmission, Side
from ..permissions import (
    access_in_rooms,
    access_issue,
    can_run_rounds,
    can_submit_sealed,
    sealed_askees,
    sealed_readers,
    sealed_side_of,
)
from ..round_serializers import SealedOwnSerializer, SealedRoundSerializer
from ..serializers import payload
from .brainstorm import CLOSED_LANES
from .notifications import notify
from .validation import amount_clean, max_length_of, refusal, text_clean, version_check

PROMPT_MAX = max_length_of(SealedRound, "prompt")
TEXT_MAX = max_length_of(SealedSubmission, "text")
OVER = "This sealed round is over."


def sealed_ask(
    *, actor: Participant, issue_id: object, asks: object = None, prompt: object = None
) -> SealedRound:
    """Ask every side for a sealed opening figure (`asks` "figure"), position in words
    ("text") or either or both ("either", the default), with an optional `prompt`.

    Raises NotFound (issue), NotAllowed unless the actor runs the session, Invalid (asks,
    prompt; a round already waiting on the issue; an agreed or struck issue).
    Emits `sealed.asked` (joint); notifies every side's party (`sealed_asked`)."""
    kind = str(asks or SealedRound.Asks.EITHER)
    if kind not in SealedRound.Asks.values:
        raise Invalid(
            "Ask for a figure, words, or either.",
            details={"asks": ["Choose figure, text or either."]},
        )
    prompt = text_clean(prompt, field="prompt", max_length=PROMPT_MAX, required=False)
    with transaction.atomic():
        issue = access_issue(actor, issue_id)
        if not can_run_rounds(actor):
            raise NotAllowed("Only the mediator asks for sealed positions.")
        room_lock(issue.room)
        if issue.lane in CLOSED_LANES:
            raise Invalid("This issue is decided.", details={"issue": ["Reopen it first."]})
        if SealedRound.objects.filter(issue=issue, status=SealedRound.Status.WAITING).exists():
            raise Invalid(
                "Sealed positions are already asked for on this issue.",
                details={"issue": ["Wait for the reveal, or cancel that round."]},
            )
        sealed = SealedRound.objects.create(issue=issue, asks=kind, prompt=prompt, asked_by=actor)
        event_append(
            room=issue.room,
            name="sealed.asked",
            data=payload(sealed, SealedRoundSerializer),
            actor=actor,
        )
        notify(
            participants=sealed_askees(actor.mediation_id),
            kind=Notification.Kind.SEALED_ASKED,
            room=issue.room,
            issue=issue,
        )
    return sealed


def _round_locked(actor: Participant, sealed_id: object) -> SealedRound:
    found: SealedRound = access_in_rooms(
        actor, SealedRound.objects.select_related("issue__room"), sealed_id, room_path="issue__room"
    )
    # Waits for a submission or a cancellation of the same round, so exactly one of them
    # finds every side in and reveals.
    locked = SealedRound.objects.select_for_update().get(pk=found.pk)
    locked.issue = found.issue
    return locked


def sealed_submit(
    *,
    actor: Participant,
    sealed_id: object,
    version: object,
    amount: object = None,
    text: object = None,
) -> SealedSubmission:
    """Submit, or replace, one's side's sealed figure (`amount`, in the mediation's
    currency) and/or words (`text`), as the round asks. `version` is 0 for the side's
    first submission, else the version being replaced.

    Raises NotFound (round), NotAllowed unless the actor is a party (not on a break),
    Invalid (amount, text, what the round asks for; the round over), Conflict (with the
    side's current submission). Tells the side's party and attorney (`sealed.mine`);
    when it is the last side's, emits `sealed.revealed` (joint)."""
    cleaned_amount = amount_clean(amount)
    cleaned_text = text_clean(text, field="text", max_length=TEXT_MAX, required=False)
    with transaction.atomic():
        sealed = _round_locked(actor, sealed_id)
        if not can_submit_sealed(actor) or actor.side_id is None:
            raise refusal(actor, "Only a side's party submits its sealed figure or position.")
        if sealed.status != SealedRound.Status.WAITING:
            raise Invalid(OVER, code="sealed_over")
        _asked_check(sealed, cleaned_amount, cleaned_text)
        side_id = actor.side_id
        mine = SealedSubmission.objects.filter(round=sealed, side_id=side_id).first()
        if mine is None:
            version_check(current=0, given=version, payload=None)
            mine = SealedSubmission(round=sealed, side_id=side_id)
        else:
            current = mine
            version_check(
                current=mine.version,
                given=version,
                payload=lambda: dict(SealedOwnSerializer(current).data),
            )
            mine.version += 1
        mine.amount = cleaned_amount
        mine.text = cleaned_text
        mine.save()
        own = dict(SealedOwnSerializer(mine).data)
        for reader in sealed_readers(actor.mediation_id, side_id):
            participant_send(
                reader.pk,
                {"type": "participant.notification", "frame": {"type": "sealed.mine", **own}},
            )
        sides = Side.objects.filter(mediation_id=actor.mediation_id).count()
        if SealedSubmission.objects.filter(round=sealed).count() >= sides:
            _reveal(sealed, actor)
    return mine


def _asked_check(sealed: SealedRound, amount: Any, text: str) -> None:
    if sealed.asks == SealedRound.Asks.FIGURE and amount is None:
        raise Invalid("The mediator asks for a figure.", details={"amount": ["Enter a figure."]})
    if sealed.asks == SealedRound.Asks.TEXT and not text:
        raise Invalid(
            "The mediator asks for your position in words.",
            details={"text": ["Write your position."]},
        )
    if amount is None and not text:
        raise Invalid(
            "Give a figure or your position in words.",
            details={"amount": ["Enter a figure, or write your position."]},
        )


def _reveal(sealed: SealedRound, actor: Participant) -> None:
    room_lock(sealed.issue.room)
    sealed.status = SealedRound.Status.REVEALED
    sealed.closed_at = timezone.now()
    sealed.save(update_fields=["status", "closed_at"])
    event_append(
        room=sealed.issue.room,
        name="sealed.revealed",
        data=payload(sealed, SealedRoundSerializer),
        actor=None,
    )


def sealed_cancel(*, actor: Participant, sealed_id: object) -> SealedRound:
    """Cancel a sealed round before its reveal: whatever was submitted is deleted,
    unread. Raises NotFound (round), NotAllowed unless the actor runs the session,
    Invalid when it is over. Emits `sealed.cancelled` (joint)."""
    with transaction.atomic():
        sealed = _round_locked(actor, sealed_id)
        if not can_run_rounds(actor):
            raise NotAllowed("Only the mediator cancels sealed positions.")
        if sealed.status != SealedRound.Status.WAITING:
            raise Invalid(OVER, code="sealed_over")
        room_lock(sealed.issue.room)
        SealedSubmission.objects.filter(round=sealed).delete()
        sealed.status = SealedRound.Status.CANCELLED
        sealed.closed_at = timezone.now()
        sealed.save(update_fields=["status", "closed_at"])
        event_append(
            room=sealed.issue.room,
            name="sealed.cancelled",
            data=payload(sealed, SealedRoundSerializer),
            actor=actor,
        )
    return sealed


def sealed_own_for(participant: Participant) -> list[dict[str, Any]]:
    """The caller's side's own submissions to the rounds still waiting (none for anyone
    who reads no side's: the mediator, experts, observers)."""
    side_id = sealed_side_of(participant)
    if side_id is None:
        return []
    rows = SealedSubmission.objects.filter(
        side_id=side_id,
        round__status=SealedRound.Status.WAITING,
        round__issue__room__mediation_id=participant.mediation_id,
    ).order_by("round_id")
    return list(SealedOwnSerializer(rows, many=True).data)
