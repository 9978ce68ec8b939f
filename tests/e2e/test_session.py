"""Running the session from two browsers: the mediator on a laptop calls a break and Sam's
phone (390 by 844) shows the countdown with the board read-only; the break ends and Sam
edits again; Sam asks for a break and the mediator grants it in one tap; the mediator moves the
session to its next stage and Sam's phone follows. Screenshots of both screens are kept
as test artifacts (test-results/)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from negotiation.models import Notification
from tests.conftest import Cast
from tests.e2e.conftest import PHONE, axe_serious_violations
from tests.e2e.test_board import ARTIFACTS, DESKTOP, command, eventually, open_board

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("rule_accepted"),
]


def test_a_break_stops_the_board_on_the_phone_until_it_ends(
    browser, daphne_server: str, live_cast: Cast
) -> None:
    command(live_cast, "party_b", "issue.create", title="House")
    maya = open_board(browser, daphne_server, live_cast, "mediator", **DESKTOP)
    sam = open_board(browser, daphne_server, live_cast, "party_b", **PHONE)
    expect(sam.get_by_role("button", name="New issue")).to_be_visible()

    maya.get_by_role("button", name="Take a break…").click()
    maya.get_by_label("Break for").select_option("15")
    maya.get_by_label("Message to everyone").fill("Coffee; back at the table soon")
    maya.get_by_role("button", name="Start the break").click()

    countdown = sam.locator("[data-break]")
    expect(countdown).to_contain_text("Break")
    expect(countdown).to_contain_text("Coffee; back at the table soon")
    expect(countdown.locator("[data-break-left]")).to_have_text(re.compile(r"^1[45]:\d\d left$"))
    expect(sam.get_by_text("The board is read-only until the break ends.")).to_be_visible()
    expect(sam.get_by_role("button", name="New issue")).to_have_count(0)
    ARTIFACTS.mkdir(exist_ok=True)
    sam.screenshot(path=str(ARTIFACTS / "break-phone.png"))
    maya.screenshot(path=str(ARTIFACTS / "break-mediator.png"))
    assert axe_serious_violations(sam) == [], "the break on the phone"

    maya.get_by_role("button", name="End the break").click()
    expect(sam.locator("[data-break]")).to_have_count(0)
    expect(sam.get_by_role("button", name="New issue")).to_be_visible()


def test_a_party_asks_for_a_break_and_the_mediator_grants_it_in_one_tap(
    browser, daphne_server: str, live_cast: Cast
) -> None:
    maya = open_board(browser, daphne_server, live_cast, "mediator", **DESKTOP)
    sam = open_board(browser, daphne_server, live_cast, "party_b", **PHONE)
    sam.get_by_role("button", name="Ask for a break").click()
    expect(sam.get_by_text("The mediator has been asked for a break.")).to_be_visible()
    eventually(lambda: Notification.objects.filter(kind="break_requested").exists())
    expect(maya.locator("[data-notification-bell] [data-unread]")).to_have_attribute(
        "data-unread", "1"
    )
    asked = maya.locator("[data-break-asked]")
    expect(asked).to_contain_text("A break is asked for by Sam\u2019s side")
    maya.screenshot(path=str(ARTIFACTS / "break-asked-mediator.png"))
    assert axe_serious_violations(maya) == [], "a break asked for"
    asked.get_by_role("button", name="Grant a 10-minute break").click()
    expect(sam.locator("[data-break] [data-break-left]")).to_have_text(
        re.compile(r"^(10|9):\d\d left$")
    )
    expect(asked).to_have_count(0)
    eventually(
        lambda: not Notification.objects.filter(kind="break_requested", read_at=None).exists()
    )


def test_the_mediator_moves_the_stage_and_the_phone_follows(
    browser, daphne_server: str, live_cast: Cast
) -> None:
    maya = open_board(browser, daphne_server, live_cast, "mediator", **DESKTOP)
    sam = open_board(browser, daphne_server, live_cast, "party_b", **PHONE)
    expect(sam.locator("li[aria-current=step]")).to_contain_text("Opening statements")
    maya.get_by_role("button", name="Move to 2. Joint discussion").click()
    expect(sam.locator("li[aria-current=step]")).to_contain_text("Joint discussion")
    expect(sam.get_by_role("button", name="Move to 3. Private caucus")).to_have_count(0)

    # A word to everyone: on the phone until Sam dismisses it.
    maya.get_by_role("button", name="Announce…").click()
    maya.get_by_label("To everyone at the table").fill("We resume at two, in the big room")
    maya.get_by_role("button", name="Announce", exact=True).click()
    said = sam.locator("[data-announcement]")
    expect(said).to_contain_text("We resume at two, in the big room")
    sam.screenshot(path=str(ARTIFACTS / "announcement-phone.png"))
    assert axe_serious_violations(sam) == [], "an announcement on the phone"
    said.get_by_role("button", name="Dismiss").click()
    expect(said).to_have_count(0)

    # The caucus stage brings the private rooms up front.
    maya.get_by_role("button", name="Move to 3. Private caucus").click()
    expect(maya.get_by_role("tab", name="Private rooms")).to_have_attribute("aria-selected", "true")
    expect(sam.get_by_role("tab").first).to_have_text("Private room")


def test_an_opening_statement_written_ahead_is_shown_when_the_mediator_opens_them(
    browser, daphne_server: str, live_cast: Cast
) -> None:
    """Alex writes the statement in the private room on the phone and says it may be
    shown; Sam sees nothing of it until the mediator opens the statements."""
    words = "I want the children settled before we talk about the house"
    alex = open_board(browser, daphne_server, live_cast, "party_a", **PHONE)
    sam = open_board(browser, daphne_server, live_cast, "party_b", **PHONE)
    maya = open_board(browser, daphne_server, live_cast, "mediator", **DESKTOP)

    alex.get_by_role("tab", name="Private room").click()
    editor = alex.locator("[data-opening-editor]")
    editor.get_by_role("button", name="Write it").click()
    editor.get_by_label("What you want to say at the start").fill(words)
    editor.get_by_role("button", name="Save").click()
    expect(editor).to_contain_text(words)
    editor.get_by_role("button", name="It may be shown").click()
    expect(editor).to_contain_text("It will be shown to everyone when the mediator opens")
    alex.screenshot(path=str(ARTIFACTS / "opening-phone.png"))
    assert axe_serious_violations(alex) == [], "the opening statement in the private room"

    expect(sam.locator("[data-openings]")).to_be_visible()
    expect(sam.locator("[data-openings]")).not_to_contain_text(words)
    maya.get_by_role("button", name="Open the statements to everyone").click()
    expect(sam.locator("[data-openings] [data-opening-side]").first).to_contain_text(words)
    expect(sam.locator("[data-openings]")).to_contain_text("Sam will speak for themselves.")
    sam.screenshot(path=str(ARTIFACTS / "openings-shown-phone.png"))
    assert axe_serious_violations(sam) == [], "the opening statements shown"
