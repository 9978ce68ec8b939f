"""Documents over REST: sharing one (multipart: its bytes cannot go over the socket,
which only announces it) and opening one. Thin: parse, call the service, answer.

A document's file is served only here, after the permissions module said the caller
may see its room: anyone else gets the same 404 as for a document that does not exist.
The answer is never cached by anything shared (`private, no-store`), never sniffed into
another type, and runs nothing: a picture or text is shown in a sandbox with no script,
a PDF under a policy that loads nothing else, everything else is a download.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote

from django.http import FileResponse, HttpResponseBase
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.session import request_user
from config.errors import NotFound
from negotiation import document_store
from negotiation.commands import client_id_check, run_once
from negotiation.document_serializers import DocumentSerializer
from negotiation.document_types import KINDS
from negotiation.permissions import access_mediation
from negotiation.services.documents import document_open, document_share, max_bytes

# Room for the multipart envelope and the other fields around the file itself.
ENVELOPE_BYTES = 64 * 1024
SANDBOXED = (
    "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox"
)
# Chromium's and Firefox's PDF viewers do not render in a sandboxed document: a PDF gets a
# policy that loads nothing but itself, with no framing.
PDF_POLICY = "default-src 'none'; object-src 'self'; frame-ancestors 'none'"


class DocumentShareApi(APIView):
    """Share a file with the joint room or one private room (`room`: "joint" or
    "caucus:<side>"), optionally on an issue. Multipart. 201 with the document; 400 naming
    `file` for none, an empty file, one too big or of a kind not taken; 413 for a body far
    over the limit (refused before it is read); 404 for a room or issue the caller may not
    see; 403 for a caller who may see the room but not share there. Send `Idempotency-Key`
    to make a retry safe, as for a command: a repeat returns the first document, and
    shares nothing again."""

    parser_classes = (MultiPartParser, FormParser)

    @extend_schema(
        operation_id="document_share",
        request={
            "multipart/form-data": inline_serializer(
                "DocumentShareInput",
                {
                    "file": serializers.FileField(),
                    "room": serializers.CharField(),
                    "issue": serializers.IntegerField(required=False),
                },
            )
        },
        responses={201: DocumentSerializer},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description="A client-generated id; a repeat returns the first document.",
            )
        ],
    )
    def post(self, request: Request, mediation_id: str) -> Response:
        participant = access_mediation(request_user(request), mediation_id)
        length = request.META.get("CONTENT_LENGTH") or "0"
        if length.isdigit() and int(length) > max_bytes() + ENVELOPE_BYTES:
            message = f"This file is over {max_bytes() // (1024 * 1024)} MB, the largest taken."
            return Response(
                {"file": [message], "detail": message, "code": "too_large"},
                status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )
        client_id = client_id_check(
            request.headers.get("Idempotency-Key") or f"rest:{uuid.uuid4()}"
        )
        issue: Any = request.data.get("issue") or None
        if isinstance(issue, str):
            issue = int(issue) if issue.isdigit() else issue

        def share() -> dict[str, Any]:
            document = document_share(
                actor=participant,
                room=request.data.get("room"),
                file=request.FILES.get("file"),
                issue_id=issue,
            )
            return dict(DocumentSerializer(document).data)

        shared = run_once(actor=participant, client_id=client_id, name="document.share", run=share)
        return Response(shared, status=status.HTTP_201_CREATED)


def _disposition(kind_inline: bool, name: str) -> str:
    ascii_name = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\' else "_" for ch in name)
    mode = "inline" if kind_inline else "attachment"
    return f"{mode}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


class DocumentFileApi(APIView):
    """A document's file, for someone who may see its room; the first opening by each
    person is recorded (a receipt the mediator sees). 404 for everyone else, and for a
    withdrawn document."""

    @extend_schema(
        operation_id="document_file",
        responses={
            (200, "application/octet-stream"): inline_serializer("DocumentFile", {}),
        },
    )
    def get(self, request: Request, mediation_id: str, document_id: int) -> HttpResponseBase:
        participant = access_mediation(request_user(request), mediation_id)
        document = document_open(actor=participant, document_id=document_id)
        kind = KINDS.get(document.kind)
        inline = bool(kind and kind.inline)
        content_type = document.content_type
        if content_type.startswith("text/"):
            content_type += "; charset=utf-8"
        try:
            handle = document_store.stored_path(document.stored_as).open("rb")
        except (OSError, ValueError):
            # Withdrawn a moment ago, its file erased: gone, like any other.
            raise NotFound("Not found.") from None
        response = FileResponse(handle, content_type=content_type)
        response["Content-Length"] = str(document.size)
        response["Content-Disposition"] = _disposition(inline, document.name)
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = PDF_POLICY if document.kind == "pdf" else SANDBOXED
        response["Cache-Control"] = "private, no-store"
        response["Cross-Origin-Resource-Policy"] = "same-origin"
        response["Referrer-Policy"] = "no-referrer"
        return response
