from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import Cast, run
from tests.factories import UserFactory

MODELS = [
    "mediation", "side", "participant", "room", "event", "issue", "proposal", "response",
    "position", "interest", "option", "criterion", "comment",
]  # fmt: skip


@pytest.fixture
def staff(db: None) -> Client:
    client = Client()
    client.force_login(
        UserFactory.create(email="ops@example.com", is_staff=True, is_superuser=True)
    )
    return client


@pytest.mark.parametrize("model", MODELS)
def test_every_model_has_an_admin_list(staff: Client, cast: Cast, model: str) -> None:
    run(cast, "mediator", "issue.create", title="House")
    assert staff.get(f"/admin/negotiation/{model}/").status_code == 200


def test_accounts_have_admin_lists(staff: Client, cast: Cast) -> None:
    assert staff.get("/admin/accounts/user/").status_code == 200
    assert staff.get("/admin/accounts/invitation/").status_code == 200
