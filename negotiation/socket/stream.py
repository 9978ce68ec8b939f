"""One room's events as one connection forwards them: strictly in sequence order, each at
most once, stopping at the event that revokes this participant's access, and with events
about caucus items the participant may not see replaced by `withheld` ones.

Plain state, testable without Channels: the consumer asks what to do with each frame."""

from __future__ import annotations

from enum import Enum
from typing import Any

from ..models import Room
from ..permissions import caucus_frame_for


class Next(Enum):
    FORWARD = "forward"  # the next one: send it
    DUPLICATE = "duplicate"  # already sent (a live copy of something replayed)
    GAP = "gap"  # earlier ones are late or lost: read them from the log first


def revokes(frame: dict[str, Any], participant_id: int) -> bool:
    """Whether `frame` is the marker of this participant losing access to its room."""
    data = frame.get("data")
    return (
        frame.get("name") == "access.revoked"
        and isinstance(data, dict)
        and data.get("participant") == participant_id
    )


def until_revoked(frames: list[dict[str, Any]], participant_id: int) -> list[dict[str, Any]]:
    """The frames before the one that revokes this participant, if any."""
    for index, frame in enumerate(frames):
        if revokes(frame, participant_id):
            return frames[:index]
    return frames


class RoomStream:
    def __init__(
        self,
        room: Room,
        *,
        seq: int,
        items_from: int | None,
        viewer: int,
        scope: int | None = None,
    ) -> None:
        self.room = room
        self.seq = seq
        # The first caucus item this participant may see (permissions.caucus_items_from).
        self.items_from = items_from
        # Whose stream this is: someone else's own notes are withheld from it.
        self.viewer = viewer
        # The one issue an expert was brought in on (permissions.issue_scope), or None.
        self.scope = scope

    @property
    def key(self) -> str:
        return self.room.key

    def next(self, seq: int) -> Next:
        if seq <= self.seq:
            return Next.DUPLICATE
        return Next.FORWARD if seq == self.seq + 1 else Next.GAP

    def shown(self, frame: dict[str, Any]) -> dict[str, Any]:
        """The frame as this participant may receive it, its seq now forwarded."""
        self.seq = frame["seq"]
        return caucus_frame_for(self.items_from, frame, viewer=self.viewer, scope=self.scope)

    def caught_up(self, seq: int) -> None:
        """A replay brought the client to `seq`: live copies up to it are duplicates."""
        self.seq = max(self.seq, seq)
