"""Input fields of commands: types and shapes only. Each text field's limit is its
model's, checked by the service (which names it in the error), so there is one limit
per field, in one place. Types are JSON's own (config/json_fields.py): `"12"` is no id."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from config import json_fields

# The largest id or count a client may send: every id fits in JavaScript's safe integers,
# and anything larger is refused as input instead of overflowing a database column.
INT_MAX = 2**53 - 1


def id_(*, required: bool = True) -> serializers.IntegerField:
    return json_fields.IntegerField(min_value=1, max_value=INT_MAX, required=required)


def side() -> serializers.IntegerField:
    """A caucus room, by its side: parties, attorneys and experts may leave it out."""
    return json_fields.IntegerField(min_value=1, max_value=INT_MAX, required=False, allow_null=True)


def version() -> serializers.IntegerField:
    return json_fields.IntegerField(min_value=0, max_value=INT_MAX)


def index() -> serializers.IntegerField:
    return json_fields.IntegerField(min_value=0, max_value=INT_MAX, required=False, allow_null=True)


def text(*, required: bool = True) -> serializers.CharField:
    return json_fields.CharField(required=required, allow_blank=not required, trim_whitespace=False)


class OptionalText(json_fields.CharField):
    """Text that may be left out or blank, which both mean "none" to the service."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, allow_blank=True, allow_null=True,
                         trim_whitespace=False, **kwargs)  # fmt: skip

    def to_internal_value(self, data: Any) -> Any:
        value = super().to_internal_value(data)
        return value or None


def when() -> serializers.DateTimeField:
    """A date and time in ISO 8601 (a time without an offset is taken as UTC); null
    clears it where the service allows."""
    return serializers.DateTimeField(required=False, allow_null=True)


def choice() -> serializers.CharField:
    """One of a service's choices (a lane, a decision, a rule): the service names them."""
    return json_fields.CharField(max_length=64)


def optional_choice() -> serializers.CharField:
    return json_fields.CharField(max_length=64, required=False)


def flag(*, required: bool = False) -> serializers.BooleanField:
    return json_fields.BooleanField(required=required)


def amount() -> serializers.DecimalField:
    return json_fields.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True
    )


def count(top: int) -> serializers.IntegerField:
    return json_fields.IntegerField(min_value=0, max_value=top, required=False, allow_null=True)


def ids() -> serializers.ListField:
    return serializers.ListField(child=id_(), required=False, max_length=1000)


def minutes() -> serializers.IntegerField:
    return json_fields.IntegerField(min_value=1, max_value=120)
