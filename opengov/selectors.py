"""Reads of the 政府信息公开专栏: the guide page, the reports page, the figures of
an annual report (counted from the portal's data), the lists behind each counted
figure, and the reminders before the reporting deadlines.

Public reads of records go through the publication gate (`disclosures.public.gate`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from catalogs.models import Region
from catalogs.selectors import region_get_with_ancestors
from disclosures.models import DisclosureRecord
from disclosures.public import gate
from disclosures.records.metadata import default_issuer
from onrequest.models import Application
from onrequest.outcomes import (
    APPLICANT_KIND_KEYS,
    OUTCOME_KEYS,
    ROW_CARRIED_IN,
    ROW_CARRIED_OUT,
    ROW_RECEIVED,
    ROW_TOTAL_HANDLED,
)
from onrequest.selectors import annual_table_three

from . import layout
from .models import AnnualReport, Guide
from .permissions import REPORTING_LEVELS

SHANGHAI = ZoneInfo("Asia/Shanghai")

# --------------------------------------------------------------------------- guide


def guide_defaults(region: Region) -> dict[str, str]:
    """The standard wording of a guide (条例 第十九至四十二条) for a region that has
    not written its own, and the starting text of the edit form."""
    office = default_issuer(region)
    return {
        "office": office,
        "proactive": _(
            "本机关按照《中华人民共和国政府信息公开条例》和社会救助、养老服务领域基层政务公开标准目录，"
            "在本平台主动公开政府信息。属于主动公开范围的政府信息，自该信息形成或者变更之日起"
            "20个工作日内公开；法律、法规对公开期限另有规定的，从其规定。"
            "公开信息可在本平台按地区、领域、主题分类、索引号或文号查询。"
        ),
        "how_to_apply": _(
            "公民、法人或者其他组织申请获取政府信息的，可通过本平台“依申请公开”栏目在线提交申请，"
            "也可以向本机关的政府信息公开工作机构当面或者邮寄提交书面申请。"
            "申请内容应当包括：申请人的姓名或者名称、身份证明、联系方式；"
            "申请公开的政府信息的名称、文号或者便于查询的其他特征性描述；"
            "申请公开的政府信息的形式要求，包括获取信息的方式、途径。"
            "本机关收到申请后能够当场答复的当场答复；不能当场答复的，"
            "自收到申请之日起20个工作日内答复；需要延长答复期限的，经负责人同意并告知申请人，"
            "延长的期限最长不超过20个工作日。本机关依申请提供政府信息，不收取费用。"
        ),
        "remedies": _(
            "公民、法人或者其他组织认为本机关在政府信息公开工作中侵犯其合法权益的，"
            "可以向上一级行政机关或者政府信息公开工作主管部门投诉、举报，"
            "也可以依法申请行政复议或者提起行政诉讼。"
        ),
    }


def guide_phones(regions: list[Region]) -> list[str]:
    """The phones (咨询电话) of the guides of `regions`, in their order (1 query).

    Registered with the printable village notice (`disclosures.public.notice`)
    as its supervision phone (监督电话): the nearest region with a guide wins.
    """
    phones = dict(
        Guide.objects.filter(region__in=[r.code for r in regions]).values_list(
            "region_id", "phone"
        )
    )
    return [phones[r.code] for r in regions if phones.get(r.code)]


def guide_region(code: str) -> Region:
    """A county or township (Region.DoesNotExist for any other code)."""
    region = Region.objects.get(code=code)
    if region.level not in REPORTING_LEVELS:
        raise Region.DoesNotExist(code)
    return region


def guide_page(code: str) -> dict:
    """What `/r/<code>/guide/` shows (3 queries): the region and its ancestors, its
    guide (or None), and the texts with the standard wording where none was written."""
    region = guide_region(code)
    region, ancestors = region_get_with_ancestors(code)
    guide = Guide.objects.filter(region=region).first()
    defaults = guide_defaults(region)
    texts = {
        key: (getattr(guide, key, "") or "").strip() or defaults[key]
        for key in ("proactive", "how_to_apply", "remedies")
    }
    return {
        "region": region,
        "ancestors": ancestors,
        "guide": guide,
        "office": guide.office if guide else defaults["office"],
        "texts": texts,
    }


# --------------------------------------------------------------------------- reports


def reports_page(code: str) -> dict:
    """What `/r/<code>/reports/` shows: the region's published reports whose record
    is public (through the gate), newest year first (3 queries)."""
    region = guide_region(code)
    region, ancestors = region_get_with_ancestors(code)
    reports = list(
        AnnualReport.objects.filter(
            region=region,
            status=AnnualReport.Status.PUBLISHED,
            record__in=gate.records(),
        )
        .select_related("record")
        .order_by("-year")
    )
    attachments = {
        a.record_id: a
        for a in gate.publishable_attachments().filter(
            record_id__in=[r.record_id for r in reports],
            original_name__endswith=".docx",
        )
    }
    for report in reports:
        report.docx = attachments.get(report.record_id)
    return {"region": region, "ancestors": ancestors, "reports": reports}


def report_list_for(region: Region) -> list[AnnualReport]:
    """A region's reports for its staff, newest year first (one query)."""
    return list(AnnualReport.objects.filter(region=region).order_by("-year"))


