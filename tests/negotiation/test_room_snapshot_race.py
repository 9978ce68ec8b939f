"""A caucus closing while an expert's snapshot is being read: the access check and the
read are one consistent read, so nothing said after the close reaches the expert, even
when the close commits between the check and the read."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from negotiation import selectors
from tests.conftest import Cast, acknowledge_rule, expert_join, run

pytestmark = pytest.mark.django_db(transaction=True)


def close_then_say(cast: Cast, caucus_id: int) -> None:
    try:
        run(cast, "mediator", "caucus.close", caucus=caucus_id)
        run(cast, "party_a", "caucus_message.post", side=cast.side_a.pk, body="AFTER-CLOSE")
    finally:
        connections.close_all()


@pytest.fixture
def open_caucus(live_cast: Cast) -> tuple[Cast, int]:
    expert_join(live_cast, live_cast.side_a)
    acknowledge_rule(live_cast)
    session = run(live_cast, "mediator", "caucus.call", side=live_cast.side_a.pk)
    run(live_cast, "mediator", "caucus.open", caucus=session["id"])
    run(live_cast, "party_a", "caucus_message.post", side=live_cast.side_a.pk, body="BEFORE")
    return live_cast, session["id"]


def race(monkeypatch: pytest.MonkeyPatch, cast: Cast, caucus_id: int) -> threading.Thread:
    """Make the close (and a message after it) commit right after the access check."""
    writer = threading.Thread(target=close_then_say, args=(cast, caucus_id))

    def let_the_close_in() -> None:
        writer.start()
        if connection.vendor == "postgresql":
            # Readers do not block writers there: the close commits before we read on.
            writer.join(timeout=20)
        # On SQLite the writer waits for this read's transaction, as it must.

    # The snapshot checks one room (room_for); a catch-up reads all of the participant's
    # rooms at once (visible_rooms).
    one_room, all_rooms = selectors.room_for, selectors.visible_rooms

    def room_checked(participant: Any, key: object) -> Any:
        room = one_room(participant, key)
        let_the_close_in()
        return room

    def rooms_checked(participant: Any) -> Any:
        rooms = list(all_rooms(participant))
        let_the_close_in()
        return rooms

    monkeypatch.setattr(selectors, "room_for", room_checked)
    monkeypatch.setattr(selectors, "visible_rooms", rooms_checked)
    return writer


def test_the_rest_snapshot_holds_nothing_said_after_the_close(
    open_caucus: tuple[Cast, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    cast, caucus_id = open_caucus
    client = APIClient()
    client.force_login(cast.users["expert"])
    writer = race(monkeypatch, cast, caucus_id)
    response = client.get(f"/api/mediations/{cast.mediation.pk}/rooms/caucus:{cast.side_a.pk}/")
    writer.join(timeout=20)
    assert "AFTER-CLOSE" not in response.content.decode()
    assert cast.caucus(cast.side_a).caucus_messages.filter(body="AFTER-CLOSE").exists()


def test_a_socket_catch_up_holds_nothing_said_after_the_close(
    open_caucus: tuple[Cast, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    cast, caucus_id = open_caucus
    writer = race(monkeypatch, cast, caucus_id)
    frames = selectors.room_catch_up_for(
        cast.participants["expert"].pk, f"caucus:{cast.side_a.pk}", 0
    )
    writer.join(timeout=20)
    assert "AFTER-CLOSE" not in str(frames)
    assert "BEFORE" in str(frames)
