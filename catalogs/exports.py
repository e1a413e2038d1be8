"""Catalogs as Word/Excel documents and back: the bridge between the models and
the pure table functions of `catalogs.documents`.

Import lands in a draft: the region's open draft if it has one, else a new
version of its published catalog, else a fresh clone of its upstream. Items are
matched by their stable key, then by (一级事项, 二级事项); upstream items the file
does not contain are marked omitted with a reason for the clerk to confirm.
Every problem is collected with its row and column, and an invalid file writes
nothing (one transaction).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import documents, library, rules, services
from .audit import audit
from .deadlines import RuleParseError, parse_rule, same_event
from .documents import (
    BasisRow,
    CatalogImportError,
    CatalogTable,
    ImportProblem,
    ItemRow,
)
from .models import Catalog, CatalogItem, Domain, Region, User
from .selectors import catalog_items_for_display

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
OMITTED_BY_IMPORT = (
    "导入的目录文件中没有此事项（请核实：填写本地不公开的理由，或恢复该事项）"
)


def catalog_table(catalog: Catalog) -> CatalogTable:
    """The catalog's non-omitted items as a plain table (3 queries)."""
    items = catalog_items_for_display(catalog, include_omitted=False)
    rows = [
        ItemRow(
            category=item.category.name,
            name=item.name,
            content=list(item.content),
            basis=[
                BasisRow(title=link.document.title, number=link.document.number)
                for link in item.basis_links.all()
            ],
            time_limit=item.time_limit_text,
            subjects=list(item.subjects),
            channels=list(item.channels),
            channel_other=item.channel_other,
            audience=list(item.audience),
            mode=list(item.mode),
            levels=list(item.levels),
            key=str(item.key),
            seq=index,
        )
        for index, item in enumerate(items, start=1)
    ]
    label = _("第%(version)s版") % {"version": catalog.version}
    if catalog.published_at:
        label += _(" %(date)s发布") % {
            # Asia/Shanghai, as the page shows it (not the stored UTC date).
            "date": timezone.localtime(catalog.published_at).strftime("%Y-%m-%d")
        }
    return CatalogTable(
        title=catalog.title,
        region_name=catalog.region.name,
        domain_name=catalog.domain.name,
        village_level=catalog.domain.village_level,
        items=rows,
        version_label=label,
    )


def catalog_export(catalog: Catalog, fmt: str) -> tuple[bytes, str, str]:
    """(file bytes, file name, content type) of a catalog in `fmt` ("docx" or "xlsx")."""
    table = catalog_table(catalog)
    if fmt == "docx":
        data = documents.catalog_to_docx(table)
    elif fmt == "xlsx":
        data = documents.catalog_to_xlsx(table)
    else:
        raise ValueError(
            _("不支持的格式“%(fmt)s”，请选择 docx 或 xlsx。") % {"fmt": fmt}
        )
    filename = f"{catalog.title}-第{catalog.version}版.{fmt}"
    return data, filename, CONTENT_TYPES[fmt]


def current_catalog(
    *, region: Region, domain: Domain, draft: bool = False
) -> Catalog | None:
    """The region's current published catalog, or with `draft` its open version."""
    qs = Catalog.objects.filter(region=region, domain=domain).select_related(
        "region", "domain"
    )
    if draft:
        return qs.open_versions().first()
    return qs.published().order_by("-version").first()


@dataclass
class ImportResult:
    catalog: Catalog
    updated: int
    added: int
    omitted: int
    #: Items of the draft the file did not list: each must be added back or
    #: omitted with a reason the clerk writes before the draft can be submitted.
    missing: list[str] = field(default_factory=list)
    #: What was accepted but should be checked (bases kept as written or matched).
    warnings: list[str] = field(default_factory=list)


def _target_draft(*, region: Region, domain: Domain, actor: User | None) -> Catalog:
    draft = current_catalog(region=region, domain=domain, draft=True)
    if draft is not None:
        if not draft.is_editable:
            raise CatalogImportError(
                [
                    ImportProblem(
                        None,
                        None,
                        _("该目录有一个已提交审核的版本，审核完成前不能导入。"),
                    )
                ]
            )
        return draft
    published = current_catalog(region=region, domain=domain)
    if published is not None:
        return services.catalog_start_new_version(catalog=published, actor=actor)
    return services.catalog_clone(region=region, domain=domain, actor=actor)


