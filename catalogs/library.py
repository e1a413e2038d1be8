"""The shared library of legal bases (公开依据): find, add, correct, supersede, accept.

Clerks propose, province admins add: a document typed into an item by someone
who does not curate the library is a proposal (cited at once by that item)
until a province admin accepts it. Curating = `catalogs.add_legaldocument`,
which only the province admin role holds. Every write is audited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
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

    Another spelling of a known 文号, or a title without 文号 that names one
    numbered entry, is that entry (`legal_document_match`).
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
    doc = legal_document_match(title=title, number=number).document
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


# --- One document, many spellings ---------------------------------------------------

_ISSUER_PREFIX_RE = re.compile(r"^中华人民共和国(?=[\u4e00-\u9fa5]+令)")


def number_key(number: str) -> str:
    """A 文号 reduced to what identifies it: brackets as 〔〕, no spaces, no
    “中华人民共和国” before “国务院令/民政部令”, “令711号” read as “令第711号”.

    ``中华人民共和国国务院令第711号``, ``国务院令第711号`` and ``国务院令 第711号``
    are one key; ``民发[2012]220号`` and ``民发〔2012〕220号`` are one key.
    """
    n = rules.normalize_number(number or "")
    n = re.sub(r"[［\[【（(]((?:19|20)\d{2})[］\]】）)]", r"〔\1〕", n)
    n = _ISSUER_PREFIX_RE.sub("", n)
    n = re.sub(r"令(\d+)号$", r"令第\1号", n)
    return n


def title_key(title: str) -> str:
    """A title reduced for matching: no spaces, brackets and 《》〈〉 unified."""
    t = re.sub(r"\s+", "", title or "")
    t = t.translate(str.maketrans({"(": "（", ")": "）", "<": "〈", ">": "〉"}))
    return t.strip("《》")


def known_documents() -> list[dict]:
    """The library's known documents (fixtures/legal_library.json)."""
    from .reference import load_json

    return load_json("legal_library.json")["documents"]


def _alias_map() -> dict[str, str]:
    """number_key of every known other spelling → number_key of the one to cite."""
    aliases: dict[str, str] = {}
    for entry in known_documents():
        canonical = number_key(entry["number"])
        for alias in entry.get("aliases", []):
            aliases[number_key(alias)] = canonical
    return aliases


def canonical_number_key(number: str) -> str:
    key = number_key(number)
    return _alias_map().get(key, key)


@dataclass(frozen=True)
class LibraryMatch:
    """What the library makes of a citation as written."""

    document: LegalDocument | None
    #: How it was found: ``exact``, ``spelling`` (another spelling of the
    #: number), ``title`` (no 文号 written; the title names one numbered
    #: document) or ``""`` (not found).
    how: str = ""

    @property
    def warning(self) -> str:
        doc = self.document
        if doc is None or self.how in ("", "exact"):
            return ""
        if self.how == "title":
            return _(
                "“%(title)s”未写文号，已按依据库匹配为%(title)s（%(number)s）。"
            ) % {"title": doc.title, "number": doc.number}
        return _("文号已按依据库统一写作“%(number)s”。") % {"number": doc.number}


def legal_document_match(*, title: str, number: str = "") -> LibraryMatch:
    """Find the library entry a citation means, whatever its spelling.

    With a 文号: the entry whose number has the same key (aliases included). Without
    one: the single accepted, numbered entry with that title (a superseded entry
    only if no current one has the title). Nothing found: ``LibraryMatch(None)``;
    the caller keeps the citation as written.
    """
    title = rules.normalize_title(title)
    number = (number or "").strip()
    exact = LegalDocument.objects.filter(title=title, number=number).first()
    if number:
        if exact is not None:
            return LibraryMatch(exact, "exact")
        wanted = canonical_number_key(number)
        candidates = [
            doc
            for doc in LegalDocument.objects.exclude(number="")
            if canonical_number_key(doc.number) == wanted
        ]
        if candidates:
            best = sorted(
                candidates,
                key=lambda d: (d.status != LegalDocument.Status.ACCEPTED, d.pk),
            )[0]
            return LibraryMatch(best, "spelling")
        return LibraryMatch(None)
    if not title.startswith("《"):
        return LibraryMatch(exact, "exact" if exact else "")
    key = title_key(title)
    numbered = [
        doc
        for doc in LegalDocument.objects.exclude(number="").filter(
            status=LegalDocument.Status.ACCEPTED
        )
        if title_key(doc.title) == key
    ]
    current = [d for d in numbered if d.superseded_by_id is None]
    pool = current or numbered
    if len(pool) == 1:
        return LibraryMatch(pool[0], "title")
    return LibraryMatch(exact, "exact" if exact else "")


