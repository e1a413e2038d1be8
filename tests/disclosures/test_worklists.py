"""The worklist: due within 3 working days, overdue, scheduled, recently published —
for the user's region and below, with a query count independent of the data size."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalogs.models import Region
from disclosures.records import obligations as obligation_services
from disclosures.records import services as record_services
from disclosures.records import worklists
from tests.disclosures.builders import at, item_of

# `fresh_calendar` (tests/disclosures/conftest.py): no test sees another's calendar edits.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_calendar")]

TODAY = date(2025, 3, 12)  # a Wednesday; 3 working days ahead is Monday 3/17
NOW = at(2025, 3, 12, 12)


@pytest.fixture
def work(
    policy_item,
    quarterly_item,
    review_item,
    county,
    lilou,
    county_clerk,
    township_clerk,
    other_county_clerk,
):
    """One of each: due soon, overdue, scheduled, recent, a draft, missed quarters, and
    an overdue obligation of another county."""
    make = record_services.record_create
    due_soon = make(
        region=county,
        item=policy_item,
        trigger_date=date(2025, 3, 3),
        title="即将到期",
        actor=county_clerk,
        now=at(2025, 3, 4),
    )
    overdue = make(
        region=county,
        item=policy_item,
        trigger_date=date(2025, 2, 10),
        title="已逾期",
        actor=county_clerk,
        now=at(2025, 2, 11),
    )
    scheduled = make(
        region=lilou,
        item=review_item,
        trigger_date=date(2025, 3, 7),
        title="定时发布",
        actor=township_clerk,
        publish=record_services.PUBLISH_SCHEDULE,
        publish_at=at(2025, 3, 14, 9),
        now=at(2025, 3, 10),
    )
    recent = make(
        region=lilou,
        item=review_item,
        trigger_date=date(2025, 3, 5),
        title="近期发布",
        actor=township_clerk,
        publish=record_services.PUBLISH_NOW,
        now=at(2025, 3, 10),
    )
    old = make(
        region=county,
        item=policy_item,
        trigger_date=date(2025, 1, 2),
        title="很早发布",
        actor=county_clerk,
        publish=record_services.PUBLISH_NOW,
        now=at(2025, 1, 6),
    )
    # Q4 2024 of the quarterly item: every township missed it (due 2024-12-31).
    obligation_services.obligation_generate_periodic(on=date(2024, 11, 1))
    yanshi = Region.objects.get(code="410307")
    foreign = make(
        region=yanshi,
        item=item_of(yanshi, "政策法规文件", kind="working_days"),
        trigger_date=date(2025, 2, 10),
        title="偃师区逾期",
        actor=other_county_clerk,
        now=at(2025, 2, 11),
    )
    return {
        "due_soon": due_soon,
        "overdue": overdue,
        "scheduled": scheduled,
        "recent": recent,
        "old": old,
        "foreign": foreign,
    }


def test_county_worklist_covers_its_subtree(work, county_clerk):
    wl = worklists.worklist_for(county_clerk, today=TODAY, now=NOW)
    assert wl.horizon == date(2025, 3, 17)
    assert [o.pk for o in wl.due_soon] == [work["due_soon"].obligation_id]
    # Longest overdue first: the missed quarter (due 2024-12-31), then the event.
    assert wl.overdue[0].due_date == date(2024, 12, 31)
    full = worklists.worklist_for(county_clerk, today=TODAY, now=NOW, limit=50)
    assert full.overdue[-1].pk == work["overdue"].obligation_id
    assert work["foreign"].obligation_id not in {o.pk for o in full.overdue}
    assert wl.counts == {
        "due_soon": 1,
        "overdue": 1 + 18,
        "missed": 18,
        "scheduled": 1,
        "recent": 1,
        "drafts": 2,
    }
    assert len(wl.overdue) == 10  # bounded list, full count above
    assert [r.pk for r in wl.scheduled] == [work["scheduled"].pk]
    assert [r.pk for r in wl.recent] == [
        work["recent"].pk
    ]  # "很早发布" is older than 30 days
    assert {r.pk for r in wl.drafts} == {work["due_soon"].pk, work["overdue"].pk}
    # Each obligation carries its live records for the "查看" link.
    assert [r.pk for r in wl.due_soon[0].live_records] == [work["due_soon"].pk]


def test_township_worklist_is_its_own_region_only(work, township_clerk):
    wl = worklists.worklist_for(township_clerk, today=TODAY, now=NOW)
    assert wl.counts == {
        "due_soon": 0,
        "overdue": 1,
        "missed": 1,
        "scheduled": 1,
        "recent": 1,
        "drafts": 0,
    }
    assert [o.region_id for o in wl.overdue] == ["410311012"]


def test_scheduled_record_moves_to_recent_when_its_time_comes(work, county_clerk):
    later = worklists.worklist_for(
        county_clerk, today=date(2025, 3, 14), now=at(2025, 3, 14, 10)
    )
    assert later.counts["scheduled"] == 0
    assert work["scheduled"].pk in [r.pk for r in later.recent]


def _count_queries(user) -> int:
    with CaptureQueriesContext(connection) as ctx:
        worklists.worklist_for(user, today=TODAY, now=NOW)
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_records(
    work, policy_item, county, county_clerk, django_assert_max_num_queries
):
    """Queries: obligation counts; due-soon list; its records; overdue list; its
    records; record counts; scheduled; recent; drafts (the calendar is cached)."""
    worklists.worklist_for(
        county_clerk, today=TODAY, now=NOW
    )  # warm the calendar cache
    small = _count_queries(county_clerk)
    for n in range(25):
        record_services.record_create(
            region=county,
            item=policy_item,
            trigger_date=date(2025, 3, 3) - timedelta(days=n % 9),
            title=f"批量{n}",
            actor=county_clerk,
            publish=record_services.PUBLISH_NOW
            if n % 2
            else record_services.PUBLISH_DRAFT,
            now=at(2025, 3, 4 + n % 7),
        )
    obligation_services.obligation_generate_periodic(on=date(2024, 8, 1))
    assert _count_queries(county_clerk) == small
    with django_assert_max_num_queries(9):
        worklists.worklist_for(county_clerk, today=TODAY, now=NOW)
