"""Sending what waits as `Delivery` rows: one message per person and channel, holding
every notice that waited (ten in a minute are one e-mail, not ten).

Sending is idempotent by the delivery record. The rows are locked while the message is
sent and marked sent in the same transaction: a second task for the same rows (a task
delivered twice, or one queued by a later notice) skips them while they are locked and
finds them sent after; a worker that dies mid-send leaves them pending (its transaction
never commits), and the task, delivered again, sends them once."""

from __future__ import annotations

import enum
import logging
import uuid

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..delivery import CHANNELS, Message, Undeliverable
from ..models import Delivery, Notification, Participant
from ..permissions import mediators_of
from .notifications import notify, settings_for_users

logger = logging.getLogger(__name__)

ERROR_MAX = 200


class Outcome(enum.Enum):
    NOTHING = "nothing"  # nothing was waiting (sent by another task, or read meanwhile)
    SENT = "sent"
    RETRY = "retry"  # the channel failed; try again later
    FAILED = "failed"  # given up: recorded, and the mediators told


def deliveries_send(*, participant_id: int, channel: str, final: bool = False) -> Outcome:
    """Send, in one message on `channel`, every notice pending for the participant that
    they have not read in the app meanwhile. On a failure the rows stay pending with the
    attempt counted (RETRY), unless `final` (the task's last try) or the channel can never
    deliver: then they are marked failed and the mediation's mediators are told in their
    centre ("A notice could not be delivered to someone")."""
    with transaction.atomic():
        rows = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(participant_id=participant_id, channel=channel, status=Delivery.Status.PENDING)
            .order_by("created_at", "id")
        )
        if not rows:
            return Outcome.NOTHING
        participant = Participant.objects.select_related("user", "mediation").get(pk=participant_id)
        notices = Notification.objects.in_bulk([row.notification_id for row in rows])
        prefs = settings_for_users([participant.user_id])[participant.user_id]
        now = timezone.now()
        waiting: list[Delivery] = []
        for row in rows:
            notice = notices.get(row.notification_id)
            if (
                notice is None
                or notice.read_at is not None
                or not participant.is_active
                or not CHANNELS[channel].wanted(prefs)
                or notice.kind in prefs.muted
            ):
                row.status, row.done_at = Delivery.Status.SKIPPED, now
            else:
                waiting.append(row)
        if not waiting:
            _save(rows)
            return Outcome.NOTHING
        message = Message(
            texts=tuple(notices[row.notification_id].text for row in waiting),
            link=f"{settings.PARLEY_BASE_URL}/mediations/{participant.mediation_id}",
            mediation_title=participant.mediation.title,
            key=f"parley-{channel}-{waiting[0].pk}",
        )
        try:
            CHANNELS[channel].send(participant=participant, message=message)
        except Exception as exc:
            for row in waiting:
                row.attempts += 1
                row.error = f"{type(exc).__name__}: {exc}"[:ERROR_MAX]
            if final or isinstance(exc, Undeliverable):
                for row in waiting:
                    row.status, row.done_at = Delivery.Status.FAILED, now
                _save(rows)
                _tell_mediators(participant)
                logger.warning(
                    "Gave up sending %s to participant %s: %s", channel, participant_id, exc
                )
                return Outcome.FAILED
            _save(rows)
            logger.info(
                "Sending %s to participant %s failed, will retry: %s", channel, participant_id, exc
            )
            return Outcome.RETRY
        for row in waiting:
            row.attempts += 1
            row.status, row.done_at, row.error = Delivery.Status.SENT, now, ""
        _save(rows)
    return Outcome.SENT


def _save(rows: list[Delivery]) -> None:
    Delivery.objects.bulk_update(rows, ["status", "attempts", "error", "done_at"])


def _tell_mediators(participant: Participant) -> None:
    notify(
        participants=mediators_of(participant.mediation_id),
        kind=Notification.Kind.DELIVERY_FAILED,
        room=participant.mediation.joint_room(),
    )


def deliveries_failed(*, mediation_id: uuid.UUID | str, limit: int = 50) -> list[dict[str, object]]:
    """The notices that could not be delivered in a mediation, newest first: to whom, on
    which channel, what kind, when, and the channel's error. For its mediators (the
    caller checks)."""
    rows = (
        Delivery.objects.filter(
            participant__mediation_id=mediation_id, status=Delivery.Status.FAILED
        )
        .select_related("participant__user", "notification")
        .order_by("-done_at", "-id")[:limit]
    )
    return [
        {
            "participant": row.participant_id,
            "name": row.participant.user.display_name,
            "channel": row.channel,
            "kind": row.notification.kind,
            "text": row.notification.text,
            "failed_at": row.done_at,
            "error": row.error,
        }
        for row in rows
    ]
