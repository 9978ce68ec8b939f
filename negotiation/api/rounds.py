"""REST reads of the rounds on an issue that are not everyone's: a side's own sealed
submissions before the reveal (the rounds themselves are in the board snapshot)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.session import request_user
from negotiation.permissions import access_mediation
from negotiation.round_serializers import SealedOwnSerializer
from negotiation.services.sealed import sealed_own_for


class SealedOwnApi(APIView):
    """The caller's side's own sealed submissions to rounds still waiting: for its party
    and attorney; empty for everyone else (the mediator included)."""

    @extend_schema(operation_id="sealed_own_list", responses=SealedOwnSerializer(many=True))
    def get(self, request: Request, mediation_id: str) -> Response:
        participant = access_mediation(request_user(request), mediation_id)
        return Response(sealed_own_for(participant))
