"""What every REST view of both apps shares: one shape for every error (`{"detail":
"...", "code": "..."}`, plus, for bad input, one list of messages per field), and the
input helper."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from rest_framework import exceptions, serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from config.errors import ServiceError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ServiceError):
        body: dict[str, Any] = {}
        if isinstance(exc.details, dict):
            body.update(exc.details)
        body.update(detail=exc.message, code=exc.code)
        return Response(body, status=exc.status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = response.data if isinstance(response.data, dict) else {"non_field": response.data}
        response.data = {
            **fields,
            "detail": "Some fields need attention.",
            "code": "invalid",
        }
    elif isinstance(exc, exceptions.APIException):
        detail = response.data.get("detail") if isinstance(response.data, dict) else None
        response.data = {"detail": str(detail or exc.detail), "code": exc.get_codes()}
        if not isinstance(response.data["code"], str):
            response.data["code"] = exc.default_code
    return response


def validated(serializer_class: type[serializers.Serializer[Any]], data: Any) -> dict[str, Any]:
    """`data` checked by an input serializer; bad input answers 400 naming each field."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class CsrfCheckedApi(APIView):
    """For endpoints open to signed-out callers that sign someone in: DRF checks CSRF only
    for signed-in sessions, and a forged sign-in is an attack too."""

    permission_classes = (AllowAny,)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            SessionAuthentication().enforce_csrf(request)
