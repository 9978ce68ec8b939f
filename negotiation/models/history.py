"""The board's history: snapshots of a room at a sequence number, and the summaries of
sessions built from them. Everything here is derived from the rooms' logs and content;
nothing is edited after it is written."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone

from .mediation import Mediation, Participant, Room


class Snapshot(models.Model):
    """A room's content as it stood at `seq` of its log: a compact copy of what the
    room's resync snapshot serializes (docs/performance.md says why a copy, not a delta).
    A caucus room's snapshots are its own, seen only by that room's members."""

    class Reason(models.TextChoices):
        PERIODIC = "periodic", "Every few minutes while the board changes"
        STAGE = "stage", "The session moved to another stage"
        AGREED = "agreed", "An issue was agreed"
        SESSION_END = "session_end", "The session ended"
        ON_DEMAND = "on_demand", "Taken by the mediator"

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="snapshots")
    seq = models.PositiveBigIntegerField()
    reason = models.CharField(max_length=16, choices=Reason.choices)
    data = models.JSONField()
    taken_by = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("room", "seq", "id")
        constraints: ClassVar = [
            # The board at one seq is one board: a second snapshot there would be a copy.
            models.UniqueConstraint(fields=("room", "seq"), name="snapshot_one_per_seq"),
        ]

    def __str__(self) -> str:
        return f"{self.room_id}@{self.seq} {self.reason}"


class SessionSummary(models.Model):
    """What a session ended with, built from the joint room's snapshot at its end: what
    was agreed, what is parked and why with its way back, what is open, and when the
    next session is. Only joint content is in it."""

    mediation = models.ForeignKey(Mediation, on_delete=models.CASCADE, related_name="summaries")
    snapshot = models.OneToOneField(Snapshot, on_delete=models.CASCADE, related_name="summary")
    data = models.JSONField(default=dict)
    built_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"summary of {self.mediation_id} at {self.created_at:%Y-%m-%d %H:%M}"
