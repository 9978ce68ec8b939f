"""A party on a phone, at 360 by 640 and at 390 by 844: the board comes first, one lane at
a time with a switcher that marks where one is; an issue's sheet has an address, so Back
closes it and a reload lands on it again; amounts are typed as people type them and in
the mediation's currency; a field past its limit says so instead of cutting; a 200-letter
word widens no screen; and a party's own note reaches neither the mediator's nor the
attorney's page or socket. Screenshots of the board, the sheet, the private room and the
mediator's console at phone size are kept in test-results/."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import Cast
from tests.e2e.conftest import PHONE, axe_serious_violations
from tests.e2e.test_board import ARTIFACTS, DESKTOP, command, open_board

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("rule_accepted"),
]

SMALL = {"viewport": {"width": 360, "height": 640}, "is_mobile": True, "has_touch": True}
LONG_WORD = ("Pensionsanwartschaftsausgleich" * 7)[:200]  # 200 letters, not one space


def no_sideways_scroll(page: Page) -> None:
    width = page.viewport_size["width"] if page.viewport_size else 0
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width


def lane_button(page: Page, lane: str) -> Any:
    return page.locator("[data-lane-switcher]").get_by_role("button", name=re.compile(f"^{lane}"))


@pytest.mark.parametrize("size", [SMALL, PHONE], ids=["360x640", "390x844"])
def test_a_party_switches_lanes_opens_an_issue_reloads_on_it_and_goes_back(
    browser: Any, daphne_server: str, live_cast: Cast, size: dict[str, Any]
) -> None:
    command(live_cast, "mediator", "stage.set", stage="joint_discussion")
    house = command(live_cast, "party_b", "issue.create", title="House")
    command(live_cast, "party_b", "issue.create", title=LONG_WORD)
    car = command(live_cast, "party_b", "issue.create", title="Car")
    command(live_cast, "party_b", "issue.move", issue=car["id"], version=car["version"],
            lane="parked", reason="Waiting for the valuation")  # fmt: skip
    sam = open_board(browser, daphne_server, live_cast, "party_b", **size)
    board_url = sam.url
    name = size["viewport"]["width"]

    # The board first: its lanes start within the first screen.
    switcher = sam.locator("[data-lane-switcher]")
    expect(switcher).to_be_in_viewport()
    expect(lane_button(sam, "Agenda")).to_have_attribute("aria-current", "true")
    expect(lane_button(sam, "Agenda")).to_contain_text("2")
    no_sideways_scroll(sam)
    ARTIFACTS.mkdir(exist_ok=True)
    sam.screenshot(path=str(ARTIFACTS / f"phone-board-{name}.png"))
    assert axe_serious_violations(sam) == [], "the board on a phone"

    lane_button(sam, "Parked").click()
    expect(lane_button(sam, "Parked")).to_have_attribute("aria-current", "true")
    expect(lane_button(sam, "Agenda")).not_to_have_attribute("aria-current", "true")
    expect(sam.get_by_role("heading", name=re.compile("^Parked"))).to_be_in_viewport()
    expect(sam.get_by_role("button", name="Car", exact=True)).to_be_in_viewport()
    # A swipe moves the lanes sideways; the switcher follows.
    sam.locator("[data-lanes-scroller]").evaluate("el => el.scrollTo({left: el.scrollWidth})")
    expect(lane_button(sam, "Struck")).to_have_attribute("aria-current", "true")
    lane_button(sam, "Agenda").click()
    expect(lane_button(sam, "Agenda")).to_have_attribute("aria-current", "true")

    sam.get_by_role("button", name="House", exact=True).click()
    sheet = sam.get_by_role("dialog", name="House")
    expect(sheet).to_be_visible()
    assert sam.url.endswith(f"/issues/{house['id']}")
    sam.screenshot(path=str(ARTIFACTS / f"phone-sheet-{name}.png"))
    assert axe_serious_violations(sam) == [], "the sheet on a phone"

    sam.reload()
    expect(sam.get_by_role("dialog", name="House")).to_be_visible()
    sam.go_back()
    expect(sam.get_by_role("dialog")).to_have_count(0)
    assert sam.url == board_url
    expect(sam.get_by_role("button", name="House", exact=True)).to_be_visible()

    # The sheet's own Close goes back too: Back afterwards does not open it again.
    sam.get_by_role("button", name="House", exact=True).click()
    sam.get_by_role("dialog", name="House").get_by_role("button", name="Close issue").click()
    expect(sam.get_by_role("dialog")).to_have_count(0)
    assert sam.url == board_url
    sam.context.close()


def test_a_party_types_amounts_as_people_do_and_is_told_of_a_limit(
    browser: Any, daphne_server: str, live_cast: Cast
) -> None:
    command(live_cast, "mediator", "stage.set", stage="joint_discussion")
    house = command(live_cast, "party_b", "issue.create", title="House")
    sam = open_board(browser, daphne_server, live_cast, "party_b", **SMALL)
    sam.goto(f"{daphne_server}/mediations/{live_cast.mediation.pk}/issues/{house['id']}")
    sheet = sam.get_by_role("dialog", name="House")
    sheet.get_by_label("Terms").fill("Sam keeps the house and pays Alex")
    amount = sheet.get_by_label(re.compile("^Amount in EUR"))
    amount.fill("€55k")
    sheet.get_by_role("button", name="Make proposal").click()
    # The refusal sits under the amount, not under the terms.
    hint = sheet.locator("p.field-error", has_text="no currency sign")
    expect(hint).to_be_visible()
    assert hint.evaluate("(p) => p.previousElementSibling.id") == amount.get_attribute("id")
    expect(amount).to_have_attribute("aria-invalid", "true")
    amount.fill("55,000")
    sheet.get_by_role("button", name="Make proposal").click()
    expect(sheet.locator(".proposal")).to_contain_text("€55,000")
    assert "55,000.00" not in sheet.locator(".proposal").inner_text()

    # Past a limit: refused with a message, nothing cut.
    sam.get_by_role("button", name="Close issue").click()
    sam.get_by_role("button", name="New issue").click()
    title = sam.get_by_label("Title")
    title.fill("x" * 170)
    expect(sam.locator("[data-limit-note]").first).to_have_text("170 of 200 characters")
    title.fill("x" * 600)
    expect(sam.get_by_text("Not added: that would make 600 characters")).to_be_visible()
    expect(title).to_have_value("x" * 170)
    sam.screenshot(path=str(ARTIFACTS / "phone-limit-360.png"))
    assert axe_serious_violations(sam) == [], "a limit reached"
    sam.context.close()


def frames_of(page: Page) -> list[str]:
    """Everything the page's sockets receive from now on."""
    received: list[str] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda f: received.append(str(f))))
    return received


