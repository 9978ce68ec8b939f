"""Caucus rooms in three browsers: the mediator at a laptop (1280 by 800), Alex (party A)
and Sam (party B) on phones (390 by 844). The mediator calls Alex to caucus; what Alex
and the mediator say, note and figure there never reaches Sam's browser, in any response
or socket frame or on the page, until Alex releases a paraphrase, which Sam then sees on
the joint board and nothing more.

    mediator ──call, open──▶ Alex's private room ◀── Alex: chat, note, worksheet
        │                          │
        └── "Ask to share…" ──▶ Alex: "Share a paraphrase" ──▶ joint board ──▶ Sam
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Response, ViewportSize, WebSocket, expect

from negotiation.models import CaucusMessage, Participant, ReleaseRequest, SharedStatement
from tests.conftest import Cast
from tests.e2e.conftest import PHONE, Daphne, axe_serious_violations, session_cookie
from tests.e2e.test_board import DESKTOP, RECONNECT_MS, TOUCH_TARGETS, command, eventually

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RULE_DIALOG = "How confidentiality works here"
APOS = "\u2019"  # the page's typographic apostrophe


@dataclass
class Recorder:
    """Everything one browser page receives: HTTP response bodies (with their URLs),
    socket frames, and the page's DOM at chosen moments. A body that could not be read is
    kept in `unread`, never passed over: what was not read cannot be shown to hold no
    secret."""

    bodies: list[tuple[str, str]] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)
    frames: list[str] = field(default_factory=list)
    doms: list[str] = field(default_factory=list)

    def attach(self, page: Page) -> None:
        page.on("response", self._response)
        page.on("websocket", self._websocket)

    def _response(self, response: Response) -> None:
        if 300 <= response.status < 400:
            return  # a redirect has no body; the response it leads to is recorded
        try:
            body = response.body()
        except Exception as error:
            self.unread.append(f"{response.url}: {error}")
            return
        self.bodies.append((response.url, body.decode("utf-8", "replace")))

    def api_paths(self, since: int = 0) -> set[str]:
        """The API paths whose responses were read, from the `since`th body on."""
        return {urlsplit(url).path for url, _ in self.bodies[since:] if "/api/" in url}

    def _websocket(self, ws: WebSocket) -> None:
        def received(payload: str | bytes) -> None:
            text = payload if isinstance(payload, str) else payload.decode("utf-8", "replace")
            self.frames.append(text)

        ws.on("framereceived", received)

    def snapshot(self, page: Page) -> None:
        self.doms.append(page.content())

    def leaks(self, *markers: str) -> list[str]:
        found = []
        http = [text for _, text in self.bodies]
        for kind, texts in (("http", http), ("ws", self.frames), ("dom", self.doms)):
            for index, text in enumerate(texts):
                lowered = text.lower()
                found += [f"{kind}[{index}] has {m!r}" for m in markers if m.lower() in lowered]
        return found


def open_page(
    browser: Any,
    server: str,
    cast: Cast,
    who: str,
    size: dict[str, Any],
    recorder: Recorder | None = None,
) -> Page:
    ctx = browser.new_context(**size)
    ctx.add_cookies([session_cookie(cast.users[who], server)])
    page: Page = ctx.new_page()
    if recorder is not None:
        recorder.attach(page)
    page.goto(f"{server}/mediations/{cast.mediation.pk}")
    expect(page.locator("[data-board]")).to_have_attribute("data-connection", "online")
    return page


def accept_rule(page: Page, *, keyboard: bool = False) -> None:
    dialog = page.get_by_role("dialog", name=RULE_DIALOG)
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("stays there unless you decide to share it")
    if keyboard:
        expect(dialog.get_by_role("heading", name=RULE_DIALOG)).to_be_focused()
        page.keyboard.press("Tab")
        expect(dialog.get_by_role("button", name="I understand and accept")).to_be_focused()
        page.keyboard.press("Enter")
    else:
        dialog.get_by_role("button", name="I understand and accept").click()
    expect(dialog).to_be_hidden()


def accessible_at_both_sizes(page: Page, what: str) -> None:
    """No serious or critical axe finding and no small touch target, on a phone and on
    a laptop; the page is left at the size it had."""
    before = page.viewport_size
    sizes: list[ViewportSize] = [{"width": 390, "height": 844}, {"width": 1280, "height": 800}]
    for size in sizes:
        page.set_viewport_size(size)
        assert axe_serious_violations(page) == [], f"{what} at {size}"
        assert page.evaluate(TOUCH_TARGETS) == [], f"{what} at {size}"
    if before is not None:
        page.set_viewport_size(before)


@dataclass
class Three:
    mediator: Page
    alex: Page
    sam: Page
    sam_sees: Recorder


@pytest.fixture
def three(live_cast: Cast, daphne_server: str, browser: Any) -> Iterator[Three]:
    """The mediator at a laptop, Alex and Sam on phones; everything Sam's page receives
    is recorded from before it loads."""
    command(live_cast, "mediator", "issue.create", title="House")
    sam_sees = Recorder()
    pages = Three(
        sam=open_page(browser, daphne_server, live_cast, "party_b", PHONE, sam_sees),
        mediator=open_page(browser, daphne_server, live_cast, "mediator", DESKTOP),
        alex=open_page(browser, daphne_server, live_cast, "party_a", PHONE),
        sam_sees=sam_sees,
    )
    yield pages
    for page in (pages.sam, pages.mediator, pages.alex):
        page.context.close()


@pytest.mark.embedded
def test_nothing_said_in_alexs_caucus_reaches_sam_until_alex_releases_a_paraphrase(
    live_cast: Cast, three: Three
) -> None:
    mediator, alex, sam, sam_sees = three.mediator, three.alex, three.sam, three.sam_sees
    tag = uuid.uuid4().hex[:10]
    secrets = {
        "chat": f"alexchat{tag}",
        "confidential": f"alexsecret{tag}",
        "reply": f"mediatorreply{tag}",
        "note": f"alexnote{tag}",
        "worksheet": f"alexbatna{tag}",
    }
    # Alex's range: no other side may ever see it. Cents keep the figures from matching
    # the microseconds of a timestamp.
    figure, high = "734911.37", "912345.67"
    paraphrase = f"Alex could accept a later sale date ({tag[:4]})"

    # The parties accept the rule through the dialog, Alex by keyboard alone; the
    # mediator, who sets the rule and is bound by it, is not asked.
    accept_rule(sam)
    expect(mediator.get_by_role("dialog", name=RULE_DIALOG)).to_have_count(0)
    expect(alex.get_by_role("dialog", name=RULE_DIALOG)).to_be_visible()
    accessible_at_both_sizes(alex, "the rule dialog")
    accept_rule(alex, keyboard=True)
    eventually(
        lambda: (
            Participant.objects.filter(rule_acknowledged="confidential_unless_released").count()
            == 2
        )
    )

    # Sam keeps a range of his own in his private room.
    sam.get_by_role("tab", name="Private room").click()
    sam.get_by_label("From (low end)").fill("800000")
    sam.get_by_label("To (high end)").fill("950000")
    sam.get_by_role("button", name="Save worksheet").click()
    expect(
        sam.locator("[data-caucus-room]").get_by_role("status").filter(has_text="Saved.")
    ).to_be_visible()

    # The mediator calls Alex to caucus; Alex's phone says so; the mediator opens it.
    mediator.get_by_role("tab", name=re.compile("^Private rooms")).click()
    mediator.get_by_role("button", name="Call Alex to caucus").click()
    prompt = alex.get_by_role("alert").filter(
        has_text="The mediator has asked to talk with you privately"
    )
    expect(prompt).to_be_visible()
    # The notification centre has it too, in its fixed words only.
    bell = alex.locator("[data-notification-bell]")
    expect(bell.locator("[data-unread]")).to_have_attribute("data-unread", "1")
    bell.click()
    expect(alex.get_by_role("region", name="Notifications")).to_contain_text(
        "The mediator asks to meet you privately."
    )
    bell.click()
    expect(sam.locator("[data-called-prompt]")).to_have_count(0)
    mediator.get_by_role("button", name=f"Open Alex{APOS}s caucus").click()
    expect(mediator.locator('[data-switcher-side] [data-caucus-status="open"]')).to_be_visible()
    alex.locator("[data-called-prompt]").get_by_role("button", name="Open my private room").click()
    room = alex.locator("[data-caucus-room]")
    expect(room.get_by_role("heading", name="Your private room")).to_be_visible()

    # Alex and the mediator talk.
    alex.get_by_label("Message to the mediator").fill(f"Between us: {secrets['chat']}")
    alex.get_by_role("button", name="Send", exact=True).click()
    # The room grows when the first message lands: wait, so no click hits a moving box.
    expect(room.locator("[data-message]")).to_have_count(1)
    alex.get_by_label("Message to the mediator").fill(f"Never tell Sam: {secrets['confidential']}")
    room.get_by_role("region", name="Conversation").get_by_label("Keep confidential").check()
    alex.get_by_role("button", name="Send", exact=True).click()
    expect(mediator.locator("[data-message]")).to_have_count(2)
    expect(
        mediator.locator("[data-message]").filter(has_text=secrets["confidential"])
    ).to_contain_text("Confidential")
    mediator.get_by_label("Message to Alex").fill(f"Understood. {secrets['reply']}")
    mediator.get_by_role("button", name="Send", exact=True).click()
    expect(room.locator("[data-message]").filter(has_text=secrets["reply"])).to_be_visible()
    sam_sees.snapshot(sam)

    # Sam's phone reloads mid-caucus: the page reads the REST API afresh and its socket
    # syncs every room it may see; all of that is recorded too.
    bodies_before, frames_before = len(sam_sees.bodies), len(sam_sees.frames)
    sam.reload()
    expect(sam.locator("[data-board]")).to_have_attribute("data-connection", "online")
    mediation_api = f"/api/mediations/{live_cast.mediation.pk}/"
    assert {mediation_api, f"{mediation_api}participants/"} <= sam_sees.api_paths(bodies_before)
    waited = 0
    while not any('"synced"' in f for f in sam_sees.frames[frames_before:]):
        assert waited < 10_000, "the reloaded page never synced"
        sam.wait_for_timeout(100)  # Playwright delivers frames while it waits, not in sleep
        waited += 100
    sam.get_by_role("tab", name="Private room").click()
    expect(sam.locator("[data-caucus-room]")).to_be_visible()
    sam_sees.snapshot(sam)

    # A private note and the worksheet, with Alex's figures.
    alex.get_by_label("Note", exact=True).fill(f"My bottom line: {secrets['note']}")
    alex.get_by_role("button", name="Add note").click()
    expect(room.locator("[data-note]")).to_contain_text(secrets["note"])
    alex.get_by_label("Best alternative").fill(f"Keep renting: {secrets['worksheet']}")
    alex.get_by_label("From (low end)").fill(figure)
    alex.get_by_label("To (high end)").fill(high)
    alex.get_by_label("How sure are you?").fill("70")
    alex.get_by_role("button", name="Save worksheet").click()
    expect(room.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
    expect(mediator.locator("[data-caucus-room]").get_by_label("From (low end)")).to_have_value(
        figure
    )
    accessible_at_both_sizes(alex, "the caucus screen")
    assert axe_serious_violations(mediator) == [], "the mediator's console"
    assert mediator.evaluate(TOUCH_TARGETS) == [], "the mediator's console"
    sam_sees.snapshot(sam)

    # The mediator compares the ranges: each side learns yes or no, and no figure.
    mediator.get_by_role("button", name="Check the overlap on House").click()
    expect(mediator.get_by_text("The ranges overlap. Each side has been told.")).to_be_visible()
    expect(room.locator('[data-overlap="yes"]')).to_contain_text("Your ranges overlap.")
    expect(sam.locator('[data-caucus-room] [data-overlap="yes"]')).to_contain_text(
        "Your ranges overlap."
    )
    sam_sees.snapshot(sam)
    sam.get_by_role("tab", name="Board").click()

    # The mediator asks to share Alex's first message.
    mediator.locator("[data-message]").filter(has_text=secrets["chat"]).get_by_role(
        "button", name="Ask to share…"
    ).click()
    draft = mediator.get_by_role("dialog", name="Ask Alex to share")
    expect(draft.get_by_label("Proposed wording")).to_have_value(f"Between us: {secrets['chat']}")
    assert axe_serious_violations(mediator) == [], "the draft dialog"
    draft.get_by_label("Issue").select_option(label="House")
    draft.get_by_role("button", name="Ask Alex").click()
    expect(draft).to_be_hidden()
    sam_sees.snapshot(sam)

    # Alex decides: a paraphrase, from Alex's side.
    room.get_by_role("button", name="Decide what to share…").click()
    answer = alex.get_by_role("dialog", name="Share this with the other side?")
    expect(answer).to_contain_text(secrets["chat"])
    answer.get_by_label("Share a paraphrase").check()
    expect(answer.get_by_label("Your wording")).to_have_value(f"Between us: {secrets['chat']}")
    answer.get_by_label("Your wording").fill(paraphrase)
    expect(answer.get_by_label("From my side")).to_be_checked()
    expect(answer.locator("[data-preview]")).to_have_text(paraphrase)
    accessible_at_both_sizes(alex, "the release dialog")
    answer.get_by_role("button", name="Send my answer").click()
    expect(answer).to_be_hidden()

    # Sam sees exactly the paraphrase, from Alex, and nothing of the original.
    shared = sam.locator("[data-board] [data-shared-statements]")
    expect(shared.locator("[data-statement]")).to_have_count(1)
    expect(shared.locator("[data-statement] .text")).to_have_text(paraphrase)
    expect(shared).to_contain_text("From Alex")
    expect(shared).to_contain_text("on “House”")
    sam.get_by_role("button", name="House", exact=True).click()
    expect(sam.get_by_role("dialog", name="House")).to_contain_text(paraphrase)
    sam_sees.snapshot(sam)

    eventually(lambda: SharedStatement.objects.filter(text=paraphrase).exists())
    assert ReleaseRequest.objects.get().mode == "paraphrase"
    assert CaucusMessage.objects.filter(confidential=True).count() == 1

    assert sam_sees.frames, "the recorder saw no socket frame at all"
    assert sam_sees.unread == [], "responses whose bodies could not be read"
    assert sam_sees.api_paths(), "the recorder read no API response at all"
    assert any(paraphrase in frame for frame in sam_sees.frames)
    assert sam_sees.leaks(paraphrase), "the recorder would have seen what Sam received"
    assert sam_sees.leaks(*secrets.values(), figure, high) == []


def test_a_removed_party_loses_everything_on_screen_at_once(
    live_cast: Cast, daphne_server: str, browser: Any
) -> None:
    """Access ends while the page is open (close code 4403): the page drops what it held
    and says so, and does not reconnect."""
    for who in ("mediator", "party_b"):
        command(live_cast, who, "rule.acknowledge", rule="confidential_unless_released")
    command(live_cast, "mediator", "issue.create", title="House")
    sam = open_page(browser, daphne_server, live_cast, "party_b", PHONE)
    mediator = open_page(browser, daphne_server, live_cast, "mediator", DESKTOP)
    expect(sam.get_by_role("button", name="House", exact=True)).to_be_visible()

    # Through the server's own REST endpoint, so its channel layer tells Sam's socket.
    status = mediator.evaluate(
        """async (participant) => {
          const csrf = document.cookie.split('; ').find((c) => c.startsWith('csrftoken='));
          const response = await fetch(location.pathname.replace('/mediations/',
            '/api/mediations/') + '/commands/participant.remove/', {
            method: 'POST', credentials: 'same-origin',
            headers: {'Content-Type': 'application/json', 'Idempotency-Key': crypto.randomUUID(),
                      'X-CSRFToken': csrf ? decodeURIComponent(csrf.split('=')[1]) : ''},
            body: JSON.stringify({participant}),
          });
          return response.status;
        }""",
        live_cast.participants["party_b"].pk,
    )
    assert status == 200
    ended = sam.get_by_role("alert").filter(has_text="Your access to this mediation has ended")
    expect(ended).to_be_visible()
    expect(sam.locator("[data-board]")).to_have_count(0)
    expect(sam.get_by_text("House", exact=True)).to_have_count(0)
    sockets: list[WebSocket] = []
    sam.on("websocket", lambda ws: sockets.append(ws))
    sam.wait_for_timeout(3000)
    assert sockets == [], "the page tried to reconnect after its access ended"
    for page in (sam, mediator):
        page.context.close()


def test_a_party_removed_while_away_is_told_so_on_return(
    live_cast: Cast, restartable_server: Daphne, browser: Any
) -> None:
    """Removed while the connection was down: the server refuses the handshake, which a
    browser sees only as a failed connection; the page asks and ends, not retrying forever."""
    server = restartable_server
    command(live_cast, "mediator", "issue.create", title="House")
    sam = open_page(browser, server.url, live_cast, "party_b", PHONE)
    expect(sam.get_by_role("button", name="House", exact=True)).to_be_visible()

    server.stop()
    expect(sam.locator("[data-board]")).not_to_have_attribute("data-connection", "online")
    command(live_cast, "mediator", "participant.remove",
            participant=live_cast.participants["party_b"].pk)  # fmt: skip
    server.start()

    ended = sam.get_by_role("alert").filter(has_text="Your access to this mediation has ended")
    expect(ended).to_be_visible(timeout=RECONNECT_MS)
    expect(sam.get_by_text("House", exact=True)).to_have_count(0)
    sockets: list[WebSocket] = []
    sam.on("websocket", lambda ws: sockets.append(ws))
    sam.wait_for_timeout(3000)
    assert sockets == [], "the page kept trying after its access ended"
    sam.context.close()
