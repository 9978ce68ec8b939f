"""Information parity in the browser: the mediator shares a statement on an issue and asks
that every side read it before anyone accepts; on Sam's phone (390 by 844) Accept is
held with its reason until every side has opened it, and Sam's acceptance takes Sam's
word that Sam has the information needed to decide. The mediator's balance view shows
who opened it. Screenshots are kept as test artifacts (test-results/)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from negotiation.models import DocumentReceipt, Response
from tests.conftest import Cast
from tests.e2e.conftest import PHONE, axe_serious_violations
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

STATEMENT = b"Pension statement 2025\nValue at 31 December: 84,000\n"
OFFER = "Alex keeps the pension and pays Sam half its value"


def test_a_party_opens_the_document_and_then_may_accept(
    browser, daphne_server: str, live_cast: Cast
) -> None:
    issue = command(live_cast, "mediator", "issue.create", title="Pension")
    command(live_cast, "party_a", "proposal.create", issue=issue["id"], terms=OFFER)
    maya = open_board(browser, daphne_server, live_cast, "mediator", **DESKTOP)
    alex = open_board(browser, daphne_server, live_cast, "party_a", **DESKTOP)
    sam = open_board(browser, daphne_server, live_cast, "party_b", **PHONE)

    # The mediator shares the statement with everyone and turns the rule on.
    sheet = open_sheet(maya, "Pension")
    sheet.get_by_label("Share a document").set_input_files(
        {"name": "pension-statement.txt", "mimeType": "text/plain", "buffer": STATEMENT}
    )
    sheet.get_by_label("Share with").select_option("joint")
    sheet.get_by_role("button", name="Share", exact=True).click()
    expect(sheet.locator("[data-document]")).to_contain_text("pension-statement.txt")
    sheet.get_by_label("Every side opens these before accepting").check()
    expect(sheet.locator("[data-documents-required]")).to_be_visible()

    # A file Parley does not take gets a clear error and nothing is shared.
    sheet.get_by_label("Share a document").set_input_files(
        {"name": "statement.pdf", "mimeType": "application/pdf", "buffer": b"<html></html>"}
    )
    sheet.get_by_role("button", name="Share", exact=True).click()
    expect(sheet.locator("[data-share-error]")).to_contain_text("does not match its name")
    expect(sheet.locator("[data-document]")).to_have_count(1)

    # Sam, on the phone, sees the document and Accept held with its reason.
    theirs = open_sheet(sam, "Pension")
    expect(theirs.locator("[data-document]")).to_contain_text("Not opened by any side yet")
    proposal(theirs, OFFER).get_by_role("button", name=re.compile("^Answer")).click()
    accept = theirs.get_by_role("radio", name="Accept")
    expect(accept).to_be_disabled()
    held = theirs.locator("[data-accept-held]")
    expect(held).to_have_text(re.compile("^Open this issue.s documents before accepting"))
    held.scroll_into_view_if_needed()
    ARTIFACTS.mkdir(exist_ok=True)
    sam.screenshot(path=str(ARTIFACTS / "documents-held-phone.png"))
    assert axe_serious_violations(sam) == [], "Accept held on the phone"

    # Sam opens it (a new tab, through the server, which records the first opening).
    with sam.context.expect_page() as opened:
        theirs.get_by_role("link", name="pension-statement.txt").click()
    tab = opened.value
    expect(tab.locator("body")).to_contain_text("Value at 31 December: 84,000")
    tab.close()
    expect(held).to_have_text(re.compile("waiting for Alex"))

    # Alex opens it too, from the desktop.
    alex_sheet = open_sheet(alex, "Pension")
    with alex.context.expect_page() as alex_tab:
        alex_sheet.get_by_role("link", name="pension-statement.txt").click()
    alex_tab.value.close()
    expect(held).to_have_count(0)
    expect(accept).to_be_enabled()

    # Sam accepts, which takes the word that Sam has the information needed to decide.
    accept.check()
    theirs.get_by_role("button", name="Send answer").click()
    refused = theirs.get_by_text(re.compile("^To accept, say you have the information"))
    expect(refused).to_be_visible()
    refused.scroll_into_view_if_needed()
    sam.screenshot(path=str(ARTIFACTS / "documents-accept-word-phone.png"))
    theirs.get_by_role("checkbox", name="I have the information I need to decide").check()
    theirs.get_by_role("button", name="Send answer").click()
    expect(proposal(theirs, OFFER)).to_contain_text("Sam: Accepted")
    expect(proposal(theirs, OFFER)).not_to_contain_text("waiting to be sent")
    expect(theirs.locator("[data-information=informed]")).to_be_visible()
    eventually(lambda: Response.objects.filter(answer="accept").exists())
    sam.screenshot(path=str(ARTIFACTS / "documents-accepted-phone.png"))
    eventually(lambda: DocumentReceipt.objects.count() == 2)

    # The mediator's balance view shows who has opened what.
    sheet.get_by_role("button", name="Close issue").click()
    maya.get_by_role("tab", name="Balance").click()
    entry = maya.locator("[data-balance-document]")
    expect(entry).to_contain_text("pension-statement.txt")
    expect(entry).to_contain_text(re.compile(r"Opened: .*Sam"))
    expect(entry).to_contain_text(re.compile(r"Opened: .*Alex"))
    entry.scroll_into_view_if_needed()
    maya.screenshot(path=str(ARTIFACTS / "documents-balance-mediator.png"))


FIGURES = b"Our lowest figure: 150,000\n"
PAYSLIPS = b"Payslips, January to June\n"


def test_a_private_rooms_documents_are_its_members_alone(
    browser, daphne_server: str, live_cast: Cast
) -> None:
    """Jordan shares two files in side A's private room, one on the issue and one on none;
    Alex, on the phone, sees both in the room and opens one; Sam, on his phone, sees
    neither, in his room or on the issue; Jordan withdraws one and it leaves Alex's list."""
    command(live_cast, "mediator", "issue.create", title="Pension")
    room_a = f"caucus:{live_cast.side_a.pk}"
    jordan = open_board(browser, daphne_server, live_cast, "attorney_a", **DESKTOP)
    alex = open_board(browser, daphne_server, live_cast, "party_a", **PHONE)
    sam = open_board(browser, daphne_server, live_cast, "party_b", **PHONE)

    # On the issue's sheet, into the private room; then in the room, on no issue.
    sheet = open_sheet(jordan, "Pension")
    sheet.get_by_label("Share a document").set_input_files(
        {"name": "payslips.txt", "mimeType": "text/plain", "buffer": PAYSLIPS}
    )
    sheet.get_by_label("Share with").select_option(room_a)
    sheet.get_by_role("button", name="Share", exact=True).click()
    expect(sheet.locator("[data-document]")).to_contain_text("payslips.txt")
    sheet.get_by_role("button", name="Close issue").click()
    jordan.get_by_role("tab", name="Private room").click()
    documents = jordan.locator(f'[data-room-documents="{room_a}"]')
    documents.get_by_label("Share a document").set_input_files(
        {"name": "our-figures.txt", "mimeType": "text/plain", "buffer": FIGURES}
    )
    documents.get_by_role("button", name="Share", exact=True).click()
    expect(documents.locator("[data-document]")).to_have_count(2)

    # Alex sees both in the room, the one on the issue with its title, and opens one.
    alex.get_by_role("tab", name="Private room").click()
    theirs = alex.locator(f'[data-room-documents="{room_a}"]')
    expect(theirs.locator("[data-document]")).to_have_count(2)
    expect(theirs.locator("[data-document]", has_text="payslips.txt")).to_contain_text(
        "On “Pension”"
    )
    theirs.get_by_role("link", name="our-figures.txt").scroll_into_view_if_needed()
    ARTIFACTS.mkdir(exist_ok=True)
    alex.screenshot(path=str(ARTIFACTS / "documents-private-room-phone.png"))
    assert axe_serious_violations(alex) == [], "the private room's documents on the phone"
    with alex.context.expect_page() as opened:
        theirs.get_by_role("link", name="our-figures.txt").click()
    tab = opened.value
    expect(tab.locator("body")).to_contain_text("Our lowest figure: 150,000")
    tab.close()
    eventually(
        lambda: DocumentReceipt.objects.filter(
            participant=live_cast.participants["party_a"]
        ).exists()
    )

    # Sam sees neither: not in his own room, not on the issue.
    sam.get_by_role("tab", name="Private room").click()
    room_b = sam.locator(f'[data-room-documents="caucus:{live_cast.side_b.pk}"]')
    expect(room_b).to_contain_text("No documents yet.")
    sam.get_by_role("tab", name="Board").click()
    sams_sheet = open_sheet(sam, "Pension")
    expect(sams_sheet).to_contain_text("No documents yet.")
    assert "our-figures" not in sam.content()
    assert "payslips" not in sam.content()

    # Whoever shared it withdraws it; it leaves the room's list.
    documents.get_by_role("button", name="Withdraw our-figures.txt").click()
    expect(theirs.locator("[data-document]")).to_have_count(1)
    expect(theirs.get_by_role("button", name=re.compile("^Withdraw"))).to_have_count(0)
