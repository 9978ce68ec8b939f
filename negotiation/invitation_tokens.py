"""Invitation tokens: shown once, stored only as a hash.

A token is an HMAC of the invitation's id and a random salt under the SECRET_KEY. The
database keeps the salt and the token's SHA-256; the e-mail task derives the token again
from the id, so no token is written to the database or passes through the task queue.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from django.conf import settings

TOKEN_SALT_BYTES = 16


def token_salt_new() -> str:
    return secrets.token_hex(TOKEN_SALT_BYTES)


def token_derive(*, invitation_id: int, salt: str) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(),
        f"parley.invitation:{invitation_id}:{salt}".encode(),
        hashlib.sha256,
    ).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
