"""Catalog workflows: create templates, clone, localize, review, publish.

Every write happens here, inside a transaction, with an audit entry. Views and
commands call these functions; they never write to the ORM themselves.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from . import diff, rules
from .deadlines import check_not_looser, parse_rule_or_unparsed
from .models import (
    AuditLogEntry,
    Catalog,
    CatalogItem,
    Domain,
    ItemBasis,
    LegalDocument,
    Region,
    ReviewComment,
    User,
)
from .selectors import work_calendar
from .signals import catalog_published

# Element fields copied verbatim from one item to its clone or next version.
ELEMENT_FIELDS = CatalogItem.ELEMENT_FIELDS


def audit(
    action: str,
    *,
    actor: User | None,
    region: Region | str | None = None,
    obj: Any = None,
    **data: Any,
) -> AuditLogEntry:
    """Record an audit entry (call inside the service's transaction)."""
    region_code = region if isinstance(region, str) or region is None else region.code
    return AuditLogEntry.objects.create(
        action=action,
        actor=actor if actor is not None and actor.pk else None,
        region_id=region_code,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        data=data,
    )


def _history_actor(obj: Any, actor: User | None) -> None:
    """Attribute the django-simple-history row of the next save to `actor`, also
    outside a request (commands, demo data); the request user otherwise."""
    if actor is not None and actor.pk:
        obj._history_user = actor


# --- legal documents ------------------------------------------------------------
# Clerks propose, province admins add: a document typed into an item by someone
# who does not curate the library is a proposal (cited at once by that item)
# until a province admin accepts it. Curating = `catalogs.add_legaldocument`,
# which only the province admin role holds.


def _curates_library(actor: User | None) -> bool:
    """The system (actor None: reference data, commands) and province admins."""
    return actor is None or actor.has_perm("catalogs.add_legaldocument")


def _basis_errors(*, title: str, number: str, kind: str) -> dict[str, list[str]]:
    """The basis rules (全称、文号) keyed by the field each message concerns."""
    errors: dict[str, list[str]] = {}
    for message in rules.check_basis(title=title, number=number, kind=kind):
        errors.setdefault("number" if "文号" in message else "title", []).append(message)
    return errors


def legal_document_validate(
    *, title: str, number: str, kind: str, exclude_pk: int | None = None
) -> tuple[str, str]:
    """Normalise and check a library entry; return (title, number) or raise
    ValidationError keyed by field (the admin form shows it at the field)."""
    title = rules.normalize_title(title or "")
    number = (number or "").strip()
    errors = _basis_errors(title=title, number=number, kind=kind)
    if not errors:
        duplicate = LegalDocument.objects.filter(title=title, number=number).exclude(pk=exclude_pk)
        if duplicate.exists():
            errors["title"] = [
                _("依据库中已有“%(citation)s”，请直接使用它，不要重复添加。")
                % {"citation": f"{title}（{number}）" if number else title}
            ]
    if errors:
        raise ValidationError(errors)
    return title, number


def legal_document_get_or_create(
    *, title: str, number: str = "", kind: str | None = None, actor: User | None = None
) -> LegalDocument:
    """Find a document in the shared library or add it (title + 文号 checked).

    A new document is accepted into the library when the system or a province
    admin adds it; anyone else's is a proposal (`LegalDocument.Status.PROPOSED`)
    that a province admin accepts later (`legal_document_accept`).
    """
    title = rules.normalize_title(title)
    number = number.strip()
    kind = kind or rules.legal_document_kind(title, number)
    errors = rules.check_basis(title=title, number=number, kind=kind)
    if errors:
        raise ValidationError({"bases": errors})
    doc = LegalDocument.objects.filter(title=title, number=number).first()
    if doc is not None:
        return doc
    curated = _curates_library(actor)
    doc = LegalDocument(
        title=title,
        number=number,
        kind=kind,
        status=LegalDocument.Status.ACCEPTED if curated else LegalDocument.Status.PROPOSED,
        proposed_by=None if curated else actor,
    )
    doc.full_clean()
    doc.save()
    audit(
        "catalogs.legal_document.added" if curated else "catalogs.legal_document.proposed",
        actor=actor,
        region=actor.region_id if actor is not None else None,
        obj=doc,
        title=title,
        number=number,
    )
    return doc


def _check_curator(actor: User | None) -> None:
    if not _curates_library(actor):
        raise PermissionDenied(_("只有省级管理员可以维护共享的法律依据库；工作人员填写的新依据由省级管理员审核收录。"))


@transaction.atomic
def legal_document_add(
    *, title: str, number: str = "", kind: str, note: str = "", actor: User | None
) -> LegalDocument:
    """A province admin adds a document to the shared library (accepted at once)."""
    _check_curator(actor)
    title, number = legal_document_validate(title=title, number=number, kind=kind)
    doc = LegalDocument(
        title=title, number=number, kind=kind, note=(note or "").strip(),
        status=LegalDocument.Status.ACCEPTED,
    )
    doc.full_clean()
    doc.save()
    audit("catalogs.legal_document.added", actor=actor, obj=doc, title=title, number=number)
    return doc


# Fields of a library entry a province admin may change (status: `legal_document_accept`).
LEGAL_DOCUMENT_FIELDS = ("title", "number", "kind", "note", "superseded_by")
_CITATION_FIELDS = ("title", "number", "kind")


def _field_value(document: LegalDocument, field: str) -> Any:
    return document.superseded_by_id if field == "superseded_by" else getattr(document, field)


def legal_document_check_changes(*, document: LegalDocument, changes: dict[str, Any]) -> None:
    """Raise ValidationError (keyed by field) if `changes` may not be made to `document`.

    The citation itself (全称、文号、类型) may not change once a published catalog
    cites the document: a published version is immutable, so the way forward is a
    new entry and `superseded_by`. A replacement must be another accepted entry
    that is not itself superseded. (The admin form runs this before saving.)
    """
    unknown = set(changes) - set(LEGAL_DOCUMENT_FIELDS)
    if unknown:
        raise ValidationError(_("不能在这里修改：%(fields)s。") % {"fields": "、".join(sorted(unknown))})
    if document.pk and set(changes) & set(_CITATION_FIELDS):
        cited = ItemBasis.objects.filter(
            document_id=document.pk, item__catalog__status=Catalog.Status.PUBLISHED
        ).exists()
        if cited:
            raise ValidationError(
                _(
                    "该依据已被已发布的目录引用，不能修改全称、文号或类型（已发布的版本不可更改）。"
                    "请新增一条依据，再在本条的“已被替代为”中选择它。"
                )
            )
    replacement = changes.get("superseded_by")
    if replacement is not None:
        if replacement.pk == document.pk:
            raise ValidationError({"superseded_by": _("依据不能被它自己替代，请选择另一条依据。")})
        if (
            replacement.superseded_by_id is not None
            or replacement.status != LegalDocument.Status.ACCEPTED
        ):
            raise ValidationError(
                {"superseded_by": _("请选择一条已收录且仍然有效（未被替代）的依据作为替代文件。")}
            )


@transaction.atomic
def legal_document_update(
    *, document: LegalDocument, changes: dict[str, Any], actor: User | None
) -> LegalDocument:
    """Change a library entry. `changes` maps fields of `LEGAL_DOCUMENT_FIELDS` to
    values; see `legal_document_check_changes` for what is refused. Only what
    differs is saved and logged (with before and after)."""
    _check_curator(actor)
    current = LegalDocument.objects.select_for_update().get(pk=document.pk)

    def differs(field: str, value: Any) -> bool:
        if field not in LEGAL_DOCUMENT_FIELDS:
            return True  # refused by the check below
        if field == "superseded_by" and value is not None:
            value = value.pk
        return _field_value(current, field) != value

    changes = {f: v for f, v in changes.items() if differs(f, v)}
    if not changes:
        return current
    legal_document_check_changes(document=current, changes=changes)
    before = {f: _field_value(current, f) for f in changes}
    for field, value in changes.items():
        setattr(current, field, value)
    if set(changes) & set(_CITATION_FIELDS):
        current.title, current.number = legal_document_validate(
            title=current.title, number=current.number, kind=current.kind, exclude_pk=current.pk
        )
    current.full_clean()
    current.save(update_fields=list(changes))
    audit(
        "catalogs.legal_document.changed",
        actor=actor,
        obj=current,
        fields=sorted(changes),
        before=before,
        after={f: _field_value(current, f) for f in changes},
    )
    return current


@transaction.atomic
def legal_document_accept(*, document: LegalDocument, actor: User | None) -> LegalDocument:
    """Accept a clerk's proposal into the shared library (no-op if already accepted)."""
    _check_curator(actor)
    current = LegalDocument.objects.select_for_update().get(pk=document.pk)
    if current.status == LegalDocument.Status.ACCEPTED:
        return current
    current.status = LegalDocument.Status.ACCEPTED
    current.full_clean()
    current.save(update_fields=["status"])
    audit(
        "catalogs.legal_document.accepted",
        actor=actor,
        obj=current,
        proposed_by=current.proposed_by_id,
        title=current.title,
        number=current.number,
    )
    return current


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
    _history_actor(catalog, actor)
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
            "name", "seq", "content", "subjects", "channels", "audience", "mode",
            "levels", "uncertain", "source_note",
        ):
            if field in spec:
                setattr(item, field, spec[field])
        item.channel_other = spec.get("channel_other", "")
        apply_time_limit(item, spec["time_limit_text"])
        item.full_clean(exclude=["catalog"])
        _history_actor(item, actor)
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
        cursor.execute(*_item_copy_sql(source=source, target=target, as_upstream=as_upstream))
        cursor.execute(*_item_history_sql(target=target, actor=actor, as_upstream=as_upstream))
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
            "catalogs.catalog.cloned" if as_upstream else "catalogs.catalog.version_started"
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
    if Catalog.objects.open_versions().filter(
        region_id=catalog.region_id, domain_id=catalog.domain_id
    ).exists():
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
    audit("catalogs.catalog.version_started", actor=actor, region=catalog.region_id, obj=draft)
    return draft


