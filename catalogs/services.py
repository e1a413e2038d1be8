"""Catalog workflows: create templates, clone, localize, review, publish.

Every write happens here, inside a transaction, with an audit entry. Views and
commands call these functions; they never write to the ORM themselves.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from . import rules, selectors
from .audit import audit, history_actor
from .deadlines import parse_rule_or_unparsed
from .library import legal_document_get_or_create
from .models import (
    Catalog,
    CatalogItem,
    Domain,
    ItemBasis,
    LegalDocument,
    Region,
    ReviewComment,
    User,
)
from .signals import catalog_published

# Element fields copied verbatim from one item to its clone or next version.
ELEMENT_FIELDS = CatalogItem.ELEMENT_FIELDS


def _set_bases(item: CatalogItem, documents: Sequence[LegalDocument]) -> None:
    ItemBasis.objects.filter(item=item).delete()
    ItemBasis.objects.bulk_create(
        [ItemBasis(item=item, document=doc, order=i) for i, doc in enumerate(documents)]
    )


def _documents_from_specs(
    specs: Iterable[dict | LegalDocument], actor: User | None = None
) -> list[LegalDocument]:
    docs = []
    for spec in specs:
        if isinstance(spec, LegalDocument):
            docs.append(spec)
        else:
            docs.append(
                legal_document_get_or_create(
                    title=spec["title"],
                    number=spec.get("number", ""),
                    kind=spec.get("kind"),
                    actor=actor,
                )
            )
    # A document cited twice in one item is one citation.
    unique = {}
    for doc in docs:
        unique.setdefault(doc.pk, doc)
    return list(unique.values())


def apply_time_limit(item: CatalogItem, text: str) -> None:
    """Set the display text and the structured rule parsed from it.

    Wording the parser cannot read is kept as text with kind 'unparsed' so a
    person can fix it; it is never guessed.
    """
    rule = parse_rule_or_unparsed(text)
    item.time_limit_text = text.strip()
    item.deadline_kind = rule.kind.value
    item.deadline_trigger = rule.trigger or ""
    item.deadline_amount = rule.amount
    item.deadline_period = rule.period.value if rule.period else ""
    item.publicity_amount = rule.publicity_amount
    item.publicity_unit = rule.publicity_unit or ""


# --- creating and cloning ---------------------------------------------------------


@transaction.atomic
def catalog_create_template(
    *,
    region: Region,
    domain: Domain,
    title: str,
    items: Sequence[dict],
    actor: User | None,
    document_number: str = "",
    source_note: str = "",
) -> Catalog:
    """Create a template catalog (no upstream) as a draft with the given items."""
    catalog = Catalog(
        region=region,
        domain=domain,
        version=1,
        title=title,
        document_number=document_number,
        source_note=source_note,
        created_by=actor,
    )
    catalog.full_clean()
    history_actor(catalog, actor)
    catalog.save()
    categories = {c.name: c for c in domain.categories.all()}
    for spec in items:
        category = categories.get(spec["category"])
        if category is None:
            raise ValidationError(
                _("领域“%(domain)s”没有一级事项“%(category)s”。")
                % {"domain": domain.name, "category": spec["category"]}
            )
        item = CatalogItem(catalog=catalog, category=category)
        for field in (
            "name",
            "seq",
            "content",
            "subjects",
            "channels",
            "audience",
            "mode",
            "levels",
            "uncertain",
            "source_note",
        ):
            if field in spec:
                setattr(item, field, spec[field])
        item.channel_other = spec.get("channel_other", "")
        apply_time_limit(item, spec["time_limit_text"])
        item.full_clean(exclude=["catalog"])
        history_actor(item, actor)
        item.save()
        _set_bases(item, _documents_from_specs(spec.get("bases", []), actor))
    audit("catalogs.catalog.created", actor=actor, region=region, obj=catalog)
    return catalog


def nearest_upstream_catalog(*, region: Region, domain: Domain) -> Catalog | None:
    """The current published catalog of the nearest ancestor (city, else province)."""
    ancestors = Region.objects.ancestors_of(region).values_list("code", flat=True)
    candidates = (
        Catalog.objects.current_published()
        .filter(domain=domain, region_id__in=list(ancestors))
        .select_related("region")
    )
    return max(candidates, key=lambda c: len(c.region_id), default=None)


def _copy_items(
    *,
    source: Catalog,
    target: Catalog,
    actor: User | None,
    as_upstream: bool,
) -> None:
    """Copy items, their history rows and basis links from `source` into `target`.

    As a clone (`as_upstream`), omitted upstream items are not copied, every
    copy points at the source item, and provenance notes stay upstream; as a new
    version, all items are copied and keep their own upstream pointer.

    The copy runs inside the database as ``INSERT … SELECT`` statements (items,
    their '+' history rows, basis links joined on the stable item key), so it costs
    the same few queries for 24 items as for 240: a Python-side ``bulk_create``
    would be split into batches of about 35 rows on SQLite (999 parameters per
    statement). Column lists come from the models' metadata.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            *_item_copy_sql(source=source, target=target, as_upstream=as_upstream)
        )
        cursor.execute(
            *_item_history_sql(target=target, actor=actor, as_upstream=as_upstream)
        )
        cursor.execute(*_basis_copy_sql(source=source, target=target))


