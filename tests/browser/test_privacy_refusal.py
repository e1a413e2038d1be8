"""A clerk who pastes an ID number into a record gets a clear refusal (issue 12).

demo-township types a citizen's ID number into the body and tries to publish:
the page says where the number is, links to the name-list upload, and nothing
is stored. The same number in an attachment's text is refused the same way.
The anonymous public never sees either.
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from docx import Document
from playwright.sync_api import expect

from django.utils import timezone

from disclosures.models import DisclosureRecord
from tests.browser.session import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ID_NUMBER = "410311199003071238"


def fill_record(page, item, *, title: str, body: str) -> None:
    page.get_by_label("公开事项").select_option(str(item.pk))
    page.get_by_label("信息形成（获取）日期").fill(
        (timezone.localdate() - timedelta(days=1)).isoformat()
    )
    page.get_by_label("标题").fill(title)
    page.get_by_label("正文").fill(body)
    page.get_by_label("立即发布").check()


def docx_with(text: str, path) -> str:
    document = Document()
    document.add_paragraph("李楼街道最低生活保障审核结果")
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    path.write_bytes(buffer.getvalue())
    return str(path)


def test_id_number_in_body_or_attachment_is_refused_in_the_browser(
    page, live_server, township_item, tmp_path
):
    login(page, live_server.url)
    page.goto(live_server.url + "/work/records/new/")

    fill_record(
        page,
        township_item,
        title="最低生活保障审核结果公示",
        body=f"申请人王某，身份证号{ID_NUMBER}，经审核符合条件。",
    )
    page.get_by_role("button", name="保存").click()
    summary = page.locator("#form-errors")
    expect(summary).to_contain_text("正文第1行第11个字符起有身份证号")
    expect(
        summary.get_by_role(
            "link", name="名单请通过名单公示上传，系统会自动去标识化", exact=True
        )
    ).to_be_visible()
    assert not DisclosureRecord.objects.exists()

    # The same number inside a Word attachment.
    fill_record(
        page,
        township_item,
        title="最低生活保障审核结果公示",
        body="经审核，以下家庭符合条件，现予公示。",
    )
    page.locator("input[type=file]").first.set_input_files(
        docx_with(f"王某 {ID_NUMBER}", tmp_path / "结果.docx")
    )
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#form-errors")).to_contain_text("结果.docx")
    expect(page.locator("#form-errors")).to_contain_text("身份证号")
    assert not DisclosureRecord.objects.exists()

    # The public never sees it.
    page.goto(live_server.url + "/search/?q=" + ID_NUMBER)
    expect(page.locator("main")).not_to_contain_text(ID_NUMBER)
