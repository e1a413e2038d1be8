"""Staff record pages under /work/records/: the clerk's flow, and region scoping."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalogs.deadlines import PROVISIONAL_NOTE
from disclosures.models import Attachment, DisclosureRecord, Obligation
from disclosures.records import obligations as obligation_services
from disclosures.records import services as record_services
from tests.disclosures.builders import at
from tests.files import make_docx

# `fresh_calendar` (tests/disclosures/conftest.py): no test sees another's calendar edits.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_calendar")]

NOTE = str(PROVISIONAL_NOTE)


def test_anonymous_is_sent_to_login(client):
    for url in ("/work/records/", "/work/records/new/"):
        response = client.get(url)
        assert (
            response.status_code == 302 and "/accounts/login/" in response["Location"]
        )


def test_township_create_page_offers_township_items_only(
    client, luolong, township_clerk
):
    client.force_login(township_clerk)
    html = client.get("/work/records/new/").content.decode()
    assert "李楼街道" in html
    assert "临时救助审核审批结果（每季度末）" in html
    assert "公示7个工作日" in html  # 审核信息 with its publicity period
    assert "养老机构备案" not in html  # county only


def test_preview_shows_due_date_and_saves_nothing(client, review_item, township_clerk):
    client.force_login(township_clerk)
    response = client.post(
        "/work/records/new/",
        {"action": "preview", "item": review_item.pk, "trigger_date": "2025-03-03"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-due="2025-03-17"' in html
    assert "公示期至2025-03-25" in html
    assert NOTE not in html
    assert not DisclosureRecord.objects.exists() and not Obligation.objects.exists()


def test_preview_of_a_2027_due_date_is_flagged_provisional(
    client, review_item, township_clerk
):
    client.force_login(township_clerk)
    html = client.post(
        "/work/records/new/",
        {"action": "preview", "item": review_item.pk, "trigger_date": "2026-12-28"},
    ).content.decode()
    assert 'data-due="2027-01-12"' in html
    assert "（暂定）" in html and NOTE in html


def test_publish_now_shows_due_date_on_record_page(client, review_item, township_clerk):
    client.force_login(township_clerk)
    trigger = timezone.localdate() - timedelta(days=1)
    response = client.post(
        "/work/records/new/",
        {
            "action": "save",
            "item": review_item.pk,
            "trigger_date": trigger.isoformat(),
            "title": "李楼街道低保拟纳入对象公示",
            "body": "公示内容",
            "publish": "now",
            "attachments": [SimpleUploadedFile("名单说明.docx", make_docx())],
        },
    )
    record = DisclosureRecord.objects.get()
    assert (
        response.status_code == 302
        and response["Location"] == f"/work/records/{record.pk}/"
    )
    assert (
        record.status == DisclosureRecord.Status.PUBLISHED
        and record.region_id == "410311012"
    )
    assert record.created_by == township_clerk
    html = client.get(response["Location"]).content.decode()
    assert record.due_date.strftime("%Y-%m-%d") in html
    assert "公示截止日期" in html and record.publicity_end.strftime("%Y-%m-%d") in html
    assert "名单说明.docx" in html
    attachment = Attachment.objects.get()
    download = client.get(f"/work/records/{record.pk}/attachments/{attachment.pk}/")
    assert download.status_code == 200
    assert "张三".encode() not in b"".join(download.streaming_content)
    # Public page shows it.
    client.logout()
    assert client.get(f"/records/{record.pk}/").status_code == 200


def test_missing_title_is_reported_and_nothing_saved(
    client, review_item, township_clerk
):
    client.force_login(township_clerk)
    response = client.post(
        "/work/records/new/",
        {
            "action": "save",
            "item": review_item.pk,
            "trigger_date": "2025-03-03",
            "title": "",
            "publish": "now",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "保存未成功" in html and "标题" in html
    assert 'data-due="2025-03-17"' in html  # the due date stays visible
    assert not DisclosureRecord.objects.exists()


def test_schedule_in_the_past_is_reported(client, review_item, township_clerk):
    client.force_login(township_clerk)
    response = client.post(
        "/work/records/new/",
        {
            "action": "save",
            "item": review_item.pk,
            "trigger_date": "2025-03-03",
            "title": "定时",
            "publish": "schedule",
            "publish_at": "2025-03-20T09:00",
        },
    )
    assert "已经过去" in response.content.decode()
    assert not DisclosureRecord.objects.exists()


def test_scheduled_record_is_hidden_from_the_public_until_its_time(
    client, review_item, township_clerk
):
    client.force_login(township_clerk)
    when = timezone.localtime() + timedelta(days=2)
    response = client.post(
        "/work/records/new/",
        {
            "action": "save",
            "item": review_item.pk,
            "trigger_date": timezone.localdate().isoformat(),
            "title": "李楼街道定时公示",
            "publish": "schedule",
            "publish_at": when.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    record = DisclosureRecord.objects.get()
    assert response.status_code == 302
    assert record.status == DisclosureRecord.Status.SCHEDULED
    html = client.get(f"/work/records/{record.pk}/").content.decode()
    assert "到时间前公众看不到" in html
    client.logout()
    assert client.get(f"/records/{record.pk}/").status_code == 404
    assert "李楼街道定时公示" not in client.get("/").content.decode()
    assert "李楼街道定时公示" not in client.get("/r/410311012/").content.decode()


def test_record_page_flags_provisional_2027_due_date(
    client, policy_item, county, county_clerk
):
    record = record_services.record_create(
        region=county,
        item=policy_item,
        trigger_date=date(2026, 12, 28),
        title="跨年",
        actor=county_clerk,
        now=at(2026, 12, 29),
    )
    client.force_login(county_clerk)
    html = client.get(f"/work/records/{record.pk}/").content.decode()
    assert "2027-01-12" in html and NOTE in html


def test_correct_and_withdraw_through_the_pages(
    client, policy_item, county, county_clerk
):
    record = record_services.record_create(
        region=county,
        item=policy_item,
        trigger_date=date(2025, 3, 3),
        title="旧标题",
        actor=county_clerk,
        publish=record_services.PUBLISH_NOW,
        now=at(2025, 3, 10),
    )
    client.force_login(county_clerk)
    assert client.get(f"/work/records/{record.pk}/correct/").status_code == 200
    response = client.post(
        f"/work/records/{record.pk}/correct/",
        {"title": "新标题", "body": "新正文", "reason": "更正笔误"},
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.title == "新标题"
    assert "更正笔误" in client.get(f"/work/records/{record.pk}/").content.decode()
    response = client.post(f"/work/records/{record.pk}/withdraw/", {"reason": ""})
    assert response.status_code == 200 and "撤回理由" in response.content.decode()
    response = client.post(
        f"/work/records/{record.pk}/withdraw/", {"reason": "内容有误"}
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == DisclosureRecord.Status.WITHDRAWN
    assert record.obligation.status == Obligation.Status.OPEN
    client.logout()
    gone = client.get(f"/records/{record.pk}/")
    assert gone.status_code == 410  # a notice: withdrawn, when and why; no content
    assert "内容有误" in gone.content.decode()


def test_draft_published_later_through_the_page(
    client, policy_item, county, county_clerk
):
    record = record_services.record_create(
        region=county,
        item=policy_item,
        trigger_date=date(2025, 3, 3),
        title="草稿",
        actor=county_clerk,
        now=at(2025, 3, 4),
    )
    client.force_login(county_clerk)
    assert client.get(f"/work/records/{record.pk}/publish/").status_code == 200
    response = client.post(f"/work/records/{record.pk}/publish/", {"publish": "now"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == DisclosureRecord.Status.PUBLISHED


def test_obligation_link_prefills_the_form(client, quarterly_item, township_clerk):
    obligation_services.obligation_generate_periodic(on=date(2025, 8, 15))
    ob = Obligation.objects.get(region_id="410311012", period_start=date(2025, 7, 1))
    client.force_login(township_clerk)
    html = client.get(f"/work/records/new/?obligation={ob.pk}").content.decode()
    assert "临时救助审核审批结果（2025年第3季度）" in html
    assert 'data-due="2025-09-30"' in html
    response = client.post(
        "/work/records/new/",
        {
            "action": "save",
            "obligation": ob.pk,
            "item": quarterly_item.pk,
            "trigger_date": "2025-09-30",
            "title": "第三季度结果",
            "publish": "now",
        },
    )
    assert response.status_code == 302
    ob.refresh_from_db()
    assert ob.status == Obligation.Status.LATE  # published now, long after 2025-09-30
    assert DisclosureRecord.objects.get().obligation_id == ob.pk


# --- scoping: another county's clerk gets 404 everywhere, and nothing changes ---------------


@pytest.fixture
def luolong_record(policy_item, county, county_clerk):
    record = record_services.record_create(
        region=county,
        item=policy_item,
        trigger_date=date(2025, 3, 3),
        title="洛龙区草稿",
        body="正文",
        actor=county_clerk,
        now=at(2025, 3, 4),
        files=[SimpleUploadedFile("附件.docx", make_docx())],
    )
    return record


def _snapshot():
    return (
        list(DisclosureRecord.objects.order_by("pk").values()),
        list(Obligation.objects.order_by("pk").values()),
        Attachment.objects.count(),
    )


def test_other_county_gets_404_on_every_record_page(
    client, luolong_record, other_county_clerk
):
    client.force_login(other_county_clerk)
    pk = luolong_record.pk
    attachment = luolong_record.attachments.get()
    before = _snapshot()
    for url, data in [
        (f"/work/records/{pk}/", {}),
        (f"/work/records/{pk}/publish/", {"publish": "now"}),
        (f"/work/records/{pk}/correct/", {"title": "偷改", "body": "", "reason": "x"}),
        (f"/work/records/{pk}/withdraw/", {"reason": "偷撤"}),
        (f"/work/records/{pk}/attachments/{attachment.pk}/", {}),
        (
            f"/work/records/new/?obligation={luolong_record.obligation_id}",
            {"action": "save", "title": "x"},
        ),
    ]:
        assert client.get(url).status_code == 404, url
        assert client.post(url, data).status_code in (404, 405), url
    assert (
        client.post(f"/work/records/{pk}/publish/", {"publish": "now"}).status_code
        == 404
    )
    assert _snapshot() == before
    # Not listed in the other county's worklist either.
    assert "洛龙区草稿" not in client.get("/work/records/").content.decode()


def test_township_cannot_touch_county_records_but_county_sees_township(
    client, luolong_record, review_item, lilou, township_clerk, county_clerk
):
    township_record = record_services.record_create(
        region=lilou,
        item=review_item,
        trigger_date=date(2025, 3, 3),
        title="街道草稿",
        actor=township_clerk,
        now=at(2025, 3, 4),
    )
    client.force_login(township_clerk)
    assert client.get(f"/work/records/{luolong_record.pk}/").status_code == 404
    assert (
        client.post(
            f"/work/records/{luolong_record.pk}/withdraw/", {"reason": "x"}
        ).status_code
        == 404
    )
    client.force_login(county_clerk)
    assert client.get(f"/work/records/{township_record.pk}/").status_code == 200


# --- worklist pages ---------------------------------------------------------------------------


def test_worklist_page_and_workspace_show_the_worklist(
    client, luolong_record, county_clerk
):
    client.force_login(county_clerk)
    for url in ("/work/records/", "/work/"):
        html = client.get(url).content.decode()
        assert "公开信息工作清单" in html
        assert "洛龙区草稿" in html
        assert "已逾期" in html


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_worklist_page_query_count_does_not_grow(
    client, luolong_record, policy_item, county, county_clerk
):
    """One record or twenty-one: the same number of queries (session, user, the
    worklist's nine, the record list)."""
    client.force_login(county_clerk)
    _queries(client, "/work/records/")  # warm caches
    small = _queries(client, "/work/records/")
    for n in range(20):
        record_services.record_create(
            region=county,
            item=policy_item,
            trigger_date=date(2025, 3, 3),
            title=f"记录{n}",
            actor=county_clerk,
            publish=record_services.PUBLISH_NOW
            if n % 2
            else record_services.PUBLISH_DRAFT,
            now=at(2025, 3, 4 + n % 5),
        )
    assert _queries(client, "/work/records/") == small
