"""Progress pages /work/progress/…: scope (404 outside the subtree), content, sorting,
period switching, downloads, and a query count that does not grow with the data."""

from datetime import date

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalogs.models import AuditLogEntry, Catalog, CatalogItem
from disclosures.models import Obligation
from disclosures.progress.bulletin import DOCX_CONTENT_TYPE
from disclosures.progress.exports import XLSX_CONTENT_TYPE
from disclosures.progress.views import default_period

from .progress_data import build_catalogs, build_obligations, obligation

pytestmark = pytest.mark.django_db


def url(code: str | None = None, period: str = "2026Q3", suffix: str = "") -> str:
    if code is None:
        return reverse("disclosures:progress", kwargs={"period": period})
    name = {
        "": "progress_region",
        "xlsx": "progress_export_xlsx",
        "docx": "progress_export_docx",
    }[suffix]
    return reverse(f"disclosures:{name}", kwargs={"period": period, "code": code})


@pytest.fixture
def dataset(templates):
    build_obligations()
    build_catalogs()


def _state() -> tuple:
    return (
        Obligation.objects.count(),
        Catalog.objects.count(),
        CatalogItem.objects.count(),
        AuditLogEntry.objects.count(),
        list(Obligation.objects.values_list("status", flat=True).order_by("pk")),
    )


