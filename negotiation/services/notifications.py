"""The notification centre, and each notice's way out by the channels a person chose.

A notification says only that something happened and where ("A proposal waits for your
side's answer"): its words come from a fixed template per kind, so nothing said in a
caucus, and no proposal's terms, can reach a notification, a push frame, an SMS or an
e-mail. Each notice is in the centre at once; on every other channel the person chose
(and did not mute the kind on) it waits as a `Delivery` for `deliveries_send`."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone

from accounts.models import NotificationSettings
from config.errors import Invalid

from ..delivery import CHANNELS
from ..events import participant_send
from ..models import Delivery, Issue, Notification, Participant, Room
from ..queue import task_after_commit
from ..serializers import NotificationSerializer

Kind = Notification.Kind

# What asks a person to act or to be somewhere now: these go out within seconds
# (PARLEY_NOTICE_URGENT_SECONDS, time enough for someone at the screen to see it there
# first) and cannot be muted. Every other kind waits longer (PARLEY_NOTICE_BATCH_SECONDS)
# so that what follows goes out with it, and may be muted beyond the centre.
URGENT = frozenset(
    {
        Kind.CAUCUS_CALLED,
        Kind.RELEASE_REQUESTED,
        Kind.PROPOSAL_MADE,
        Kind.DECISION_ASKED,
        Kind.SEALED_ASKED,
        Kind.BREAK_STARTED,
        Kind.BREAK_ENDING,
        Kind.BREAK_REQUESTED,
        Kind.ANNOUNCEMENT,
        Kind.MEDIATOR_AWAY,
        Kind.SESSION_SOON,
        Kind.DELIVERY_FAILED,
    }
)
MUTABLE = tuple(kind for kind in Kind.values if kind not in URGENT)
# Only the centre: a notice about a notice that could not go out goes nowhere else.
CENTRE_ONLY = frozenset({Kind.DELIVERY_FAILED})


def notify(
    *,
    participants: Iterable[Participant],
    kind: str,
    room: Room,
    issue: Issue | None = None,
) -> list[Notification]:
    """Tell each active participant: in the centre, live after commit, and by every
    channel they chose for this kind, batched. An unread notification of the same kind,
    room and issue is not repeated (a busy chat makes one "new messages" entry, not
    fifty). Must run inside the change's transaction."""
    recipients = [p for p in participants if p.is_active]
    if not recipients:
        return []
    waiting = set(
        Notification.objects.filter(
            participant__in=recipients,
            kind=kind,
            room_key=room.key,
            issue=issue,
            read_at__isnull=True,
        ).values_list("participant_id", flat=True)
    )
    created = Notification.bulk_create_with_ids(
        [
            Notification(participant=p, kind=kind, room_key=room.key, issue=issue)
            for p in recipients
            if p.pk not in waiting
        ]
    )
    for notification in created:
        participant_send(
            notification.participant_id,
            {"type": "participant.notification", "frame": notification_frame(notification)},
        )
    if kind not in CENTRE_ONLY:
        _deliveries_plan(created, kind)
    return created


def _deliveries_plan(created: list[Notification], kind: str) -> None:
    """A pending delivery per notice and chosen channel, and a task to send it: within
    seconds for urgent kinds, after the batching window for the others."""
    by_user = {n.participant.user_id: n for n in created}
    chosen = settings_for_users(by_user)
    deliveries = []
    for user_id, notification in by_user.items():
        prefs = chosen[user_id]
        if kind in prefs.muted:
            continue
        for name, channel in CHANNELS.items():
            if channel.wanted(prefs):
                deliveries.append(
                    Delivery(
                        notification=notification,
                        participant_id=notification.participant_id,
                        channel=name,
                    )
                )
    Delivery.objects.bulk_create(deliveries)
    countdown = (
        settings.PARLEY_NOTICE_URGENT_SECONDS
        if kind in URGENT
        else settings.PARLEY_NOTICE_BATCH_SECONDS
    )
    for delivery in deliveries:
        task_after_commit(
            "negotiation.tasks.deliveries_send",
            delivery.participant_id,
            delivery.channel,
            countdown=countdown,
        )


def settings_for_users(user_ids: Iterable[int]) -> dict[int, NotificationSettings]:
    """Each user's settings, the defaults (e-mail only, nothing muted) where none is
    stored."""
    ids = list(user_ids)
    stored = {s.user_id: s for s in NotificationSettings.objects.filter(user_id__in=ids)}
    return {uid: stored.get(uid) or NotificationSettings(user_id=uid) for uid in ids}


def notification_frame(notification: Notification) -> dict[str, object]:
    return {"type": "notification", **NotificationSerializer(notification).data}


def notifications_read(*, actor: Participant, ids: list[int] | None = None) -> int:
    """Mark the actor's notifications read: these ids, or all of them when None. What is
    read in the app no longer goes out by any other channel."""
    if ids is not None and not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise Invalid("Ids are numbers.", details={"ids": ["Send a list of ids."]})
    unread = Notification.objects.filter(participant=actor, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())
