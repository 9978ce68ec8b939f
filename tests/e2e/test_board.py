"""The board in two browsers at once: the mediator on a laptop (1280 by 800) and Sam, a
party, on a phone (390 by 844, touch). Edits travel between them live, cards move by drag
and drop and by the Move menu, a clash between two edits is shown instead of overwritten,
and both recover by themselves from a server restart without losing an acknowledged edit.
Alex and Sam then trade a proposal and a counter with the keyboard alone, and axe checks
every form, menu and dialog the board opens, at both sizes.

    Agenda        Discussing    Parked        Agreed        Struck
    ┌────────┐
    │ House  │ ── Sam drags it on the phone ──▶ Parked ("Waiting for the appraisal")
    │ Car    │ ── Sam's Move menu ────────────▶ Parked ── the mediator's mouse ──▶ Discussing
    └────────┘
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from negotiation.models import Comment, Criterion, Interest, Issue, Option, Position, Proposal
from tests.conftest import Cast
from tests.e2e.conftest import PHONE, Daphne, axe_serious_violations, command, session_cookie

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-results"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("rule_accepted"),
]

DESKTOP = {"viewport": {"width": 1280, "height": 800}}
# The field label as the page writes it, with a typographic apostrophe.
SAMS_POSITION = "Sam\u2019s position"
Pair = Callable[[], tuple[Page, Page]]
# A restarted server is found again within the client's longest backoff (8 s) and a connect.
RECONNECT_MS = 30_000


def eventually(check: Callable[[], bool], timeout: float = 10.0) -> None:
    """Wait until the database shows what the pages show."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("the database never got there")
        time.sleep(0.1)


def open_board(browser: Any, server: str, cast: Cast, who: str, **context: Any) -> Page:
    ctx = browser.new_context(**context)
    ctx.add_cookies([session_cookie(cast.users[who], server)])
    page: Page = ctx.new_page()
    page.goto(f"{server}/mediations/{cast.mediation.pk}")
    expect(board(page)).to_have_attribute("data-connection", "online")
    return page


def board(page: Page) -> Locator:
    return page.locator("[data-board]")


def banner(page: Page) -> Locator:
    """The board's connection banner (the issue sheet has its own)."""
    return board(page).locator("[data-banner] [role=status]")


def lane(page: Page, name: str) -> Locator:
    return page.locator(f'ol[data-drop-lane="{name}"]')


def card(page: Page, title: str) -> Locator:
    return page.locator("li[data-card-id]").filter(
        has=page.get_by_role("button", name=title, exact=True)
    )


def open_sheet(page: Page, title: str) -> Locator:
    page.get_by_role("button", name=title, exact=True).click()
    sheet = page.get_by_role("dialog", name=title)
    expect(sheet).to_be_visible()
    return sheet


def center(locator: Locator) -> tuple[float, float]:
    box = locator.bounding_box()
    assert box is not None
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def touch_drag(page: Page, start: Locator, end: Locator) -> None:
    """A real finger drag: touch events into Chromium's input pipeline, which turns them
    into pointer events with pointerType "touch" (Playwright's touchscreen only taps)."""
    # As a person does: the card well inside the window first. A touch at its very edge
    # is no drag of the card, and the browser takes the swipe for "back".
    start.evaluate("element => element.scrollIntoView({block: 'center'})")
    # Two frames drawn: the page has settled where the finger will land.
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    expect(start).to_be_in_viewport()
    cdp = page.context.new_cdp_session(page)
    (x0, y0), (x1, y1) = center(start), center(end)

    def touch(kind: str, x: float, y: float) -> None:
        points = [] if kind == "touchEnd" else [{"x": x, "y": y}]
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    touch("touchStart", x0, y0)
    for step in range(1, 13):
        touch("touchMove", x0 + (x1 - x0) * step / 12, y0 + (y1 - y0) * step / 12)
    touch("touchEnd", x1, y1)
    cdp.detach()


