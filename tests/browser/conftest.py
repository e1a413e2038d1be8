"""Browser tests: real headless Chromium (Debian's), driven by Playwright.

Assertions wait up to 15 s instead of Playwright's 5 s: CI machines are shared
and two cores render Chinese pages with a CJK font slowly; a page that never
shows the text still fails.
"""

import pytest
from playwright.sync_api import expect

expect.set_options(timeout=15_000)


@pytest.fixture(autouse=True)
def _longer_default_timeouts(page):
    page.set_default_timeout(15_000)
    page.set_default_navigation_timeout(30_000)
