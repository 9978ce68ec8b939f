"""Where the mediator is, and the mediator's balance view, in the browser: while the
mediator meets Alex privately, Sam's phone (390 by 844) says so with the minutes since
it began, Alex's does not; the mediator's Balance tab shows each side's private time and
follows a caucus live, on a laptop and on a phone; a party has no such tab. Screenshots
are kept as test artifacts (test-results/)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import Cast
from tests.e2e.conftest import PHONE, axe_serious_violations
from tests.e2e.test_board import DESKTOP, command, open_board

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("rule_accepted"),
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-results"
APOS = "\u2019"
MEETING = "The mediator is meeting privately with the other side"


def caucus_opened(maya: Page, side: str) -> None:
    """The mediator calls a side to a private meeting and opens it, from the console (in
    the embedded mode only what the server itself does reaches the browsers live)."""
    maya.get_by_role("tab", name="Private rooms").click()
    maya.get_by_role("button", name=f"Call {side} to caucus").click()
    maya.get_by_role("button", name=f"Open {side}{APOS}s caucus").click()
    expect(maya.get_by_role("button", name=f"Close {side}{APOS}s caucus")).to_be_visible()


def test_the_other_side_s_phone_shows_the_mediator_is_meeting_privately(
    browser, daphne_server: str, live_cast: Cast
) -> None:
    command(live_cast, "party_b", "issue.create", title="House")
    maya = open_board(browser, daphne_server, live_cast, "mediator", **DESKTOP)
    sam = open_board(browser, daphne_server, live_cast, "party_b", **PHONE)
    alex = open_board(browser, daphne_server, live_cast, "party_a", **PHONE)
    caucus_opened(maya, "Alex")

    line = sam.locator("[data-meeting-elsewhere]")
    expect(line).to_have_text(re.compile(rf"^\s*{MEETING}\s*· under a minute\s*$"))
    expect(line).to_be_in_viewport()
    expect(alex.locator("[data-called-prompt]")).to_be_visible()
    expect(alex.get_by_text(MEETING)).to_have_count(0)
    expect(maya.get_by_text(MEETING)).to_have_count(0)
    ARTIFACTS.mkdir(exist_ok=True)
    sam.screenshot(path=str(ARTIFACTS / "meeting-elsewhere-phone.png"))
    assert axe_serious_violations(sam) == [], "the meeting line on the phone"

    maya.get_by_role("button", name=f"Close Alex{APOS}s caucus").click()
    expect(line).to_have_count(0)


def test_the_mediator_s_balance_tab_follows_a_caucus_and_no_party_has_one(
    browser, daphne_server: str, live_cast: Cast
) -> None:
    sam = open_board(browser, daphne_server, live_cast, "party_b", **PHONE)
    expect(sam.get_by_role("tab", name="People")).to_be_visible()
    expect(sam.get_by_role("tab", name="Balance")).to_have_count(0)

    on_phone = open_board(browser, daphne_server, live_cast, "mediator", **PHONE)
    on_phone.get_by_role("tab", name="Balance").click()
    panel = on_phone.get_by_role("tabpanel", name="Balance")
    private_time = panel.get_by_role("row", name=re.compile("^Private time"))
    expect(private_time).to_contain_text("none")

    # The same mediator at a laptop meets Sam: the phone's balance view follows by itself.
    maya = open_board(browser, daphne_server, live_cast, "mediator", **DESKTOP)
    caucus_opened(maya, "Sam")
    expect(private_time).to_contain_text("in session now")
    expect(panel.get_by_role("row", name=re.compile("^Met privately"))).to_contain_text(
        "first and last"
    )
    ARTIFACTS.mkdir(exist_ok=True)
    on_phone.screenshot(path=str(ARTIFACTS / "balance-phone.png"), full_page=True)
    assert axe_serious_violations(on_phone) == [], "the balance view on a phone"

    maya.get_by_role("tab", name="Balance").click()
    expect(maya.get_by_role("tabpanel", name="Balance")).to_contain_text("in session now")
    maya.screenshot(path=str(ARTIFACTS / "balance-desktop.png"))
