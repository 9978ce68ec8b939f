"""A person's choice of channels for their notices, and their browsers' web push
subscriptions. The in-app centre is always on; urgent kinds cannot be muted."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import NotificationSettings, PushSubscription, User
from config.errors import Invalid

from ..delivery import CHANNELS
from ..delivery.sms import PHONE
from .notifications import MUTABLE, settings_for_users

ENDPOINT_MAX = 1000
KEY = re.compile(r"^[A-Za-z0-9_-]+={0,2}$")
SUBSCRIPTIONS_MAX = 10


def notification_settings_of(user: User) -> NotificationSettings:
    return settings_for_users([user.pk])[user.pk]


def notification_settings_set(*, user: User, changes: dict[str, Any]) -> NotificationSettings:
    """Change some of `email`, `sms`, `phone`, `push` (booleans, and a mobile number in
    international form) and `muted` (a list of non-urgent kinds). SMS needs a number;
    push needs the installation's VAPID keys. Raises Invalid, naming the field."""
    unknown = set(changes) - {"email", "sms", "phone", "push", "muted"}
    if unknown:
        raise Invalid(
            "Unknown settings.", details={name: ["Not a setting."] for name in sorted(unknown)}
        )
    with transaction.atomic():
        prefs, _ = NotificationSettings.objects.select_for_update().get_or_create(user=user)
        for name in ("email", "sms", "push"):
            if name in changes:
                if not isinstance(changes[name], bool):
                    raise Invalid("Choose on or off.", details={name: ["Send true or false."]})
                setattr(prefs, name, changes[name])
        if "phone" in changes:
            phone = changes["phone"]
            if not isinstance(phone, str):
                raise Invalid("The number is text.", details={"phone": ["Send text."]})
            phone = re.sub(r"[\s().-]", "", phone)
            if phone.startswith("00"):
                phone = "+" + phone[2:]
            if phone and not PHONE.match(phone):
                raise Invalid(
                    "That is not a mobile number in international form.",
                    details={"phone": ["Start with + and the country code, e.g. +44 7700 900123."]},
                )
            prefs.phone = phone
        if "muted" in changes:
            muted = changes["muted"]
            if not isinstance(muted, list) or not all(isinstance(k, str) for k in muted):
                raise Invalid("Send a list of kinds.", details={"muted": ["A list of kinds."]})
            urgent = sorted(set(muted) - set(MUTABLE))
            if urgent:
                raise Invalid(
                    "These notices cannot be muted: they ask you to act now.",
                    details={"muted": [f"Not mutable: {', '.join(urgent)}."]},
                )
            prefs.muted = sorted(set(muted))
        if prefs.sms and not prefs.phone:
            raise Invalid("SMS needs your mobile number.", details={"phone": ["Add a number."]})
        if prefs.push and not CHANNELS["push"].available():
            raise Invalid(
                "This Parley does not send push notifications.",
                details={"push": ["Not offered here."]},
            )
        prefs.updated_at = timezone.now()
        prefs.save()
    return prefs


def push_subscribe(*, user: User, endpoint: object, p256dh: object, auth: object) -> None:
    """Keep a browser's push subscription for the user (the same endpoint again replaces
    its keys; an endpoint another account held moves to this one, since the browser now
    belongs to them). Raises Invalid for an endpoint that is not https or keys that are
    not base64url."""
    if (
        not isinstance(endpoint, str)
        or not endpoint.startswith("https://")
        or len(endpoint) > ENDPOINT_MAX
    ):
        raise Invalid("That is not a push endpoint.", details={"endpoint": ["An https address."]})
    for name, value, top in (("p256dh", p256dh, 200), ("auth", auth, 100)):
        if not isinstance(value, str) or not KEY.match(value) or len(value) > top:
            raise Invalid("A key is malformed.", details={name: ["A base64url key."]})
    with transaction.atomic():
        PushSubscription.objects.update_or_create(
            endpoint=endpoint, defaults={"user": user, "p256dh": p256dh, "auth": auth}
        )
        extra = PushSubscription.objects.filter(user=user).order_by("-created_at")[
            SUBSCRIPTIONS_MAX:
        ]
        PushSubscription.objects.filter(pk__in=[s.pk for s in extra]).delete()


def push_unsubscribe(*, user: User, endpoint: object) -> int:
    """Forget the user's subscription at `endpoint`. Returns how many were forgotten."""
    if not isinstance(endpoint, str):
        raise Invalid("That is not a push endpoint.", details={"endpoint": ["Send text."]})
    deleted, _ = PushSubscription.objects.filter(user=user, endpoint=endpoint).delete()
    return deleted
