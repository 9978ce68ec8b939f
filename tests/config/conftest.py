"""Fixtures of the runtime's own tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings


@pytest.fixture
def broker_options(tmp_path: Path) -> dict[str, str]:
    """A broker of this test's own: a fresh folder, or the configured Redis."""
    if settings.CELERY_BROKER_URL.startswith("filesystem:"):
        folder = tmp_path / "broker"
        folder.mkdir()
        return {"CELERY_BROKER_DIR": str(folder)}
    return {}
