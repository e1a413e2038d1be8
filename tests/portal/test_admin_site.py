"""What the Django admin shows beyond the portal's own models (catalog_portal/admin.py)."""

from __future__ import annotations

import pytest
from django_tasks_db.models import DBTaskResult

from django.contrib import admin
from django.urls import NoReverseMatch, reverse


def test_task_results_are_not_in_the_admin():
    assert not admin.site.is_registered(DBTaskResult)
    with pytest.raises(NoReverseMatch):
        reverse("admin:django_tasks_database_dbtaskresult_changelist")
