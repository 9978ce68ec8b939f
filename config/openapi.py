"""OpenAPI schema generation."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema as BaseAutoSchema


class AutoSchema(BaseAutoSchema):
    """Names a nested serializer after the API class it belongs to (`LoginApi.InputSerializer`
    becomes `LoginApiInput`), so one-class-per-operation input serializers do not collide."""

    def _get_serializer_name(self, serializer: Any, direction: str, *args: Any) -> str:
        name: str = super()._get_serializer_name(serializer, direction, *args)
        cls = serializer if isinstance(serializer, type) else type(serializer)
        outer = cls.__qualname__.rpartition(".")[0]
        if outer and not getattr(getattr(cls, "Meta", None), "ref_name", None):
            name = outer.replace(".", "") + name
        return name
