"""Running the session: the stage the mediation is at, breaks, and closing it.

The mediator moves the mediation through its stages (opening statements, joint
discussion, caucus, joint negotiation, closing) and back. A break makes the joint board
read-only for everyone but the mediator until it ends: at its time (a task, and a sweep
as a backstop), or when the mediator ends it. Anyone at the table but the mediator may
ask the mediator for one, privately. Closing the mediation is final: it takes no more
commands (but marking notifications read), and its retention period starts.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from config.errors import Invalid, NotAllowed

from ..events import event_append, rooms_lock
from ..models import (
    Mediation,
    Notification,
    Participant,
    Role,
    Room,
    SessionSummary,
    Snapshot,
    Stage,
)
from ..permissions import (
    active_members,
    can_close_mediation,
    can_end_session,
    can_manage_mediation,
    can_request_break,
    mediators_of,
)
from ..queue import task_after_commit
from ..serializers import MediationStateSerializer, payload
from .notifications import notify
from .snapshots import mediation_snapshots_take
from .validation import future_time_clean, max_length_of, text_clean

BREAK_MINUTES_MAX = 120
SCHEDULE_DAYS_MAX = 366
REMIND_DAY_AHEAD = timedelta(days=1)
REMIND_HOUR_AHEAD = timedelta(hours=1)
BREAK_MESSAGE_MAX = max_length_of(Mediation, "break_message")
ANNOUNCEMENT_MAX = max_length_of(Mediation, "announcement")


def _mediation_changed(mediation: Mediation, actor: Participant | None) -> None:
    event_append(
        room=mediation.joint_room(),
        name="mediation.updated",
        data=payload(mediation, MediationStateSerializer),
        actor=actor,
    )


def _locked(actor: Participant) -> Mediation:
    mediation = actor.mediation
    rooms_lock(mediation.joint_room())
    mediation.refresh_from_db()
    return mediation


def stage_set(*, actor: Participant, stage: object) -> Mediation:
    """Move the mediation to `stage` (forward or back), and snapshot every room at the
    change. Raises NotAllowed unless the actor runs the session, Invalid for an unknown
    stage. Emits `mediation.updated`."""
    if not can_manage_mediation(actor):
        raise NotAllowed("Only the mediator moves the session on.")
    if stage not in Stage.values:
        raise Invalid(
            "Unknown stage.", details={"stage": [f"Choose one of {', '.join(Stage.values)}."]}
        )
    with transaction.atomic():
        mediation = _locked(actor)
        if mediation.stage != stage:
            mediation.stage = str(stage)
            mediation.save(update_fields=["stage"])
            _mediation_changed(mediation, actor)
            notify(
                participants=active_members(mediation.pk).exclude(pk=actor.pk),
                kind=Notification.Kind.STAGE_CHANGED,
                room=mediation.joint_room(),
            )
            mediation_snapshots_take(mediation=mediation, reason=Snapshot.Reason.STAGE)
    return mediation


def _minutes(value: object, field: str = "minutes") -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= BREAK_MINUTES_MAX:
        raise Invalid(
            "How many minutes?",
            details={field: [f"Give a whole number of minutes from 1 to {BREAK_MINUTES_MAX}."]},
        )
    return value


WARNING_AHEAD = timedelta(minutes=2)
# A warning task may run a little early (clocks, brokers); earlier than this, it waits.
SLACK = timedelta(seconds=5)


def _ends_at_scheduled(mediation: Mediation) -> None:
    """The tasks that warn everyone two minutes before the break's end and end it at its
    time (the sweep ends it too if this is lost)."""
    ends_at = mediation.break_ends_at
    if ends_at is None:
        return
    wait = max(0.0, (ends_at - timezone.now()).total_seconds())
    task_after_commit("negotiation.tasks.break_end_due", str(mediation.pk), countdown=wait)
    if wait > WARNING_AHEAD.total_seconds():
        task_after_commit(
            "negotiation.tasks.break_warning_due",
            str(mediation.pk),
            ends_at.isoformat(),
            countdown=wait - WARNING_AHEAD.total_seconds(),
        )


def break_warn(*, mediation_id: object, ends_at: object = None) -> bool:
    """Tell everyone at the table that the break ends in two minutes, once per end: if
    a break is on, its end is that close, and, when `ends_at` (ISO 8601) is given, it is
    still the break's end (an extended break is not warned of by its old time). Returns
    whether it told."""
    when = parse_datetime(ends_at) if isinstance(ends_at, str) else None
    with transaction.atomic():
        mediation = Mediation.objects.filter(pk=str(mediation_id)).first()
        if mediation is None or (ends_at is not None and when is None):
            return False
        rooms_lock(mediation.joint_room())
        mediation.refresh_from_db()
        end = mediation.break_ends_at
        if not mediation.on_break or end is None or (when is not None and end != when):
            return False
        if mediation.break_warned_for == end or timezone.now() < end - WARNING_AHEAD - SLACK:
            return False
        mediation.break_warned_for = end
        mediation.save(update_fields=["break_warned_for"])
        notify(
            participants=active_members(mediation.pk),
            kind=Notification.Kind.BREAK_ENDING,
            room=mediation.joint_room(),
        )
    return True


def break_start(*, actor: Participant, minutes: object, message: object = "") -> Mediation:
    """Start a break of `minutes` (1 to 120), with an optional message to everyone.
    Raises NotAllowed unless the actor runs the session; Invalid for a bad length, a long
    message, or a break already running. Emits `mediation.updated`."""
    if not can_manage_mediation(actor):
        raise NotAllowed("Only the mediator calls a break.")
    length = _minutes(minutes)
    words = text_clean(
        message, field="message", max_length=BREAK_MESSAGE_MAX, required=False, label="message"
    )
    with transaction.atomic():
        mediation = _locked(actor)
        if mediation.on_break:
            raise Invalid("A break is already on.", details={"minutes": ["Extend it instead."]})
        mediation.on_break = True
        mediation.break_ends_at = timezone.now() + timedelta(minutes=length)
        mediation.break_message = words
        mediation.save(update_fields=["on_break", "break_ends_at", "break_message"])
        _mediation_changed(mediation, actor)
        _ends_at_scheduled(mediation)
        notify(
            participants=active_members(mediation.pk).exclude(pk=actor.pk),
            kind=Notification.Kind.BREAK_STARTED,
            room=mediation.joint_room(),
        )
    return mediation


def break_extend(*, actor: Participant, minutes: object) -> Mediation:
    """Make the running break `minutes` longer (the new end at most two hours from now).
    Raises NotAllowed, Invalid (no break on). Emits `mediation.updated`."""
    if not can_manage_mediation(actor):
        raise NotAllowed("Only the mediator extends a break.")
    length = _minutes(minutes)
    with transaction.atomic():
        mediation = _locked(actor)
        if not mediation.on_break or mediation.break_ends_at is None:
            raise Invalid("No break is on.", details={"minutes": ["Start a break first."]})
        latest = timezone.now() + timedelta(minutes=BREAK_MINUTES_MAX)
        mediation.break_ends_at = min(mediation.break_ends_at + timedelta(minutes=length), latest)
        mediation.save(update_fields=["break_ends_at"])
        _mediation_changed(mediation, actor)
        _ends_at_scheduled(mediation)
    return mediation


def break_end(*, actor: Participant | None, mediation_id: object = None) -> Mediation:
    """End the break now: by the mediator (`actor`), or, with `actor` None, by the system
    when its time is up (`mediation_id`; then only if it is due). Idempotent: ending a
    break that is over already changes nothing. Raises NotAllowed for anyone but the
    mediator. Emits `mediation.updated` when it ends one."""
    if actor is not None and not can_manage_mediation(actor):
        raise NotAllowed("Only the mediator ends a break.")
    with transaction.atomic():
        if actor is not None:
            mediation = _locked(actor)
        else:
            mediation = Mediation.objects.get(pk=str(mediation_id))
            rooms_lock(mediation.joint_room())
            mediation.refresh_from_db()
            due = mediation.break_ends_at is not None and mediation.break_ends_at <= timezone.now()
            if not due:
                return mediation
        if mediation.on_break:
            mediation.on_break = False
            mediation.break_ends_at = None
            mediation.break_message = ""
            mediation.save(update_fields=["on_break", "break_ends_at", "break_message"])
            _mediation_changed(mediation, actor)
    return mediation


def break_request(*, actor: Participant) -> Participant:
    """Ask the mediator, privately, for a break: the mediators are notified, and no one
    else hears of it. Raises NotAllowed for the mediator or an observer."""
    if not can_request_break(actor):
        raise NotAllowed("Ask the mediator for a break from your own place at the table.")
    # The notice points to the asker's side (its private room), so the mediator knows
    # whose request it is; only the mediators are told.
    room = (
        Room.objects.filter(mediation_id=actor.mediation_id, side_id=actor.side_id).first()
        if actor.side_id is not None
        else None
    )
    with transaction.atomic():
        notify(
            participants=mediators_of(actor.mediation_id),
            kind=Notification.Kind.BREAK_REQUESTED,
            room=room or actor.mediation.joint_room(),
        )
    return actor


def announce(*, actor: Participant, text: object) -> Mediation:
    """Say something to everyone in the joint room ("We resume at two"): it stays on every
    screen until the mediator takes it down or says something else, and everyone is
    notified. Raises NotAllowed unless the actor runs the session; Invalid for empty or
    long text. Emits `mediation.updated`."""
    if not can_manage_mediation(actor):
        raise NotAllowed("Only the mediator makes announcements.")
    words = text_clean(text, field="text", max_length=ANNOUNCEMENT_MAX, label="announcement")
    with transaction.atomic():
        mediation = _locked(actor)
        mediation.announcement = words
        mediation.announced_at = timezone.now()
        mediation.save(update_fields=["announcement", "announced_at"])
        _mediation_changed(mediation, actor)
        notify(
            participants=active_members(mediation.pk).exclude(pk=actor.pk),
            kind=Notification.Kind.ANNOUNCEMENT,
            room=mediation.joint_room(),
        )
    return mediation


def announcement_clear(*, actor: Participant) -> Mediation:
    """Take the announcement down. Raises NotAllowed unless the actor runs the session.
    Emits `mediation.updated` when there was one."""
    if not can_manage_mediation(actor):
        raise NotAllowed("Only the mediator takes an announcement down.")
    with transaction.atomic():
        mediation = _locked(actor)
        if mediation.announcement:
            mediation.announcement = ""
            mediation.announced_at = None
            mediation.save(update_fields=["announcement", "announced_at"])
            _mediation_changed(mediation, actor)
    return mediation


# Joint editing pauses by itself when every mediator's connection has been gone this
# long, in a session under way (a mediator was connected within SESSION_RECENT).
MEDIATOR_AWAY = timedelta(seconds=60)
SESSION_RECENT = timedelta(hours=2)


def mediator_seen(*, mediation_id: object) -> None:
    """A mediator's connection showed life (it connected, or pinged)."""
    Mediation.objects.filter(pk=str(mediation_id)).update(mediator_seen_at=timezone.now())