@transaction.atomic
def legal_library_sync(*, actor: User | None = None) -> dict[str, int]:
    """Bring the library in line with fixtures/legal_library.json (idempotent).

    Adds the known documents, merges every other spelling of a known 文号 into
    the one to cite (the citing items follow; the same document either way),
    and records replacements (`superseded_by`) with their note. Returns counts.
    """
    counts = {"added": 0, "merged": 0, "superseded": 0}
    by_number: dict[str, LegalDocument] = {}
    entries = known_documents()
    for entry in entries:
        doc = LegalDocument.objects.filter(
            title=entry["title"], number=entry["number"]
        ).first()
        if doc is None:
            doc = LegalDocument.objects.create(
                title=entry["title"],
                number=entry["number"],
                kind=entry.get("kind", "document"),
                note=entry.get("note", ""),
                status=LegalDocument.Status.ACCEPTED,
            )
            counts["added"] += 1
            audit(
                "catalogs.legal_document.added",
                actor=actor,
                obj=doc,
                title=doc.title,
                number=doc.number,
            )
        by_number[number_key(entry["number"])] = doc
    # Other spellings of a known number: one document.
    for other in LegalDocument.objects.exclude(number=""):
        target = by_number.get(canonical_number_key(other.number))
        if target is None or other.pk == target.pk:
            continue
        if title_key(other.title) != title_key(target.title):
            continue  # same number, another title: a misprint, not a spelling
        legal_document_merge(document=other, into=target, actor=actor)
        counts["merged"] += 1
    for entry in entries:
        replacement = entry.get("superseded_by")
        if not replacement:
            continue
        doc = by_number[number_key(entry["number"])]
        new = by_number[number_key(replacement)]
        if doc.superseded_by_id != new.pk:
            doc.superseded_by = new
            if entry.get("note") and entry["note"] not in doc.note:
                doc.note = (doc.note + "\n" + entry["note"]).strip()
            doc.save(update_fields=["superseded_by", "note"])
            counts["superseded"] += 1
            audit(
                "catalogs.legal_document.changed",
                actor=actor,
                obj=doc,
                fields=["superseded_by"],
                before={"superseded_by": None},
                after={"superseded_by": new.pk},
            )
    return counts


@transaction.atomic
def legal_document_merge(
    *, document: LegalDocument, into: LegalDocument, actor: User | None
) -> int:
    """Merge a second spelling of a document into the entry to cite.

    Every citation of ``document`` now cites ``into`` (the same document, so
    published versions keep what they cite); ``document`` is removed. Returns
    the number of citations moved.
    """
    _check_curator(actor)
    if document.pk == into.pk:
        return 0
    links = list(ItemBasis.objects.filter(document=document))
    already = set(
        ItemBasis.objects.filter(
            document=into, item_id__in=[link.item_id for link in links]
        ).values_list("item_id", flat=True)
    )
    moved = 0
    for link in links:
        if link.item_id in already:
            link.delete()
        else:
            link.document = into
            link.save(update_fields=["document"])
            moved += 1
    LegalDocument.objects.filter(superseded_by=document).update(superseded_by=into)
    audit(
        "catalogs.legal_document.merged",
        actor=actor,
        obj=into,
        merged_title=document.title,
        merged_number=document.number,
        citations=len(links),
    )
    document.delete()
    return moved


# --- 替换引用: propose a replacement to every citing catalog ----------------------


def _title_pattern(title: str) -> re.Pattern:
    """A title as it may be typed: optional 《》, either kind of brackets, spaces."""
    core = title_key(title)
    parts = []
    for char in core:
        if char in "（(":
            parts.append(r"[（(]")
        elif char in "）)":
            parts.append(r"[）)]")
        else:
            parts.append(re.escape(char))
    return re.compile(r"\s*".join(parts))


def _number_pattern(number: str) -> re.Pattern:
    key = number_key(number)
    match = re.match(r"^(.*)〔(\d{4})〕(\d+)号$", key)
    if match:
        issuer, year, serial = match.groups()
        return re.compile(
            re.escape(issuer)
            + r"\s*[〔［\[【（(]\s*"
            + year
            + r"\s*[〕］\]】）)]\s*第?\s*"
            + serial
            + r"\s*号"
        )
    match = re.match(r"^(.*令)第(\d+)号$", key)
    if match:
        issuer, serial = match.groups()
        return re.compile(
            r"(?:中华人民共和国)?"
            + re.escape(issuer)
            + r"\s*第?\s*"
            + serial
            + r"\s*号"
        )
    return re.compile(re.escape(number))


