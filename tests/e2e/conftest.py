"""Browser tests: Playwright drives Debian's Chromium against a live Daphne that serves
the built front end and reads the test database."""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.db import connections

from tests.conftest import Cast, run
from tests.servers import Daphne

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("PARLEY_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def daphne_server(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    """A Daphne process on the test database, for the whole session."""
    server = Daphne()
    server.start()
    yield server.url
    server.stop()


@pytest.fixture
def restartable_server(django_db_setup: None) -> Iterator[Daphne]:
    """A Daphne of this test's own, which the test may stop and start again on the same
    port (`.stop()`, `.start()`); the session's `daphne_server` is left alone."""
    server = Daphne()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    """Chromium, for this package's tests only: Playwright's sync API holds an event loop
    in the main thread while it is open, which async tests elsewhere cannot share."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"No Chromium at {CHROMIUM}: the test command installs Debian's chromium.")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread while it is open; the
    # tests' own database calls are still plain synchronous ones.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
            )
            yield browser
            browser.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture(autouse=True)
def _no_content_security_policy_violations(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Every page a test opens runs under the server's Content-Security-Policy; anything
    it refuses (an inline script, a style attribute, a connection elsewhere) fails the
    test, so a screen that works only without the policy cannot land."""
    if "browser" not in request.fixturenames:
        yield
        return
    browser = request.getfixturevalue("browser")
    refused: list[str] = []
    new_context = browser.new_context

    def watched(*args: Any, **kwargs: Any) -> Any:
        context = new_context(*args, **kwargs)
        context.on(
            "console",
            lambda message: (
                refused.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        return context

    monkeypatch.setattr(browser, "new_context", watched)
    yield
    assert refused == [], "the Content-Security-Policy refused something"


def command(cast: Cast, who: str, name: str, **data: Any) -> dict[str, Any]:
    """Run a command as a persona from another thread: the test's own thread holds
    Playwright's event loop, where the service could not hand its event to the layer."""

    def in_thread() -> dict[str, Any]:
        try:
            return run(cast, who, name, **data)
        finally:
            connections.close_all()  # this thread's own connection

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(in_thread).result()


@pytest.fixture
def rule_accepted(live_cast: Cast) -> None:
    """Everyone at the table has accepted the case's confidentiality rule, so the board is
    not behind its dialog (tests/e2e/test_caucus.py goes through the dialog itself). A
    module asks for it with `pytest.mark.usefixtures("rule_accepted")`."""
    live_cast.mediation.refresh_from_db()
    for who in ("mediator", "party_a", "party_b", "attorney_a", "observer"):
        command(live_cast, who, "rule.acknowledge", rule=live_cast.mediation.confidentiality_rule)


def session_cookie(user: Any, server_url: str) -> dict[str, str]:
    """A signed-in session for `user`, as a cookie for a browser context."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    return {"name": name, "value": client.cookies[name].value, "url": server_url}


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    """A page in a fresh browser context at a 390 by 844 phone viewport."""
    context = browser.new_context(**PHONE)
    page = context.new_page()
    yield page
    context.close()


def axe_serious_violations(page: Any) -> list[dict[str, Any]]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
