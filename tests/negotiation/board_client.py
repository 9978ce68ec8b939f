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


class BoardClient:
    def __init__(self) -> None:
        self.seq = 0
        self.issues: dict[int, dict[str, Any]] = {}

    def apply(self, frame: dict[str, Any]) -> None:
        if frame["type"] == "snapshot":
            self.seq = frame["seq"]
            self.issues = {issue["id"]: copy.deepcopy(issue) for issue in frame["data"]["issues"]}
            return
        if frame["seq"] <= self.seq:
            return  # a duplicate: replay and live delivery overlap
        if frame["seq"] != self.seq + 1:
            raise Gap(self.seq)
        self._event(frame["name"], copy.deepcopy(frame["data"]))
        self.seq = frame["seq"]

    def _event(self, name: str, data: dict[str, Any]) -> None:
        kind, _, _ = name.partition(".")
        if name == "issue.created":
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


def normalised(issues: Any) -> list[dict[str, Any]]:
    """Issues and everything on them sorted by id, so two boards compare equal when they
    hold the same things whatever order they were listed in."""

    def sort(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: sort(item) for key, item in value.items()}
        if isinstance(value, list):
            items = [sort(item) for item in value]
            if all(isinstance(item, dict) and "id" in item for item in items):
                items.sort(key=lambda item: item["id"])
            return items
        return value

    issue_list = list(issues.values()) if isinstance(issues, dict) else list(issues)
    result: list[dict[str, Any]] = sort(issue_list)
    return result