def test_a_party_s_own_note_reaches_no_one_else_and_the_rooms_fit_a_phone(
    browser: Any, daphne_server: str, live_cast: Cast
) -> None:
    command(live_cast, "mediator", "issue.create", title=LONG_WORD)
    command(live_cast, "mediator", "issue.create", title="House")
    side_a = live_cast.side_a.pk
    secret = "WALKAWAY-40000-ONLY-MINE"
    maya = open_board(browser, daphne_server, live_cast, "mediator", **SMALL)
    jordan = open_board(browser, daphne_server, live_cast, "attorney_a", **DESKTOP)
    seen_by_maya, seen_by_jordan = frames_of(maya), frames_of(jordan)
    # Opened on the private room by its address, as a shared link or a reload does.
    maya.goto(f"{daphne_server}/mediations/{live_cast.mediation.pk}/private/{side_a}")
    jordan.goto(f"{daphne_server}/mediations/{live_cast.mediation.pk}/private")
    expect(maya.locator(f'[data-caucus-room="caucus:{side_a}"]')).to_be_visible()
    expect(jordan.locator("[data-caucus-room]")).to_be_visible()

    alex = open_board(browser, daphne_server, live_cast, "party_a", **SMALL)
    alex.get_by_role("tab", name="Private room").click()
    assert alex.url.endswith("/private")
    own = alex.locator('[data-notes="own"]')
    expect(own.get_by_role("heading", name="My own notes")).to_be_visible()
    expect(own).to_contain_text("Only you can read these")
    own.get_by_label("Issue").select_option(label="House")
    own.get_by_label("My note").fill(f"My walk-away: {secret}")
    own.get_by_role("button", name="Keep my note").click()
    expect(own.locator("[data-note]")).to_contain_text(secret)
    alex.get_by_label("Message to the mediator").fill("Can we talk about the house?")
    alex.get_by_role("button", name="Send").click()
    expect(maya.locator("[data-caucus-room]")).to_contain_text("Can we talk about the house?")
    expect(jordan.locator("[data-caucus-room]")).to_contain_text("Can we talk about the house?")

    for who, page, frames in (
        ("mediator", maya, seen_by_maya),
        ("attorney", jordan, seen_by_jordan),
    ):
        assert secret not in page.content(), f"the {who}'s page"
        assert not [f for f in frames if secret in f], f"the {who}'s socket"
    # The mediator's console names no party-facing text.
    console = maya.locator("[data-caucus-room]")
    expect(console).not_to_contain_text("Notes for the mediator")
    expect(console).not_to_contain_text("unless you agree")

    no_sideways_scroll(maya)
    no_sideways_scroll(alex)
    alex.locator("[data-caucus-room]").screenshot(
        path=str(ARTIFACTS / "phone-private-room-360.png")
    )
    maya.screenshot(path=str(ARTIFACTS / "phone-console-360.png"), full_page=True)
    assert axe_serious_violations(alex) == [], "the party's private room on a phone"
    assert axe_serious_violations(maya) == [], "the mediator's console on a phone"

    # Back from the private room goes to the tab before it.
    alex.go_back()
    expect(alex.get_by_role("tab", name="Board")).to_have_attribute("aria-selected", "true")
    alex.go_forward()
    expect(alex.get_by_role("tab", name="Private room")).to_have_attribute("aria-selected", "true")

    # Someone else's private room by its address: not found, as a room that is not there.
    sam = open_board(browser, daphne_server, live_cast, "party_b", **SMALL)
    sam.goto(f"{daphne_server}/mediations/{live_cast.mediation.pk}/private/{side_a}")
    expect(sam.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(sam.locator("[data-board]")).to_have_count(0)

    # On a laptop the lanes stay side by side.
    jordan.get_by_role("tab", name="Board").click()
    lefts = [
        box["x"]
        for box in (jordan.locator(f"#lane-{lane}").bounding_box() for lane in ("agenda", "struck"))
        if box
    ]
    assert lefts[1] > lefts[0] + 600
    jordan.screenshot(path=str(ARTIFACTS / "desktop-board.png"))
    assert axe_serious_violations(jordan) == [], "the board on a laptop"
    for page in (maya, jordan, alex, sam):
        page.context.close()
