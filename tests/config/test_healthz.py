from __future__ import annotations

from unittest import mock

from django.test import Client


def test_it_reports_ok(db: None) -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "channel_layer": "ok"}


def test_it_reports_a_failing_channel_layer(db: None) -> None:
    with mock.patch("config.views.get_channel_layer", side_effect=ConnectionError("down")):
        response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["channel_layer"] == "failing"
