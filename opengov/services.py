"""Every write of the 政府信息公开专栏: the guide, and the annual report from draft to
published record; each with its audit entry.

A published report is a disclosure record (through `disclosures.records.services`,
so the publication gate scans its text and its docx like any record's) of the
region's 综合业务 item, topic 政务公开, with the docx in the official layout as
its attachment.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalogs.audit import audit
from catalogs.models import CatalogItem, Region, User
from disclosures.public import cache as public_page_cache
from disclosures.public.gate import locate_identifiers
from disclosures.records import services as record_services
from disclosures.records.metadata import TOPIC_OPEN_GOVERNMENT
from disclosures.records.obligations import applicable_items

from . import layout, selectors
from .documents import DOCX_CONTENT_TYPE, report_to_docx
from .models import AnnualReport, Guide
from .permissions import REPORTING_LEVELS

GUIDE_FIELDS = (
    "office",
    "address",
    "postcode",
    "hours",
    "phone",
    "fax",
    "email",
    "proactive",
    "how_to_apply",
    "remedies",
)
#: The category whose item a published report is filed under.
REPORT_CATEGORY = "综合业务"
MAX_FIGURE = 10**9


def _refuse_identifiers(values: dict[str, str], labels: dict[str, str]) -> None:
    """Public text must not hold ID, mobile or bank-card numbers (the gate's scanner)."""
    errors = {}
    for key, text in values.items():
        hits = locate_identifiers(text or "")
        if hits:
            errors[key] = _(
                "“%(field)s”第%(line)s行第%(column)s个字符起有%(kind)s。"
                "公开的内容中不能有个人的身份证号、手机号、银行卡号，请删除；咨询电话请填写办公电话。"
            ) % {
                "field": labels[key],
                "line": hits[0].line,
                "column": hits[0].column,
                "kind": hits[0].kind_label,
            }
    if errors:
        raise ValidationError(errors)


# --------------------------------------------------------------------------- guide


@transaction.atomic
def guide_save(*, region: Region, values: dict[str, str], actor: User | None) -> Guide:
    """Create or change a county's or township's 政府信息公开指南."""
    if region.level not in REPORTING_LEVELS:
        raise ValidationError(
            _(
                "只有县（市、区）和乡镇（街道）编写政府信息公开指南，%(region)s不在此列。"
            )
            % {"region": region.name}
        )
    guide = Guide.objects.filter(region=region).first() or Guide(region=region)
    cleaned = {key: (values.get(key) or "").strip() for key in GUIDE_FIELDS}
    _refuse_identifiers(
        cleaned,
        {key: str(Guide._meta.get_field(key).verbose_name) for key in GUIDE_FIELDS},
    )
    changed = [key for key in GUIDE_FIELDS if getattr(guide, key) != cleaned[key]]
    created = guide.pk is None
    for key in GUIDE_FIELDS:
        setattr(guide, key, cleaned[key])
    guide.updated_by = actor if actor is not None and actor.pk else None
    guide.full_clean()
    guide.save()
    # The guide page and the notices' 监督电话 are cached public pages.
    public_page_cache.invalidate()
    audit(
        "opengov.guide.created" if created else "opengov.guide.changed",
        actor=actor,
        region=region,
        obj=guide,
        fields=changed,
    )
    return guide


# --------------------------------------------------------------------------- reports


@transaction.atomic
def report_create(
    *,
    region: Region,
    year: int,
    actor: User | None,
    include_subregions: bool = False,
    today=None,
) -> AnnualReport:
    """Start the draft of a region's report for `year`, with section 一 prefilled
    from the counted figures. Tables are counted whenever the report is shown."""
    today = today or timezone.localdate()
    if region.level not in REPORTING_LEVELS:
        raise ValidationError(
            _(
                "只有县（市、区）和乡镇（街道）在本平台编写年度报告，%(region)s不在此列。"
            )
            % {"region": region.name}
        )
    if year > today.year:
        raise ValidationError(
            {
                "year": _(
                    "%(year)s年尚未开始，不能生成该年度的报告。请选择%(last)s年或更早的年度。"
                )
                % {"year": year, "last": today.year}
            }
        )
    if include_subregions and region.level != Region.Level.COUNTY:
        raise ValidationError(
            {"include_subregions": _("只有县级报告可以汇总下辖乡镇（街道）的数据。")}
        )
    if AnnualReport.objects.filter(region=region, year=year).exists():
        raise ValidationError(
            {
                "year": _(
                    "%(region)s%(year)s年的年度报告已经存在，请在列表中打开它继续编辑。"
                )
                % {"region": region.name, "year": year}
            }
        )
    report = AnnualReport(
        region=region,
        year=year,
        include_subregions=include_subregions,
        overview=selectors.draft_overview(
            region, year, include_subregions=include_subregions
        ),
        created_by=actor if actor is not None and actor.pk else None,
    )
    report.full_clean()
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        raise ValidationError(
            {"year": _("该年度的年度报告刚刚由他人创建，请刷新列表后打开它。")}
        ) from None
    audit(
        "opengov.report.created",
        actor=actor,
        region=region,
        obj=report,
        year=year,
        include_subregions=include_subregions,
    )
    return report


def clean_figure(key: str, raw) -> str | None:
    """An entered figure as stored (text of a whole number, or of an amount in 万元
    with at most 4 decimals), None when left empty; errors name the cell."""
    text = (
        str(raw if raw is not None else "").strip().replace(",", "").replace("，", "")
    )
    if not text:
        return None
    label = layout.entered_label(key)
    if key in layout.table2_decimal_keys():
        try:
            amount = Decimal(text)
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite() or amount < 0:
            raise ValidationError(
                {
                    key: _("%(cell)s应为不小于0的金额（万元），例如 12.5。")
                    % {"cell": label}
                }
            )
        if -amount.as_tuple().exponent > 4:
            raise ValidationError(
                {key: _("%(cell)s最多保留4位小数（单位：万元）。") % {"cell": label}}
            )
        return str(amount)
    if not text.isdigit() or int(text) > MAX_FIGURE:
        raise ValidationError(
            {key: _("%(cell)s应为不小于0的整数（件数），没有请填0。") % {"cell": label}}
        )
    return str(int(text))


@transaction.atomic
def report_update(
    *,
    report: AnnualReport,
    texts: dict[str, str],
    figures: dict[str, object],
    actor: User | None,
) -> AnnualReport:
    """Save the text sections (一、五、六) and the entered figures (tables 二 and 四)
    of a draft. Empty values stay 待填写; counted figures cannot be entered."""
    if report.is_published:
        raise ValidationError(_("已发布的年度报告不能修改。"))
    unknown = set(figures) - set(layout.entered_keys())
    if unknown:
        raise ValidationError(
            _("表三的数据由平台根据依申请公开记录统计，不能手工填写：%(cells)s。")
            % {"cells": "、".join(sorted(unknown))}
        )
    errors: dict[str, list] = {}
    stored: dict[str, str] = {}
    for key in layout.entered_keys():
        try:
            value = clean_figure(key, figures.get(key))
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(field, []).extend(messages)
            continue
        if value is not None:
            stored[key] = value
    cleaned_texts = {
        key: (texts.get(key) or "").strip() for key in layout.TEXT_SECTIONS
    }
    try:
        _refuse_identifiers(
            cleaned_texts,
            {key: str(layout.SECTION_TITLES[key]) for key in layout.TEXT_SECTIONS},
        )
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    changed = [
        k for k in layout.TEXT_SECTIONS if getattr(report, k) != cleaned_texts[k]
    ]
    changed += [
        k
        for k in layout.entered_keys()
        if (report.figures or {}).get(k) != stored.get(k)
    ]
    for key, text in cleaned_texts.items():
        setattr(report, key, text)
    report.figures = stored
    report.full_clean()
    report.save()
    audit(
        "opengov.report.changed",
        actor=actor,
        region=report.region_id,
        obj=report,
        fields=changed,
    )
    return report


def report_item(region: Region) -> CatalogItem:
    """The item a published report is filed under: the region's first applicable
    item of 综合业务 (else its first applicable item)."""
    items = applicable_items(region)
    if not items:
        raise ValidationError(
            _(
                "%(region)s还没有适用的已发布标准目录，年度报告无法作为公开信息发布。"
                "请先发布（或由上级发布）标准目录。"
            )
            % {"region": region.name}
        )
    return next((i for i in items if i.category.name == REPORT_CATEGORY), items[0])


def _record_body(data: selectors.ReportData) -> str:
    lines = [
        _(
            "%(issuer)s%(year)s年政府信息公开工作年度报告全文（含表二、表三、表四）见附件。"
        )
        % {"issuer": data.issuer, "year": data.report.year}
    ]
    for key, heading in layout.SECTIONS:
        if key in layout.TEXT_SECTIONS:
            lines += ["", str(heading), data.texts[key]]
    return "\n".join(lines)


@transaction.atomic
def report_publish(
    *, report: AnnualReport, actor: User | None, now: datetime | None = None
) -> AnnualReport:
    """Publish a complete draft as a disclosure record with the docx attached.

    Refused, naming each, while a text section or an entered figure is 待填写.
    """
    now = now or timezone.now()
    if report.is_published:
        raise ValidationError(_("这份年度报告已经发布。"))
    data = selectors.report_data(report)
    if not data.complete:
        raise ValidationError(
            [_("年度报告还有内容待填写，不能发布：")] + list(data.missing)
        )
    docx = report_to_docx(data)
    today = timezone.localdate(now)
    record = record_services.record_create(
        region=report.region,
        item=report_item(report.region),
        trigger_date=today,
        title=data.title,
        body=_record_body(data),
        actor=actor,
        publish=record_services.PUBLISH_NOW,
        files=[SimpleUploadedFile(f"{data.title}.docx", docx, DOCX_CONTENT_TYPE)],
        now=now,
        written_date=today,
        topic=TOPIC_OPEN_GOVERNMENT,
    )
    report.status = AnnualReport.Status.PUBLISHED
    report.record = record
    report.published_at = now
    report.full_clean()
    report.save(update_fields=["status", "record", "published_at", "updated_at"])
    audit(
        "opengov.report.published",
        actor=actor,
        region=report.region_id,
        obj=report,
        record=record.pk,
        index_number=record.index_number,
    )
    return report
