"""The suite builds its test databases straight from the models (`--nomigrations`, a
minute less per run); these hold the migrations to the models, and to an empty
database of the kind the run uses."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.django_db
def test_the_migrations_hold_every_change_of_the_models() -> None:
    # Exits with 1, naming the app, when a model changed without its migration.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[str]:
    """The URL of a new, empty database on the backend this run uses."""
    database = settings.DATABASES["default"]
    if not database["ENGINE"].endswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
        return
    import psycopg

    name = f"parley_migrations_{uuid.uuid4().hex[:12]}"
    host, port = database["HOST"] or "127.0.0.1", int(database["PORT"] or 5432)
    user, password = database["USER"], database["PASSWORD"] or None

    def admin() -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(
            host=host, port=port, user=user, password=password, dbname="postgres",
            autocommit=True,
        )  # fmt: skip

    with admin() as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        account = f"{user}:{password}" if password else user
        yield f"postgres://{account}@{host}:{port}/{name}"
    finally:
        with admin() as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_migrations_build_an_empty_database_and_leave_nothing_to_make(
    empty_database: str,
) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": empty_database,
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    env.pop("PARLEY_LIVE_TEST_DB", None)
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert migrate.returncode == 0, migrate.stderr
    # Nothing left unapplied: `migrate --check` exits 1 when a migration is.
    check = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--check", "-v", "0"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert check.returncode == 0, check.stdout + check.stderr
