"""Thin tasks: they take ids and call services."""

from __future__ import annotations

import logging
import smtplib

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone

from config.errors import NotFound

from .models import Invitation, Issue, Lane, Mediation, Notification, Participant, Role
from .services.invitations import invitation_link, invitation_token
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
)
from .services.snapshots import snapshots_sweep as take_snapshots
from .services.summaries import summary_build_send

logger = logging.getLogger(__name__)


@shared_task(
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def notification_email(notification_id: int) -> None:
    """E-mail a notification: its fixed text and a link, never what was said."""
    notification = (
        Notification.objects.select_related("participant__user", "participant__mediation")
        .filter(pk=notification_id, read_at__isnull=True)
        .first()
    )
    if notification is None or not notification.participant.is_active:
        return
    mediation = notification.participant.mediation
    send_mail(
        subject=f"Parley: {notification.text}",
        message=(
            f"{notification.text}\n\nOpen the mediation \u201c{mediation.title}\u201d:\n"
            f"{settings.PARLEY_BASE_URL}/mediations/{mediation.pk}\n\n"
            "For your privacy, this e-mail never contains what was said.\n"
        ),
        from_email=None,
        recipient_list=[notification.participant.user.email],
    )
    logger.info("Sent notification %s", notification.pk)


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


@shared_task(
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def invitation_send(invitation_id: int) -> None:
    """E-mail an invitation link. Skips invitations that can no longer be used."""
    invitation = (
        Invitation.objects.select_related("mediation", "side", "created_by")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or invitation.status != Invitation.Status.PENDING:
        return
    context = {
        "invitation": invitation,
        "inviter": invitation.created_by.display_name,
        "role": Role(invitation.role).label.lower(),
        "link": invitation_link(invitation_token(invitation)),
    }
    send_mail(
        subject=f"{context['inviter']} invites you to a mediation on Parley",
        message=render_to_string("negotiation/invitation_email.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )
    logger.info("Sent invitation %s", invitation.pk)


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
def snapshots_sweep() -> int:
    """Beat's snapshots: every room of an active mediation whose log moved since its last
    snapshot (PARLEY_SNAPSHOT_SECONDS apart). Returns how many it took."""
    return take_snapshots()


@shared_task(retry_backoff=True, retry_backoff_max=600, max_retries=8, autoretry_for=(OSError,))
def session_summary_send(summary_id: int) -> None:
    """Build an ended session's summary and tell everyone (once, however often it runs)."""
    summary_build_send(summary_id=summary_id)