def report_title(region: Region, year: int) -> str:
    return _("%(issuer)s%(year)s年政府信息公开工作年度报告") % {
        "issuer": default_issuer(region),
        "year": year,
    }


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    return (
        datetime.combine(date(year, 1, 1), time.min, tzinfo=SHANGHAI),
        datetime.combine(date(year + 1, 1, 1), time.min, tzinfo=SHANGHAI),
    )


def records_counted(
    region: Region | str, year: int, *, include_subregions: bool = False
) -> QuerySet[DisclosureRecord]:
    """The public records a report counts as 主动公开: published in `year` (Beijing
    time) by the region (and the regions below it with `include_subregions`)."""
    code = region if isinstance(region, str) else region.code
    start, end = _year_bounds(year)
    qs = gate.records().filter(publish_at__gte=start, publish_at__lt=end)
    return qs.in_subtree(code) if include_subregions else qs.filter(region_id=code)


def records_by_domain(
    region: Region | str, year: int, *, include_subregions: bool = False
) -> list[dict]:
    """[{"domain": name, "count": n}] of `records_counted`, in domain order (one query)."""
    return list(
        records_counted(region, year, include_subregions=include_subregions)
        .values("domain__name", "domain__order")
        .annotate(count=Count("pk"))
        .order_by("domain__order", "domain__name")
    )


def applications_counted(
    report: AnnualReport, row: str, kind: str
) -> QuerySet[Application]:
    """The applications behind one cell of table 三 (the same rules as
    `onrequest.selectors.annual_table_three`; a test holds the two together)."""
    year = report.year
    first, last = date(year, 1, 1), date(year, 12, 31)
    qs = Application.objects.filter(received_on__isnull=False)
    code = report.region_id
    qs = (
        qs.filter(region__code__startswith=code)
        if report.include_subregions
        else qs.filter(region_id=code)
    )
    replied_in_year = Q(replied_on__gte=first, replied_on__lte=last)
    if row == ROW_RECEIVED:
        qs = qs.filter(received_on__gte=first, received_on__lte=last)
    elif row == ROW_CARRIED_IN:
        qs = qs.filter(
            Q(received_on__lt=first)
            & (Q(replied_on__isnull=True) | Q(replied_on__gte=first))
        )
    elif row == ROW_CARRIED_OUT:
        qs = qs.filter(
            Q(received_on__lte=last)
            & (Q(replied_on__isnull=True) | Q(replied_on__gt=last))
        )
    elif row == ROW_TOTAL_HANDLED:
        qs = qs.filter(replied_in_year, outcome__in=OUTCOME_KEYS)
    elif row in OUTCOME_KEYS:
        qs = qs.filter(replied_in_year, outcome=row)
    else:
        return Application.objects.none()
    if kind in APPLICANT_KIND_KEYS:
        qs = qs.filter(applicant_kind=kind)
    elif kind == layout.TOTAL:
        qs = qs.filter(applicant_kind__in=APPLICANT_KIND_KEYS)
    else:
        return Application.objects.none()
    return qs.select_related("region").order_by("received_on", "pk")


