"""Sessions end by themselves after their idle and absolute limits
(accounts/services/sessions.py): checked at every request, before the view."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest, HttpResponse

from accounts.services.sessions import session_stamp, session_timeout_end


class SessionTimeoutMiddleware:
    """After AuthenticationMiddleware: a session past its limits is signed out (its
    sockets close) and the request goes on as anonymous; any other signed-in request
    counts as a use. A sign-in made by the view is stamped on the way out."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session_timeout_end(request)
        response = self.get_response(request)
        if SESSION_KEY in request.session:
            session_stamp(request.session)
        return response
