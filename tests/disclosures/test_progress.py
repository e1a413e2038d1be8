"""Progress review selectors: each metric on a hand-built dataset with known answers.

The dataset and its expected figures are described in `tests/disclosures/progress_data.py`.
"""

from datetime import date
from decimal import Decimal

import pytest

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from catalogs.models import Region
from catalogs.selectors import region_get_with_ancestors
from disclosures.models import Obligation, ProgressThreshold
from disclosures.progress import access, selectors
from disclosures.progress.quarters import parse_period

from .progress_data import (
    PUBLISHED_AT,
    SUBMITTED_AT,
    TODAY,
    build_catalogs,
    build_obligations,
    obligation,
)

pytestmark = pytest.mark.django_db

Q3 = parse_period("2026Q3")


@pytest.fixture
def dataset(templates):
    build_obligations()
    return build_catalogs()


def report_for(code: str, period=Q3, **kw) -> selectors.ProgressReport:
    region, ancestors = region_get_with_ancestors(code)
    return selectors.region_progress(
        region=region, ancestors=ancestors, period=period, today=TODAY, **kw
    )


def rows_by_code(report):
    return {row.code: row for row in report.rows}


def test_metrics_per_county_on_time_late_overdue_missed(dataset):
    rows = rows_by_code(report_for("4103"))
    luolong = rows["410311"].metrics
    assert (
        luolong.due,
        luolong.on_time,
        luolong.late,
        luolong.overdue,
        luolong.missed,
    ) == (7, 4, 1, 2, 1)
    assert luolong.rate == Decimal("57.1")
    yanshi = rows["410307"].metrics
    assert (yanshi.due, yanshi.on_time, yanshi.late, yanshi.overdue) == (4, 4, 0, 0)
    assert yanshi.rate == Decimal("100.0")
    jianxi = rows["410305"].metrics
    assert (jianxi.due, jianxi.on_time, jianxi.late) == (4, 2, 2)
    assert jianxi.rate == Decimal("50.0")


def test_obligations_just_outside_the_period_are_not_due_in_it(dataset):
    laocheng = rows_by_code(report_for("4103"))["410302"]
    assert laocheng.metrics.due == 0
    assert laocheng.metrics.rate is None
    assert laocheng.rank is None
    # No catalog of its own (issue 16): named for that, not for its figures.
    assert not laocheng.commended and laocheng.reasons == ["未编制目录"]


def test_own_work_of_the_viewed_region_is_its_own_row_and_in_the_total(dataset):
    report = report_for("4103")
    assert report.own.is_self and report.own.code == "4103"
    assert report.own.metrics.due == 1
    assert report.total.due == 7 + 4 + 4 + 0 + 1
    assert report.total.on_time == 4 + 4 + 2 + 1
    assert "410102" not in rows_by_code(report)  # 郑州's county is not Luoyang's
    assert report.total.late == 3  # 中原区's late one is not counted


def test_province_view_sums_the_city_subtree(dataset):
    rows = rows_by_code(report_for("41"))
    luoyang = rows["4103"].metrics
    assert (
        luoyang.due,
        luoyang.on_time,
        luoyang.late,
        luoyang.overdue,
        luoyang.missed,
    ) == (16, 11, 3, 2, 1)
    assert luoyang.rate == Decimal("68.8")  # 11 / 16
    assert rows["4101"].metrics.due == 1 and rows["4101"].metrics.rate == Decimal("0.0")


def test_township_view_has_only_its_own_row(dataset):
    report = report_for("410311012")
    assert report.rows == []
    m = report.own.metrics
    assert (m.due, m.on_time, m.overdue, m.missed) == (2, 1, 1, 1)


def test_pending_obligations_are_not_counted_against_the_rate(templates):
    """An open obligation not yet due is neither overdue nor part of the rate."""
    obligation("410307", date(2026, 12, 10), "open")
    obligation("410307", date(2026, 11, 2), "on_time")
    m = rows_by_code(report_for("4103", period=parse_period("2026Q4")))[
        "410307"
    ].metrics
    assert (m.due, m.on_time, m.overdue, m.pending) == (2, 1, 0, 1)
    assert m.rate == Decimal("100.0")


