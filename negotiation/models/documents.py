"""Information parity: documents shared in a room, who has opened each, and each
party's word that they have the information they need on an issue (or their request
for more).

A document belongs to one room, like everything else: the joint room (everyone at the
table sees it) or one side's private room (its members only). Its bytes are a file
outside the web root (services.documents); this row holds what is shown of it. Ids are
time ids, so that a private room's documents and requests leave no count in any other
room's ids.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone

from .board import Issue
from .ids import TimeIdModel
from .mediation import Participant, Room


class Document(TimeIdModel):
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="documents")
    issue = models.ForeignKey(
        Issue,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="documents",
        help_text="The issue it informs, if any.",
    )
    name = models.CharField(max_length=200, help_text="The file's name, as shown and saved.")
    kind = models.CharField(max_length=16, help_text="document_types.KINDS: told by content.")
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    # The file's name in PARLEY_DOCUMENTS_DIR: random, and empty once withdrawn (the
    # bytes are erased then; the row stays so the room's log keeps its sense).
    stored_as = models.CharField(max_length=64, blank=True)
    shared_by = models.ForeignKey(
        Participant, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("created_at", "id")
        indexes: ClassVar = [models.Index(fields=("room", "issue"))]

    def __str__(self) -> str:
        return self.name


class DocumentReceipt(models.Model):
    """When a participant first opened a document: one row per person and document;
    later opens change nothing."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="receipts")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("opened_at", "id")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=("document", "participant"), name="document_receipt_once_per_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document_id} opened by {self.participant_id}"


class InformationCheck(TimeIdModel):
    """A party's word, before deciding on an issue: "I have the information I need to
    decide", or a request for more, in their words. It lives in their side's private
    room: the mediator reads it there, the other side never hears of it. The latest per
    party and issue is what holds."""

    class Status(models.TextChoices):
        INFORMED = "informed", "I have the information I need to decide"
        MORE_WANTED = "more_wanted", "I need more information"

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="information_checks")
    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="+")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices)
    text = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("created_at", "id")
        indexes: ClassVar = [models.Index(fields=("issue", "participant", "created_at"))]

    def __str__(self) -> str:
        return f"{self.status} on {self.issue_id}"