def absence_pause(*, mediation_id: object) -> bool:
    """Pause the parties' editing of the joint board if every mediator's connection has
    been gone for more than MEDIATOR_AWAY in a session under way, and tell everyone; the
    mediator resumes it on return (board.pause). Returns whether it paused."""
    with transaction.atomic():
        mediation = Mediation.objects.filter(pk=str(mediation_id)).first()
        if mediation is None:
            return False
        joint = mediation.joint_room()
        rooms_lock(joint)
        mediation.refresh_from_db()
        now = timezone.now()
        seen = mediation.mediator_seen_at
        away = seen is not None and now - SESSION_RECENT < seen < now - MEDIATOR_AWAY
        if not away or mediation.joint_paused or mediation.status != Mediation.Status.ACTIVE:
            return False
        mediation.joint_paused = True
        mediation.paused_for_absence = True
        mediation.save(update_fields=["joint_paused", "paused_for_absence"])
        _mediation_changed(mediation, None)
        notify(
            participants=active_members(mediation.pk).exclude(role=Role.MEDIATOR),
            kind=Notification.Kind.MEDIATOR_AWAY,
            room=joint,
        )
    return True


def mediation_close(*, actor: Participant) -> Mediation:
    """Close the mediation: its status becomes closed, from now on (`closed_at`), and a
    running break ends. It then takes no more commands (the command registry refuses
    them with `closed`), and everything in it is deleted PARLEY_RETENTION_DAYS later
    (services/retention.py). Raises NotAllowed unless the actor runs the session.
    Emits `mediation.updated`."""
    if not can_close_mediation(actor):
        raise NotAllowed("Only the mediator closes the mediation.")
    with transaction.atomic():
        mediation = _locked(actor)
        if mediation.status == Mediation.Status.CLOSED:
            return mediation
        mediation.status = Mediation.Status.CLOSED
        mediation.closed_at = timezone.now()
        mediation.on_break = False
        mediation.break_ends_at = None
        mediation.break_message = ""
        mediation.save(
            update_fields=["status", "closed_at", "on_break", "break_ends_at", "break_message"]
        )
        _mediation_changed(mediation, actor)
    return mediation