@dataclass
class Cell:
    """A figure of the report: counted (locked, with the list it counts) or entered
    (``value`` None = 待填写)."""

    value: int | Decimal | None
    locked: bool = False
    key: str = ""
    count_url_args: tuple = ()

    @property
    def missing(self) -> bool:
        return self.value is None

    @property
    def display(self) -> str:
        if self.value is None:
            return str(layout.TO_FILL)
        return str(self.value)


@dataclass
class ReportData:
    """Everything a report shows, counted and entered, ready for the page and the files."""

    report: AnnualReport
    title: str
    issuer: str
    texts: dict[str, str]
    records: list[dict]
    records_total: int
    table2: list[dict]
    table3: list[dict]
    table4: list[Cell]
    missing: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing


def parse_figure(key: str, raw) -> int | Decimal | None:
    """An entered figure as stored (None when not entered yet)."""
    if raw is None or raw == "":
        return None
    try:
        if key in layout.table2_decimal_keys():
            return Decimal(str(raw))
        return int(raw)
    except (ValueError, InvalidOperation):
        return None


def report_data(report: AnnualReport) -> ReportData:
    """Count and assemble a report (3 queries: records by domain, table 三, and the
    region if not loaded). Counted figures are locked; entered ones come from
    `report.figures`; ``missing`` names every text and figure still to be entered."""
    region = report.region
    year = report.year
    figures = report.figures or {}
    missing: list[str] = []

    texts = {key: (getattr(report, key) or "").strip() for key in layout.TEXT_SECTIONS}
    for key in layout.TEXT_SECTIONS:
        if not texts[key]:
            missing.append(
                _("“%(section)s”尚未填写。") % {"section": layout.SECTION_TITLES[key]}
            )
        elif str(layout.TO_FILL) in texts[key]:
            missing.append(
                _("“%(section)s”中还有“待填写”的内容，请补充后删除该标记。")
                % {"section": layout.SECTION_TITLES[key]}
            )

    records = records_by_domain(
        region, year, include_subregions=report.include_subregions
    )

    table2 = []
    for block in layout.TABLE2:
        rows = []
        for row_key, row_label in block.rows:
            cells = []
            for column_key, _label in block.columns:
                key = f"t2.{row_key}.{column_key}"
                cell = Cell(parse_figure(key, figures.get(key)), key=key)
                if cell.missing:
                    missing.append(
                        _("%(cell)s尚未填写。") % {"cell": layout.entered_label(key)}
                    )
                cells.append(cell)
            rows.append({"label": row_label, "cells": cells})
        table2.append({"block": block, "rows": rows})

    counted = annual_table_three(
        region, year, include_subregions=report.include_subregions
    )
    table3 = []
    for row in layout.table3_rows():
        counts = counted.get(row.key, {})
        table3.append(
            {
                "row": row,
                "cells": [
                    Cell(
                        counts.get(column, 0),
                        locked=True,
                        key=f"t3.{row.key}.{column}",
                        count_url_args=(report.pk, row.key, column),
                    )
                    for column, _label in layout.TABLE3_COLUMNS
                ],
            }
        )

    table4: list[Cell] = []
    for group, _glabel in layout.TABLE4_GROUPS:
        values = []
        for result, _rlabel in layout.TABLE4_RESULTS:
            key = f"t4.{group}.{result}"
            cell = Cell(parse_figure(key, figures.get(key)), key=key)
            if cell.missing:
                missing.append(
                    _("%(cell)s尚未填写。") % {"cell": layout.entered_label(key)}
                )
            values.append(cell)
            table4.append(cell)
        total = None if any(c.missing for c in values) else sum(c.value for c in values)
        table4.append(Cell(total, locked=True, key=f"t4.{group}.total"))

    return ReportData(
        report=report,
        title=report_title(region, year),
        issuer=default_issuer(region),
        texts=texts,
        records=records,
        records_total=sum(r["count"] for r in records),
        table2=table2,
        table3=table3,
        table4=table4,
        missing=missing,
    )


