"""The shared library of legal bases (公开依据): find, add, correct, supersede, accept.

Clerks propose, province admins add: a document typed into an item by someone
who does not curate the library is a proposal (cited at once by that item)
until a province admin accepts it. Curating = `catalogs.add_legaldocument`,
which only the province admin role holds. Every write is audited.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from . import rules
from .audit import audit
from .models import Catalog, ItemBasis, LegalDocument, User


def _curates_library(actor: User | None) -> bool:
    """The system (actor None: reference data, commands) and province admins."""
    return actor is None or actor.has_perm("catalogs.add_legaldocument")


def _basis_errors(*, title: str, number: str, kind: str) -> dict[str, list[str]]:
    """The basis rules (全称、文号) keyed by the field each message concerns."""
    errors: dict[str, list[str]] = {}
    for message in rules.check_basis(title=title, number=number, kind=kind):
        errors.setdefault("number" if "文号" in message else "title", []).append(
            message
        )
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
        duplicate = LegalDocument.objects.filter(title=title, number=number).exclude(
            pk=exclude_pk
        )
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
        status=LegalDocument.Status.ACCEPTED
        if curated
        else LegalDocument.Status.PROPOSED,
        proposed_by=None if curated else actor,
    )
    doc.full_clean()
    doc.save()
    audit(
        "catalogs.legal_document.added"
        if curated
        else "catalogs.legal_document.proposed",
        actor=actor,
        region=actor.region_id if actor is not None else None,
        obj=doc,
        title=title,
        number=number,
    )
    return doc


def _check_curator(actor: User | None) -> None:
    if not _curates_library(actor):
        raise PermissionDenied(
            _(
                "只有省级管理员可以维护共享的法律依据库；工作人员填写的新依据由省级管理员审核收录。"
            )
        )


@transaction.atomic
def legal_document_add(
    *, title: str, number: str = "", kind: str, note: str = "", actor: User | None
) -> LegalDocument:
    """A province admin adds a document to the shared library (accepted at once)."""
    _check_curator(actor)
    title, number = legal_document_validate(title=title, number=number, kind=kind)
    doc = LegalDocument(
        title=title,
        number=number,
        kind=kind,
        note=(note or "").strip(),
        status=LegalDocument.Status.ACCEPTED,
    )
    doc.full_clean()
    doc.save()
    audit(
        "catalogs.legal_document.added",
        actor=actor,
        obj=doc,
        title=title,
        number=number,
    )
    return doc


# Fields of a library entry a province admin may change (status: `legal_document_accept`).
LEGAL_DOCUMENT_FIELDS = ("title", "number", "kind", "note", "superseded_by")
_CITATION_FIELDS = ("title", "number", "kind")


def _field_value(document: LegalDocument, field: str) -> Any:
    return (
        document.superseded_by_id
        if field == "superseded_by"
        else getattr(document, field)
    )


def legal_document_check_changes(
    *, document: LegalDocument, changes: dict[str, Any]
) -> None:
    """Raise ValidationError (keyed by field) if `changes` may not be made to `document`.

    The citation itself (全称、文号、类型) may not change once a published catalog
    cites the document: a published version is immutable, so the way forward is a
    new entry and `superseded_by`. A replacement must be another accepted entry
    that is not itself superseded. (The admin form runs this before saving.)
    """
    unknown = set(changes) - set(LEGAL_DOCUMENT_FIELDS)
    if unknown:
        raise ValidationError(
            _("不能在这里修改：%(fields)s。") % {"fields": "、".join(sorted(unknown))}
        )
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
            raise ValidationError(
                {"superseded_by": _("依据不能被它自己替代，请选择另一条依据。")}
            )
        if (
            replacement.superseded_by_id is not None
            or replacement.status != LegalDocument.Status.ACCEPTED
        ):
            raise ValidationError(
                {
                    "superseded_by": _(
                        "请选择一条已收录且仍然有效（未被替代）的依据作为替代文件。"
                    )
                }
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
            title=current.title,
            number=current.number,
            kind=current.kind,
            exclude_pk=current.pk,
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
def legal_document_accept(
    *, document: LegalDocument, actor: User | None
) -> LegalDocument:
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