def mouse_drag(page: Page, start: Locator, end: Locator) -> None:
    """As a person drags: the card in view, dropped just inside the top of the target
    (a tall lane's middle may be below the window's edge)."""
    start.scroll_into_view_if_needed()
    (x0, y0), (x1, _) = center(start), center(end)
    box = end.bounding_box()
    assert box is not None
    y1 = box["y"] + min(box["height"] / 2, 40)
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x1, y1, steps=12)
    page.mouse.up()


@pytest.fixture
def two(
    live_cast: Cast, daphne_server: str, browser: Any
) -> Iterator[Callable[[], tuple[Page, Page]]]:
    """Opens the board for the mediator at a laptop and for Sam (party B) on a phone.
    Called after the test has set up the board: in the embedded mode the test process's
    events do not reach the server's in-memory channel layer, only its database."""
    pages: list[Page] = []

    def open_both() -> tuple[Page, Page]:
        pages.append(open_board(browser, daphne_server, live_cast, "mediator", **DESKTOP))
        pages.append(open_board(browser, daphne_server, live_cast, "party_b", **PHONE))
        return pages[0], pages[1]

    yield open_both
    for page in pages:
        page.context.close()


@pytest.mark.embedded
def test_an_edit_in_one_browser_shows_in_the_other(live_cast: Cast, two: Pair) -> None:
    mediator, sam = two()
    mediator.get_by_role("button", name="New issue").click()
    mediator.get_by_label("Title").fill("House")
    mediator.get_by_role("button", name="Add issue").click()
    expect(lane(sam, "agenda")).to_contain_text("House")

    sheet = open_sheet(sam, "House")
    sheet.get_by_label("Add an option").fill("Sell and split the proceeds")
    sheet.get_by_role("button", name="Add option").click()
    expect(card(mediator, "House")).to_contain_text("1 option")

    sheet.get_by_role("button", name="Edit title").click()
    sheet.get_by_label("Title").fill("The family house")
    sheet.get_by_role("button", name="Save").click()
    expect(
        lane(mediator, "agenda").get_by_role("button", name="The family house", exact=True)
    ).to_be_visible()
    # Sam is looking at it: the mediator sees whose avatar is on the card.
    expect(card(mediator, "The family house")).to_contain_text("Sam is viewing")
    eventually(lambda: Issue.objects.get().title == "The family house")


