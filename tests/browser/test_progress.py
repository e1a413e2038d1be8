"""Progress review in a real browser: the province drills down and downloads; the
city sees only its own subtree."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from catalogs.reference import load_luoyang_catalogs, load_templates
from demo import province as demo_province
from demo.users import seed_users
from disclosures.progress.views import default_period
from tests.browser.axe import inject_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def luoyang_data():
    load_templates()
    load_luoyang_catalogs()
    seed_users()
    demo_province.build(root_code="4103")


def login(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "DemoPass-2026")
    page.click("main button[type=submit], main input[type=submit]")
    page.wait_for_url(f"{live_server.url}/work/")


def test_province_opens_the_quarter_drills_down_and_downloads(
    page, live_server, luoyang_data
):
    login(page, live_server, "demo-province")
    page.click("#progress-link")
    period = default_period()
    page.wait_for_url(f"{live_server.url}/work/progress/{period.slug}/")
    assert f"河南省 {period.label}工作进展" in page.inner_text("h1")

    page.click("#progress-table a:text-is('洛阳市')")
    page.wait_for_url(f"{live_server.url}/work/progress/{period.slug}/4103/")
    assert "洛阳市" in page.inner_text("h1")
    page.click("#progress-table a:text-is('洛龙区')")
    page.wait_for_url(f"{live_server.url}/work/progress/{period.slug}/410311/")
    assert "洛龙区" in page.inner_text("h1")
    assert page.locator("#progress-table tbody tr").count() > 5  # its townships
    assert "李楼街道" in page.inner_text("#progress-table")

    with page.expect_download() as info:
        page.click("text=下载 Excel 明细")
    workbook = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()))
    assert workbook.sheetnames == ["乡镇（街道）"]
    assert info.value.suggested_filename == f"进展统计_洛龙区_{period.slug}.xlsx"

    with page.expect_download() as info:
        page.click("text=下载通报（Word）")
    document = Document(str(info.value.path()))
    assert (
        f"关于{period.label}洛龙区基层政务公开标准目录工作进展情况的通报"
        in document.paragraphs[0].text
    )


def test_progress_page_passes_axe(page, live_server, luoyang_data):
    login(page, live_server, "demo-city")
    page.goto(f"{live_server.url}/work/progress/{default_period().slug}/")
    inject_axe(page)  # through the DevTools protocol: the page keeps its CSP
    violations = page.evaluate(
        """async () => (await axe.run(document,
        {runOnly: {type: 'tag', values: ['wcag2a','wcag2aa','wcag21a','wcag21aa']}})).violations
        .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length, target: v.nodes[0].target}))"""
    )
    assert violations == []


def test_city_sees_only_its_city(page, live_server, luoyang_data):
    login(page, live_server, "demo-city")
    page.click("#progress-link")
    period = default_period()
    page.wait_for_url(f"{live_server.url}/work/progress/{period.slug}/")
    assert "洛阳市" in page.inner_text("h1")
    table = page.inner_text("#progress-table")
    assert "洛龙区" in table and "郑州市" not in table
    assert page.locator("nav.breadcrumb a:text-is('河南省')").count() == 0
    response = page.goto(f"{live_server.url}/work/progress/{period.slug}/4101/")
    assert response.status == 404
    response = page.goto(
        f"{live_server.url}/work/progress/{period.slug}/4101/export.xlsx"
    )
    assert response.status == 404
