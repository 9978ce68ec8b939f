"""An impasse on an issue, from three browsers: the mediator (laptop) marks the issue at
impasse and names why, which Alex's and Sam's phones (390 by 844) never show ("We are
trying another way" is all they see); the mediator starts a perspective round, Alex and
Sam each write the other's view, Sam corrects Alex's, Alex writes again, and both say
"that's right". Screenshots of every screen are kept (test-results/)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from negotiation.models import PerspectiveRound
from tests.conftest import Cast
from tests.e2e.conftest import PHONE, axe_serious_violations
from tests.e2e.test_board import ARTIFACTS, DESKTOP, command, eventually, open_board, open_sheet

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("rule_accepted"),
]


def write_view(sheet: Locator, label: str, words: str) -> None:
    sheet.get_by_label(label).fill(words)
    sheet.get_by_role("button", name="Share with everyone").click()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=False)


def test_a_perspective_round_both_phones_complete(
    browser, daphne_server: str, live_cast: Cast
) -> None:
    command(live_cast, "party_a", "issue.create", title="House")
    maya = open_board(browser, daphne_server, live_cast, "mediator", **DESKTOP)
    alex = open_board(browser, daphne_server, live_cast, "party_a", **PHONE)
    sam = open_board(browser, daphne_server, live_cast, "party_b", **PHONE)

    # The mediator marks the impasse and names why.
    panel_sheet = open_sheet(maya, "House")
    panel = panel_sheet.locator("section.impasse")
    panel.get_by_role("button", name="Mark at impasse").click()
    panel.get_by_label("Communication breakdown").check()
    panel.get_by_label("Misunderstanding").check()
    panel.get_by_role("button", name="Mark at impasse").click()
    expect(panel.locator("[data-causes]")).to_contain_text("Communication breakdown")
    expect(panel.locator("[data-strategy]").first).to_have_attribute("data-strategy", "perspective")
    panel.locator("[data-strategy=perspective]").get_by_role("button", name="Try this").click()
    panel.locator("[data-strategy=perspective]").get_by_role("button", name="Start").click()
    expect(panel.locator("[data-attempt]")).to_have_count(1)
    shot(maya, "impasse-mediator.png")
    assert axe_serious_violations(maya) == [], "the mediator's impasse panel"

    # The phones see that another way is tried, never why.
    alex_sheet = open_sheet(alex, "House")
    sam_sheet = open_sheet(sam, "House")
    for sheet in (alex_sheet, sam_sheet):
        expect(sheet.locator("[data-trying-another-way]")).to_have_text("We are trying another way")
        expect(sheet.get_by_text("Communication breakdown")).to_have_count(0)
        expect(sheet.get_by_text("Misunderstanding")).to_have_count(0)
    expect(alex_sheet.locator("section.impasse")).to_have_count(0)
    shot(alex, "impasse-round-phone-alex.png")
    assert axe_serious_violations(alex) == [], "the round on Alex's phone"

    # Each writes the other's view.
    write_view(alex_sheet, "Sam\u2019s view, in your own words", "Sam wants to keep the garden")
    expect(sam_sheet.get_by_text("\u201cSam wants to keep the garden\u201d")).to_be_visible()
    write_view(sam_sheet, "Alex\u2019s view, in your own words", "Alex needs the money by June")
    expect(alex_sheet.get_by_text("\u201cAlex needs the money by June\u201d")).to_be_visible()
    shot(sam, "impasse-round-phone-sam-to-answer.png")

    # Sam corrects Alex's statement; Alex confirms Sam's.
    alex_on_sam = sam_sheet.locator(f"[data-writer-side='{live_cast.side_a.pk}']")
    alex_on_sam.get_by_role("button", name="Correct it").click()
    alex_on_sam.get_by_label("What is not right?").fill("It is the children's schools")
    alex_on_sam.get_by_role("button", name="Send correction").click()
    sam_on_alex = alex_sheet.locator(f"[data-writer-side='{live_cast.side_b.pk}']")
    sam_on_alex.get_by_role("button", name="That\u2019s right").click()
    expect(
        alex_sheet.get_by_text("corrected it: \u201cIt is the children's schools\u201d")
    ).to_be_visible()
    shot(alex, "impasse-round-phone-corrected.png")

    # Alex tries again, and Sam says that's right.
    write_view(
        alex_sheet,
        "Try again: Sam\u2019s view, as they put it right",
        "Sam wants the children to stay at their schools",
    )
    alex_on_sam.get_by_role("button", name="That\u2019s right").click()
    for sheet in (alex_sheet, sam_sheet):
        expect(sheet.get_by_text("Both confirmed")).to_be_visible()
    eventually(lambda: PerspectiveRound.objects.get().status == "done")
    shot(alex, "impasse-round-phone-done.png")
    shot(sam, "impasse-round-phone-sam-done.png")
    assert axe_serious_violations(sam) == [], "the finished round on Sam's phone"

    # The mediator sees the round's state too, and records what came of it.
    expect(panel_sheet.get_by_text("Both confirmed")).to_be_visible()
    attempt = panel.locator("[data-attempt]")
    attempt.get_by_label("What came of it").select_option("helped")
    attempt.get_by_label("Note").fill("They heard each other")
    attempt.get_by_role("button", name="End and save").click()
    expect(attempt).to_contain_text("Helped · They heard each other")
    shot(maya, "impasse-mediator-record.png")
