"""Primary keys for the rows a caucus makes, which say nothing about any other room.

A table-wide sequence would: the gap between two of a party's own message ids would count
what was written meanwhile in the other side's caucus (DESIGN §3: nobody infers caucus
activity from gaps). These ids are the creation time in milliseconds followed by random
bits, so they still sort by time, fit in a JavaScript number (53 bits), and depend on
nothing outside their own row.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar

from django.db import IntegrityError, models, transaction

EPOCH_MS = 1_767_225_600_000  # 2026-01-01T00:00:00Z; 41 bits of milliseconds last 69 years
RANDOM_BITS = 12
ATTEMPTS = 5

T = TypeVar("T", bound="TimeIdModel")


def _now_ms() -> int:
    return max(0, int(time.time() * 1000) - EPOCH_MS)


def time_id() -> int:
    return (_now_ms() << RANDOM_BITS) | secrets.randbits(RANDOM_BITS)


def time_id_at(moment: datetime) -> int:
    """The smallest time id of a row created at `moment` or later."""
    return max(0, int(moment.timestamp() * 1000) - EPOCH_MS) << RANDOM_BITS


def time_ids(count: int) -> list[int]:
    """`count` distinct ids of one millisecond, for rows created together."""
    ms = _now_ms()
    return [(ms << RANDOM_BITS) | r for r in secrets.SystemRandom().sample(range(1 << 12), count)]


class TimeIdModel(models.Model):
    """A model whose id is a `time_id`. Two processes may draw the same id in the same
    millisecond (one chance in 4,096): the insert is then retried with a fresh one."""

    id = models.BigIntegerField(primary_key=True, default=time_id, editable=False)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            super().save(*args, **kwargs)
            return
        for attempt in range(ATTEMPTS):
            try:
                # A savepoint, so a clash leaves the surrounding transaction usable.
                with transaction.atomic(using=kwargs.get("using")):
                    super().save(*args, **kwargs)
                return
            except IntegrityError:
                if attempt == ATTEMPTS - 1 or not self._id_taken():
                    raise
                self.pk = time_id()

    def _id_taken(self) -> bool:
        return type(self)._default_manager.filter(pk=self.pk).exists()

    @classmethod
    def bulk_create_with_ids(cls: type[T], rows: Sequence[T]) -> list[T]:
        """bulk_create, drawing the rows' ids together (distinct among themselves) and
        again if another process took one of them."""
        for attempt in range(ATTEMPTS):
            for row, pk in zip(rows, time_ids(len(rows)), strict=True):
                row.pk = pk
            try:
                with transaction.atomic():
                    return cls._default_manager.bulk_create(rows)
            except IntegrityError:
                taken = cls._default_manager.filter(pk__in=[row.pk for row in rows]).exists()
                if attempt == ATTEMPTS - 1 or not taken:
                    raise
        raise AssertionError("unreachable")