def test_sam_drags_an_issue_to_parked_on_the_phone(live_cast: Cast, two: Pair) -> None:
    command(live_cast, "mediator", "issue.create", title="House")
    command(live_cast, "mediator", "issue.create", title="Car")
    mediator, sam = two()
    expect(lane(sam, "agenda")).to_contain_text("Car")

    # A finger on the card's handle, dropped on the Parked lane's tab at the top.
    touch_drag(
        sam,
        card(sam, "House").locator("[data-drag-handle]"),
        sam.get_by_role("button", name=re.compile(r"^Parked")),
    )
    park = sam.get_by_role("dialog", name="Park “House”")
    expect(park).to_be_visible()
    park.get_by_label("Why park it?").fill("Waiting for the appraisal")
    back_on = (datetime.now() + timedelta(days=30)).replace(hour=9, minute=30)
    park.get_by_label("On", exact=True).fill(back_on.strftime("%Y-%m-%dT%H:%M"))
    park.get_by_label("When", exact=True).fill("the appraisal is in")
    park.get_by_role("button", name="Park issue").click()
    expect(lane(mediator, "parked")).to_contain_text("House")
    expect(lane(mediator, "parked")).to_contain_text("Waiting for the appraisal")
    expect(card(mediator, "House").locator("[data-way-back]")).to_contain_text(
        "when the appraisal is in"
    )
    expect(card(mediator, "House").locator("[data-way-back] time")).to_have_attribute(
        "datetime", re.compile(rf"^{back_on:%Y-%m}")
    )
    expect(lane(mediator, "agenda")).not_to_contain_text("House")

    # The same without dragging: the card's Move menu.
    card(sam, "Car").get_by_role("button", name="Move to…").click()
    sam.get_by_role("menuitem", name="Parked…").click()
    sam.get_by_role("dialog", name="Park “Car”").get_by_role("button", name="Park issue").click()
    expect(lane(mediator, "parked").locator("li[data-card-id]")).to_have_count(2)
    expect(lane(mediator, "parked").get_by_role("button", name="Car", exact=True)).to_be_visible()

    # Sam moves House below Car inside Parked: its reason and way back stay.
    card(sam, "House").get_by_role("button", name="Move to…").click()
    sam.get_by_role("menuitem", name="To the bottom of Parked").click()
    expect(lane(mediator, "parked").locator("li[data-card-id]").last).to_contain_text("House")
    expect(card(mediator, "House")).to_contain_text("Waiting for the appraisal")
    expect(card(mediator, "House")).to_contain_text("when the appraisal is in")
    ARTIFACTS.mkdir(exist_ok=True)
    sam.get_by_role("button", name=re.compile(r"^Parked")).click()
    sam.screenshot(path=str(ARTIFACTS / "parked-phone.png"))
    mediator.screenshot(path=str(ARTIFACTS / "parked-mediator.png"))

    # And the mediator's mouse takes Car on to Discussing.
    mouse_drag(
        mediator, card(mediator, "Car").locator("[data-drag-handle]"), lane(mediator, "discussing")
    )
    expect(lane(sam, "discussing")).to_contain_text("Car")
    eventually(
        lambda: (
            dict(Issue.objects.values_list("title", "lane"))
            == {"House": "parked", "Car": "discussing"}
        )
    )
    house = Issue.objects.get(title="House")
    assert house.parked_reason == "Waiting for the appraisal"
    assert house.parked_condition == "the appraisal is in"
    assert house.parked_until is not None
    assert abs((house.parked_until - back_on.astimezone()).total_seconds()) < 60


def test_two_people_editing_one_field_get_a_conflict_not_an_overwrite(
    live_cast: Cast, two: Pair
) -> None:
    command(live_cast, "mediator", "issue.create", title="House")
    mediator, sam = two()
    mine, theirs = open_sheet(mediator, "House"), open_sheet(sam, "House")

    mine.get_by_role("button", name="Edit title").click()
    mine.get_by_label("Title").fill("House (family home)")
    theirs.get_by_role("button", name="Edit title").click()
    theirs.get_by_label("Title").fill("The house")
    expect(mine.locator("[data-editing-marker]")).to_have_text("Sam is editing the title")

    mine.get_by_role("button", name="Save").click()
    eventually(lambda: Issue.objects.get().title == "House (family home)")
    theirs.get_by_role("button", name="Save").click()

    expect(
        theirs.get_by_text("Someone else changed the title while you were editing it.")
    ).to_be_visible()
    expect(theirs.locator('[data-conflict="mine"]')).to_have_text("The house")
    expect(theirs.locator('[data-conflict="theirs"]')).to_have_text("House (family home)")
    assert Issue.objects.get().title == "House (family home)"  # kept until Sam chooses
    expect(mine.get_by_role("heading", name="House (family home)")).to_be_visible()

    theirs.get_by_role("button", name="Keep mine (save over)").click()
    expect(mine.get_by_role("heading", name="The house")).to_be_visible()
    eventually(lambda: Issue.objects.get().title == "The house")

    # Sam's position, written by both at once: this time Sam takes the mediator's words.
    side = live_cast.side_b.pk
    mine.get_by_role("button", name=f"Edit {SAMS_POSITION}").click()
    mine.get_by_label(SAMS_POSITION).fill("Sam wants to sell")
    theirs.get_by_role("button", name=f"Edit {SAMS_POSITION}").click()
    theirs.get_by_label(SAMS_POSITION).fill("Sam wants to keep it")
    mine.get_by_role("button", name="Save").click()
    eventually(lambda: Position.objects.filter(side_id=side, text="Sam wants to sell").exists())
    theirs.get_by_role("button", name="Save").click()
    expect(theirs.locator('[data-conflict="mine"]')).to_have_text("Sam wants to keep it")
    expect(theirs.locator('[data-conflict="theirs"]')).to_have_text("Sam wants to sell")
    theirs.get_by_role("button", name="Use theirs").click()
    expect(theirs.locator(f'[data-position-side="{side}"]')).to_have_text("Sam wants to sell")
    assert Position.objects.get(side_id=side).text == "Sam wants to sell"


