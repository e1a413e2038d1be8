"""The progress review's docx 通报: summary, ranked table, commended and criticised units.

Built from a `ProgressReport` (`disclosures.progress.selectors`); nothing here
reads the database.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalogs.models import Region

from .exports import date_text
from .metrics import Localization, Metrics
from .ranking import criticized_in_order, has_no_catalog
from .selectors import ProgressReport

DOCX_CONTENT_TYPE = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
)

_BODY_FONT = "仿宋"
_HEADING_FONT = "黑体"
_TITLE_FONT = "方正小标宋简体"
_TABLE_FONT = "宋体"


def _font(run, east_asia: str, size: float, *, bold: bool = False) -> None:
    run.font.name = "Times New Roman"
    run.font.size = Pt(size)
    run.font.bold = bold or None
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east_asia)


def _paragraph(
    document,
    text: str,
    *,
    font: str = _BODY_FONT,
    size: float = 16,
    bold: bool = False,
    align=None,
    indent: bool = True,
):
    paragraph = document.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.space_after = Pt(0)
    fmt.line_spacing = Pt(28)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    _font(paragraph.add_run(text), font, size, bold=bold)
    return paragraph


def issuer_name(region: Region) -> str:
    """民政厅 for the province, 民政局 below it."""
    if region.level == Region.Level.PROVINCE:
        return _("%(region)s民政厅") % {"region": region.name}
    return _("%(region)s民政局") % {"region": region.name}


def _percent(metrics: Metrics) -> str:
    return "—" if metrics.rate is None else f"{metrics.rate}%"


def summary_text(report: ProgressReport) -> str:
    """The summary paragraph of the 通报, with the counts."""
    m = report.total
    if report.own is not None and report.own.metrics.due:
        template = _(
            "%(period)s（%(start)s至%(end)s），%(region)s所辖%(count)s个%(unit)s及本级共应公开信息%(due)s条，"
            "其中按时公开%(on_time)s条、逾期公开%(late)s条，截至%(today)s仍逾期未公开%(overdue)s条，"
            "漏报周期性公开%(missed)s次，按时公开率%(rate)s。"
        )
    else:
        template = _(
            "%(period)s（%(start)s至%(end)s），%(region)s所辖%(count)s个%(unit)s共应公开信息%(due)s条，"
            "其中按时公开%(on_time)s条、逾期公开%(late)s条，截至%(today)s仍逾期未公开%(overdue)s条，"
            "漏报周期性公开%(missed)s次，按时公开率%(rate)s。"
        )
    text = template % {
        "period": report.period.label,
        "start": date_text(report.period.start),
        "end": date_text(report.period.end),
        "region": report.region.name,
        "count": len(report.rows),
        "unit": report.unit_name or _("单位"),
        "due": m.due,
        "on_time": m.on_time,
        "late": m.late,
        "today": date_text(report.today),
        "overdue": m.overdue,
        "missed": m.missed,
        "rate": _percent(m),
    }
    catalogs = "；".join(
        _(
            "%(domain)s领域已发布%(published)s个、审核中%(submitted)s个、编制中%(draft)s个、未建立%(none)s个"
        )
        % {"domain": cell.domain.name, **cell.counts}
        for cell in report.catalog_totals
    )
    if catalogs and report.rows:
        text += _("标准目录编制方面，%(catalogs)s。") % {"catalogs": catalogs}
    loc = report.localization
    own = report.own.localization if report.own is not None else None
    if own is not None and (own.added or own.omitted or own.shortened):
        below = loc + Localization(
            added=-own.added, omitted=-own.omitted, shortened=-own.shortened
        )
        text += _(
            "本地化方面，共新增公开事项%(added)s项、标注本地不公开%(omitted)s项、缩短公开时限%(shortened)s项，"
            "其中所辖%(unit)s新增%(b_added)s项、不公开%(b_omitted)s项、缩短%(b_shortened)s项，"
            "本级新增%(o_added)s项、不公开%(o_omitted)s项、缩短%(o_shortened)s项。"
        ) % {
            "added": loc.added,
            "omitted": loc.omitted,
            "shortened": loc.shortened,
            "unit": report.unit_name or _("单位"),
            "b_added": below.added,
            "b_omitted": below.omitted,
            "b_shortened": below.shortened,
            "o_added": own.added,
            "o_omitted": own.omitted,
            "o_shortened": own.shortened,
        }
    else:
        text += _(
            "本地化方面，共新增公开事项%(added)s项，标注本地不公开%(omitted)s项，缩短公开时限%(shortened)s项。"
        ) % {
            "added": loc.added,
            "omitted": loc.omitted,
            "shortened": loc.shortened,
        }
    return text


_TABLE_HEADERS = (
    gettext_lazy("排名"),
    gettext_lazy("单位"),
    gettext_lazy("应公开"),
    gettext_lazy("按时公开"),
    gettext_lazy("逾期公开"),
    gettext_lazy("仍逾期未公开"),
    gettext_lazy("漏报周期性公开"),
    gettext_lazy("按时公开率"),
    gettext_lazy("评价"),
)


def _table(document, report: ProgressReport) -> None:
    rows = report.ranked_rows
    if report.own is not None and report.own.metrics.due:
        rows = [*rows, report.own]
    table = document.add_table(rows=1, cols=len(_TABLE_HEADERS))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, header in zip(table.rows[0].cells, _TABLE_HEADERS, strict=True):
        cell.text = ""
        _font(cell.paragraphs[0].add_run(str(header)), _HEADING_FONT, 10.5)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    header_props = table.rows[0]._tr.get_or_add_trPr()
    repeat = header_props.makeelement(qn("w:tblHeader"), {qn("w:val"): "true"})
    header_props.append(repeat)

    def add(values: Sequence[str], *, bold: bool = False) -> None:
        cells = table.add_row().cells
        for index, (cell, value) in enumerate(zip(cells, values, strict=True)):
            cell.text = ""
            paragraph = cell.paragraphs[0]
            paragraph.alignment = (
                WD_ALIGN_PARAGRAPH.LEFT if index == 1 else WD_ALIGN_PARAGRAPH.CENTER
            )
            _font(paragraph.add_run(value), _TABLE_FONT, 10.5, bold=bold)

    widths = [Cm(w) for w in (1.1, 3.4, 1.5, 1.5, 1.5, 1.6, 1.6, 1.9, 1.7)]
    for row in rows:
        m = row.metrics
        add(
            [
                str(row.rank or "—"),
                row.display_name,
                str(m.due),
                str(m.on_time),
                str(m.late),
                str(m.overdue),
                str(m.missed),
                _percent(m),
                row.verdict or "",
            ]
        )
    t = report.total
    add(
        [
            "",
            _("合计"),
            str(t.due),
            str(t.on_time),
            str(t.late),
            str(t.overdue),
            str(t.missed),
            _percent(t),
            "",
        ],
        bold=True,
    )
    table.autofit = False
    for table_row in table.rows:
        for cell, width in zip(table_row.cells, widths, strict=True):
            cell.width = width


def _heading(document, report: ProgressReport) -> None:
    """A4 page, document properties, the title, the period and the opening paragraph."""
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.6)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    title = _("关于%(period)s%(region)s基层政务公开标准目录工作进展情况的通报") % {
        "period": report.period.label,
        "region": report.region.name,
    }
    document.core_properties.title = title
    document.core_properties.author = issuer_name(report.region)
    document.core_properties.comments = ""
    _paragraph(
        document,
        title,
        font=_TITLE_FONT,
        size=22,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        indent=False,
    )
    _paragraph(
        document,
        _("（统计期：%(period)s，%(start)s至%(end)s）")
        % {
            "period": report.period.label,
            "start": date_text(report.period.start),
            "end": date_text(report.period.end),
        },
        size=14,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        indent=False,
    )
    _paragraph(document, "")
    _paragraph(
        document,
        _(
            "按照豫民文〔2020〕102号和豫政办〔2020〕5号关于按季度通报基层政务公开标准化规范化工作进展的要求，"
            "现将%(period)s各地工作进展情况通报如下。"
        )
        % {"period": report.period.label},
    )


def verdict_paragraphs(report: ProgressReport) -> list[str]:
    """The sentences of 三、通报表扬 and 四、通报批评 (in that order, headings
    excluded). Units without any catalog are the first named in 四 (未编制目录);
    the rest are criticised for their own figures."""
    thresholds = report.thresholds
    commend: list[str] = []
    commended = [r for r in report.ranked_rows if r.commended]
    if commended:
        commend.append(
            _("按时公开率达到%(rate)s%%且无漏报的单位：%(names)s。予以通报表扬。")
            % {
                "rate": _trim(thresholds.commend_on_time_rate),
                "names": "、".join(r.name for r in commended),
            }
        )
    else:
        commend.append(_("本期无达到表扬标准的单位。"))
    criticise: list[str] = []
    ordered = criticized_in_order(report.rows)
    without = [r for r in ordered if has_no_catalog(r)]
    others = [r for r in ordered if not has_no_catalog(r)]
    if without:
        criticise.append(
            _(
                "以下%(count)s个单位至今未编制本地标准目录（未编制目录），予以通报批评，"
                "请尽快编制并报审：%(names)s。"
            )
            % {"count": len(without), "names": "、".join(r.name for r in without)}
        )
    if others:
        criticise.append(
            _("以下单位工作滞后，予以通报批评，请于下一统计期内整改到位：%(names)s。")
            % {
                "names": "、".join(
                    _("%(name)s（%(reasons)s）")
                    % {"name": r.name, "reasons": "；".join(r.reasons)}
                    for r in others
                )
            }
        )
    if not criticise:
        criticise.append(_("本期无需通报批评的单位。"))
    return [*commend, *criticise]


def _verdicts(document, report: ProgressReport) -> None:
    """三、通报表扬 and 四、通报批评, with the units and the reasons."""
    paragraphs = verdict_paragraphs(report)
    split = 1
    _paragraph(document, _("三、通报表扬"), font=_HEADING_FONT)
    for text in paragraphs[:split]:
        _paragraph(document, text)
    _paragraph(document, _("四、通报批评"), font=_HEADING_FONT)
    for text in paragraphs[split:]:
        _paragraph(document, text)


def _closing(document, report: ProgressReport) -> None:
    """The request to the regions, the issuer and the date."""
    _paragraph(
        document,
        _(
            "请各地对照本通报，逐项核查逾期和漏报事项，及时补充公开，确保公开信息准确、及时、规范。"
        ),
    )
    _paragraph(document, "")
    _paragraph(
        document,
        issuer_name(report.region),
        align=WD_ALIGN_PARAGRAPH.RIGHT,
        indent=False,
    )
    _paragraph(
        document,
        _("%(year)s年%(month)s月%(day)s日")
        % {
            "year": report.today.year,
            "month": report.today.month,
            "day": report.today.day,
        },
        align=WD_ALIGN_PARAGRAPH.RIGHT,
        indent=False,
    )


def progress_docx(report: ProgressReport) -> bytes:
    """The 通报: title, period, summary with counts, the table, commended and criticised units."""
    document = Document()
    _heading(document, report)
    _paragraph(document, _("一、总体情况"), font=_HEADING_FONT)
    _paragraph(document, summary_text(report))
    _paragraph(document, _("二、各地进展情况"), font=_HEADING_FONT)
    _table(document, report)
    _verdicts(document, report)
    _closing(document, report)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _trim(value) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
