"""Commands of one's own notification centre."""

from __future__ import annotations

from rest_framework import serializers

from ..services import notifications
from . import fields as f
from .registry import command

command(
    "notifications.read",
    notifications.notifications_read,
    fields={"ids": f.ids()},
    answer=("read", serializers.IntegerField()),
    summary="Mark notifications read: these ids, or all.",
)
