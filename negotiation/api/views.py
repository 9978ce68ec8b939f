"""REST endpoints of the negotiation domain. Thin: parse, access, call a service, serialize."""

from __future__ import annotations

import uuid
from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.session import request_user
from config import json_fields
from config.errors import NotFound
from config.rest import validated
from negotiation.balance import mediation_balance
from negotiation.commands import Command, command_execute
from negotiation.models import CaucusRead, Mediation
from negotiation.permissions import (
    access_balance,
    access_mediation,
    active_members,
    active_participations,
    can_view_contact_details,
    room_for,
)
from negotiation.selectors import board_snapshot, room_snapshot_for
from negotiation.serializers import (
    IssueSerializer,
    MediationSerializer,
    ParticipantSerializer,
    ParticipantWithContactSerializer,
    SideSerializer,
)
from negotiation.services.audit import caucus_reads_record
from negotiation.services.mediations import mediation_create, side_add


class MediationListCreateApi(APIView):
    class InputSerializer(serializers.Serializer[Any]):
        title = json_fields.CharField(max_length=200)
        sides = serializers.ListField(
            child=json_fields.CharField(max_length=80), min_length=2, max_length=8
        )
        currency = json_fields.CharField(max_length=3, required=False)

    @extend_schema(operation_id="mediations_list", responses=MediationSerializer(many=True))
    def get(self, request: Request) -> Response:
        participations = {
            p.mediation_id: p
            for p in active_participations(request_user(request)).select_related("side")
        }
        mediations = Mediation.objects.filter(pk__in=participations).prefetch_related("sides")
        data = MediationSerializer(
            mediations, many=True, context={"participations": participations}
        ).data
        return Response(data)

    @extend_schema(
        operation_id="mediations_create",
        request=InputSerializer,
        responses={201: MediationSerializer},
    )
    def post(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request.data)
        mediation = mediation_create(
            creator=request_user(request),
            title=data["title"],
            side_names=data["sides"],
            currency=data.get("currency", "EUR"),
        )
        participant = access_mediation(request_user(request), mediation.pk)
        return Response(
            MediationSerializer(mediation, context={"participant": participant}).data,
            status=status.HTTP_201_CREATED,
        )


class MediationDetailApi(APIView):
    @extend_schema(operation_id="mediations_retrieve", responses=MediationSerializer)
    def get(self, request: Request, mediation_id: str) -> Response:
        participant = access_mediation(request_user(request), mediation_id)
        return Response(
            MediationSerializer(participant.mediation, context={"participant": participant}).data
        )


class SideAddApi(APIView):
    class InputSerializer(serializers.Serializer[Any]):
        name = json_fields.CharField(max_length=80)

    @extend_schema(
        operation_id="sides_create", request=InputSerializer, responses={201: SideSerializer}
    )
    def post(self, request: Request, mediation_id: str) -> Response:
        participant = access_mediation(request_user(request), mediation_id)
        data = validated(self.InputSerializer, request.data)
        side = side_add(actor=participant, name=data["name"])
        return Response(SideSerializer(side).data, status=status.HTTP_201_CREATED)


class ParticipantListApi(APIView):
    class OutputSerializer(ParticipantSerializer):
        """The schema of both answers: with `email` for those who may see contact details
        (the mediators), without for everyone else."""

        email = serializers.EmailField(
            required=False, help_text="Only for those who may see contact details."
        )

        class Meta(ParticipantSerializer.Meta):
            fields = (*ParticipantSerializer.Meta.fields, "email")

    @extend_schema(operation_id="participants_list", responses=OutputSerializer(many=True))
    def get(self, request: Request, mediation_id: str) -> Response:
        participant = access_mediation(request_user(request), mediation_id)
        # An expert whose time is up is gone now, before the sweep records it.
        participants = active_members(participant.mediation_id).select_related("user", "side")
        serializer_class = (
            ParticipantWithContactSerializer
            if can_view_contact_details(participant)
            else ParticipantSerializer
        )
        return Response(serializer_class(participants, many=True).data)


class BoardApi(APIView):
    @extend_schema(
        operation_id="board_retrieve",
        responses=inline_serializer(
            "Board",
            fields={
                "rooms": serializers.DictField(child=serializers.IntegerField()),
                "issues": IssueSerializer(many=True),
            },
        ),
    )
    def get(self, request: Request, mediation_id: str) -> Response:
        participant = access_mediation(request_user(request), mediation_id)
        return Response(board_snapshot(participant))


