"""REST endpoints of the negotiation domain. Thin: parse, access, call a service, serialize."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.session import request_user
from negotiation.models import Mediation, Participant
from negotiation.permissions import (
    access_mediation,
    active_participations,
    can_view_contact_details,
)
from negotiation.serializers import (
    MediationSerializer,
    ParticipantSerializer,
    ParticipantWithContactSerializer,
    SideSerializer,
)
from negotiation.services.mediations import mediation_create, side_add


def validated(serializer_class: type[serializers.Serializer[Any]], data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class MediationListCreateApi(APIView):
    class InputSerializer(serializers.Serializer[Any]):
        title = serializers.CharField(max_length=200)
        sides = serializers.ListField(
            child=serializers.CharField(max_length=80), min_length=2, max_length=8
        )

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
        name = serializers.CharField(max_length=80)

    @extend_schema(
        operation_id="sides_create", request=InputSerializer, responses={201: SideSerializer}
    )
    def post(self, request: Request, mediation_id: str) -> Response:
        participant = access_mediation(request_user(request), mediation_id)
        data = validated(self.InputSerializer, request.data)
        side = side_add(actor=participant, name=data["name"])
        return Response(SideSerializer(side).data, status=status.HTTP_201_CREATED)


class ParticipantListApi(APIView):
    @extend_schema(
        operation_id="participants_list", responses=ParticipantWithContactSerializer(many=True)
    )
    def get(self, request: Request, mediation_id: str) -> Response:
        participant = access_mediation(request_user(request), mediation_id)
        participants = Participant.objects.filter(
            mediation_id=participant.mediation_id, removed_at__isnull=True
        ).select_related("user", "side")
        serializer_class = (
            ParticipantWithContactSerializer
            if can_view_contact_details(participant)
            else ParticipantSerializer
        )
        return Response(serializer_class(participants, many=True).data)
