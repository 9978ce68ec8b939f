"""The errors services raise. REST answers and socket error frames are made from them."""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """A request that cannot be carried out, with a stable machine code and a human message."""

    code = "error"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details


class Invalid(ServiceError):
    """Bad input. `details` maps each field to a list of messages."""

    code = "invalid"
    status = 400


class NotFound(ServiceError):
    """Missing, or not visible to the caller: the two are never told apart."""

    code = "not_found"
    status = 404


class NotAllowed(ServiceError):
    """The caller may see the thing but not do this to it."""

    code = "not_allowed"
    status = 403


class Gone(ServiceError):
    """The thing existed but can no longer be used (a spent or expired invitation)."""

    code = "gone"
    status = 410


class Conflict(ServiceError):
    """A stale write: `details` holds the current state."""

    code = "conflict"
    status = 409
