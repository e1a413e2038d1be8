"""How a catalog differs from its upstream, and what a newer upstream version changed:
the comparison itself, on plain values (no database; the reads are `catalogs.diff_queries`).

Two comparisons, both element by element over the nine elements (SPEC §3):

* the **diff** of a catalog against the upstream version it was cloned from:
  each item is inherited, changed (which elements, before → after), added locally,
  omitted (with its reason) or removed; `summarize` turns that into the counts the
  progress review shows;
* the **merge plan** against a newer published upstream version (three-way, per
  element): *base* is the upstream item the local item was cloned from
  (`upstream_item`), *theirs* the same-key item of the newer version, *mine* the
  local item. An element changed only upstream can be taken; an element changed on
  both sides differently is a conflict shown side by side. The write that applies
  the choices is `merge.catalog_upstream_merge`.

Items are compared as `Snapshot`s (plain values, read by
`diff_queries.load_snapshots`), so the pages, the summaries and the merge share one
comparison.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.utils.translation import gettext_lazy as _

from . import choices
from .deadlines import DeadlineRule, Period, RuleKind

if TYPE_CHECKING:
    from .models import Catalog

# The nine elements, in the order of the official table. "item" is element 1
# (一级事项 + 二级事项).
ELEMENTS: tuple[tuple[str, Any], ...] = (
    ("item", _("公开事项")),
    ("content", _("公开内容（要素）")),
    ("bases", _("公开依据")),
    ("time_limit", _("公开时限")),
    ("subjects", _("公开主体")),
    ("channels", _("公开渠道和载体")),
    ("audience", _("公开对象")),
    ("mode", _("公开方式")),
    ("levels", _("公开层级")),
)
ELEMENT_LABELS = dict(ELEMENTS)

# Model fields that carry each element (what a merge copies from upstream).
ELEMENT_FIELDS: dict[str, tuple[str, ...]] = {
    "item": ("category_id", "name"),
    "content": ("content",),
    "bases": (),
    "time_limit": (
        "time_limit_text",
        "deadline_kind",
        "deadline_trigger",
        "deadline_amount",
        "deadline_period",
        "publicity_amount",
        "publicity_unit",
    ),
    "subjects": ("subjects",),
    "channels": ("channels", "channel_other"),
    "audience": ("audience",),
    "mode": ("mode",),
    "levels": ("levels",),
}

_VOCABULARY = {
    "subjects": choices.SUBJECT_VALUES,
    "channels": choices.CHANNEL_VALUES,
    "audience": choices.AUDIENCE_VALUES,
    "mode": choices.MODE_VALUES,
    "levels": choices.LEVEL_VALUES,
}
_PERIOD_ORDER = {
    Period.MONTH: 0,
    Period.QUARTER: 1,
    Period.HALF_YEAR: 2,
    Period.YEAR: 3,
}


@dataclass(frozen=True)
class Basis:
    document_id: int
    citation: str


@dataclass
class Snapshot:
    """The element values of one item, read once, compared many times."""

    pk: int
    catalog_id: int
    key: UUID
    upstream_item_id: int | None
    category_id: int
    category_name: str
    category_order: int
    name: str
    seq: int
    content: list[str]
    time_limit_text: str
    deadline_kind: str
    deadline_trigger: str
    deadline_amount: int | None
    deadline_period: str
    publicity_amount: int | None
    publicity_unit: str
    subjects: list[str]
    channels: list[str]
    channel_other: str
    audience: list[str]
    mode: list[str]
    levels: list[str]
    omitted: bool
    omitted_reason: str
    lock_version: int
    bases: list[Basis] = field(default_factory=list)

    def rule(self) -> DeadlineRule:
        return DeadlineRule(
            kind=RuleKind(self.deadline_kind),
            trigger=self.deadline_trigger,
            amount=self.deadline_amount,
            period=Period(self.deadline_period) if self.deadline_period else None,
            publicity_amount=self.publicity_amount,
            publicity_unit=self.publicity_unit or None,
            text=self.time_limit_text,
        )

    def value(self, element: str) -> Any:
        """A comparable value of one element.

        Controlled elements compare as sets (the order of ticks means nothing);
        content and bases keep their order; a deadline compares by its structured
        rule, so "10个工作日内,公示…" and "10个工作日内，公示…" are the same.
        """
        if element == "item":
            return (self.category_id, self.name.strip())
        if element == "content":
            return tuple(c.strip() for c in self.content)
        if element == "bases":
            return tuple(b.document_id for b in self.bases)
        if element == "time_limit":
            if self.deadline_kind == RuleKind.UNPARSED.value:
                return (self.deadline_kind, "".join(self.time_limit_text.split()))
            return (
                self.deadline_kind,
                self.deadline_trigger,
                self.deadline_amount,
                self.deadline_period,
                self.publicity_amount,
                self.publicity_unit,
            )
        if element == "channels":
            other = (
                self.channel_other.strip()
                if choices.Channel.OTHER in self.channels
                else ""
            )
            return (frozenset(self.channels), other)
        return frozenset(getattr(self, element))

    def display(self, element: str) -> list[str]:
        """The element as lines of text, as the official table prints it."""
        if element == "item":
            return [f"{self.category_name} · {self.name}"]
        if element == "content":
            return list(self.content)
        if element == "bases":
            return [b.citation for b in self.bases]
        if element == "time_limit":
            return [self.time_limit_text] if self.time_limit_text else []
        values = _in_official_order(getattr(self, element), _VOCABULARY[element])
        if (
            element == "channels"
            and choices.Channel.OTHER in values
            and self.channel_other
        ):
            values = [
                f"{v}：{self.channel_other}" if v == choices.Channel.OTHER else v
                for v in values
            ]
        return values

    @property
    def displays(self) -> dict[str, list[str]]:
        """`display()` of every element, by element code (for templates)."""
        return {element: self.display(element) for element, _label in ELEMENTS}

    def field_values(self, element: str) -> dict[str, Any]:
        """Model field values carrying `element` (for copying it onto another item)."""
        return {name: getattr(self, name) for name in ELEMENT_FIELDS[element]}


def _in_official_order(values: Iterable[str], vocabulary: tuple[str, ...]) -> list[str]:
    rank = {v: i for i, v in enumerate(vocabulary)}
    return sorted(values, key=lambda v: rank.get(v, len(rank)))


# --------------------------------------------------------------------------- diff


@dataclass
class ElementChange:
    element: str
    label: Any
    before: list[str]
    after: list[str]
    added: list[str]
    removed: list[str]
    shortened: bool = False

    @property
    def reordered_only(self) -> bool:
        return not self.added and not self.removed


@dataclass
class ItemDiff:
    """One row of the diff: a local item and/or the upstream item it stands for.

    `status` is ``inherited``, ``changed``, ``added`` (local item), ``omitted``
    (left out locally with a reason), ``removed`` (upstream item missing locally)
    or ``template`` (a catalog without upstream).
    """

    status: str
    item: Snapshot | None
    upstream: Snapshot | None
    changes: list[ElementChange] = field(default_factory=list)

    @property
    def shortened(self) -> bool:
        return any(c.shortened for c in self.changes)

    @property
    def key(self) -> UUID:
        return (self.item or self.upstream).key  # type: ignore[union-attr]

    @property
    def changed_labels(self) -> list:
        return [c.label for c in self.changes]


@dataclass
class CatalogDiff:
    catalog: Catalog
    rows: list[ItemDiff]

    @property
    def summary(self) -> dict[str, int]:
        return summarize(self.rows)

    def by_key(self) -> dict[UUID, ItemDiff]:
        return {row.key: row for row in self.rows}


def deadline_shortened(local: Snapshot, upstream: Snapshot) -> bool:
    """True when the local deadline is a plainly shorter version of the upstream one.

    Same kind and event with fewer (working or calendar) days, or a shorter period
    (monthly instead of quarterly); the publicity period, if any, is not shorter.
    Other changes that the rules accept count as changed, not shortened.
    """
    mine, theirs = local.rule(), upstream.rule()
    if mine.kind is not theirs.kind or mine.kind is RuleKind.UNPARSED:
        return False
    if mine.trigger and theirs.trigger and mine.trigger != theirs.trigger:
        return False
    if (mine.publicity_amount or 0) < (theirs.publicity_amount or 0):
        return False
    if mine.kind in (RuleKind.WORKING_DAYS, RuleKind.CALENDAR_DAYS):
        return (mine.amount or 0) < (theirs.amount or 0)
    if mine.kind is RuleKind.PERIODIC and mine.period and theirs.period:
        return _PERIOD_ORDER[mine.period] < _PERIOD_ORDER[theirs.period]
    return False


def element_changes(mine: Snapshot, base: Snapshot) -> list[ElementChange]:
    """The elements of `mine` that differ from `base`, in table order."""
    changes = []
    for element, label in ELEMENTS:
        if mine.value(element) == base.value(element):
            continue
        before, after = base.display(element), mine.display(element)
        changes.append(
            ElementChange(
                element=element,
                label=label,
                before=before,
                after=after,
                added=[v for v in after if v not in before],
                removed=[v for v in before if v not in after],
                shortened=element == "time_limit" and deadline_shortened(mine, base),
            )
        )
    return changes


def diff_rows(
    catalog_id: int,
    upstream_id: int | None,
    snapshots: dict[int, Snapshot],
) -> list[ItemDiff]:
    """The rows of catalog `catalog_id` against upstream catalog `upstream_id`.

    `snapshots` holds the catalog's items, its upstream's and the upstream items
    its items were cloned from.
    """
    local = [s for s in snapshots.values() if s.catalog_id == catalog_id]
    if upstream_id is None:
        return [ItemDiff("template", s, None) for s in local]
    rows = []
    for mine in local:
        base = snapshots.get(mine.upstream_item_id) if mine.upstream_item_id else None
        if base is None:
            rows.append(ItemDiff("added", mine, None))
            continue
        changes = element_changes(mine, base)
        if mine.omitted:
            rows.append(ItemDiff("omitted", mine, base, changes))
        else:
            rows.append(
                ItemDiff("changed" if changes else "inherited", mine, base, changes)
            )
    present = {s.key for s in local}
    rows.extend(
        ItemDiff("removed", None, s)
        for s in snapshots.values()
        if s.catalog_id == upstream_id and not s.omitted and s.key not in present
    )
    return rows


def summarize(rows: Iterable[ItemDiff]) -> dict[str, int]:
    """Counts of a diff: what the progress review shows per catalog.

    ``items`` counts the items the catalog publishes (not omitted); ``changed``
    counts inherited items with at least one changed element; ``shortened_deadlines``
    counts published items whose deadline is shorter than upstream.
    """
    counts = dict.fromkeys(
        (
            "items",
            "inherited",
            "changed",
            "added",
            "omitted",
            "removed",
            "shortened_deadlines",
        ),
        0,
    )
    for row in rows:
        if row.status == "template":
            counts["items"] += 1
            continue
        counts[row.status] += 1
        if row.status in ("inherited", "changed", "added"):
            counts["items"] += 1
        if row.status == "changed" and row.shortened:
            counts["shortened_deadlines"] += 1
    return counts


def summaries(
    catalogs: Iterable[tuple[int, int | None]], snapshots: dict[int, Snapshot]
) -> dict[int, dict[str, int]]:
    """`summarize` of each (catalog pk, upstream pk) against the shared `snapshots`.

    `snapshots` holds the items of all the catalogs, of their upstreams and the
    upstream items their items were cloned from.
    """
    by_catalog: dict[int, dict[int, Snapshot]] = {}
    for pk, snapshot in snapshots.items():
        by_catalog.setdefault(snapshot.catalog_id, {})[pk] = snapshot
    result = {}
    for catalog_id, upstream_id in catalogs:
        own = dict(by_catalog.get(catalog_id, {}))
        if upstream_id:
            own.update(by_catalog.get(upstream_id, {}))
            for snapshot in list(own.values()):
                if snapshot.upstream_item_id and snapshot.upstream_item_id not in own:
                    base = snapshots.get(snapshot.upstream_item_id)
                    if base is not None:
                        own[base.pk] = base
        result[catalog_id] = summarize(diff_rows(catalog_id, upstream_id, own))
    return result


# --------------------------------------------------------------------------- merge

TAKE = "take"
KEEP = "keep"
ITEM = "item_presence"  # pseudo element of items added or removed upstream


@dataclass
class ElementMerge:
    element: str
    label: Any
    base: list[str]
    theirs: list[str]
    mine: list[str]
    conflict: bool

    @property
    def default(self) -> str:
        """Take a change nobody made locally; keep the local value in a conflict."""
        return KEEP if self.conflict else TAKE

    @staticmethod
    def _marked(values: list[str], base: list[str]) -> list[dict]:
        lines = [{"text": v, "mark": "" if v in base else "added"} for v in values]
        lines += [{"text": v, "mark": "removed"} for v in base if v not in values]
        return lines

    @property
    def theirs_lines(self) -> list[dict]:
        """The newer upstream value line by line, lines new or gone since the base marked."""
        return self._marked(self.theirs, self.base)

    @property
    def mine_lines(self) -> list[dict]:
        return self._marked(self.mine, self.base)


@dataclass
class ItemMerge:
    """What a newer upstream version changed for one item.

    `kind` is ``changed`` (elements in `elements`), ``added_upstream`` (a new item
    upstream: take = add it, keep = add it as omitted) or ``removed_upstream`` (the
    upstream item is gone or omitted: take = omit it locally, keep = keep it as a
    local item).
    """

    kind: str
    key: UUID
    mine: Snapshot | None
    base: Snapshot | None
    theirs: Snapshot | None
    elements: list[ElementMerge] = field(default_factory=list)
    conflict: bool = False

    @property
    def name(self) -> str:
        return (self.mine or self.theirs or self.base).name  # type: ignore[union-attr]

    @property
    def category_name(self) -> str:
        return (self.mine or self.theirs or self.base).category_name  # type: ignore[union-attr]

    def field_name(self, element: str = ITEM) -> str:
        """The form field carrying the choice for one element (take/keep)."""
        return f"m_{self.key.hex}_{element}"

    @property
    def default(self) -> str:
        return KEEP if self.conflict else TAKE


@dataclass
class MergePlan:
    catalog: Catalog
    current: Catalog
    newer: Catalog
    items: list[ItemMerge]
    repoint: dict[int, int]  # local item pk -> pk of the same-key item in `newer`

    @property
    def conflicts(self) -> int:
        return sum(1 for im in self.items for em in im.elements if em.conflict) + sum(
            1 for im in self.items if not im.elements and im.conflict
        )

    @property
    def changes(self) -> int:
        return sum(len(im.elements) or 1 for im in self.items)

    def choice_fields(self) -> list[tuple[str, str]]:
        """(field name, default choice) of every decision on the page."""
        fields = []
        for im in self.items:
            if im.elements:
                fields.extend(
                    (im.field_name(em.element), em.default) for em in im.elements
                )
            else:
                fields.append((im.field_name(), im.default))
        return fields


def merge_items(
    catalog_id: int, newer_id: int, snapshots: dict[int, Snapshot]
) -> tuple[list[ItemMerge], dict[int, int]]:
    """The three-way merge of catalog `catalog_id` with the newer upstream `newer_id`.

    `snapshots` holds the items of both catalogs and the upstream items the local
    ones were cloned from. Returns the item merges and, for every local item still
    upstream, the pk of its same-key item in the newer version.
    """
    local = [s for s in snapshots.values() if s.catalog_id == catalog_id]
    theirs_by_key = {s.key: s for s in snapshots.values() if s.catalog_id == newer_id}
    items: list[ItemMerge] = []
    repoint: dict[int, int] = {}
    local_keys = {s.key for s in local}
    for mine in local:
        if mine.upstream_item_id is None:
            continue  # a local item: nothing upstream to follow
        base = snapshots.get(mine.upstream_item_id)
        theirs = theirs_by_key.get(mine.key)
        if theirs is None or theirs.omitted:
            changed_locally = base is None or bool(element_changes(mine, base))
            items.append(
                ItemMerge(
                    "removed_upstream",
                    mine.key,
                    mine,
                    base,
                    theirs,
                    conflict=changed_locally,
                )
            )
            continue
        repoint[mine.pk] = theirs.pk
        if base is None:
            continue
        changed = _item_merge(mine, base, theirs)
        if changed is not None:
            items.append(changed)
    for theirs in theirs_by_key.values():
        if not theirs.omitted and theirs.key not in local_keys:
            items.append(ItemMerge("added_upstream", theirs.key, None, None, theirs))
    return items, repoint


def _item_merge(mine: Snapshot, base: Snapshot, theirs: Snapshot) -> ItemMerge | None:
    """The elements a newer upstream changed for one item (None: nothing new)."""
    elements = []
    for element, label in ELEMENTS:
        b, t, m = base.value(element), theirs.value(element), mine.value(element)
        if b == t or m == t:
            continue  # nothing new upstream, or the same change made on both sides
        elements.append(
            ElementMerge(
                element=element,
                label=label,
                base=base.display(element),
                theirs=theirs.display(element),
                mine=mine.display(element),
                conflict=m != b,
            )
        )
    if not elements:
        return None
    return ItemMerge(
        "changed",
        mine.key,
        mine,
        base,
        theirs,
        elements,
        conflict=any(e.conflict for e in elements),
    )
