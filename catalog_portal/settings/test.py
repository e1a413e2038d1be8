"""Test settings: only what makes the suite faster or hermetic."""

import os

os.environ.setdefault("DJANGO_DEBUG", "1")

from .base import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "private": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
}
# Tasks run at once, in the process that enqueues them (on commit). The tests of
# real workers (tests/test_workers.py, tests/test_two_servers.py) start
# `db_worker` processes with the production settings.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
SECURE_SSL_REDIRECT = False
DEMO_PASSWORD = "DemoPass-2026"
# Serve static files from the app/static dirs directly: no collectstatic needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# django-axes needs the request in authenticate(); the test client's login() passes
# none. Off by default here; tests/portal/test_security.py turns it on per test.
AXES_ENABLED = False
