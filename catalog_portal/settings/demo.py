"""Demo settings (`make run`): debug on, SQLite, and the demo accounts' password.

The password lives here only; production settings (base.py) have none, so
`seed_demo` refuses to create demo accounts there.
"""

import os

os.environ.setdefault("DJANGO_DEBUG", "1")

from .base import *  # noqa: E402,F403

DEMO_PASSWORD = "DemoPass-2026"
SECURE_SSL_REDIRECT = False
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# The portal's Chinese 404/500 pages, not Django's English debug pages (issue 21).
MIDDLEWARE = [  # noqa: F405
    *MIDDLEWARE[:-1],  # noqa: F405
    "catalog_portal.debug_errors.PortalErrorPagesMiddleware",
    MIDDLEWARE[-1],  # noqa: F405  (axes stays last)
]
