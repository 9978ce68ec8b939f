"""What waits on a party reaches their phone (390 by 844): when Alex proposes, Sam's bell
shows a live notice and a "Waiting for you" entry; Sam opens the proposal from it and
answers, and the entry goes. The notification settings screen at phone size. Screenshots
are kept as test artifacts (test-results/)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from accounts.models import NotificationSettings
from negotiation.models import Mediation
from tests.conftest import Cast
from tests.e2e.conftest import PHONE, axe_serious_violations, session_cookie
from tests.e2e.test_board import (
    ARTIFACTS,
    DESKTOP,
    command,
    eventually,
    open_board,
    open_sheet,
    proposal,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("rule_accepted"),
]


def test_a_proposal_waits_for_the_other_party_who_answers_from_the_bell(
    browser, daphne_server: str, live_cast: Cast
) -> None:
    command(live_cast, "mediator", "stage.set", stage="joint_negotiation")
    command(live_cast, "mediator", "issue.create", title="The house")
    sam = open_board(browser, daphne_server, live_cast, "party_b", **PHONE)
    bell = sam.locator("[data-notification-bell]")
    expect(bell.locator("[data-waiting-count]")).to_have_count(0)
    expect(bell.locator("[data-unread]")).to_have_attribute("data-unread", "1")  # the stage

    alex = open_board(browser, daphne_server, live_cast, "party_a", **DESKTOP)
    theirs = open_sheet(alex, "The house")
    theirs.get_by_label("Terms", exact=True).fill("Alex keeps it")
    theirs.get_by_role("button", name="Make proposal").click()
    expect(proposal(theirs, "Alex keeps it")).to_be_visible()

    expect(bell.locator("[data-unread]")).to_have_attribute("data-unread", "2")
    expect(bell.locator("[data-waiting-count]")).to_have_attribute("data-waiting-count", "1")
    bell.click()
    entry = sam.locator("[data-waiting-entry=proposal]")
    expect(entry).to_contain_text("A proposal waits for your side's answer.")
    expect(entry).to_contain_text("The house")
    expect(sam.locator("#notification-panel")).to_contain_text(
        "A proposal waits for your side's answer."
    )
    ARTIFACTS.mkdir(exist_ok=True)
    sam.screenshot(path=str(ARTIFACTS / "waiting-phone.png"))
    assert axe_serious_violations(sam) == [], "the waiting list on the phone"

    entry.click()
    sheet = sam.get_by_role("dialog", name="The house")
    expect(sheet).to_be_visible()
    sam.screenshot(path=str(ARTIFACTS / "waiting-opened-phone.png"))
    sheet.get_by_role("button", name=re.compile("^Answer")).click()
    sheet.get_by_label("Reject").check()
    sheet.get_by_role("button", name="Send answer").click()
    expect(bell.locator("[data-waiting-count]")).to_have_count(0)
    expect(proposal(theirs, "Alex keeps it")).to_contain_text("Sam: Rejected")
    sam.screenshot(path=str(ARTIFACTS / "waiting-answered-phone.png"))


def test_a_party_chooses_how_parley_tells_them_on_the_phone(
    browser, daphne_server: str, live_cast: Cast
) -> None:
    context = browser.new_context(**PHONE)
    context.add_cookies([session_cookie(live_cast.party_b, daphne_server)])
    page = context.new_page()
    page.goto(f"{daphne_server}/settings/notifications")
    expect(page.get_by_role("heading", name="How Parley tells you")).to_be_visible()
    page.get_by_label("Text message (SMS)").check()
    page.get_by_label("Mobile number").fill("07700 900123")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#notice-phone-error")).to_contain_text("country code")
    page.get_by_label("Mobile number").fill("+44 7700 900123")
    page.get_by_label("Every side agreed an issue.").uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "notice-settings-phone.png"), full_page=True)
    assert axe_serious_violations(page) == [], "the notification settings"
    prefs = NotificationSettings.objects.get(user=live_cast.party_b)
    assert (prefs.sms, prefs.phone, prefs.muted) == (
        True, "+447700900123", ["caucus_message", "issue_agreed"],
    )  # fmt: skip


def test_the_mediator_sets_the_next_session_and_the_phone_shows_it(
    browser, daphne_server: str, live_cast: Cast
) -> None:
    maya = open_board(browser, daphne_server, live_cast, "mediator", **DESKTOP)
    sam = open_board(browser, daphne_server, live_cast, "party_b", **PHONE)
    at = (datetime.now() + timedelta(days=3)).replace(hour=14, minute=0, second=0)
    maya.get_by_role("button", name="Next session…").click()
    maya.get_by_label("Next session", exact=True).fill(at.strftime("%Y-%m-%dT%H:%M"))
    maya.get_by_role("button", name="Set", exact=True).click()
    expect(sam.locator("[data-next-session]")).to_contain_text("Next session:")
    eventually(lambda: Mediation.objects.get(pk=live_cast.mediation.pk).next_session_at is not None)
