"""REST endpoints of the board's history: a room's snapshots, one snapshot's content,
what changed between two, an issue's own history, and the latest session summary.

Thin: access (permissions.lookups), read (negotiation.history), serialize. A caucus
room's snapshots answer only its members; everyone else gets the 404 of a thing that
does not exist.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.session import request_user
from config.errors import NotFound
from negotiation.history import issue_history, people_named, snapshot_data_for, snapshots_diff
from negotiation.models import CaucusRead, Participant, Snapshot
from negotiation.permissions import (
    access_issue,
    access_mediation,
    access_snapshot,
    access_summary,
    can_view_history,
    caucus_items_from,
    room_for,
)
from negotiation.serializers import SessionSummarySerializer, SnapshotSerializer
from negotiation.services.audit import caucus_reads_record

CHANGES_MAX = 2000


def _history_reader(request: Request, mediation_id: str) -> Participant:
    participant = access_mediation(request_user(request), mediation_id)
    if not can_view_history(participant):
        raise NotFound("No such mediation.")
    return participant


class SnapshotListApi(APIView):
    """The snapshots of a room the caller sees, newest first."""

    @extend_schema(operation_id="snapshots_list", responses=SnapshotSerializer(many=True))
    def get(self, request: Request, mediation_id: str, room_key: str) -> Response:
        participant = _history_reader(request, mediation_id)
        room = room_for(participant, room_key)
        if room is None:
            raise NotFound("No such room.")
        snapshots = Snapshot.objects.filter(room=room).select_related("room").order_by("-seq")
        return Response(SnapshotSerializer(snapshots[:500], many=True).data)


class SnapshotApi(APIView):
    """One snapshot with its content: the room as it stood at its seq."""

    @extend_schema(
        operation_id="snapshot_retrieve",
        responses=inline_serializer(
            "SnapshotContent",
            fields={"snapshot": SnapshotSerializer(), "data": serializers.DictField()},
        ),
    )
    def get(self, request: Request, mediation_id: str, snapshot_id: int) -> Response:
        participant = _history_reader(request, mediation_id)
        snapshot = access_snapshot(participant, snapshot_id)
        data = snapshot_data_for(snapshot, caucus_items_from(participant, snapshot.room))
        caucus_reads_record(participant=participant, rooms=[snapshot.room], via=CaucusRead.Via.REST)
        return Response({"snapshot": SnapshotSerializer(snapshot).data, "data": data})


class SnapshotChangesApi(APIView):
    """What changed in a room from one snapshot to another (either order: the earlier
    is the `before`)."""

    @extend_schema(
        operation_id="snapshot_changes",
        responses=inline_serializer(
            "SnapshotChanges",
            fields={
                "before": SnapshotSerializer(),
                "after": SnapshotSerializer(),
                "changes": serializers.ListField(child=serializers.DictField()),
            },
        ),
    )
    def get(self, request: Request, mediation_id: str, snapshot_id: int, other_id: int) -> Response:
        participant = _history_reader(request, mediation_id)
        first = access_snapshot(participant, snapshot_id)
        second = access_snapshot(participant, other_id)
        if first.room_id != second.room_id:
            raise NotFound("Those snapshots are of different rooms.")
        before, after = sorted((first, second), key=lambda s: s.seq)
        items_from = caucus_items_from(participant, first.room)
        changes = snapshots_diff(
            first.room.kind,
            snapshot_data_for(before, items_from),
            snapshot_data_for(after, items_from),
        )
        caucus_reads_record(participant=participant, rooms=[first.room], via=CaucusRead.Via.REST)
        return Response(
            {
                "before": SnapshotSerializer(before).data,
                "after": SnapshotSerializer(after).data,
                "changes": changes[:CHANGES_MAX],
            }
        )


class IssueHistoryApi(APIView):
    """An issue's history from the joint room's log: each change, who made it, when."""

    @extend_schema(
        operation_id="issue_history",
        responses=inline_serializer(
            "IssueHistory",
            fields={
                "issue": serializers.IntegerField(),
                "entries": serializers.ListField(child=serializers.DictField()),
            },
        ),
    )
    def get(self, request: Request, mediation_id: str, issue_id: int) -> Response:
        participant = _history_reader(request, mediation_id)
        issue = access_issue(participant, issue_id)
        entries = issue_history(issue)
        people = list(
            Participant.objects.filter(mediation_id=participant.mediation_id).select_related("user")
        )
        people_named(entries, people)
        return Response({"issue": issue.pk, "entries": entries})


class SessionSummaryApi(APIView):
    """The latest session summary (joint content only), as sent to everyone."""

    @extend_schema(operation_id="summary_retrieve", responses=SessionSummarySerializer)
    def get(self, request: Request, mediation_id: str) -> Response:
        participant = _history_reader(request, mediation_id)
        summary: Any = access_summary(participant)
        return Response(SessionSummarySerializer(summary).data)
