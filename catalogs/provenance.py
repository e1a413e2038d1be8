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

    def pending(item: CatalogItem) -> bool:
        text = "\n".join(item.content)
        return any(e.right and e.wrong in text for e in SOURCE_ERRORS) or any(
            note not in item.uncertain for note in source_error_notes(item)
        )

    if not any(pending(item) for item in catalog.items.all()):
        return None
    draft = services.catalog_start_new_version(catalog=catalog, actor=actor)
    changed = []
    for item in draft.items.all():
        notes = source_error_notes(item)
        if not notes:
            continue
        item.content = [correct_line(line) for line in item.content]
        item.uncertain = [
            *item.uncertain,
            *(n for n in notes if n not in item.uncertain),
        ]
        item.lock_version += 1
        history_actor(item, actor)
        item._change_reason = "catalogs.provenance.source_errors_corrected"
        item.save(update_fields=["content", "uncertain", "lock_version"])
        changed.append(item.name)
    Catalog.objects.filter(pk=draft.pk).update(
        document_number="",  # a correction, not the officially issued document
        source_note=(draft.source_note + "\n" if draft.source_note else "")
        + "本版更正来源表格的录入错误："
        + "、".join(changed),
    )
    draft.refresh_from_db()
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
