"""Test settings: the product's settings with fast hashing and a test-only broker folder.

DATABASE_URL and REDIS_URL come from the environment as in production; without them the suite
runs on SQLite and the filesystem broker, with real worker processes either way.
"""

import os
from pathlib import Path

_VAR = Path(__file__).resolve().parent.parent / "var"
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-any-deployment-0123456789")
os.environ.setdefault("DEBUG", "true")  # development security settings: plain http for the live server
os.environ.setdefault("CELERY_DATA_DIR", str(_VAR / "test-celery"))
os.environ.setdefault("SMS_BACKEND", "locmem")  # worker processes started by tests may ask for another

from dealership.settings import *  # noqa: E402, F403
from dealership.settings import DATABASES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so worker processes started by the tests see the same database.
    DATABASES["default"]["TEST"] = {"NAME": str(_VAR / "test.sqlite3")}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
# Static files straight from the source folders, as in development (no collectstatic before tests).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
