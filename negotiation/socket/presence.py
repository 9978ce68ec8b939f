"""Presence of one connection: what it looks at and edits in each room (told to that room
only), and when it last told each, so that a heartbeat refreshes without repeating itself.
What the process heard of others' presence is kept once per room, in the hub (hub.py),
which also ages out those who stopped refreshing (their server process died).

Plain state; the consumer sends what these methods return."""

from __future__ import annotations

import hashlib
import math
import time
from typing import Any

from .frames import small_int

# Others' presence lasts this long past their last sign of life: a connection refreshes
# it with every ping (browsers ping every 15 s). A ping refreshes at most every TTL / 6,
# so a flood of pings is no flood of presence.
PRESENCE_TTL = 60.0


def connection_id(channel_name: str) -> str:
    """A connection, not a person: one person may have the board open twice."""
    return hashlib.sha256(channel_name.encode()).hexdigest()[:16]


def presences_frame(key: object, entries: list[dict[str, Any]]) -> dict[str, Any]:
    """Several presence frames of room `key` as one, in order (docs/protocol.md)."""
    return {"type": "presences", "room": key, "entries": entries}


class Presence:
    def __init__(self, *, channel_name: str, participant_id: int) -> None:
        self.connection = connection_id(channel_name)
        self.participant_id = participant_id
        self.mine: dict[str, dict[str, Any]] = {}
        self.announced_at: dict[str, float] = {}

    def frame(self, key: str, *, online: bool) -> dict[str, Any]:
        frame: dict[str, Any] = {
            "type": "presence",
            "room": key,
            "connection": self.connection,
            "participant": self.participant_id,
            "online": online,
        }
        if online:
            frame.update(self.mine.get(key, {"viewing": None, "editing": None}))
        return frame

    def announced(self, key: str) -> dict[str, Any]:
        """This connection's presence frame for `key`, noted as announced now."""
        self.announced_at[key] = time.monotonic()
        return self.frame(key, online=True)

    def update(self, key: str, viewing: object, editing: object) -> None:
        """What the client says it looks at and edits; anything malformed is nothing."""
        if viewing is not None and not small_int(viewing):
            viewing = None
        if (
            isinstance(editing, dict)
            and small_int(editing.get("issue"))
            and isinstance(editing.get("field"), str)
            and len(editing["field"]) <= 40
            # Told to others through the channel layer, which cannot encode a NUL's kin
            # (a lone surrogate) any more than a browser could show it.
            and editing["field"].isprintable()
        ):
            editing = {"issue": editing["issue"], "field": editing["field"]}
        else:
            editing = None
        self.mine[key] = {"viewing": viewing, "editing": editing}

    def due(self, keys: list[str]) -> list[str]:
        """The rooms whose presence a heartbeat should refresh now."""
        due = time.monotonic() - PRESENCE_TTL / 6
        return [key for key in keys if self.announced_at.get(key, -math.inf) <= due]
