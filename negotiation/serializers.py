"""Payloads: one serializer per thing, used by REST answers and event frames alike."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from rest_framework import serializers

from .models import (
    CaucusMessage,
    CaucusNote,
    CaucusSession,
    Comment,
    Consent,
    Criterion,
    Decision,
    Interest,
    Issue,
    Mediation,
    Notification,
    OpeningStatement,
    Option,
    Participant,
    Position,
    Proposal,
    RealityCheck,
    ReleaseRequest,
    Response,
    SessionSummary,
    SharedStatement,
    Side,
    Snapshot,
)
from .permissions.rights import rights_of


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
        fields: tuple[str, ...] = ("id", "name", "role", "side", "rule_acknowledged")


class ParticipantWithContactSerializer(ParticipantSerializer):
    """For those who may see contact details (the mediators)."""

    email = serializers.EmailField(source="user.email", read_only=True)

    class Meta(ParticipantSerializer.Meta):
        # An expert's invited time and the one issue they were brought in on, for the
        # mediator's controls of it.
        fields = (*ParticipantSerializer.Meta.fields, "email", "access_expires_at", "scope_issue")


class MediationSerializer(serializers.ModelSerializer[Mediation]):
    """A mediation as seen by one participant (`context["participant"]` or, for lists,
    `context["participations"]`: mediation id → participant)."""

    stage_display = serializers.CharField(source="get_stage_display", read_only=True)
    sides = SideSerializer(many=True, read_only=True)
    my_role = serializers.SerializerMethodField()
    my_side = serializers.SerializerMethodField()
    my_rights = serializers.SerializerMethodField(
        help_text="What the participant may do now (see docs/protocol.md, rights); only on "
        "one mediation's own payload."
    )

    class Meta:
        model = Mediation
        fields = (
            "id",
            "title",
            "currency",
            "stage",
            "stage_display",
            "status",
            "closed_at",
            "on_break",
            "break_ends_at",
            "break_message",
            "joint_paused",
            "confidentiality_rule",
            "my_role",
            "my_side",
            "my_rights",
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

    def get_my_rights(self, mediation: Mediation) -> dict[str, Any] | None:
        participant = self.context.get("participant")
        return None if participant is None else rights_of(participant)


# The payloads made while a command runs: (instance, serializer, data), in order.
_made: ContextVar[list[tuple[object, type[Any], dict[str, Any]]] | None] = ContextVar(
    "payloads_made", default=None
)


def payload(
    instance: Any, serializer_class: type[serializers.BaseSerializer[Any]]
) -> dict[str, Any]:
    """`instance` as `serializer_class` shows it. While a command runs, what is made is
    kept, so that the command's answer reuses the event's payload of the object it
    returns instead of serializing it again (see `payload_made`)."""
    data = dict(_template(serializer_class).to_representation(instance))
    made = _made.get()
    if made is not None:
        made.append((instance, serializer_class, data))
    return data


# One instance of each serializer `payload` uses, its fields built: a ModelSerializer
# builds its fields anew for every instance, which costs more than the reading itself.
# Shared by every thread: `payload` passes no context and no instance to it, and reading
# through built fields changes nothing in them.
_templates: dict[type[Any], serializers.BaseSerializer[Any]] = {}


def _template(serializer_class: type[serializers.BaseSerializer[Any]]) -> Any:
    template = _templates.get(serializer_class)
    if template is None:
        template = serializer_class()
        if isinstance(template, serializers.Serializer):
            template.fields  # noqa: B018 (built now, before another thread shares it)
        _templates[serializer_class] = template
    return template


@contextmanager
def payloads_kept() -> Iterator[list[tuple[object, type[Any], dict[str, Any]]]]:
    made: list[tuple[object, type[Any], dict[str, Any]]] = []
    token = _made.set(made)
    try:
        yield made
    finally:
        _made.reset(token)


def payload_made(
    made: list[tuple[object, type[Any], dict[str, Any]]],
    instance: object,
    serializer_class: type[Any],
) -> dict[str, Any] | None:
    """The last payload made of this very instance with this serializer, if any: the
    service records its event after its last write, so that payload is the answer."""
    for seen, cls, data in reversed(made):
        if seen is instance and cls is serializer_class:
            return data
    return None


def participant_payload(participant: Participant) -> dict[str, Any]:
    return payload(participant, ParticipantSerializer)


def side_payload(side: Side) -> dict[str, Any]:
    return payload(side, SideSerializer)


# --- the board -----------------------------------------------------------------------


class PositionSerializer(serializers.ModelSerializer[Position]):
    class Meta:
        model = Position
        fields = ("id", "issue", "side", "text", "version", "updated_at")


class InterestSerializer(serializers.ModelSerializer[Interest]):
    class Meta:
        model = Interest
        fields = ("id", "issue", "side", "text", "struck", "version", "created_by", "created_at")


class OptionSerializer(serializers.ModelSerializer[Option]):
    class Meta:
        model = Option
        fields = ("id", "issue", "text", "struck", "version", "created_by", "created_at")


class CriterionSerializer(serializers.ModelSerializer[Criterion]):
    class Meta:
        model = Criterion
        fields = (
            "id",
            "issue",
            "text",
            "source",
            "struck",
            "version",
            "created_by",
            "created_at",
        )


class ResponseSerializer(serializers.ModelSerializer[Response]):
    # The issue it is on: what an expert brought in on one issue is let see.
    issue = serializers.IntegerField(source="proposal.issue_id", read_only=True)

    class Meta:
        model = Response
        fields = (
            "id",
            "proposal",
            "issue",
            "side",
            "answer",
            "note",
            "counter",
            "responded_by",
            "responded_at",
            "version",
        )


class ProposalSerializer(serializers.ModelSerializer[Proposal]):
    responses = ResponseSerializer(many=True, read_only=True)

    class Meta:
        model = Proposal
        fields = (
            "id",
            "issue",
            "side",
            "terms",
            "amount",
            "counter_to",
            "status",
            "created_by",
            "created_at",
            "version",
            "responses",
        )


class CommentSerializer(serializers.ModelSerializer[Comment]):
    class Meta:
        model = Comment
        fields = ("id", "issue", "body", "author", "created_at")


class ConsentSerializer(serializers.ModelSerializer[Consent]):
    class Meta:
        model = Consent
        fields = ("side", "given_by", "given_at")


class DecisionSerializer(serializers.ModelSerializer[Decision]):
    """A decision that takes every side (to agree or strike an issue), with each
    side's yes: who gave it and when."""

    consents = ConsentSerializer(many=True, read_only=True)

    class Meta:
        model = Decision
        fields = (
            "id",
            "kind",
            "status",
            "terms",
            "proposal",
            "asked_by",
            "created_at",
            "decided_by",
            "decided_at",
            "closed_by",
            "closed_at",
            "version",
            "consents",
        )