def session_schedule(*, actor: Participant, at: object = None) -> Mediation:
    """Set (or, with None, clear) when the next session is: everyone is reminded the day
    before and within the hour before it. `at` is an ISO 8601 time with its offset (or a
    parsed datetime), in the future and within a year. Raises NotAllowed unless the actor
    runs the session; Invalid for a bad time. Emits `mediation.updated`."""
    if not can_manage_mediation(actor):
        raise NotAllowed("Only the mediator schedules the next session.")
    when = future_time_clean(at, field="at", days_max=SCHEDULE_DAYS_MAX)
    with transaction.atomic():
        mediation = _locked(actor)
        if mediation.next_session_at != when:
            mediation.next_session_at = when
            mediation.save(update_fields=["next_session_at"])
            _mediation_changed(mediation, actor)
    return mediation


def session_reminders_send() -> int:
    """Remind everyone in each active mediation of its next session: once when it is a
    day away or less, once when it is an hour away or less (a sweep every minute; each
    reminder is sent once per session time, and not once the time has passed). Returns
    how many mediations it reminded."""
    now = timezone.now()
    reminded = 0
    # The day's reminder is for a session more than an hour away: closer, the hour's
    # reminder says it.
    for kind, after, ahead, field in (
        (
            Notification.Kind.SESSION_TOMORROW,
            REMIND_HOUR_AHEAD,
            REMIND_DAY_AHEAD,
            "reminded_day_for",
        ),
        (Notification.Kind.SESSION_SOON, timedelta(0), REMIND_HOUR_AHEAD, "reminded_hour_for"),
    ):
        due = Mediation.objects.filter(
            status=Mediation.Status.ACTIVE,
            next_session_at__gt=now + after,
            next_session_at__lte=now + ahead,
        ).exclude(**{field: F("next_session_at")})
        for mediation_id in list(due.values_list("pk", flat=True)):
            with transaction.atomic():
                mediation = Mediation.objects.select_for_update().get(pk=mediation_id)
                at = mediation.next_session_at
                if at is None or getattr(mediation, field) == at:
                    continue
                if not now + after < at <= now + ahead:
                    continue
                setattr(mediation, field, at)
                mediation.save(update_fields=["reminded_day_for", "reminded_hour_for"])
                notify(
                    participants=active_members(mediation.pk),
                    kind=kind,
                    room=mediation.joint_room(),
                )
                reminded += 1
    return reminded


