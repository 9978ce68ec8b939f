"""Only Parley's own origin opens a socket: scheme, host and port, exactly."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.test import override_settings

from config.origins import origin_allowed
from tests.conftest import Cast
from tests.negotiation.test_socket import communicator, session_cookie


def scope(origin: str | None, host: str = "127.0.0.1:8000", **headers: str) -> dict[str, Any]:
    sent = [(b"host", host.encode())] + [
        (name.replace("_", "-").encode(), value.encode()) for name, value in headers.items()
    ]
    if origin is not None:
        sent.append((b"origin", origin.encode()))
    return {"type": "websocket", "headers": sent}


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("http://127.0.0.1:8000", True),
        ("HTTP://127.0.0.1:8000", True),
        ("http://127.0.0.1:8199", False),
        ("http://127.0.0.1", False),
        ("https://127.0.0.1:8000", False),
        ("http://localhost:8000", False),
        ("null", False),
        (None, False),
    ],
)
def test_it_takes_only_the_sockets_own_origin(origin: str | None, allowed: bool) -> None:
    assert origin_allowed(scope(origin)) is allowed


def test_it_refuses_a_host_outside_allowed_hosts() -> None:
    assert origin_allowed(scope("http://evil.example.com", host="evil.example.com")) is False


@override_settings(CSRF_TRUSTED_ORIGINS=["https://parley.example.org"])
def test_it_takes_a_trusted_origin_for_a_proxy_that_rewrites_the_host() -> None:
    assert origin_allowed(scope("https://parley.example.org", host="web:8000")) is True
    assert origin_allowed(scope("https://parley.example.org:8443", host="web:8000")) is False


@override_settings(
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"), ALLOWED_HOSTS=["p.example"]
)
def test_behind_a_tls_proxy_the_scheme_is_what_the_proxy_says() -> None:
    assert origin_allowed(scope("https://p.example", host="p.example", x_forwarded_proto="https"))
    assert not origin_allowed(scope("https://p.example", host="p.example"))
    assert not origin_allowed(
        scope("http://p.example", host="p.example", x_forwarded_proto="https")
    )


def test_without_a_proxy_setting_a_forwarded_scheme_is_not_believed() -> None:
    assert not origin_allowed(scope("https://127.0.0.1:8000", x_forwarded_proto="https"))


@pytest.mark.django_db(transaction=True)
async def test_a_page_on_another_port_cannot_open_a_partys_socket(live_cast: Cast) -> None:
    cookie = await sync_to_async(session_cookie)(live_cast.users["party_a"])
    path = f"/ws/mediations/{live_cast.mediation.pk}/"
    other_port = communicator(path, cookie, origin=b"http://127.0.0.1:8199")
    own = communicator(path, cookie)
    refused, _ = await other_port.connect()
    accepted, _ = await own.connect()
    await own.disconnect()
    assert (refused, accepted) == (False, True)
