"""Input takes JSON's own types, as the schema says: DRF's fields alone took a number for a
text, digits in a string for an id, "yes" for a flag and a float for an amount."""

from __future__ import annotations

import json
from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.conftest import Cast, run


def post(cast: Cast, who: str, name: str, data: dict[str, Any]) -> Any:
    client = APIClient()
    client.force_login(cast.users[who])
    url = f"/api/mediations/{cast.mediation.pk}/commands/{name}/"
    return client.post(url, json.dumps(data), content_type="application/json")


@pytest.mark.parametrize(
    ("name", "data", "field"),
    [
        ("criterion.add", {"text": 5}, "text"),
        ("issue.move", {"issue": "ISSUE", "version": 1, "lane": "agenda"}, "issue"),
        ("issue.move", {"issue": "ISSUE", "version": 1.0, "lane": "agenda"}, "version"),
        ("issue.move", {"issue": True, "version": 1, "lane": "agenda"}, "issue"),
        ("option.update", {"option": 1, "version": 1, "struck": "yes"}, "struck"),
        ("option.update", {"option": 1, "version": 1, "struck": 1}, "struck"),
        ("proposal.create", {"terms": "Split", "amount": 12.5}, "amount"),
    ],
)
def test_a_value_of_the_wrong_json_type_is_invalid(
    cast: Cast, name: str, data: dict[str, Any], field: str
) -> None:
    issue = run(cast, "mediator", "issue.create", title="The house")
    data = {"issue": issue["id"], **data}
    if data.get("issue") == "ISSUE":
        data["issue"] = str(issue["id"])
    response = post(cast, "mediator", name, data)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert field in response.json()


def test_the_right_types_still_pass(cast: Cast) -> None:
    issue = run(cast, "mediator", "issue.create", title="The house")
    data = {"issue": issue["id"], "terms": "Split", "amount": "12.50"}
    response = post(cast, "party_a", "proposal.create", data)
    assert response.status_code == 200
    assert response.json()["amount"] == "12.50"


@pytest.mark.django_db
def test_sign_in_refuses_a_number_for_the_password() -> None:
    client = APIClient()
    response = client.post(
        "/api/auth/login/",
        json.dumps({"email": "maya@example.com", "password": 12345678}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "password" in response.json()