def test_due_today_is_not_yet_overdue(templates):
    obligation("410307", TODAY, "open")
    m = rows_by_code(report_for("4103", period=parse_period("2026-11")))[
        "410307"
    ].metrics
    assert (m.due, m.overdue) == (1, 0)


def test_rank_among_siblings_and_flags_from_default_thresholds(dataset):
    rows = rows_by_code(report_for("4103"))
    assert (rows["410307"].rank, rows["410311"].rank, rows["410305"].rank) == (1, 2, 3)
    assert rows["410307"].commended and not rows["410307"].criticized
    assert rows["410311"].criticized
    assert rows["410311"].reasons == ["按时公开率低于80%", "漏报周期性公开1次"]
    assert rows["410305"].criticized and rows["410305"].reasons == ["按时公开率低于80%"]
    assert rows["410305"].verdict == "落后" and rows["410307"].verdict == "先进"


def test_flags_follow_the_thresholds_the_province_sets(dataset):
    ProgressThreshold.objects.create(
        commend_on_time_rate=50, criticize_on_time_rate=40, criticize_missed=0
    )
    rows = rows_by_code(report_for("4103"))
    assert [rows[c].commended for c in ("410307", "410311", "410305")] == [
        True,
        True,
        True,
    ]
    assert not any(rows[c].criticized for c in ("410307", "410311", "410305"))


def test_equal_rates_share_a_rank_and_the_next_rank_is_skipped(templates):
    from catalogs import services
    from catalogs.models import Domain, Region

    social = Domain.objects.get(slug="social-assistance")
    for code in ("410307", "410305", "410311"):  # comparable: each has a catalog
        services.catalog_clone(
            region=Region.objects.get(code=code), domain=social, actor=None
        )
    for code in ("410307", "410305"):
        obligation(code, date(2026, 8, 3), "on_time")
    obligation("410311", date(2026, 8, 3), "late")
    rows = rows_by_code(report_for("4103"))
    assert (rows["410307"].rank, rows["410305"].rank, rows["410311"].rank) == (1, 1, 3)


def test_localization_depth_counts_the_current_version_only(dataset):
    rows = rows_by_code(report_for("4103"))
    loc = rows["410311"].localization
    assert (loc.added, loc.omitted, loc.shortened) == (1, 1, 1)
    loc = rows["410307"].localization
    assert (loc.added, loc.omitted, loc.shortened) == (0, 3, 0)
    loc = rows["410305"].localization
    assert (loc.added, loc.omitted, loc.shortened) == (0, 0, 0)


def test_localization_of_a_city_row_adds_its_own_catalogs_and_its_counties(dataset):
    city = report_for("4103")
    province_row = rows_by_code(report_for("41"))["4103"].localization
    children = city.localization  # own + every child row
    assert (province_row.added, province_row.omitted, province_row.shortened) == (
        children.added,
        children.omitted,
        children.shortened,
    )
    assert province_row.omitted >= 4 and province_row.added >= 1


def test_catalog_state_per_domain_and_when(dataset):
    rows = rows_by_code(report_for("4103"))
    social = {
        code: rows[code].catalogs[0]
        for code in ("410311", "410307", "410305", "410302")
    }
    assert social["410311"].state == "draft"
    assert (social["410307"].state, social["410307"].at) == ("published", PUBLISHED_AT)
    assert (social["410305"].state, social["410305"].at) == ("submitted", SUBMITTED_AT)
    assert social["410302"].state == "none" and social["410302"].at is None
    elderly = rows["410311"].catalogs[1]
    assert elderly.domain.slug == "elderly-care" and elderly.state == "none"


