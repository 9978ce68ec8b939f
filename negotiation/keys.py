"""Ids that come from outside (a URL, a command's data) turned into row keys."""

from __future__ import annotations

# The largest primary key a row can have (a signed 64-bit column, in PostgreSQL and SQLite).
KEY_MAX = 2**63 - 1


def row_key(value: object) -> int | None:
    """`value` as a primary key, or None when no row could have it: not a whole number,
    a boolean, zero or less, or past what the column holds (which would otherwise end in
    an overflow inside the database driver, a server error instead of "not found")."""
    if isinstance(value, bool):
        return None
    try:
        key = int(str(value))
    except ValueError:
        return None
    return key if 0 < key <= KEY_MAX else None