@pytest.mark.embedded
def test_both_recover_from_a_server_restart_and_nothing_acknowledged_is_lost(
    live_cast: Cast, restartable_server: Daphne, browser: Any
) -> None:
    server = restartable_server
    command(live_cast, "mediator", "issue.create", title="House")
    mediator = open_board(browser, server.url, live_cast, "mediator", **DESKTOP)
    sam = open_board(browser, server.url, live_cast, "party_b", **PHONE)

    sheet = open_sheet(mediator, "House")
    sheet.get_by_role("button", name="Edit title").click()
    sheet.get_by_label("Title").fill("House and garden")
    sheet.get_by_role("button", name="Save").click()
    expect(banner(mediator)).to_have_text("")  # acknowledged: nothing waits
    sheet.get_by_role("button", name="Close issue").click()
    assert Issue.objects.get().title == "House and garden"

    server.stop()
    for page in (mediator, sam):
        expect(banner(page)).to_have_text(re.compile("Reconnecting|offline"))

    # Sam writes while the server is down: it waits, and says so.
    sheet = open_sheet(sam, "House and garden")
    sheet.get_by_role("button", name=f"Edit {SAMS_POSITION}").click()
    sheet.get_by_label(SAMS_POSITION).fill("Sam keeps the garden")
    sheet.get_by_role("button", name="Save").click()
    expect(sheet.locator(f'[data-position-side="{live_cast.side_b.pk}"]')).to_have_text(
        "Sam keeps the garden"
    )
    expect(sheet.get_by_text("Waiting to be sent", exact=True)).to_be_visible()
    expect(sheet.get_by_role("status")).to_contain_text("1 change waiting to be sent")
    sheet.get_by_role("button", name="Close issue").click()
    expect(banner(sam)).to_contain_text("1 change waiting to be sent")
    assert not Position.objects.exists()

    server.start()
    for page in (mediator, sam):
        expect(board(page)).to_have_attribute("data-connection", "online", timeout=RECONNECT_MS)
        expect(banner(page)).to_have_text("")
    eventually(lambda: Position.objects.filter(text="Sam keeps the garden").exists())
    assert Issue.objects.get().title == "House and garden"

    sheet = open_sheet(mediator, "House and garden")
    expect(sheet.locator(f'[data-position-side="{live_cast.side_b.pk}"]')).to_have_text(
        "Sam keeps the garden"
    )
    expect(
        lane(sam, "agenda").get_by_role("button", name="House and garden", exact=True)
    ).to_be_visible()
    for page in (mediator, sam):
        page.context.close()


TOUCH_TARGETS = """() => [...document.querySelectorAll('main button, main a[href], dialog button')]
  .filter((el) => el.offsetParent !== null || el.closest('dialog'))
  .map((el) => [el.textContent.trim(), el.getBoundingClientRect()])
  .filter(([, r]) => r.width > 0 && (r.width < 44 || r.height < 44))
  .map(([text, r]) => `${text} ${Math.round(r.width)}x${Math.round(r.height)}`)"""


