from __future__ import annotations

from django.utils import timezone

from negotiation.models import Room
from negotiation.permissions import can_view_room, room_members, visible_rooms
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


def test_room_members_is_visible_rooms_turned_around(cast: Cast) -> None:
    from negotiation.models import CaucusSession
    from tests.conftest import expert_join

    expert_join(cast, cast.side_a)
    removed = cast.participants["observer"]
    removed.removed_at = timezone.now()
    removed.save()
    for caucus_open in (False, True):
        if caucus_open:
            CaucusSession.objects.create(mediation=cast.mediation, side=cast.side_a, status="open")
        for room in Room.objects.filter(mediation=cast.mediation):
            members = {p.pk for p in room_members(room)}
            seeing = {p.pk for p in cast.participants.values() if can_view_room(p, room)}
            assert members == seeing, (room.key, caucus_open)
    caucus_a = Room.objects.get(side=cast.side_a)
    assert cast.participants["expert"].pk in {p.pk for p in room_members(caucus_a)}
    assert removed.pk not in {p.pk for p in room_members(cast.joint)}


def test_an_expert_whose_time_is_up_sees_nothing(cast: Cast) -> None:
    participant = cast.participants["party_b"]
    participant.access_expires_at = timezone.now()
    assert not visible_rooms(participant).exists()
    assert not can_view_room(participant, cast.joint)
