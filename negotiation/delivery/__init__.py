"""The channels a notice travels on beyond the in-app centre: e-mail, SMS and web push,
behind one interface (`Channel`). Each channel's transport is a backend named in the
settings, so the embedded mode and the tests use local ones (the console, a log, a
folder) and production a real provider, with no other change.

A channel is handed only fixed texts (`Notification.text`) and a link: it never sees what
was said in a private room, nor a proposal's terms."""

from __future__ import annotations

from .base import Channel, Message, Undeliverable
from .email import EmailChannel
from .push import PushChannel
from .sms import SmsChannel

CHANNELS: dict[str, Channel] = {
    channel.name: channel for channel in (EmailChannel(), SmsChannel(), PushChannel())
}

__all__ = ["CHANNELS", "Channel", "Message", "Undeliverable"]
