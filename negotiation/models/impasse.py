"""Impasse on an issue: what the mediator believes blocks it, the strategies tried, and the
perspective round (each side states the other's view until the other says "that's right").

The cause of an impasse is the mediator's private reading of the table: only mediators
ever read `Impasse` or `StrategyAttempt` (permissions.can_view_impasse). Everyone sees
only that the issue is at impasse ("We are trying another way", `Issue.impasse_since`).
A perspective round lives in the joint room once a statement is submitted; a draft is
read by its author alone.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone

from .board import Issue
from .mediation import Participant, Side


class Cause(models.TextChoices):
    COMMUNICATION_BREAKDOWN = "communication_breakdown", "Communication breakdown"
    LACK_OF_TRUST = "lack_of_trust", "Lack of trust"
    MISUNDERSTANDING = "misunderstanding", "Misunderstanding"
    POWER_IMBALANCE = "power_imbalance", "Power imbalance"
    UNREALISTIC_EXPECTATIONS = "unrealistic_expectations", "Unrealistic expectations"
    EMOTIONAL_BARRIERS = "emotional_barriers", "Emotional barriers"


class Strategy(models.TextChoices):
    PERSPECTIVE = "perspective", "Each side's perspective (active listening)"
    BREAK = "break", "Taking a break"
    PARK = "park", "Setting the issue aside"
    REALITY_CHECK = "reality_check", "Reality check"
    CRITERIA = "criteria", "Objective criteria"
    ALTERNATIVES = "alternatives", "Generating alternatives"
    PROFESSIONAL = "professional", "Bringing in a professional"


class Impasse(models.Model):
    """An issue's impasse, from when the mediator marked it until they cleared it. Rows
    are kept: an issue may reach impasse again later, with other causes."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="impasses")
    causes = models.JSONField(default=list, help_text="Cause values, in the mediator's order.")
    note = models.CharField(max_length=1000, blank=True)
    started_by = models.ForeignKey(
        Participant, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    cleared_by = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cleared_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ("started_at", "id")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=("issue",),
                condition=models.Q(cleared_at__isnull=True),
                name="impasse_one_open_per_issue",
            ),
        ]

    def __str__(self) -> str:
        return f"impasse on {self.issue_id}"


class StrategyAttempt(models.Model):
    """One strategy tried on an impasse: started when and by whom, ended, and what the
    mediator says came of it."""

    class Outcome(models.TextChoices):
        HELPED = "helped", "Helped"
        DID_NOT_HELP = "did_not_help", "Did not help"

    impasse = models.ForeignKey(Impasse, on_delete=models.CASCADE, related_name="attempts")
    kind = models.CharField(max_length=16, choices=Strategy.choices)
    # The side a one-side tool is for (a reality check, a professional in a private room).
    side = models.ForeignKey(
        Side, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The invitation of a professional brought in, and the participant once they joined.
    invitation = models.ForeignKey(
        "negotiation.Invitation", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    started_by = models.ForeignKey(
        Participant, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    ended_by = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    note = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering = ("started_at", "id")

    def __str__(self) -> str:
        return f"{self.kind} on impasse {self.impasse_id}"


class PerspectiveRound(models.Model):
    """Two sides each state the other's view of an issue in their own words; the side
    stated marks it "that's right" or corrects it, turn after turn, until both are
    confirmed (`done`), or the mediator ends the round (`ended`)."""

    class Status(models.TextChoices):
        OPEN = "open", "Under way"
        DONE = "done", "Both confirmed"
        ENDED = "ended", "Ended by the mediator"

    attempt = models.OneToOneField(
        StrategyAttempt, on_delete=models.CASCADE, related_name="perspective"
    )
    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="perspectives")
    side_a = models.ForeignKey(Side, on_delete=models.CASCADE, related_name="+")
    side_b = models.ForeignKey(Side, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ("started_at", "id")

    def __str__(self) -> str:
        return f"perspective round {self.pk}"


class PerspectiveStatement(models.Model):
    """One turn: `writer_side` states `about_side`'s view; `about_side` answers it."""

    class Answer(models.TextChoices):
        CONFIRMED = "confirmed", "That's right"
        CORRECTED = "corrected", "Corrected"

    round = models.ForeignKey(PerspectiveRound, on_delete=models.CASCADE, related_name="statements")
    writer_side = models.ForeignKey(Side, on_delete=models.CASCADE, related_name="+")
    about_side = models.ForeignKey(Side, on_delete=models.CASCADE, related_name="+")
    turn = models.PositiveSmallIntegerField(default=1)
    text = models.TextField(max_length=3000)
    written_by = models.ForeignKey(
        Participant, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    written_at = models.DateTimeField(default=timezone.now)
    answer = models.CharField(max_length=16, choices=Answer.choices, blank=True)
    correction = models.TextField(max_length=3000, blank=True)
    answered_by = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("round", "writer_side__order", "turn", "id")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=("round", "writer_side", "turn"), name="perspective_one_per_turn"
            ),
        ]

    def __str__(self) -> str:
        return f"statement {self.pk}"


class PerspectiveDraft(models.Model):
    """What someone is writing before they submit it: read by its author alone."""

    round = models.ForeignKey(PerspectiveRound, on_delete=models.CASCADE, related_name="drafts")
    author = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(max_length=3000, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("id",)
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("round", "author"), name="perspective_draft_one"),
        ]

    def __str__(self) -> str:
        return f"draft {self.pk}"
