"""The ids of caucus rows count nothing: a party's own ids do not tell how busy the other
side's caucus was between two of their messages."""

from __future__ import annotations

import itertools

import pytest
from django.db import transaction

from negotiation.models import CaucusMessage, Notification
from negotiation.models import ids as time_ids
from tests.conftest import Cast, acknowledge_rule, run

FROZEN_MS = 1_000_000


@pytest.fixture
def ready(cast: Cast) -> Cast:
    acknowledge_rule(cast)
    return cast


@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(time_ids, "_now_ms", lambda: FROZEN_MS)


def post(cast: Cast, who: str, side, body: str) -> int:
    return run(cast, who, "caucus_message.post", side=side.pk, body=body)["id"]


def test_a_partys_ids_hold_only_the_time_whatever_the_other_caucus_did(
    ready: Cast, frozen_clock: None
) -> None:
    first = post(ready, "party_a", ready.side_a, "One")
    for n in range(30):
        post(ready, "party_b", ready.side_b, f"Busy {n}")
    second = post(ready, "party_a", ready.side_a, "Two")
    window = range(FROZEN_MS << time_ids.RANDOM_BITS, (FROZEN_MS + 1) << time_ids.RANDOM_BITS)
    assert first in window
    assert second in window
    mine = Notification.objects.filter(participant=ready.participants["mediator"])
    assert all(n.pk in window for n in mine)


def test_ids_still_sort_by_time(ready: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = itertools.count(5_000)
    monkeypatch.setattr(time_ids, "_now_ms", lambda: next(clock))
    posted = [post(ready, "party_a", ready.side_a, f"Said {n}") for n in range(5)]
    assert posted == sorted(posted)
    assert list(CaucusMessage.objects.values_list("body", flat=True)) == [
        f"Said {n}" for n in range(5)
    ]


def test_an_id_drawn_twice_is_drawn_again(ready: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    taken = post(ready, "party_a", ready.side_a, "First")
    draws = iter([taken, taken + 1])
    monkeypatch.setattr(time_ids, "time_id", lambda: next(draws))
    with transaction.atomic():
        message = CaucusMessage(room=ready.caucus(ready.side_a), body="Second", id=taken)
        message.save()
        # The clash was rolled back to a savepoint: the transaction goes on.
        assert CaucusMessage.objects.count() == 2
    assert message.pk == taken + 1


def test_rows_created_together_get_distinct_ids_and_retry_a_clash(
    ready: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    taken = Notification.objects.create(
        participant=ready.participants["party_a"], kind="caucus_message", room_key="x"
    ).pk
    batches = iter([[taken, taken + 1], [taken + 2, taken + 3]])
    monkeypatch.setattr(time_ids, "time_ids", lambda count: next(batches))
    rows = [
        Notification(participant=ready.participants[who], kind="caucus_message", room_key="x")
        for who in ("party_b", "mediator")
    ]
    with transaction.atomic():
        created = Notification.bulk_create_with_ids(rows)
    assert [row.pk for row in created] == [taken + 2, taken + 3]


def test_ids_drawn_together_are_distinct() -> None:
    assert len(set(time_ids.time_ids(4096))) == 4096
