"""Retention: a closed mediation is deleted entirely once PARLEY_RETENTION_DAYS have
passed since it was closed — its sides, people's places in it, rooms, event logs, board,
caucus rooms with everything said there, documents (their files erased from
PARLEY_DOCUMENTS_DIR once the deletion is committed) with who opened them,
invitations, notifications, command receipts and the audit log of its caucus reads.
The accounts of the people in it stay (they are
identities, and may be in other mediations)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .. import document_store
from ..events import participant_send
from ..models import Document, Mediation, Participant


def retention_cutoff(now: datetime | None = None) -> datetime:
    """Mediations closed at or before this moment are past their retention period."""
    return (now or timezone.now()) - timedelta(days=settings.PARLEY_RETENTION_DAYS)


def mediations_due_for_deletion(now: datetime | None = None) -> list[Mediation]:
    return list(
        Mediation.objects.filter(
            status=Mediation.Status.CLOSED, closed_at__lte=retention_cutoff(now)
        ).order_by("closed_at")
    )


def mediation_purge(*, mediation_id: uuid.UUID | str, now: datetime | None = None) -> bool:
    """Delete one mediation with everything in it, if it is still closed and past its
    retention period (checked again under a lock). Sockets still open on it close
    (4403). Returns whether it deleted it. Emits no event: there is no log left."""
    with transaction.atomic():
        mediation = (
            Mediation.objects.select_for_update()
            .filter(
                pk=mediation_id,
                status=Mediation.Status.CLOSED,
                closed_at__lte=retention_cutoff(now),
            )
            .first()
        )
        if mediation is None:
            return False
        places = list(Participant.objects.filter(mediation=mediation).values_list("pk", flat=True))
        files = list(
            Document.objects.filter(room__mediation=mediation)
            .exclude(stored_as="")
            .values_list("stored_as", flat=True)
        )
        # Places first: a place's side is protected from deletion while the place exists.
        Participant.objects.filter(mediation=mediation).delete()
        mediation.delete()
        # The rows are gone with the mediation; the files go once that is committed (a
        # rollback keeps both).
        transaction.on_commit(lambda: document_store.erase_all(files))
        for place in places:
            # Their sockets look their place up again, find it gone, and close.
            participant_send(place, {"type": "participant.access"})
    return True


def mediations_purge(*, now: datetime | None = None) -> int:
    """Delete every mediation past its retention period. Idempotent. Returns how many."""
    return sum(
        mediation_purge(mediation_id=mediation.pk, now=now)
        for mediation in mediations_due_for_deletion(now)
    )
