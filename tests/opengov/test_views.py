"""The guide and report pages: public pages for every county, the staff pages of
the region's own staff, and the refusal of every other region's staff."""

from __future__ import annotations

from datetime import date

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from django.urls import reverse

from catalogs.models import AuditLogEntry, Region
from opengov import layout, services
from opengov.models import AnnualReport, Guide
from tests.builders import LILOU, LUOLONG

from .builders import a_year_of_applications

pytestmark = pytest.mark.django_db


GUIDE_POST = {
    "office": "洛龙区民政局办公室",
    "address": "洛阳市洛龙区开元大道1号",
    "postcode": "471000",
    "hours": "工作日 8:30—12:00，14:30—17:30",
    "phone": "0379-12345678",
    "fax": "",
    "email": "",
    "proactive": "",
    "how_to_apply": "",
    "remedies": "",
}


def test_the_guide_and_reports_pages_answer_for_every_county_and_township(
    portal, client
):
    codes = list(
        Region.objects.filter(
            code__startswith="4103", level__in=["county", "township"]
        ).values_list("code", flat=True)
    )
    assert len(codes) > 20
    for code in codes:
        for name in ("opengov:guide", "opengov:report_index"):
            response = client.get(reverse(name, kwargs={"code": code}))
            assert response.status_code == 200, (name, code)
    page = client.get(reverse("opengov:guide", kwargs={"code": LUOLONG}))
    assertContains(page, "洛龙区民政局政府信息公开指南")
    assertContains(page, "自收到申请之日起20个工作日内答复")
    assertContains(page, f'href="/apply/?county={LUOLONG}"')
    assertContains(page, "本机关尚未补充办公地址")


@pytest.mark.parametrize("code", ["41", "4103", "999999"])
def test_no_guide_above_county_level_or_for_unknown_codes(portal, client, code):
    assert (
        client.get(reverse("opengov:guide", kwargs={"code": code})).status_code == 404
    )
    assert (
        client.get(reverse("opengov:report_index", kwargs={"code": code})).status_code
        == 404
    )


def test_the_application_form_links_to_the_guide(portal, client):
    page = client.get(reverse("onrequest:apply"), {"county": LILOU})
    assertContains(page, reverse("opengov:guide", kwargs={"code": "410311"}))


def test_the_region_page_links_to_the_guide_and_the_reports(portal, client):
    page = client.get(reverse("disclosures:region_detail", kwargs={"code": LILOU}))
    assertContains(page, reverse("opengov:guide", kwargs={"code": LILOU}))
    assertContains(page, reverse("opengov:report_index", kwargs={"code": LILOU}))
    city = client.get(reverse("disclosures:region_detail", kwargs={"code": "4103"}))
    assertNotContains(city, "/r/4103/guide/")


def test_the_county_clerk_edits_the_guide(portal, client, county_clerk):
    client.force_login(county_clerk)
    form = client.get(reverse("opengov:guide_edit"))
    assertContains(form, 'value="洛龙区民政局"')
    response = client.post(reverse("opengov:guide_edit"), GUIDE_POST)
    assert response.status_code == 302
    guide = Guide.objects.get(region_id=LUOLONG)
    assert guide.updated_by == county_clerk
    assert AuditLogEntry.objects.filter(action="opengov.guide.created").exists()
    page = client.get(reverse("opengov:guide", kwargs={"code": LUOLONG}))
    assertContains(page, "洛阳市洛龙区开元大道1号")
    assertContains(page, "0379-12345678")
    assertNotContains(page, "本机关尚未补充办公地址")


def test_guide_errors_name_the_field(portal, client, county_clerk):
    client.force_login(county_clerk)
    bad = {**GUIDE_POST, "address": "", "postcode": "4710", "phone": "13812345678"}
    response = client.post(reverse("opengov:guide_edit"), bad)
    assert response.status_code == 200
    assertContains(response, "请填写办公地址")
    assertContains(response, "邮政编码应为6位数字")
    assert not Guide.objects.exists()
    response = client.post(
        reverse("opengov:guide_edit"), {**GUIDE_POST, "phone": "13812345678"}
    )
    assertContains(response, "“咨询电话”第1行第1个字符起有手机号")
    assert not Guide.objects.exists()


