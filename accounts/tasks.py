"""Thin tasks: they take ids and call into accounts."""

from __future__ import annotations

import logging
import smtplib

from celery import shared_task
from django.contrib.sessions.models import Session
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import Invitation
from accounts.services.invitations import invitation_link, invitation_token
from negotiation.models import Role

logger = logging.getLogger(__name__)


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
        message=render_to_string("accounts/invitation_email.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )
    logger.info("Sent invitation %s", invitation.pk)


@shared_task
def sessions_clear_expired() -> int:
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