def _db_value(model, name: str, value: Any) -> Any:
    """``value`` as the database stores the field ``name`` of ``model``."""
    return model._meta.get_field(name).get_db_prep_save(value, connection)


def _item_copy_sql(
    *, source: Catalog, target: Catalog, as_upstream: bool
) -> tuple[str, list[Any]]:
    """``INSERT … SELECT`` of the source's items into ``target`` (see `_copy_items`)."""
    qn = connection.ops.quote_name
    item_table = qn(CatalogItem._meta.db_table)
    fixed: dict[str, Any] = {
        "catalog": _db_value(CatalogItem, "catalog", target.pk),
        "lock_version": 0,
    }
    if as_upstream:
        fixed.update(
            omitted=_db_value(CatalogItem, "omitted", False),
            omitted_reason="",
            source_note="",
            uncertain=_db_value(CatalogItem, "uncertain", []),
        )
    columns, selects, params = [], [], []
    for field in CatalogItem._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(qn(field.column))
        if field.name in fixed:
            selects.append("%s")
            params.append(fixed[field.name])
        elif field.name == "upstream_item" and as_upstream:
            selects.append("src." + qn("id"))
        else:
            selects.append("src." + qn(field.column))
    where = "src." + qn("catalog_id") + " = %s"
    params.append(source.pk)
    if as_upstream:
        where += " AND src." + qn("omitted") + " = %s"
        params.append(_db_value(CatalogItem, "omitted", False))
    sql = (
        f"INSERT INTO {item_table} ({', '.join(columns)}) "
        f"SELECT {', '.join(selects)} FROM {item_table} src WHERE {where} "
        f"ORDER BY src.{qn('id')}"
    )
    return sql, params


def _item_history_sql(
    *, target: Catalog, actor: User | None, as_upstream: bool
) -> tuple[str, list[Any]]:
    """``INSERT … SELECT`` of a '+' history row for every item of ``target``."""
    qn = connection.ops.quote_name
    item_table = qn(CatalogItem._meta.db_table)
    history_model = CatalogItem.history.model
    item_columns = {f.column for f in CatalogItem._meta.concrete_fields}
    history_values = {
        "history_date": connection.ops.adapt_datetimefield_value(timezone.now()),
        # Marks copies, so the history page tells them from items added by hand.
        "history_change_reason": (
            "catalogs.catalog.cloned"
            if as_upstream
            else "catalogs.catalog.version_started"
        ),
        "history_type": "+",
        "history_user": actor.pk if actor is not None and actor.pk else None,
    }
    columns, selects, params = [], [], []
    for field in history_model._meta.concrete_fields:
        if field.primary_key:
            continue
        if field.name in history_values:
            selects.append("%s")
            params.append(history_values[field.name])
        elif field.column in item_columns:
            selects.append("it." + qn(field.column))
        else:  # a history field this copy does not know: leave it to its default
            continue
        columns.append(qn(field.column))
    params.append(target.pk)
    sql = (
        f"INSERT INTO {qn(history_model._meta.db_table)} ({', '.join(columns)}) "
        f"SELECT {', '.join(selects)} FROM {item_table} it "
        f"WHERE it.{qn('catalog_id')} = %s ORDER BY it.{qn('id')}"
    )
    return sql, params