def draft_overview(region: Region, year: int, *, include_subregions: bool) -> str:
    """The starting text of section 一 for a new draft, with the counted figures
    written out (staff complete it: 政府信息管理, 平台建设, 监督保障)."""
    records = records_by_domain(region, year, include_subregions=include_subregions)
    table = annual_table_three(region, year, include_subregions=include_subregions)
    by_domain = "、".join(
        _("%(domain)s领域%(count)s条")
        % {"domain": r["domain__name"], "count": r["count"]}
        for r in records
    )
    total = sum(r["count"] for r in records)
    first = _(
        "（一）主动公开。%(year)s年，%(issuer)s通过基层政务公开标准目录平台主动公开政府信息%(total)s条"
    ) % {"year": year, "issuer": default_issuer(region), "total": total}
    if by_domain:
        first += _("，其中%(parts)s") % {"parts": by_domain}
    first += "。"
    second = _(
        "（二）依申请公开。本年新收政府信息公开申请%(received)s件，上年结转%(carried_in)s件，"
        "办结%(handled)s件，结转下年度继续办理%(carried_out)s件。"
    ) % {
        "received": table[ROW_RECEIVED][layout.TOTAL],
        "carried_in": table[ROW_CARRIED_IN][layout.TOTAL],
        "handled": table[ROW_TOTAL_HANDLED][layout.TOTAL],
        "carried_out": table[ROW_CARRIED_OUT][layout.TOTAL],
    }
    rest = _(
        "（三）政府信息管理。【待填写】\n（四）平台建设。【待填写】\n（五）监督保障。【待填写】"
    )
    return "\n".join([first, second, rest])


# --------------------------------------------------------------------------- reminders


@dataclass(frozen=True)
class Reminder:
    """The report of `year` is due on `due` and not yet published."""

    region: Region
    year: int
    due: date
    days_left: int
    report: AnnualReport | None

    @property
    def overdue(self) -> bool:
        return self.days_left < 0


#: Reminders start this many calendar days before the deadline.
REMIND_DAYS_BEFORE = 45


def report_deadline(region: Region, year: int) -> date:
    """When the report of `year` is due (条例 第四十九、五十条): a county civil-affairs
    office is a department (31 January); a township is a government (31 March)."""
    month, day = (
        layout.DEADLINE_DEPARTMENT
        if region.level == Region.Level.COUNTY
        else layout.DEADLINE_GOVERNMENT
    )
    return date(year + 1, month, day)


def report_reminder(
    region: Region | None, *, today: date | None = None
) -> Reminder | None:
    """A reminder for the region's report of last year, from REMIND_DAYS_BEFORE days
    before its deadline until it is published (one query); None otherwise."""
    if region is None or region.level not in REPORTING_LEVELS:
        return None
    today = today or timezone.localdate()
    for year in (today.year - 1, today.year):
        due = report_deadline(region, year)
        if (due - today).days > REMIND_DAYS_BEFORE:
            continue
        report = AnnualReport.objects.filter(region=region, year=year).first()
        if report is not None and report.is_published:
            continue
        return Reminder(
            region=region,
            year=year,
            due=due,
            days_left=(due - today).days,
            report=report,
        )
    return None
