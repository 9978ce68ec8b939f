"""Two rounds the mediator runs on one issue to get past an impasse.

A brainstorm round (`BrainstormRound`): while it is open, everyone at the table adds
options without a name, and nobody evaluates, strikes or comments until the mediator ends
it; its options are ordinary `Option` rows with no author, from the start. Nothing here
or anywhere else records who added one (services/brainstorm.py says how a repeated
command is still recognised).

A sealed round (`SealedRound`): the mediator asks every side for an opening figure or
position; each side's submission (`SealedSubmission`) is read by that side alone until
every side has submitted, and then by everyone at once. A cancelled round's submissions
are deleted: they were never to be read by anyone but their side.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone

from .board import Issue
from .mediation import Participant, Side


class BrainstormRound(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ENDED = "ended", "Ended"

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="brainstorms")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    started_by = models.ForeignKey(
        Participant, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("id",)
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=("issue",),
                condition=models.Q(status="open"),
                name="brainstorm_one_open_per_issue",
            ),
        ]

    def __str__(self) -> str:
        return f"brainstorm {self.pk} on {self.issue_id}"


class BrainstormKey(models.Model):
    """That a command adding a brainstorm option ran, so a repeat (same client id) adds
    nothing: a keyed hash of the participant and the command's client id, as the primary
    key, and the round. It says nothing of which option, and no order: without the
    client id, which only the sender's browser held, it names nobody."""

    key = models.CharField(max_length=64, primary_key=True)
    round = models.ForeignKey(BrainstormRound, on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return "brainstorm key"


class SealedRound(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting for every side"
        REVEALED = "revealed", "Revealed"
        CANCELLED = "cancelled", "Cancelled"

    class Asks(models.TextChoices):
        FIGURE = "figure", "A figure"
        TEXT = "text", "A position in words"
        EITHER = "either", "A figure, words, or both"

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="sealed_rounds")
    asks = models.CharField(max_length=8, choices=Asks.choices, default=Asks.EITHER)
    prompt = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    asked_by = models.ForeignKey(
        Participant, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    asked_at = models.DateTimeField(default=timezone.now)
    # When it was revealed or cancelled.
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("id",)
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=("issue",),
                condition=models.Q(status="waiting"),
                name="sealed_one_waiting_per_issue",
            ),
        ]

    def __str__(self) -> str:
        return f"sealed {self.pk} on {self.issue_id}"


class SealedSubmission(models.Model):
    """One side's sealed figure and/or words. Replaced in place (with `version`) until
    the reveal. It keeps no time and no submitter: nothing of it is shown to anyone
    but its side before the reveal, and after it only what was submitted."""

    round = models.ForeignKey(SealedRound, on_delete=models.CASCADE, related_name="submissions")
    side = models.ForeignKey(Side, on_delete=models.CASCADE, related_name="+")
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    text = models.CharField(max_length=2000, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ("side__order", "side_id")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("round", "side"), name="sealed_one_per_side"),
        ]

    def __str__(self) -> str:
        return f"sealed submission of {self.side_id} to {self.round_id}"
