"""Record services: create, publish, schedule, correct, withdraw; attachments.

Dates are worked out by hand from the 2025 State Council arrangement (no
holiday touches March–June 2025 except 清明 4/4–4/6, 劳动节 5/1–5/5 with make-up
Sun 4/27, 端午 5/31–6/2).
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date

import pytest

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from catalogs.models import AuditLogEntry, Region
from disclosures.models import Attachment, DisclosureRecord, Obligation
from disclosures.records import attachments as attachment_services
from disclosures.records import obligations as obligation_services
from disclosures.records import services as record_services
from tests.disclosures.builders import at, item_of
from tests.files import make_docx, make_xlsx

# `fresh_calendar` (tests/disclosures/conftest.py): the calendar is cached across
# requests; no test may see another's calendar edits.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_calendar")]


# --- which items a region may publish against -----------------------------------------


def test_township_items_follow_subject_and_level(luolong, lilou, county):
    township_names = {i.name for i in obligation_services.applicable_items(lilou)}
    county_items = obligation_services.applicable_items(county)
    # 审核信息 with 公示 is township-only (乡镇 / 乡级); the quarterly local item too.
    assert "临时救助审核审批结果" in township_names
    assert any(
        i.name == "审核信息" and i.publicity_amount
        for i in obligation_services.applicable_items(lilou)
    )
    assert not any(i.name == "审核信息" and i.publicity_amount for i in county_items)
    assert "临时救助审核审批结果" not in {i.name for i in county_items}
    # Both come from 洛龙区's own catalog, which applies to its townships.
    assert {
        i.catalog.region_id for i in obligation_services.applicable_items(lilou)
    } <= {"410311", "4103"}


def test_region_without_catalog_uses_nearest_ancestor(templates):
    yanshi_township = Region.objects.filter(parent_id="410307", official=True).first()
    items = obligation_services.applicable_items(yanshi_township)
    assert items and {i.catalog.region_id for i in items} == {"4103"}


def test_city_and_province_have_no_items_to_publish(templates):
    assert obligation_services.applicable_items(Region.objects.get(code="4103")) == []


# --- create -----------------------------------------------------------------------------


def test_create_draft_registers_event_obligation(policy_item, county, county_clerk):
    record = record_services.record_create(
        region=county,
        item=policy_item,
        trigger_date=date(2025, 3, 3),
        title="洛龙区最低生活保障实施细则",
        body="正文",
        actor=county_clerk,
        now=at(2025, 3, 4),
    )
    assert record.status == DisclosureRecord.Status.DRAFT
    assert record.due_date == date(2025, 3, 17)
    assert record.due_provisional is False
    assert record.rule_text == "制定或获取信息之日起10个工作日内"
    obligation = record.obligation
    assert obligation.status == Obligation.Status.OPEN
    assert obligation.due_date == date(2025, 3, 17)
    assert obligation.period_start is None
    assert obligation.calendar_version.startswith("db-")
    assert record.calendar_version == obligation.calendar_version
    # Overdue once the due date has passed, before anything is published.
    assert (
        Obligation.objects.overdue(on=date(2025, 3, 18))
        .filter(pk=obligation.pk)
        .exists()
    )
    assert (
        not Obligation.objects.overdue(on=date(2025, 3, 17))
        .filter(pk=obligation.pk)
        .exists()
    )
    assert AuditLogEntry.objects.filter(
        action="disclosures.record.created", object_id=str(record.pk)
    ).exists()


def test_create_refuses_item_the_region_does_not_publish(
    policy_item, review_item, county, county_clerk
):
    with pytest.raises(ValidationError, match="公开主体、公开层级不包括本级"):
        record_services.record_create(
            region=county,
            item=review_item,  # township only
            trigger_date=date(2025, 3, 3),
            title="x",
            actor=county_clerk,
            now=at(2025, 3, 4),
        )
    assert not DisclosureRecord.objects.exists()
    assert not Obligation.objects.exists()


def test_create_refuses_future_trigger_date(policy_item, county, county_clerk):
    with pytest.raises(ValidationError, match="晚于今天"):
        record_services.record_create(
            region=county,
            item=policy_item,
            trigger_date=date(2025, 3, 5),
            title="x",
            actor=county_clerk,
            now=at(2025, 3, 4),
        )


def test_publish_now_on_time_and_publicity_counts_from_publication(
    review_item, lilou, township_clerk
):
    record = record_services.record_create(
        region=lilou,
        item=review_item,
        trigger_date=date(2025, 3, 3),
        title="李楼街道最低生活保障拟纳入对象公示",
        actor=township_clerk,
        publish=record_services.PUBLISH_NOW,
        now=at(2025, 3, 10, 9),
    )
    record.refresh_from_db()
    assert record.status == DisclosureRecord.Status.PUBLISHED
    assert record.due_date == date(2025, 3, 17)
    # 公示7个工作日 from Monday 3/10: 10, 11, 12, 13, 14, 17, 18.
    assert record.publicity_end == date(2025, 3, 18)
    obligation = record.obligation
    assert obligation.status == Obligation.Status.ON_TIME
    assert obligation.fulfilled_at == at(2025, 3, 10, 9)
    assert record in DisclosureRecord.objects.public(now=at(2025, 3, 10, 9))


def test_draft_shows_publicity_end_from_due_date(review_item, lilou, township_clerk):
    record = record_services.record_create(
        region=lilou,
        item=review_item,
        trigger_date=date(2025, 3, 3),
        title="草稿",
        actor=township_clerk,
        now=at(2025, 3, 4),
    )
    # Due Monday 3/17; 7 working days from then: 17–21, 24, 25.
    assert record.publicity_end == date(2025, 3, 25)


def test_publishing_on_the_due_day_is_on_time_the_day_after_is_late(
    policy_item, county, county_clerk
):
    on_time = record_services.record_create(
        region=county,
        item=policy_item,
        trigger_date=date(2025, 3, 3),
        title="a",
        actor=county_clerk,
        publish=record_services.PUBLISH_NOW,
        now=at(2025, 3, 17, 23, 30),
    )
    late = record_services.record_create(
        region=county,
        item=policy_item,
        trigger_date=date(2025, 3, 3),
        title="b",
        actor=county_clerk,
        publish=record_services.PUBLISH_NOW,
        now=at(2025, 3, 18, 0, 10),
    )
    assert on_time.obligation.status == Obligation.Status.ON_TIME
    assert late.obligation.status == Obligation.Status.LATE


def test_schedule_is_not_public_before_its_time(policy_item, county, county_clerk):
    record = record_services.record_create(
        region=county,
        item=policy_item,
        trigger_date=date(2025, 3, 3),
        title="定时",
        actor=county_clerk,
        publish=record_services.PUBLISH_SCHEDULE,
        publish_at=at(2025, 3, 12, 9),
        now=at(2025, 3, 10),
    )
    assert record.status == DisclosureRecord.Status.SCHEDULED
    assert (
        not DisclosureRecord.objects.public(now=at(2025, 3, 12, 8, 59))
        .filter(pk=record.pk)
        .exists()
    )
    assert (
        DisclosureRecord.objects.public(now=at(2025, 3, 12, 9))
        .filter(pk=record.pk)
        .exists()
    )
    record.obligation.refresh_from_db()
    assert record.obligation.status == Obligation.Status.OPEN
    # publish_due flips the status and fulfils the obligation; a second run does nothing.
    assert record_services.record_publish_due(now=at(2025, 3, 12, 9, 5)) == 1
    assert record_services.record_publish_due(now=at(2025, 3, 12, 9, 6)) == 0
    record.refresh_from_db()
    record.obligation.refresh_from_db()
    assert record.status == DisclosureRecord.Status.PUBLISHED
    assert record.obligation.status == Obligation.Status.ON_TIME
    assert record.obligation.fulfilled_at == at(2025, 3, 12, 9)


def test_schedule_in_the_past_is_refused(policy_item, county, county_clerk):
    with pytest.raises(ValidationError, match="已经过去"):
        record_services.record_create(
            region=county,
            item=policy_item,
            trigger_date=date(2025, 3, 3),
            title="x",
            actor=county_clerk,
            publish=record_services.PUBLISH_SCHEDULE,
            publish_at=at(2025, 3, 9),
            now=at(2025, 3, 10),
        )
    assert not DisclosureRecord.objects.exists()


def test_publishing_twice_is_refused(policy_item, county, county_clerk):
    record = record_services.record_create(
        region=county,
        item=policy_item,
        trigger_date=date(2025, 3, 3),
        title="x",
        actor=county_clerk,
        publish=record_services.PUBLISH_NOW,
        now=at(2025, 3, 10),
    )
    with pytest.raises(ValidationError, match="已经公开"):
        record_services.record_publish(
            record=record, actor=county_clerk, now=at(2025, 3, 11)
        )


def test_correct_keeps_history_with_reason(policy_item, county, county_clerk):
    record = record_services.record_create(
        region=county,
        item=policy_item,
        trigger_date=date(2025, 3, 3),
        title="旧标题",
        body="旧正文",
        actor=county_clerk,
        publish=record_services.PUBLISH_NOW,
        now=at(2025, 3, 10),
    )
    record_services.record_correct(
        record=record,
        title="新标题",
        body="新正文",
        reason="更正标题笔误",
        actor=county_clerk,
    )
    record.refresh_from_db()
    assert record.title == "新标题"
    titles = list(record.history.order_by("history_id").values_list("title", flat=True))
    assert "旧标题" in titles and titles[-1] == "新标题"
    assert record.history.latest("history_id").history_change_reason == "更正标题笔误"
    with pytest.raises(ValidationError, match="没有需要更正的内容"):
        record_services.record_correct(
            record=record,
            title="新标题",
            body="新正文",
            reason="再改",
            actor=county_clerk,
        )
    with pytest.raises(ValidationError, match="请填写更正说明"):
        record_services.record_correct(
            record=record, title="又一个", body="", reason=" ", actor=county_clerk
        )


def test_withdrawn_record_no_longer_fulfils_and_next_one_takes_over(
    policy_item, county, county_clerk
):
    first = record_services.record_create(
        region=county,
        item=policy_item,
        trigger_date=date(2025, 3, 3),
        title="第一次",
        actor=county_clerk,
        publish=record_services.PUBLISH_NOW,
        now=at(2025, 3, 10),
    )
    obligation = first.obligation
    record_services.record_withdraw(
        record=first, reason="数字有误", actor=county_clerk, now=at(2025, 3, 11)
    )
    obligation.refresh_from_db()
    assert obligation.status == Obligation.Status.OPEN
    assert obligation.fulfilled_at is None
    assert (
        not DisclosureRecord.objects.public(now=at(2025, 3, 12))
        .filter(pk=first.pk)
        .exists()
    )
    # The replacement, published after the due date, fulfils it — late.
    record_services.record_create(
        region=county,
        item=policy_item,
        trigger_date=date(2025, 3, 3),
        title="更正后",
        actor=county_clerk,
        publish=record_services.PUBLISH_NOW,
        obligation=obligation,
        now=at(2025, 3, 19),
    )
    obligation.refresh_from_db()
    assert obligation.status == Obligation.Status.LATE
    assert obligation.fulfilled_at == at(2025, 3, 19)
    with pytest.raises(ValidationError, match="不能更正"):
        record_services.record_correct(
            record=first, title="x", body="", reason="y", actor=county_clerk
        )


def test_withdraw_needs_a_reason(policy_item, county, county_clerk):
    record = record_services.record_create(
        region=county,
        item=policy_item,
        trigger_date=date(2025, 3, 3),
        title="x",
        actor=county_clerk,
        publish=record_services.PUBLISH_NOW,
        now=at(2025, 3, 10),
    )
    with pytest.raises(ValidationError, match="请填写撤回理由"):
        record_services.record_withdraw(record=record, reason="  ", actor=county_clerk)
    record.refresh_from_db()
    assert record.status == DisclosureRecord.Status.PUBLISHED


def test_withdrawing_a_mistaken_draft_cancels_its_event_obligation(
    policy_item, county, county_clerk
):
    record = record_services.record_create(
        region=county,
        item=policy_item,
        trigger_date=date(2025, 3, 3),
        title="误登记",
        actor=county_clerk,
        now=at(2025, 3, 4),
    )
    pk = record.obligation_id
    record_services.record_withdraw(
        record=record, reason="重复登记", actor=county_clerk, now=at(2025, 3, 5)
    )
    assert not Obligation.objects.filter(pk=pk).exists()
    assert AuditLogEntry.objects.filter(
        action="disclosures.obligation.cancelled", object_id=str(pk)
    ).exists()


def test_withdrawing_a_scheduled_record_keeps_its_obligation_open(
    policy_item, county, county_clerk
):
    record = record_services.record_create(
        region=county,
        item=policy_item,
        trigger_date=date(2025, 3, 3),
        title="定时",
        actor=county_clerk,
        publish=record_services.PUBLISH_SCHEDULE,
        publish_at=at(2025, 3, 12, 9),
        now=at(2025, 3, 10),
    )
    record_services.record_withdraw(
        record=record, reason="暂缓发布", actor=county_clerk, now=at(2025, 3, 11)
    )
    obligation = Obligation.objects.get(pk=record.obligation_id)
    assert obligation.status == Obligation.Status.OPEN
    assert not DisclosureRecord.objects.public(now=at(2025, 3, 13)).exists()


def test_on_request_item_has_no_due_date_nor_obligation(
    luolong, county, county_clerk, templates
):
    from catalogs.models import Domain
    from catalogs.services import catalog_clone, catalog_publish

    elderly = catalog_clone(
        region=county,
        domain=Domain.objects.get(slug="elderly-care"),
        actor=county_clerk,
    )
    catalog_publish(
        catalog=elderly, actor=county_clerk, already_approved_elsewhere=True
    )
    item = item_of(county, "养老服务扶持补贴信息")
    record = record_services.record_create(
        region=county,
        item=item,
        trigger_date=date(2025, 3, 3),
        title="依申请",
        actor=county_clerk,
        publish=record_services.PUBLISH_NOW,
        now=at(2025, 3, 4),
    )
    assert record.due_date is None and record.obligation is None
    assert record.rule_text == "依申请公开"


def test_2027_due_date_is_provisional(policy_item, county, county_clerk):
    record = record_services.record_create(
        region=county,
        item=policy_item,
        trigger_date=date(2026, 12, 28),
        title="跨年",
        actor=county_clerk,
        now=at(2026, 12, 29),
    )
    # 2027 has no official data: weekends plus 1/1 fallback → 12/29–31, 1/4–1/8, 1/11, 1/12.
    assert record.due_date == date(2027, 1, 12)
    assert record.due_provisional is True
    assert record.obligation.due_provisional is True


# --- attachments -------------------------------------------------------------------------


def _all_text(data: bytes) -> str:
    package = zipfile.ZipFile(io.BytesIO(data))
    return "".join(
        package.read(n).decode("utf-8", "replace")
        for n in package.namelist()
        if not n.endswith(".jpeg")
    )


def test_docx_metadata_and_comments_are_stripped():
    original = make_docx()
    assert "张三" in _all_text(original) and "洛龙区民政局" in _all_text(original)
    cleaned = attachment_services.strip_office_metadata(original, "docx")
    text = _all_text(cleaned)
    for secret in ("张三", "李四", "内部备注", "洛龙区民政局", "内部意见"):
        assert secret not in text
    names = zipfile.ZipFile(io.BytesIO(cleaned)).namelist()
    assert "word/comments.xml" not in names
    assert (
        "comments.xml"
        not in zipfile.ZipFile(io.BytesIO(cleaned)).read("[Content_Types].xml").decode()
    )
    # Still a Word document with its text.
    import docx

    assert docx.Document(io.BytesIO(cleaned)).paragraphs[0].text == "低保标准调整"


def test_xlsx_metadata_and_comments_are_stripped():
    original = make_xlsx()
    assert "王五" in _all_text(original)
    cleaned = attachment_services.strip_office_metadata(original, "xlsx")
    text = _all_text(cleaned)
    for secret in ("王五", "赵六", "洛龙区民政局", "复核"):
        assert secret not in text
    assert not any(
        "comments" in n or n.endswith(".vml")
        for n in zipfile.ZipFile(io.BytesIO(cleaned)).namelist()
    )
    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(cleaned)).active
    assert sheet["A1"].value == "金额" and sheet["A1"].comment is None


PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    b"3 0 obj\n<< /Title (Policy) /Author (Zhang San \\(office\\)) /Creator <FEFF5F204E09> "
    b"/Producer (WPS Office) >>\nendobj\n"
    b"4 0 obj\n<< /Type /Metadata /Subtype /XML /Length 120 >>\nstream\n"
    b"<x:xmpmeta><dc:creator><rdf:Seq><rdf:li>Zhang San</rdf:li></rdf:Seq></dc:creator>"
    b"<pdf:Producer>WPS Office</pdf:Producer></x:xmpmeta>\nendstream\nendobj\n"
    b"xref\n0 5\ntrailer\n<< /Root 1 0 R /Info 3 0 R >>\nstartxref\n9\n%%EOF\n"
)


def test_pdf_info_and_xmp_are_blanked_in_place():
    cleaned = attachment_services.strip_pdf_metadata(PDF)
    assert len(cleaned) == len(PDF)  # offsets of the cross-reference table stay valid
    assert (
        b"Zhang" not in cleaned and b"WPS" not in cleaned and b"5F204E09" not in cleaned
    )
    assert b"/Title (Policy)" in cleaned  # the title is kept
    assert re.search(rb"/Author \( +\)", cleaned)
    assert b"<dc:creator><rdf:Seq><rdf:li>" in cleaned


def test_attachments_are_stored_stripped(policy_item, county, county_clerk):
    record = record_services.record_create(
        region=county,
        item=policy_item,
        trigger_date=date(2025, 3, 3),
        title="附件",
        actor=county_clerk,
        now=at(2025, 3, 4),
        files=[
            SimpleUploadedFile("低保标准.docx", make_docx()),
            SimpleUploadedFile("统计表.xlsx", make_xlsx()),
            SimpleUploadedFile("通知.pdf", PDF),
        ],
    )
    attachments = list(record.attachments.order_by("pk"))
    assert [a.original_name for a in attachments] == [
        "低保标准.docx",
        "统计表.xlsx",
        "通知.pdf",
    ]
    for attachment in attachments:
        data = attachment.file.open("rb").read()
        assert attachment.size == len(data)
        assert "张三".encode() not in data and b"Zhang" not in data
    assert attachments[2].content_type == "application/pdf"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("说明.doc", b"\xd0\xcf\x11\xe0xxxx", "类型不支持"),
        ("程序.exe", b"MZ....", "类型不支持"),
        ("假的.pdf", b"just text", "内容与扩展名不符"),
        ("假的.docx", b"PK\x03\x04 broken", "内容与扩展名不符"),
        ("加密.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "已加密或是旧版Office格式"),
        ("空.pdf", b"", "空文件"),
    ],
)
def test_bad_attachment_is_refused_and_nothing_is_stored(
    policy_item, county, county_clerk, name, data, message
):
    with pytest.raises(ValidationError, match=message) as excinfo:
        record_services.record_create(
            region=county,
            item=policy_item,
            trigger_date=date(2025, 3, 3),
            title="附件",
            actor=county_clerk,
            now=at(2025, 3, 4),
            files=[SimpleUploadedFile(name, data)],
        )
    assert name in str(excinfo.value)
    assert not DisclosureRecord.objects.exists() and not Attachment.objects.exists()


def test_oversized_attachment_is_refused(policy_item, county, county_clerk, settings):
    settings.MAX_UPLOAD_BYTES = 1024
    with pytest.raises(ValidationError, match="超过上限1 KB"):
        record_services.record_create(
            region=county,
            item=policy_item,
            trigger_date=date(2025, 3, 3),
            title="附件",
            actor=county_clerk,
            now=at(2025, 3, 4),
            files=[SimpleUploadedFile("大文件.pdf", b"%PDF-1.4\n" + b"0" * 2048)],
        )


def test_statistical_unit_gets_a_due_date_but_owes_no_obligation(templates, make_user):
    """洛阳高新技术产业开发区 (410371) is not an official division: 展示但不产生公开义务."""
    zone = Region.objects.get(code="410371")
    clerk = make_user("county_clerk", "410371", username="clerk-gaoxin")
    item = item_of(zone, "政策法规文件", kind="working_days")
    record = record_services.record_create(
        region=zone,
        item=item,
        trigger_date=date(2025, 3, 3),
        title="高新区",
        actor=clerk,
        publish=record_services.PUBLISH_NOW,
        now=at(2025, 3, 10),
    )
    assert record.due_date == date(2025, 3, 17)
    assert record.obligation is None
    assert not Obligation.objects.exists()
