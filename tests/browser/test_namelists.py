"""Name lists in a real browser: a township clerk uploads, maps, previews and submits;
the county confirms; the public record page shows the masked rows, paginated."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from catalogs.reference import load_luoyang_catalogs, load_templates
from demo import namelists as demo_namelists
from demo import portal as demo_portal
from demo.users import seed_users
from disclosures.deidentify import mask_name
from disclosures.models import NameList
from tests.browser.axe import inject_axe
from tests.builders import publish_record

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "李楼街道2025年第三季度临时救助审核审批结果（浏览器测试）"


@pytest.fixture
def record(settings, tmp_path):
    settings.NAME_LIST_STAGING_DIR = str(tmp_path / "staging")
    load_templates()
    load_luoyang_catalogs()
    seed_users()
    demo_portal.seed()
    return publish_record(title=TITLE)


def login(page, live_server, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "DemoPass-2026")
    page.click("main button[type=submit], main input[type=submit]")
    page.wait_for_url(f"{live_server.url}/work/")


def axe_violations(page) -> list:
    inject_axe(page)  # through the DevTools protocol: the page keeps its CSP
    return page.evaluate(
        """async () => (await axe.run(document,
        {runOnly: {type: 'tag', values: ['wcag2a','wcag2aa','wcag21a','wcag21aa']}})).violations
        .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length, target: v.nodes[0].target}))"""
    )


def test_upload_map_preview_submit_confirm_and_the_public_sees_masked_rows(
    page, live_server, record, tmp_path
):
    people = demo_namelists.synthetic_people(60, seed="browser")
    upload = tmp_path / "李楼街道临时救助名单.xlsx"
    upload.write_bytes(demo_namelists.workbook_bytes("李楼街道临时救助名单", people))
    raw = demo_namelists.raw_identifiers(people)

    login(page, live_server, "demo-township")
    page.click("#namelist-link")
    page.select_option("#id_record", str(record.pk))
    page.get_by_role("button", name="下一步：选择文件").click()
    page.set_input_files("#id_file", str(upload))
    page.get_by_role("button", name="上传并对应列").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("对应列")
    expect(page.get_by_label("第B列“姓名”")).to_have_value("name")
    expect(page.get_by_label("第C列“公民身份号码”")).to_have_value("id_number")
    # Masked samples under each header, and a warning on the column of reasons.
    expect(page.locator("#column-B .samples li").first).to_have_text(
        mask_name(people[0].name)
    )
    expect(page.locator("#sensitive-L")).to_contain_text("第L列“致困原因”")
    assert not any(identifier in page.content() for identifier in raw)
    page.get_by_label("第K列“备注”").select_option(
        ""
    )  # the clerk chooses not to publish remarks
    expect(
        page.get_by_label(re.compile("遮蔽名字"))
    ).to_be_checked()  # the province's default
    page.get_by_label(re.compile("遮蔽名字")).check()
    assert axe_violations(page) == []
    page.get_by_role("button", name="去标识化并预览").click()

    page.wait_for_url(re.compile(r"/work/namelists/\d+/$"))
    expect(page.locator("#namelist-status")).to_contain_text("待提交审查")
    preview = page.locator("#namelist-preview table.name-list-table")
    expect(preview).to_contain_text(mask_name(people[0].name))
    expect(page.locator("#columns-dropped")).to_contain_text(
        "按全省统一规则，身份证号不公开"
    )
    expect(page.locator("#bad-check-digits")).to_contain_text("第7行“公民身份号码”列")
    html = page.content()
    assert not any(identifier in html for identifier in raw)
    assert axe_violations(page) == []
    page.get_by_role("button", name="提交保密审查").click()
    expect(page.locator("#namelist-status")).to_contain_text("待保密审查")

    login(page, live_server, "demo-county")
    page.click("#namelist-review-link")
    page.locator("#review-queue").get_by_role("link", name=re.compile("审查")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("保密审查")
    page.get_by_label(re.compile("确认公开")).check()
    page.get_by_role("button", name="提交审查结论").click()
    expect(page.locator(".messages")).to_contain_text("已确认公开")
    name_list = NameList.objects.get(record=record)
    assert name_list.status == NameList.Status.CONFIRMED
    assert name_list.confirmed_by.username == "demo-county"

    page.context.clear_cookies()
    page.goto(f"{live_server.url}{record.get_absolute_url()}")
    expect(page.get_by_role("heading", name="名单公示")).to_be_visible()
    table = page.locator("table.name-list-table")
    expect(table).to_contain_text(mask_name(people[0].name))
    expect(page.locator(".name-list .pagination")).to_contain_text("第 1 页，共 2 页")
    page.locator(".name-list").get_by_role("link", name="下一页").click()
    expect(page.locator("table.name-list-table")).to_contain_text(
        mask_name(people[55].name)
    )
    html = page.content()
    assert not any(identifier in html for identifier in raw)
    assert people[0].address not in html  # not published (第六十一条: the village only)
    assert "致困原因" not in html and people[0].category not in html
    with page.expect_download() as info:
        page.get_by_role("link", name="CSV 文件（.csv）").click()
    text = Path(info.value.path()).read_bytes().decode("utf-8-sig")
    assert mask_name(people[0].name) in text and not any(
        identifier in text for identifier in raw
    )
