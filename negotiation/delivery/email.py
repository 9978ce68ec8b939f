"""Notices by e-mail, through Django's e-mail backend (the console in the embedded mode,
SMTP in production)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings as django_settings
from django.core.mail import EmailMessage

from .base import Message, Undeliverable

if TYPE_CHECKING:
    from accounts.models import NotificationSettings

    from ..models import Participant


class EmailChannel:
    name = "email"

    def available(self) -> bool:
        return True

    def wanted(self, settings: NotificationSettings) -> bool:
        return settings.email

    def send(self, *, participant: Participant, message: Message) -> None:
        address = participant.user.email
        if not address:
            raise Undeliverable("No e-mail address.")
        domain = django_settings.PARLEY_BASE_URL.split("//")[-1].split("/")[0].split(":")[0]
        EmailMessage(
            subject=f"Parley: {message.headline}",
            body=(
                f"{message.body}\n\nOpen the mediation \u201c{message.mediation_title}\u201d:\n"
                f"{message.link}\n\n"
                "For your privacy, this e-mail never contains what was said.\n"
            ),
            to=[address],
            headers={"Message-ID": f"<{message.key}@{domain or 'parley'}>"},
        ).send()