@pytest.mark.parametrize(("who", "size"), [("mediator", DESKTOP), ("party_b", PHONE)])
def test_the_board_and_the_sheet_are_accessible(
    live_cast: Cast, daphne_server: str, browser: Any, who: str, size: dict[str, Any]
) -> None:
    house = command(live_cast, "mediator", "issue.create", title="House", description="Home")
    command(live_cast, "mediator", "issue.create", title="Car")
    issue = house["id"]
    command(live_cast, "party_a", "position.set", issue=issue, side=live_cast.side_a.pk,
            text="Alex keeps the house", version=0)  # fmt: skip
    command(live_cast, "party_a", "interest.add", issue=issue, side=live_cast.side_a.pk,
            text="The children's school")  # fmt: skip
    command(live_cast, "mediator", "option.add", issue=issue, text="Sell and split")
    command(live_cast, "mediator", "criterion.add", issue=issue, text="Valuation", source="Bank")
    command(live_cast, "party_a", "proposal.create", issue=issue, terms="Alex pays 100k",
            amount="100000")  # fmt: skip
    command(live_cast, "attorney_a", "comment.add", issue=issue, body="We have a valuation.")
    page = open_board(browser, daphne_server, live_cast, who, **size)
    expect(card(page, "House")).to_contain_text("1 option · 1 proposal")

    assert axe_serious_violations(page) == []
    assert page.evaluate(TOUCH_TARGETS) == []

    # Keyboard only: the Move menu, then the sheet, which holds focus and gives it back.
    opener = page.get_by_role("button", name="Car", exact=True)
    card(page, "Car").get_by_role("button", name="Move to…").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("menuitem").first).to_be_focused()
    page.keyboard.press("ArrowDown")  # "To the bottom" is not there: Car is last; go on
    page.keyboard.press("Escape")
    expect(card(page, "Car").get_by_role("button", name="Move to…")).to_be_focused()
    card(page, "Car").get_by_role("button", name="Move to…").press("Enter")
    page.get_by_role("menuitem", name="Discussing").press("Enter")
    expect(lane(page, "discussing")).to_contain_text("Car")
    expect(opener).to_be_focused()

    page.get_by_role("button", name="House", exact=True).press("Enter")
    sheet = page.get_by_role("dialog", name="House")
    expect(sheet.get_by_role("heading", name="House", level=2)).to_be_focused()
    expect(sheet.get_by_text("Alex keeps the house")).to_be_visible()
    assert axe_serious_violations(page) == []
    assert page.evaluate(TOUCH_TARGETS) == []
    for _ in range(60):  # Tab never leaves the sheet
        page.keyboard.press("Tab")
        assert page.evaluate("() => !!document.activeElement.closest('dialog')")
    page.keyboard.press("Escape")
    expect(sheet).to_be_hidden()
    expect(page.get_by_role("button", name="House", exact=True)).to_be_focused()
    page.context.close()


# --- proposals and answers, by keyboard only ---------------------------------------------

ALEXS_POSITION = "Alex\u2019s position"


def focused(target: Locator) -> bool:
    return bool(target.evaluate("(el) => el === document.activeElement"))


def tab_to(page: Page, target: Locator, limit: int = 150) -> None:
    """Press Tab until `target` has the focus: proof it is on the keyboard's path."""
    for _ in range(limit):
        if focused(target):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {target}")


def type_in(page: Page, target: Locator, text: str) -> None:
    tab_to(page, target)
    page.keyboard.type(text)


def open_sheet_by_keyboard(page: Page, title: str) -> Locator:
    tab_to(page, page.get_by_role("button", name=title, exact=True))
    page.keyboard.press("Enter")
    sheet = page.get_by_role("dialog", name=title)
    expect(sheet.get_by_role("heading", name=title, level=2)).to_be_focused()
    return sheet


def proposal(sheet: Locator, terms: str) -> Locator:
    return sheet.locator("li[data-proposal]").filter(
        has=sheet.page.locator("p.terms", has_text=re.compile(f"^{re.escape(terms)}$"))
    )


