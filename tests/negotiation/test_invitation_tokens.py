from __future__ import annotations

from django.test import override_settings

from negotiation.invitation_tokens import token_derive, token_hash


def test_it_derives_a_token_from_id_salt_and_secret() -> None:
    first = token_derive(invitation_id=1, salt="ab")
    assert first == token_derive(invitation_id=1, salt="ab")
    assert first != token_derive(invitation_id=2, salt="ab")
    assert first != token_derive(invitation_id=1, salt="ac")


def test_it_depends_on_the_secret_key() -> None:
    first = token_derive(invitation_id=1, salt="ab")
    with override_settings(SECRET_KEY="another secret key entirely, long enough to be valid"):
        assert token_derive(invitation_id=1, salt="ab") != first


def test_the_hash_is_not_the_token() -> None:
    token = token_derive(invitation_id=1, salt="ab")
    assert len(token) == 43
    assert token_hash(token) != token
