"""One shape for every REST error: `{"detail": "...", "code": "..."}`, plus, for bad
input, one list of messages per field."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from negotiation.errors import ServiceError


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
