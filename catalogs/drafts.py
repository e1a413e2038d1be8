"""保存草稿 for the long item form (issue 21): a clerk who is interrupted loses nothing.

Design (the simplest honest one): the form is kept as typed, valid or not, in a
separate :class:`~catalogs.models.ItemDraft` row (field name → posted values).
The item itself is not touched, so a draft can never be submitted, reviewed,
published or exported, and no validation rule is weakened. Reopening the form
binds it to the draft, so the clerk sees exactly what was typed, with any
problems listed; 保存 then validates it like any input (the item service) and
removes the draft. The alternative of saving the individually valid fields into
the item was rejected: a half-edited item would reach the catalog.

Services here write with an audit entry; :func:`item_draft` is the read.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from .audit import audit
from .models import CatalogItem, ItemDraft, User

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


def catalog_item_drafts(catalog) -> list[ItemDraft]:
    """The catalog's items that have an unsaved draft (one query), for 提交审核."""
    return list(
        ItemDraft.objects.filter(item__catalog=catalog)
        .select_related("item")
        .order_by("item__seq", "item__pk")
    )


def draft_form_data(draft: ItemDraft) -> QueryDict:
    """The draft as form data, to bind the item editor to."""
    data = QueryDict(mutable=True)
    for name, values in draft.data.items():
        data.setlist(name, list(values))
    return data


def item_draft_save(
    *, item: CatalogItem, data: QueryDict, actor: User | None
) -> ItemDraft:
    """Keep the item form as typed, unchecked (see module docstring).

    Refused only when the catalog version can no longer be edited (submitted,
    published) or the post is far larger than the form allows.
    """
    if not item.catalog.is_editable:
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
    with transaction.atomic():
        draft, created = ItemDraft.objects.update_or_create(
            item=item,
            defaults={
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
