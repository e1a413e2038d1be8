"""Upstream updates: apply a three-way merge with the newer upstream catalog version.

`catalogs.diff_queries.merge_plan` works out, element by element, what changed upstream
and what changed locally; the region chooses "take" or "keep" for each, and
`catalog_upstream_merge` writes the result in constant queries, audited.
"""

from __future__ import annotations

from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from . import diff, diff_queries
from .audit import audit, history_actor
from .deadlines import check_not_looser
from .models import Catalog, CatalogItem, ItemBasis, User
from .selectors import work_calendar
from .services import bump_lock, check_lock

#: ``omitted_reason`` of a local item whose upstream item the newer version removed.
MERGE_OMIT_REMOVED_REASON = "上级目录新版本已删除该事项"
#: ``omitted_reason`` of an item the newer version added but the region skips.
MERGE_SKIP_ADDED_REASON = "本地暂不采纳上级新增的事项"


@transaction.atomic
def catalog_upstream_merge(
    *,
    catalog: Catalog,
    actor: User | None,
    choices: dict[str, str],
    expected_lock_version: int | None = None,
) -> dict[str, int]:
    """Apply the per-element choices of a three-way merge with the newer upstream version.

    `choices` maps `ItemMerge.field_name(element)` to ``"take"`` or ``"keep"``; a
    missing choice takes a change nobody made locally and keeps the local value in
    a conflict, so nothing local is overwritten without being asked for. Afterwards
    every item points at the same-key item of the newer version (the base of the
    next merge) and `catalog.upstream` is that version.

    Refused (nothing written) when a kept deadline would be longer than the newer
    upstream's. Constant queries in the number of items, apart from history rows
    of added items. Returns counts: taken, kept, added, omitted.
    """
    plan = _upstream_merge_plan(catalog, choices, expected_lock_version)
    items = {
        item.pk: item
        for item in CatalogItem.objects.select_for_update().filter(catalog=catalog)
    }
    merge = _UpstreamMerge(catalog=catalog, choices=choices)
    for im in plan.items:
        if im.kind == "changed":
            merge.changed(im, items[im.mine.pk])
        elif im.kind == "removed_upstream":
            merge.removed_upstream(im, items[im.mine.pk])
        else:
            merge.added_upstream(im)
    if merge.problems:
        raise ValidationError(merge.problems)

    for local_pk, upstream_pk in plan.repoint.items():
        item = items[local_pk]
        item.upstream_item_id = upstream_pk
        merge.touched[local_pk] = item
    _save_upstream_merge(merge, actor)
    catalog.upstream = plan.newer
    bump_lock(catalog, expected_lock_version)
    history_actor(catalog, actor)
    catalog.save(update_fields=["upstream"])
    audit(
        "catalogs.catalog.upstream_merged",
        actor=actor,
        region=catalog.region_id,
        obj=catalog,
        source=plan.newer.pk,
        source_version=plan.newer.version,
        **merge.counts,
    )
    return merge.counts


def _upstream_merge_plan(
    catalog: Catalog, choices: dict[str, str], expected_lock_version: int | None
) -> diff.MergePlan:
    """The merge plan, after refusing a closed catalog, a stale form or unknown choices."""
    if not catalog.is_editable:
        raise ValidationError(_("已提交或已发布的目录不能修改；请先开启新版本。"))
    check_lock(catalog, expected_lock_version)
    plan = diff_queries.merge_plan(catalog)
    if plan is None:
        raise ValidationError(
            _("上级目录没有比本目录所依据版本更新的已发布版本，无需合并。")
        )
    invalid = sorted({v for v in choices.values() if v not in (diff.TAKE, diff.KEEP)})
    if invalid:
        raise ValidationError(
            _("无法识别的选择：%(values)s。") % {"values": "、".join(invalid)}
        )
    return plan