def command_api(command: Command) -> type[APIView]:
    """The REST mirror of one socket command: the same data, the same service, the same
    result. Send `Idempotency-Key` to make a retry safe (the socket's command id)."""

    class CommandApi(APIView):
        error_statuses = (409,)  # a stale version: the current object comes with it

        @extend_schema(
            operation_id=command.name.replace(".", "_"),
            summary=command.summary,
            request=command.input,
            responses=command.output,
            parameters=[
                OpenApiParameter(
                    "Idempotency-Key",
                    str,
                    OpenApiParameter.HEADER,
                    description="A client-generated id; a repeat returns the first result.",
                )
            ],
        )
        def post(self, request: Request, mediation_id: str) -> Response:
            participant = access_mediation(request_user(request), mediation_id)
            client_id = request.headers.get("Idempotency-Key") or f"rest:{uuid.uuid4()}"
            result = command_execute(
                actor=participant, client_id=client_id, name=command.name, data=request.data
            )
            return Response(result)

    CommandApi.__name__ = CommandApi.__qualname__ = (
        "".join(part.title() for part in command.name.split(".")) + "Api"
    )
    return CommandApi


class RoomApi(APIView):
    """A room's content and sequence number, as the socket's snapshot: `joint`, or
    `caucus:<side id>` for those who may see that caucus (404 for everyone else)."""

    @extend_schema(
        operation_id="room_retrieve",
        responses=inline_serializer(
            "RoomSnapshot",
            fields={
                "room": serializers.CharField(),
                "seq": serializers.IntegerField(),
                "data": serializers.DictField(),
            },
        ),
    )
    def get(self, request: Request, mediation_id: str, room_key: str) -> Response:
        participant = access_mediation(request_user(request), mediation_id)
        snapshot = room_snapshot_for(participant.pk, room_key)
        room = room_for(participant, room_key)
        if snapshot is None or room is None:
            raise NotFound("No such room.")
        caucus_reads_record(participant=participant, rooms=[room], via=CaucusRead.Via.REST)
        return Response({key: snapshot[key] for key in ("room", "seq", "data")})


class BalanceApi(APIView):
    """The mediator's balance view (negotiation.balance): per side, private time and
    sessions, proposals, acts in the joint room, break requests. Mediators only: 404 for
    everyone else, as for a mediation that does not exist."""

    class OutputSerializer(serializers.Serializer[Any]):
        class SideSerializer(serializers.Serializer[Any]):
            side = serializers.IntegerField()
            name = serializers.CharField()
            private_seconds = serializers.IntegerField()
            private_sessions = serializers.IntegerField()
            in_private_since = serializers.DateTimeField(allow_null=True)
            proposals = serializers.IntegerField()
            edits = serializers.IntegerField()
            last_acted_at = serializers.DateTimeField(allow_null=True)
            break_requests = serializers.IntegerField()

        class DocumentSerializer(serializers.Serializer[Any]):
            class PersonSerializer(serializers.Serializer[Any]):
                participant = serializers.IntegerField()
                name = serializers.CharField()
                role = serializers.CharField()
                side = serializers.IntegerField(allow_null=True)

            class OpenedSerializer(PersonSerializer):
                opened_at = serializers.DateTimeField()

            id = serializers.IntegerField()
            name = serializers.CharField()
            room = serializers.CharField()
            issue = serializers.IntegerField(allow_null=True)
            issue_title = serializers.CharField(allow_null=True)
            shared_at = serializers.DateTimeField()
            opened = OpenedSerializer(many=True)
            not_opened = PersonSerializer(many=True)

        now = serializers.DateTimeField()
        sides = SideSerializer(many=True)
        documents = DocumentSerializer(many=True)
        first_met = serializers.IntegerField(allow_null=True)
        last_met = serializers.IntegerField(allow_null=True)
        note = serializers.CharField(allow_null=True)

    @extend_schema(operation_id="balance_retrieve", responses=OutputSerializer)
    def get(self, request: Request, mediation_id: str) -> Response:
        participant = access_balance(request_user(request), mediation_id)
        balance = mediation_balance(mediation_id=participant.mediation_id)
        return Response(self.OutputSerializer(balance).data)
