"""Which pages may open a socket: only Parley's own origin, exactly.

Channels' AllowedHostsOriginValidator compares host names only, so a page on the same
host under another port or scheme (any other web service on the machine, which matters
most when Parley listens on a LAN) could open a signed-in party's socket: cookies ignore
ports, and SameSite=Lax treats both as the same site. This validator asks what Django's
CSRF check asks of a form post: the Origin is the socket's own scheme, host and port
(the Host header, which must be one of ALLOWED_HOSTS), or one of CSRF_TRUSTED_ORIGINS
(for a proxy that rewrites the host). The scheme is https when the connection is (wss),
or, behind a TLS proxy named by SECURE_PROXY_SSL_HEADER, when the proxy says so.
"""

from __future__ import annotations

from typing import Any

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host


def _header(scope: dict[str, Any], name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin1"))
    return None


def _scheme(scope: dict[str, Any]) -> str:
    if scope.get("scheme") == "wss":
        return "https"
    proxy = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if proxy:
        header, secure = proxy
        name = header.removeprefix("HTTP_").lower().replace("_", "-").encode()
        forwarded = _header(scope, name)
        if forwarded is not None and forwarded.split(",")[0].strip() == secure:
            return "https"
    return "http"


def origin_allowed(scope: dict[str, Any]) -> bool:
    origin = _header(scope, b"origin")
    host = _header(scope, b"host")
    if not origin or not host:
        return False
    origin, host = origin.lower(), host.lower()
    if origin in {trusted.lower() for trusted in settings.CSRF_TRUSTED_ORIGINS}:
        return True
    domain, _port = split_domain_port(host)
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return False
    return origin == f"{_scheme(scope)}://{host}"


class SameOriginValidator:
    """ASGI middleware: refuse a socket handshake from any other origin (403)."""

    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if scope["type"] == "websocket" and not origin_allowed(scope):
            return await WebsocketDenier.as_asgi()(scope, receive, send)
        return await self.application(scope, receive, send)