class _UpstreamMerge:
    """The in-memory result of applying merge choices, item by item, before saving.

    ``touched`` are existing items to update, ``additions`` new items with their
    basis document ids, ``new_bases`` item pk → basis document ids to replace;
    ``problems`` are kept deadlines that would be looser than the newer upstream.
    """

    def __init__(self, *, catalog: Catalog, choices: dict[str, str]) -> None:
        self.catalog = catalog
        self.choices = choices
        self.counts = dict.fromkeys(("taken", "kept", "added", "omitted"), 0)
        self.touched: dict[int, CatalogItem] = {}
        self.new_bases: dict[int, list[int]] = {}
        self.additions: list[tuple[CatalogItem, list[int]]] = []
        self.problems: list[str] = []
        self._calendar = None

    def changed(self, im: diff.ItemMerge, item: CatalogItem) -> None:
        """Take or keep each changed element; a kept deadline must not be looser."""
        for em in im.elements:
            choice = self.choices.get(im.field_name(em.element), em.default)
            if choice == diff.KEEP:
                self.counts["kept"] += 1
                if em.element == "time_limit":
                    self._check_kept_deadline(im)
                continue
            self.counts["taken"] += 1
            if em.element == "bases":
                self.new_bases[item.pk] = [b.document_id for b in im.theirs.bases]
            else:
                for name, value in im.theirs.field_values(em.element).items():
                    setattr(item, name, value)
            self.touched[item.pk] = item

    def _check_kept_deadline(self, im: diff.ItemMerge) -> None:
        self._calendar = self._calendar or work_calendar()
        for message in check_not_looser(
            im.mine.rule(), im.theirs.rule(), self._calendar
        ):
            self.problems.append(
                _(
                    "事项“%(name)s”：保留本地公开时限会长于上级新版本（%(message)s）请选择“采用上级”。"
                )
                % {"name": im.name, "message": message}
            )

    def removed_upstream(self, im: diff.ItemMerge, item: CatalogItem) -> None:
        """Omit the item (take) or keep it as the region's own item (keep)."""
        if self.choices.get(im.field_name(), im.default) == diff.TAKE:
            item.omitted = True
            item.omitted_reason = MERGE_OMIT_REMOVED_REASON
            self.counts["omitted"] += 1
        else:
            item.upstream_item_id = None  # stays, as the region's own item
            self.counts["kept"] += 1
        self.touched[item.pk] = item

    def added_upstream(self, im: diff.ItemMerge) -> None:
        """Add the new upstream item; omitted (with a reason) when the region skips it."""
        theirs = im.theirs
        new = CatalogItem(
            catalog=self.catalog, key=theirs.key, upstream_item_id=theirs.pk
        )
        for element in diff.ELEMENT_FIELDS:
            for name, value in theirs.field_values(element).items():
                setattr(new, name, value)
        new.seq = theirs.seq
        if self.choices.get(im.field_name(), im.default) == diff.KEEP:
            new.omitted = True
            new.omitted_reason = MERGE_SKIP_ADDED_REASON
            self.counts["omitted"] += 1
        else:
            self.counts["added"] += 1
        self.additions.append((new, [b.document_id for b in theirs.bases]))


def _save_upstream_merge(merge: _UpstreamMerge, actor: User | None) -> None:
    """Write the merge: bulk update touched items, bulk create additions, replace bases."""
    for item in merge.touched.values():
        item.lock_version += 1
    if merge.touched:
        bulk_update_with_history(
            list(merge.touched.values()),
            CatalogItem,
            fields=sorted(
                {name for names in diff.ELEMENT_FIELDS.values() for name in names}
                | {"upstream_item_id", "omitted", "omitted_reason", "lock_version"}
            ),
            default_user=actor,
            default_change_reason="catalogs.catalog.upstream_merged",
        )
    new_bases = dict(merge.new_bases)
    if merge.additions:
        bulk_create_with_history(
            [new for new, _docs in merge.additions],
            CatalogItem,
            default_user=actor,
            default_change_reason="catalogs.catalog.upstream_merged",
        )
        ids = dict(
            CatalogItem.objects.filter(
                catalog=merge.catalog,
                key__in=[new.key for new, _docs in merge.additions],
            ).values_list("key", "pk")
        )
        for new, docs in merge.additions:
            new_bases[ids[new.key]] = docs
    if new_bases:
        ItemBasis.objects.filter(item_id__in=list(new_bases)).delete()
        ItemBasis.objects.bulk_create(
            [
                ItemBasis(item_id=item_id, document_id=doc_id, order=order)
                for item_id, docs in new_bases.items()
                for order, doc_id in enumerate(docs)
            ]
        )
