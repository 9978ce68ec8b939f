"""What a client sends, read with bounds: text frames of at most MAX_FRAME_BYTES, JSON
nested at most config.json_input.MAX_DEPTH deep, objects with a `type`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from config import json_input

MAX_FRAME_BYTES = 64 * 1024
# Ids and counts a client may send: JavaScript's safe integers.
INT_MAX = 2**53 - 1


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str


@dataclass(frozen=True)
class Parsed:
    """A frame read: its content (None when refused), or why it was refused."""

    content: dict[str, Any] | None = None
    refusal: Refusal | None = None
    # The command id, when the frame has one: an error about it names it.
    frame_id: str | None = None


def precheck(text_data: str | None) -> Refusal | None:
    """A frame refused before it is read at all (and before it counts against the rate
    limit): binary, or too large."""
    if text_data is None:
        return Refusal("malformed", "Send JSON text frames, not binary ones.")
    if len(text_data.encode()) > MAX_FRAME_BYTES:
        return Refusal("too_large", f"A frame may hold at most {MAX_FRAME_BYTES // 1024} KB.")
    return None


def parse(text_data: str) -> Parsed:
    """Read a frame that passed `precheck`."""
    try:
        content = json_input.loads(text_data)
    except json_input.TooDeep as error:
        return Parsed(refusal=Refusal("malformed", str(error)))
    except json_input.MalformedJSON:
        return Parsed(refusal=Refusal("malformed", "That frame is not valid JSON."))
    frame_id = content.get("id") if isinstance(content, dict) else None
    frame_id = frame_id if isinstance(frame_id, str) else None
    if not isinstance(content, dict) or not isinstance(content.get("type"), str):
        return Parsed(
            refusal=Refusal("malformed", 'A frame is an object with a "type".'), frame_id=frame_id
        )
    if not content["type"].replace(".", "").isalpha():
        return Parsed(refusal=unknown_type(content["type"]), frame_id=frame_id)
    return Parsed(content=content, frame_id=frame_id)


def unknown_type(name: str) -> Refusal:
    return Refusal("unknown_type", f"Unknown frame type {name[:40]!r}.")


def small_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= INT_MAX


def error_frame(
    frame_id: str | None, code: str, message: str, details: Any = None
) -> dict[str, Any]:
    frame: dict[str, Any] = {"type": "error", "id": frame_id, "code": code, "message": message}
    if details is not None:
        frame["details"] = details
    return frame
