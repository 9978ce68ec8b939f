"""Django serves the built front end: index.html for every screen, assets through
whitenoise. The test command builds the front end before running the suite."""

from __future__ import annotations

import gzip
import re

import pytest
from django.conf import settings
from django.test import Client

MAX_GZIPPED_JS = 60 * 1024


@pytest.fixture
def index_html() -> str:
    index = settings.FRONTEND_DIST / "index.html"
    assert index.is_file(), "Build the front end first: cd frontend && npm ci && npm run build"
    return index.read_text()


@pytest.mark.parametrize("path", ["/", "/signin", "/invite", "/mediations/x"])
def test_every_screen_gets_the_app(db: None, index_html: str, path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 200
    assert response.content.decode() == index_html
    assert "csrftoken" in response.cookies


def test_the_assets_are_served(db: None, index_html: str) -> None:
    scripts = re.findall(r'src="(/static/[^"]+\.js)"', index_html)
    assert scripts
    for script in scripts:
        response = Client().get(script)
        assert response.status_code == 200


def test_the_first_load_is_small(index_html: str) -> None:
    scripts = re.findall(r'(?:src|href)="/static/([^"]+\.js)"', index_html)
    total = sum(
        len(gzip.compress((settings.FRONTEND_DIST / script).read_bytes(), compresslevel=9))
        for script in scripts
    )
    assert scripts
    assert total < MAX_GZIPPED_JS, f"{total} bytes of gzipped JavaScript on first load"
