"""Test settings: built for speed; the database comes from DATABASE_URL (PostgreSQL in CI)."""

import os

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DEBUG = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The live server's thread must not keep connections open past a test (the test DB is dropped).
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# Tasks run in the test's process; the tests about real workers switch to the broker themselves,
# and the worker processes they start (CELERY_WORKER=1) send follow-up tasks through the broker.
CELERY_TASK_ALWAYS_EAGER = not os.environ.get("CELERY_WORKER")
