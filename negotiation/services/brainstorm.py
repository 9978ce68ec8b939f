"""Brainstorm rounds on an issue: options without names, judged only afterwards.

The mediator starts a round on an issue and ends it. While it is open, everyone at the
table but observers adds options (permissions.rounds), and nobody edits, strikes or
comments: the issue's options are held (`options_held`). Its options are ordinary
options from the start, and stay on the issue when the round ends.

Nobody's name is on a brainstorm option, anywhere, because none is kept: the option has
no `created_by`, its event no actor, and both carry the round's start as their time, not
the moment it was added (which could be matched against what its author did then). The
command keeps no receipt naming its sender (commands.registry, `anonymous`): a repeat of
a client id is recognised by a `BrainstormKey`, a keyed hash of the participant and the
client id that names nobody without that id, and not which option either. The answer to
the sender is the round, the same for every option added. The order of the options is
the order they came in, which everyone at the table saw live.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from config.errors import Invalid, NotAllowed

from ..events import event_append, room_lock
from ..models import BrainstormKey, BrainstormRound, Issue, Lane, Option, Participant
from ..permissions import access_issue, can_add_brainstorm_option, can_run_rounds
from ..round_serializers import BrainstormRoundSerializer
from ..serializers import OptionSerializer, payload
from .issue_content import ITEMS_PER_ISSUE_MAX, TEXT_MAX
from .validation import refusal, text_clean

CLOSED_LANES = (Lane.AGREED, Lane.STRUCK)


def _open_round(issue: Issue) -> BrainstormRound | None:
    return BrainstormRound.objects.filter(issue=issue, status=BrainstormRound.Status.OPEN).first()


def brainstorm_start(*, actor: Participant, issue_id: object) -> BrainstormRound:
    """Open a brainstorm round on an issue. Raises NotFound (issue), NotAllowed unless
    the actor runs the session, Invalid when one is open already or the issue is agreed
    or struck. Emits `brainstorm.started` (joint)."""
    with transaction.atomic():
        issue = access_issue(actor, issue_id)
        if not can_run_rounds(actor):
            raise NotAllowed("Only the mediator starts a brainstorm round.")
        room_lock(issue.room)
        if issue.lane in CLOSED_LANES:
            raise Invalid(
                "This issue is decided.", details={"issue": ["Reopen it to brainstorm on it."]}
            )
        if _open_round(issue) is not None:
            raise Invalid(
                "A brainstorm round is already open on this issue.",
                details={"issue": ["End the open round first."]},
            )
        round_ = BrainstormRound.objects.create(issue=issue, started_by=actor)
        event_append(
            room=issue.room,
            name="brainstorm.started",
            data=payload(round_, BrainstormRoundSerializer),
            actor=actor,
        )
    return round_


def brainstorm_add(
    *, actor: Participant, issue_id: object, text: object, client_id: str | None
) -> BrainstormRound:
    """Add an option, without a name, to the open brainstorm round on an issue; answers
    the round. A repeat of `client_id` by the same participant adds nothing.

    Raises NotFound (issue), NotAllowed for observers (and parties while the board is
    paused or on a break), Invalid (text; no round open; the issue full). Emits
    `option.added` (joint) with no author, no actor, and the round's start as its time.
    """
    text = text_clean(text, field="text", max_length=TEXT_MAX, label="option")
    with transaction.atomic():
        issue = access_issue(actor, issue_id)
        if not can_add_brainstorm_option(actor):
            raise refusal(actor, "Observers read the board; they do not add options.")
        room_lock(issue.room)
        round_ = _open_round(issue)
        if round_ is None:
            raise Invalid(
                "No brainstorm round is open on this issue.",
                details={"issue": ["The mediator starts a round first."]},
            )
        key = _repeat_key(actor, client_id)
        if key is not None and BrainstormKey.objects.filter(pk=key).exists():
            return round_
        if issue.options.count() >= ITEMS_PER_ISSUE_MAX:
            raise Invalid(
                "This issue is full.", details={"text": ["Too many entries on this issue."]}
            )
        option = Option.objects.create(
            issue=issue,
            text=text,
            brainstorm=round_,
            created_by=None,
            created_at=round_.started_at,
            updated_at=round_.started_at,
        )
        if key is not None:
            BrainstormKey.objects.create(key=key, round=round_)
        event_append(
            room=issue.room,
            name="option.added",
            data=payload(option, OptionSerializer),
            actor=None,
            at=round_.started_at,
        )
    return round_


def brainstorm_end(*, actor: Participant, issue_id: object) -> BrainstormRound:
    """End the open brainstorm round on an issue: its options are ordinary options now,
    still without names, to evaluate, strike and comment on. Raises NotFound (issue),
    NotAllowed unless the actor runs the session, Invalid when no round is open.
    Emits `brainstorm.ended` (joint)."""
    with transaction.atomic():
        issue = access_issue(actor, issue_id)
        if not can_run_rounds(actor):
            raise NotAllowed("Only the mediator ends a brainstorm round.")
        room_lock(issue.room)
        round_ = _open_round(issue)
        if round_ is None:
            raise Invalid(
                "No brainstorm round is open on this issue.",
                details={"issue": ["There is no round to end."]},
            )
        round_.status = BrainstormRound.Status.ENDED
        round_.ended_at = timezone.now()
        round_.save(update_fields=["status", "ended_at"])
        # The keys only ever told repeats apart while the round took options.
        BrainstormKey.objects.filter(round=round_).delete()
        event_append(
            room=issue.room,
            name="brainstorm.ended",
            data=payload(round_, BrainstormRoundSerializer),
            actor=actor,
        )
    return round_


def _repeat_key(actor: Participant, client_id: str | None) -> str | None:
    if not client_id:
        return None
    message = f"brainstorm:{actor.pk}:{client_id}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()
