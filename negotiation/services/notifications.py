"""The notification centre. A notification says only that something happened and where
("New message in your private room"): its words come from a fixed template per kind, so
nothing said in a caucus can reach a notification, a push frame or an e-mail."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from config.errors import Invalid

from ..events import participant_send
from ..models import Notification, Participant, Room
from ..queue import task_after_commit
from ..serializers import NotificationSerializer

# Kinds that also go out by e-mail: the ones that ask someone to act.
EMAILED = frozenset({Notification.Kind.CAUCUS_CALLED, Notification.Kind.RELEASE_REQUESTED})


def notify(*, participants: Iterable[Participant], kind: str, room: Room) -> list[Notification]:
    """Tell each participant, in real time after commit and by e-mail for EMAILED kinds.
    An unread notification of the same kind and room is not repeated (a busy chat makes
    one "new messages" entry, not fifty). Must run inside the change's transaction."""
    recipients = [p for p in participants if p.is_active]
    waiting = set(
        Notification.objects.filter(
            participant__in=recipients, kind=kind, room_key=room.key, read_at__isnull=True
        ).values_list("participant_id", flat=True)
    )
    created = Notification.bulk_create_with_ids(
        [
            Notification(participant=p, kind=kind, room_key=room.key)
            for p in recipients
            if p.pk not in waiting
        ]
    )
    for notification in created:
        participant_send(
            notification.participant_id,
            {"type": "participant.notification", "frame": notification_frame(notification)},
        )
        if kind in EMAILED:
            task_after_commit("negotiation.tasks.notification_email", notification.pk)
    return created


def notification_frame(notification: Notification) -> dict[str, object]:
    return {"type": "notification", **NotificationSerializer(notification).data}


def notifications_read(*, actor: Participant, ids: list[int] | None = None) -> int:
    """Mark the actor's notifications read: these ids, or all of them when None."""
    if ids is not None and not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise Invalid("Ids are numbers.", details={"ids": ["Send a list of ids."]})
    unread = Notification.objects.filter(participant=actor, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())
