"""依申请公开 in a real browser (issue 17, Done when).

An anonymous person applies at /apply/ and gets a code and a check value; the
洛龙区 clerk registers it, requests a correction, receives it, consults a third
party, extends once, replies with a partial-disclosure letter (the docx is
downloaded and read) and archives. The workflow's clock is moved from step to step
(2026-01-20 … 2026-03-05, across 春节 and its make-up Saturdays); every due date
the page shows equals the working-day engine's answer for the same dates.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from docx import Document
from playwright.sync_api import expect

from catalogs.deadlines import add_working_days
from catalogs.selectors import forget_work_calendar, work_calendar
from demo.users import seed_users
from onrequest import services
from onrequest.models import Application
from tests.browser.axe import serious_violations
from tests.browser.session import login
from tests.onrequest.builders import id_number

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def workflow_clock(monkeypatch):
    """Move the workflow's today (onrequest.services) without touching sessions."""
    moment = {"day": date(2026, 1, 20)}
    monkeypatch.setattr(
        services,
        "_now",
        lambda: datetime.combine(moment["day"], time(10, 0), tzinfo=SHANGHAI),
    )
    forget_work_calendar()
    seed_users()
    yield moment
    forget_work_calendar()


def _step(page, name: str):
    return page.locator(f"#step-{name}")


def _expect_due(page, expected: date):
    expect(page.locator("#date-due .due-date")).to_have_text(expected.isoformat())


