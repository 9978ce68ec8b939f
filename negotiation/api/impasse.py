"""REST reads of the impasse tools: the mediators' impasses (causes, suggestions, what
was tried), and a participant's own perspective drafts. Writes are commands."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.session import request_user
from negotiation.impasse_reads import (
    ImpasseSerializer,
    PerspectiveDraftSerializer,
    drafts_of,
    impasses_of,
)
from negotiation.permissions import access_impasses, access_mediation


class ImpasseListApi(APIView):
    """Every impasse of the mediation, cleared ones too, with its causes, the strategies
    they suggest and the strategies tried with their outcomes. Mediators only: 404 for
    everyone else, as for a mediation that does not exist."""

    @extend_schema(operation_id="impasses_list", responses=ImpasseSerializer(many=True))
    def get(self, request: Request, mediation_id: str) -> Response:
        participant = access_impasses(request_user(request), mediation_id)
        return Response(impasses_of(participant.mediation_id))


class PerspectiveDraftListApi(APIView):
    """The caller's own perspective drafts (nobody else's, ever)."""

    @extend_schema(
        operation_id="perspective_drafts_list", responses=PerspectiveDraftSerializer(many=True)
    )
    def get(self, request: Request, mediation_id: str) -> Response:
        participant = access_mediation(request_user(request), mediation_id)
        return Response(drafts_of(participant))