def test_anonymous_is_sent_to_login(client):
    response = client.get(url("41"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_province_admin_sees_cities_with_figures_and_charts(
    client, province_admin, dataset
):
    client.force_login(province_admin)
    response = client.get(url())
    assertContains(response, "河南省 2026年第三季度工作进展")
    assertContains(response, f'href="{url("4103")}"')  # drill-down link
    report = response.context["report"]
    assert report.region.code == "41" and len(report.rows) == 18
    charts = response.context["charts"]
    assert [c.title for c in charts] == [
        "各省辖市按时公开率",
        "近四个季度按时公开率",
        "标准目录编制情况（县（市、区））",
    ]
    assertContains(
        response, "<svg", count=len(charts) + sum(len(c.legend) for c in charts)
    )
    assertContains(response, "各省辖市按时公开率（数据表）")
    assertContains(response, "近四个季度按时公开率（数据表）")
    assertContains(response, 'aria-hidden="true" focusable="false"')


def test_drill_down_city_county_township(client, province_admin, dataset):
    client.force_login(province_admin)
    city = client.get(url("4103"))
    assertContains(city, f'href="{url("410311")}"')
    assertContains(city, "洛阳市（本级）")  # the city's own obligation
    county = client.get(url("410311"))
    assertContains(county, "李楼街道")
    assertContains(county, f'href="{url("410311012")}"')
    township = client.get(url("410311012"))
    assert township.status_code == 200
    assert township.context["report"].own.metrics.missed == 1
    assertContains(township, "本级进展")


def test_breadcrumb_only_links_regions_in_scope(client, city_reviewer, dataset):
    client.force_login(city_reviewer)
    response = client.get(url("410311"))
    assert [r.code for r in response.context["trail"]] == ["4103", "410311"]
    assertNotContains(response, f'href="{url("41")}"')


def test_sort_by_a_column_server_side(client, city_reviewer, dataset):
    client.force_login(city_reviewer)
    response = client.get(url("4103") + "?sort=-rate")
    codes = [r.code for r in response.context["report"].rows]
    assert codes[:3] == ["410307", "410311", "410305"]
    rate = next(c for c in response.context["columns"] if c["key"] == "rate")
    assert rate["aria_sort"] == "descending" and rate["query"] == "?sort=rate"
    assertContains(response, 'aria-sort="descending"')
    # drill-down keeps the sort
    assertContains(response, f'href="{url("410311")}?sort=-rate"')


def test_city_reviewer_sees_its_city_only(client, city_reviewer, dataset):
    client.force_login(city_reviewer)
    home = client.get(reverse("disclosures:progress_home"))
    assert home["Location"] == url(period=default_period().slug)
    response = client.get(url(period="2026Q3"))
    assert response.context["report"].region.code == "4103"
    assertNotContains(response, "郑州市")
    # The applications (依申请公开) of the city's counties are one link away.
    assertContains(response, f'href="{reverse("onrequest:application_progress")}"')


@pytest.mark.parametrize(
    ("fixture", "code"),
    [
        ("city_reviewer", "4101"),
        ("city_reviewer", "41"),
        ("city_reviewer", "410102"),
        ("county_clerk", "410307"),
        ("county_clerk", "4103"),
        ("other_county_clerk", "410311"),
        ("other_county_clerk", "410311012"),
    ],
)
@pytest.mark.parametrize("suffix", ["", "xlsx", "docx"])
def test_other_regions_get_404_on_get_and_post_and_nothing_changes(
    client, request, dataset, fixture, code, suffix
):
    client.force_login(request.getfixturevalue(fixture))
    before = _state()
    assert client.get(url(code, suffix=suffix)).status_code == 404
    assert client.post(url(code, suffix=suffix), {"sort": "rate"}).status_code == 404
    assert (
        client.get(
            reverse("disclosures:progress_switch"), {"period": "2026Q3", "region": code}
        ).status_code
        == 404
    )
    assert _state() == before


def test_in_scope_post_is_not_allowed(client, county_clerk, dataset):
    client.force_login(county_clerk)
    before = _state()
    assert client.post(url("410311")).status_code == 405
    assert _state() == before


def test_county_clerk_sees_its_county_and_townships(client, county_clerk, dataset):
    client.force_login(county_clerk)
    response = client.get(url())
    assert response.context["report"].region.code == "410311"
    assert client.get(url("410311012")).status_code == 200


def test_township_clerk_has_no_progress_pages(client, township_clerk):
    client.force_login(township_clerk)
    assert client.get(url()).status_code == 403
    assert client.get(url("410311012")).status_code == 403
    assertNotContains(client.get(reverse("workspace")), 'id="progress-link"')


@pytest.mark.parametrize("fixture", ["province_admin", "city_reviewer", "county_clerk"])
def test_workspace_links_to_progress(client, request, fixture):
    client.force_login(request.getfixturevalue(fixture))
    assertContains(
        client.get(reverse("workspace")),
        f'href="{reverse("disclosures:progress_home")}"',
    )


@pytest.mark.parametrize(
    "period", ["2026q3", "2026Q5", "2026-13", "nonsense", "2026-9"]
)
def test_bad_or_non_canonical_periods_are_404(client, province_admin, period):
    client.force_login(province_admin)
    assert client.get(url("41", period=period)).status_code == 404


def test_month_period_and_period_switcher(client, city_reviewer, dataset):
    client.force_login(city_reviewer)
    response = client.get(url("4103", period="2026-08"))
    assertContains(response, "2026年8月")
    assert response.context["report"].total.due == 9  # the obligations due in August
    assertContains(
        response, f'href="{url("4103", period="2026Q3")}"'
    )  # back to the quarter
    switch = client.get(
        reverse("disclosures:progress_switch"),
        {"period": "2026-07", "region": "410311", "sort": "-due"},
    )
    assert switch["Location"] == url("410311", period="2026-07") + "?sort=-due"
    assert (
        client.get(
            reverse("disclosures:progress_switch"), {"period": "bad"}
        ).status_code
        == 404
    )


def test_quarter_page_links_its_months_and_neighbours(client, city_reviewer, dataset):
    client.force_login(city_reviewer)
    response = client.get(url("4103"))
    for month in ("2026-07", "2026-08", "2026-09"):
        assertContains(response, f'href="{url("4103", period=month)}"')
    assertContains(response, f'href="{url("4103", period="2026Q2")}"')


def test_downloads(client, city_reviewer, dataset):
    client.force_login(city_reviewer)
    xlsx = client.get(url("4103", suffix="xlsx"))
    assert xlsx.status_code == 200 and xlsx["Content-Type"] == XLSX_CONTENT_TYPE
    assert (
        "attachment" in xlsx["Content-Disposition"]
        and "2026Q3.xlsx" in xlsx["Content-Disposition"]
    )
    assert xlsx.content[:2] == b"PK"
    docx = client.get(url("4103", suffix="docx"))
    assert docx.status_code == 200 and docx["Content-Type"] == DOCX_CONTENT_TYPE
    assert "2026Q3.docx" in docx["Content-Disposition"]


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def test_province_page_query_count_is_the_same_small_and_large(
    client, province_admin, templates
):
    """Queries: session, user, region chain, children, domains, thresholds, obligation
    metrics, localization, catalog states, unit counts, four-quarter trend, domain
    breakdown, and the 张榜 proof coverage (notice-board items, obligations, unit
    names) — fifteen, whatever the number of regions, catalogs or obligations."""
    client.force_login(province_admin)
    obligation("410311", date(2026, 8, 3), "on_time")
    small = _queries(client, url())
    from demo import province as demo_province

    demo_province.build(root_code="4103", today=date(2026, 11, 20))
    build_obligations()
    assert Obligation.objects.count() > 1000
    large = _queries(client, url())
    assert small == large
    assert large <= 15


# --- thresholds in the admin (province admins only) ----------------------------------------


def test_province_admin_sets_the_thresholds_in_the_admin(
    client, province_admin, city_reviewer
):
    from disclosures.models import ProgressThreshold

    changelist = reverse("admin:disclosures_progressthreshold_changelist")
    add = reverse("admin:disclosures_progressthreshold_add")
    client.force_login(city_reviewer)
    assert client.get(changelist).status_code == 403
    assert (
        client.post(
            add,
            {
                "commend_on_time_rate": "90",
                "criticize_on_time_rate": "70",
                "criticize_missed": "2",
            },
        ).status_code
        == 403
    )
    assert not ProgressThreshold.objects.exists()

    client.force_login(province_admin)
    assert client.get(changelist).status_code == 200
    response = client.post(
        add,
        {
            "commend_on_time_rate": "90",
            "criticize_on_time_rate": "70",
            "criticize_missed": "2",
        },
    )
    assert response.status_code == 302
    threshold = ProgressThreshold.objects.get()
    assert (threshold.commend_on_time_rate, threshold.criticize_missed) == (90, 2)
    assert client.get(add).status_code == 403  # one row only: change it instead
    delete = reverse("admin:disclosures_progressthreshold_delete", args=[threshold.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert ProgressThreshold.objects.count() == 1