def _basis_copy_sql(*, source: Catalog, target: Catalog) -> tuple[str, list[Any]]:
    """``INSERT … SELECT`` of the basis links, joined on the stable item key."""
    qn = connection.ops.quote_name
    item_table = qn(CatalogItem._meta.db_table)
    basis_table = qn(ItemBasis._meta.db_table)
    sql = (
        f"INSERT INTO {basis_table} ({qn('item_id')}, {qn('document_id')}, {qn('order')}) "
        f"SELECT dst.{qn('id')}, ib.{qn('document_id')}, ib.{qn('order')} "
        f"FROM {basis_table} ib "
        f"JOIN {item_table} src ON src.{qn('id')} = ib.{qn('item_id')} "
        f"JOIN {item_table} dst ON dst.{qn('key')} = src.{qn('key')} "
        f"AND dst.{qn('catalog_id')} = %s "
        f"WHERE src.{qn('catalog_id')} = %s"
    )
    return sql, [target.pk, source.pk]


@transaction.atomic
def catalog_clone(
    *, region: Region, domain: Domain, actor: User | None, source: Catalog | None = None
) -> Catalog:
    """Clone the nearest ancestor's published catalog into a new draft for `region`.

    One transaction; the number of queries does not depend on the number of items.
    """
    if Catalog.objects.filter(region=region, domain=domain).exists():
        raise ValidationError(
            _("%(region)s已有%(domain)s领域的目录，请在现有目录上编辑。")
            % {"region": region.name, "domain": domain.name}
        )
    source = source or nearest_upstream_catalog(region=region, domain=domain)
    if source is None:
        raise ValidationError(
            _("上级区划尚未发布%(domain)s领域的标准目录，暂时无法复制。")
            % {"domain": domain.name}
        )
    catalog = Catalog.objects.create(
        region=region,
        domain=domain,
        version=1,
        title=rules.localized_title(region=region, domain=domain),
        upstream=source,
        created_by=actor,
    )
    _copy_items(source=source, target=catalog, actor=actor, as_upstream=True)
    audit(
        "catalogs.catalog.cloned",
        actor=actor,
        region=region,
        obj=catalog,
        source=source.pk,
        source_region=source.region_id,
    )
    return catalog


@transaction.atomic
def catalog_start_new_version(*, catalog: Catalog, actor: User | None) -> Catalog:
    """Open the next draft of a published catalog (a published version stays as it is)."""
    if (
        Catalog.objects.open_versions()
        .filter(region_id=catalog.region_id, domain_id=catalog.domain_id)
        .exists()
    ):
        raise ValidationError(_("已有一个未发布的版本，请继续编辑它。"))
    latest = Catalog.objects.filter(
        region_id=catalog.region_id, domain_id=catalog.domain_id
    ).aggregate(v=Max("version"))["v"]
    draft = Catalog.objects.create(
        region_id=catalog.region_id,
        domain_id=catalog.domain_id,
        version=latest + 1,
        title=catalog.title,
        upstream_id=catalog.upstream_id,
        previous=catalog,
        document_number=catalog.document_number,
        source_note=catalog.source_note,
        created_by=actor,
    )
    _copy_items(source=catalog, target=draft, actor=actor, as_upstream=False)
    audit(
        "catalogs.catalog.version_started",
        actor=actor,
        region=catalog.region_id,
        obj=draft,
    )
    return draft


# --- editing items ----------------------------------------------------------------


def check_lock(obj, expected: int | None) -> None:
    """Refuse a save based on an outdated form: ``expected`` is the lock version it was read at."""
    if expected is not None and obj.lock_version != expected:
        raise ValidationError(
            _(
                "该事项已被其他人修改并保存。为避免覆盖对方的修改，本次保存未生效：请刷新页面查看最新内容后重新修改。"
            ),
            code="stale",
        )


