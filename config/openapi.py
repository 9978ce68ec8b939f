"""OpenAPI schema generation."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from rest_framework import serializers
from rest_framework.permissions import AllowAny


class ErrorSerializer(serializers.Serializer[Any]):
    """Every error of the API (config/rest.py): bad input adds one list of messages per
    field, a conflict the `current` object."""

    detail = serializers.CharField()
    code = serializers.CharField()

    class Meta:
        ref_name = "Error"


class AutoSchema(BaseAutoSchema):
    """Names a nested serializer after the API class it belongs to (`LoginApi.InputSerializer`
    becomes `LoginApiInput`), so one-class-per-operation input serializers do not collide;
    and lists the errors each operation can answer with, so a client (and the schema's
    fuzz test) knows every status it may get."""

    def _get_serializer_name(self, serializer: Any, direction: str, *args: Any) -> str:
        name: str = super()._get_serializer_name(serializer, direction, *args)
        cls = serializer if isinstance(serializer, type) else type(serializer)
        outer = cls.__qualname__.rpartition(".")[0]
        if outer and not getattr(getattr(cls, "Meta", None), "ref_name", None):
            name = outer.replace(".", "") + name
        return name

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        for status in sorted(self.error_statuses()):
            responses.setdefault(
                str(status), self._get_response_for_code(ErrorSerializer, str(status))
            )
        return responses

    def error_statuses(self) -> set[int]:
        """400 for bad input, 403 when signed out, refused or without a CSRF token, 404
        for what the caller may not see or what does not exist (named in the path or the
        body), 429 when throttled, and what a view adds (`error_statuses`: 409 for a
        stale write, 410 for a spent invitation)."""
        takes_input = self.method in ("POST", "PUT", "PATCH") and (
            self.get_request_serializer() is not None
        )
        statuses = set(getattr(self.view, "error_statuses", ()))
        if takes_input:
            statuses.add(400)
        open_to_all = any(isinstance(p, AllowAny) for p in self.view.get_permissions())
        if self.method not in ("GET", "HEAD") or not open_to_all:
            statuses.add(403)
        if takes_input or "{" in self.path:
            statuses.add(404)
        if getattr(self.view, "throttle_classes", ()):
            statuses.add(429)
        return statuses
