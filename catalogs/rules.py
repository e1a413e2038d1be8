"""The localization rules of SPEC §3, as checks returning Chinese messages per field.

A county may broaden, refine, add channels and shorten deadlines; it may never
loosen a deadline, put 养老服务 items at 村级, or cite a basis without its full
title and document number.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from . import choices
from .deadlines import DeadlineRule, Period, RuleKind, WorkCalendar, check_not_looser

if TYPE_CHECKING:
    from .models import CatalogItem, Domain, LegalDocument, Region

# Recognised shapes of a document number (文号).
NUMBER_PATTERNS = [
    re.compile(r"^[\u4e00-\u9fa5A-Za-z]*〔(19|20)\d{2}〕\d+号$"),  # 国发〔2014〕47号
    re.compile(r"^[\u4e00-\u9fa5]*令第\d+号$"),  # 国务院令第711号
    re.compile(r"^[\u4e00-\u9fa5]*第\d+号$"),  # 民政部公告第1号
    re.compile(r"^GB(/T)?\s?\d+(\.\d+)?-\d{4}$", re.IGNORECASE),  # GB/T37276-2018
]


def normalize_title(title: str) -> str:
    return re.sub(r"\s+", " ", (title or "").strip())


def normalize_number(number: str) -> str:
    """Accept the brackets people type ([] () 【】) for the official 〔〕."""
    n = re.sub(r"\s+", "", number or "")
    return re.sub(r"[\[【(（]((?:19|20)\d{2})[\]】)）]", r"〔\1〕", n)


def legal_document_kind(title: str, number: str) -> str:
    """Classify a cited basis: a numbered document, a standard, a law by title, or generic."""
    if number:
        return "standard" if number.upper().startswith("GB") else "document"
    return "law" if title.startswith("《") else "generic"


def check_basis(*, title: str, number: str, kind: str) -> list[str]:
    """Messages for a malformed legal basis; empty when it is fine."""
    errors = []
    if kind == "generic":
        if not title:
            errors.append(_("泛指的依据也需要写明名称，例如“各地相关政策法规文件”。"))
        return errors
    if not title:
        errors.append(
            _(
                "公开依据缺少全称，请填写文件全称，例如《中华人民共和国政府信息公开条例》。"
            )
        )
    elif not (title.startswith("《") and title.endswith("》")):
        errors.append(
            _(
                "依据“%(title)s”的全称应写在书名号《》中；如为“各地相关法规”等泛指，请将类型选为“泛指”。"
            )
            % {"title": title}
        )
    if kind == "law":
        return errors
    if not number:
        errors.append(
            _(
                "依据“%(title)s”缺少文号，请填写文号（如“国发〔2014〕47号”“国务院令第711号”）；如为法律按全称引用，请将类型选为“法律法规”。"
            )
            % {"title": title}
        )
    elif not any(p.match(number) for p in NUMBER_PATTERNS):
        errors.append(
            _(
                "依据“%(title)s”的文号“%(number)s”格式不正确，应形如“国发〔2014〕47号”“国务院令第711号”或“GB/T37276-2018”。"
            )
            % {"title": title, "number": number}
        )
    return errors


def localized_title(*, region: Region, domain: Domain) -> str:
    """The official title: 洛龙区社会救助领域基层政务公开标准目录."""
    return _("%(region)s%(domain)s领域基层政务公开标准目录") % {
        "region": region.name,
        "domain": domain.name,
    }


def check_item(
    *,
    item: CatalogItem,
    documents: list[LegalDocument] | None,
    calendar: WorkCalendar | None = None,
) -> dict[str, list[str]]:
    """Every localization rule for one item, as {field: [messages]}.

    Pure: reads the item, its catalog's domain and its upstream item as loaded.
    `calendar` (the official working-day calendar) is needed when the item has
    an upstream item, to compare the two deadlines (shorter-only).
    """
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not item.name.strip():
        add("name", _("请填写二级事项名称。"))
    required = {
        "subjects": _("请至少选择一个公开主体。"),
        "channels": _("请至少选择一个公开渠道和载体。"),
        "audience": _("请至少选择一个公开对象。"),
        "mode": _("请至少选择一种公开方式。"),
        "levels": _("请至少选择一个公开层级。"),
    }
    for field, message in required.items():
        if not getattr(item, field):
            add(field, message)
    if not item.content:
        add("content", _("请至少填写一项公开内容（要素）。"))
    domain = item.catalog.domain
    not_allowed = [lv for lv in item.levels if lv not in domain.allowed_levels]
    if not_allowed:
        add(
            "levels",
            _("%(domain)s领域的事项不能设为%(levels)s公开层级。")
            % {"domain": domain.name, "levels": "、".join(not_allowed)},
        )
    if documents is not None and not documents:
        add("bases", _("请至少填写一项公开依据（全称和文号）。"))
    for doc in documents or []:
        for message in check_basis(title=doc.title, number=doc.number, kind=doc.kind):
            add("bases", message)
    if not item.time_limit_text.strip():
        add(
            "time_limit_text",
            _("请填写公开时限，例如“制定或获取信息之日起10个工作日内”。"),
        )
    elif item.deadline_kind == RuleKind.UNPARSED.value:
        add(
            "time_limit_text",
            _(
                "无法识别公开时限“%(text)s”：请写成“制定或获取信息之日起10个工作日内”“每季度末”或“依申请公开”等形式。"
            )
            % {"text": item.time_limit_text},
        )
    upstream = item.upstream_item
    if upstream is not None and "time_limit_text" not in errors:
        if calendar is None:
            raise TypeError(
                "check_item needs the working-day calendar for an item with an upstream item"
            )
        for message in check_not_looser(item_rule(item), item_rule(upstream), calendar):
            add("time_limit_text", message)
    return errors


def item_rule(item: CatalogItem):
    """The structured deadline rule stored on an item."""
    return DeadlineRule(
        kind=RuleKind(item.deadline_kind),
        trigger=item.deadline_trigger,
        amount=item.deadline_amount,
        period=Period(item.deadline_period) if item.deadline_period else None,
        publicity_amount=item.publicity_amount,
        publicity_unit=item.publicity_unit or None,
        text=item.time_limit_text,
    )


VALID_CHOICES = {
    "subjects": choices.SUBJECT_VALUES,
    "channels": choices.CHANNEL_VALUES,
    "audience": choices.AUDIENCE_VALUES,
    "mode": choices.MODE_VALUES,
    "levels": choices.LEVEL_VALUES,
}
