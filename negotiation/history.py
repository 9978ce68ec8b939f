"""Reading the board's history: what changed between two snapshots of a room, and one
issue's own history from the joint room's log (who changed what, when).

Pure reads. What a caller may see is decided before these run (permissions.lookups
`access_snapshot`, `access_issue`): a caucus snapshot reaches only its room's members,
and an issue's history is read from the joint room's log alone.
"""

from __future__ import annotations

import copy
from typing import Any

from django.db.models import Q, QuerySet

from .models import Event, Issue, Lane, Participant, Proposal, Room, Snapshot

Change = dict[str, Any]

# The issue's own fields a change is told of (its lane is told as a move).
ISSUE_FIELDS = ("title", "description")
PARK_FIELDS = ("parked_reason", "parked_until", "parked_condition")
# What hangs on an issue, by the name of its list, and the words a change of it is told in.
ITEM_LISTS = {"interests": "interest", "options": "option", "criteria": "criterion"}
# A caucus room's lists, by name, and what one item of each is called.
CAUCUS_LISTS = {
    "messages": "message",
    "notes": "note",
    "worksheets": "worksheet",
    "releases": "release",
    "openings": "opening",
    "documents": "document",
}
# Fields that change with every write and say nothing of what changed.
NOISE = frozenset({"version", "updated_at", "order", "parked_due_told_at"})


def snapshot_data_for(snapshot: Snapshot, items_from: int | None) -> dict[str, Any]:
    """A snapshot's content as `items_from` (permissions.caucus_items_from) allows: a
    caucus room's items from that id on, for an expert who reads it only from then."""
    if items_from is None:
        return snapshot.data
    return {
        key: [item for item in items if item.get("id", 0) >= items_from]
        if isinstance(items, list)
        else items
        for key, items in snapshot.data.items()
    }


