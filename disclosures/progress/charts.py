"""Server-rendered SVG charts of the progress review (no JavaScript, no library).

Each chart is readable without colour — every bar and point carries its value as
text, and the categories differ by fill pattern as well as by colour — and comes
with the data table it was drawn from, which the page renders next to it for
screen readers (the SVG itself is hidden from them and only summarised).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .metrics import (
    CATALOG_STATE_LABELS,
    CATALOG_STATES,
    COUNTY_LENGTH,
    UNIT_NAMES,
    ProgressRow,
)
from .ranking import rate_summary
from .selectors import ProgressReport

WIDTH = 720
FONT = 13

# Fill of each category: colour plus a pattern, so print-outs and colour-blind
# readers can tell them apart.
COLOURS = {
    "commended": "#1b6e2a",
    "criticized": "#a4161a",
    "normal": "#0b4f9c",
    "published": "#1b6e2a",
    "submitted": "#0b4f9c",
    "draft": "#8a4b00",
    "none": "#ffffff",
}
PATTERNS = {
    "commended": "hatch",
    "criticized": "cross",
    "normal": "solid",
    "published": "solid",
    "submitted": "hatch",
    "draft": "dots",
    "none": "empty",
}


@dataclass
class Chart:
    """An SVG chart and the table behind it."""

    id: str
    title: str
    summary: str
    svg: SafeString
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    legend: list[tuple[SafeString, str]] = field(default_factory=list)


def _percent(value: Decimal | None) -> str:
    return "—" if value is None else f"{value}%"


def _trim(value) -> str:
    """80.00 → "80", 92.50 → "92.5"."""
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _pattern_defs(prefix: str, keys: list[str]) -> str:
    """<pattern> definitions, one per category, ids prefixed per chart."""
    parts = []
    for key in keys:
        colour, kind = COLOURS[key], PATTERNS[key]
        pid = f"{prefix}-{key}"
        if kind == "solid":
            body = f'<rect width="8" height="8" fill="{colour}"/>'
        elif kind == "hatch":
            body = (
                f'<rect width="8" height="8" fill="#ffffff"/>'
                f'<path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" stroke="{colour}" stroke-width="2.5"/>'
            )
        elif kind == "cross":
            body = (
                f'<rect width="8" height="8" fill="#ffffff"/>'
                f'<path d="M0,0 l8,8 M8,0 l-8,8" stroke="{colour}" stroke-width="2"/>'
            )
        elif kind == "dots":
            body = (
                f'<rect width="8" height="8" fill="#ffffff"/>'
                f'<circle cx="4" cy="4" r="2" fill="{colour}"/>'
            )
        else:
            body = '<rect width="8" height="8" fill="#ffffff"/>'
        parts.append(
            f'<pattern id="{pid}" width="8" height="8" patternUnits="userSpaceOnUse">{body}</pattern>'
        )
    return "<defs>" + "".join(parts) + "</defs>"


def _svg(prefix: str, height: int, body: str, keys: list[str]) -> SafeString:
    return mark_safe(  # noqa: S308 - every text node below goes through escape()
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'class="chart-svg" aria-hidden="true" focusable="false" font-size="{FONT}">'
        f"{_pattern_defs(prefix, keys)}{body}</svg>"
    )


def _row_key(row: ProgressRow) -> str:
    if row.criticized:
        return "criticized"
    if row.commended:
        return "commended"
    return "normal"


def rate_bars(report: ProgressReport) -> Chart:
    """On-time rate of each child region: horizontal bars, value and verdict as text."""
    prefix = f"rate-{report.region.code}"
    rows = sorted(report.rows, key=lambda r: (r.rank is None, r.rank or 0, r.code))
    left, right, bar_height, gap, top = 150, 110, 18, 8, 50
    scale = (WIDTH - left - right) / 100
    height = top + len(rows) * (bar_height + gap) + 24
    parts = []
    thresholds = report.thresholds
    for value, label, dash, label_y in (
        (thresholds.commend_on_time_rate, _("先进线"), "6,3", top - 10),
        (thresholds.criticize_on_time_rate, _("落后线"), "2,3", top - 26),
    ):
        x = left + float(value) * scale
        parts.append(
            f'<line x1="{x:.1f}" y1="{label_y + 4}" x2="{x:.1f}" y2="{height - 20}" '
            f'stroke="#4a4a4a" stroke-dasharray="{dash}"/>'
            f'<text x="{x - 4:.1f}" y="{label_y}" text-anchor="end" fill="#1a1a1a">'
            f"{escape(label)} {escape(_trim(value))}%</text>"
        )
    for index, row in enumerate(rows):
        y = top + index * (bar_height + gap)
        parts.append(
            f'<text x="{left - 8}" y="{y + bar_height - 4}" text-anchor="end" fill="#1a1a1a">'
            f"{escape(row.name)}</text>"
        )
        rate = row.metrics.rate
        if rate is None:
            parts.append(
                f'<text x="{left + 4}" y="{y + bar_height - 4}" fill="#4a4a4a">'
                f"{escape(_('暂无到期事项'))}</text>"
            )
            continue
        key = _row_key(row)
        width = max(float(rate) * scale, 1.0)
        parts.append(
            f'<rect x="{left}" y="{y}" width="{width:.1f}" height="{bar_height}" '
            f'fill="url(#{prefix}-{key})" stroke="{COLOURS[key]}" stroke-width="1.5"/>'
        )
        label = _percent(rate) + (f" {row.verdict}" if row.verdict else "")
        parts.append(
            f'<text x="{left + width + 6:.1f}" y="{y + bar_height - 4}" fill="#1a1a1a">'
            f"{escape(label)}</text>"
        )
    axis_y = height - 20
    parts.append(
        f'<line x1="{left}" y1="{axis_y}" x2="{left + 100 * scale:.1f}" y2="{axis_y}" stroke="#4a4a4a"/>'
    )
    for tick in (0, 25, 50, 75, 100):
        x = left + tick * scale
        parts.append(
            f'<text x="{x:.1f}" y="{axis_y + 15}" text-anchor="middle" fill="#4a4a4a">{tick}%</text>'
        )
    keys = ["commended", "normal", "criticized"]
    return Chart(
        id=prefix,
        title=_("各%(unit)s按时公开率") % {"unit": report.unit_name},
        # Never "最高的是X，最低的是X": see ranking.rate_summary.
        summary=rate_summary(rows),
        svg=_svg(prefix, height, "".join(parts), keys),
        headers=[_("名称"), _("按时公开率"), _("排名"), _("评价")],
        rows=[
            [r.name, _percent(r.metrics.rate), str(r.rank or "—"), r.verdict or "—"]
            for r in rows
        ],
        legend=[
            (legend_swatch(prefix, "commended"), _("先进（斜线）")),
            (legend_swatch(prefix, "normal"), _("一般（实心）")),
            (legend_swatch(prefix, "criticized"), _("落后（交叉线）")),
        ],
    )


def _trend_lines(
    coords: list[tuple[float, float] | None], points, *, top: int
) -> list[str]:
    """The line through the known rates (broken where a quarter has none) and its labelled points."""
    parts = []
    segment: list[str] = []
    for point in [*coords, None]:
        if point is None:
            if len(segment) > 1:
                parts.append(
                    f'<polyline points="{" ".join(segment)}" fill="none" stroke="#0b4f9c" stroke-width="2.5"/>'
                )
            segment = []
        else:
            segment.append(f"{point[0]:.1f},{point[1]:.1f}")
    for (_period, metrics), point in zip(points, coords, strict=True):
        if point is None:
            continue
        x, y = point
        parts.append(
            f'<rect x="{x - 5:.1f}" y="{y - 5:.1f}" width="10" height="10" fill="#ffffff" '
            f'stroke="#0b4f9c" stroke-width="2.5"/>'
            f'<text x="{x:.1f}" y="{y + 22 if y < top + 20 else y - 10:.1f}" text-anchor="middle" fill="#1a1a1a" font-weight="bold">'
            f"{escape(_percent(metrics.rate))}</text>"
        )
    return parts


def _trend_table(points) -> dict:
    """Title, summary and the data table of the trend chart."""
    return {
        "title": _("近四个季度按时公开率"),
        "summary": _("从%(first)s到%(last)s的按时公开率依次为：%(values)s。")
        % {
            "first": points[0][0].label,
            "last": points[-1][0].label,
            "values": "、".join(_percent(m.rate) for _p, m in points),
        },
        "headers": [
            _("季度"),
            _("应公开"),
            _("按时公开"),
            _("逾期公开"),
            _("仍逾期未公开"),
            _("按时公开率"),
        ],
        "rows": [
            [
                p.label,
                str(m.due),
                str(m.on_time),
                str(m.late),
                str(m.overdue),
                _percent(m.rate),
            ]
            for p, m in points
        ],
    }


def quarter_line(report: ProgressReport) -> Chart:
    """On-time rate of the whole subtree in the last four quarters (line with labelled points)."""
    prefix = f"trend-{report.region.code}"
    left, right, top, bottom = 60, 70, 30, 40
    height = 240
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    points = report.trend
    inset = 50  # keeps the first and last value labels clear of the axis labels
    step = (plot_w - 2 * inset) / max(len(points) - 1, 1)
    rates = [float(m.rate) for _p, m in points if m.rate is not None]
    # The axis starts below the lowest value (in steps of 10) so changes stay visible;
    # the tick labels say where it starts.
    floor = max(0, int((min(rates, default=0) - 5) // 10 * 10))
    span = 100 - floor

    def y_of(rate: float) -> float:
        return top + plot_h * (1 - (rate - floor) / span)

    parts = []
    ticks = range(floor, 101, 10 if span <= 50 else 25)
    for tick in ticks:
        y = y_of(tick)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{WIDTH - right}" y2="{y:.1f}" stroke="#c9ced6"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#4a4a4a">{tick}%</text>'
        )
    coords = []
    for index, (period, metrics) in enumerate(points):
        x = left + inset + index * step
        parts.append(
            f'<text x="{x:.1f}" y="{height - 14}" text-anchor="middle" fill="#1a1a1a">'
            f"{escape(period.label)}</text>"
        )
        if metrics.rate is None:
            coords.append(None)
            continue
        coords.append((x, y_of(float(metrics.rate))))
    parts += _trend_lines(coords, points, top=top)
    return Chart(
        id=prefix,
        svg=_svg(prefix, height, "".join(parts), []),
        **_trend_table(points),
    )


def catalog_status(report: ProgressReport) -> Chart:
    """Catalog states of the units below, one stacked bar per domain, counts as text."""
    prefix = f"catalogs-{report.region.code}"
    left, right, top, bar_height, gap = 110, 20, 10, 30, 22
    height = top + len(report.catalog_totals) * (bar_height + gap) + 6
    plot_w = WIDTH - left - right
    order = [s for s in reversed(CATALOG_STATES)]  # published first
    parts = []
    for index, cell in enumerate(report.catalog_totals):
        y = top + index * (bar_height + gap)
        parts.append(
            f'<text x="{left - 8}" y="{y + bar_height / 2 + 5:.1f}" text-anchor="end" fill="#1a1a1a">'
            f"{escape(cell.domain.name)}</text>"
        )
        total = sum(cell.counts.values())
        x = float(left)
        for state in order:
            count = cell.counts[state]
            if not total or not count:
                continue
            width = plot_w * count / total
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="{bar_height}" '
                f'fill="url(#{prefix}-{state})" stroke="#1a1a1a" stroke-width="1"/>'
            )
            if width >= 26:
                parts.append(
                    f'<text x="{x + width / 2:.1f}" y="{y + bar_height / 2 + 5:.1f}" text-anchor="middle" '
                    f'fill="#1a1a1a" font-weight="bold" paint-order="stroke" stroke="#ffffff" stroke-width="3">'
                    f"{count}</text>"
                )
            x += width
        if not total:
            parts.append(
                f'<text x="{left + 4}" y="{y + bar_height / 2 + 5:.1f}" fill="#4a4a4a">'
                f"{escape(_('无统计对象'))}</text>"
            )
    labels = {s: str(CATALOG_STATE_LABELS[s]) for s in CATALOG_STATES}
    pattern_names = {
        "published": _("实心"),
        "submitted": _("斜线"),
        "draft": _("圆点"),
        "none": _("空白"),
    }
    return Chart(
        id=prefix,
        title=_("标准目录编制情况（%(unit)s）") % {"unit": _catalog_unit(report)},
        summary="；".join(
            _("%(domain)s：%(counts)s")
            % {
                "domain": cell.domain.name,
                "counts": "，".join(f"{labels[s]}{cell.counts[s]}" for s in order),
            }
            for cell in report.catalog_totals
        ),
        svg=_svg(prefix, height, "".join(parts), order),
        headers=[_("领域"), *[labels[s] for s in order]],
        rows=[
            [cell.domain.name, *[str(cell.counts[s]) for s in order]]
            for cell in report.catalog_totals
        ],
        legend=[
            (
                legend_swatch(prefix, s),
                _("%(state)s（%(pattern)s）")
                % {"state": labels[s], "pattern": pattern_names[s]},
            )
            for s in order
        ],
    )


def _catalog_unit(report: ProgressReport) -> str:
    length = max(report.child_length or 0, COUNTY_LENGTH)
    return str(UNIT_NAMES.get(length, ""))


def legend_swatch(prefix: str, key: str) -> SafeString:
    """A small SVG square filled like the chart's category (for the HTML legend)."""
    return format_html(
        '<svg class="swatch" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">'
        "{}"
        '<rect width="16" height="16" fill="url(#{}-swatch-{})" stroke="#1a1a1a"/></svg>',
        mark_safe(_pattern_defs(f"{prefix}-swatch", [key])),  # noqa: S308 - constant markup
        prefix,
        key,
    )


def progress_charts(report: ProgressReport) -> list[Chart]:
    """The charts of a progress page: rates by child region, the trend, catalog states."""
    charts = []
    if report.rows:
        charts.append(rate_bars(report))
    charts.append(quarter_line(report))
    if report.rows:
        charts.append(catalog_status(report))
    return charts