# --- editing items ----------------------------------------------------------------


def _check_lock(obj, expected: int | None) -> None:
    if expected is not None and obj.lock_version != expected:
        raise ValidationError(
            _("该事项已被其他人修改并保存。为避免覆盖对方的修改，本次保存未生效：请刷新页面查看最新内容后重新修改。"),
            code="stale",
        )


def _bump_lock(obj, expected: int | None) -> None:
    """Optimistic lock: the UPDATE only succeeds if nobody saved in between."""
    model = type(obj)
    current = obj.lock_version if expected is None else expected
    updated = model.objects.filter(pk=obj.pk, lock_version=current).update(
        lock_version=F("lock_version") + 1
    )
    if not updated:
        raise ValidationError(
            _("该事项已被其他人修改并保存。为避免覆盖对方的修改，本次保存未生效：请刷新页面查看最新内容后重新修改。"),
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
    _check_lock(item, expected_lock_version)
    changed = []
    for field in (
        "name", "seq", "content", "subjects", "channels", "channel_other", "audience",
        "mode", "levels", "uncertain", "source_note",
    ):
        if field in values and getattr(item, field) != values[field]:
            setattr(item, field, values[field])
            changed.append(field)
    if "category_id" in values and item.category_id != values["category_id"]:
        item.category_id = values["category_id"]
        changed.append("category")
    if "time_limit_text" in values and values["time_limit_text"] != item.time_limit_text:
        apply_time_limit(item, values["time_limit_text"])
        changed.append("time_limit_text")
    documents = _documents_from_specs(bases, actor) if bases is not None else None
    if enforce_rules:
        errors = rules.check_item(item=item, documents=documents)
        if errors:
            raise ValidationError(errors)
    item.full_clean(exclude=["catalog", "category", "upstream_item"])
    _bump_lock(item, expected_lock_version)
    _history_actor(item, actor)
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
    item = CatalogItem(catalog=catalog, key=uuid.uuid4(), category_id=values["category_id"])
    next_seq = catalog.items.aggregate(m=Max("seq"))["m"] or 0
    for field in ("name", "content", "subjects", "channels", "channel_other", "audience", "mode", "levels"):
        if field in values:
            setattr(item, field, values[field])
    item.seq = values.get("seq") or next_seq + 1
    apply_time_limit(item, values.get("time_limit_text", ""))
    documents = _documents_from_specs(bases, actor)
    errors = rules.check_item(item=item, documents=documents) if enforce_rules else {}
    if errors:
        raise ValidationError(errors)
    item.full_clean(exclude=["catalog"])
    _history_actor(item, actor)
    item.save()
    _set_bases(item, documents)
    audit("catalogs.item.added", actor=actor, region=catalog.region_id, obj=item, name=item.name)
    return item


@transaction.atomic
def catalog_item_omit(
    *, item: CatalogItem, reason: str, actor: User | None, expected_lock_version: int | None = None
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
    _check_lock(item, expected_lock_version)
    item.omitted = True
    item.omitted_reason = reason
    _bump_lock(item, expected_lock_version)
    _history_actor(item, actor)
    item.save(update_fields=["omitted", "omitted_reason"])
    audit("catalogs.item.omitted", actor=actor, region=item.catalog.region_id, obj=item, reason=reason)
    return item


@transaction.atomic
def catalog_item_restore(*, item: CatalogItem, actor: User | None) -> CatalogItem:
    if not item.catalog.is_editable:
        raise ValidationError(_("已提交或已发布的目录不能修改；请先开启新版本。"))
    item.omitted = False
    item.omitted_reason = ""
    _bump_lock(item, None)
    _history_actor(item, actor)
    item.save(update_fields=["omitted", "omitted_reason"])
    audit("catalogs.item.restored", actor=actor, region=item.catalog.region_id, obj=item)
    return item


@transaction.atomic
def catalog_item_delete_local(*, item: CatalogItem, actor: User | None) -> None:
    """Delete an item the region added itself (upstream items are omitted instead)."""
    if not item.catalog.is_editable:
        raise ValidationError(_("已提交或已发布的目录不能修改；请先开启新版本。"))
    if item.upstream_item_id is not None:
        raise ValidationError(_("来自上级目录的事项不能删除，只能标注“本地不公开”并说明理由。"))
    audit("catalogs.item.deleted", actor=actor, region=item.catalog.region_id, obj=item, name=item.name)
    _history_actor(item, actor)
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
    problems = rules.check_catalog(catalog)
    if problems:
        raise ValidationError(problems)
    _transition(catalog, Catalog.EDITABLE_STATUSES, Catalog.Status.SUBMITTED)
    catalog.submitted_at = timezone.now()
    _history_actor(catalog, actor)
    catalog.save(update_fields=["status", "submitted_at"])
    audit("catalogs.catalog.submitted", actor=actor, region=catalog.region_id, obj=catalog)
    return catalog


@transaction.atomic
def catalog_approve(*, catalog: Catalog, actor: User | None, comment: str = "") -> Catalog:
    _transition(catalog, [Catalog.Status.SUBMITTED], Catalog.Status.APPROVED)
    catalog.reviewed_at = timezone.now()
    catalog.reviewed_by = actor
    catalog.review_comment = comment.strip()
    _history_actor(catalog, actor)
    catalog.save(update_fields=["status", "reviewed_at", "reviewed_by", "review_comment"])
    audit("catalogs.catalog.approved", actor=actor, region=catalog.region_id, obj=catalog, comment=comment)
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
        raise ValidationError({"comment": _("退回时请填写审核意见，说明需要修改的内容。")})
    _transition(catalog, [Catalog.Status.SUBMITTED], Catalog.Status.RETURNED)
    catalog.reviewed_at = timezone.now()
    catalog.reviewed_by = actor
    catalog.review_comment = comment.strip()
    _history_actor(catalog, actor)
    catalog.save(update_fields=["status", "reviewed_at", "reviewed_by", "review_comment"])
    _review_comment_create(catalog=catalog, actor=actor, body=comment, item_key=item_key)
    audit("catalogs.catalog.returned", actor=actor, region=catalog.region_id, obj=catalog, comment=comment)
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
    _history_actor(catalog, actor)
    catalog.save(update_fields=["status", "published_at"])
    audit("catalogs.catalog.published", actor=actor, region=catalog.region_id, obj=catalog, version=catalog.version)
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
    *, catalog: Catalog, actor: User | None, body: str, item_key: uuid.UUID | None = None
) -> ReviewComment:
    """A reviewer's comment on a submitted catalog, on one item or on the whole catalog."""
    if catalog.status != Catalog.Status.SUBMITTED:
        raise ValidationError(_("只能对已提交审核的目录提出审核意见。"))
    if not (body or "").strip():
        raise ValidationError({"body": _("请填写意见内容。")})
    return _review_comment_create(catalog=catalog, actor=actor, body=body, item_key=item_key)


@transaction.atomic
def catalog_review_comment_resolve(*, comment: ReviewComment, actor: User | None) -> ReviewComment:
    """The clerk marks a comment as handled (已处理); it stays visible."""
    if not comment.catalog.is_editable:
        raise ValidationError(_("目录当前不可编辑，不能处理审核意见。"))
    comment.resolved = True
    comment.save(update_fields=["resolved"])
    audit(
        "catalogs.review_comment.resolved",
        actor=actor,
        region=comment.catalog.region_id,
        obj=comment,
        catalog=comment.catalog_id,
    )
    return comment


# --- upstream updates (three-way merge) --------------------------------------------------

MERGE_OMIT_REMOVED_REASON = "上级目录新版本已删除该事项"
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
    _bump_lock(catalog, expected_lock_version)
    _history_actor(catalog, actor)
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
    _check_lock(catalog, expected_lock_version)
    plan = diff.merge_plan(catalog)
    if plan is None:
        raise ValidationError(_("上级目录没有比本目录所依据版本更新的已发布版本，无需合并。"))
    invalid = sorted({v for v in choices.values() if v not in (diff.TAKE, diff.KEEP)})
    if invalid:
        raise ValidationError(_("无法识别的选择：%(values)s。") % {"values": "、".join(invalid)})
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
        for message in check_not_looser(im.mine.rule(), im.theirs.rule(), self._calendar):
            self.problems.append(
                _("事项“%(name)s”：保留本地公开时限会长于上级新版本（%(message)s）请选择“采用上级”。")
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
        new = CatalogItem(catalog=self.catalog, key=theirs.key, upstream_item_id=theirs.pk)
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
                catalog=merge.catalog, key__in=[new.key for new, _docs in merge.additions]
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

