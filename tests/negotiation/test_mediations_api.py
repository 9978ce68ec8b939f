from __future__ import annotations

from rest_framework.test import APIClient

from negotiation.models import Participant, Role, Room
from tests.conftest import Cast, status_matrix
from tests.factories import UserFactory


def client_for(cast: Cast, name: str) -> APIClient:
    client = APIClient()
    if name != "anonymous":
        client.force_login(getattr(cast, name))
    return client


def test_a_mediator_opens_a_mediation_with_rooms(db: None) -> None:
    client = APIClient()
    client.force_login(UserFactory.create(is_mediator=True))
    response = client.post("/api/mediations/", {"title": " Lee v. Park ", "sides": ["Lee", "Park"]})
    assert response.status_code == 201
    body = response.json()
    assert (body["title"], body["my_role"], [s["name"] for s in body["sides"]]) == (
        "Lee v. Park",
        "mediator",
        ["Lee", "Park"],
    )
    rooms = Room.objects.filter(mediation_id=body["id"])
    assert sorted(room.key for room in rooms) == sorted(
        ["joint", *(f"caucus:{s['id']}" for s in body["sides"])]
    )


def test_only_mediators_open_mediations(db: None) -> None:
    client = APIClient()
    client.force_login(UserFactory.create())
    response = client.post("/api/mediations/", {"title": "X", "sides": ["A", "B"]})
    assert response.status_code == 403
    assert (
        APIClient().post("/api/mediations/", {"title": "X", "sides": ["A", "B"]}).status_code == 403
    )


def test_it_says_what_is_wrong_with_a_new_mediation(db: None) -> None:
    client = APIClient()
    client.force_login(UserFactory.create(is_mediator=True))
    no_title = client.post("/api/mediations/", {"sides": ["A", "B"]})
    one_side = client.post("/api/mediations/", {"title": "T", "sides": ["A"]})
    same_sides = client.post("/api/mediations/", {"title": "T", "sides": ["Alex", "alex "]})
    not_json = client.generic("POST", "/api/mediations/", "{oops", content_type="application/json")
    assert (no_title.status_code, "title" in no_title.json()) == (400, True)
    assert (one_side.status_code, "sides" in one_side.json()) == (400, True)
    assert (same_sides.status_code, "sides" in same_sides.json()) == (400, True)
    assert (not_json.status_code, not_json.json()["code"]) == (400, "parse_error")


def test_it_lists_only_my_mediations_with_my_role(cast: Cast) -> None:
    mine = client_for(cast, "party_b").get("/api/mediations/").json()
    theirs = client_for(cast, "outsider").get("/api/mediations/").json()
    assert [(m["title"], m["my_role"], m["my_side"]["name"]) for m in mine] == [
        ("Alex & Sam", "party", "Sam")
    ]
    assert theirs == []


def test_it_shows_a_mediation_to_its_participants_only(cast: Cast) -> None:
    assert status_matrix(cast, "get", f"/api/mediations/{cast.mediation.pk}/") == {
        "mediator": 200,
        "party_a": 200,
        "party_b": 200,
        "attorney_a": 200,
        "observer": 200,
        "outsider": 404,
        "anonymous": 403,
    }
    assert client_for(cast, "mediator").get("/api/mediations/not-a-uuid/").status_code == 404


def test_a_removed_participant_loses_the_mediation(cast: Cast) -> None:
    from django.utils import timezone

    Participant.objects.filter(pk=cast.participants["party_a"].pk).update(removed_at=timezone.now())
    response = client_for(cast, "party_a").get(f"/api/mediations/{cast.mediation.pk}/")
    assert response.status_code == 404
    assert client_for(cast, "party_a").get("/api/mediations/").json() == []


def test_participants_show_contact_details_to_the_mediator_only(cast: Cast) -> None:
    url = f"/api/mediations/{cast.mediation.pk}/participants/"
    as_mediator = client_for(cast, "mediator").get(url).json()
    as_party = client_for(cast, "party_a").get(url).json()
    assert {p["email"] for p in as_mediator} >= {"alex@example.com", "sam@example.com"}
    assert all("email" not in p for p in as_party)
    assert [(p["name"], p["role"]) for p in as_party] == [
        ("Maya", Role.MEDIATOR),
        ("Alex", Role.PARTY),
        ("Sam", Role.PARTY),
        ("Jordan", Role.ATTORNEY),
        ("Olive", Role.OBSERVER),
    ]


def test_an_expert_whose_time_is_up_is_not_listed(cast: Cast) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from tests.conftest import expert_join

    expert = expert_join(cast)
    url = f"/api/mediations/{cast.mediation.pk}/participants/"
    listed = {p["name"] for p in client_for(cast, "party_a").get(url).json()}
    Participant.objects.filter(pk=expert.pk).update(
        access_expires_at=timezone.now() - timedelta(seconds=1)
    )
    after = {p["name"] for p in client_for(cast, "party_a").get(url).json()}
    assert "Eve" in listed
    assert "Eve" not in after


def test_participants_matrix(cast: Cast) -> None:
    url = f"/api/mediations/{cast.mediation.pk}/participants/"
    assert status_matrix(cast, "get", url) == {
        "mediator": 200,
        "party_a": 200,
        "party_b": 200,
        "attorney_a": 200,
        "observer": 200,
        "outsider": 404,
        "anonymous": 403,
    }


def test_invitations_list_matrix(cast: Cast) -> None:
    url = f"/api/mediations/{cast.mediation.pk}/invitations/"
    assert status_matrix(cast, "get", url) == {
        "mediator": 200,
        "party_a": 403,
        "party_b": 403,
        "attorney_a": 403,
        "observer": 403,
        "outsider": 404,
        "anonymous": 403,
    }


def test_unknown_api_paths_answer_in_json(db: None) -> None:
    response = APIClient().get("/api/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
