"""Query counts of the reads: the same with few applications as with many."""

from __future__ import annotations

from datetime import date

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalogs.selectors import work_calendar
from onrequest.selectors import (
    annual_table_three,
    application_progress,
    application_worklist,
)

from .builders import paper_application

pytestmark = pytest.mark.django_db


def _count(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_reads_do_not_grow_with_the_data(client, county_clerk, city_reviewer):
    """annual_table_three: 1 query (one aggregate by applicant kind);
    application_worklist: 5 (counts in one aggregate, then 4 bounded lists; the
    calendar is cached); application_progress: 2 (per-region figures, overdue list);
    the list page: the same number whatever the number of applications."""
    work_calendar()
    client.force_login(county_clerk)
    list_url = reverse("onrequest:application_list")

    def measure():
        return (
            _count(lambda: annual_table_three("410311", 2025)),
            _count(lambda: application_worklist(county_clerk)),
            _count(lambda: application_progress(city_reviewer)),
            _count(lambda: client.get(list_url)),
        )

    paper_application(county_clerk, date(2025, 9, 26))
    paper_application(county_clerk, date(2025, 10, 9))
    few = measure()
    for day in (3, 4, 5, 6, 7, 10):
        paper_application(county_clerk, date(2025, 11, day))
    assert measure() == few
    assert few[:3] == (1, 5, 2)
