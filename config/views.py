"""The front end's entry page, the health check, and JSON 404s under /api/."""

from __future__ import annotations

import logging
from functools import cache

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie

logger = logging.getLogger(__name__)

FRONTEND_MISSING = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Parley</title></head><body><main><h1>Parley's front end is not built</h1>
<p>Run <code>npm ci &amp;&amp; npm run build</code> in <code>frontend/</code>.</p>
</main></body></html>"""


def _index_html() -> str | None:
    index = settings.FRONTEND_DIST / "index.html"
    return index.read_text() if index.is_file() else None


_index_html_cached = cache(_index_html)


@never_cache
@ensure_csrf_cookie
def frontend_index(request: HttpRequest) -> HttpResponse:
    # Read on every request while developing, so a rebuild shows without a restart.
    html = _index_html() if settings.DEBUG else _index_html_cached()
    if html is None:
        return HttpResponse(FRONTEND_MISSING, status=503)
    return HttpResponse(html)


def service_worker(request: HttpRequest) -> HttpResponse:
    """The front end's service worker (web push), served from the root so that its scope
    is the whole app. Revalidated on every load, as browsers expect of a worker."""
    script = settings.FRONTEND_DIST / "sw.js"
    if not script.is_file():
        return HttpResponse(status=404)
    response = HttpResponse(script.read_bytes(), content_type="text/javascript")
    response["Cache-Control"] = "no-cache"
    return response


def api_not_found(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"detail": "No such endpoint.", "code": "not_found"}, status=404)


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:
        logger.exception("Health check: the database does not answer")
        checks["database"] = "failing"
    try:
        layer = get_channel_layer()
        if layer is not None:
            async_to_sync(layer.group_send)("healthz", {"type": "healthz.ping"})
        checks["channel_layer"] = "ok"
    except Exception:
        logger.exception("Health check: the channel layer does not answer")
        checks["channel_layer"] = "failing"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "failing", **checks}, status=200 if healthy else 503
    )