def replace_citation_text(line: str, old: LegalDocument, new: LegalDocument) -> str:
    """A content line with ``old``'s 文号 (and, if present, its title) replaced by
    ``new``'s; unchanged when the line does not cite ``old``."""
    number_re = _number_pattern(old.number)
    if not old.number or not number_re.search(line):
        return line
    line = number_re.sub(new.number, line)
    if title_key(old.title) != title_key(new.title):
        line = _title_pattern(old.title).sub(title_key(new.title), line)
    return line


def catalogs_citing(document: LegalDocument):
    """The newest version of every (region, domain) whose items cite ``document``
    as a basis or in their content, with the citing items."""
    from .models import CatalogItem

    number_re = _number_pattern(document.number) if document.number else None
    newest: dict[tuple[str, int], Catalog] = {}
    for catalog in Catalog.objects.select_related("region", "domain").order_by(
        "region_id", "domain_id", "-version"
    ):
        newest.setdefault((catalog.region_id, catalog.domain_id), catalog)
    ids = [c.pk for c in newest.values()]
    by_catalog: dict[int, list] = {}
    for item in CatalogItem.objects.filter(catalog_id__in=ids).prefetch_related(
        "bases"
    ):
        cites = any(doc.pk == document.pk for doc in item.bases.all()) or (
            number_re is not None
            and any(number_re.search(line) for line in item.content)
        )
        if cites:
            by_catalog.setdefault(item.catalog_id, []).append(item)
    return [
        (catalog, by_catalog[catalog.pk])
        for catalog in newest.values()
        if catalog.pk in by_catalog
    ]


@dataclass
class ReplacementReport:
    """What `legal_document_propose_replacement` did."""

    published: list = None  # new template versions (upstream changes)
    drafts: list = None  # open template drafts changed, still to be published
    downstream: list = None  # catalogs that will see the change upstream
    local: list = None  # catalogs citing it in their own items


@transaction.atomic
def legal_document_propose_replacement(
    *, document: LegalDocument, actor: User | None
) -> ReplacementReport:
    """替换引用: propose ``document.superseded_by`` to every catalog citing ``document``.

    Nothing downstream is rewritten. Each template (a catalog with no upstream)
    that cites the document gets a new version with the citation replaced — in
    its bases and in its content lines — published at once when the template had
    no open draft (an open draft is changed and left to the province to
    publish). Every catalog cloned from it then sees the replacement as an
    upstream update and takes it (or keeps its own) in the three-way merge.
    Catalogs that cite the document in their own items are listed in the report
    (their owners see the document flagged as superseded in the editor).
    """
    from . import services
    from .audit import history_actor
    from .models import CatalogItem

    _check_curator(actor)
    new = document.superseded_by
    if new is None:
        raise ValidationError(
            _("“%(doc)s”没有设置替代文件，请先在“已被替代为”中选择替代它的依据。")
            % {"doc": str(document)}
        )
    report = ReplacementReport(published=[], drafts=[], downstream=[], local=[])
    citing = catalogs_citing(document)
    for catalog, items in citing:
        if not catalog.is_template:
            inherited = [i for i in items if i.upstream_item_id is not None]
            (report.downstream if inherited else report.local).append(catalog)
            continue
        if catalog.is_published:
            draft = services.catalog_start_new_version(catalog=catalog, actor=actor)
            publish = True
        elif catalog.is_editable:
            draft, publish = catalog, False
        else:
            report.local.append(catalog)  # submitted/approved: cannot change now
            continue
        keys = [i.key for i in items]
        for item in CatalogItem.objects.filter(catalog=draft, key__in=keys):
            content = [
                replace_citation_text(line, document, new) for line in item.content
            ]
            bases = [
                link.document
                for link in ItemBasis.objects.filter(item=item)
                .select_related("document")
                .order_by("order")
            ]
            if any(b.pk == document.pk for b in bases):
                replaced = []
                for b in bases:
                    b = new if b.pk == document.pk else b
                    if b not in replaced:
                        replaced.append(b)
                ItemBasis.objects.filter(item=item).delete()
                ItemBasis.objects.bulk_create(
                    [
                        ItemBasis(item=item, document=b, order=i)
                        for i, b in enumerate(replaced)
                    ]
                )
            item.content = content
            item.lock_version += 1
            history_actor(item, actor)
            item._change_reason = "catalogs.legal_document.replacement_proposed"
            item.save(update_fields=["content", "lock_version"])
        if publish:
            services.catalog_publish(catalog=draft, actor=actor)
            report.published.append(draft)
        else:
            report.drafts.append(draft)
    # Downstream catalogs of the new template versions see the change upstream.
    audit(
        "catalogs.legal_document.replacement_proposed",
        actor=actor,
        obj=document,
        replacement=new.pk,
        published=[c.pk for c in report.published],
        drafts=[c.pk for c in report.drafts],
        downstream=[c.pk for c in report.downstream],
        local=[c.pk for c in report.local],
    )
    return report