def test_catalog_state_counts_of_a_city_row(dataset):
    luoyang = rows_by_code(report_for("41"))["4103"]
    counties = Region.objects.filter(
        parent_id="4103", level="county", official=True
    ).count()
    social, elderly = luoyang.catalogs
    assert social.summarised and social.units == counties
    assert social.counts == {
        "published": 1,
        "submitted": 1,
        "draft": 1,
        "none": counties - 3,
    }
    assert elderly.counts == {
        "published": 0,
        "submitted": 0,
        "draft": 0,
        "none": counties,
    }
    assert social.state == "published"  # Luoyang's own catalog


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("-rate", ["410307", "410311", "410305"]),
        ("rate", ["410305", "410311", "410307"]),
        ("-due", ["410311", "410305", "410307"]),
        ("rank", ["410307", "410311", "410305"]),
        ("-omitted", ["410307", "410311"]),
        ("-catalog-social-assistance", ["410307"]),
    ],
)
def test_sort_by_any_column(dataset, sort, expected):
    report = report_for("4103", sort=sort)
    codes = [r.code for r in report.rows]
    assert codes[: len(expected)] == expected
    assert report.sort == sort.lstrip("-") and report.descending == sort.startswith("-")


def test_rows_without_a_value_sort_last_both_ways(dataset):
    for sort in ("rate", "-rate"):
        codes = [r.code for r in report_for("4103", sort=sort).rows]
        assert codes.index("410302") > codes.index("410305")


def test_unknown_sort_falls_back_to_code(dataset):
    report = report_for("4103", sort="nonsense")
    assert report.sort == "code"
    assert [r.code for r in report.rows] == sorted(r.code for r in report.rows)


def test_trend_covers_four_quarters(dataset):
    obligation("410307", date(2026, 5, 5), "late")
    trend = report_for("4103").trend
    assert [p.slug for p, _m in trend] == ["2025Q4", "2026Q1", "2026Q2", "2026Q3"]
    # Q2: 老城区's on-time one (due 06-30) and this late one
    assert trend[2][1].due == 2 and trend[2][1].rate == Decimal("50.0")
    assert trend[3][1].due == 16
    assert trend[0][1].due == 0 and trend[0][1].rate is None


def test_domain_breakdown(dataset):
    (social, m_social), (elderly, m_elderly) = report_for("4103").by_domain
    assert social.slug == "social-assistance" and m_social.due == 16
    assert elderly.slug == "elderly-care" and m_elderly.due == 0


def test_levels_of_an_export_add_up_to_the_same_total(dataset):
    region = Region.objects.get(code="41")
    levels = selectors.progress_levels(region=region, period=Q3, today=TODAY)
    assert [lv.name for lv in levels] == ["省辖市", "县（市、区）", "乡镇（街道）"]
    assert {lv.total.due for lv in levels} == {17}
    county_level = {r.code: r for r in levels[1].rows}
    assert county_level["410311"].metrics.due == 7
    assert county_level["4103"].is_self and county_level["4103"].metrics.due == 1
    township = {r.code: r for r in levels[2].rows}
    assert township["410311012"].metrics.missed == 1
    assert township["410311012"].parent_name == "洛龙区"
    # ranks are among comparable siblings: 中原区 is alone in 郑州市 and has no
    # catalog (issue 16: named 未编制目录, not ranked first of one)
    assert county_level["410102"].rank is None
    assert county_level["410102"].reasons == ["未编制目录"]
    assert county_level["410307"].rank == 1


def _count_queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_data(templates):
    """Ten queries at any size: the region chain, then children, domains, thresholds,
    metrics, localization, catalog states, unit counts, trend, domain breakdown."""
    obligation("410311", date(2026, 8, 3), "on_time")
    small = _count_queries(lambda: report_for("41"))
    build_obligations()
    build_catalogs()
    for code in ("410102", "410105", "410202", "410323", "411002"):
        for status in ("on_time", "late", "open"):
            obligation(code, date(2026, 9, 1), status)
    large = _count_queries(lambda: report_for("41"))
    assert small == large == 10
    province = Region.objects.get(code="41")
    levels = _count_queries(
        lambda: selectors.progress_levels(region=province, period=Q3, today=TODAY)
    )
    assert levels == 3 + 4 * 3  # domains, thresholds, regions; four per level


