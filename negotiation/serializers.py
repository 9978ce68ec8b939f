"""Payloads: one serializer per thing, used by REST answers and event frames alike."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from .models import Mediation, Participant, Side


class SideSerializer(serializers.ModelSerializer[Side]):
    class Meta:
        model = Side
        fields = ("id", "name")


class ParticipantSerializer(serializers.ModelSerializer[Participant]):
    """What every participant of the mediation may know about another."""

    name = serializers.CharField(source="user.display_name", read_only=True)
    side = SideSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Participant
        fields: tuple[str, ...] = ("id", "name", "role", "side")


class ParticipantWithContactSerializer(ParticipantSerializer):
    """For those who may see contact details (the mediators)."""

    email = serializers.EmailField(source="user.email", read_only=True)

    class Meta(ParticipantSerializer.Meta):
        fields = (*ParticipantSerializer.Meta.fields, "email")


class MediationSerializer(serializers.ModelSerializer[Mediation]):
    """A mediation as seen by one participant (`context["participant"]` or, for lists,
    `context["participations"]`: mediation id → participant)."""

    stage_display = serializers.CharField(source="get_stage_display", read_only=True)
    sides = SideSerializer(many=True, read_only=True)
    my_role = serializers.SerializerMethodField()
    my_side = serializers.SerializerMethodField()

    class Meta:
        model = Mediation
        fields = (
            "id",
            "title",
            "stage",
            "stage_display",
            "status",
            "confidentiality_rule",
            "my_role",
            "my_side",
            "sides",
            "created_at",
        )

    def _participant(self, mediation: Mediation) -> Participant | None:
        if "participant" in self.context:
            participant: Participant = self.context["participant"]
            return participant
        participations: dict[Any, Participant] = self.context.get("participations", {})
        return participations.get(mediation.pk)

    def get_my_role(self, mediation: Mediation) -> str | None:
        participant = self._participant(mediation)
        return participant.role if participant else None

    def get_my_side(self, mediation: Mediation) -> dict[str, Any] | None:
        participant = self._participant(mediation)
        if participant is None or participant.side is None:
            return None
        return SideSerializer(participant.side).data


def participant_payload(participant: Participant) -> dict[str, Any]:
    return dict(ParticipantSerializer(participant).data)


def side_payload(side: Side) -> dict[str, Any]:
    return dict(SideSerializer(side).data)
