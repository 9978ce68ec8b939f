"""The rounds on an issue in the browser. A brainstorm: the mediator on a laptop starts
it, Alex and Sam on their phones (390 by 844) add ideas, which nobody sees a name on and
nobody can strike or comment on until the mediator ends it. Sealed positions: the
mediator asks, Alex seals a figure and sees "waiting for the other side" while Sam's phone
shows nothing of it; Sam seals one, and both phones show both at once. Screenshots of
both screens are kept as test artifacts (test-results/)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from negotiation.models import Option
from tests.conftest import Cast
from tests.e2e.conftest import PHONE, axe_serious_violations
from tests.e2e.test_board import ARTIFACTS, DESKTOP, command, eventually, open_board, open_sheet

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("rule_accepted"),
]


def test_a_brainstorm_with_both_parties_adding_ideas(
    browser, daphne_server: str, live_cast: Cast
) -> None:
    house = command(live_cast, "mediator", "issue.create", title="House")["id"]
    command(live_cast, "party_a", "option.add", issue=house, text="Sell it")
    maya = open_board(browser, daphne_server, live_cast, "mediator", **DESKTOP)
    alex = open_board(browser, daphne_server, live_cast, "party_a", **PHONE)
    sam = open_board(browser, daphne_server, live_cast, "party_b", **PHONE)
    sheets = {name: open_sheet(page, "House") for name, page in
              (("maya", maya), ("alex", alex), ("sam", sam))}  # fmt: skip

    sheets["maya"].get_by_role("button", name="Start a brainstorm").click()
    for sheet in sheets.values():
        expect(sheet.locator("[data-brainstorm=open]")).to_be_visible()
    # No judging while it is open: no strike control, no comment box, for anyone.
    for sheet in sheets.values():
        expect(sheet.get_by_role("button", name="Strike")).to_have_count(0)
        expect(sheet.get_by_label("Add a comment")).to_have_count(0)
    for name, idea in (("alex", "Rent it to a family"), ("sam", "Alex buys Sam out")):
        sheets[name].get_by_label("Add an idea, without your name").fill(idea)
        sheets[name].get_by_role("button", name="Add idea").click()
    for sheet in sheets.values():
        expect(sheet.get_by_text("Rent it to a family")).to_be_visible()
        expect(sheet.get_by_text("Alex buys Sam out")).to_be_visible()
    eventually(lambda: Option.objects.filter(brainstorm__isnull=False).count() == 2)
    assert not Option.objects.filter(brainstorm__isnull=False, created_by__isnull=False).exists()
    ARTIFACTS.mkdir(exist_ok=True)
    alex.screenshot(path=str(ARTIFACTS / "brainstorm-phone.png"), full_page=True)
    maya.screenshot(path=str(ARTIFACTS / "brainstorm-mediator.png"))
    assert axe_serious_violations(alex) == [], "a brainstorm on the phone"

    sheets["maya"].get_by_role("button", name="End the brainstorm").click()
    for sheet in sheets.values():
        expect(sheet.locator("[data-brainstorm=open]")).to_have_count(0)
    expect(sheets["sam"].get_by_label("Add a comment")).to_be_visible()
    expect(sheets["sam"].get_by_role("button", name="Strike").first).to_be_visible()


def test_sealed_positions_revealed_on_both_phones_at_once(
    browser, daphne_server: str, live_cast: Cast
) -> None:
    command(live_cast, "mediator", "issue.create", title="House")
    maya = open_board(browser, daphne_server, live_cast, "mediator", **DESKTOP)
    alex = open_board(browser, daphne_server, live_cast, "party_a", **PHONE)
    sam = open_board(browser, daphne_server, live_cast, "party_b", **PHONE)
    sheets = {name: open_sheet(page, "House") for name, page in
              (("maya", maya), ("alex", alex), ("sam", sam))}  # fmt: skip

    sheets["maya"].get_by_label("Ask each side, sealed, for").select_option("figure")
    sheets["maya"].get_by_label("Question").fill("Your opening figure for the house")
    sheets["maya"].get_by_role("button", name="Ask for sealed positions").click()
    for name in ("alex", "sam"):
        expect(sheets[name].get_by_text("Your opening figure for the house")).to_be_visible()

    sheets["alex"].get_by_label("Your figure in EUR").fill("180,000")
    sheets["alex"].get_by_role("button", name="Seal my answer").click()
    expect(sheets["alex"].locator("[data-sealed-status]")).to_have_text(
        "Sealed. Waiting for the other side."
    )
    expect(sheets["alex"].locator("[data-sealed-own]")).to_contain_text("€180,000")
    # Sam's phone and the mediator's laptop show nothing of Alex's answer, not even that
    # it came: the same form and words as before.
    expect(sheets["sam"].get_by_role("button", name="Seal my answer")).to_be_visible()
    expect(sheets["maya"].locator("[data-sealed-status]")).to_have_text("Waiting for every side.")
    for name in ("sam", "maya"):
        expect(sheets[name].get_by_text("180,000")).to_have_count(0)
    ARTIFACTS.mkdir(exist_ok=True)
    for sheet in sheets.values():
        sheet.locator("[data-sealed]").scroll_into_view_if_needed()
    alex.screenshot(path=str(ARTIFACTS / "sealed-waiting-phone.png"), full_page=True)
    sam.screenshot(path=str(ARTIFACTS / "sealed-other-phone.png"), full_page=True)
    assert axe_serious_violations(alex) == [], "a sealed answer on the phone"

    sheets["sam"].get_by_label("Your figure in EUR").fill("120000")
    sheets["sam"].get_by_role("button", name="Seal my answer").click()
    for sheet in sheets.values():
        revealed = sheet.locator("[data-sealed-revealed]")
        expect(revealed).to_contain_text("€180,000")
        expect(revealed).to_contain_text("€120,000")
    alex.screenshot(path=str(ARTIFACTS / "sealed-revealed-phone-alex.png"), full_page=True)
    sam.screenshot(path=str(ARTIFACTS / "sealed-revealed-phone.png"), full_page=True)
    maya.screenshot(path=str(ARTIFACTS / "sealed-revealed-mediator.png"))


def test_the_mediator_cancels_a_sealed_round(browser, daphne_server: str, live_cast: Cast) -> None:
    issue = command(live_cast, "mediator", "issue.create", title="Car")["id"]
    sealed = command(live_cast, "mediator", "sealed.ask", issue=issue)["id"]
    command(live_cast, "party_a", "sealed.submit", sealed=sealed, version=0, text="Keep the car")
    maya = open_board(browser, daphne_server, live_cast, "mediator", **DESKTOP)
    alex = open_board(browser, daphne_server, live_cast, "party_a", **PHONE)
    alex_sheet = open_sheet(alex, "Car")
    expect(alex_sheet.locator("[data-sealed-own]")).to_contain_text("Keep the car")
    open_sheet(maya, "Car").get_by_role("button", name="Cancel the sealed round").click()
    expect(alex_sheet.get_by_text("The mediator cancelled the last sealed round.")).to_be_visible()
    expect(alex_sheet.get_by_text("Keep the car")).to_have_count(0)
