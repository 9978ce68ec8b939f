"""Reads and payloads of the impasse tools.

Two audiences, two shapes:
- the perspective round (PerspectiveRoundSerializer) is joint-room content: it is in the
  joint room's events and snapshot, for everyone at the table;
- an impasse with its causes, the strategies it suggests and those tried
  (ImpasseSerializer) is for the mediators alone (permissions.can_view_impasse): it is
  sent only to their own connections and answered only to them, never put in a room.
"""

from __future__ import annotations

import uuid
from typing import Any

from rest_framework import serializers

from .models import (
    Cause,
    Impasse,
    Participant,
    PerspectiveDraft,
    PerspectiveRound,
    PerspectiveStatement,
    Room,
    Strategy,
    StrategyAttempt,
)

# Which strategies fit which cause, best first. The practice behind it: a breakdown of
# communication or a misunderstanding is met by each side saying back the other's view
# (active listening); distrust by standards neither side controls and a neutral
# professional; a power imbalance by an advisor who brings the weaker side up to speed
# and by testing each side's alternatives; unrealistic expectations by a reality check
# against what court would bring and by objective criteria; emotions by time away from
# the table. Alternatives loosen any of them once the sides hear each other.
STRATEGIES_FOR: dict[str, tuple[str, ...]] = {
    Cause.COMMUNICATION_BREAKDOWN: (Strategy.PERSPECTIVE, Strategy.BREAK, Strategy.ALTERNATIVES),
    Cause.LACK_OF_TRUST: (Strategy.CRITERIA, Strategy.PROFESSIONAL, Strategy.PERSPECTIVE),
    Cause.MISUNDERSTANDING: (Strategy.PERSPECTIVE, Strategy.CRITERIA, Strategy.PROFESSIONAL),
    Cause.POWER_IMBALANCE: (Strategy.PROFESSIONAL, Strategy.REALITY_CHECK, Strategy.CRITERIA),
    Cause.UNREALISTIC_EXPECTATIONS: (
        Strategy.REALITY_CHECK,
        Strategy.CRITERIA,
        Strategy.PROFESSIONAL,
    ),
    Cause.EMOTIONAL_BARRIERS: (Strategy.BREAK, Strategy.PARK, Strategy.PERSPECTIVE),
}
STRATEGY_ORDER = tuple(Strategy.values)


def strategies_for(causes: list[str]) -> list[str]:
    """The strategies that fit `causes`, best first: each cause gives its first fit 3
    points, its second 2, its third 1; ties follow the causes' own order, then the
    strategies' order. Strategies no cause calls for follow, so every tool stays at hand
    (`suggested` tells them apart)."""
    score: dict[str, int] = {}
    first_seen: dict[str, int] = {}
    for cause in causes:
        for rank, kind in enumerate(STRATEGIES_FOR.get(cause, ())):
            score[kind] = score.get(kind, 0) + 3 - rank
            first_seen.setdefault(kind, len(first_seen))
    return sorted(score, key=lambda kind: (-score[kind], first_seen[kind]))


class PerspectiveStatementSerializer(serializers.ModelSerializer[PerspectiveStatement]):
    class Meta:
        model = PerspectiveStatement
        fields = (
            "id",
            "writer_side",
            "about_side",
            "turn",
            "text",
            "written_by",
            "written_at",
            "answer",
            "correction",
            "answered_by",
            "answered_at",
        )


class PerspectiveRoundSerializer(serializers.ModelSerializer[PerspectiveRound]):
    """A perspective round as the joint room sees it: the submitted statements and their
    answers, never a draft."""

    sides = serializers.SerializerMethodField()
    statements = PerspectiveStatementSerializer(many=True, read_only=True)

    class Meta:
        model = PerspectiveRound
        fields = ("id", "issue", "status", "sides", "started_at", "ended_at", "version",
                  "statements")  # fmt: skip

    def get_sides(self, perspective: PerspectiveRound) -> list[int]:
        return [perspective.side_a_id, perspective.side_b_id]


class PerspectiveDraftSerializer(serializers.ModelSerializer[PerspectiveDraft]):
    class Meta:
        model = PerspectiveDraft
        fields = ("id", "round", "text", "updated_at")


class StrategyAttemptSerializer(serializers.ModelSerializer[StrategyAttempt]):
    perspective = serializers.SerializerMethodField()
    expert = serializers.SerializerMethodField()

    class Meta:
        model = StrategyAttempt
        fields = (
            "id",
            "kind",
            "side",
            "invitation",
            "expert",
            "perspective",
            "started_by",
            "started_at",
            "ended_by",
            "ended_at",
            "outcome",
            "note",
        )

    def get_perspective(self, attempt: StrategyAttempt) -> int | None:
        round_ = PerspectiveRound.objects.filter(attempt=attempt).values_list("pk", flat=True)
        return round_.first()

    def get_expert(self, attempt: StrategyAttempt) -> int | None:
        """The expert who joined through the attempt's invitation, once they have."""
        invitation = attempt.invitation
        if invitation is None or invitation.redeemed_by_id is None:
            return None
        found = Participant.objects.filter(
            mediation_id=invitation.mediation_id, user_id=invitation.redeemed_by_id
        ).values_list("pk", flat=True)
        return found.first()


class ImpasseSerializer(serializers.ModelSerializer[Impasse]):
    """An impasse for the mediators: its causes, the strategies they suggest (best
    first), and the strategies tried, oldest first."""

    suggestions = serializers.SerializerMethodField()
    attempts = StrategyAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = Impasse
        fields = (
            "id",
            "issue",
            "causes",
            "note",
            "suggestions",
            "started_by",
            "started_at",
            "cleared_by",
            "cleared_at",
            "version",
            "attempts",
        )

    def get_suggestions(self, impasse: Impasse) -> list[str]:
        return strategies_for(list(impasse.causes))


def impasse_payload(impasse: Impasse) -> dict[str, Any]:
    """An impasse as its mediators read it (only ever sent or answered to them)."""
    return dict(ImpasseSerializer(impasse).data)


def perspective_payload(perspective: PerspectiveRound) -> dict[str, Any]:
    return dict(PerspectiveRoundSerializer(perspective).data)


def perspective_rounds(room: Room) -> list[dict[str, Any]]:
    """Every perspective round on the joint room's issues, for its snapshot."""
    rounds = (
        PerspectiveRound.objects.filter(issue__room=room)
        .order_by("started_at", "id")
        .prefetch_related("statements")
    )
    return list(PerspectiveRoundSerializer(rounds, many=True).data)


def impasses_of(mediation_id: uuid.UUID | str) -> list[dict[str, Any]]:
    """Every impasse of a mediation, cleared ones too (the history of what was tried),
    oldest first. For the mediators only: the caller has checked can_view_impasse."""
    impasses = (
        Impasse.objects.filter(issue__room__mediation_id=mediation_id)
        .order_by("started_at", "id")
        .prefetch_related("attempts__invitation")
    )
    return list(ImpasseSerializer(impasses, many=True).data)


def drafts_of(participant: Participant) -> list[dict[str, Any]]:
    """The participant's own perspective drafts: read by their author alone."""
    drafts = PerspectiveDraft.objects.filter(author=participant).order_by("id")
    return list(PerspectiveDraftSerializer(drafts, many=True).data)