# --- access ---------------------------------------------------------------------------


def test_who_may_view_progress(
    county_clerk, township_clerk, city_reviewer, province_admin
):
    assert access.can_view_progress(province_admin)
    assert access.can_view_progress(city_reviewer)
    assert access.can_view_progress(county_clerk)
    assert not access.can_view_progress(township_clerk)
    with pytest.raises(PermissionDenied):
        access.progress_access_region(township_clerk, "410311012")


def test_regions_outside_the_subtree_are_404(city_reviewer, county_clerk):
    region, ancestors = access.progress_access_region(city_reviewer, "410311")
    assert region.code == "410311" and [a.code for a in ancestors] == ["41", "4103"]
    for user, code in [
        (city_reviewer, "4101"),
        (city_reviewer, "41"),
        (county_clerk, "410307"),
        (county_clerk, "4103"),
    ]:
        with pytest.raises(Http404):
            access.progress_access_region(user, code)
    with pytest.raises(Http404):
        access.progress_access_region(city_reviewer, "41039")  # not a level's length
    with pytest.raises(Http404):
        access.progress_access_region(city_reviewer, "410399")  # no such region
    assert access.progress_access_region(county_clerk)[0].code == "410311"


# --- province-scale demo data (built here for one city) --------------------------------


def _fingerprint() -> list[tuple]:
    return sorted(
        Obligation.objects.values_list(
            "region_id", "item__name", "due_date", "status", "fulfilled_at"
        )
    )


def test_demo_seed_does_nothing_at_demo_scale(templates):
    from demo import province as demo_province

    assert demo_province.seed(scale="demo") is None
    assert not Obligation.objects.exists()


def test_province_seed_is_consistent_deterministic_and_idempotent(templates):
    from datetime import timedelta

    from django.utils import timezone

    from catalogs.models import Catalog, CatalogItem
    from demo import province as demo_province
    from disclosures.models import DisclosureRecord

    first = demo_province.build(root_code="4103", today=TODAY)
    assert (
        first["catalogs"] > 0
        and first["obligations"] > 1000
        and first["records"] > 1000
    )
    again = demo_province.build(root_code="4103", today=TODAY)
    assert (again["catalogs"], again["obligations"], again["records"]) == (0, 0, 0)

    # Every fulfilled obligation has its earliest non-withdrawn public record at fulfilled_at,
    # and its status follows from that record's local publication date.
    for ob in Obligation.objects.exclude(status="open").prefetch_related("records")[
        :500
    ]:
        public = sorted(
            (r.publish_at for r in ob.records.all() if r.status == "published"),
        )
        assert public and public[0] == ob.fulfilled_at
        on_time = timezone.localtime(ob.fulfilled_at).date() <= ob.due_date
        assert ob.status == ("on_time" if on_time else "late")
    assert not Obligation.objects.filter(
        status="open", records__status="published"
    ).exists()
    assert not DisclosureRecord.objects.filter(
        publish_at__date__gte=TODAY + timedelta(days=1)
    ).exists()
    assert Obligation.objects.filter(period_start__isnull=False).exists()
    assert CatalogItem.objects.filter(
        catalog__region__code__startswith="4103", omitted=True
    ).exists()

    # Deterministic: the same data again from scratch.
    fingerprint = _fingerprint()
    DisclosureRecord.objects.all().delete()
    Obligation.objects.all().delete()
    ours = Catalog.objects.filter(
        region__code__startswith="4103", region__level="county"
    )
    CatalogItem.objects.filter(catalog__in=ours).delete()
    Catalog.objects.filter(pk__in=ours.filter(version=2).values("pk")).delete()
    ours.delete()
    demo_province.build(root_code="4103", today=TODAY)
    assert _fingerprint() == fingerprint
