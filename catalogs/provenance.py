"""Where a catalog's text comes from, in Chinese, and the known errors of the sources.

The province templates are reconstructions (derived from the Luoyang
transcription and the national template), not the official attachments of
豫民文〔2020〕102号: they are labelled so (`TEMPLATE_LABEL`) until the official
attachments are loaded. Known errors of the source tables (`SOURCE_ERRORS`) are
corrected in a new version of the catalog that carries them, so every catalog
cloned from it sees the correction as an upstream update (three-way merge) and
takes it or keeps its own; outdated figures are flagged, not rewritten.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from .audit import audit, history_actor
from .models import Catalog, CatalogItem, User

#: The honest label of the province templates (shown where an 印发文号 would be).
TEMPLATE_LABEL = (
    "依据豫民文〔2020〕102号、洛民通〔2020〕15号整理的示范目录（省级正式附件载入前）"
)


#: The kinds of change recorded in the province templates' ``derived`` notes
#: (fixtures/province_templates.json, English, with their sources), in Chinese:
#: what a province admin or county clerk reads as the item's 来源说明.
DERIVED_LABELS = {
    "typo-fixed": "更正来源中的笔误",
    "national-element-added": "补充全国目录（民办函〔2019〕52号）的公开要素",
    "national-basis-added": "补充全国目录该事项引用的依据",
    "local-value-removed": "删除洛阳本地的具体数值（地址、电话、金额等），只保留要素名称，由各地填写",
    "local-document-removed": "删除洛阳本地文件，改为全国目录的“各地配套政策法规文件”，由各地填写本地文件",
    "local-procedure-removed": "删除洛阳本地的办理程序，改为全国目录的公开要素",
    "number-empty": "“各地相关政策法规文件”是泛指，不写文号",
    "number-kept": "标准编号按原文保留",
    "time-national": "公开时限改为全国目录的写法（制定或获取信息之日起）",
    "channels-national": "公开渠道改为全国目录的取值",
    "channels-village-board": "增加“社区/企事业单位/村公示栏（电子屏）”渠道（村级公示所用）",
    "levels-village": "增加“村级”公开层级（在申请人所在村、社区公示）",
    "format": "引用中的半角括号改为全角，文件名称和文号不变",
    "citation-normalized": "统一引用写法（文号全称、联合发文机关之间空格），文号不变",
    "content-inferred": "公开内容系推断（来源单元格为空）",
    "content-national": "公开内容改为全国目录的写法",
    "content": "公开内容按来源规定拆分为要素",
    "basis": "公开依据与同类事项相同",
    "name-national": "事项名称改为全国目录的名称",
    "periodic-added": "依据洛民通〔2020〕15号新增定期公开事项（每季度末张榜公示临时救助结果）",
    "kept": "其余要素按来源保留",
}


def derived_note(derived: list[str]) -> str:
    """The Chinese 来源说明 of a template item from its ``derived`` notes.

    One line per kind of change, in the order first met; a kind not in
    :data:`DERIVED_LABELS` is named as an adjustment, never left in English.
    """
    lines: list[str] = []
    for note in derived:
        code = note.split(":", 1)[0].strip()
        label = DERIVED_LABELS.get(code, "其他调整（见省级示范目录编制说明）")
        if label not in lines:
            lines.append(label)
    if not lines:
        return ""
    return "整理说明：" + "；".join(lines) + "。"


@dataclass(frozen=True)
class SourceError:
    wrong: str
    right: str  # "" = flag only (outdated, not wrong)
    note: str


SOURCE_ERRORS: tuple[SourceError, ...] = (
    SourceError(
        "国务院令第659号",
        "国务院令第649号",
        "来源表格笔误已更正：《社会救助暂行办法》为国务院令第649号（原文误作第659号）。",
    ),
    SourceError(
        "我而且",
        "我市",
        "来源表格录入错误已更正：“按照我而且最低生活保障标准”应为“按照我市最低生活保障标准”。",
    ),
    SourceError(
        "养老机构案数量",
        "养老机构数量",
        "来源表格录入错误已更正：“养老机构案数量”应为“养老机构数量”。",
    ),
    SourceError(
        "每人每月600元",
        "",
        "待核实：“每人每月600元”是2020年1月1日起执行的低保标准，请按本地现行标准更新后再公开。",
    ),
)


def source_error_notes(item: CatalogItem) -> list[str]:
    """The notes of the known source errors an item's content still contains."""
    text = "\n".join(item.content)
    return [e.note for e in SOURCE_ERRORS if e.wrong in text]


def correct_line(line: str) -> str:
    for error in SOURCE_ERRORS:
        if error.right:
            line = line.replace(error.wrong, error.right)
    return line


def source_errors_pending(catalog: Catalog) -> bool:
    """Whether ``catalog`` still has a known error to correct or an unflagged one."""

    def pending(item: CatalogItem) -> bool:
        text = "\n".join(item.content)
        return any(e.right and e.wrong in text for e in SOURCE_ERRORS) or any(
            note not in item.uncertain for note in source_error_notes(item)
        )

    return any(pending(item) for item in catalog.items.all())


