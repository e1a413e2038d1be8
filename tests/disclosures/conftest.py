"""Fixtures of the records tests under tests/disclosures: 洛龙区's published catalog with
its local quarterly item, the regions 洛龙区 and 李楼街道, and three of their items.

`fresh_calendar` is not autouse here: the modules that need a calendar cache cleared
around each test ask for it with `pytest.mark.usefixtures("fresh_calendar")`."""

from __future__ import annotations

import pytest

from catalogs.models import Region

from .builders import at, item_of


@pytest.fixture
def fresh_calendar():
    """The calendar is cached across requests; no test may see another's calendar edits."""
    from catalogs.selectors import forget_work_calendar

    forget_work_calendar()
    yield
    forget_work_calendar()


@pytest.fixture
def luolong(templates, county_clerk, city_reviewer):
    """洛龙区's published social-assistance catalog (cloned from Luoyang) with a
    local quarterly township item 临时救助审核审批结果 (每季度末), built like the demo."""
    from demo.records import ensure_quarterly_item

    return ensure_quarterly_item(
        county_user=county_clerk, city_user=city_reviewer, published_at=at(2024, 12, 1)
    )


@pytest.fixture
def lilou(db):
    return Region.objects.get(code="410311012")


@pytest.fixture
def county(db):
    return Region.objects.get(code="410311")


@pytest.fixture
def review_item(luolong, lilou):
    """社会救助 · 审核信息: 10 working days, then 公示7个工作日; township only."""
    return item_of(lilou, "审核信息", publicity=True)


@pytest.fixture
def policy_item(luolong, county):
    """A county event item: 制定或获取信息之日起10个工作日内."""
    return item_of(county, "政策法规文件", kind="working_days")


@pytest.fixture
def quarterly_item(luolong, lilou):
    return item_of(lilou, "临时救助审核审批结果")
