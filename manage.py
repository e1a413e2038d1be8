#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def default_settings_module() -> str:
    """Production settings where a secret key is configured, development settings otherwise.

    Production refuses to start without DJANGO_SECRET_KEY, so a shell without one
    is a developer's checkout: give it debug settings rather than an error.
    """
    if os.environ.get("DJANGO_SECRET_KEY"):
        return "catalog_portal.settings.base"
    return "catalog_portal.settings.local"


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", default_settings_module())
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
