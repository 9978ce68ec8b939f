"""What is shown of a document and of a party's word on the information they have: the
same payloads in events, snapshots and REST answers."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework import serializers

from .models import Document, InformationCheck
from .permissions import counts_for_side


class DocumentSerializer(serializers.ModelSerializer[Document]):
    """A document as everyone who sees its room sees it. `opened_sides` lists the sides
    whose party has opened it (what the require-opened rule waits on); who opened it and
    when is for the mediators only (balance view)."""

    room = serializers.SerializerMethodField()
    opened_sides = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = (
            "id",
            "room",
            "issue",
            "name",
            "kind",
            "content_type",
            "size",
            "shared_by",
            "created_at",
            "withdrawn_at",
            "opened_sides",
            "url",
        )

    def get_room(self, document: Document) -> str:
        return str(document.room.key)

    def get_opened_sides(self, document: Document) -> list[int]:
        sides = {
            receipt.participant.side_id
            for receipt in document.receipts.all()
            if counts_for_side(receipt.participant)
        }
        return sorted(side for side in sides if side is not None)

    def get_url(self, document: Document) -> str | None:
        if document.withdrawn_at is not None:
            return None
        return reverse(
            "document-file",
            kwargs={"mediation_id": str(document.room.mediation_id), "document_id": document.pk},
        )


class InformationCheckSerializer(serializers.ModelSerializer[InformationCheck]):
    side = serializers.SerializerMethodField()

    class Meta:
        model = InformationCheck
        fields = ("id", "issue", "participant", "side", "status", "text", "created_at")

    def get_side(self, check: InformationCheck) -> int | None:
        return check.participant.side_id


def documents_data(documents: Any) -> list[dict[str, Any]]:
    """Documents for a snapshot, with what their payload needs in a fixed number of
    queries."""
    rows = documents.select_related("room").prefetch_related("receipts__participant")
    return list(DocumentSerializer(rows, many=True).data)
