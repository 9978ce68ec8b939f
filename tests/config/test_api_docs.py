from __future__ import annotations

from django.core.management import call_command
from django.test import Client


def test_the_schema_is_openapi_3_and_lists_the_endpoints(db: None) -> None:
    response = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert {
        "/api/mediations/",
        "/api/mediations/{mediation_id}/invitations/",
        "/api/invitations/redeem/",
    } <= set(schema["paths"])


def test_the_schema_generates_without_warnings(tmp_path) -> None:
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))
    assert (tmp_path / "s.yml").read_text().startswith("openapi: 3")


def test_the_interactive_docs_are_served_without_a_cdn(db: None) -> None:
    page = Client().get("/api/docs/").content.decode()
    assert "swagger-ui" in page
    assert "cdn" not in page.lower()
