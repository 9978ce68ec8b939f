"""Signing in with a password, under one rate limit whichever door is used: the API's
sign-in, the admin's login page, or anything else that calls authenticate()."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from accounts.models import User
from accounts.ratelimit import client_address, signin_failed, signin_retry_after


class RateLimitedModelBackend(ModelBackend):
    """Django's password check, refused outright while the e-mail address or the client
    address is locked out, and counting every failure towards both limits."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        email = str(username or kwargs.get(User.USERNAME_FIELD) or "").lower()
        client = client_address(request)
        if signin_retry_after(email=email, client=client) is not None:
            # Stops the search for a backend: not even the right password signs in now.
            raise PermissionDenied
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None and password is not None:
            signin_failed(email=email, client=client)
        return user if isinstance(user, User) else None
