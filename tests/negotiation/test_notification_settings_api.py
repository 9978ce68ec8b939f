"""Each person's choice of channels: read, changed with clear errors, and this browser's
web push subscription kept and forgotten."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import NotificationSettings, PushSubscription
from tests.factories import UserFactory

URL = "/api/me/notifications/"


@pytest.fixture
def client(db: None) -> APIClient:
    client = APIClient()
    client.force_login(UserFactory.create(email="sam@example.com"))
    return client


def patch(client: APIClient, data: dict[str, Any]) -> Any:
    return client.patch(URL, data, format="json")


def test_it_starts_with_email_and_chat_kept_to_the_app(client: APIClient) -> None:
    answer = client.get(URL).json()
    assert answer["settings"] == {
        "email": True, "sms": False, "phone": "", "push": False, "muted": ["caucus_message"],
    }  # fmt: skip
    urgent = {k["kind"] for k in answer["kinds"] if k["urgent"]}
    assert {"proposal_made", "caucus_called", "release_requested"} <= urgent
    assert answer["push_available"] is True


def test_it_takes_a_number_in_the_forms_people_type(client: APIClient) -> None:
    answer = patch(client, {"sms": True, "phone": "0044 7700 900-123"})
    assert answer.status_code == 200
    assert answer.json()["settings"]["phone"] == "+447700900123"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"sms": True}, "phone"),
        ({"phone": "07700 900123"}, "phone"),
        ({"muted": ["proposal_made"]}, "muted"),
        ({"email": "yes"}, "email"),
    ],
)
def test_it_refuses_bad_settings_naming_the_field(
    client: APIClient, data: dict[str, Any], field: str
) -> None:
    answer = patch(client, data)
    assert answer.status_code == 400
    assert field in answer.json()
    assert NotificationSettings.objects.filter(sms=True).count() == 0


def test_it_mutes_what_needs_no_answer_now(client: APIClient) -> None:
    answer = patch(client, {"muted": ["issue_agreed", "stage_changed"]})
    assert answer.json()["settings"]["muted"] == ["issue_agreed", "stage_changed"]


def test_a_sealed_ask_always_reaches_and_a_perspective_turn_may_be_muted(
    client: APIClient,
) -> None:
    kinds = {k["kind"]: k for k in client.get(URL).json()["kinds"]}
    assert kinds["sealed_asked"]["urgent"] is True
    assert kinds["perspective_turn"]["urgent"] is False
    assert patch(client, {"muted": ["sealed_asked"]}).status_code == 400
    answer = patch(client, {"muted": ["perspective_turn"]})
    assert answer.json()["settings"]["muted"] == ["perspective_turn"]


def test_it_keeps_and_forgets_a_push_subscription(client: APIClient) -> None:
    subscription = {
        "endpoint": "https://push.example/x1",
        "keys": {"p256dh": "BKey_-", "auth": "aA"},
    }
    assert client.post("/api/me/push/", subscription, format="json").status_code == 204
    assert client.post("/api/me/push/", subscription, format="json").status_code == 204
    assert PushSubscription.objects.count() == 1
    bad = client.post("/api/me/push/", {**subscription, "endpoint": "http://x"}, format="json")
    assert (bad.status_code, bad.json()["endpoint"]) == (400, ["An https address."])
    gone = client.post(
        "/api/me/push/forget/", {"endpoint": "https://push.example/x1"}, format="json"
    )
    assert gone.status_code == 204
    assert PushSubscription.objects.count() == 0


def test_it_is_for_signed_in_people_only(db: None) -> None:
    assert APIClient().get(URL).status_code == 403
