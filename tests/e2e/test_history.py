"""The board's history in the browser, at phone size (390 by 844): the mediator compares
two snapshots and restores an issue, and the party's phone shows it at once; an attorney
reads an issue's history from its sheet; the session's end brings everyone its summary.
Screenshots are kept in test-results/."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from negotiation.models import Issue, Notification
from tests.conftest import Cast
from tests.e2e.conftest import PHONE, axe_serious_violations
from tests.e2e.test_board import ARTIFACTS, card, command, eventually, open_board, open_sheet

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("rule_accepted"),
]


def test_the_mediator_compares_two_snapshots_and_restores_an_issue_live(
    browser, daphne_server: str, live_cast: Cast
) -> None:
    house = command(live_cast, "party_a", "issue.create", title="House")
    command(live_cast, "mediator", "snapshot.take", room="joint")
    command(live_cast, "party_b", "issue.update", issue=house["id"], version=1,
            title="Sell the house")  # fmt: skip
    command(live_cast, "party_b", "issue.move", issue=house["id"], version=2, lane="parked",
            reason="After the valuation")  # fmt: skip
    command(live_cast, "mediator", "snapshot.take", room="joint")

    maya = open_board(browser, daphne_server, live_cast, "mediator", **PHONE)
    alex = open_board(browser, daphne_server, live_cast, "party_a", **PHONE)
    expect(card(alex, "Sell the house")).to_be_visible()

    maya.get_by_role("tab", name="History").click()
    history = maya.locator("[data-history]")
    history.get_by_role("button", name="Compare").click()
    changed = history.locator(f'[data-change-issue="{house["id"]}"]')
    expect(changed).to_contain_text(
        "Title changed from \u201cHouse\u201d to \u201cSell the house\u201d."
    )
    expect(changed).to_contain_text("Parked: After the valuation.")
    ARTIFACTS.mkdir(exist_ok=True)
    maya.screenshot(path=str(ARTIFACTS / "history-compare-phone.png"), full_page=True)
    assert axe_serious_violations(maya) == [], "the history's comparison"

    changed.get_by_role("button", name="Restore \u201cSell the house\u201d as it was").click()
    expect(history.get_by_role("status")).to_contain_text("Restored.")
    # Alex's phone follows, with no reload: the card is back, in the Agenda.
    expect(card(alex, "House")).to_be_visible()
    expect(alex.locator('ol[data-drop-lane="agenda"]')).to_contain_text("House")
    alex.screenshot(path=str(ARTIFACTS / "history-restored-party-phone.png"), full_page=True)
    eventually(lambda: Issue.objects.get(pk=house["id"]).lane == "agenda")


def test_an_attorney_reads_an_issue_history(browser, daphne_server: str, live_cast: Cast) -> None:
    house = command(live_cast, "party_a", "issue.create", title="House")
    command(live_cast, "party_b", "issue.update", issue=house["id"], version=1, title="The house")
    command(live_cast, "mediator", "option.add", issue=house["id"], text="Lease it out")
    jordan = open_board(browser, daphne_server, live_cast, "attorney_a", **PHONE)
    sheet = open_sheet(jordan, "The house")
    sheet.get_by_role("button", name="History").click()
    entries = sheet.locator("[data-history-entry]")
    expect(entries).to_have_count(3)
    # Newest first: who changed what, and when.
    expect(entries.nth(0)).to_contain_text("Maya (mediator)")
    expect(entries.nth(0)).to_contain_text("Option added: \u201cLease it out\u201d.")
    expect(entries.nth(1)).to_contain_text("Sam \u00b7")
    expect(entries.nth(1)).to_contain_text(
        "Title changed from \u201cHouse\u201d to \u201cThe house\u201d."
    )
    expect(entries.nth(2)).to_contain_text("Alex \u00b7")
    sheet.locator("#sheet-history").scroll_into_view_if_needed()
    jordan.screenshot(path=str(ARTIFACTS / "history-issue-attorney-phone.png"))
    assert axe_serious_violations(jordan) == [], "an issue's history"


def test_ending_the_session_brings_the_party_its_summary(
    browser, daphne_server: str, live_cast: Cast
) -> None:
    car = command(live_cast, "party_a", "issue.create", title="Car")
    command(live_cast, "party_b", "issue.move", issue=car["id"], version=1, lane="parked",
            reason="After the valuation", condition="When the appraisal is in")  # fmt: skip
    command(live_cast, "party_a", "issue.create", title="Dog")
    maya = open_board(browser, daphne_server, live_cast, "mediator", **PHONE)
    sam = open_board(browser, daphne_server, live_cast, "party_b", **PHONE)
    maya.get_by_role("tab", name="History").click()
    maya.get_by_text("End the session\u2026").click()
    maya.get_by_label("Next session (optional)").fill(
        (datetime.now() + timedelta(days=30)).strftime("%Y-%m-%dT10:00")
    )
    maya.get_by_role("button", name="End the session and send the summary").click()
    eventually(lambda: Notification.objects.filter(kind="session_summary").count() == 5)
    expect(sam.locator("[data-notification-bell] [data-unread]")).to_be_visible()
    sam.locator("[data-notification-bell]").click()
    sam.get_by_text("The summary of the session is ready.").click()
    summary = sam.locator("[data-session-summary]")
    expect(summary).to_contain_text("Parked (1)")
    expect(summary).to_contain_text("When the appraisal is in")
    expect(summary).to_contain_text("Still open (1)")
    expect(summary.locator("[data-next-session]")).to_contain_text("Next session")
    sam.screenshot(path=str(ARTIFACTS / "session-summary-phone.png"), full_page=True)
    sam.emulate_media(media="print")
    sam.screenshot(path=str(ARTIFACTS / "session-summary-print.png"), full_page=True)
    assert axe_serious_violations(sam) == [], "the session summary"
