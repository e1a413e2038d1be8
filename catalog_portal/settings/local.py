"""Development settings: what `manage.py` uses on a checkout with no environment.

Debug on, SQLite by default, no demo password (`seed_demo` needs
`catalog_portal.settings.demo`, which `make run` uses). Production shells set
DJANGO_SECRET_KEY, and then `manage.py` uses `catalog_portal.settings.base`.
"""

import os

os.environ.setdefault("DJANGO_DEBUG", "1")

from .base import *  # noqa: E402,F403

SECURE_SSL_REDIRECT = False
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
