"""Settings for the test suite: the runtime mode the environment picks, plus test speed-ups.

Under pytest-xdist each worker gets a Redis database and key prefix of its own (the test
databases get their own names from pytest-django), so workers never see each other's
channel groups or cache.
"""

import os
from urllib.parse import urlsplit, urlunsplit

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
os.environ.setdefault("PARLEY_CHANNELS_PREFIX", f"parley-test{WORKER}")
if WORKER and os.environ.get("REDIS_URL"):
    parts = urlsplit(os.environ["REDIS_URL"])
    db = 10 + int(WORKER.removeprefix("gw") or 0)
    os.environ["REDIS_URL"] = urlunsplit(parts._replace(path=f"/{db}"))

from config.settings import *  # noqa: E402, F403
from config.settings import DATABASES  # noqa: E402

# Tasks run where they are queued (on commit), so tests see their effects; but in a real
# worker a test started, what a task queues (a retry) goes to the broker.
CELERY_TASK_ALWAYS_EAGER = not os.environ.get("PARLEY_TEST_WORKER")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = os.environ.get(
    "PARLEY_TEST_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend"
)

PARLEY_SMS_BACKEND = os.environ.get(
    "PARLEY_TEST_SMS_BACKEND", "negotiation.delivery.sms.MemoryBackend"
)
PARLEY_PUSH_BACKEND = "negotiation.delivery.push.MemoryBackend"
PARLEY_VAPID_PUBLIC_KEY = "test-public-key"
PARLEY_VAPID_PRIVATE_KEY = "test-private-key"

# No connection outlives its test: the test databases must be droppable at the end.
DATABASES["default"]["CONN_MAX_AGE"] = 0

# A live Daphne started by the browser tests connects straight to the test database.
if os.environ.get("PARLEY_LIVE_TEST_DB"):
    DATABASES["default"]["NAME"] = os.environ["PARLEY_LIVE_TEST_DB"]
# Named per process, so pg_stat_activity tells who holds a test database.
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    role = "live server" if os.environ.get("PARLEY_LIVE_TEST_DB") else "runner"
    DATABASES["default"].setdefault("OPTIONS", {})["application_name"] = (
        f"parley-test {WORKER or 'main'} {role}"
    )

# Shared documents go to a scratch folder of this process's own, never to var/.
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

PARLEY_DOCUMENTS_DIR = Path(
    os.environ.get("PARLEY_TEST_DOCUMENTS_DIR") or tempfile.mkdtemp(prefix="parley-documents-")
)
