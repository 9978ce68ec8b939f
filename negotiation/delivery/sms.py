"""Notices by SMS. The transport is `PARLEY_SMS_BACKEND`: by default a log line, since no
provider is configured; a provider's backend is a class with `send(to, text)`."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from django.conf import settings as django_settings

from .base import Message, Undeliverable, transport

if TYPE_CHECKING:
    from accounts.models import NotificationSettings

    from ..models import Participant

logger = logging.getLogger(__name__)

PHONE = re.compile(r"^\+[1-9][0-9]{6,14}$")
# An SMS is short: the headline and the link, nothing more.
SMS_MAX = 320


class SmsBackend(Protocol):
    def send(self, to: str, text: str) -> None: ...


class LoggingBackend:
    """Writes the message to the log: for installations with no SMS provider."""

    def send(self, to: str, text: str) -> None:
        logger.info("SMS to %s: %s", to, text)


class FolderBackend:
    """One JSON file per message in PARLEY_SMS_FOLDER: for development and for tests
    whose worker runs in another process."""

    def send(self, to: str, text: str) -> None:
        folder = Path(django_settings.PARLEY_SMS_FOLDER)
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns()}-{uuid.uuid4().hex[:8]}.json"
        (folder / name).write_text(json.dumps({"to": to, "text": text}))


class MemoryBackend:
    """Keeps messages in `outbox`, like Django's locmem e-mail backend."""

    outbox: list[dict[str, str]] = []

    def send(self, to: str, text: str) -> None:
        MemoryBackend.outbox.append({"to": to, "text": text})


class SmsChannel:
    name = "sms"

    def available(self) -> bool:
        return True

    def wanted(self, settings: NotificationSettings) -> bool:
        return settings.sms and bool(settings.phone)

    def send(self, *, participant: Participant, message: Message) -> None:
        settings = getattr(participant.user, "notification_settings", None)
        phone = settings.phone if settings is not None else ""
        if not PHONE.match(phone):
            raise Undeliverable("No mobile number.")
        text = f"Parley: {message.headline} {message.link}"
        backend: SmsBackend = transport(django_settings.PARLEY_SMS_BACKEND)
        backend.send(phone, text[:SMS_MAX])
