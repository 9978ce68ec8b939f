from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.factories import UserFactory


@pytest.fixture
def mediator(db: None):
    return UserFactory.create(
        email="maya@example.com", password="a long passphrase", is_mediator=True
    )


def sign_in(client: APIClient, email: str, password: str, ip: str = "10.0.0.1"):
    return client.post("/api/auth/login/", {"email": email, "password": password}, REMOTE_ADDR=ip)


def test_it_signs_a_mediator_in(mediator) -> None:
    client = APIClient()
    response = sign_in(client, "Maya@Example.com", "a long passphrase")
    assert response.status_code == 200
    assert client.get("/api/auth/session/").json()["user"]["email"] == "maya@example.com"


def test_it_refuses_a_wrong_password_without_saying_which_part(mediator) -> None:
    response = sign_in(APIClient(), "maya@example.com", "wrong")
    unknown = sign_in(APIClient(), "nobody@example.com", "wrong")
    assert response.status_code == unknown.status_code == 400
    assert response.json() == unknown.json()
    assert response.json()["code"] == "invalid_credentials"


def test_it_limits_failed_attempts_per_address(mediator) -> None:
    codes = [
        sign_in(APIClient(), "maya@example.com", "wrong", ip=f"10.0.1.{n}").status_code
        for n in range(5)
    ]
    blocked = sign_in(APIClient(), "maya@example.com", "a long passphrase", ip="10.0.2.1")
    assert codes == [400] * 5
    assert blocked.status_code == 429
    assert int(blocked["Retry-After"]) > 0
    assert "Too many sign-in attempts" in blocked.json()["detail"]


def test_it_limits_failed_attempts_per_client(mediator) -> None:
    for n in range(20):
        sign_in(APIClient(), f"guess{n}@example.com", "wrong", ip="10.0.3.3")
    blocked = sign_in(APIClient(), "maya@example.com", "a long passphrase", ip="10.0.3.3")
    elsewhere = sign_in(APIClient(), "maya@example.com", "a long passphrase", ip="10.0.3.4")
    assert blocked.status_code == 429
    assert elsewhere.status_code == 200


def test_it_names_the_missing_field(db: None) -> None:
    response = APIClient().post("/api/auth/login/", {"email": "maya@example.com"})
    assert response.status_code == 400
    assert "password" in response.json()


def test_it_signs_out(mediator) -> None:
    client = APIClient()
    sign_in(client, "maya@example.com", "a long passphrase")
    assert client.post("/api/auth/logout/").status_code == 204
    assert client.get("/api/auth/session/").json()["user"] is None


def test_a_mediator_sets_a_password(db: None) -> None:
    user = UserFactory.create(email="new@example.com", is_mediator=True)
    client = APIClient()
    client.force_login(user)
    weak = client.post("/api/auth/password/", {"password": "123"})
    strong = client.post("/api/auth/password/", {"password": "mediation is patience 42"})
    assert weak.status_code == 400
    assert "password" in weak.json()
    assert strong.status_code == 204
    assert sign_in(APIClient(), "new@example.com", "mediation is patience 42").status_code == 200


def test_a_party_has_no_password_to_set(db: None) -> None:
    client = APIClient()
    client.force_login(UserFactory.create(email="alex@example.com"))
    assert client.post("/api/auth/password/", {"password": "whatever it is 99"}).status_code == 403


def test_changing_a_password_needs_the_current_one(mediator) -> None:
    client = APIClient()
    client.force_login(mediator)
    new = "mediation is patience 42"
    missing = client.post("/api/auth/password/", {"password": new})
    wrong = client.post(
        "/api/auth/password/", {"password": new, "current_password": "not it at all"}
    )
    assert (missing.status_code, wrong.status_code) == (400, 400)
    assert list(missing.json()) == ["current_password", "detail", "code"]
    assert wrong.json()["current_password"] == ["That is not your current password."]
    assert sign_in(APIClient(), "maya@example.com", "a long passphrase").status_code == 200
    right = client.post(
        "/api/auth/password/", {"password": new, "current_password": "a long passphrase"}
    )
    assert right.status_code == 204
    assert sign_in(APIClient(), "maya@example.com", new).status_code == 200
    assert client.get("/api/auth/session/").json()["user"]["email"] == "maya@example.com"


def test_guessing_the_current_password_is_rate_limited(mediator) -> None:
    client = APIClient()
    client.force_login(mediator)
    codes = [
        client.post(
            "/api/auth/password/",
            {"password": "mediation is patience 42", "current_password": f"guess {n}"},
        ).status_code
        for n in range(6)
    ]
    right = client.post(
        "/api/auth/password/",
        {"password": "mediation is patience 42", "current_password": "a long passphrase"},
    )
    assert codes == [400] * 5 + [429]
    assert right.status_code == 429