def test_a_proposal_is_countered_and_the_counter_accepted_by_keyboard_alone(
    live_cast: Cast, daphne_server: str, browser: Any
) -> None:
    """Alex proposes terms with an amount; Sam, on the phone, counters (a new proposal,
    linked to Alex's); Alex accepts the counter. Each page shows both answers as they
    come, and nothing here is clicked: every action of the sheet has a keyboard path.

        Alex proposes 100,000 ──▶ Sam: Countered ──▶ Sam counters 120,000 ──▶ Alex: Accepted
                                                                  ──▶ House is Agreed, everywhere
    """
    command(live_cast, "mediator", "issue.create", title="House")
    alex = open_board(browser, daphne_server, live_cast, "party_a", **DESKTOP)
    sam = open_board(browser, daphne_server, live_cast, "party_b", **PHONE)
    maya = open_board(browser, daphne_server, live_cast, "mediator", **DESKTOP)
    offer = "Alex pays Sam for Sam's half of the house"
    counter = "Alex pays Sam more, and keeps the garden shed"

    sheet = open_sheet_by_keyboard(alex, "House")
    # A position, an interest, a criterion with its source, and that criterion edited.
    tab_to(alex, sheet.get_by_role("button", name=f"Edit {ALEXS_POSITION}"))
    alex.keyboard.press("Enter")
    expect(sheet.get_by_label(ALEXS_POSITION)).to_be_focused()
    alex.keyboard.type("Alex keeps the house")
    tab_to(alex, sheet.get_by_role("button", name="Save"))
    alex.keyboard.press("Enter")
    type_in(
        alex, sheet.get_by_label("Add an interest for Alex"), "The children stay at their school"
    )
    alex.keyboard.press("Enter")
    type_in(alex, sheet.get_by_label("Add a criterion"), "Valuation")
    type_in(alex, sheet.get_by_label("Source (optional)"), "Two bank appraisals")
    alex.keyboard.press("Enter")
    edit = sheet.get_by_role("button", name="Edit criterion: Valuation")
    tab_to(alex, edit)
    alex.keyboard.press("Enter")
    expect(sheet.get_by_label("Criterion", exact=True)).to_be_focused()
    alex.keyboard.press("Control+a")
    alex.keyboard.type("Market valuation")
    alex.keyboard.press("Enter")
    expect(sheet.get_by_role("button", name="Edit criterion: Market valuation")).to_be_focused()

    # The proposal, with an amount, then a comment on it.
    type_in(alex, sheet.get_by_label("Terms", exact=True), offer)
    type_in(alex, sheet.get_by_label("Amount in EUR (optional)"), "100000")
    alex.keyboard.press("Enter")
    expect(proposal(sheet, offer)).to_contain_text("Amount: €100,000")
    type_in(alex, sheet.get_by_label("Add a comment"), "The appraisals are in the shared folder.")
    tab_to(alex, sheet.get_by_role("button", name="Comment"))
    alex.keyboard.press("Enter")
    expect(sheet.get_by_text("The appraisals are in the shared folder.")).to_be_visible()

    # Sam counters, on the phone.
    theirs = open_sheet_by_keyboard(sam, "House")
    expect(theirs.get_by_text("Alex keeps the house")).to_be_visible()
    expect(theirs.get_by_text("Source: Two bank appraisals")).to_be_visible()
    expect(proposal(theirs, offer)).to_contain_text("Sam: No answer yet")
    tab_to(sam, proposal(theirs, offer).get_by_role("button", name=re.compile("^Answer")))
    sam.keyboard.press("Enter")
    expect(theirs.get_by_role("radio", name="Considering")).to_be_focused()
    sam.keyboard.press("ArrowDown")
    expect(theirs.get_by_role("radio", name="Counter with other terms")).to_be_checked()
    type_in(sam, theirs.get_by_label("Your terms"), counter)
    type_in(sam, proposal(theirs, offer).get_by_label("Amount in EUR (optional)"), "120000")
    type_in(sam, theirs.get_by_label("Note (optional)"), "The shed stays with Alex")
    sam.keyboard.press("Enter")
    expect(proposal(theirs, offer)).to_contain_text("Sam: Countered")
    expect(proposal(theirs, counter)).to_contain_text("Sam counters")

    # Alex sees it live, and accepts the counter.
    expect(proposal(sheet, offer)).to_contain_text("Sam: Countered")
    expect(proposal(sheet, offer)).to_contain_text("The shed stays with Alex")
    expect(proposal(sheet, counter)).to_contain_text(f"In answer to: \u201c{offer}\u201d")
    expect(proposal(sheet, counter)).to_contain_text("Amount: €120,000")
    tab_to(alex, proposal(sheet, counter).get_by_role("button", name=re.compile("^Answer")))
    alex.keyboard.press("Enter")
    expect(sheet.get_by_role("radio", name="Considering")).to_be_focused()
    alex.keyboard.press("ArrowUp")
    alex.keyboard.press("ArrowUp")
    expect(sheet.get_by_role("radio", name="Accept")).to_be_checked()
    # Accepting comes with Alex's word that he has what he needs to decide.
    word = sheet.get_by_role("checkbox", name="I have the information I need to decide")
    tab_to(alex, word)
    alex.keyboard.press("Space")
    expect(word).to_be_checked()
    tab_to(alex, sheet.get_by_role("button", name="Send answer"))
    alex.keyboard.press("Enter")

    # Sam proposed the counter and Alex accepted it: every side has, so the issue is agreed
    # on its terms, on every screen, and the keyboard stays on the proposal.
    expect(proposal(sheet, counter)).to_be_focused()
    for view in (sheet, theirs):
        expect(proposal(view, counter)).to_contain_text("Alex: Accepted")
        expect(proposal(view, counter)).to_contain_text("Accepted by every side")
        expect(proposal(view, offer)).to_contain_text("Sam: Countered")
        expect(view.locator("[data-decision=standing]")).to_contain_text("Agreed by every side")
    ARTIFACTS.mkdir(exist_ok=True)
    theirs.locator("[data-decision=standing]").scroll_into_view_if_needed()
    sam.screenshot(path=str(ARTIFACTS / "agreed-phone.png"))
    for page in (alex, sam, maya):
        expect(lane(page, "agreed")).to_contain_text("House")
        expect(card(page, "House")).to_contain_text("Agreed by every side")

    def answers(made: Proposal) -> dict[int, str]:
        return {r.side_id: r.answer for r in made.responses.all()}

    def settled() -> bool:
        first = Proposal.objects.filter(terms=offer).first()
        second = Proposal.objects.filter(terms=counter).first()
        return bool(
            first
            and second
            and second.counter_to_id == first.pk
            and answers(first) == {live_cast.side_b.pk: "counter"}
            and answers(second) == {live_cast.side_a.pk: "accept"}
        )

    eventually(settled)
    offered, countered = Proposal.objects.get(terms=offer), Proposal.objects.get(terms=counter)
    assert (str(offered.amount), str(countered.amount)) == ("100000.00", "120000.00")
    assert Criterion.objects.get().text == "Market valuation"
    assert Criterion.objects.get().source == "Two bank appraisals"
    assert Interest.objects.get().text == "The children stay at their school"
    assert Comment.objects.get().body == "The appraisals are in the shared folder."
    assert Position.objects.get().text == "Alex keeps the house"
    eventually(lambda: Issue.objects.get().lane == "agreed")
    assert countered.status == "accepted"
    for page in (alex, sam, maya):
        page.context.close()


