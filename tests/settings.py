"""Settings for the test suite: the runtime mode the environment picks, plus test speed-ups."""

import os

# Keep the suite's Redis keys and channel groups apart from a running Parley's.
os.environ.setdefault("PARLEY_CHANNELS_PREFIX", "parley-test")

from config.settings import *  # noqa: F403
from config.settings import DATABASES

# Tasks run where they are queued (on commit), so tests see their effects.
CELERY_TASK_ALWAYS_EAGER = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = os.environ.get(
    "PARLEY_TEST_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend"
)

# A live Daphne started by the browser tests connects straight to the test database.
if os.environ.get("PARLEY_LIVE_TEST_DB"):
    DATABASES["default"]["NAME"] = os.environ["PARLEY_LIVE_TEST_DB"]
