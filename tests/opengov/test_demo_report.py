"""The 2025 report of 洛龙区 on the demo data: every cell of table 三 equals a count
made independently from the demo applications (seeded as if today were in
January 2026, so that the year 2025 has applications received, answered, and
carried over into 2026)."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest

from catalogs.models import Region
from demo import applications as demo_applications
from demo.users import seed_users
from onrequest.models import Application
from opengov import layout, selectors, services

pytestmark = pytest.mark.django_db

JANUARY_2026 = datetime(2026, 1, 16, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _expected(year: int) -> dict[str, Counter]:
    first, last = date(year, 1, 1), date(year, 12, 31)
    table: dict[str, Counter] = {}
    rows = Application.objects.filter(region_id="410311").values(
        "applicant_kind", "received_on", "replied_on", "outcome"
    )
    for a in rows:
        received, replied, kind = a["received_on"], a["replied_on"], a["applicant_kind"]
        if received is None:
            continue
        keys = []
        if first <= received <= last:
            keys.append("received")
        if received < first and (replied is None or replied >= first):
            keys.append("carried_in")
        if received <= last and (replied is None or replied > last):
            keys.append("carried_out")
        if replied is not None and first <= replied <= last:
            keys += [a["outcome"], "total_handled"]
        for key in keys:
            table.setdefault(key, Counter())[kind] += 1
            table[key][layout.TOTAL] += 1
    return table


def test_the_demo_2025_report_of_luolong_counts_every_cell(portal):
    seed_users()
    with mock.patch("django.utils.timezone.now", return_value=JANUARY_2026):
        made = demo_applications.seed()
    assert len(made) >= 12
    report = services.report_create(
        region=Region.objects.get(code="410311"),
        year=2025,
        actor=None,
        today=date(2026, 1, 16),
    )
    data = selectors.report_data(report)
    expected = _expected(2025)
    columns = [key for key, _label in layout.TABLE3_COLUMNS]
    for entry in data.table3:
        for column, cell in zip(columns, entry["cells"], strict=True):
            assert cell.value == expected.get(entry["row"].key, Counter())[column], (
                entry["row"].key,
                column,
            )
    received = data.table3[0]["cells"][-1].value
    carried_out = data.table3[-1]["cells"][-1].value
    assert received > 0 and carried_out > 0, "the demo year 2025 is not empty"
