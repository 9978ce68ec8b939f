"""Notices by web push (the browser's own notifications, also on a locked phone), with
pywebpush and the VAPID keys in the settings. Without keys, the channel is not offered.
The payload is the notice's fixed text and a link: a lock screen shows nothing more."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any, Protocol

from django.conf import settings as django_settings

from .base import Message, Undeliverable, transport

if TYPE_CHECKING:
    from accounts.models import NotificationSettings, PushSubscription

    from ..models import Participant

logger = logging.getLogger(__name__)


class Gone(Exception):
    """The push service no longer knows this subscription (404 or 410)."""


class PushBackend(Protocol):
    def send(self, subscription: PushSubscription, payload: str) -> None: ...


class WebPushBackend:
    def send(self, subscription: PushSubscription, payload: str) -> None:
        from pywebpush import WebPushException, webpush

        try:
            webpush(
                subscription_info={
                    "endpoint": subscription.endpoint,
                    "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
                },
                data=payload,
                vapid_private_key=django_settings.PARLEY_VAPID_PRIVATE_KEY,
                vapid_claims={"sub": django_settings.PARLEY_VAPID_SUBJECT},
                ttl=3600,
                timeout=10,
            )
        except WebPushException as exc:
            status = getattr(exc.response, "status_code", None)
            if status in (404, 410):
                raise Gone(str(status)) from exc
            raise


class MemoryBackend:
    """Keeps payloads in `outbox`, for tests."""

    outbox: list[dict[str, Any]] = []

    def send(self, subscription: PushSubscription, payload: str) -> None:
        MemoryBackend.outbox.append({"endpoint": subscription.endpoint, **json.loads(payload)})


class PushChannel:
    name = "push"

    def available(self) -> bool:
        return bool(
            django_settings.PARLEY_VAPID_PUBLIC_KEY and django_settings.PARLEY_VAPID_PRIVATE_KEY
        )

    def wanted(self, settings: NotificationSettings) -> bool:
        return settings.push and self.available()

    def send(self, *, participant: Participant, message: Message) -> None:
        subscriptions = list(participant.user.push_subscriptions.all())
        if not subscriptions:
            raise Undeliverable("No browser subscribed.")
        payload = json.dumps(
            {"title": "Parley", "body": message.headline, "url": message.link, "tag": message.key}
        )
        backend: PushBackend = transport(django_settings.PARLEY_PUSH_BACKEND)
        delivered = 0
        for subscription in subscriptions:
            try:
                backend.send(subscription, payload)
                delivered += 1
            except Gone:
                logger.info("Push subscription %s is gone", subscription.pk)
                subscription.delete()
        if not delivered:
            raise Undeliverable("Every subscribed browser is gone.")
