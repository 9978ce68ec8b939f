"""Exports: a mediation's audit log of caucus reads (for its mediator, JSON or CSV), and
a person's own data (everything they wrote, JSON)."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.session import request_user
from config.errors import NotAllowed
from negotiation.exports import AUDIT_COLUMNS, audit_log, personal_data
from negotiation.models import CaucusRead
from negotiation.permissions import access_mediation, can_export_audit
from negotiation.services.audit import caucus_reads_record

# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class AuditCsvRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        out = io.StringIO()
        if not isinstance(data, list):
            # An error: its message as the only cell.
            data = [{"at": str(data.get("detail", "")) if isinstance(data, dict) else ""}]
        writer = csv.DictWriter(out, fieldnames=AUDIT_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for row in data:
            writer.writerow({key: _cell(value) for key, value in row.items()})
        return out.getvalue().encode()


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


AUDIT_ROW = inline_serializer(
    "CaucusRead",
    fields={
        "at": serializers.DateTimeField(),
        "reader": serializers.CharField(),
        "email": serializers.EmailField(),
        "role": serializers.CharField(),
        "room": serializers.CharField(),
        "side": serializers.CharField(allow_null=True),
        "via": serializers.ChoiceField(choices=CaucusRead.Via.choices),
    },
    many=True,
)


class AuditLogApi(APIView):
    """Every read of the mediation's caucus rooms by a mediator: who, which room, when,
    how (a socket joining the room, a catch-up, a REST read, an export). Never what was
    read. For the mediator; `?format=csv` (or `Accept: text/csv`) for a spreadsheet."""

    renderer_classes = (JSONRenderer, AuditCsvRenderer)

    @extend_schema(
        operation_id="audit_log_retrieve",
        responses={200: AUDIT_ROW},
        parameters=[OpenApiParameter("format", str, enum=["json", "csv"])],
    )
    def get(self, request: Request, mediation_id: str) -> Response:
        participant = access_mediation(request_user(request), mediation_id)
        if not can_export_audit(participant):
            raise NotAllowed("Only the mediator exports the audit log.")
        response = Response(audit_log(participant.mediation_id))
        extension = "csv" if request.accepted_renderer.format == "csv" else "json"
        response["Content-Disposition"] = (
            f'attachment; filename="parley-audit-{participant.mediation_id}.{extension}"'
        )
        return response


class PersonalDataApi(APIView):
    """Everything the signed-in person wrote, in every mediation they took part in: their
    account, their places, what they wrote on the board and in their own side's caucus
    room, and their notifications. Nothing anyone else wrote."""

    @extend_schema(
        operation_id="personal_data_retrieve",
        responses=inline_serializer(
            "PersonalData",
            fields={
                "account": serializers.DictField(),
                "participations": serializers.ListField(child=serializers.DictField()),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        data, rooms_read = personal_data(request_user(request))
        for place, rooms in rooms_read:
            # A mediator's own words in a side's room are that room's content too.
            caucus_reads_record(participant=place, rooms=rooms, via=CaucusRead.Via.EXPORT)
        response = Response(data)
        response["Content-Disposition"] = 'attachment; filename="parley-my-data.json"'
        return response