def bump_lock(obj, expected: int | None) -> None:
    """Optimistic lock: the UPDATE only succeeds if nobody saved in between."""
    model = type(obj)
    current = obj.lock_version if expected is None else expected
    updated = model.objects.filter(pk=obj.pk, lock_version=current).update(
        lock_version=F("lock_version") + 1
    )
    if not updated:
        raise ValidationError(
            _(
                "该事项已被其他人修改并保存。为避免覆盖对方的修改，本次保存未生效：请刷新页面查看最新内容后重新修改。"
            ),
            code="stale",
        )
    obj.lock_version = current + 1


@transaction.atomic
def catalog_item_set_elements(
    *,
    item: CatalogItem,
    values: dict,
    bases: Sequence[dict | LegalDocument] | None,
    actor: User | None,
    enforce_rules: bool = True,
    expected_lock_version: int | None = None,
) -> CatalogItem:
    """Update the nine elements of an item of an editable catalog.

    With `enforce_rules`, the localization rules of SPEC §3 are checked against
    the upstream item (deadline only shortened, levels of the domain, bases with
    document numbers, at least one value of each controlled element).
    """
    if enforce_rules and not item.catalog.is_editable:
        raise ValidationError(_("已提交或已发布的目录不能修改；请先开启新版本。"))
    check_lock(item, expected_lock_version)
    changed = []
    for field in (
        "name",
        "seq",
        "content",
        "subjects",
        "channels",
        "channel_other",
        "audience",
        "mode",
        "levels",
        "uncertain",
        "source_note",
    ):
        if field in values and getattr(item, field) != values[field]:
            setattr(item, field, values[field])
            changed.append(field)
    if "category_id" in values and item.category_id != values["category_id"]:
        item.category_id = values["category_id"]
        changed.append("category")
    if (
        "time_limit_text" in values
        and values["time_limit_text"] != item.time_limit_text
    ):
        apply_time_limit(item, values["time_limit_text"])
        changed.append("time_limit_text")
    documents = _documents_from_specs(bases, actor) if bases is not None else None
    if enforce_rules:
        errors = rules.check_item(
            item=item, documents=documents, calendar=selectors.work_calendar()
        )
        if errors:
            raise ValidationError(errors)
    item.full_clean(exclude=["catalog", "category", "upstream_item"])
    bump_lock(item, expected_lock_version)
    history_actor(item, actor)
    item.save()
    if documents is not None:
        old = list(item.basis_links.values_list("document_id", flat=True))
        if old != [d.pk for d in documents]:
            _set_bases(item, documents)
            changed.append("bases")
    audit(
        "catalogs.item.updated",
        actor=actor,
        region=item.catalog.region_id,
        obj=item,
        fields=changed,
    )
    return item


@transaction.atomic
def catalog_item_add(
    *,
    catalog: Catalog,
    values: dict,
    bases: Sequence[dict | LegalDocument],
    actor: User | None,
    enforce_rules: bool = True,
) -> CatalogItem:
    """Add a local item (拓宽公开范围) to an editable catalog."""
    if not catalog.is_editable:
        raise ValidationError(_("已提交或已发布的目录不能修改；请先开启新版本。"))
    item = CatalogItem(
        catalog=catalog, key=uuid.uuid4(), category_id=values["category_id"]
    )
    next_seq = catalog.items.aggregate(m=Max("seq"))["m"] or 0
    for field in (
        "name",
        "content",
        "subjects",
        "channels",
        "channel_other",
        "audience",
        "mode",
        "levels",
    ):
        if field in values:
            setattr(item, field, values[field])
    item.seq = values.get("seq") or next_seq + 1
    apply_time_limit(item, values.get("time_limit_text", ""))
    documents = _documents_from_specs(bases, actor)
    errors = (
        rules.check_item(
            item=item, documents=documents, calendar=selectors.work_calendar()
        )
        if enforce_rules
        else {}
    )
    if errors:
        raise ValidationError(errors)
    item.full_clean(exclude=["catalog"])
    history_actor(item, actor)
    item.save()
    _set_bases(item, documents)
    audit(
        "catalogs.item.added",
        actor=actor,
        region=catalog.region_id,
        obj=item,
        name=item.name,
    )
    return item