class IssueCoreSerializer(serializers.ModelSerializer[Issue]):
    """An issue card without the content that hangs on it: for updates and moves. Its
    decisions (agreed, struck, and those waiting for every side) are part of the card."""

    decisions = DecisionSerializer(many=True, read_only=True)

    class Meta:
        model = Issue
        fields: tuple[str, ...] = (
            "id",
            "title",
            "description",
            "lane",
            "order",
            "parked_reason",
            "parked_until",
            "parked_condition",
            "parked_from_lane",
            "parked_due_told_at",
            "documents_required",
            "impasse_since",
            "decisions",
            "version",
            "created_by",
            "created_at",
            "updated_at",
        )


class IssueSerializer(IssueCoreSerializer):
    """An issue card with everything on it, as in the board snapshot."""

    positions = PositionSerializer(many=True, read_only=True)
    interests = InterestSerializer(many=True, read_only=True)
    options = OptionSerializer(many=True, read_only=True)
    criteria = CriterionSerializer(many=True, read_only=True)
    proposals = ProposalSerializer(many=True, read_only=True)
    comments = CommentSerializer(many=True, read_only=True)

    class Meta(IssueCoreSerializer.Meta):
        fields = (
            *IssueCoreSerializer.Meta.fields,
            "positions",
            "interests",
            "options",
            "criteria",
            "proposals",
            "comments",
        )


