"""Browser tests: real headless Chromium (Debian's), driven by Playwright.

Assertions wait up to 15 s instead of Playwright's 5 s: CI machines are shared
and two cores render Chinese pages with a CJK font slowly; a page that never
shows the text still fails.
"""

import pytest
from playwright.sync_api import expect

from catalogs.models import Region
from catalogs.reference import load_luoyang_catalogs, load_templates
from catalogs.selectors import forget_work_calendar
from demo.users import seed_users
from disclosures.records import obligations as obligation_services

expect.set_options(timeout=15_000)


@pytest.fixture(autouse=True)
def _longer_default_timeouts(page):
    page.set_default_timeout(15_000)
    page.set_default_navigation_timeout(30_000)


@pytest.fixture
def township_item():
    """Luoyang's catalogs apply in 李楼街道; its township-only 审核信息 has 公示7个工作日.

    The demo users exist (password of the demo settings).
    """
    forget_work_calendar()
    load_templates()
    load_luoyang_catalogs()
    seed_users()
    lilou = Region.objects.get(code="410311012")
    item = next(
        i
        for i in obligation_services.applicable_items(lilou)
        if i.name == "审核信息" and i.publicity_amount
    )
    yield item
    forget_work_calendar()
