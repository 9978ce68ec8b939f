from __future__ import annotations

from django.utils import timezone

from negotiation.models import Room
from negotiation.permissions import can_view_room, visible_rooms
from tests.conftest import Cast


def room_keys(cast: Cast, name: str) -> set[str]:
    return {room.key for room in visible_rooms(cast.participants[name])}


def test_each_persona_sees_the_right_rooms(cast: Cast) -> None:
    a, b = f"caucus:{cast.side_a.pk}", f"caucus:{cast.side_b.pk}"
    assert {name: room_keys(cast, name) for name in cast.participants} == {
        "mediator": {"joint", a, b},
        "party_a": {"joint", a},
        "party_b": {"joint", b},
        "attorney_a": {"joint", a},
        "observer": {"joint"},
    }


def test_the_predicate_and_the_query_agree(cast: Cast) -> None:
    for participant in cast.participants.values():
        by_query = set(visible_rooms(participant))
        by_predicate = {room for room in Room.objects.all() if can_view_room(participant, room)}
        assert by_query == by_predicate


def test_an_expert_whose_time_is_up_sees_nothing(cast: Cast) -> None:
    participant = cast.participants["party_b"]
    participant.access_expires_at = timezone.now()
    assert not visible_rooms(participant).exists()
    assert not can_view_room(participant, cast.joint)
