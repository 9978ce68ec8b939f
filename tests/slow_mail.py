"""E-mail backends for worker tests, which run in another process."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail.backends.filebased import EmailBackend

SENDING = "sending"
PAUSE_SECONDS = 60


class SlowOnceBackend(EmailBackend):
    """Writes each message to EMAIL_FILE_PATH like the file backend; the first send of
    all stops first for a minute, leaving a marker with its process id beside the
    folder, so that a test can kill the worker mid-send."""

    def send_messages(self, email_messages: Any) -> int:
        marker = Path(settings.EMAIL_FILE_PATH).with_name(SENDING)
        if not marker.exists():
            marker.write_text(str(os.getpid()))
            time.sleep(PAUSE_SECONDS)
        return int(super().send_messages(email_messages))


class RefusingBackend:
    """A mail server that hangs up on every message."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def send_messages(self, email_messages: Any) -> int:
        import smtplib

        raise smtplib.SMTPServerDisconnected("the mail server hung up")
