"""The invitation endpoints' throttle counts the connection's address, never one the
client writes into X-Forwarded-For itself."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient


@pytest.mark.django_db
def test_rotating_x_forwarded_for_does_not_escape_the_throttle() -> None:
    codes = [
        APIClient()
        .post(
            "/api/invitations/preview/",
            {"token": "not-a-token"},
            REMOTE_ADDR="10.9.9.9",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        )
        .status_code
        for n in range(40)
    ]
    assert 429 in codes
    assert codes.index(429) == 30


@pytest.mark.django_db
def test_another_connection_has_its_own_allowance() -> None:
    for _ in range(31):
        APIClient().post("/api/invitations/preview/", {"token": "x"}, REMOTE_ADDR="10.9.9.8")
    other = APIClient().post("/api/invitations/preview/", {"token": "x"}, REMOTE_ADDR="10.9.9.7")
    assert other.status_code != 429