def snapshots_diff(room_kind: str, before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    """What changed from one snapshot's content to another's, in the order of the
    board: for the joint room, issues added, edited, moved, parked (with its reason and
    way back), agreed, struck; positions, interests, options, criteria, proposals and
    their responses, comments; released statements and the stage. For a caucus room,
    its items added and changed."""
    if room_kind == Room.Kind.CAUCUS:
        return _caucus_diff(before, after)
    changes: list[Change] = []
    stage_before = (before.get("mediation") or {}).get("stage")
    stage_after = (after.get("mediation") or {}).get("stage")
    if stage_before != stage_after:
        changes.append({"what": "stage.changed", "before": stage_before, "after": stage_after})
    old = {issue["id"]: issue for issue in before.get("issues", [])}
    for issue in sorted(after.get("issues", []), key=lambda i: i["id"]):
        changes.extend(issue_diff(old.get(issue["id"]), issue))
    seen = {statement["id"] for statement in before.get("statements", [])}
    for statement in after.get("statements", []):
        if statement["id"] not in seen:
            changes.append(
                {
                    "what": "statement.released",
                    "issue": statement.get("issue"),
                    "text": statement.get("text", ""),
                }
            )
    return changes


def issue_diff(before: dict[str, Any] | None, after: dict[str, Any]) -> list[Change]:
    """The changes of one issue card and what hangs on it (`before` None: it is new)."""
    issue_id = after["id"]
    title = after.get("title", "")

    def change(what: str, **more: Any) -> Change:
        return {"what": what, "issue": issue_id, "title": title, **more}

    if before is None:
        changes = [change("issue.added", lane=after.get("lane"))]
        before = {
            "lane": after.get("lane"),
            "title": title,
            "description": after.get("description", ""),
        }
        if after.get("description"):
            changes.append(
                change("issue.edited", field="description", before="", after=after["description"])
            )
    else:
        changes = [
            change("issue.edited", field=name, before=before.get(name), after=after.get(name))
            for name in ISSUE_FIELDS
            if before.get(name) != after.get(name)
        ]
    lane_before, lane_after = before.get("lane"), after.get("lane")
    parking = {name: after.get(name) for name in PARK_FIELDS}
    if lane_before != lane_after and lane_before is not None:
        if lane_after == Lane.PARKED:
            changes.append(change("issue.parked", before=lane_before, **parking))
        elif lane_after == Lane.AGREED:
            changes.append(change("issue.agreed", before=lane_before))
        elif lane_after == Lane.STRUCK:
            changes.append(change("issue.struck", before=lane_before))
        else:
            changes.append(change("issue.moved", before=lane_before, after=lane_after))
    elif lane_after == Lane.PARKED and any(before.get(n) != parking[n] for n in PARK_FIELDS):
        changes.append(change("issue.parked", before=lane_before, **parking))
    changes.extend(_positions_diff(before, after, change))
    for key, kind in ITEM_LISTS.items():
        changes.extend(_items_diff(before.get(key, []), after.get(key, []), kind, change))
    changes.extend(_proposals_diff(before.get("proposals", []), after.get("proposals", []), change))
    seen = {comment["id"] for comment in before.get("comments", [])}
    changes.extend(
        change("comment.added", body=comment.get("body", ""), author=comment.get("author"))
        for comment in after.get("comments", [])
        if comment["id"] not in seen
    )
    return changes


def _positions_diff(before: dict[str, Any], after: dict[str, Any], change: Any) -> list[Change]:
    old = {p["side"]: p.get("text", "") for p in before.get("positions", [])}
    return [
        change("position.set", side=p["side"], before=old.get(p["side"]), after=p.get("text", ""))
        for p in after.get("positions", [])
        if old.get(p["side"]) != p.get("text", "")
    ]


def _items_diff(
    before: list[dict[str, Any]], after: list[dict[str, Any]], kind: str, change: Any
) -> list[Change]:
    old = {item["id"]: item for item in before}
    changes: list[Change] = []
    for item in after:
        was = old.get(item["id"])
        side = {"side": item["side"]} if "side" in item else {}
        if was is None:
            changes.append(change(f"{kind}.added", text=item.get("text", ""), **side))
            if item.get("struck"):
                changes.append(change(f"{kind}.struck", text=item.get("text", ""), **side))
            continue
        if was.get("text") != item.get("text"):
            changes.append(
                change(f"{kind}.edited", before=was.get("text"), after=item.get("text"), **side)
            )
        if bool(was.get("struck")) != bool(item.get("struck")):
            what = f"{kind}.struck" if item.get("struck") else f"{kind}.restored"
            changes.append(change(what, text=item.get("text", ""), **side))
    return changes


def _proposals_diff(
    before: list[dict[str, Any]], after: list[dict[str, Any]], change: Any
) -> list[Change]:
    old = {proposal["id"]: proposal for proposal in before}
    changes: list[Change] = []
    for proposal in after:
        was = old.get(proposal["id"])
        if was is None:
            changes.append(
                change(
                    "proposal.added",
                    proposal=proposal["id"],
                    side=proposal.get("side"),
                    terms=proposal.get("terms", ""),
                    amount=proposal.get("amount"),
                )
            )
        elif was.get("status") != proposal.get("status"):
            changes.append(
                change(
                    f"proposal.{proposal.get('status')}",
                    proposal=proposal["id"],
                    side=proposal.get("side"),
                    terms=proposal.get("terms", ""),
                )
            )
        answers = {r["side"]: r.get("answer") for r in (was or {}).get("responses", [])}
        changes.extend(
            change(
                "response.set",
                proposal=proposal["id"],
                side=response["side"],
                before=answers.get(response["side"]),
                after=response.get("answer"),
                note=response.get("note", ""),
            )
            for response in proposal.get("responses", [])
            if answers.get(response["side"]) != response.get("answer")
        )
    return changes


def _caucus_diff(before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    changes: list[Change] = []
    for key, kind in CAUCUS_LISTS.items():
        old = {item["id"]: item for item in before.get(key, [])}
        for item in after.get(key, []):
            was = old.get(item["id"])
            if was is None:
                changes.append({"what": f"{kind}.added", "id": item["id"], "item": item})
            elif _meaningful(was) != _meaningful(item):
                fields = sorted(
                    name
                    for name in set(was) | set(item)
                    if name not in NOISE and was.get(name) != item.get(name)
                )
                changes.append(
                    {"what": f"{kind}.changed", "id": item["id"], "fields": fields, "item": item}
                )
    return changes


def _meaningful(item: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in item.items() if key not in NOISE}


# --- an issue's own history -------------------------------------------------------------


def issue_history(issue: Issue) -> list[dict[str, Any]]:
    """Every change of an issue, oldest first, from the joint room's log: its seq and
    time, who made it (participant id) and what changed (as in `snapshots_diff`).

    The log holds full payloads, so the card is rebuilt event by event and each state is
    compared with the one before it."""
    card: dict[str, Any] | None = None
    entries: list[dict[str, Any]] = []
    for event in issue_events(issue):
        before = copy.deepcopy(card)
        card = issue_apply(card, event.name, event.data)
        if card is None:
            continue
        changes = issue_diff(before, card)
        if changes:
            entries.append(
                {
                    "seq": event.seq,
                    "at": event.created_at,
                    "event": event.name,
                    "actor": event.actor_id,
                    "changes": changes,
                }
            )
    return entries


def issue_events(issue: Issue) -> QuerySet[Event]:
    """The joint room's events about one issue, in order: the card's own, what hangs on
    it (by its `issue` field), and the responses to its proposals."""
    proposals = list(Proposal.objects.filter(issue=issue).values_list("pk", flat=True))
    about = (
        Q(data__id=issue.pk, name__startswith="issue.")
        | Q(data__issue__id=issue.pk, name="issue.moved")
        | Q(data__issue=issue.pk)
        | Q(name="response.set", data__proposal__in=proposals)
    )
    return (
        Event.objects.filter(room_id=issue.room_id)
        .filter(about)
        .order_by("seq")
        .only("seq", "name", "data", "actor_id", "created_at")
    )


NESTED = {
    "position": "positions",
    "interest": "interests",
    "option": "options",
    "criterion": "criteria",
    "comment": "comments",
    "proposal": "proposals",
}


def issue_apply(
    card: dict[str, Any] | None, name: str, data: dict[str, Any]
) -> dict[str, Any] | None:
    """One joint-room event applied to one issue card, as a client applies it
    (docs/protocol.md)."""
    if name == "issue.created":
        return copy.deepcopy(data)
    if card is None:
        return None
    kind = name.partition(".")[0]
    if name == "issue.updated":
        card.update(data)
    elif name == "issue.moved":
        card.update(data["issue"])
    elif name == "response.set":
        for proposal in card.get("proposals", []):
            if proposal["id"] == data.get("proposal"):
                _upsert(proposal.setdefault("responses", []), data)
    elif kind in NESTED:
        _upsert(card.setdefault(NESTED[kind], []), data)
    return card


def _upsert(items: list[dict[str, Any]], item: dict[str, Any]) -> None:
    for index, existing in enumerate(items):
        if existing["id"] == item["id"]:
            items[index] = copy.deepcopy(item)
            return
    items.append(copy.deepcopy(item))


def people_named(entries: list[dict[str, Any]], participants: list[Participant]) -> None:
    """Put each entry's actor's name, role and side beside the id."""
    by_id = {p.pk: p for p in participants}
    for entry in entries:
        who = by_id.get(entry["actor"])
        entry["actor_name"] = (who.user.display_name if who else "") or "Someone"
        entry["actor_role"] = who.role if who else None
        entry["actor_side"] = who.side_id if who else None
