"""An e-mail backend that takes its time, as an SMTP server does, so a test can kill the
worker in the middle of a send: it marks the folder when a send begins, and the message
file appears only once the send is done (a send cut off leaves none)."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.core.mail.backends.filebased import EmailBackend as FileBackend

SECONDS = float(os.environ.get("PARLEY_TEST_MAIL_SECONDS", "1"))


class EmailBackend(FileBackend):
    def send_messages(self, email_messages: Sequence[Any]) -> int:
        folder = Path(str(getattr(self, "file_path", "")))
        (folder / f"sending-{uuid.uuid4().hex}").touch()
        time.sleep(SECONDS)
        return int(super().send_messages(email_messages))
