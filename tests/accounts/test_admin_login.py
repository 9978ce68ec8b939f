"""The admin's login page is one more door to the same lock as the API's sign-in."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import UserFactory

PASSWORD = "a long passphrase"


@pytest.fixture
def ops(db: None):
    return UserFactory.create(
        email="ops@example.com", password=PASSWORD, is_staff=True, is_superuser=True
    )


def admin_sign_in(password: str, ip: str = "10.0.0.1") -> tuple[int, str, bool]:
    client = Client()
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "ops@example.com", "password": password},
        REMOTE_ADDR=ip,
    )
    signed_in = client.get("/admin/").status_code == 200
    return response.status_code, response.content.decode(), signed_in


def test_it_locks_the_admin_after_repeated_wrong_passwords(ops) -> None:
    wrong = [admin_sign_in("wrong", ip=f"10.0.1.{n}") for n in range(6)]
    status, page, signed_in = admin_sign_in(PASSWORD, ip="10.0.2.1")
    assert [signed for _, _, signed in wrong] == [False] * 6
    assert "Too many sign-in attempts" in wrong[-1][1]
    assert (status, signed_in) == (200, False)
    assert "Too many sign-in attempts" in page


def test_a_lockout_on_the_api_holds_at_the_admin(ops) -> None:
    for n in range(5):
        APIClient().post(
            "/api/auth/login/",
            {"email": "ops@example.com", "password": "wrong"},
            REMOTE_ADDR=f"10.0.3.{n}",
        )
    _, page, signed_in = admin_sign_in(PASSWORD, ip="10.0.4.1")
    assert signed_in is False
    assert "Too many sign-in attempts" in page


def test_wrong_admin_passwords_lock_the_api_too(ops) -> None:
    for n in range(5):
        admin_sign_in("wrong", ip=f"10.0.5.{n}")
    response = APIClient().post(
        "/api/auth/login/", {"email": "ops@example.com", "password": PASSWORD}
    )
    assert response.status_code == 429


def test_the_right_password_still_opens_the_admin(ops) -> None:
    assert admin_sign_in(PASSWORD)[2] is True
