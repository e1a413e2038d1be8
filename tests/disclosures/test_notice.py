"""The print-ready notice `/records/<id>/notice/` (SPEC §14): what it shows, and that it
shows nothing the public record page does not."""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from django.urls import reverse
from django.utils import timezone

from catalogs.models import Region
from demo import namelists as demo_namelists
from disclosures.models import NameList
from disclosures.public import notice
from disclosures.records import services as record_services
from tests.builders import (
    add_name_list,
    draft_record,
    people,
    publish_list,
    publish_record,
    temporary_record,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("staging")]


def _url(record, **query) -> str:
    url = reverse("disclosures:record_notice", kwargs={"pk": record.pk})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_notice_shows_issuer_title_both_dates_list_and_qr_code(client, portal):
    published_on = timezone.localdate() - timedelta(days=2)
    record = publish_record(published_on=published_on)
    record.refresh_from_db()
    add_name_list(record, rows=4, publicity_end=record.publicity_end)
    response = client.get(_url(record))
    assert response.status_code == 200
    html = response.content.decode()
    # The record's 发布机构 when it has one, else the body derived from the region.
    issuer = response.context["issuing_body"]
    assert issuer in (getattr(record, "issuer", "") or "洛龙区李楼街道办事处",)
    assert issuer.endswith("李楼街道办事处")
    assertContains(
        response, f'<p class="notice-issuer" id="notice-issuer">{issuer}</p>'
    )
    assertContains(response, record.title)
    start = f"{published_on.year}年{published_on.month}月{published_on.day}日"
    end = record.publicity_end
    assert end is not None
    assertContains(response, f"公示期：{start}至{end.year}年{end.month}月{end.day}日")
    # The QR code: an inline SVG that leads to the online record.
    assert re.search(r'<svg[^>]*class="segno"', html)
    assert response.context["record_url"] == f"http://testserver/records/{record.pk}/"
    assertContains(response, f"http://testserver/records/{record.pk}/")
    # The list exactly as the public page's table: header and every row.
    for header in ("序号", "姓名", "家庭人口", "村（社区）"):
        assertContains(response, f'<th scope="col">{header}</th>', html=True)
    assert html.count("<tr><td>") == 4
    assertContains(response, "张*亮1")
    assertContains(response, "监督电话：")
    assertContains(response, 'id="notice-phone-hint"')
    assertContains(response, "css/notice.css")
    assertNotContains(response, "css/notice-a3.css")


def test_a3_option_loads_the_a3_sheet(client, portal):
    record = publish_record()
    response = client.get(_url(record, size="a3"))
    assertContains(response, "css/notice-a3.css")
    assert client.get(_url(record, size="b5")).context["size"] == "a4"


def test_drafts_and_withdrawn_records_have_no_notice(client, portal, township_clerk):
    draft = draft_record(title="尚未发布的草稿")
    assert client.get(_url(draft)).status_code == 404
    record = publish_record()
    record_services.record_withdraw(record=record, reason="发布有误", actor=None)
    assert client.get(_url(record)).status_code == 404


def test_unconfirmed_list_is_not_printed(client, portal):
    record = publish_record()
    add_name_list(record, rows=3, status=NameList.Status.PENDING)
    response = client.get(_url(record))
    assert response.status_code == 200
    assertNotContains(response, "张*亮1")
    assertNotContains(response, 'id="notice-table"')


def test_ended_list_prints_no_rows(client, portal):
    record = publish_record(published_on=timezone.localdate() - timedelta(days=40))
    add_name_list(
        record, rows=3, publicity_end=timezone.localdate() - timedelta(days=30)
    )
    response = client.get(_url(record))
    assertContains(response, 'id="notice-list-expired"')
    assertNotContains(response, "张*亮1")


def test_notice_and_public_page_show_the_same_cells(client, portal):
    record = publish_record()
    add_name_list(record, rows=60)  # more than one page of the public table
    page_cells = set()
    for page in (1, 2):
        html = client.get(record.get_absolute_url(), {"page": page}).content.decode()
        table = html.split('class="name-list-table"')[1].split("</table>")[0]
        page_cells |= set(re.findall(r"<td>([^<]*)</td>", table))
    notice_html = client.get(_url(record)).content.decode()
    notice_cells = set(re.findall(r"<td>([^<]*)</td>", notice_html))
    assert notice_cells == page_cells
    assert notice_html.count("<tr><td>") == 60


