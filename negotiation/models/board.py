"""The joint board: issues in lanes, and on each issue the sides' positions and interests,
brainstormed options, objective criteria, proposals with each side's response, comments.

Everything here lives in the joint room. Editable rows carry `version` for optimistic
concurrency; nothing is deleted (an issue is struck, an option is struck through).
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone

from .mediation import Participant, Room, Side


class Lane(models.TextChoices):
    AGENDA = "agenda", "Agenda"
    DISCUSSING = "discussing", "Discussing"
    PARKED = "parked", "Parked"
    AGREED = "agreed", "Agreed"
    STRUCK = "struck", "Struck"


class Versioned(models.Model):
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True


class Issue(Versioned):
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="issues")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=5000)
    lane = models.CharField(max_length=16, choices=Lane.choices, default=Lane.AGENDA)
    order = models.PositiveIntegerField(default=0)
    parked_reason = models.CharField(max_length=500, blank=True)
    # The way back from Parked: a time, or a condition in words, or both; and the lane
    # and place the card left, where unparking returns it.
    parked_until = models.DateTimeField(null=True, blank=True)
    parked_condition = models.CharField(max_length=300, blank=True)
    parked_from_lane = models.CharField(max_length=16, choices=Lane.choices, blank=True)
    parked_from_index = models.PositiveIntegerField(null=True, blank=True)
    parked_due_told_at = models.DateTimeField(null=True, blank=True)
    # Information parity: no proposal on it is accepted until every side's party has
    # opened its joint-room documents and the accepting party has said they have the
    # information they need (services.documents).
    documents_required = models.BooleanField(default=False)
    # Since when the mediator has it at impasse (models/impasse.py): all anyone but the
    # mediators learns of it ("We are trying another way"), never the cause.
    impasse_since = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        Participant, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("lane", "order", "id")
        indexes: ClassVar = [models.Index(fields=("room", "lane", "order"))]

    def __str__(self) -> str:
        return self.title


class Position(Versioned):
    """What a side says it wants on an issue. One per side and issue."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="positions")
    side = models.ForeignKey(Side, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(max_length=2000)
    updated_by = models.ForeignKey(
        Participant, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("side__order", "id")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("issue", "side"), name="position_one_per_side"),
        ]

    def __str__(self) -> str:
        return self.text[:60]


class Interest(Versioned):
    """Why a side wants what it wants: the need behind the position."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="interests")
    side = models.ForeignKey(Side, on_delete=models.CASCADE, related_name="+")
    text = models.CharField(max_length=1000)
    struck = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        Participant, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("id",)

    def __str__(self) -> str:
        return self.text[:60]


class Option(Versioned):
    """A brainstormed alternative. Struck through rather than deleted."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="options")
    text = models.CharField(max_length=1000)
    struck = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        Participant, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Added in a brainstorm round (models/rounds.py), with no author.
    brainstorm = models.ForeignKey(
        "BrainstormRound", null=True, blank=True, on_delete=models.SET_NULL, related_name="options"
    )

    class Meta:
        ordering = ("id",)

    def __str__(self) -> str:
        return self.text[:60]


class Criterion(Versioned):
    """An objective standard to judge options by: an appraisal, a guideline table."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="criteria")
    text = models.CharField(max_length=1000)
    source = models.CharField(max_length=500, blank=True)
    struck = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        Participant, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("id",)

    def __str__(self) -> str:
        return self.text[:60]


class Proposal(models.Model):
    """An offer on an issue, by a side or by the mediator (`side` empty). Its terms never
    change: a change is a counter-proposal, linked to the one it answers."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        WITHDRAWN = "withdrawn", "Withdrawn"
        ACCEPTED = "accepted", "Accepted by every side"

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="proposals")
    side = models.ForeignKey(Side, null=True, on_delete=models.CASCADE, related_name="+")
    terms = models.TextField(max_length=5000)
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    counter_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="counters"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        Participant, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ("id",)

    def __str__(self) -> str:
        return self.terms[:60]


class Response(models.Model):
    """One side's answer to a proposal; it may change (considering, then accept)."""

    class Answer(models.TextChoices):
        ACCEPT = "accept", "Accept"
        REJECT = "reject", "Reject"
        COUNTER = "counter", "Counter"
        CONSIDERING = "considering", "Considering"

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="responses")
    side = models.ForeignKey(Side, on_delete=models.CASCADE, related_name="+")
    answer = models.CharField(max_length=16, choices=Answer.choices)
    note = models.CharField(max_length=1000, blank=True)
    counter = models.ForeignKey(
        Proposal, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    responded_by = models.ForeignKey(
        Participant, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    responded_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ("side__order", "id")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("proposal", "side"), name="response_one_per_side"),
        ]

    def __str__(self) -> str:
        return f"{self.side} {self.answer}"


class Comment(models.Model):
    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="comments")
    body = models.TextField(max_length=5000)
    author = models.ForeignKey(Participant, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("id",)

    def __str__(self) -> str:
        return self.body[:60]


class Decision(models.Model):
    """A decision on an issue that takes every side: to agree it, or to strike it.

    An issue is agreed when every side accepts a proposal on it (the proposing side by
    proposing), or when the mediator words an agreement and every side's party confirms
    it. It is struck by the mediator, or when every side asks for it. Leaving Agreed or
    Struck again (reopening) is the mediator's. Rows are kept as the issue's record of
    who decided what, and when.
    """

    class Kind(models.TextChoices):
        AGREE = "agree", "Agree"
        STRIKE = "strike", "Strike"

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for every side"
        DONE = "done", "Decided"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"
        REOPENED = "reopened", "Reopened"

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="decisions")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    terms = models.TextField(max_length=5000, blank=True)
    proposal = models.ForeignKey(
        Proposal, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    asked_by = models.ForeignKey(
        Participant, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    # Who made it: the mediator striking, or the last side's party to say yes.
    decided_by = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Who declined, withdrew or reopened it, and when.
    closed_by = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ("id",)
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=("issue", "kind"),
                condition=models.Q(status="open"),
                name="decision_one_open_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.issue_id} {self.status}"


class Consent(models.Model):
    """One side's yes to a decision, and who gave it for the side."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="consents")
    side = models.ForeignKey(Side, on_delete=models.CASCADE, related_name="+")
    given_by = models.ForeignKey(
        Participant, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    given_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("side__order", "id")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("decision", "side"), name="consent_one_per_side"),
        ]

    def __str__(self) -> str:
        return f"{self.side_id} for {self.decision_id}"
