"""Every page is served under a strict Content-Security-Policy, and none needs an inline
script to work."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.conftest import Cast


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


def inline_scripts(page: str) -> list[str]:
    return [tag for tag in re.findall(r"<script[^>]*>", page) if "src=" not in tag]


@pytest.mark.parametrize("path", ["/", "/signin", "/api/docs/", "/api/auth/session/"])
def test_it_sends_a_strict_policy(db: None, path: str) -> None:
    rules = policy(Client().get(path))
    assert rules["script-src"] == ["'self'"]
    assert rules["style-src"] == ["'self'"]
    assert rules["object-src"] == ["'none'"]
    assert rules["frame-ancestors"] == ["'none'"]
    assert rules["base-uri"] == ["'none'"]


def test_the_mediation_page_is_under_the_policy(cast: Cast) -> None:
    client = Client()
    client.force_login(cast.users["party_a"])
    response = client.get(f"/mediations/{cast.mediation.pk}")
    assert policy(response)["script-src"] == ["'self'"]
    assert inline_scripts(response.content.decode()) == []


def test_the_api_docs_need_no_inline_script_or_style(db: None) -> None:
    page = Client().get("/api/docs/").content.decode()
    script = Client().get("/api/docs/?script=")
    assert inline_scripts(page) == []
    assert "<style" not in page
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()


def test_only_the_admin_may_use_inline_styles_and_never_inline_scripts(staff: Client) -> None:
    rules = policy(staff.get("/admin/"))
    assert "'unsafe-inline'" in rules["style-src"]
    assert rules["script-src"] == ["'self'"]