def test_a_township_clerk_edits_only_the_townships_guide(
    portal, client, township_clerk
):
    client.force_login(township_clerk)
    client.post(
        reverse("opengov:guide_edit"), {**GUIDE_POST, "office": "李楼街道党政办"}
    )
    assert list(Guide.objects.values_list("region_id", "office")) == [
        (LILOU, "李楼街道党政办")
    ]


@pytest.mark.parametrize("fixture", ["city_reviewer", "province_admin"])
def test_levels_above_county_do_not_write_guides_or_reports(
    portal, client, request, fixture
):
    client.force_login(request.getfixturevalue(fixture))
    for name in ("opengov:guide_edit", "opengov:report_list"):
        assert client.get(reverse(name)).status_code == 403
        assert (
            client.post(reverse(name), {**GUIDE_POST, "year": "2025"}).status_code
            == 403
        )
    assert not Guide.objects.exists() and not AnnualReport.objects.exists()


def test_generate_edit_and_publish_through_the_pages(portal, client, county_clerk):
    a_year_of_applications(LUOLONG)
    client.force_login(county_clerk)
    listing = client.get(reverse("opengov:report_list"))
    assertContains(listing, "生成年度报告草稿")
    response = client.post(reverse("opengov:report_list"), {"year": "2025"})
    report = AnnualReport.objects.get(region_id=LUOLONG, year=2025)
    assert response["Location"] == report.get_absolute_url()
    page = client.get(report.get_absolute_url())
    html = page.content.decode()
    # Counted figures are links to what they count, entered ones inputs.
    received = reverse("opengov:report_count", args=[report.pk, "received", "total"])
    assert f'href="{received}"' in html
    assert 'name="t2.licensing.decisions"' in html
    assert 'name="t3.received.total"' not in html
    assertContains(page, "待填写")
    counted = client.get(received)
    assert len(counted.context["items"]) == 25
    refused = client.post(reverse("opengov:report_publish", args=[report.pk]))
    assert refused.status_code == 400
    assertContains(refused, "尚未填写", status_code=400)
    post = {
        "overview": "2025年全面推进政务公开。",
        "problems": "不够及时。",
        "other_matters": "无。",
        **dict.fromkeys(layout.entered_keys(), "0"),
        "t2.licensing.decisions": "-3",
    }
    response = client.post(report.get_absolute_url(), post)
    assert response.status_code == 200
    assertContains(response, "表二“行政许可”的“本年处理决定数量”应为不小于0的整数")
    post["t2.licensing.decisions"] = "3"
    assert client.post(report.get_absolute_url(), post).status_code == 302
    response = client.post(reverse("opengov:report_publish", args=[report.pk]))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.is_published
    docx = client.get(reverse("opengov:report_download", args=[report.pk, "docx"]))
    assert docx["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )
    public = client.get(reverse("opengov:report_index", kwargs={"code": LUOLONG}))
    assertContains(public, report.record.index_number)


@pytest.fixture
def county_a_report(portal, county_clerk):
    return services.report_create(
        region=Region.objects.get(code=LUOLONG), year=2025, actor=county_clerk
    )


@pytest.mark.parametrize(
    "fixture", ["other_county_clerk", "township_clerk", "city_reviewer"]
)
def test_other_regions_staff_get_404_on_every_report_page(
    county_a_report, client, request, fixture
):
    """偃师区's clerk, 李楼街道's clerk (below) and the city reviewer (above): no
    page of 洛龙区's report answers, GET or POST, and nothing changes."""
    client.force_login(request.getfixturevalue(fixture))
    pk = county_a_report.pk
    before = (county_a_report.overview, AuditLogEntry.objects.count())
    urls = [
        reverse("opengov:report_edit", args=[pk]),
        reverse("opengov:report_publish", args=[pk]),
        reverse("opengov:report_download", args=[pk, "docx"]),
        reverse("opengov:report_download", args=[pk, "xlsx"]),
        reverse("opengov:report_count", args=[pk, "received", "total"]),
        reverse("opengov:report_count", args=[pk, "records", "total"]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"overview": "被篡改"}).status_code in (404, 405), url
    county_a_report.refresh_from_db()
    assert (county_a_report.overview, AuditLogEntry.objects.count()) == before
    assert not county_a_report.is_published


def test_a_superuser_acts_for_no_region(county_a_report, client):
    from catalogs.models import User

    client.force_login(User.objects.create_superuser("root", "r@example.invalid", "x"))
    assert (
        client.get(
            reverse("opengov:report_edit", args=[county_a_report.pk])
        ).status_code
        == 404
    )
    assert client.get(reverse("opengov:guide_edit")).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(county_a_report, client):
    for url in (
        reverse("opengov:guide_edit"),
        reverse("opengov:report_list"),
        reverse("opengov:report_edit", args=[county_a_report.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_the_workspace_shows_the_panel_and_the_reminder(
    portal, client, county_clerk, settings
):
    from unittest import mock

    client.force_login(county_clerk)
    with mock.patch("django.utils.timezone.localdate", return_value=date(2026, 1, 10)):
        page = client.get(reverse("workspace"))
    assertContains(page, reverse("opengov:guide_edit"))
    assertContains(
        page, "2025年政府信息公开工作年度报告应于2026年1月31日前公布，还有21天"
    )


def _publish_report(region_code: str, year: int, actor) -> AnnualReport:
    report = services.report_create(
        region=Region.objects.get(code=region_code), year=year, actor=actor
    )
    services.report_update(
        report=report,
        texts={"overview": "总体情况。", "problems": "问题。", "other_matters": "无。"},
        figures=dict.fromkeys(layout.entered_keys(), "0"),
        actor=actor,
    )
    return services.report_publish(report=report, actor=actor)


def test_public_pages_run_a_fixed_number_of_queries(
    portal, client, county_clerk, django_assert_num_queries
):
    """Guide: the region, its ancestors, its guide (3). Reports: the region, its
    ancestors, the published reports with their public records, their docx
    attachments (4) — the same with one report as with three."""
    guide_url = reverse("opengov:guide", kwargs={"code": LUOLONG})
    reports_url = reverse("opengov:report_index", kwargs={"code": LUOLONG})
    with django_assert_num_queries(3):
        client.get(guide_url)
    _publish_report(LUOLONG, 2023, county_clerk)
    with django_assert_num_queries(4):
        assert len(client.get(reports_url).context["reports"]) == 1
    _publish_report(LUOLONG, 2024, county_clerk)
    _publish_report(LUOLONG, 2025, county_clerk)
    with django_assert_num_queries(4):
        page = client.get(reports_url)
    assert [r.year for r in page.context["reports"]] == [2025, 2024, 2023]


def test_staff_set_a_records_document_number(portal, client, township_clerk):
    from tests.builders import publish_record

    record = publish_record(published_on=date(2025, 5, 6))
    client.force_login(township_clerk)
    url = reverse("opengov:record_metadata", args=[record.pk])
    manage = client.get(reverse("disclosures:record_manage", args=[record.pk]))
    assertContains(manage, url)
    assertContains(manage, record.index_number)
    response = client.post(
        url,
        {
            "issuer": "",
            "written_date": "2025-05-01",
            "document_number": "李楼办〔2025〕3号",
            "topic": "",
        },
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.written_date, record.document_number, record.issuer) == (
        date(2025, 5, 1),
        "李楼办〔2025〕3号",
        "李楼街道办事处",
    )
    bad = client.post(url, {"written_date": "2999-01-01", "document_number": ""})
    assertContains(bad, "成文日期2999-01-01晚于今天")


def test_another_countys_clerk_cannot_set_a_records_metadata(
    portal, client, other_county_clerk
):
    from tests.builders import publish_record

    record = publish_record(published_on=date(2025, 5, 6))
    client.force_login(other_county_clerk)
    url = reverse("opengov:record_metadata", args=[record.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"document_number": "被篡改"}).status_code == 404
    record.refresh_from_db()
    assert record.document_number == ""
