"""The one gate for public output (公开闸门, SPEC §5 "One gate for everything public").

Two halves, one module:

* **Before publication** — `record_privacy_problems()` scans what a record would
  show (title, body, the free-text metadata, attachment file names) with the same scanner as name lists
  (`deidentify.scan_text`), and `record_clear_for_publication()` refuses, naming
  the field and the position, or stamps `privacy_checked_at`. Services call it
  whenever a record becomes or stays public with new content.
* **Reads** — every public page, feed, search result and download reads records,
  attachments and name lists only through the functions below. They require the
  publication state *and* the scan stamp (`public_q`), publishable attachments
  (scanned clean or confirmed by a second person) and a name list that is
  confirmed and inside its display period. A public path that reads the models
  directly is a defect; `tests/disclosures/test_gate.py` looks for one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..deidentify import FINDING_KIND_LABELS, scan_text
from ..models import Attachment, DisclosureRecord, NameList
from ..namelists.public import name_list_for_download, name_list_public
from ..records.attachment_scan import REFUSED_KINDS

#: The free-text metadata a record shows (SPEC §13), scanned like its title.
METADATA_LABELS = {
    "issuer": gettext_lazy("发布机构"),
    "document_number": gettext_lazy("文号"),
    "topic": gettext_lazy("主题分类"),
}

#: Error code of a refusal because of an identifier (views add the link to the
#: name-list upload when they see it).
IDENTIFIER_FOUND = "identifier_found"


# --------------------------------------------------------------------------- scanning


@dataclass(frozen=True)
class IdentifierHit:
    """An identifier in a piece of text: its kind and where it starts (1-based).

    Never holds the identifier itself.
    """

    kind: str
    line: int
    column: int

    @property
    def kind_label(self) -> str:
        return str(FINDING_KIND_LABELS.get(self.kind, self.kind))


def locate_identifiers(text: str) -> list[IdentifierHit]:
    """Where `scan_text` finds ID, mobile or bank-card numbers.

    `scan_text` replaces each identifier by as many ``*`` as it had characters,
    so the masked spans line up with the original text. Other long digit runs
    (an office landline with its area code, 0379-63921234) are not refused:
    the same kinds as in attachments (`attachment_scan.REFUSED_KINDS`).
    """
    text = text or ""
    masked, kinds = scan_text(text)
    kinds = [k for k in kinds if k in REFUSED_KINDS]
    if not kinds:
        return []
    hits: list[IdentifierHit] = []
    i, n = 0, len(text)
    while i < n:
        if masked[i] == "*" and text[i] != "*":
            start = i
            while i < n and masked[i] == "*" and text[i] != "*":
                i += 1
            span_kinds = scan_text(text[start:i])[1]
            if span_kinds and span_kinds[0] not in REFUSED_KINDS:
                continue
            line = text.count("\n", 0, start) + 1
            column = start - (text.rfind("\n", 0, start) + 1) + 1
            hits.append(
                IdentifierHit(kind=(span_kinds or kinds)[0], line=line, column=column)
            )
        else:
            i += 1
    if not hits:  # masking changed nothing visible: still refuse, at the start
        hits.append(IdentifierHit(kind=kinds[0], line=1, column=1))
    return hits


def _field_messages(field: str, text: str) -> list[str]:
    messages = []
    for hit in locate_identifiers(text):
        params = {"kind": hit.kind_label, "line": hit.line, "column": hit.column}
        if field == "title":
            message = _("标题第%(column)s个字符起有%(kind)s。") % params
        elif field in METADATA_LABELS:
            message = _("%(label)s第%(column)s个字符起有%(kind)s。") % {
                **params,
                "label": METADATA_LABELS[field],
            }
        else:
            message = _("正文第%(line)s行第%(column)s个字符起有%(kind)s。") % params
        messages.append(message)
    return messages


def _attachment_messages(attachments: list[Attachment]) -> list[str]:
    messages = []
    for attachment in attachments:
        for hit in locate_identifiers(attachment.original_name):
            messages.append(
                _("附件“%(name)s”的文件名中有%(kind)s。")
                % {
                    "name": scan_text(attachment.original_name)[0],
                    "kind": hit.kind_label,
                }
            )
    return messages


def record_privacy_problems(
    record: DisclosureRecord, *, attachments: list[Attachment] | None = None
) -> dict[str, list[str]]:
    """Identifier findings per field (``title``, ``body``, ``attachments``); empty when clean.

    Each message names the field and the position, never the identifier.
    (Attachment contents were scanned on upload; one that could not be
    scanned does not hold the record back but stays off public pages until a
    second person confirms it: see `publishable_attachments`.)
    """
    if attachments is None:
        attachments = list(record.attachments.all()) if record.pk else []
    problems: dict[str, list[str]] = {}
    for field in ("title", "body", *METADATA_LABELS):
        found = _field_messages(field, getattr(record, field) or "")
        if found:
            problems[field] = found
    found = _attachment_messages(attachments)
    if found:
        problems["attachments"] = found
    return problems


def record_clear_for_publication(
    record: DisclosureRecord, *, now: datetime | None = None
) -> None:
    """Scan the record; stamp `privacy_checked_at` (unsaved) or refuse.

    Raises a ValidationError keyed by field whose messages carry the code
    ``identifier_found`` and end with where name lists belong.
    """
    problems = record_privacy_problems(record)
    if not problems:
        record.privacy_checked_at = now or timezone.now()
        return
    advice = _(
        "公开信息中不能含有身份证号、手机号、银行卡号等个人信息，请删除后再发布。"
        "名单请通过名单公示上传，系统会自动去标识化。"
    )
    raise ValidationError(
        {
            field: [
                ValidationError("%s%s" % (message, advice), code=IDENTIFIER_FOUND)
                for message in messages
            ]
            for field, messages in problems.items()
        }
    )


def has_identifier_refusal(exc: ValidationError) -> bool:
    """Whether a service's refusal was because of an identifier (to link the name-list upload)."""
    errors = exc.error_dict.values() if hasattr(exc, "error_dict") else [exc.error_list]
    return any(e.code == IDENTIFIER_FOUND for group in errors for e in group)