@transaction.atomic
def catalog_item_omit(
    *,
    item: CatalogItem,
    reason: str,
    actor: User | None,
    expected_lock_version: int | None = None,
) -> CatalogItem:
    """Leave an item out locally, with a recorded reason; it can be restored later."""
    if not item.catalog.is_editable:
        raise ValidationError(_("已提交或已发布的目录不能修改；请先开启新版本。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"omitted_reason": _("请填写不公开的理由，例如“本地未开展该业务”。")}
        )
    if item.upstream_item_id is None and item.catalog.upstream_id is not None:
        raise ValidationError(_("本地新增的事项不需要标注不公开，可以直接删除。"))
    check_lock(item, expected_lock_version)
    item.omitted = True
    item.omitted_reason = reason
    bump_lock(item, expected_lock_version)
    history_actor(item, actor)
    item.save(update_fields=["omitted", "omitted_reason"])
    audit(
        "catalogs.item.omitted",
        actor=actor,
        region=item.catalog.region_id,
        obj=item,
        reason=reason,
    )
    return item


@transaction.atomic
def catalog_item_restore(*, item: CatalogItem, actor: User | None) -> CatalogItem:
    if not item.catalog.is_editable:
        raise ValidationError(_("已提交或已发布的目录不能修改；请先开启新版本。"))
    item.omitted = False
    item.omitted_reason = ""
    bump_lock(item, None)
    history_actor(item, actor)
    item.save(update_fields=["omitted", "omitted_reason"])
    audit(
        "catalogs.item.restored", actor=actor, region=item.catalog.region_id, obj=item
    )
    return item


@transaction.atomic
def catalog_item_delete_local(*, item: CatalogItem, actor: User | None) -> None:
    """Delete an item the region added itself (upstream items are omitted instead)."""
    if not item.catalog.is_editable:
        raise ValidationError(_("已提交或已发布的目录不能修改；请先开启新版本。"))
    if item.upstream_item_id is not None:
        raise ValidationError(
            _("来自上级目录的事项不能删除，只能标注“本地不公开”并说明理由。")
        )
    audit(
        "catalogs.item.deleted",
        actor=actor,
        region=item.catalog.region_id,
        obj=item,
        name=item.name,
    )
    history_actor(item, actor)
    item.delete()


# --- life cycle ---------------------------------------------------------------------


def _transition(catalog: Catalog, allowed: Iterable[str], target: str) -> None:
    if catalog.status not in allowed:
        raise ValidationError(
            _("目录当前状态为“%(status)s”，不能执行此操作。")
            % {"status": catalog.get_status_display()},
            code="bad_status",
        )
    catalog.status = target


@transaction.atomic
def catalog_submit(*, catalog: Catalog, actor: User | None) -> Catalog:
    """Submit a draft for review by an ancestor region (草稿 → 已提交)."""
    problems = selectors.catalog_submission_problems(catalog)
    if problems:
        raise ValidationError(problems)
    _transition(catalog, Catalog.EDITABLE_STATUSES, Catalog.Status.SUBMITTED)
    catalog.submitted_at = timezone.now()
    history_actor(catalog, actor)
    catalog.save(update_fields=["status", "submitted_at"])
    audit(
        "catalogs.catalog.submitted", actor=actor, region=catalog.region_id, obj=catalog
    )
    return catalog


@transaction.atomic
def catalog_approve(
    *, catalog: Catalog, actor: User | None, comment: str = ""
) -> Catalog:
    _transition(catalog, [Catalog.Status.SUBMITTED], Catalog.Status.APPROVED)
    catalog.reviewed_at = timezone.now()
    catalog.reviewed_by = actor
    catalog.review_comment = comment.strip()
    history_actor(catalog, actor)
    catalog.save(
        update_fields=["status", "reviewed_at", "reviewed_by", "review_comment"]
    )
    audit(
        "catalogs.catalog.approved",
        actor=actor,
        region=catalog.region_id,
        obj=catalog,
        comment=comment,
    )
    return catalog


@transaction.atomic
def catalog_return(
    *,
    catalog: Catalog,
    actor: User | None,
    comment: str,
    item_key: uuid.UUID | None = None,
) -> Catalog:
    """Return a submitted catalog with comments (退回修改); the comment is required.

    The comment is also kept as a `ReviewComment`, on the item `item_key` when
    given, so the clerk sees it next to the item it concerns.
    """
    if not comment.strip():
        raise ValidationError(
            {"comment": _("退回时请填写审核意见，说明需要修改的内容。")}
        )
    _transition(catalog, [Catalog.Status.SUBMITTED], Catalog.Status.RETURNED)
    catalog.reviewed_at = timezone.now()
    catalog.reviewed_by = actor
    catalog.review_comment = comment.strip()
    history_actor(catalog, actor)
    catalog.save(
        update_fields=["status", "reviewed_at", "reviewed_by", "review_comment"]
    )
    _review_comment_create(
        catalog=catalog, actor=actor, body=comment, item_key=item_key
    )
    audit(
        "catalogs.catalog.returned",
        actor=actor,
        region=catalog.region_id,
        obj=catalog,
        comment=comment,
    )
    return catalog


@transaction.atomic
def catalog_publish(
    *,
    catalog: Catalog,
    actor: User | None,
    published_at: datetime | None = None,
    already_approved_elsewhere: bool = False,
) -> Catalog:
    """Publish an approved version (templates: straight from draft). Immutable afterwards.

    `already_approved_elsewhere` is for loading catalogs that were approved and
    published outside the portal (e.g. Luoyang's 洛民通〔2020〕15号).
    """
    allowed = [Catalog.Status.APPROVED]
    if catalog.is_template or already_approved_elsewhere:
        allowed += list(Catalog.EDITABLE_STATUSES)
    _transition(catalog, allowed, Catalog.Status.PUBLISHED)
    catalog.published_at = published_at or timezone.now()
    history_actor(catalog, actor)
    catalog.save(update_fields=["status", "published_at"])
    audit(
        "catalogs.catalog.published",
        actor=actor,
        region=catalog.region_id,
        obj=catalog,
        version=catalog.version,
    )
    transaction.on_commit(lambda: _published_hooks(catalog))
    return catalog


def _published_hooks(catalog: Catalog) -> None:
    """Let other parts (public page caches) know a catalog was published."""
    catalog_published.send(sender=Catalog, catalog=catalog)


# --- review comments ------------------------------------------------------------------


def _review_comment_create(
    *, catalog: Catalog, actor: User | None, body: str, item_key: uuid.UUID | None
) -> ReviewComment:
    if item_key is not None and not catalog.items.filter(key=item_key).exists():
        raise ValidationError({"item_key": _("所选事项不在该目录中，请重新选择。")})
    comment = ReviewComment.objects.create(
        catalog=catalog, item_key=item_key, author=actor, body=body.strip()
    )
    audit(
        "catalogs.review_comment.created",
        actor=actor,
        region=catalog.region_id,
        obj=comment,
        catalog=catalog.pk,
        item_key=str(item_key) if item_key else "",
    )
    return comment


@transaction.atomic
def catalog_review_comment_add(
    *,
    catalog: Catalog,
    actor: User | None,
    body: str,
    item_key: uuid.UUID | None = None,
) -> ReviewComment:
    """A reviewer's comment on a submitted catalog, on one item or on the whole catalog."""
    if catalog.status != Catalog.Status.SUBMITTED:
        raise ValidationError(_("只能对已提交审核的目录提出审核意见。"))
    if not (body or "").strip():
        raise ValidationError({"body": _("请填写意见内容。")})
    return _review_comment_create(
        catalog=catalog, actor=actor, body=body, item_key=item_key
    )


@transaction.atomic
def catalog_review_comment_resolve(
    *, comment: ReviewComment, actor: User | None
) -> ReviewComment:
    """The clerk marks a comment as handled (已处理); it stays visible."""
    if not comment.catalog.is_editable:
        raise ValidationError(_("目录当前不可编辑，不能处理审核意见。"))
    comment.resolved = True
    comment.resolved_at = timezone.now()
    comment.save(update_fields=["resolved", "resolved_at"])
    audit(
        "catalogs.review_comment.resolved",
        actor=actor,
        region=comment.catalog.region_id,
        obj=comment,
        catalog=comment.catalog_id,
    )
    return comment
