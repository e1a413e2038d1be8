"""The project's changes to the admin site.

The task results of `django_tasks_db` stay out of the admin: a result keeps the
task's arguments and, for a failed run, its traceback, which is meant for the
operators' logs (docs/deploy.md), not for province admins; and the admin guard
(catalogs.security) covers only the portal's own models. Operators read results
with `manage.py shell` or the worker's log.
"""

from django.apps import apps
from django.contrib import admin

if apps.is_installed("django_tasks_db"):
    from django_tasks_db.models import DBTaskResult

    if admin.site.is_registered(DBTaskResult):
        admin.site.unregister(DBTaskResult)