def test_no_raw_identifier_reaches_the_notice(
    client, portal, county_clerk, city_reviewer
):
    """An attacker's list: ID, phone and bank-card numbers in their columns and typed
    into free text. The notice holds none of them, and no digit run of 11+."""
    record = temporary_record("李楼街道临时救助名单（张贴测试）")
    crowd = people(12, seed="notice")
    # Identifiers typed into the published columns themselves (姓名, 所属村) and free text.
    crowd[0] = dataclasses.replace(
        crowd[0],
        name=f"{crowd[0].name}{crowd[1].id_number}",
        village=f"{crowd[0].village} {crowd[1].phone}",
        remark=f"卡号{crowd[2].bank_card}",
    )
    data = demo_namelists.workbook_bytes("李楼街道临时救助名单", crowd)
    publish_list(record, county_clerk, city_reviewer, data=data)
    html = client.get(_url(record)).content.decode()
    assert 'id="notice-table"' in html
    for raw in demo_namelists.raw_identifiers(crowd):
        assert raw not in html
    visible = re.sub(r"<[^>]+>", " ", html)
    assert not re.search(r"\d{11,}", re.sub(r"[\s\-]", "", visible))


def test_supervision_phone_from_a_registered_provider(client, portal, monkeypatch):
    """The 政府信息公开指南 (an app above) registers a provider; a mobile number is
    not printed (the public page never shows one)."""
    phones = {"410311012": "0379-12345678", "410311": "13812345678"}
    monkeypatch.setattr(notice, "_phone_providers", [])
    notice.register_supervision_phone(
        lambda regions: [phones[r.code] for r in regions if r.code in phones]
    )
    record = publish_record()
    response = client.get(_url(record))
    assertContains(response, "监督电话：0379-12345678")
    assertNotContains(response, 'id="notice-phone-hint"')
    lilou = Region.objects.get(code="410311012")
    ancestors = list(Region.objects.ancestors_of("410311012"))
    phones["410311012"] = ""
    assert notice.supervision_phone(lilou, ancestors) == ""  # the county's is a mobile


def test_issuing_body_names():
    county = Region(code="410311", name="洛龙区", level="county")
    town = Region(code="410311194", name="寇店镇", level="township")
    street = Region(code="410311012", name="李楼街道", level="township")
    assert notice.issuing_body(street, [county]) == "洛龙区李楼街道办事处"
    assert notice.issuing_body(town, [county]) == "洛龙区寇店镇人民政府"
    assert notice.issuing_body(county, []) == "洛龙区民政局"


def test_notice_query_count(client, portal, django_assert_num_queries, monkeypatch):
    """Queries: the record (1), its public attachments (1), ancestors (1), the list
    (1), the row count (1) and the rows (1); each registered phone provider adds
    its own (one for the 政府信息公开指南), none here."""
    monkeypatch.setattr(notice, "_phone_providers", [])
    record = publish_record()
    add_name_list(record, rows=30)
    with django_assert_num_queries(6):
        client.get(_url(record))


def test_supervision_phone_comes_from_the_guide_of_the_region_or_above(client, portal):
    """opengov registers its guides' phone (咨询电话) as the notice's 监督电话: the
    county's guide serves a township without its own."""
    from opengov.services import guide_save

    record = publish_record()
    assertContains(client.get(_url(record)), 'id="notice-phone-hint"')
    values = {
        "office": "洛龙区民政局",
        "address": "洛阳市洛龙区开元大道",
        "hours": "工作日 8:30-12:00",
        "phone": "0379-65550000",
    }
    guide_save(region=Region.objects.get(code="410311"), values=values, actor=None)
    response = client.get(_url(record))
    assertContains(response, "监督电话：0379-65550000")
    assertNotContains(response, 'id="notice-phone-hint"')
    guide_save(
        region=Region.objects.get(code="410311012"),
        values={**values, "office": "李楼街道办事处", "phone": "0379-65551111"},
        actor=None,
    )
    assertContains(client.get(_url(record)), "监督电话：0379-65551111")
