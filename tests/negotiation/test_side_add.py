from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from config.errors import Invalid, NotAllowed
from negotiation.models import Event, Room
from negotiation.services.mediations import side_add
from tests.conftest import Cast


def test_it_adds_a_side_with_its_caucus_room(cast: Cast) -> None:
    side = side_add(actor=cast.participants["mediator"], name="  Insurer  ")
    assert side.name == "Insurer"
    assert Room.objects.get(side=side).kind == Room.Kind.CAUCUS


def test_it_tells_the_joint_room(
    cast: Cast, sent_events, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        side = side_add(actor=cast.participants["mediator"], name="Insurer")
    [(group, frame)] = sent_events.sent
    assert frame == {
        "type": "event",
        "room": "joint",
        "seq": cast.joint.last_seq,
        "name": "side.added",
        "data": {"id": side.pk, "name": "Insurer"},
    }
    assert cast.audience(group) == {"mediator", "party_a", "party_b", "attorney_a", "observer"}


def test_it_sends_nothing_when_the_transaction_rolls_back(
    cast: Cast, sent_events, django_capture_on_commit_callbacks
) -> None:
    from django.db import transaction

    def add_then_fail() -> None:
        with transaction.atomic():
            side_add(actor=cast.participants["mediator"], name="Insurer")
            raise RuntimeError("boom")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        add_then_fail()
    assert sent_events.sent == []
    assert not cast.mediation.sides.filter(name="Insurer").exists()


def test_it_numbers_events_per_room_without_gaps(cast: Cast) -> None:
    before = cast.joint.last_seq
    side_add(actor=cast.participants["mediator"], name="Insurer")
    side_add(actor=cast.participants["mediator"], name="Bank")
    seqs = list(Event.objects.filter(room=cast.joint).values_list("seq", flat=True))
    assert seqs == list(range(1, before + 3))
    assert cast.caucus(cast.side_a).last_seq == 0


@pytest.mark.parametrize("name", ["", "   ", "alex", "x" * 81])
def test_it_refuses_a_bad_name(cast: Cast, name: str) -> None:
    with pytest.raises(Invalid) as error:
        side_add(actor=cast.participants["mediator"], name=name)
    assert "name" in error.value.details


def test_only_the_mediator_adds_sides(cast: Cast) -> None:
    with pytest.raises(NotAllowed):
        side_add(actor=cast.participants["party_a"], name="Insurer")
    codes = {}
    for name in ["mediator", "party_a", "attorney_a", "observer", "outsider"]:
        client = APIClient()
        client.force_login(getattr(cast, name))
        codes[name] = client.post(
            f"/api/mediations/{cast.mediation.pk}/sides/", {"name": f"Side of {name}"}
        ).status_code
    assert codes == {
        "mediator": 201,
        "party_a": 403,
        "attorney_a": 403,
        "observer": 403,
        "outsider": 404,
    }
