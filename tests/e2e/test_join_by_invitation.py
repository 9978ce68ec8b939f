"""A party opens an invitation link on a phone, confirms, and lands signed in."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from negotiation.models import Invitation
from negotiation.services.invitations import invitation_create
from tests.conftest import Cast
from tests.e2e.conftest import axe_serious_violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def invite_erin(cast: Cast) -> str:
    _, token = invitation_create(
        actor=cast.participants["mediator"],
        email="erin@example.com",
        name="Erin",
        role="party",
        side_id=cast.side_b.pk,
        send_email=False,
    )
    assert token is not None  # Erin is new here: the link is shown
    return token


@pytest.mark.embedded
def test_a_party_joins_from_the_link_on_a_phone(
    live_cast: Cast, daphne_server: str, phone: Any
) -> None:
    token = invite_erin(live_cast)
    phone.goto(f"{daphne_server}/invite#{token}")
    expect(phone.get_by_role("heading", level=1)).to_have_text("You are invited to a mediation")
    expect(phone.get_by_text("Alex & Sam")).to_be_visible()
    # Opening the page, as a mail scanner would, spends nothing.
    assert Invitation.objects.get().redeemed_at is None
    assert axe_serious_violations(phone) == []

    phone.get_by_role("button", name="Join the mediation").click()
    expect(phone).to_have_url(re.compile(rf"^{re.escape(daphne_server)}/?$"))
    expect(phone.get_by_role("heading", level=1)).to_have_text("My mediations")
    expect(phone.get_by_role("link", name="Alex & Sam")).to_be_visible()
    assert Invitation.objects.get().redeemed_at is not None
    assert axe_serious_violations(phone) == []


def test_a_spent_link_says_so(live_cast: Cast, daphne_server: str, phone: Any) -> None:
    token = invite_erin(live_cast)
    phone.goto(f"{daphne_server}/invite#{token}")
    phone.get_by_role("button", name="Join the mediation").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("My mediations")

    stranger = phone.context.browser.new_context(viewport={"width": 390, "height": 844})
    page = stranger.new_page()
    page.goto(f"{daphne_server}/invite#{token}")
    expect(page.get_by_role("heading", level=1)).to_have_text("This link has already been used")
    assert axe_serious_violations(page) == []
    stranger.close()
