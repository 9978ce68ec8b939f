"""Settings per runtime mode, read in a fresh interpreter with a controlled environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k3y-" + "x7Qp2Lm9" * 8
PROBE = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "db": settings.DATABASES["default"]["ENGINE"],
    "layer": settings.CHANNEL_LAYERS["default"]["BACKEND"],
    "broker": settings.CELERY_BROKER_URL,
    "cache": settings.CACHES["default"]["BACKEND"],
    "debug": settings.DEBUG,
}))
"""


def run(args: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    clean = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_ENV", "SECRET_KEY", "ALLOWED_HOSTS"}
    }
    clean |= {"DJANGO_SETTINGS_MODULE": "config.settings", "PARLEY_VAR_DIR": str(tmp_path)}
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def probe(env: dict[str, str], tmp_path: Path) -> dict[str, object]:
    result = run(["-c", PROBE], env, tmp_path)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_it_needs_no_server_by_default(tmp_path: Path) -> None:
    assert probe({}, tmp_path) == {
        "db": "django.db.backends.sqlite3",
        "layer": "channels.layers.InMemoryChannelLayer",
        "broker": "filesystem://localhost/",
        "cache": "django.core.cache.backends.locmem.LocMemCache",
        "debug": False,
    }


def test_debugging_is_opt_in(tmp_path: Path) -> None:
    assert probe({"DJANGO_DEBUG": "true"}, tmp_path)["debug"] is True


def test_the_embedded_data_folder_is_private(tmp_path: Path) -> None:
    var = tmp_path / "var"
    var.mkdir(mode=0o755)
    (var / "parley.sqlite3").write_bytes(b"")
    (var / "parley.sqlite3").chmod(0o644)
    result = run(["-c", PROBE], {"PARLEY_VAR_DIR": str(var)}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert var.stat().st_mode & 0o777 == 0o700
    assert (var / "parley.sqlite3").stat().st_mode & 0o777 == 0o600


def test_it_uses_postgresql_and_redis_when_told(tmp_path: Path) -> None:
    settings = probe(
        {"DATABASE_URL": "postgres://u@db:5432/parley", "REDIS_URL": "redis://cache:6379/0"},
        tmp_path,
    )
    assert settings["db"] == "django.db.backends.postgresql"
    assert settings["layer"] == "config.channel_layer.ResilientRedisChannelLayer"
    assert settings["broker"] == "redis://cache:6379/0"


@pytest.mark.parametrize(
    ("env", "complaint"),
    [
        ({"ALLOWED_HOSTS": "parley.example.org"}, "SECRET_KEY"),
        ({"ALLOWED_HOSTS": "parley.example.org", "SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"SECRET_KEY": GOOD_KEY}, "ALLOWED_HOSTS"),
    ],
)
def test_production_refuses_to_start_half_configured(
    tmp_path: Path, env: dict[str, str], complaint: str
) -> None:
    result = run(["-c", PROBE], {"DJANGO_ENV": "production", **env}, tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert complaint in result.stderr


def test_production_passes_the_deploy_check(tmp_path: Path) -> None:
    env = {
        "DJANGO_ENV": "production",
        "SECRET_KEY": GOOD_KEY,
        "ALLOWED_HOSTS": "parley.example.org",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/parley",
    }
    result = run(["manage.py", "check", "--deploy", "--fail-level", "DEBUG"], env, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    assert probe(env, tmp_path)["debug"] is False
