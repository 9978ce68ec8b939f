from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Stage(models.TextChoices):
    OPENING = "opening", "Opening statements"
    JOINT_DISCUSSION = "joint_discussion", "Joint discussion"
    CAUCUS = "caucus", "Private caucus"
    JOINT_NEGOTIATION = "joint_negotiation", "Joint negotiation"
    CLOSING = "closing", "Closing"


class ConfidentialityRule(models.TextChoices):
    CONFIDENTIAL_UNLESS_RELEASED = "confidential_unless_released", "Confidential unless released"
    SHAREABLE_UNLESS_MARKED = (
        "shareable_unless_marked",
        "The mediator may share unless marked confidential",
    )


class Role(models.TextChoices):
    MEDIATOR = "mediator", "Mediator"
    PARTY = "party", "Party"
    ATTORNEY = "attorney", "Attorney"
    EXPERT = "expert", "Expert / advisor"
    OBSERVER = "observer", "Observer"


# Roles that always belong to a side, and roles that never do.
SIDED_ROLES = frozenset({Role.PARTY, Role.ATTORNEY})
UNSIDED_ROLES = frozenset({Role.MEDIATOR, Role.OBSERVER})


class Mediation(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        CLOSED = "closed", "Closed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    title = models.CharField(max_length=200)
    currency = models.CharField(
        max_length=3, default="EUR",
        help_text="The ISO 4217 code of the currency amounts in this mediation are in "
        "(negotiation.services.validation.CURRENCIES).",
    )  # fmt: skip
    stage = models.CharField(max_length=32, choices=Stage.choices, default=Stage.OPENING)
    on_break = models.BooleanField(default=False)
    joint_paused = models.BooleanField(
        default=False, help_text="While a caucus runs, the parties cannot edit the joint board."
    )
    break_ends_at = models.DateTimeField(null=True, blank=True)
    announcement = models.CharField(
        max_length=500, blank=True, help_text="The mediator's word to everyone in the joint room."
    )
    announced_at = models.DateTimeField(null=True, blank=True)
    # When the mediator opened the sides' opening statements to everyone.
    openings_shown_at = models.DateTimeField(null=True, blank=True)
    # When the next session is planned, and when the mediator last ended one.
    session_ended_at = models.DateTimeField(null=True, blank=True)
    # When a mediator's connection last showed life (any Daphne process), and whether the
    # board is paused because every mediator's connection has been gone too long.
    mediator_seen_at = models.DateTimeField(null=True, blank=True)
    paused_for_absence = models.BooleanField(default=False)
    # The end everyone was told is two minutes away: told once per end.
    break_warned_for = models.DateTimeField(null=True, blank=True)
    break_message = models.CharField(
        max_length=280, blank=True, help_text="The mediator's word to everyone for the break."
    )
    next_session_at = models.DateTimeField(
        null=True, blank=True, help_text="When the next session is: everyone is reminded."
    )
    # The next session each reminder was sent for: once a day ahead, once an hour ahead.
    reminded_day_for = models.DateTimeField(null=True, blank=True)
    reminded_hour_for = models.DateTimeField(null=True, blank=True)
    confidentiality_rule = models.CharField(
        max_length=32,
        choices=ConfidentialityRule.choices,
        default=ConfidentialityRule.CONFIDENTIAL_UNLESS_RELEASED,
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    closed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the mediator closed it: everything in it is deleted once "
        "PARLEY_RETENTION_DAYS have passed since.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="mediations_created"
    )
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return self.title

    def joint_room(self) -> Room:
        return Room.objects.get(mediation=self, kind=Room.Kind.JOINT)


class Side(models.Model):
    """One side of the dispute, e.g. "Alex". Parties and attorneys belong to a side."""

    mediation = models.ForeignKey(Mediation, on_delete=models.CASCADE, related_name="sides")
    name = models.CharField(max_length=80)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("order", "id")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("mediation", "name"), name="side_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class ParticipantQuerySet(models.QuerySet["Participant"]):
    def active(self) -> ParticipantQuerySet:
        """Places that hold now: not removed, and an invited time (experts) not up. The
        one statement of the rule; Participant.is_active says the same of one row."""
        return self.filter(removed_at__isnull=True).filter(
            Q(access_expires_at__isnull=True) | Q(access_expires_at__gt=timezone.now())
        )


class Participant(models.Model):
    """A user's place in one mediation: a role and, for parties and attorneys, a side."""

    mediation = models.ForeignKey(Mediation, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="participations"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    side = models.ForeignKey(
        Side, null=True, blank=True, on_delete=models.PROTECT, related_name="participants"
    )
    joined_at = models.DateTimeField(default=timezone.now)
    access_expires_at = models.DateTimeField(
        null=True, blank=True, help_text="Experts are invited for a limited time."
    )
    removed_at = models.DateTimeField(null=True, blank=True)
    caucus_history_from = models.DateTimeField(
        null=True,
        blank=True,
        help_text="An expert who reads their side's private room only from this moment on: "
        "nothing created there before it reaches them.",
    )
    scope_issue = models.ForeignKey(
        "negotiation.Issue",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="An expert brought in on one issue sees only that issue and what is about it.",
    )
    rule_acknowledged = models.CharField(
        max_length=32, blank=True, help_text="The confidentiality rule this person accepted."
    )
    rule_acknowledged_at = models.DateTimeField(null=True, blank=True)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        ordering = ("joined_at", "id")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=("mediation", "user"),
                condition=Q(removed_at__isnull=True),
                name="participant_active_unique",
            ),
            models.CheckConstraint(
                condition=~Q(role__in=sorted(r.value for r in SIDED_ROLES)) | Q(side__isnull=False),
                name="participant_sided_role_has_side",
            ),
            models.CheckConstraint(
                condition=~Q(role__in=sorted(r.value for r in UNSIDED_ROLES))
                | Q(side__isnull=True),
                name="participant_unsided_role_has_no_side",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"

    @property
    def is_active(self) -> bool:
        if self.removed_at is not None:
            return False
        return self.access_expires_at is None or self.access_expires_at > timezone.now()


class Room(models.Model):
    """The unit of visibility: every piece of content belongs to exactly one room.

    One joint room per mediation and one caucus room per side. `last_seq` numbers the
    room's events, so nobody can infer another room's activity from gaps.
    """

    class Kind(models.TextChoices):
        JOINT = "joint", "Joint room"
        CAUCUS = "caucus", "Caucus room"

    mediation = models.ForeignKey(Mediation, on_delete=models.CASCADE, related_name="rooms")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    side = models.OneToOneField(
        Side, null=True, blank=True, on_delete=models.CASCADE, related_name="caucus_room"
    )
    last_seq = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ("id",)
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=("mediation",),
                condition=Q(kind="joint"),
                name="room_one_joint_per_mediation",
            ),
            models.CheckConstraint(
                condition=(Q(kind="joint") & Q(side__isnull=True))
                | (Q(kind="caucus") & Q(side__isnull=False)),
                name="room_caucus_has_side",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} room" if self.side_id is None else f"caucus room of {self.side}"

    @property
    def key(self) -> str:
        """The room's name in the socket protocol: "joint" or "caucus:<side id>"."""
        return "joint" if self.kind == self.Kind.JOINT else f"caucus:{self.side_id}"

    @property
    def group_name(self) -> str:
        return f"room.{self.pk}"

    @property
    def caucus_side_id(self) -> int:
        """The side a caucus room belongs to (every caucus room has one)."""
        if self.side_id is None:
            raise ValueError(f"{self} is not a caucus room.")
        return self.side_id


class Event(models.Model):
    """The append-only log of one room: what changed, in order, with full payloads."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveBigIntegerField()
    name = models.CharField(max_length=64)
    data = models.JSONField(default=dict)
    actor = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("room", "seq")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("room", "seq"), name="event_seq_unique_per_room"),
        ]

    def __str__(self) -> str:
        return f"{self.room_id}#{self.seq} {self.name}"
