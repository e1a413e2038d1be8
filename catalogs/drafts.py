"""保存草稿 for the long item form (issue 21): a clerk who is interrupted loses nothing.

Design (the simplest honest one): the form is kept as typed, valid or not, in a
separate :class:`~catalogs.models.ItemDraft` row (field name → posted values).
The item itself is not touched, so a draft can never be submitted, reviewed,
published or exported, and no validation rule is weakened. Reopening the form
binds it to the draft, so the clerk sees exactly what was typed, with any
problems listed; 保存 then validates it like any input (the item service) and
removes the draft. The alternative of saving the individually valid fields into
the item was rejected: a half-edited item would reach the catalog.

The new-item form (adding a local item) has the same 保存草稿: its drafts have
no item, only their catalog, any number of them; the catalog page lists them to
reopen, and 保存 creates the item through ``services.catalog_item_add``.

Services here write with an audit entry; :func:`item_draft`,
:func:`catalog_item_drafts` and :func:`catalog_new_item_drafts` are the reads.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from . import services
from .audit import audit
from .models import Catalog, CatalogItem, ItemDraft, User

#: Posted names that belong to the item form (the form's own fields and the rows
#: of its two formsets); anything else (CSRF token, buttons) is not stored.
_FORM_PREFIXES = ("content-", "bases-")
_FORM_FIELDS = frozenset(
    {
        "name",
        "category",
        "subjects",
        "channels",
        "channel_other",
        "audience",
        "mode",
        "levels",
        "lock_version",
        "deadline_kind",
        "deadline_trigger",
        "deadline_amount",
        "deadline_period",
        "publicity_amount",
        "publicity_unit",
    }
)
#: A draft holds at most this many characters in all (the form's own limits
#: allow about 60 × 300 + 30 × 400; a larger post is not a form someone typed).
MAX_DRAFT_CHARS = 100_000


def _form_data(data: QueryDict) -> dict[str, list[str]]:
    return {
        name: [str(value) for value in data.getlist(name)]
        for name in data
        if name in _FORM_FIELDS or name.startswith(_FORM_PREFIXES)
    }


def item_draft(item: CatalogItem) -> ItemDraft | None:
    """The item's saved draft, if any (one query)."""
    return ItemDraft.objects.filter(item=item).select_related("saved_by").first()


def catalog_item_drafts(catalog: Catalog) -> list[ItemDraft]:
    """All the catalog's unsaved drafts (one query), for 提交审核: the items'
    drafts in catalog order, then the new-item drafts, oldest first."""
    return list(
        ItemDraft.objects.filter(catalog=catalog)
        .select_related("item", "saved_by")
        .order_by(
            models.F("item__seq").asc(nulls_last=True), "item__pk", "saved_at", "pk"
        )
    )


def catalog_new_item_drafts(catalog: Catalog) -> list[ItemDraft]:
    """The catalog's drafts of new items (one query), oldest first."""
    return list(
        ItemDraft.objects.filter(catalog=catalog, item__isnull=True)
        .select_related("saved_by")
        .order_by("saved_at", "pk")
    )


def draft_form_data(draft: ItemDraft) -> QueryDict:
    """The draft as form data, to bind the item editor to."""
    data = QueryDict(mutable=True)
    for name, values in draft.data.items():
        data.setlist(name, list(values))
    return data


def _checked_values(catalog: Catalog, data: QueryDict) -> dict[str, list[str]]:
    """The form's posted values to keep; refused only when the catalog version
    can no longer be edited or the post is far larger than the form allows."""
    if not catalog.is_editable:
        raise ValidationError(
            _("该目录版本已提交审核或已发布，不能再保存草稿。"), code="not_editable"
        )
    values = _form_data(data)
    if sum(len(v) for vs in values.values() for v in vs) > MAX_DRAFT_CHARS:
        raise ValidationError(
            _("草稿内容过长（超过%(max)s个字），请删去多余内容后再保存。")
            % {"max": MAX_DRAFT_CHARS},
            code="too_long",
        )
    return values


def item_draft_save(
    *, item: CatalogItem, data: QueryDict, actor: User | None
) -> ItemDraft:
    """Keep the item form as typed, unchecked (see module docstring).

    Refused only when the catalog version can no longer be edited (submitted,
    published) or the post is far larger than the form allows.
    """
    values = _checked_values(item.catalog, data)
    with transaction.atomic():
        draft, created = ItemDraft.objects.update_or_create(
            item=item,
            defaults={
                "catalog": item.catalog,
                "data": values,
                "base_lock_version": item.lock_version,
                "saved_by": actor if actor is not None and actor.pk else None,
                "saved_at": timezone.now(),
            },
        )
        audit(
            "catalogs.item.draft_saved",
            actor=actor,
            region=item.catalog.region_id,
            obj=item,
            item=item.name,
            first=created,
        )
    return draft


def item_draft_discard(
    *, item: CatalogItem, actor: User | None, saved: bool = False
) -> bool:
    """Remove the item's draft (after 保存 succeeded, or on 放弃草稿).

    Returns whether there was one; ``saved`` records which of the two it was.
    """
    with transaction.atomic():
        deleted, _rows = ItemDraft.objects.filter(item=item).delete()
        if deleted:
            audit(
                "catalogs.item.draft_discarded",
                actor=actor,
                region=item.catalog.region_id,
                obj=item,
                item=item.name,
                saved=saved,
            )
    return bool(deleted)


def new_item_draft_save(
    *,
    catalog: Catalog,
    data: QueryDict,
    actor: User | None,
    draft: ItemDraft | None = None,
) -> ItemDraft:
    """Keep the new-item form as typed, unchecked: a new draft of ``catalog``,
    or ``draft`` (one of its new-item drafts, reopened) overwritten."""
    if draft is not None and (
        draft.item_id is not None or draft.catalog_id != catalog.pk
    ):
        raise ValueError("not a new-item draft of this catalog")
    values = _checked_values(catalog, data)
    with transaction.atomic():
        created = draft is None
        if created:
            draft = ItemDraft(catalog=catalog, base_lock_version=0)
        draft.data = values
        draft.saved_by = actor if actor is not None and actor.pk else None
        draft.saved_at = timezone.now()
        draft.save()
        audit(
            "catalogs.item.new_draft_saved",
            actor=actor,
            region=catalog.region_id,
            obj=draft,
            catalog=catalog.pk,
            item=draft.typed_name,
            first=created,
        )
    return draft


def new_item_draft_discard(
    *, draft: ItemDraft, actor: User | None, item: CatalogItem | None = None
) -> None:
    """Remove a new-item draft: after 保存 created ``item`` from it, or on 放弃草稿."""
    if draft.item_id is not None:
        raise ValueError("not a new-item draft")
    with transaction.atomic():
        audit(
            "catalogs.item.new_draft_discarded",
            actor=actor,
            region=draft.catalog.region_id,
            obj=draft,
            catalog=draft.catalog_id,
            item=draft.typed_name,
            saved=item is not None,
            created_item=item.pk if item is not None else None,
        )
        ItemDraft.objects.filter(pk=draft.pk, item__isnull=True).delete()


def new_item_from_draft(
    *, draft: ItemDraft, values: dict, bases: list, actor: User | None
) -> CatalogItem:
    """保存 on a reopened new-item draft: the item is created by the usual service
    (all its checks) from the validated form, and the draft removed, together."""
    with transaction.atomic():
        item = services.catalog_item_add(
            catalog=draft.catalog, values=values, bases=bases, actor=actor
        )
        new_item_draft_discard(draft=draft, actor=actor, item=item)
    return item