def source_errors_apply(*, draft: Catalog, actor: User | None) -> list[str]:
    """Correct the known source errors in the items of an editable ``draft``.

    The wording is corrected and a Chinese note is added to each changed or
    flagged item (`uncertain`); the draft's 来源说明 names the corrected items.
    Returns the names of the items changed (none: nothing is written).
    """
    changed = []
    for item in draft.items.all():
        notes = source_error_notes(item)
        if not notes:
            continue
        content = [correct_line(line) for line in item.content]
        uncertain = [*item.uncertain, *(n for n in notes if n not in item.uncertain)]
        if content == item.content and uncertain == item.uncertain:
            continue
        item.content, item.uncertain = content, uncertain
        item.lock_version += 1
        history_actor(item, actor)
        item._change_reason = "catalogs.provenance.source_errors_corrected"
        item.save(update_fields=["content", "uncertain", "lock_version"])
        changed.append(item.name)
    if changed:
        draft.refresh_from_db(fields=["source_note"])
        line = _("本版更正来源表格的录入错误：%(items)s") % {
            "items": "、".join(changed)
        }
        Catalog.objects.filter(pk=draft.pk).update(
            source_note=(draft.source_note + "\n" if draft.source_note else "") + line
        )
        draft.refresh_from_db()
    return changed


@transaction.atomic
def source_errors_correct(*, catalog: Catalog, actor: User | None) -> Catalog | None:
    """Correct the known source errors in a new version of ``catalog`` and publish it.

    For a published template or city catalog whose items contain a known error:
    a new version with the wording corrected and a Chinese note on each changed
    or flagged item (`uncertain`), published at once, so the catalogs cloned from
    it see the correction as an upstream update. Returns the new version, or
    None when there was nothing to correct.
    """
    from . import services

    if not source_errors_pending(catalog):
        return None
    draft = services.catalog_start_new_version(catalog=catalog, actor=actor)
    # A correction, not the officially issued document: no 文号 on it.
    Catalog.objects.filter(pk=draft.pk).update(document_number="")
    changed = source_errors_apply(draft=draft, actor=actor)
    services.catalog_publish(
        catalog=draft, actor=actor, already_approved_elsewhere=True
    )
    audit(
        "catalogs.provenance.source_errors_corrected",
        actor=actor,
        region=catalog.region_id,
        obj=draft,
        items=changed,
    )
    return draft


def _is_chinese(note: str) -> bool:
    cjk = sum(1 for ch in note if "\u4e00" <= ch <= "\u9fff")
    return cjk * 2 >= len(note.replace(" ", ""))


def item_hints(item: CatalogItem) -> list[str]:
    """What a clerk editing ``item`` should know about its sources, in Chinese.

    Superseded documents it cites (with the replacement), known source errors
    still in its content, and the open verification notes (待核实) of the item
    and of the upstream items it comes from — carried through clone by the
    ``upstream_item`` chain, so a county clerk sees the province's notes.
    """
    hints: list[str] = []
    for doc in item.bases.select_related("superseded_by"):
        new = doc.superseded_by
        if new is not None:
            hints.append(
                _("依据“%(old)s”已被“%(new)s”替代，请改为引用新文件。")
                % {
                    "old": f"{doc.title}（{doc.number}）",
                    "new": f"{new.title}（{new.number}）",
                }
            )
    # Superseded documents cited in the content (政策法规文件 lists them there).
    from .library import _number_pattern
    from .models import LegalDocument

    content = "\n".join(item.content)
    for doc in (
        LegalDocument.objects.filter(superseded_by__isnull=False)
        .exclude(number="")
        .select_related("superseded_by")
    ):
        if _number_pattern(doc.number).search(content):
            new = doc.superseded_by
            hint = _("依据“%(old)s”已被“%(new)s”替代，请改为引用新文件。") % {
                "old": f"{doc.title}（{doc.number}）",
                "new": f"{new.title}（{new.number}）",
            }
            if hint not in hints:
                hints.append(hint)
    hints += source_error_notes(item)
    english = 0
    current: CatalogItem | None = item
    seen = 0
    while current is not None and seen < 4:
        for note in current.uncertain:
            if _is_chinese(note):
                if note not in hints:
                    hints.append(note)
            else:
                english += 1
        current = current.upstream_item
        seen += 1
    if english:
        hints.append(
            _(
                "上级示范目录对该事项另有%(count)s条待核实的来源说明（见省级示范目录编制说明），"
                "请对照本地文件核实。"
            )
            % {"count": english}
        )
    return hints


def item_open_notes(item: CatalogItem) -> list[str]:
    """The item's own open 待核实 notes (those a province admin may resolve)."""
    return [note for note in item.uncertain if isinstance(note, str)]


@transaction.atomic
def source_note_resolve(*, item: CatalogItem, note: str, actor: User) -> CatalogItem:
    """Mark one 待核实 note of ``item`` as handled (province admin, issue 16).

    The note leaves the item's open notes (so neither the item nor any catalog
    cloned from it shows it as a hint any more) and is kept in the item's
    来源说明 as “已处理（日期，处理人）：…”; audited.
    """
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.utils import timezone

    from . import permissions

    if not permissions.can_resolve_source_notes(actor, item.catalog.region_id):
        raise PermissionDenied(
            _("只有省级管理员可以将本区划目录的待核实提示标记为已处理。")
        )
    locked = CatalogItem.objects.select_for_update().get(pk=item.pk)
    if note not in locked.uncertain:
        raise ValidationError(_("该待核实提示已被处理或已更改，请刷新页面后再操作。"))
    day = timezone.localdate().isoformat()
    who = actor.get_full_name() or actor.get_username()
    locked.uncertain = [n for n in locked.uncertain if n != note]
    line = _("已处理（%(day)s，%(who)s）：%(note)s") % {
        "day": day,
        "who": who,
        "note": note,
    }
    locked.source_note = f"{locked.source_note}\n{line}" if locked.source_note else line
    locked.lock_version += 1
    history_actor(locked, actor)
    locked._change_reason = "catalogs.provenance.note_resolved"
    locked.save(update_fields=["uncertain", "source_note", "lock_version"])
    audit(
        "catalogs.provenance.note_resolved",
        actor=actor,
        region=locked.catalog.region_id,
        obj=locked,
        note=note,
    )
    return locked
