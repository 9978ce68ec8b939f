"""Input fields that take JSON's own types only, as the OpenAPI schema and the socket
protocol say: a string for text, a whole number for an id or a count, true or false for a
flag, and an amount as a string of digits. DRF's own fields also take `12` for a text,
`"12"` or `12.0` for an integer and `"yes"` or `1` for a boolean; the schema does not
allow those, and a client that sends them has a bug it should hear about."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers


class _JSONTyped:
    json_types: tuple[type, ...] = ()

    def to_internal_value(self, data: Any) -> Any:
        # JSON's true and false are Python's bools, which are ints too.
        if not isinstance(data, self.json_types) or (
            isinstance(data, bool) and bool not in self.json_types
        ):
            self.fail("invalid")  # type: ignore[attr-defined]
        return super().to_internal_value(data)  # type: ignore[misc]


class CharField(_JSONTyped, serializers.CharField):
    json_types = (str,)


class EmailField(_JSONTyped, serializers.EmailField):
    json_types = (str,)


class IntegerField(_JSONTyped, serializers.IntegerField):
    json_types = (int,)


class BooleanField(_JSONTyped, serializers.BooleanField):
    json_types = (bool,)


class DecimalField(_JSONTyped, serializers.DecimalField):
    """An amount as the schema has it: a string ("1250.50"), never a float."""

    json_types = (str,)
