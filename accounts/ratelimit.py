"""Rate limits in fixed windows, in the shared cache (Redis when configured): failed
sign-ins per e-mail address and per client address, and fresh invitation links per
address."""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from config.errors import ServiceError


class RateLimited(ServiceError):
    code = "rate_limited"
    status = 429


def client_address(request: HttpRequest | None) -> str:
    """Who is asking, as the connection says: REMOTE_ADDR, which Daphne sets from the
    proxy's X-Forwarded-For only when started with --proxy-headers behind that proxy.
    Headers the client sends itself are never believed."""
    meta = request.META if request is not None else {}
    return str(meta.get("REMOTE_ADDR") or "unknown")


def lockout_message(retry_after: int) -> str:
    minutes = max(1, round(retry_after / 60))
    return f"Too many sign-in attempts. Try again in {minutes} minute{'s' if minutes != 1 else ''}."


def _key(kind: str, value: str, window: int) -> str:
    digest = hashlib.sha256(value.lower().encode()).hexdigest()[:32]
    return f"signin-failures:{kind}:{digest}:{window}"


def _window() -> tuple[int, int]:
    size = settings.PARLEY_SIGNIN_WINDOW_SECONDS
    now = int(time.time())
    return now // size, size - now % size


def signin_retry_after(*, email: str, client: str) -> int | None:
    """Seconds until the next attempt is allowed, or None if it is allowed now."""
    window, remaining = _window()
    by_email = cache.get(_key("email", email, window), 0)
    by_client = cache.get(_key("client", client, window), 0)
    if (
        by_email >= settings.PARLEY_SIGNIN_FAILURES_PER_EMAIL
        or by_client >= settings.PARLEY_SIGNIN_FAILURES_PER_CLIENT
    ):
        return remaining
    return None


def signin_failed(*, email: str, client: str) -> None:
    window, remaining = _window()
    for key in (_key("email", email, window), _key("client", client, window)):
        cache.add(key, 0, timeout=remaining + 1)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=remaining + 1)


def attempt_count(*, kind: str, value: str, limit: int, window_seconds: int) -> bool:
    """Count one attempt of `kind` for `value`; False once `limit` were made this window."""
    now = int(time.time())
    digest = hashlib.sha256(value.lower().encode()).hexdigest()[:32]
    key = f"attempts:{kind}:{digest}:{now // window_seconds}"
    timeout = window_seconds - now % window_seconds + 1
    cache.add(key, 0, timeout=timeout)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=timeout)
        count = 1
    return count <= limit
