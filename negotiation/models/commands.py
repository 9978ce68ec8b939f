from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone

from .mediation import Participant


class CommandReceipt(models.Model):
    """The first result of a client command, kept so a repeat (same client id, e.g. a
    command replayed after a reconnect) has no second effect and gets the same answer."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    client_id = models.CharField(max_length=64)
    name = models.CharField(max_length=64)
    result = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=("participant", "client_id"), name="command_receipt_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.client_id}"
