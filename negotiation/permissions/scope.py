"""What an expert brought in on one issue may see (`Participant.scope_issue`): of the
rooms they see, only what is about that issue: its card and what hangs on it, the
worksheets and notes about it in their side's private room, its perspective rounds; and
the session's own state (stage, break, caucuses, people). Everything else in those rooms
reaches them as `withheld` (socket) or is left out (snapshots, the board); the board's
history and other issues are not found (lookups, predicates.can_view_history)."""

from __future__ import annotations

from typing import Any

from ..models import Participant, Role

# Events about the session, not about any issue: an issue-scoped expert gets them.
SESSION_EVENTS = frozenset(
    {
        "mediation.updated",
        "caucus.updated",
        "participant.joined",
        "participant.updated",
        "access.revoked",
        "side.added",
    }
)


def issue_scope(participant: Participant) -> int | None:
    """The one issue an expert was brought in on, or None (they see what their rooms hold)."""
    return participant.scope_issue_id if participant.role == Role.EXPERT else None


def _frame_issue(name: str, data: dict[str, Any]) -> object:
    if name in ("issue.created", "issue.updated"):
        return data.get("id")
    if name == "issue.moved":
        card = data.get("issue")
        return card.get("id") if isinstance(card, dict) else None
    return data.get("issue")


def scoped_frame(scope: int | None, frame: dict[str, Any]) -> dict[str, Any]:
    """An event frame as an expert scoped to issue `scope` may receive it: session events
    and events about that issue; anything else as `withheld` (same seq). The new order of
    other issues' cards is left out of a move."""
    if scope is None:
        return frame
    name = frame.get("name")
    data = frame.get("data")
    if not isinstance(name, str) or not isinstance(data, dict) or name == "withheld":
        return frame
    if name in SESSION_EVENTS:
        return frame
    if _frame_issue(name, data) != scope:
        return {**frame, "name": "withheld", "data": {}}
    if name == "issue.moved" and isinstance(data.get("orders"), dict):
        orders = {k: v for k, v in data["orders"].items() if str(k) == str(scope)}
        return {**frame, "data": {**data, "orders": orders}}
    return frame


def _about(items: object, scope: int, key: str = "issue") -> list[Any]:
    if not isinstance(items, list):
        return []
    return [item for item in items if isinstance(item, dict) and item.get(key) == scope]


def scoped_snapshot_data(scope: int | None, data: dict[str, Any]) -> dict[str, Any]:
    """A room's snapshot data as an expert scoped to issue `scope` may read it: the issue
    and what is about it; no caucus messages, no opening statements."""
    if scope is None:
        return data
    scoped = dict(data)
    for key in (
        "statements", "notes", "worksheets", "releases", "perspectives", "documents",
        "information",
    ):  # fmt: skip
        if key in scoped:
            scoped[key] = _about(scoped[key], scope)
    if "issues" in scoped:
        scoped["issues"] = _about(scoped["issues"], scope, key="id")
    for key in ("messages", "openings"):
        if key in scoped:
            scoped[key] = []
    return scoped