def session_end(*, actor: Participant, next_session_at: object = None) -> Mediation:
    """End the day's session: record when (and when the next one is, if given: as for
    `session_schedule`; not given keeps the one planned), snapshot every room, and queue
    the summary, which a task builds from the joint room's snapshot and sends to everyone
    (services.summaries). The mediation stays open for the next session. Raises
    NotAllowed unless the actor runs the session; Invalid for a bad next time. Emits
    `mediation.updated`."""
    if not can_end_session(actor):
        raise NotAllowed("Only the mediator ends the session.")
    when = future_time_clean(next_session_at, field="next_session_at", days_max=SCHEDULE_DAYS_MAX)
    with transaction.atomic():
        mediation = _locked(actor)
        mediation.session_ended_at = timezone.now()
        if when is not None:
            mediation.next_session_at = when
        mediation.save(update_fields=["session_ended_at", "next_session_at"])
        _mediation_changed(mediation, actor)
        joint, *_ = mediation_snapshots_take(
            mediation=mediation, reason=Snapshot.Reason.SESSION_END, taken_by=actor
        )
        summary, _ = SessionSummary.objects.get_or_create(
            snapshot=joint, defaults={"mediation": mediation, "ended_by": actor}
        )
        task_after_commit("negotiation.tasks.session_summary_send", summary.pk)
    return mediation
