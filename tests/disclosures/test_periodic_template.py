"""The province template's quarterly 临时救助 item (issue 16, seed 003: 乡级政府要于
每季度末在申请人所居住的村(社区)张榜公示临时救助结果): obligations for every
township, and the progress review counts the postings missed."""

from __future__ import annotations

from datetime import date

import pytest

from catalogs.models import Region
from disclosures.models import Obligation
from disclosures.progress.quarters import Period
from disclosures.progress.selectors import region_progress
from disclosures.records import obligations as obligation_services

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_calendar")]


def test_every_township_owes_the_quarterly_posting_and_misses_are_counted(
    templates,
):
    created = obligation_services.obligation_generate_periodic(
        on=date(2026, 7, 15), region_code="4103"
    )
    townships = Region.objects.official().filter(
        level="township", code__startswith="4103"
    )
    assert created == townships.count() > 100
    obligations = Obligation.objects.filter(period_start=date(2026, 7, 1))
    assert set(obligations.values_list("region_id", flat=True)) == set(
        townships.values_list("code", flat=True)
    )
    assert {o.title for o in obligations} == {"临时救助审核审批结果（2026年第3季度）"}
    assert {o.due_date for o in obligations} == {date(2026, 9, 30)}

    county = Region.objects.get(code="410311")
    report = region_progress(
        region=county,
        ancestors=[],
        period=Period.quarter(2026, 3),
        today=date(2026, 10, 20),
    )
    assert len(report.rows) == 18
    assert all(row.metrics.missed == 1 for row in report.rows)
    assert report.total.missed == 18
    city = region_progress(
        region=Region.objects.get(code="4103"),
        ancestors=[],
        period=Period.quarter(2026, 3),
        today=date(2026, 10, 20),
    )
    assert city.total.missed == townships.count()
    assert sum(r.metrics.missed for r in city.rows) == city.total.missed
