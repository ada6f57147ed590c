"""Test settings: fast hashing; the database still comes from DATABASE_URL (SQLite or PostgreSQL)."""

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Throttling is tested explicitly (tests enable it); elsewhere tests log in freely.
AXES_ENABLED = False

# Background tasks run at once, inside the test.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# The public pages' throttle is tested with a low rate of its own; the URL matrix and the browser
# tests request them far more often than a person would.
PUBLIC_RATE_LIMIT = "100000/m"
