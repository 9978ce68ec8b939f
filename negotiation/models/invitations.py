"""Invitations to join a mediation: a link that signs a newcomer in with a role (and a
side), with no password."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from .mediation import Mediation, Side


class Invitation(models.Model):
    """An invitation link to join one mediation with a role (and a side).

    The token itself is never stored: only its SHA-256 (to find the invitation when the
    link is opened) and a salt from which the e-mail task derives the token again with the
    SECRET_KEY, so no token travels through the task queue either.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        USED = "used", "Used"
        EXPIRED = "expired", "Expired"
        REVOKED = "revoked", "Revoked"

    mediation = models.ForeignKey(Mediation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=16)
    side = models.ForeignKey(
        Side, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    caucus_history = models.BooleanField(
        default=False,
        help_text="For an expert invited into a side's private room: whether they may read "
        "what was said there before they joined (otherwise only what is said from then on).",
    )
    scope_issue = models.ForeignKey(
        "negotiation.Issue",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="For an expert: the one issue they are brought in on (they see nothing else).",
    )
    access_minutes = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="For an expert: how long their access lasts from when they join.",
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_salt = models.CharField(max_length=32, editable=False)
    link_shown = models.BooleanField(
        default=True,
        editable=False,
        help_text="The link was shown to the inviter, not only e-mailed to the invitee. Such a "
        "link never signs in to an account with access beyond this invitation.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="invitations_sent"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    # The e-mail's way: queued for a worker, handed to the mail backend, or given up on
    # after the last retry; and when the link was first opened.
    email_queued_at = models.DateTimeField(null=True, blank=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)
    email_failed_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    redeemed_at = models.DateTimeField(null=True, blank=True)
    redeemed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitations_redeemed",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitations_revoked",
    )

    class Meta:
        # Made in the accounts app, which now knows nothing of mediations; the table kept
        # its name.
        db_table = "accounts_invitation"
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"{self.email} as {self.role} in {self.mediation_id}"

    @property
    def status(self) -> Status:
        if self.redeemed_at is not None:
            return self.Status.USED
        if self.revoked_at is not None:
            return self.Status.REVOKED
        if self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.Status.PENDING
