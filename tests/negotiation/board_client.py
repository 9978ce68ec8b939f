"""A reference client for the joint room, written from docs/protocol.md: it applies
snapshot and event frames the way a browser must, so tests can check that the events a
client receives are enough to stay exactly in step with the server."""

from __future__ import annotations

import copy
from typing import Any

NESTED = {
    "position": "positions",
    "interest": "interests",
    "option": "options",
    "criterion": "criteria",
    "comment": "comments",
}


class Gap(Exception):
    """The frame is ahead of what the client has: it must sync from `last_seq`."""


# Joint-room events about people and access: nothing to apply to the board's content.
NOT_CONTENT = {"participant.joined", "participant.updated", "side.added", "access.revoked"}
# Events that carry the whole of one thing of a snapshot list: the list they go to.
WHOLE = {
    "document.shared": "documents",
    "document.updated": "documents",
    "perspective.updated": "perspectives",
    "brainstorm.started": "brainstorms",
    "brainstorm.ended": "brainstorms",
    "sealed.asked": "sealed",
    "sealed.revealed": "sealed",
    "sealed.cancelled": "sealed",
}
LISTS = ("statements", "openings", "caucuses", "documents", "perspectives", "brainstorms", "sealed")


class BoardClient:
    def __init__(self) -> None:
        self.seq = 0
        self.issues: dict[int, dict[str, Any]] = {}
        self.lists: dict[str, list[dict[str, Any]]] = {key: [] for key in LISTS}
        self.mediation: dict[str, Any] = {}

    @property
    def data(self) -> dict[str, Any]:
        """What the client holds, in the shape of the joint room's snapshot `data`."""
        return {"mediation": self.mediation, "issues": list(self.issues.values()), **self.lists}

    def apply(self, frame: dict[str, Any]) -> None:
        if frame["type"] == "snapshot":
            data = copy.deepcopy(frame["data"])
            self.seq = frame["seq"]
            self.issues = {issue["id"]: issue for issue in data["issues"]}
            self.lists = {key: data[key] for key in LISTS}
            self.mediation = data["mediation"]
            return
        if frame["seq"] <= self.seq:
            return  # a duplicate: replay and live delivery overlap
        if frame["seq"] != self.seq + 1:
            raise Gap(self.seq)
        self._event(frame["name"], copy.deepcopy(frame["data"]))
        self.seq = frame["seq"]

    def _event(self, name: str, data: dict[str, Any]) -> None:
        kind, _, _ = name.partition(".")
        if name in NOT_CONTENT:
            return
        if name == "mediation.updated":
            self.mediation = data
        elif name == "caucus.updated":
            _upsert(self.lists["caucuses"], data)
        elif name == "statement.released":
            _upsert(self.lists["statements"], data)
        elif name == "openings.shown":
            self.lists["openings"] = data["openings"]
        elif name == "opening.saved":
            _upsert(self.lists["openings"], data)
        elif name in WHOLE:
            _upsert(self.lists[WHOLE[name]], data)
        elif name == "document.withdrawn":
            # A snapshot lists only the documents still shared.
            self.lists["documents"] = [d for d in self.lists["documents"] if d["id"] != data["id"]]
        elif name == "issue.created":
            self.issues[data["id"]] = data
        elif name == "issue.updated":
            self.issues[data["id"]].update(data)
        elif name == "issue.moved":
            self.issues[data["issue"]["id"]].update(data["issue"])
            for issue_id, order in data["orders"].items():
                self.issues[int(issue_id)]["order"] = order
        elif kind in NESTED:
            _upsert(self.issues[data["issue"]][NESTED[kind]], data)
        elif kind == "proposal":
            _upsert(self.issues[data["issue"]]["proposals"], data)
        elif name == "response.set":
            for issue in self.issues.values():
                for proposal in issue["proposals"]:
                    if proposal["id"] == data["proposal"]:
                        _upsert(proposal["responses"], data)
        else:
            raise AssertionError(f"the client does not know {name}")


def _upsert(items: list[dict[str, Any]], item: dict[str, Any]) -> None:
    for index, existing in enumerate(items):
        if existing["id"] == item["id"]:
            items[index] = item
            return
    items.append(item)


def normalised(issues: Any) -> Any:
    """Lists of things with ids sorted by id, so two boards compare equal when they hold
    the same things whatever order they were listed in."""

    def sort(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: sort(item) for key, item in value.items()}
        if isinstance(value, list):
            items = [sort(item) for item in value]
            if all(isinstance(item, dict) and "id" in item for item in items):
                items.sort(key=lambda item: item["id"])
            return items
        return value

    return sort(issues)
