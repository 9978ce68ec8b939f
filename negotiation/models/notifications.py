"""Notifications: an entry in a participant's centre, and one delivery record per notice
and channel beyond it (each person's choice of channels is on their account:
accounts.models.NotificationSettings).

A notice's words come from a fixed text per kind and never carry what was said in a
private room, nor the terms of a proposal: they are safe on a locked phone's screen."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone

from .board import Issue
from .ids import TimeIdModel
from .mediation import Participant


class Notification(TimeIdModel):
    """An entry in a participant's notification centre. Its words come from a fixed
    template per kind and never carry what was said: "New message in your private room"."""

    class Kind(models.TextChoices):
        CAUCUS_CALLED = "caucus_called", "The mediator asks to meet you privately."
        CAUCUS_MESSAGE = "caucus_message", "New message in your private room."
        RELEASE_REQUESTED = (
            "release_requested",
            "The mediator asks whether something may be shared. Only you can decide.",
        )
        RELEASE_ANSWERED = "release_answered", "A request to share was answered."
        SHARED_BY_MEDIATOR = (
            "shared_by_mediator",
            "The mediator shared something from your private room with everyone.",
        )
        PROPOSAL_MADE = "proposal_made", "A proposal waits for your side's answer."
        PROPOSAL_ANSWERED = "proposal_answered", "Your proposal has an answer."
        BREAK_STARTED = "break_started", "The mediator called a break."
        BREAK_REQUESTED = "break_requested", "Someone at the table asks for a break."
        BREAK_ENDING = "break_ending", "The break ends in two minutes."
        STAGE_CHANGED = "stage_changed", "The session moved on to its next stage."
        ANNOUNCEMENT = "announcement", "The mediator has a word for everyone."
        MEDIATOR_AWAY = (
            "mediator_away",
            "The mediator's connection was lost: the board waits for them.",
        )
        DECISION_ASKED = (
            "decision_asked",
            "Your side is asked to confirm a decision on an issue.",
        )
        DECISION_ANSWERED = "decision_answered", "A side answered a decision on an issue."
        ISSUE_AGREED = "issue_agreed", "Every side agreed an issue."
        ISSUE_REOPENED = "issue_reopened", "The mediator reopened an issue."
        PARKED_DUE = "parked_due", "A parked issue is due to come back."
        SESSION_TOMORROW = "session_tomorrow", "Your mediation session is tomorrow."
        SESSION_SOON = "session_soon", "Your mediation session starts within the hour."
        SESSION_SUMMARY = "session_summary", "The summary of the session is ready."
        INFORMATION_REQUESTED = (
            "information_requested",
            "A party asks for more information before deciding on an issue.",
        )
        SEALED_ASKED = (
            "sealed_asked",
            "The mediator asks your side for a sealed position on an issue.",
        )
        PERSPECTIVE_TURN = (
            "perspective_turn",
            "It is your side's turn in a perspective round on an issue.",
        )
        DELIVERY_FAILED = (
            "delivery_failed",
            "A notice could not be delivered to someone. See People.",
        )

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    room_key = models.CharField(max_length=32, help_text="Where to go: the room's key.")
    issue = models.ForeignKey(
        Issue,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The joint board's issue it is about, to open it from the notice.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes: ClassVar = [models.Index(fields=("participant", "read_at"))]

    def __str__(self) -> str:
        return f"{self.kind} for {self.participant_id}"

    @property
    def text(self) -> str:
        return str(self.Kind(self.kind).label)


class Delivery(models.Model):
    """A notice's trip on one channel beyond the centre. The record makes sending
    idempotent: a task sends only what is pending, holding the rows while it sends, and
    marks them sent in the same transaction, so a task delivered twice, or retried after
    its worker died mid-send, sends once."""

    class Channel(models.TextChoices):
        EMAIL = "email", "E-mail"
        SMS = "sms", "SMS"
        PUSH = "push", "Web push"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENT = "sent", "Handed to the channel"
        SKIPPED = "skipped", "Not needed: read in the app first"
        FAILED = "failed", "Could not be delivered"

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("created_at", "id")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=("notification", "channel"), name="delivery_one_per_channel"
            ),
        ]
        indexes: ClassVar = [models.Index(fields=("participant", "channel", "status"))]

    def __str__(self) -> str:
        return f"{self.channel} of {self.notification_id} ({self.status})"