def _row_label(fmt: str, index: int) -> int:
    """Row number as the clerk sees it: xlsx data starts on row 2."""
    return index + 2 if fmt == "xlsx" else index + 1


def catalog_import(
    *, data: bytes, filename: str, region: Region, domain: Domain, actor: User | None
) -> ImportResult:
    """Import a docx/xlsx catalog into the region's draft; raises CatalogImportError."""
    fmt = documents.detect_format(data, filename)
    rows = (
        documents.catalog_from_xlsx(data)
        if fmt == "xlsx"
        else documents.catalog_from_docx(data)
    )
    problems: list[ImportProblem] = []
    categories = {c.name: c for c in domain.categories.all()}
    for index, row in enumerate(rows):
        if row.category not in categories:
            problems.append(
                ImportProblem(
                    _row_label(fmt, index),
                    "一级事项",
                    _("“%(category)s”不是%(domain)s领域的一级事项，应为：%(allowed)s。")
                    % {
                        "category": row.category,
                        "domain": domain.name,
                        "allowed": "、".join(categories),
                    },
                )
            )
    if problems:
        raise CatalogImportError(problems)
    try:
        with transaction.atomic():
            return _apply_rows(
                rows=rows,
                fmt=fmt,
                region=region,
                domain=domain,
                actor=actor,
                categories=categories,
            )
    except _RowProblems as exc:
        raise CatalogImportError(exc.problems) from None


class _RowProblems(Exception):
    def __init__(self, problems: list[ImportProblem]):
        self.problems = problems


FIELD_COLUMNS = {
    "name": "二级事项",
    "content": "公开内容（要素）",
    "bases": "公开依据",
    "time_limit_text": "公开时限",
    "subjects": "公开主体",
    "channels": "公开渠道和载体",
    "channel_other": "其他渠道说明",
    "audience": "公开对象",
    "mode": "公开方式",
    "levels": "公开层级",
    "omitted_reason": "不公开理由",
    "__all__": None,
}


def _apply_rows(*, rows, fmt, region, domain, actor, categories) -> ImportResult:
    catalog = _target_draft(region=region, domain=domain, actor=actor)
    existing = list(
        catalog.items.select_related("category", "upstream_item", "catalog__domain")
    )
    by_key = {str(i.key): i for i in existing}
    by_name = {(i.category.name, i.name): i for i in existing}
    seen: set[int] = set()
    problems: list[ImportProblem] = []
    warnings: list[str] = []
    missing: list[str] = []
    updated = added = 0
    for index, row in enumerate(rows):
        values = {
            "name": row.name,
            "seq": index + 1,
            "category_id": categories[row.category].pk,
            "content": row.content,
            "time_limit_text": row.time_limit,
            "subjects": row.subjects,
            "channels": row.channels,
            "channel_other": row.channel_other,
            "audience": row.audience,
            "mode": row.mode,
            "levels": row.levels,
        }
        bases = []
        for b in row.basis:
            spec, warning = _basis_spec(b, _row_label(fmt, index))
            bases.append(spec)
            if warning:
                warnings.append(warning)
        warnings += row.warnings
        item = by_key.get(row.key) or by_name.get((row.category, row.name))
        if item is not None and item.upstream_item_id is not None:
            text, warning = _province_trigger_wording(
                item, row.time_limit, _row_label(fmt, index)
            )
            if warning:
                values["time_limit_text"] = text
                warnings.append(warning)
        try:
            if item is not None and item.pk not in seen:
                seen.add(item.pk)
                if item.omitted:
                    services.catalog_item_restore(item=item, actor=actor)
                services.catalog_item_set_elements(
                    item=item,
                    values=values,
                    bases=bases,
                    actor=actor,
                    enforce_rules=False,
                )
                updated += 1
            else:
                new = services.catalog_item_add(
                    catalog=catalog,
                    values=values,
                    bases=bases,
                    actor=actor,
                    enforce_rules=False,
                )
                if row.key:
                    try:
                        key = uuid.UUID(row.key)
                    except ValueError:
                        key = None
                    if (
                        key
                        and not CatalogItem.objects.filter(
                            catalog=catalog, key=key
                        ).exists()
                    ):
                        CatalogItem.objects.filter(pk=new.pk).update(key=key)
                seen.add(new.pk)
                added += 1
        except ValidationError as exc:
            for field, messages in _error_items(exc):
                for message in messages:
                    problems.append(
                        ImportProblem(
                            _row_label(fmt, index), FIELD_COLUMNS.get(field), message
                        )
                    )
    omitted = 0
    for item in existing:
        if item.pk not in seen and not item.omitted:
            if item.upstream_item_id is None and catalog.upstream_id is not None:
                services.catalog_item_delete_local(item=item, actor=actor)
            else:
                services.catalog_item_omit(
                    item=item, reason=OMITTED_BY_IMPORT, actor=actor
                )
                missing.append(item.name)
            omitted += 1
    if problems:
        raise _RowProblems(problems)
    audit(
        "catalogs.catalog.imported",
        actor=actor,
        region=region,
        obj=catalog,
        updated=updated,
        added=added,
        omitted=omitted,
    )
    return ImportResult(
        catalog=catalog,
        updated=updated,
        added=added,
        omitted=omitted,
        missing=missing,
        warnings=warnings,
    )


