"""Where documents' bytes are kept: files in PARLEY_DOCUMENTS_DIR (by default under
var/, never under the static files or the front end's build), named at random, readable
by their owner only. They are reached only through the file view, which asks the
permissions module first; nothing serves the folder as it is."""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings


def documents_dir() -> Path:
    folder = Path(settings.PARLEY_DOCUMENTS_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    return folder


def stored_path(stored_as: str) -> Path:
    """The file of a stored document. Names are ours (hex), never a client's."""
    if not stored_as or not all(ch in "0123456789abcdef" for ch in stored_as):
        raise ValueError("Not a stored document's name.")
    return documents_dir() / stored_as


def store(chunks: Iterable[bytes]) -> tuple[str, str, int]:
    """Write the bytes to a new file, whole or not at all (a partial file is removed).
    Returns its stored name, SHA-256 and size."""
    folder = documents_dir()
    name = secrets.token_hex(16)
    partial = folder / f"{name}.partial"
    digest = hashlib.sha256()
    size = 0
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
                digest.update(chunk)
                size += len(chunk)
            out.flush()
            os.fsync(out.fileno())
        partial.replace(folder / name)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return name, digest.hexdigest(), size


def erase(stored_as: str) -> None:
    """Remove a stored file; one already gone is no error."""
    if stored_as:
        with contextlib.suppress(ValueError):
            stored_path(stored_as).unlink(missing_ok=True)


def erase_all(names: Iterable[str]) -> None:
    for name in names:
        erase(name)
