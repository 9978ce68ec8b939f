"""An expert brought in on one issue, for a set time: what the invitation carries, and
what joining through it gives (permissions.scope decides what such an expert sees)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from config.errors import Invalid

from ..keys import row_key
from ..models import Invitation, Issue, Mediation, Participant, Role

# The longest an expert is invited for at once; the mediator extends it from People.
EXPERT_MINUTES_MAX = 24 * 60


@dataclass(frozen=True)
class ExpertScope:
    issue: Issue | None
    minutes: int | None


def expert_scope_clean(
    *, mediation: Mediation, role: str, issue_id: object, minutes: object
) -> ExpertScope:
    """The issue (of this mediation's board) and the minutes an invitation gives; only an
    expert's invitation carries them. Raises Invalid."""
    if issue_id is None and minutes is None:
        return ExpertScope(issue=None, minutes=None)
    if role != Role.EXPERT:
        field = "issue" if issue_id is not None else "minutes"
        raise Invalid(
            "Only an expert is brought in on one issue or for a set time.",
            details={field: ["Invite an expert for that."]},
        )
    issue = None
    if issue_id is not None:
        key = row_key(issue_id)
        issue = (
            None if key is None else Issue.objects.filter(pk=key, room__mediation=mediation).first()
        )
        if issue is None:
            raise Invalid("Unknown issue.", details={"issue": ["Choose an issue of this board."]})
    if minutes is not None and (
        not isinstance(minutes, int)
        or isinstance(minutes, bool)
        or not 1 <= minutes <= EXPERT_MINUTES_MAX
    ):
        raise Invalid(
            "For how long?",
            details={
                "minutes": [f"Give a whole number of minutes from 1 to {EXPERT_MINUTES_MAX}."]
            },
        )
    return ExpertScope(issue=issue, minutes=minutes if isinstance(minutes, int) else None)


def expert_scope_apply(*, invitation: Invitation, participant: Participant) -> None:
    """On joining through `invitation`: the expert's issue, and the end of their time
    counted from now. Must run in the redeeming transaction. A participant already in
    the mediation keeps their place as it is."""
    if participant.role != Role.EXPERT or participant.joined_at < invitation.created_at:
        return
    changes: dict[str, object] = {}
    if invitation.scope_issue_id is not None:
        changes["scope_issue_id"] = invitation.scope_issue_id
    if invitation.access_minutes is not None:
        changes["access_expires_at"] = timezone.now() + timedelta(minutes=invitation.access_minutes)
    if changes:
        Participant.objects.filter(pk=participant.pk).update(**changes)
        participant.refresh_from_db()