# --------------------------------------------------------------------------- reads


def records(*, now: datetime | None = None) -> QuerySet[DisclosureRecord]:
    """Every record anybody may read: public state and cleared by the scan."""
    return DisclosureRecord.objects.public(now=now)


@dataclass(frozen=True)
class WithdrawnNotice:
    """What the public may still learn of a withdrawn record: that it was withdrawn,
    when and why. Its body, attachments and name list are gone."""

    pk: int
    title: str
    region_code: str
    region_name: str
    published_at: datetime
    withdrawn_at: datetime
    reason: str


_TRAILING_PUNCTUATION = "。．.；;，,、！!？? \u3000"


def withdrawn_notice(pk: int) -> WithdrawnNotice | None:
    """The notice of a record withdrawn after it had been public (1 query), else None.

    A record withdrawn before it was ever public (a draft, a scheduled one) stays
    a plain 404. Title and reason are scanned like any public text (identifiers
    masked), and the reason loses its closing punctuation so the sentence around
    it does not end twice.
    """
    record = (
        DisclosureRecord.objects.filter(
            pk=pk,
            status=DisclosureRecord.Status.WITHDRAWN,
            publish_at__isnull=False,
            withdrawn_at__isnull=False,
        )
        .select_related("region")
        .only(
            "pk",
            "title",
            "publish_at",
            "withdrawn_at",
            "withdrawn_reason",
            "region__name",
        )
        .first()
    )
    if record is None or record.publish_at > record.withdrawn_at:
        return None
    return WithdrawnNotice(
        pk=record.pk,
        title=scan_text(record.title)[0],
        region_code=record.region_id,
        region_name=record.region.name,
        published_at=record.publish_at,
        withdrawn_at=record.withdrawn_at,
        reason=scan_text(record.withdrawn_reason)[0]
        .strip()
        .rstrip(_TRAILING_PUNCTUATION),
    )


def publishable_attachments() -> QuerySet[Attachment]:
    """Attachments that passed the content scan or a second person's confirmation."""
    return Attachment.objects.publishable().order_by("pk")


def with_public_attachments(
    qs: QuerySet[DisclosureRecord],
) -> QuerySet[DisclosureRecord]:
    """Prefetch only the publishable attachments of each record (as ``attachments``)."""
    return qs.prefetch_related(
        Prefetch("attachments", queryset=publishable_attachments())
    )


def attachment(record_pk: int, attachment_pk: int) -> Attachment:
    """A publishable attachment of a public record (1 query); DoesNotExist otherwise."""
    return (
        publishable_attachments()
        .select_related("record")
        .get(pk=attachment_pk, record_id=record_pk, record__in=records())
    )


def name_list(record: DisclosureRecord, *, page=1, today: date | None = None):
    """What the public may see of a public record's name list (see `namelists`)."""

    return name_list_public(record, page=page, today=today)


def name_list_download(record_pk: int, *, today: date | None = None) -> NameList:
    """A confirmed list, inside its display period, of a public record; DoesNotExist otherwise."""

    return name_list_for_download(record_pk, today=today)
