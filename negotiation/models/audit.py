"""The audit log of reads of caucus content by someone outside the side: one row per
read of one caucus room (a socket joining it, a catch-up, a REST read, an export), never
per item and never what was read. The mediator exports it (negotiation/api/exports.py)."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from .mediation import Mediation, Participant, Room


class CaucusRead(models.Model):
    class Via(models.TextChoices):
        SOCKET_JOIN = "socket_join", "Joined the room on the socket (and its live events)"
        RESYNC = "resync", "Caught up with the room on the socket"
        REST = "rest", "Read the room over the API"
        EXPORT = "export", "Their own writing in the room, in their data export"

    mediation = models.ForeignKey(Mediation, on_delete=models.CASCADE, related_name="caucus_reads")
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="+")
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    participant = models.ForeignKey(
        Participant, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # As they were at the read, kept if the account is renamed or deleted.
    reader_name = models.CharField(max_length=150)
    reader_email = models.EmailField()
    role = models.CharField(max_length=16)
    via = models.CharField(max_length=16, choices=Via.choices)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("at", "id")
        indexes: ClassVar = [models.Index(fields=("mediation", "at"))]

    def __str__(self) -> str:
        return f"{self.reader_email} read {self.room_id} ({self.via})"