def _province_trigger_wording(item, text: str, row_label: int) -> tuple[str, str]:
    """A trigger worded differently from the province's only in wording, in the
    province's current wording, and a warning saying so (issue 16).

    The province's wording is that of the template item at the top of the item's
    upstream chain (制定或获取信息 where a city copy may still say 制定或修改信息).
    The wording of the item's own upstream is kept as typed (a county copying its
    city's table, or re-importing its own export, changes nothing).
    """
    try:
        rule = parse_rule(text)
    except RuleParseError:
        return text, ""
    upstream = item.upstream_item
    if not rule.trigger or rule.trigger == upstream.deadline_trigger:
        return text, ""
    root = upstream
    for _step in range(4):
        if root.upstream_item_id is None:
            break
        root = root.upstream_item
    wanted = root.deadline_trigger
    if not wanted or rule.trigger == wanted or not same_event(rule.trigger, wanted):
        return text, ""
    normalised = text.replace(rule.trigger, wanted, 1)
    return normalised, _(
        "第%(row)s行“公开时限”列：起算事件“%(local)s”与省级示范目录的“%(wanted)s”"
        "只是写法不同，已统一写作“%(text)s”。"
    ) % {"row": row_label, "local": rule.trigger, "wanted": wanted, "text": normalised}


def _basis_spec(basis, row_label: int) -> tuple[dict, str]:
    """A basis of an imported row as the services take it, and a warning.

    A citation without 文号 is matched against the library by title
    (《养老机构管理办法》 → 民政部令第66号); one the rules would refuse is kept as
    written, as a generic reference, with a warning — never an error.
    """
    title, number = basis.title, basis.number
    match = library.legal_document_match(title=title, number=number)
    if match.document is not None:
        warning = (
            _("第%(row)s行“公开依据”列：%(message)s")
            % {"row": row_label, "message": match.warning}
            if match.warning
            else ""
        )
        return {"title": match.document.title, "number": match.document.number}, warning
    kind = rules.legal_document_kind(title, number)
    if rules.check_basis(title=rules.normalize_title(title), number=number, kind=kind):
        text = f"{title}（{number}）" if number else title
        return {"title": text, "number": "", "kind": "generic"}, (
            _(
                "第%(row)s行“公开依据”列：“%(text)s”不在依据库中，已按原文保留，请核对全称和文号。"
            )
            % {"row": row_label, "text": text}
        )
    if kind == "law" and not title.startswith("《中华人民共和国"):
        return {"title": title, "number": number}, (
            _(
                "第%(row)s行“公开依据”列：%(title)s未写文号，依据库中也没有同名文件，已按原文保留。"
            )
            % {"row": row_label, "title": title}
        )
    return {"title": title, "number": number}, ""


def _error_items(exc: ValidationError):
    if hasattr(exc, "error_dict"):
        return [
            (field, [str(m) for e in errs for m in e.messages])
            for field, errs in exc.error_dict.items()
        ]
    return [("__all__", [str(m) for m in exc.messages])]
