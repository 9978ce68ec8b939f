"""The Content-Security-Policy: scripts, styles, images, fonts and connections from
Parley's own origin only; no inline script anywhere, no plugins, no framing, no <base>.
A script injected into a page (a party's words rendered wrongly one day) could not run,
and could not send the board anywhere.

The one relaxation: Django's admin templates carry a few inline style attributes (to
hide and show parts of forms), so its pages may use inline styles, never scripts.
"""

from __future__ import annotations

from csp.constants import NONE, SELF
from csp.middleware import CSPMiddleware, PolicyParts
from django.http import HttpRequest, HttpResponseBase

POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        # 'self' covers the same origin's ws: and wss: (CSP Level 3).
        "connect-src": [SELF],
        "manifest-src": [SELF],
        "worker-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

ADMIN_PREFIX = "/admin/"


class ParleyCSPMiddleware(CSPMiddleware):
    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if request.path_info.startswith(ADMIN_PREFIX) and not report_only:
            parts.update = {**(parts.update or {}), "style-src": ["'unsafe-inline'"]}
        return parts
