"""The session summary: what a session ended with, for everyone at the table.

Ending a session (services.session.session_end) snapshots every room and records a
summary to build from the joint room's snapshot; a task builds it (what was agreed, in
the words every side accepted and who agreed for each side; what is parked, why, and its
way back; what is still open; when the next session is) and tells every participant
with a `session_summary` notification. It holds joint content only.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from ..models import Lane, Notification, Participant, SessionSummary, Side
from ..permissions import active_members
from .notifications import notify


def summary_of(
    board: dict[str, Any], sides: dict[int, str], people: dict[int, str]
) -> dict[str, Any]:
    """The summary's content from a joint room snapshot's `data`."""
    issues = sorted(
        board.get("issues", []), key=lambda i: (i.get("lane", ""), i.get("order", 0), i["id"])
    )

    def agreed(issue: dict[str, Any]) -> dict[str, Any]:
        decision = next(
            (
                d
                for d in reversed(issue.get("decisions", []))
                if d.get("kind") == "agree" and d.get("status") == "done"
            ),
            None,
        )
        return {
            "id": issue["id"],
            "title": issue["title"],
            "terms": (decision or {}).get("terms", ""),
            "agreed_by": [
                {
                    "side": sides.get(c["side"], ""),
                    "by": people.get(c.get("given_by") or 0, ""),
                    "at": c.get("given_at"),
                }
                for c in (decision or {}).get("consents", [])
            ],
        }

    mediation = board.get("mediation", {})
    return {
        "stage": mediation.get("stage"),
        "next_session_at": mediation.get("next_session_at"),
        "agreed": [agreed(i) for i in issues if i.get("lane") == Lane.AGREED],
        "parked": [
            {
                "id": i["id"],
                "title": i["title"],
                "reason": i.get("parked_reason", ""),
                "until": i.get("parked_until"),
                "condition": i.get("parked_condition", ""),
            }
            for i in issues
            if i.get("lane") == Lane.PARKED
        ],
        "open": [
            {
                "id": i["id"],
                "title": i["title"],
                "lane": i.get("lane"),
                "open_proposals": sum(p.get("status") == "open" for p in i.get("proposals", [])),
            }
            for i in issues
            if i.get("lane") in (Lane.AGENDA, Lane.DISCUSSING)
        ],
    }


def summary_build_send(*, summary_id: int) -> bool:
    """Build a recorded summary and tell everyone at the table, once: a task delivered
    twice finds it built and does nothing. Returns whether it built it."""
    with transaction.atomic():
        summary = (
            SessionSummary.objects.select_for_update()
            .select_related("snapshot", "mediation")
            .filter(pk=summary_id)
            .first()
        )
        if summary is None or summary.built_at is not None:
            return False
        mediation_id = summary.mediation_id
        sides = dict(Side.objects.filter(mediation_id=mediation_id).values_list("pk", "name"))
        people = {
            p.pk: p.user.display_name or "Someone"
            for p in Participant.objects.filter(mediation_id=mediation_id).select_related("user")
        }
        summary.data = {
            **summary_of(summary.snapshot.data, sides, people),
            "title": summary.mediation.title,
            "ended_at": summary.created_at.isoformat(),
        }
        summary.built_at = timezone.now()
        summary.save(update_fields=["data", "built_at"])
        notify(
            participants=active_members(mediation_id),
            kind=Notification.Kind.SESSION_SUMMARY,
            room=summary.snapshot.room,
        )
    return True
