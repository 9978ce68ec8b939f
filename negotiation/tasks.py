"""Thin tasks: they take ids and call services."""

from __future__ import annotations

from datetime import timedelta

from celery import Task, shared_task
from django.conf import settings
from django.utils import timezone

from config.errors import NotFound

from .models import Delivery, Issue, Lane, Mediation, Participant
from .services.deliveries import Outcome
from .services.deliveries import deliveries_send as send_pending
from .services.invitations import invitation_email_send
from .services.issues import parked_due_tell
from .services.participants import participant_remove
from .services.retention import mediations_purge as purge
from .services.session import (
    MEDIATOR_AWAY,
    SESSION_RECENT,
    WARNING_AHEAD,
    absence_pause,
    break_end,
    break_warn,
    session_reminders_send,
)
from .services.snapshots import snapshots_sweep as take_snapshots
from .services.summaries import summary_build_send


def _retry_in(retries: int) -> int:
    """Seconds before the next try: PARLEY_DELIVERY_RETRY_SECONDS, doubling, at most an
    hour (shorter than the broker's visibility timeout, so a waiting retry is never
    handed to a second worker)."""
    return int(min(3600, settings.PARLEY_DELIVERY_RETRY_SECONDS * 2**retries))


@shared_task(bind=True, max_retries=None)
def deliveries_send(self: Task, participant_id: int, channel: str) -> str:
    """Send what waits for a participant on a channel, as one message; retried with
    backoff, and after PARLEY_DELIVERY_RETRIES recorded as failed for the mediator."""
    retries = self.request.retries
    outcome = send_pending(
        participant_id=participant_id,
        channel=channel,
        final=retries >= settings.PARLEY_DELIVERY_RETRIES,
    )
    if outcome is Outcome.RETRY:
        raise self.retry(countdown=_retry_in(retries))
    return outcome.value


@shared_task
def participants_expire() -> int:
    """Record the end of the access of experts whose invited time is up. Every access check
    already treats them as gone from that moment, and their sockets stop forwarding at
    it; this writes the removal and the `access.revoked` markers in their rooms' logs.
    Idempotent: one removed meanwhile (by the mediator, or a sweep running alongside) is
    skipped. Returns how many it removed."""
    expired = list(
        Participant.objects.filter(
            removed_at__isnull=True, access_expires_at__lte=timezone.now()
        ).values_list("pk", flat=True)
    )
    removed = 0
    for participant_id in expired:
        try:
            participant_remove(actor=None, participant_id=participant_id)
        except NotFound:
            continue
        removed += 1
    return removed


@shared_task(bind=True, max_retries=None)
def invitation_send(self: Task, invitation_id: int) -> str:
    """E-mail an invitation link, once; retried with backoff, and after
    PARLEY_DELIVERY_RETRIES recorded as failed for the mediator."""
    retries = self.request.retries
    outcome = invitation_email_send(
        invitation_id=invitation_id, final=retries >= settings.PARLEY_DELIVERY_RETRIES
    )
    if outcome is Outcome.RETRY:
        raise self.retry(countdown=_retry_in(retries))
    return outcome.value


@shared_task
def break_end_due(mediation_id: str) -> None:
    """End a mediation's break if its time is up (queued for that moment at its start or
    extension; an earlier or later one finds nothing to do)."""
    break_end(actor=None, mediation_id=mediation_id)


@shared_task
def break_warning_due(mediation_id: str, ends_at: str) -> None:
    """Tell everyone the break ends in two minutes (queued for that moment at the break's
    start or extension; one for a time no longer the break's end does nothing)."""
    break_warn(mediation_id=mediation_id, ends_at=ends_at)


@shared_task
def breaks_end_sweep() -> int:
    """End every break whose time is up, and warn of each that ends within two minutes
    and was not warned of: the backstop for timed tasks that were lost. Returns how many
    it ended."""
    soon = timezone.now() + WARNING_AHEAD
    for mediation_id in Mediation.objects.filter(
        on_break=True, break_ends_at__lte=soon, break_ends_at__gt=timezone.now()
    ).values_list("pk", flat=True):
        break_warn(mediation_id=mediation_id)
    due = list(
        Mediation.objects.filter(on_break=True, break_ends_at__lte=timezone.now()).values_list(
            "pk", flat=True
        )
    )
    for mediation_id in due:
        break_end(actor=None, mediation_id=mediation_id)
    return len(due)


@shared_task
def parked_due_sweep() -> int:
    """Tell everyone of each parked issue whose time to come back has come (beat runs
    this every minute; telling is once per time set). Returns how many it told of."""
    due = list(
        Issue.objects.filter(
            lane=Lane.PARKED, parked_until__lte=timezone.now(), parked_due_told_at__isnull=True
        ).values_list("pk", flat=True)
    )
    return sum(parked_due_tell(issue_id=issue_id) for issue_id in due)


@shared_task
def mediators_absent_sweep() -> int:
    """Pause joint editing where every mediator's connection has been gone for more than
    a minute in a session under way (beat runs this every 15 seconds). Returns how many
    it paused."""
    now = timezone.now()
    candidates = Mediation.objects.filter(
        joint_paused=False,
        mediator_seen_at__lt=now - MEDIATOR_AWAY,
        mediator_seen_at__gt=now - SESSION_RECENT,
    ).values_list("pk", flat=True)
    return sum(absence_pause(mediation_id=pk) for pk in list(candidates))


@shared_task
def mediations_purge() -> int:
    """Delete every closed mediation past its retention period (PARLEY_RETENTION_DAYS),
    with everything in it. Returns how many."""
    return purge()


@shared_task
def session_reminders_sweep() -> int:
    """Remind everyone of a session a day ahead and within the hour (beat runs this
    every minute). Returns how many mediations it reminded."""
    return session_reminders_send()


@shared_task
def deliveries_pending_sweep() -> int:
    """Queue a send for every person and channel with notices still waiting well past
    their time: the backstop for send tasks that were lost (beat runs this every five
    minutes). Returns how many sends it queued."""
    late = timezone.now() - timedelta(seconds=2 * settings.PARLEY_NOTICE_BATCH_SECONDS + 60)
    pairs = set(
        Delivery.objects.filter(status=Delivery.Status.PENDING, created_at__lt=late).values_list(
            "participant_id", "channel"
        )
    )
    for participant_id, channel in sorted(pairs):
        deliveries_send.delay(participant_id, channel)
    return len(pairs)


@shared_task
def snapshots_sweep() -> int:
    """Beat's snapshots: every room of an active mediation whose log moved since its last
    snapshot (PARLEY_SNAPSHOT_SECONDS apart). Returns how many it took."""
    return take_snapshots()


@shared_task(retry_backoff=True, retry_backoff_max=600, max_retries=8, autoretry_for=(OSError,))
def session_summary_send(summary_id: int) -> None:
    """Build an ended session's summary and tell everyone (once, however often it runs)."""
    summary_build_send(summary_id=summary_id)
