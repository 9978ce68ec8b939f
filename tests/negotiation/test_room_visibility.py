"""One rule of visibility, written twice: as a query (permissions.visible_rooms, what a
list or a lookup reads) and as a predicate on a room at hand (permissions.can_view_room,
what the rights and audiences ask of each room). They must agree for everyone, in every
state that changes the answer: a caucus called, opened and closed for an invited
expert, a participant removed, and a room of another mediation."""

from __future__ import annotations

import pytest

from negotiation.models import Participant, Room
from negotiation.permissions import can_view_room, visible_rooms
from negotiation.services.mediations import mediation_create
from tests.conftest import Cast, acknowledge_rule, expert_join, run


def disagreements(cast: Cast, rooms: list[Room]) -> list[tuple[str, str]]:
    wrong = []
    for who in cast.participants:
        participant = Participant.objects.select_related("mediation", "side").get(
            pk=cast.participants[who].pk
        )
        seen = set(visible_rooms(participant).values_list("pk", flat=True))
        for room in rooms:
            if can_view_room(participant, room) != (room.pk in seen):
                wrong.append((who, f"{room.mediation_id}:{room.key}"))
    return wrong


@pytest.mark.django_db
def test_the_predicate_and_the_query_agree_in_every_state(cast: Cast) -> None:
    # Another mediation of the same mediator: none of its rooms is anyone's here.
    mediation_create(creator=cast.users["mediator"], title="Other", side_names=["C", "D"])
    expert_join(cast, cast.side_a)
    acknowledge_rule(cast)
    rooms = list(Room.objects.all())
    assert len(rooms) == 6

    found = {"start": disagreements(cast, rooms)}
    called = run(cast, "mediator", "caucus.call", side=cast.side_a.pk)
    found["called"] = disagreements(cast, rooms)
    run(cast, "mediator", "caucus.open", caucus=called["id"])
    found["open"] = disagreements(cast, rooms)
    run(cast, "mediator", "caucus.close", caucus=called["id"])
    found["closed"] = disagreements(cast, rooms)
    run(cast, "mediator", "participant.remove", participant=cast.participants["party_b"].pk)
    found["removed"] = disagreements(cast, rooms)
    assert found == {state: [] for state in found}


@pytest.mark.django_db
def test_the_expert_sees_the_caucus_only_while_it_is_open(cast: Cast) -> None:
    expert = expert_join(cast, cast.side_a)
    acknowledge_rule(cast)
    room = Room.objects.get(mediation=cast.mediation, side=cast.side_a)
    called = run(cast, "mediator", "caucus.call", side=cast.side_a.pk)
    before = can_view_room(expert, room)
    run(cast, "mediator", "caucus.open", caucus=called["id"])
    during = can_view_room(expert, room)
    run(cast, "mediator", "caucus.close", caucus=called["id"])
    assert (before, during, can_view_room(expert, room)) == (False, True, False)
