"""Progress review downloads: the xlsx workbook (a sheet per level) and file names.

Built from the selectors in `disclosures.progress.selectors`; nothing here reads
the database. Every cell goes through `_append`, the one place that writes rows
with openpyxl: text cells pass the project's one formula neutraliser there
(`catalogs.textsafety`, SPEC §5: = + - @ and their full-width forms). The docx 通报 is in `bulletin`.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from django.utils import timezone
from django.utils.translation import gettext as _

from catalogs.models import Domain, Region
from catalogs.textsafety import neutralise_formula

from .metrics import (
    CATALOG_STATE_LABELS,
    CATALOG_STATES,
    CatalogCell,
    Metrics,
    ProgressRow,
)
from .quarters import Period
from .selectors import ProgressLevel

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def date_text(value: datetime | date | None) -> str:
    """A local calendar day as 2026-09-30 ("" for none)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    return f"{value:%Y-%m-%d}"


def _rate(metrics: Metrics) -> float | None:
    return None if metrics.rate is None else float(metrics.rate)


def catalog_text(cell: CatalogCell) -> str:
    """One domain's catalog status as text: counts for a summary, else the state."""
    if cell.summarised:
        return " ".join(
            f"{CATALOG_STATE_LABELS[state]}{cell.counts[state]}"
            for state in reversed(CATALOG_STATES)
        )
    return str(CATALOG_STATE_LABELS[cell.state])


def file_name(region: Region, period: Period, extension: str) -> str:
    """进展统计_洛阳市_2026Q3.xlsx (a download name without path characters)."""
    name = re.sub(r"[\\/:*?\"<>|\s]", "", region.name)
    return _("进展统计_%(region)s_%(period)s.%(ext)s") % {
        "region": name,
        "period": period.slug,
        "ext": extension,
    }


# --- xlsx ---------------------------------------------------------------------------------


def _headers(domains: Sequence[Domain]) -> list[str]:
    headers = [_("上级区划"), _("区划代码"), _("名称")]
    for domain in domains:
        headers += [
            _("%(domain)s目录") % {"domain": domain.name},
            _("%(domain)s目录时间") % {"domain": domain.name},
        ]
    return headers + [
        _("新增事项"),
        _("不公开事项"),
        _("缩短时限"),
        _("应公开"),
        _("按时公开"),
        _("逾期公开"),
        _("仍逾期未公开"),
        _("漏报周期性公开"),
        _("按时公开率（%）"),
        _("排名"),
        _("评价"),
        _("说明"),
    ]


def _row_values(row: ProgressRow) -> list:
    values: list = [
        row.parent_name if not row.is_self else "",
        row.code,
        row.display_name,
    ]
    for cell in row.catalogs:
        values += [catalog_text(cell), "" if cell.summarised else date_text(cell.at)]
    m, loc = row.metrics, row.localization
    return values + [
        loc.added,
        loc.omitted,
        loc.shortened,
        m.due,
        m.on_time,
        m.late,
        m.overdue,
        m.missed,
        _rate(m),
        row.rank,
        row.verdict,
        "；".join(row.reasons),
    ]


def _total_values(level: ProgressLevel, domains: Sequence[Domain]) -> list:
    m, loc = level.total, level.localization
    return (
        ["", "", _("合计")]
        + ["", ""] * len(domains)
        + [
            loc.added,
            loc.omitted,
            loc.shortened,
            m.due,
            m.on_time,
            m.late,
            m.overdue,
            m.missed,
            _rate(m),
            None,
            "",
            "",
        ]
    )


def _sheet_title(name: str, used: set[str]) -> str:
    title = re.sub(r"[\[\]:*?/\\']", "", name)[:31] or _("统计")
    base, n = title, 2
    while title in used:
        title = f"{base[:28]}{n}"
        n += 1
    used.add(title)
    return title


def _append(sheet, values: Sequence) -> None:
    """Write one row; text cells are neutralised against formula injection."""
    sheet.append([neutralise_formula(v) for v in values])


def _fill_sheet(
    sheet,
    *,
    region: Region,
    period: Period,
    level: ProgressLevel,
    headers: list[str],
    domains: Sequence[Domain],
    today: date,
) -> None:
    """Title row, period row, the header row (row 3), one row per region, 合计."""
    _append(
        sheet,
        [
            _("%(region)s%(period)s基层政务公开工作进展（%(level)s）")
            % {"region": region.name, "period": period.label, "level": level.name}
        ],
    )
    _append(
        sheet,
        [
            _(
                "统计期：%(start)s至%(end)s；统计截至：%(today)s；按公开截止日期计入统计期。"
            )
            % {
                "start": date_text(period.start),
                "end": date_text(period.end),
                "today": date_text(today),
            }
        ],
    )
    _append(sheet, headers)
    for row in level.rows:
        _append(sheet, _row_values(row))
    _append(sheet, _total_values(level, domains))


def _style_sheet(sheet, columns: int) -> None:
    """Bold title, header and total rows, borders, widths, frozen panes, filter, A4."""
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    sheet["A1"].font = Font(bold=True, size=14)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE4EE")
        cell.alignment = Alignment(
            horizontal="center", vertical="center", wrap_text=True
        )
    for row_cells in sheet.iter_rows(min_row=3, max_row=sheet.max_row):
        for cell in row_cells:
            cell.border = border
            if isinstance(cell.value, str):
                cell.data_type = "s"
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for column in range(1, columns + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 12
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["C"].width = 22
    sheet.freeze_panes = "D4"
    sheet.auto_filter.ref = f"A3:{get_column_letter(columns)}{sheet.max_row - 1}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.print_title_rows = "3:3"


def progress_xlsx(
    *,
    region: Region,
    period: Period,
    levels: Sequence[ProgressLevel],
    domains: Sequence[Domain],
    today: date,
) -> bytes:
    """A workbook with one sheet per level below `region` (省辖市, 县（市、区）, 乡镇（街道）).

    Each sheet: a title row, a row stating the period, the header row (row 3),
    one row per region (本级 rows for the work of the regions above), and a 合计
    row whose figures are the same on every sheet.
    """
    workbook = Workbook()
    workbook.remove(workbook.active)
    headers = _headers(domains)
    used: set[str] = set()
    for level in levels:
        sheet = workbook.create_sheet(_sheet_title(level.name, used))
        _fill_sheet(
            sheet,
            region=region,
            period=period,
            level=level,
            headers=headers,
            domains=domains,
            today=today,
        )
        _style_sheet(sheet, len(headers))
    if not levels:
        workbook.create_sheet(_("统计"))
    workbook.properties.title = _("%(region)s%(period)s基层政务公开工作进展") % {
        "region": region.name,
        "period": period.label,
    }
    workbook.properties.creator = _("基层政务公开标准目录平台")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
