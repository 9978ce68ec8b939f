"""One interface for every channel."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from accounts.models import NotificationSettings

    from ..models import Participant


class Undeliverable(Exception):
    """The channel can never deliver to this person as things stand (no address, a
    subscription the push service says is gone): retrying will not help."""


@dataclass(frozen=True)
class Message:
    """What a channel sends: fixed texts, newest last, and where to go.

    `key` is the same for every attempt at the same batch of notices, so a receiver that
    sees one twice (an e-mail's Message-ID, a push's tag) can tell it is the same notice."""

    texts: tuple[str, ...]
    link: str
    mediation_title: str
    key: str

    @property
    def headline(self) -> str:
        if len(self.texts) == 1:
            return self.texts[0]
        return f"{len(self.texts)} new notices in Parley"

    @property
    def body(self) -> str:
        lines = self.texts if len(self.texts) == 1 else tuple(f"\u2022 {t}" for t in self.texts)
        return "\n".join(lines)


class Channel(Protocol):
    name: str

    def available(self) -> bool:
        """Whether this installation can send on the channel at all."""

    def wanted(self, settings: NotificationSettings) -> bool:
        """Whether the person chose this channel."""

    def send(self, *, participant: Participant, message: Message) -> None:
        """Send or raise: Undeliverable when retrying cannot help, anything else when it
        may (the task retries with backoff)."""


@cache
def transport(path: str) -> Any:
    """The transport a setting names (a dotted path to a class), made once per process."""
    return import_string(path)()
