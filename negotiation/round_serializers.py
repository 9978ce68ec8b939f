"""Payloads of the brainstorm and sealed rounds (models/rounds.py).

A sealed round's public payload names no side's submission, and not whether one has
come in, until it is revealed: `submissions` is empty before. A side's own submission
(`SealedOwnSerializer`) goes only to that side (permissions.sealed_readers)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from .models import BrainstormRound, SealedRound, SealedSubmission


class BrainstormRoundSerializer(serializers.ModelSerializer[BrainstormRound]):
    class Meta:
        model = BrainstormRound
        fields = ("id", "issue", "status", "started_at", "ended_at")


class SealedRevealedSerializer(serializers.ModelSerializer[SealedSubmission]):
    class Meta:
        model = SealedSubmission
        fields = ("side", "amount", "text")


class SealedRoundSerializer(serializers.ModelSerializer[SealedRound]):
    submissions = serializers.SerializerMethodField()

    class Meta:
        model = SealedRound
        fields = ("id", "issue", "asks", "prompt", "status", "asked_at", "closed_at", "submissions")

    def get_submissions(self, sealed: SealedRound) -> list[dict[str, Any]]:
        if sealed.status != SealedRound.Status.REVEALED:
            return []
        rows = sealed.submissions.select_related("side").order_by("side__order", "side_id")
        return list(SealedRevealedSerializer(rows, many=True).data)


class SealedOwnSerializer(serializers.ModelSerializer[SealedSubmission]):
    """A side's own sealed submission, for that side before the reveal."""

    class Meta:
        model = SealedSubmission
        fields = ("round", "side", "amount", "text", "version")
