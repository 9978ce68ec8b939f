"""Every read of a caucus room's content by a mediator is in the mediation's audit log,
one row per room read (who, which room, when, how), never what was read; the mediator
exports it as JSON or CSV. Live events to a socket already in the room add nothing: its
join covers them. Staff read no caucus content through the admin at all."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.apps import apps
from django.contrib import admin
from django.test import Client
from rest_framework.test import APIClient

from negotiation.models import CaucusRead
from tests.conftest import Cast, acknowledge_rule, run, status_matrix
from tests.negotiation.test_socket import next_frame, open_socket, session_cookie
from tests.negotiation.test_socket_revocation import frames_until_quiet, is_a


def reads(cast: Cast) -> list[tuple[str, str, str]]:
    """(reader's e-mail, room key, via) of every recorded read, oldest first."""
    return [
        (read.reader_email, read.room.key, read.via)
        for read in CaucusRead.objects.filter(mediation=cast.mediation).select_related("room")
    ]


def client_of(cast: Cast, who: str) -> APIClient:
    client = APIClient()
    client.force_login(cast.users[who])
    return client


def said_in_caucus(cast: Cast, who: str, body: str) -> dict[str, Any]:
    acknowledge_rule(cast, who)
    side = cast.participants[who].side or cast.side_a
    return run(cast, who, "caucus_message.post", side=side.pk, body=body)


# --- REST ----------------------------------------------------------------------------------


def test_a_mediator_reading_a_caucus_room_is_recorded(cast: Cast) -> None:
    room = f"caucus:{cast.side_a.pk}"
    answer = client_of(cast, "mediator").get(f"/api/mediations/{cast.mediation.pk}/rooms/{room}/")
    assert answer.status_code == 200
    assert reads(cast) == [("maya@example.com", room, "rest")]


def test_the_joint_room_and_a_sides_own_reads_are_not_recorded(cast: Cast) -> None:
    base = f"/api/mediations/{cast.mediation.pk}/rooms"
    assert client_of(cast, "mediator").get(f"{base}/joint/").status_code == 200
    assert client_of(cast, "party_a").get(f"{base}/caucus:{cast.side_a.pk}/").status_code == 200
    assert reads(cast) == []


def test_a_refused_read_is_not_recorded(cast: Cast) -> None:
    base = f"/api/mediations/{cast.mediation.pk}/rooms"
    assert client_of(cast, "party_a").get(f"{base}/caucus:{cast.side_b.pk}/").status_code == 404
    assert client_of(cast, "mediator").get(f"{base}/caucus:999999/").status_code == 404
    assert reads(cast) == []


# --- the socket ----------------------------------------------------------------------------

pytest_socket = pytest.mark.django_db(transaction=True)


@pytest_socket
async def test_a_mediators_socket_join_is_one_read_per_caucus_room(live_cast: Cast) -> None:
    cookie = await sync_to_async(session_cookie)(live_cast.users["mediator"])
    socket = await open_socket(live_cast, cookie)
    await next_frame(socket)
    # Live events while joined are covered by the join: no row per event.
    for n in range(3):
        await sync_to_async(said_in_caucus)(live_cast, "party_a", f"live {n}")
    live = await frames_until_quiet(socket)
    await socket.disconnect()
    assert [frame["name"] for frame in live if frame["type"] == "event"].count(
        "caucus_message.posted"
    ) == 3
    recorded = await sync_to_async(reads)(live_cast)
    assert sorted(recorded) == sorted(
        [
            ("maya@example.com", f"caucus:{live_cast.side_a.pk}", "socket_join"),
            ("maya@example.com", f"caucus:{live_cast.side_b.pk}", "socket_join"),
        ]
    )


@pytest_socket
async def test_a_catch_up_with_content_is_a_read(live_cast: Cast) -> None:
    await sync_to_async(said_in_caucus)(live_cast, "party_b", "before")
    cookie = await sync_to_async(session_cookie)(live_cast.users["mediator"])
    socket = await open_socket(live_cast, cookie)
    hello = await next_frame(socket)
    room_a, room_b = f"caucus:{live_cast.side_a.pk}", f"caucus:{live_cast.side_b.pk}"
    await socket.send_json_to(
        {"type": "sync", "rooms": {room_a: hello["rooms"][room_a], room_b: 0}}
    )
    frames = await frames_until_quiet(socket, until=is_a("synced"))
    await socket.disconnect()
    assert frames[-1]["type"] == "synced"
    recorded = await sync_to_async(reads)(live_cast)
    # Room A had nothing to catch up on: nothing of it was read.
    assert [via for _, key, via in recorded if via == "resync"] == ["resync"]
    assert ("maya@example.com", room_b, "resync") in recorded


@pytest_socket
async def test_a_partys_socket_records_nothing(live_cast: Cast) -> None:
    cookie = await sync_to_async(session_cookie)(live_cast.users["party_a"])
    socket = await open_socket(live_cast, cookie)
    hello = await next_frame(socket)
    await socket.send_json_to({"type": "sync", "rooms": dict.fromkeys(hello["rooms"], 0)})
    await frames_until_quiet(socket)
    await socket.disconnect()
    assert await sync_to_async(reads)(live_cast) == []


# --- the export ----------------------------------------------------------------------------


def audit_url(cast: Cast) -> str:
    return f"/api/mediations/{cast.mediation.pk}/audit/"


def test_the_audit_log_matrix(cast: Cast) -> None:
    assert status_matrix(cast, "get", audit_url(cast)) == {
        "mediator": 200,
        "party_a": 403,
        "party_b": 403,
        "attorney_a": 403,
        "observer": 403,
        "outsider": 404,
        "anonymous": 403,
    }


def test_the_mediator_exports_the_log_as_json(cast: Cast) -> None:
    said_in_caucus(cast, "party_a", "MARKER-SECRET")
    mediator = client_of(cast, "mediator")
    mediator.get(f"/api/mediations/{cast.mediation.pk}/rooms/caucus:{cast.side_a.pk}/")
    answer = mediator.get(audit_url(cast))
    rows = answer.json()
    assert answer["Content-Disposition"].startswith("attachment;")
    assert [(r["reader"], r["email"], r["role"], r["room"], r["side"], r["via"]) for r in rows] == [
        ("Maya", "maya@example.com", "mediator", f"caucus:{cast.side_a.pk}", "Alex", "rest")
    ]
    assert "MARKER-SECRET" not in answer.content.decode()


def test_the_mediator_exports_the_log_as_csv(cast: Cast) -> None:
    mediator = client_of(cast, "mediator")
    mediator.get(f"/api/mediations/{cast.mediation.pk}/rooms/caucus:{cast.side_b.pk}/")
    answer = mediator.get(audit_url(cast) + "?format=csv")
    rows = list(csv.DictReader(io.StringIO(answer.content.decode())))
    assert answer["Content-Type"].startswith("text/csv")
    assert [(row["email"], row["side"], row["via"]) for row in rows] == [
        ("maya@example.com", "Sam", "rest")
    ]
    assert re.match(r"\d{4}-\d\d-\d\dT", rows[0]["at"])


def test_a_csv_cell_never_runs_as_a_formula(cast: Cast) -> None:
    cast.mediator.name = "=HYPERLINK(1)"
    cast.mediator.save()
    mediator = client_of(cast, "mediator")
    mediator.get(f"/api/mediations/{cast.mediation.pk}/rooms/caucus:{cast.side_b.pk}/")
    rows = list(
        csv.DictReader(io.StringIO(mediator.get(audit_url(cast) + "?format=csv").content.decode()))
    )
    assert rows[0]["reader"] == "'=HYPERLINK(1)"


def test_the_log_is_of_one_mediation(cast: Cast) -> None:
    from tests.negotiation.test_retention import other_mediation

    other = other_mediation(cast)
    side = other.sides.order_by("order")[0]
    mediator = client_of(cast, "mediator")
    mediator.get(f"/api/mediations/{other.pk}/rooms/caucus:{side.pk}/")
    assert mediator.get(audit_url(cast)).json() == []


# --- the admin -----------------------------------------------------------------------------


def admin_pages() -> list[str]:
    """Every list and every row's page of every model registered in the admin."""
    pages = []
    for model in admin.site._registry:
        meta = model._meta
        base = f"/admin/{meta.app_label}/{meta.model_name}/"
        rows = list(model._default_manager.values_list("pk", flat=True))
        pages.append(base)
        pages.extend(f"{base}{pk}/change/" for pk in rows)
        pages.extend(f"{base}{pk}/history/" for pk in rows[:3])
    return pages


def test_no_admin_page_shows_caucus_content(staff: Client, cast: Cast) -> None:
    """Nothing to record: the admin shows caucus rooms' metadata, never what was said.
    Every registered model's list and row pages are searched for the caucus words."""
    acknowledge_rule(cast)
    issue = run(cast, "mediator", "issue.create", title="House")
    run(cast, "party_a", "caucus_message.post", side=cast.side_a.pk, body="SECRET-MESSAGE")
    run(cast, "party_a", "caucus_note.add", side=cast.side_a.pk, issue=issue["id"],
        text="SECRET-NOTE")  # fmt: skip
    run(cast, "party_a", "reality_check.set", side=cast.side_a.pk, issue=issue["id"],
        version=0, best_alternative="SECRET-BATNA", worst_alternative="SECRET-WATNA",
        likely_court_outcome="SECRET-COURT")  # fmt: skip
    run(cast, "mediator", "release.request", side=cast.side_a.pk, text="SECRET-REQUEST")
    client_of(cast, "mediator").get(
        f"/api/mediations/{cast.mediation.pk}/rooms/caucus:{cast.side_a.pk}/"
    )
    pages = admin_pages()
    assert any("/caucusread/" in page for page in pages)
    for page in pages:
        answer = staff.get(page)
        assert answer.status_code == 200, page
        assert "SECRET-" not in answer.content.decode(), page


def test_the_event_list_cannot_be_searched_by_its_payload(staff: Client, cast: Cast) -> None:
    """`?data__icontains=` would tell staff whether a caucus event holds a word."""
    said_in_caucus(cast, "party_a", "SECRET-WORD")
    answer = staff.get("/admin/negotiation/event/?data__icontains=SECRET-WORD")
    assert answer.status_code == 400


def test_every_caucus_model_stays_out_of_the_admin() -> None:
    caucus_models = {
        apps.get_model("negotiation", name)
        for name in (
            "CaucusMessage",
            "CaucusNote",
            "RealityCheck",
            "ReleaseRequest",
            "Notification",
        )
    }
    assert not caucus_models & set(admin.site._registry)
