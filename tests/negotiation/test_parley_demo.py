"""The README's run command creates the demo once and prints one working link per person."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from accounts.models import User
from negotiation.management.commands import parley_demo
from negotiation.models import Mediation, Participant

PEOPLE = {
    "Maya Okafor": "maya@parley.example",
    "Alex Rivera": "alex@parley.example",
    "Sam Chen": "sam@parley.example",
    "Jordan Blake": "jordan@parley.example",
}


def demo(base_url: str = "http://testserver") -> tuple[dict[str, str], str]:
    """Run the command; the link printed for each person, by name, and the output."""
    out = io.StringIO()
    call_command("parley_demo", base_url=base_url, stdout=out)
    text = out.getvalue()
    links = {
        name: match.group(1)
        for name in PEOPLE
        if (match := re.search(rf"{name}\s.*?(\S+/invite#\S+)", text))
    }
    return links, text


def sign_in_by(link: str) -> dict[str, object] | None:
    client = APIClient()
    response = client.post("/api/invitations/redeem/", {"token": link.split("#", 1)[1]})
    assert response.status_code == 200, response.json()
    user: dict[str, object] | None = client.get("/api/auth/session/").json()["user"]
    return user


def test_each_printed_link_signs_in_its_own_person_without_a_password(db: None) -> None:
    links, _ = demo()
    assert set(links) == set(PEOPLE)
    for name, link in links.items():
        me = sign_in_by(link)
        assert me is not None
        assert (me["email"], me["has_password"]) == (PEOPLE[name], False)


def test_running_it_again_keeps_the_data_and_prints_fresh_links(db: None) -> None:
    first, _ = demo()
    sign_in_by(first["Alex Rivera"])
    people = set(User.objects.values_list("pk", "email"))
    places = set(Participant.objects.values_list("pk", "user__email", "role", "side__name"))
    second, _ = demo()
    assert Mediation.objects.count() == 1
    assert set(User.objects.values_list("pk", "email")) == people
    assert set(Participant.objects.values_list("pk", "user__email", "role", "side__name")) == (
        places
    )
    assert set(second) == set(PEOPLE)
    assert not set(second.values()) & set(first.values())
    stale = APIClient().post(
        "/api/invitations/redeem/", {"token": first["Sam Chen"].split("#", 1)[1]}
    )
    assert stale.json()["code"] == "invitation_revoked"
    for name, link in second.items():
        me = sign_in_by(link)
        assert me is not None
        assert me["email"] == PEOPLE[name]


def test_it_gives_demo_people_of_an_older_run_an_unusable_password(db: None) -> None:
    User.objects.create(email="alex@parley.example", name="Alex Rivera", password="")
    demo()
    assert not User.objects.get(email="alex@parley.example").has_usable_password()


def test_a_listen_everywhere_address_becomes_one_a_phone_can_open(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parley_demo, "machine_address", lambda: "192.168.1.20")
    links, text = demo("http://0.0.0.0:8000")
    assert all(link.startswith("http://192.168.1.20:8000/invite#") for link in links.values())
    assert "://0.0.0.0" not in text


def test_without_a_network_it_says_the_links_open_on_this_machine_only(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parley_demo, "machine_address", lambda: None)
    links, text = demo("http://[::]:8000")
    assert all(link.startswith("http://127.0.0.1:8000/invite#") for link in links.values())
    assert "PARLEY_BASE_URL" in text


def test_the_demo_shows_a_session_under_way(db: None) -> None:
    from negotiation.models import CaucusMessage, Issue, Proposal

    demo()
    lanes = dict(Issue.objects.values_list("title", "lane"))
    assert lanes == {
        "Repaying the equipment loan": "agenda",
        "Who keeps the shop lease": "discussing",
        "The delivery van": "parked",
        "The bakery's name and customer list": "agreed",
    }
    assert Issue.objects.get(lane="parked").parked_reason == "Waiting for the dealer's valuation"
    lease = Proposal.objects.filter(issue__title="Who keeps the shop lease").order_by("id")
    assert [(str(p.amount), p.counter_to_id is not None) for p in lease] == [
        ("30000.00", False),
        ("45000.00", True),
    ]
    rooms = set(CaucusMessage.objects.values_list("room__side__name", flat=True))
    assert rooms == {"Alex", "Sam"}


def test_the_mediator_s_link_greets_her_as_the_mediator(db: None) -> None:
    links, _ = demo()
    token = links["Maya Okafor"].split("#", 1)[1]
    alex_token = links["Alex Rivera"].split("#", 1)[1]
    own = APIClient().post("/api/invitations/preview/", {"token": token}).json()
    alex = APIClient().post("/api/invitations/preview/", {"token": alex_token}).json()
    assert (own["role"], own["invited_by_self"]) == ("mediator", True)
    assert alex["invited_by_self"] is False
