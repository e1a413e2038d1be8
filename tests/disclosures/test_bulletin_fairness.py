"""A fair 通报 (issue 16): units without a catalog are named first (未编制目录),
ranks only among comparable units, no sentence comparing a unit with itself,
totals that add up."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from docx import Document

from catalogs.models import Domain
from disclosures.models import ProgressThreshold
from disclosures.progress import bulletin, ranking
from disclosures.progress.metrics import (
    NONE,
    PUBLISHED,
    CatalogCell,
    Localization,
    Metrics,
    ProgressRow,
)

THRESHOLDS = ProgressThreshold(
    commend_on_time_rate=Decimal("95"),
    criticize_on_time_rate=Decimal("80"),
    criticize_missed=1,
)
DOMAIN = SimpleNamespace(name="社会救助", pk=1)


def _row(code, name, *, metrics=None, published=0, units=10, own=NONE, loc=None):
    cell = CatalogCell(domain=DOMAIN, state=own, units=units, summarised=True)
    cell.counts[PUBLISHED] = published
    cell.counts[NONE] = units - published
    return ProgressRow(
        code=code,
        name=name,
        level="city",
        metrics=metrics or Metrics(),
        localization=loc or Localization(),
        catalogs=[cell],
        parent_code="41",
    )


def _q3_2026_cities():
    """2026Q3 as in the issue: only 洛阳 has catalogs and obligations."""
    luoyang = _row(
        "4103",
        "洛阳市",
        metrics=Metrics(due=40, on_time=20, late=5, overdue=15, missed=15),
        published=13,
        units=15,
        own=PUBLISHED,
    )
    others = [_row(f"41{n:02d}", f"第{n}市") for n in (1, 2, 4, 5)]
    return luoyang, others


def test_units_without_catalog_are_named_first_and_not_ranked():
    luoyang, others = _q3_2026_cities()
    rows = [others[0], luoyang, *others[1:]]
    ranking.assign_ranks_and_flags(rows, THRESHOLDS)
    assert [r.rank for r in rows] == [None] * 5  # one comparable unit: no rank
    assert all(r.criticized and r.reasons == ["未编制目录"] for r in others)
    ordered = ranking.criticized_in_order(rows)
    assert [r.name for r in ordered] == [*(r.name for r in others), "洛阳市"]

    report = SimpleNamespace(thresholds=THRESHOLDS, rows=rows, ranked_rows=rows)
    paragraphs = bulletin.verdict_paragraphs(report)
    assert paragraphs[0] == "本期无达到表扬标准的单位。"
    assert paragraphs[1].startswith("以下4个单位至今未编制本地标准目录（未编制目录）")
    assert "第1市、第2市、第4市、第5市" in paragraphs[1]
    assert "洛阳市" not in paragraphs[1] and "洛阳市（" in paragraphs[2]


def test_ranks_only_among_comparable_units():
    a = _row("4101", "甲市", metrics=Metrics(due=10, on_time=10), published=1)
    b = _row("4102", "乙市", metrics=Metrics(due=10, on_time=5, overdue=5), published=1)
    c = _row("4103", "丙市", metrics=Metrics(due=3), published=1)  # nothing due yet
    d = _row("4104", "丁市", metrics=Metrics(due=4, on_time=4))  # no catalog
    ranking.assign_ranks_and_flags([a, b, c, d], THRESHOLDS)
    assert (a.rank, b.rank, c.rank, d.rank) == (1, 2, None, None)
    assert a.commended and not d.commended and d.reasons == ["未编制目录"]


@pytest.mark.parametrize(
    ("rates", "forbidden", "expected"),
    [
        (
            [(10, 5)],
            "最高的是",
            "只有甲市有到期事项，按时公开率为50%，没有可比较的单位",
        ),
        ([(10, 5), (10, 5)], "最低的是", "按时公开率相同，均为50%"),
        (
            [(10, 10), (10, 5)],
            "最高的是乙市",
            "最高的是甲市（100%），最低的是乙市（50%）",
        ),
    ],
)
def test_the_rate_sentence_never_compares_a_unit_with_itself(
    rates, forbidden, expected
):
    names = ["甲市", "乙市"]
    rows = [
        _row(
            f"410{i}",
            names[i],
            metrics=Metrics(due=due, on_time=on, overdue=due - on),
            published=1,
        )
        for i, (due, on) in enumerate(rates)
    ] + [_row("4109", "丙市")]
    text = ranking.rate_summary(rows)
    assert expected in text and forbidden not in text
    assert "未编制目录的单位1个：丙市" in text
    best_worst = [
        name
        for name in names
        if f"最高的是{name}" in text and f"最低的是{name}" in text
    ]
    assert best_worst == []


def test_the_localization_totals_add_up_with_the_own_level():
    county = _row("410311", "洛龙区", loc=Localization(shortened=3), published=1)
    own = _row("4103", "洛阳市", loc=Localization(shortened=1), published=1)
    own.is_self = True
    report = SimpleNamespace(
        total=Metrics(),
        own=own,
        period=SimpleNamespace(
            label="2026年第三季度", start=date(2026, 7, 1), end=date(2026, 9, 30)
        ),
        region=SimpleNamespace(name="洛阳市"),
        rows=[county],
        unit_name="县（市、区）",
        today=date(2026, 10, 20),
        catalog_totals=[],
        localization=county.localization + own.localization,
    )
    text = bulletin.summary_text(report)
    assert "缩短公开时限4项" in text
    assert (
        "其中所辖县（市、区）新增0项、不公开0项、缩短3项，本级新增0项、不公开0项、缩短1项"
        in text
    )


@pytest.mark.django_db
def test_the_2026q3_docx_names_cities_without_catalogs_first(templates):
    """The real report over the province: 洛阳 alone has catalogs."""
    from catalogs.models import Region
    from disclosures.progress.quarters import Period
    from disclosures.progress.selectors import region_progress

    assert Domain.objects.exists()
    report = region_progress(
        region=Region.objects.get(code="41"),
        ancestors=[],
        period=Period.quarter(2026, 3),
        today=date(2026, 10, 20),
    )
    text = "\n".join(
        p.text for p in Document(io.BytesIO(bulletin.progress_docx(report))).paragraphs
    )
    criticism = text.split("四、通报批评")[1]
    assert criticism.index("未编制目录") < criticism.index("郑州市")
    assert "洛阳市" not in criticism.split("。")[0]
    for row in report.rows:
        assert f"最高的是{row.name}，最低的是{row.name}" not in text
    assert (
        sum(r.metrics.due for r in report.rows) + report.own.metrics.due
        == report.total.due
    )