@pytest.mark.parametrize(("who", "size"), [("party_a", DESKTOP), ("party_b", PHONE)])
def test_open_forms_menus_and_dialogs_are_accessible(
    live_cast: Cast, daphne_server: str, browser: Any, who: str, size: dict[str, Any]
) -> None:
    """axe with each thing open that the board and the sheet open: the New-issue form,
    the Move menu, the Park dialog, the request to strike, the answer form with its
    counter fields, an agreement waiting for the party's confirmation, and the conflict
    panel; and who is here, at both sizes."""
    house = command(live_cast, "mediator", "issue.create", title="House")
    command(live_cast, "mediator", "issue.create", title="Car")
    command(live_cast, "mediator", "decision.propose", issue=house["id"], kind="agree",
            terms="The house is sold and the proceeds split equally")  # fmt: skip
    command(live_cast, "mediator", "proposal.create", issue=house["id"], terms="Sell and split",
            amount="250000")  # fmt: skip
    command(live_cast, "mediator", "option.add", issue=house["id"], text="Sell")
    command(live_cast, "mediator", "criterion.add", issue=house["id"], text="Valuation", source="")
    page = open_board(browser, daphne_server, live_cast, who, **size)
    other = open_board(browser, daphne_server, live_cast, "mediator", **DESKTOP)
    here = page.locator("[data-who-is-here]")
    expect(here.locator("[data-online-participant]")).to_have_count(2)
    expect(here).to_contain_text("Maya")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= size["viewport"]["width"]

    def check(state: str) -> None:
        assert (state, axe_serious_violations(page)) == (state, [])
        assert (state, page.evaluate(TOUCH_TARGETS)) == (state, [])

    page.get_by_role("button", name="New issue").click()
    expect(page.get_by_label("Title")).to_be_visible()
    check("new issue form")
    page.get_by_role("button", name="Done").press("Enter")
    expect(page.get_by_role("button", name="New issue")).to_be_focused()

    card(page, "Car").get_by_role("button", name="Move to…").click()
    expect(page.get_by_role("menu")).to_be_visible()
    check("move menu")
    page.get_by_role("menuitem", name="Parked…").click()
    park = page.get_by_role("dialog", name="Park “Car”")
    expect(park).to_be_visible()
    check("park dialog")
    park.get_by_role("button", name="Cancel").click()
    expect(park).to_be_hidden()

    card(page, "Car").get_by_role("button", name="Move to…").click()
    page.get_by_role("menuitem", name="Ask to strike…").click()
    strike = page.get_by_role("dialog", name="Ask to strike: “Car”")
    check("strike dialog")
    strike.get_by_role("button", name="Cancel").click()
    expect(strike).to_be_hidden()

    sheet = open_sheet(page, "House")
    expect(sheet.locator("[data-decision=waiting]")).to_contain_text("The house is sold")
    expect(sheet.get_by_role("button", name="Confirm for my side…")).to_be_visible()
    sheet.get_by_role("button", name=re.compile("^Answer")).click()
    sheet.get_by_role("radio", name="Counter with other terms").check()
    expect(sheet.get_by_label("Your terms")).to_be_visible()
    check("answer form")
    sheet.get_by_role("button", name="Cancel").click()

    sheet.get_by_role("button", name="Edit option: Sell").click()
    sheet.get_by_label("Option", exact=True).fill("Sell now")
    # Meanwhile the mediator changes it first.
    other_sheet = open_sheet(other, "House")
    other_sheet.get_by_role("button", name="Edit option: Sell").click()
    other_sheet.get_by_label("Option", exact=True).fill("Sell next spring")
    other_sheet.get_by_role("button", name="Save").click()
    eventually(lambda: Option.objects.get().text == "Sell next spring")
    sheet.get_by_role("button", name="Save").click()
    expect(
        sheet.get_by_text(
            "Someone else changed the option “Sell next spring” while you were editing it."
        )
    ).to_be_visible()
    check("conflict panel")
    for p in (page, other):
        p.context.close()