def test_apply_register_correct_consult_extend_reply_archive(
    page, live_server, workflow_clock, tmp_path
):
    cal = work_calendar()

    def wd(start: date, n: int) -> date:
        return add_working_days(cal, start, n)[0]

    # --- the applicant, anonymous --------------------------------------------------
    page.goto(live_server.url + "/apply/")
    page.get_by_label("选择受理申请的县（市、区）").select_option("410311")
    page.get_by_role("button", name="下一步").click()
    expect(page.get_by_role("heading", name="填写政府信息公开申请")).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_label("受理机关").select_option("410311")
    page.get_by_label("申请人姓名或名称").fill("赵申请")
    page.get_by_label("证件号码").fill(id_number("41030519750305001"))
    page.get_by_label("联系电话").fill("13900001111")
    page.get_by_label("通信地址").fill("洛阳市洛龙区政和路8号")
    page.get_by_label("所需政府信息").fill("2025年洛龙区临时救助资金发放总额及审批流程")
    page.get_by_role("button", name="提交申请").click()
    code = page.locator("#application-code").inner_text().strip()
    check = page.locator("#application-check").inner_text().strip()
    application = Application.objects.get(code=code)
    assert application.status == "submitted"

    # --- the clerk of 洛龙区 ---------------------------------------------------------
    login(page, live_server.url, "demo-county")
    expect(page.locator("#applications-worklist")).to_contain_text(code)
    page.get_by_role("link", name=code).first.click()
    expect(page.get_by_role("heading", name=f"政府信息公开申请 {code}")).to_be_visible()
    expect(page.locator("#applicant-heading")).to_be_visible()

    received = date(2026, 1, 20)
    _step(page, "register").get_by_label("确认收到申请日期").fill(received.isoformat())
    _step(page, "register").locator("button[type=submit]").click()
    _expect_due(page, wd(received, 20))
    assert wd(received, 20) == date(2026, 2, 24)
    expect(page.locator("#due-rule")).to_contain_text("收到申请之日起20个工作日内")
    assert serious_violations(page) == []

    _step(page, "review").locator("button[type=submit]").click()

    # Correction (第三十条): the clock stops, then restarts from the corrected application.
    workflow_clock["day"] = requested = date(2026, 1, 22)
    form = _step(page, "correction")
    form.get_by_label("补正通知发出日期").fill(requested.isoformat())
    form.get_by_label("需要补正的事项").fill("请写明所需信息的年份范围和具体项目。")
    form.get_by_label("补正期限（工作日）").fill("10")
    form.locator("button[type=submit]").click()
    expect(page.locator("#date-correction")).to_contain_text(
        wd(requested, 10).isoformat()
    )
    expect(page.locator("#due-rule")).to_contain_text("重新计算")

    workflow_clock["day"] = corrected = date(2026, 1, 27)
    _step(page, "corrected").get_by_label("收到补正申请日期").fill(
        corrected.isoformat()
    )
    _step(page, "corrected").locator("button[type=submit]").click()
    _expect_due(page, wd(corrected, 20))

    _step(page, "process").locator("button[type=submit]").click()

    # Consultation (第三十二条): up to 15 working days not counted.
    workflow_clock["day"] = sent = date(2026, 2, 2)
    form = _step(page, "consult")
    form.get_by_label("征求意见类型").select_option("third_party")
    form.get_by_label("征求意见对象").fill("洛阳市某养老服务中心")
    form.get_by_label("发出征求意见日期").fill(sent.isoformat())
    form.locator("button[type=submit]").click()
    _expect_due(page, wd(corrected, 20 + 15))

    workflow_clock["day"] = answered = date(2026, 2, 9)
    form = _step(page, "consult_answer")
    form.get_by_label("收到意见日期").fill(answered.isoformat())
    form.locator("button[type=submit]").click()
    paused = 5  # 2-3, 2-4, 2-5, 2-6, 2-9
    _expect_due(page, wd(corrected, 20 + paused))
    expect(page.locator("#due-rule")).to_contain_text("征求意见用时5个工作日不计算在内")

    # Extension (第三十三条第二款): once, at most 20 working days, a named approver.
    form = _step(page, "extend")
    form.get_by_label("延长工作日数").fill("20")
    form.get_by_label("批准人").fill("张局长")
    form.get_by_label("延期理由").fill("需征求第三方意见并汇总多个股室的资料。")
    form.get_by_label("批准日期").fill(answered.isoformat())
    form.get_by_label("告知申请人日期").fill(answered.isoformat())
    form.locator("button[type=submit]").click()
    due = wd(corrected, 20 + paused + 20)
    _expect_due(page, due)
    expect(page.locator("#date-extension")).to_contain_text("张局长")
    expect(_step(page, "extend")).to_have_count(0)  # only once

    # The reply: partial disclosure (第三十七条), with its docx letter.
    workflow_clock["day"] = delivered = date(2026, 3, 3)
    replied = date(2026, 3, 2)
    form = _step(page, "reply")
    form.get_by_label("办理结果（答复类型）").select_option("partly")
    form.get_by_label("答复内容").fill(
        "提供2025年临时救助资金发放总额；救助对象名单涉及个人隐私，不予公开。"
    )
    form.get_by_label("答复日期").fill(replied.isoformat())
    form.get_by_label("送达日期").fill(delivered.isoformat())
    form.locator("button[type=submit]").click()
    expect(page.locator("#date-archive")).to_contain_text(wd(delivered, 10).isoformat())
    assert replied <= due

    with page.expect_download() as download_info:
        page.locator('#application-files a[data-kind="letter"]').click()
    path = tmp_path / "letter.docx"
    download_info.value.save_as(path)
    text = "\n".join(p.text for p in Document(str(path)).paragraphs)
    assert "政府信息公开申请答复书" in text
    assert "赵申请" in text and code in text
    assert "第三十七条" in text and "个人隐私" in text
    assert "洛龙区民政局" in text and "2026年3月2日" in text
    assert "{{" not in text and "{%" not in text

    workflow_clock["day"] = archived = date(2026, 3, 5)
    _step(page, "archive").get_by_label("归档日期").fill(archived.isoformat())
    _step(page, "archive").locator("button[type=submit]").click()
    expect(page.locator("#date-archive")).to_contain_text("已归档")
    log = page.locator("#application-log")
    for label in (
        "登记",
        "告知补正",
        "收到补正",
        "征求意见",
        "延长答复期限",
        "答复",
        "归档",
    ):
        expect(log).to_contain_text(label)

    # --- the applicant looks it up: status and dates, nothing about who applied ------
    page.goto(live_server.url + "/apply/status/")
    page.get_by_label("申请编号").fill(code)
    page.get_by_label("查询码").fill(check)
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#status-value")).to_have_text("已归档")
    assert serious_violations(page) == []
    body = page.content()
    assert "赵申请" not in body and "13900001111" not in body
