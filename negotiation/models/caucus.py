"""Caucus rooms: what a side says privately to the mediator.

Everything here belongs to one side's caucus room and is seen only by that room's
members (the mediators, that side's party and attorney, and experts the mediator invites
into the caucus while it is open). It reaches the joint room only through a release by a
party of that side, recorded as a ReleaseRequest and published as a SharedStatement.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone

from .board import Issue, Versioned
from .ids import TimeIdModel
from .mediation import ConfidentialityRule, Mediation, Participant, Room, Side


def _rule_field() -> models.CharField:
    return models.CharField(
        max_length=32,
        choices=ConfidentialityRule.choices,
        default=ConfidentialityRule.CONFIDENTIAL_UNLESS_RELEASED,
        help_text=(
            "The confidentiality rule in force (and accepted by the author) when this was "
            "written. A later change of rule never makes it shareable."
        ),
    )


def _marked_by_field() -> models.ForeignKey:
    return models.ForeignKey(
        Participant,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who set the confidential mark: only they or the side's party lower it.",
    )


class CaucusSession(models.Model):
    """One private meeting of the mediator with a side: called, opened, closed. The rows
    are the record the impartiality view reads (who was caucused first, for how long)."""

    class Status(models.TextChoices):
        CALLED = "called", "Called"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    mediation = models.ForeignKey(Mediation, on_delete=models.CASCADE, related_name="caucuses")
    side = models.ForeignKey(Side, on_delete=models.CASCADE, related_name="caucuses")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.CALLED)
    called_at = models.DateTimeField(default=timezone.now)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    called_by = models.ForeignKey(
        Participant, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("called_at", "id")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=("side",),
                condition=~models.Q(status="closed"),
                name="caucus_one_running_per_side",
            ),
        ]

    def __str__(self) -> str:
        return f"caucus with {self.side} ({self.status})"


class CaucusMessage(TimeIdModel):
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="caucus_messages")
    author = models.ForeignKey(Participant, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField(max_length=5000)
    confidential = models.BooleanField(
        default=False, help_text="Marked by the party: never shared without their release."
    )
    marked_by = _marked_by_field()
    rule = _rule_field()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("id",)

    def __str__(self) -> str:
        return f"message {self.pk}"


class CaucusNote(TimeIdModel, Versioned):
    """A side's private note on an issue: interests, priorities, bottom line."""

    class Kind(models.TextChoices):
        INTEREST = "interest", "Interest"
        PRIORITY = "priority", "Priority"
        BOTTOM_LINE = "bottom_line", "Bottom line"
        OTHER = "other", "Note"

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="caucus_notes")
    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.OTHER)
    text = models.TextField(max_length=5000)
    confidential = models.BooleanField(default=False)
    marked_by = _marked_by_field()
    rule = _rule_field()
    author = models.ForeignKey(Participant, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ("id",)

    def __str__(self) -> str:
        return f"note {self.pk}"


class RealityCheck(TimeIdModel, Versioned):
    """A side's reality-check worksheet for one issue: the alternatives to agreeing, what
    court would likely bring and cost, how sure they are, and the range of settlements
    they could live with (compared across sides without showing anyone's figures)."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="reality_checks")
    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="+")
    best_alternative = models.TextField(max_length=3000, blank=True)
    worst_alternative = models.TextField(max_length=3000, blank=True)
    likely_court_outcome = models.TextField(max_length=3000, blank=True)
    court_cost = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    court_months = models.PositiveSmallIntegerField(null=True, blank=True)
    confidence = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="How sure they are of the court outcome, 0-100."
    )
    range_low = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    range_high = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    overlap = models.BooleanField(
        null=True, blank=True, help_text="Whether the sides' ranges overlapped when last checked."
    )
    overlap_checked_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        Participant, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("id",)
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("room", "issue"), name="reality_check_one_per_issue"),
        ]

    def __str__(self) -> str:
        return f"worksheet {self.pk}"


class ReleaseRequest(TimeIdModel, Versioned):
    """A request to carry something from a caucus to the joint room. Only a party of the
    caucus's side answers it: release as worded, release a paraphrase, release only that
    an option exists, or decline. Who answered, how and when is kept."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the party"
        RELEASED = "released", "Released"
        DECLINED = "declined", "Declined"

    class Mode(models.TextChoices):
        AS_WORDED = "as_worded", "As worded"
        PARAPHRASE = "paraphrase", "A paraphrase"
        EXISTENCE = "existence", "Only that an option exists"

    class Attribution(models.TextChoices):
        SIDE = "side", "From our side"
        MEDIATOR = "mediator", "Through the mediator"

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="release_requests")
    issue = models.ForeignKey(
        Issue, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.ForeignKey(
        CaucusMessage,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="release_requests",
        help_text="The caucus message this request is about, if it names one.",
    )
    note = models.ForeignKey(
        CaucusNote,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="release_requests",
        help_text="The caucus note this request is about, if it names one.",
    )
    text = models.TextField(max_length=5000, help_text="The wording proposed for release.")
    drafted_by = models.ForeignKey(
        Participant, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    mode = models.CharField(max_length=16, choices=Mode.choices, blank=True)
    attribution = models.CharField(max_length=16, choices=Attribution.choices, blank=True)
    released_text = models.TextField(max_length=5000, blank=True)
    answered_by = models.ForeignKey(
        Participant, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("id",)

    def __str__(self) -> str:
        return f"release request {self.pk} ({self.status})"


class SharedStatement(models.Model):
    """What a release put in the joint room, worded and attributed as the party chose."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="statements")
    issue = models.ForeignKey(
        Issue, null=True, blank=True, on_delete=models.SET_NULL, related_name="statements"
    )
    text = models.TextField(max_length=5000)
    attribution = models.CharField(max_length=16, choices=ReleaseRequest.Attribution.choices)
    side = models.ForeignKey(
        Side, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("id",)

    def __str__(self) -> str:
        return f"statement {self.pk}"


class OpeningStatement(TimeIdModel, Versioned):
    """A side's opening statement, one per side: written in advance in the side's private
    room (seen there by that side and the mediators) or live, and seen by everyone once
    the mediator opens the statements (`Mediation.openings_shown_at`)."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="openings")
    side = models.OneToOneField(Side, on_delete=models.CASCADE, related_name="opening")
    text = models.TextField(max_length=5000, blank=True)
    # The side's party says it may be shown to everyone.
    ready = models.BooleanField(default=False)
    updated_by = models.ForeignKey(
        Participant, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("side__order", "id")

    def __str__(self) -> str:
        return f"opening of {self.side_id}"


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
        BREAK_REQUESTED = "break_requested", "Someone at the table asks for a break."
        BREAK_ENDING = "break_ending", "The break ends in two minutes."
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
        SESSION_SUMMARY = "session_summary", "The session's summary is ready."

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    room_key = models.CharField(max_length=32, help_text="Where to go: the room's key.")
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