# --- caucus rooms and what they release -----------------------------------------------


class CaucusSessionSerializer(serializers.ModelSerializer[CaucusSession]):
    """Public: everyone at the table sees that the mediator meets a side privately."""

    class Meta:
        model = CaucusSession
        fields = ("id", "side", "status", "called_at", "opened_at", "closed_at")


class CaucusMessageSerializer(serializers.ModelSerializer[CaucusMessage]):
    class Meta:
        model = CaucusMessage
        fields = ("id", "author", "body", "confidential", "marked_by", "rule", "created_at")


class CaucusNoteSerializer(serializers.ModelSerializer[CaucusNote]):
    class Meta:
        model = CaucusNote
        fields = (
            "id",
            "issue",
            "kind",
            "visibility",
            "text",
            "confidential",
            "marked_by",
            "rule",
            "author",
            "version",
            "created_at",
            "updated_at",
        )


class RealityCheckSerializer(serializers.ModelSerializer[RealityCheck]):
    class Meta:
        model = RealityCheck
        fields = (
            "id",
            "issue",
            "best_alternative",
            "worst_alternative",
            "likely_court_outcome",
            "court_cost",
            "court_months",
            "confidence",
            "range_low",
            "range_high",
            "overlap",
            "overlap_checked_at",
            "updated_by",
            "version",
            "updated_at",
        )


class ReleaseRequestSerializer(serializers.ModelSerializer[ReleaseRequest]):
    class Meta:
        model = ReleaseRequest
        fields = (
            "id",
            "issue",
            "message",
            "note",
            "text",
            "drafted_by",
            "status",
            "mode",
            "attribution",
            "released_text",
            "answered_by",
            "answered_at",
            "version",
            "created_at",
        )


class SharedStatementSerializer(serializers.ModelSerializer[SharedStatement]):
    class Meta:
        model = SharedStatement
        fields = ("id", "issue", "text", "attribution", "side", "created_at")


class OpeningStatementSerializer(serializers.ModelSerializer[OpeningStatement]):
    class Meta:
        model = OpeningStatement
        fields = ("id", "side", "text", "ready", "version", "updated_by", "updated_at")


class MediationStateSerializer(serializers.ModelSerializer[Mediation]):
    """The session's state everyone at the table shares."""

    class Meta:
        model = Mediation
        fields = (
            "id",
            "currency",
            "stage",
            "on_break",
            "break_ends_at",
            "break_message",
            "announcement",
            "announced_at",
            "openings_shown_at",
            "next_session_at",
            "session_ended_at",
            "joint_paused",
            "paused_for_absence",
            "confidentiality_rule",
            "status",
            "closed_at",
            "next_session_at",
        )


class NotificationSerializer(serializers.ModelSerializer[Notification]):
    text = serializers.CharField(read_only=True)
    room = serializers.CharField(source="room_key", read_only=True)

    class Meta:
        model = Notification
        fields = ("id", "kind", "text", "room", "issue", "created_at", "read_at")


# --- the board's history --------------------------------------------------------------


class SnapshotSerializer(serializers.ModelSerializer[Snapshot]):
    """A snapshot as listed: which room, at which seq, why and when; not its content."""

    room = serializers.SerializerMethodField()

    class Meta:
        model = Snapshot
        fields = ("id", "room", "seq", "reason", "taken_by", "created_at")

    def get_room(self, snapshot: Snapshot) -> str:
        return snapshot.room.key


class SessionSummarySerializer(serializers.ModelSerializer[SessionSummary]):
    class Meta:
        model = SessionSummary
        fields = ("id", "snapshot", "data", "ended_by", "created_at", "built_at")
