"""Impasse on an issue: the mediator marks it, names what blocks it, tries strategies and
records what came of them; the perspective round is one of those strategies.

What everyone sees: the issue card's `impasse_since` ("We are trying another way"), and
the tools they take part in (a perspective round in the joint room, a worksheet in their
private room, criteria on the issue). What only the mediators see: the causes, the
suggested strategies, the strategies tried and their outcomes. Those travel only as an
`impasse` frame to each mediator's own connections (permissions.impasse_audience) and
in answers to the mediator; nothing of them is in any room's log.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from config.errors import Conflict, Invalid, NotAllowed, NotFound

from ..events import event_append, participant_send, room_lock, rooms_lock
from ..impasse_reads import impasse_payload, perspective_payload
from ..keys import row_key
from ..models import (
    BrainstormRound,
    Cause,
    Impasse,
    Invitation,
    Issue,
    Lane,
    Notification,
    Participant,
    PerspectiveDraft,
    PerspectiveRound,
    PerspectiveStatement,
    RealityCheck,
    Room,
    Side,
    Strategy,
    StrategyAttempt,
)
from ..permissions import (
    access_issue,
    can_answer_perspective,
    can_handle_impasse,
    can_state_perspective,
    impasse_audience,
    perspective_turn_audience,
)
from ..serializers import RealityCheckSerializer, payload
from .brainstorm import brainstorm_end, brainstorm_start
from .issues import issue_move, issue_payload
from .notifications import notify
from .session import break_start
from .validation import max_length_of, refusal, text_clean, version_check

NOTE_MAX = max_length_of(Impasse, "note")
OUTCOME_NOTE_MAX = max_length_of(StrategyAttempt, "note")
STATEMENT_MAX = 3000


# --- telling the mediators -------------------------------------------------------------


def _mediators_tell(impasse: Impasse) -> None:
    """After commit, send the impasse as it now is to every mediator's connections: the
    only way its causes and strategies travel."""
    impasse = Impasse.objects.prefetch_related("attempts__invitation").get(pk=impasse.pk)
    frame = {"type": "impasse", "impasse": impasse_payload(impasse)}
    mediation_id = impasse.issue.room.mediation_id
    for mediator_id in impasse_audience(mediation_id).values_list("pk", flat=True):
        participant_send(mediator_id, {"type": "participant.notification", "frame": frame})


def _issue_told(issue: Issue, actor: Participant) -> None:
    issue.version += 1
    issue.updated_at = timezone.now()
    issue.save(update_fields=["impasse_since", "version", "updated_at"])
    event_append(room=issue.room, name="issue.updated", data=issue_payload(issue), actor=actor)


def _handle_check(actor: Participant) -> None:
    if not can_handle_impasse(actor):
        raise NotAllowed("Only the mediator works with an impasse.")


def _causes_clean(causes: object) -> list[str]:
    if not isinstance(causes, list) or not causes:
        raise Invalid(
            "Name what blocks the issue.",
            details={"causes": ["Choose one or more causes."]},
        )
    cleaned: list[str] = []
    for cause in causes:
        if cause not in Cause.values:
            raise Invalid(
                "Unknown cause.",
                details={"causes": [f"Choose from {', '.join(Cause.values)}."]},
            )
        if cause not in cleaned:
            cleaned.append(str(cause))
    return cleaned


def _impasse_locked(actor: Participant, impasse_id: object) -> Impasse:
    """An impasse of the actor's mediation (NotFound otherwise), its room locked and the
    row read afresh."""
    key = row_key(impasse_id)
    impasse = (
        None
        if key is None
        else Impasse.objects.select_related("issue__room")
        .filter(pk=key, issue__room__mediation_id=actor.mediation_id)
        .first()
    )
    if impasse is None:
        raise NotFound("No such impasse.")
    room_lock(impasse.issue.room)
    impasse.refresh_from_db()
    return impasse


def _open_check(impasse: Impasse) -> None:
    if impasse.cleared_at is not None:
        raise Invalid("This impasse is cleared.", details={"impasse": ["Mark it again."]})


# --- the impasse ---------------------------------------------------------------------


def impasse_mark(
    *, actor: Participant, issue_id: object, causes: object, note: object = ""
) -> Impasse:
    """Mark an issue at impasse and name its causes (one or more of Cause; the mediator's
    private note optional). Raises NotAllowed unless the actor is the mediator, NotFound
    for an issue they cannot see, Invalid for no or unknown causes, a struck or agreed
    issue, or one at impasse already. Emits `issue.updated` (joint: `impasse_since`, no
    cause) and tells the mediators (`impasse` frame)."""
    _handle_check(actor)
    cleaned = _causes_clean(causes)
    words = text_clean(note, field="note", max_length=NOTE_MAX, required=False, label="note")
    issue = access_issue(actor, issue_id)
    with transaction.atomic():
        room_lock(issue.room)
        issue.refresh_from_db()
        if issue.lane in (Lane.AGREED, Lane.STRUCK):
            raise Invalid("This issue is decided.", details={"issue": ["Reopen it first."]})
        if issue.impasse_since is not None:
            raise Invalid(
                "This issue is at impasse already.",
                details={"issue": ["Change its causes instead."]},
            )
        now = timezone.now()
        try:
            with transaction.atomic():
                impasse = Impasse.objects.create(
                    issue=issue, causes=cleaned, note=words, started_by=actor, started_at=now
                )
        except IntegrityError:
            raise Invalid(
                "This issue is at impasse already.",
                details={"issue": ["Change its causes instead."]},
            ) from None
        issue.impasse_since = now
        _issue_told(issue, actor)
        _mediators_tell(impasse)
    return impasse


def impasse_causes_set(
    *,
    actor: Participant,
    impasse_id: object,
    version: object,
    causes: object,
    note: object = None,
) -> Impasse:
    """Change an open impasse's causes (and note, when given). Raises NotAllowed,
    NotFound, Invalid (causes, a cleared impasse), Conflict (a stale version). Tells the
    mediators only: nothing changes in any room."""
    _handle_check(actor)
    cleaned = _causes_clean(causes)
    words = (
        None
        if note is None
        else text_clean(note, field="note", max_length=NOTE_MAX, required=False, label="note")
    )
    with transaction.atomic():
        impasse = _impasse_locked(actor, impasse_id)
        version_check(
            current=impasse.version, given=version, payload=lambda: impasse_payload(impasse)
        )
        _open_check(impasse)
        impasse.causes = cleaned
        if words is not None:
            impasse.note = words
        impasse.version += 1
        impasse.save(update_fields=["causes", "note", "version"])
        _mediators_tell(impasse)
    return impasse


def impasse_clear(*, actor: Participant, impasse_id: object) -> Impasse:
    """The issue is no longer at impasse: the impasse is cleared (kept, with what was
    tried), a running perspective round ends, and strategies still running end too.
    Raises NotAllowed, NotFound, Invalid (cleared already). Emits `issue.updated`
    (joint), `perspective.updated` (joint) for a round it ends, and tells the mediators."""
    _handle_check(actor)
    with transaction.atomic():
        impasse = _impasse_locked(actor, impasse_id)
        _open_check(impasse)
        now = timezone.now()
        for attempt in impasse.attempts.filter(ended_at__isnull=True):
            _attempt_finish(attempt, actor, now)
        impasse.cleared_at = now
        impasse.cleared_by = actor
        impasse.version += 1
        impasse.save(update_fields=["cleared_at", "cleared_by", "version"])
        issue = Issue.objects.get(pk=impasse.issue_id)
        issue.impasse_since = None
        _issue_told(issue, actor)
        _mediators_tell(impasse)
    return impasse


# --- strategies ----------------------------------------------------------------------


def _side_of(actor: Participant, side_id: object, field: str = "side") -> Side:
    key = row_key(side_id)
    side = (
        None
        if key is None
        else Side.objects.filter(mediation_id=actor.mediation_id, pk=key).first()
    )
    if side is None:
        raise Invalid("Unknown side.", details={field: ["Choose a side of this mediation."]})
    return side


def _perspective_sides(actor: Participant, sides: object) -> tuple[Side, Side]:
    if sides is None:
        found = list(Side.objects.filter(mediation_id=actor.mediation_id).order_by("order", "id"))
        if len(found) < 2:
            raise Invalid(
                "A perspective round takes two sides.", details={"sides": ["Add a side first."]}
            )
        return found[0], found[1]
    if not isinstance(sides, list) or len(sides) != 2 or sides[0] == sides[1]:
        raise Invalid(
            "A perspective round takes two sides.", details={"sides": ["Choose two sides."]}
        )
    return _side_of(actor, sides[0], "sides"), _side_of(actor, sides[1], "sides")


def _reality_check_open(actor: Participant, issue: Issue, side: Side) -> None:
    """The side's worksheet for the issue, in its private room: made (empty) if the side
    has none yet, so it shows there. Emits `reality_check.updated` in that room."""
    room = Room.objects.get(mediation_id=actor.mediation_id, side=side)
    rooms_lock(issue.room, room)
    if RealityCheck.objects.filter(room=room, issue=issue).exists():
        return
    sheet = RealityCheck.objects.create(room=room, issue=issue, updated_by=actor)
    event_append(
        room=room,
        name="reality_check.updated",
        data=payload(sheet, RealityCheckSerializer),
        actor=actor,
    )


def _invitation_of(actor: Participant, invitation_id: object, issue: Issue) -> Invitation:
    key = row_key(invitation_id)
    invitation = (
        None
        if key is None
        else Invitation.objects.filter(mediation_id=actor.mediation_id, pk=key).first()
    )
    if invitation is None or invitation.role != "expert" or invitation.scope_issue_id != issue.pk:
        raise Invalid(
            "Invite the professional on this issue first.",
            details={"invitation": ["Choose an expert invited on this issue."]},
        )
    return invitation


def strategy_start(
    *,
    actor: Participant,
    impasse_id: object,
    kind: object,
    side_id: object = None,
    sides: object = None,
    minutes: object = None,
    message: object = None,
    reason: object = None,
    until: object = None,
    condition: object = None,
    invitation_id: object = None,
) -> Impasse:
    """Start a strategy on an open impasse and record it (started when, by whom):

    - `perspective`: a perspective round between two `sides` (the first two by default):
      emits `perspective.updated` (joint); both sides' parties and attorneys are
      notified that it is their turn (`perspective_turn`);
    - `break`: the session's break of `minutes` (`message`?): `mediation.updated`;
    - `park`: sets the issue aside (`reason`?, `until`?, `condition`?): `issue.moved`;
    - `reality_check`: opens `side`'s worksheet for the issue in its private room:
      `reality_check.updated` there, when the side had none;
    - `criteria`: criteria with sources on the issue (criterion.add, comment.add);
    - `alternatives`: generating alternatives: opens a brainstorm round on the issue
      (services.brainstorm), which ending the strategy ends: `brainstorm.started`;
    - `professional`: an expert the mediator invited on this issue (`invitation`, made
      with the invitation's `issue` and `minutes`), into `side`'s private room or the
      joint room.

    Raises NotAllowed, NotFound, Invalid (unknown kind, a cleared impasse, what the kind
    needs missing or wrong, a perspective round or a break already running), and what
    the break or park refuses. Tells the mediators."""
    _handle_check(actor)
    if kind not in Strategy.values:
        raise Invalid(
            "Unknown strategy.", details={"kind": [f"Choose one of {', '.join(Strategy.values)}."]}
        )
    with transaction.atomic():
        impasse = _impasse_locked(actor, impasse_id)
        _open_check(impasse)
        issue = Issue.objects.select_related("room").get(pk=impasse.issue_id)
        attempt = StrategyAttempt(impasse=impasse, kind=str(kind), started_by=actor)
        if kind == Strategy.PERSPECTIVE:
            side_a, side_b = _perspective_sides(actor, sides)
            if PerspectiveRound.objects.filter(
                issue=issue, status=PerspectiveRound.Status.OPEN
            ).exists():
                raise Invalid(
                    "A perspective round is under way on this issue.",
                    details={"kind": ["End it first."]},
                )
            attempt.save()
            perspective = PerspectiveRound.objects.create(
                attempt=attempt, issue=issue, side_a=side_a, side_b=side_b
            )
            _perspective_told(perspective, actor)
            _turn_told(perspective, side_a.pk)
            _turn_told(perspective, side_b.pk)
        elif kind == Strategy.BREAK:
            break_start(actor=actor, minutes=minutes, message=message or "")
            attempt.save()
        elif kind == Strategy.PARK:
            issue_move(
                actor=actor,
                issue_id=issue.pk,
                version=issue.version,
                lane=Lane.PARKED,
                reason=reason,
                until=until,
                condition=condition,
            )
            attempt.save()
        elif kind == Strategy.REALITY_CHECK:
            side = _side_of(actor, side_id)
            attempt.side = side
            attempt.save()
            _reality_check_open(actor, issue, side)
        elif kind == Strategy.ALTERNATIVES:
            brainstorm_start(actor=actor, issue_id=issue.pk)
            attempt.save()
        elif kind == Strategy.PROFESSIONAL:
            attempt.invitation = _invitation_of(actor, invitation_id, issue)
            attempt.side = attempt.invitation.side
            attempt.save()
        else:
            attempt.save()
        _mediators_tell(impasse)
    return impasse


def _attempt_finish(attempt: StrategyAttempt, actor: Participant, now: Any) -> None:
    attempt.ended_at = now
    attempt.ended_by = actor
    attempt.save(update_fields=["ended_at", "ended_by"])
    perspective = PerspectiveRound.objects.filter(
        attempt=attempt, status=PerspectiveRound.Status.OPEN
    ).first()
    if perspective is not None:
        perspective.status = PerspectiveRound.Status.ENDED
        perspective.ended_at = now
        perspective.version += 1
        perspective.save(update_fields=["status", "ended_at", "version"])
        _perspective_told(perspective, actor)
    issue_id = attempt.impasse.issue_id
    if (
        attempt.kind == Strategy.ALTERNATIVES
        and BrainstormRound.objects.filter(
            issue_id=issue_id, status=BrainstormRound.Status.OPEN
        ).exists()
    ):
        brainstorm_end(actor=actor, issue_id=issue_id)


def strategy_end(
    *, actor: Participant, attempt_id: object, outcome: object = "", note: object = None
) -> Impasse:
    """End a strategy (a running perspective or brainstorm round ends with it) and record what came
    of it: `outcome` helped / did_not_help / "" (not said), and a `note`. Again on an
    ended one, it changes the outcome and note. Raises NotAllowed, NotFound, Invalid.
    Emits `perspective.updated` or `brainstorm.ended` (joint) for a round it ends; tells
    the mediators."""
    _handle_check(actor)
    if outcome not in ("", None, *StrategyAttempt.Outcome.values):
        raise Invalid(
            "Unknown outcome.",
            details={"outcome": ["Choose helped, did_not_help, or leave it out."]},
        )
    words = (
        None
        if note is None
        else text_clean(
            note, field="note", max_length=OUTCOME_NOTE_MAX, required=False, label="note"
        )
    )
    key = row_key(attempt_id)
    found = (
        None
        if key is None
        else StrategyAttempt.objects.filter(
            pk=key, impasse__issue__room__mediation_id=actor.mediation_id
        )
        .values_list("impasse_id", flat=True)
        .first()
    )
    if found is None:
        raise NotFound("No such strategy.")
    with transaction.atomic():
        impasse = _impasse_locked(actor, found)
        attempt = impasse.attempts.get(pk=str(key))
        if attempt.ended_at is None:
            _attempt_finish(attempt, actor, timezone.now())
        attempt.outcome = str(outcome or "")
        if words is not None:
            attempt.note = words
        attempt.save(update_fields=["outcome", "note"])
        _mediators_tell(impasse)
    return impasse


# --- the perspective round -----------------------------------------------------------


def _perspective_told(perspective: PerspectiveRound, actor: Participant) -> None:
    perspective = PerspectiveRound.objects.prefetch_related("statements").get(pk=perspective.pk)
    event_append(
        room=perspective.issue.room,
        name="perspective.updated",
        data=perspective_payload(perspective),
        actor=actor,
    )


def _turn_told(perspective: PerspectiveRound, side_id: int) -> None:
    """Tell side `side_id`'s party and attorney that the round waits on them (to write,
    or to answer what the other side wrote). Fixed words: nothing of any statement."""
    notify(
        participants=perspective_turn_audience(perspective.issue.room.mediation_id, side_id),
        kind=Notification.Kind.PERSPECTIVE_TURN,
        room=perspective.issue.room,
        issue=perspective.issue,
    )


def _round_of(actor: Participant, round_id: object) -> PerspectiveRound:
    """A round on an issue the actor sees (NotFound otherwise)."""
    key = row_key(round_id)
    perspective = (
        None
        if key is None
        else PerspectiveRound.objects.select_related("issue__room")
        .filter(pk=key, issue__room__mediation_id=actor.mediation_id)
        .first()
    )
    if perspective is None:
        raise NotFound("No such perspective round.")
    access_issue(actor, perspective.issue_id)
    return perspective


def _writer_side(actor: Participant, perspective: PerspectiveRound) -> tuple[int, int]:
    """The actor's side in the round and the side whose view it states; NotAllowed for
    anyone who writes for neither side."""
    sides = (perspective.side_a_id, perspective.side_b_id)
    side = actor.side_id
    if side not in sides or not can_state_perspective(actor, side):
        raise refusal(actor, "Only the two sides' parties and attorneys write in this round.")
    other = sides[1] if side == sides[0] else sides[0]
    return side, other


def _latest(perspective: PerspectiveRound, writer_side: int) -> PerspectiveStatement | None:
    return (
        PerspectiveStatement.objects.filter(round=perspective, writer_side_id=writer_side)
        .order_by("-turn")
        .first()
    )


def _round_open_check(perspective: PerspectiveRound) -> None:
    if perspective.status != PerspectiveRound.Status.OPEN:
        raise Invalid("This round is over.", details={"round": ["It takes no more turns."]})


def perspective_draft(
    *, actor: Participant, round_id: object, text: object = ""
) -> PerspectiveDraft:
    """Keep what the actor is writing for their side's statement, unseen by anyone else
    (not their attorney or party, not the mediator) until they submit it. Raises
    NotFound, NotAllowed (not a writer of either side), Invalid (too long, round over).
    No event: a draft is in no room."""
    words = text_clean(text, field="text", max_length=STATEMENT_MAX, required=False)
    perspective = _round_of(actor, round_id)
    _writer_side(actor, perspective)
    _round_open_check(perspective)
    with transaction.atomic():
        draft, _ = PerspectiveDraft.objects.select_for_update().get_or_create(
            round=perspective, author=actor
        )
        draft.text = words
        draft.updated_at = timezone.now()
        draft.save(update_fields=["text", "updated_at"])
    return draft


def perspective_submit(*, actor: Participant, round_id: object, text: object) -> PerspectiveRound:
    """Submit the actor's side's statement of the other side's view: its first, or a new
    one after the other side corrected the last. Their own draft is then forgotten.
    Raises NotFound, NotAllowed, Invalid (empty or long text, the round over, the last
    statement still waiting for its answer or confirmed already). Emits
    `perspective.updated` (joint); notifies the other side that its answer is awaited
    (`perspective_turn`)."""
    words = text_clean(text, field="text", max_length=STATEMENT_MAX, label="statement")
    perspective = _round_of(actor, round_id)
    side, other = _writer_side(actor, perspective)
    with transaction.atomic():
        room_lock(perspective.issue.room)
        perspective.refresh_from_db()
        _round_open_check(perspective)
        last = _latest(perspective, side)
        if last is not None and last.answer != PerspectiveStatement.Answer.CORRECTED:
            raise Invalid(
                "Your side's statement is waiting for the other side."
                if not last.answer
                else "The other side confirmed your side's statement.",
                details={"text": ["Nothing to write now."]},
            )
        PerspectiveStatement.objects.create(
            round=perspective,
            writer_side_id=side,
            about_side_id=other,
            turn=1 if last is None else last.turn + 1,
            text=words,
            written_by=actor,
        )
        PerspectiveDraft.objects.filter(round=perspective, author=actor).delete()
        perspective.version += 1
        perspective.save(update_fields=["version"])
        _perspective_told(perspective, actor)
        _turn_told(perspective, other)
    return perspective


def perspective_answer(
    *,
    actor: Participant,
    statement_id: object,
    answer: object,
    correction: object = None,
) -> PerspectiveRound:
    """Answer a statement of the actor's side's view: `confirm` ("that's right") or
    `correct` with the `correction`, after which the other side writes again. When both
    sides have confirmed, the round is done. Raises NotFound, NotAllowed (not the stated
    side's party or attorney), Invalid (no correction, answered already, not the latest,
    round over). Emits `perspective.updated` (joint); after a correction, notifies the
    writing side that it is their turn again (`perspective_turn`)."""
    if answer not in ("confirm", "correct"):
        raise Invalid("Confirm or correct.", details={"answer": ["Choose confirm or correct."]})
    words = (
        text_clean(correction, field="correction", max_length=STATEMENT_MAX, label="correction")
        if answer == "correct"
        else ""
    )
    key = row_key(statement_id)
    statement = (
        None
        if key is None
        else PerspectiveStatement.objects.select_related("round__issue__room")
        .filter(pk=key, round__issue__room__mediation_id=actor.mediation_id)
        .first()
    )
    if statement is None:
        raise NotFound("No such statement.")
    perspective = _round_of(actor, statement.round_id)
    if not can_answer_perspective(actor, statement.about_side_id):
        raise refusal(actor, "Only the side whose view it states answers it.")
    with transaction.atomic():
        room_lock(perspective.issue.room)
        perspective.refresh_from_db()
        statement.refresh_from_db()
        _round_open_check(perspective)
        latest = _latest(perspective, statement.writer_side_id)
        if statement.answer or latest is None or latest.pk != statement.pk:
            raise Conflict(
                "This statement was answered already.",
                details={"current": perspective_payload(perspective)},
            )
        statement.answer = (
            PerspectiveStatement.Answer.CONFIRMED
            if answer == "confirm"
            else PerspectiveStatement.Answer.CORRECTED
        )
        statement.correction = words
        statement.answered_by = actor
        statement.answered_at = timezone.now()
        statement.save(update_fields=["answer", "correction", "answered_by", "answered_at"])
        confirmed = {
            side
            for side in (perspective.side_a_id, perspective.side_b_id)
            if (last := _latest(perspective, side)) is not None
            and last.answer == PerspectiveStatement.Answer.CONFIRMED
        }
        if len(confirmed) == 2:
            perspective.status = PerspectiveRound.Status.DONE
            perspective.ended_at = statement.answered_at
        perspective.version += 1
        perspective.save(update_fields=["status", "ended_at", "version"])
        _perspective_told(perspective, actor)
        if statement.answer == PerspectiveStatement.Answer.CORRECTED:
            _turn_told(perspective, statement.writer_side_id)
    return perspective
