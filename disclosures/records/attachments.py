"""Attachments of records: checked, scanned, stripped and stored (SPEC §5).

An upload is refused, naming the file and what to do, when it is too large, of
an unsupported or macro-enabled type, encrypted, broken, a zip bomb, carries
embedded files, looks like a name list (those go through the name-list upload,
which de-identifies them) or holds an ID, mobile or bank-card number anywhere
the scanner (`attachment_scan`) can read. Every file of an upload is checked
before any is stored.

What is stored has its document metadata stripped (`attachment_metadata`:
author, company, comments; EXIF and location of photos) and a scan status:
``clean`` when its whole text was scanned; ``needs_review`` when some of it
cannot be read as text (a scanned PDF, a photo, pictures inside a document),
which a second person of the record's region or a region above it, not the
uploader, confirms (`attachment_confirm`) before the file can be public
(`Attachment.objects.publishable()`).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalogs.models import User
from catalogs.services import audit

from ..deidentify import FINDING_KIND_LABELS, scan_text
from ..models import Attachment, DisclosureRecord
from ..permissions import can_confirm_attachment
from ..public.gate import IDENTIFIER_FOUND
from .attachment_metadata import (  # noqa: F401  (MAX_UNZIPPED_BYTES: re-exported)
    MAX_IMAGE_PIXELS,
    MAX_UNZIPPED_BYTES,
    ImageFileError,
    OfficeFileError,
    strip_image_metadata,
    strip_office_metadata,
    strip_pdf_metadata,
    strip_pdf_metadata_rewrite,
)
from .attachment_scan import (
    AttachmentRejected,
    Finding,
    ScanResult,
    find_macros,
    scan_attachment,
)

ScanStatus = Attachment.ScanStatus

ATTACHMENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
}
#: For the file input's ``accept`` attribute.
ATTACHMENT_ACCEPT = ",".join(f".{ext}" for ext in ATTACHMENT_TYPES)
#: Office formats that carry macros, refused by extension before anything is read.
MACRO_EXTENSIONS = frozenset(
    {"docm", "dotm", "xlsm", "xltm", "xlam", "pptm", "potm", "ppsm", "ppam", "sldm"}
)
MAX_ATTACHMENTS = 10
#: Shown after every refusal that sends a list to the name-list upload (views add the link).
NAME_LIST_ADVICE = gettext_lazy("名单请通过名单公示上传，系统会自动去标识化。")
#: Places named per refused file; the rest is counted.
_PLACES_SHOWN = 5


def attachment_max_bytes() -> int:
    return int(getattr(settings, "MAX_UPLOAD_BYTES", 20 * 1024 * 1024))


def _size_text(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.1f} MB"
    return f"{max(1, n // 1024)} KB"


@dataclass(frozen=True)
class CleanUpload:
    """A checked file ready to store: display name, kind, stripped bytes, scan outcome."""

    name: str
    kind: str
    data: bytes
    status: str
    note: str = ""


# --------------------------------------------------------------------------- services


def attachments_add(
    *, record: DisclosureRecord, files: Iterable, actor: User | None
) -> list[Attachment]:
    """Check, scan and store uploaded files without their document metadata.

    Every file is checked before any is stored, so a bad file stores nothing.
    Errors name the file and say how to fix it (key ``attachments``); a
    refusal because of an identifier or a name list carries the gate's code
    ``identifier_found``, so that views link to the name-list upload.
    """
    files = list(files or [])
    if not files:
        return []
    if record.attachments.count() + len(files) > MAX_ATTACHMENTS:
        raise ValidationError(
            {
                "attachments": _("每条信息最多%(max)s个附件。请合并文件后再上传。")
                % {"max": MAX_ATTACHMENTS}
            }
        )
    cleaned = [_clean_upload(upload) for upload in files]
    uploader = actor if actor is not None and actor.pk else None
    created = []
    for upload in cleaned:
        attachment = Attachment(
            record=record,
            original_name=upload.name,
            size=len(upload.data),
            content_type=ATTACHMENT_TYPES[upload.kind],
            scan_status=upload.status,
            scan_note=upload.note[:300],
            uploaded_by=uploader,
        )
        attachment.file.save(upload.name, ContentFile(upload.data), save=False)
        attachment.save()
        created.append(attachment)
    audit(
        "disclosures.record.attachments_added",
        actor=actor,
        region=record.region_id,
        obj=record,
        files=[a.original_name for a in created],
        needs_review=[
            a.original_name for a in created if a.scan_status == ScanStatus.NEEDS_REVIEW
        ],
    )
    return created


@transaction.atomic
def attachment_confirm(
    *, attachment: Attachment, actor: User, now: datetime | None = None
) -> Attachment:
    """Confirm that an attachment the scanner could not read holds no personal data.

    The second person belongs to the record's region or a region above it and
    is not the uploader (`can_confirm_attachment`, and the model's
    CheckConstraint). Afterwards the file is public with its record.
    """
    attachment = (
        Attachment.objects.select_for_update()
        .select_related("record")
        .get(pk=attachment.pk)
    )
    if attachment.scan_status != ScanStatus.NEEDS_REVIEW:
        raise ValidationError(
            _("附件“%(name)s”不需要人工确认。") % {"name": attachment.original_name}
        )
    if not can_confirm_attachment(actor, attachment):
        if (
            attachment.uploaded_by_id is not None
            and attachment.uploaded_by_id == actor.pk
        ):
            raise PermissionDenied(
                _(
                    "上传人不能确认自己上传的附件，请由本单位或上级单位的另一位工作人员确认。"
                )
            )
        raise PermissionDenied(
            _("只有该信息所属区划或上级区划、具有发布权限的工作人员可以确认附件。")
        )
    attachment.scan_status = ScanStatus.CONFIRMED
    attachment.confirmed_by = actor
    attachment.confirmed_at = now or timezone.now()
    attachment.full_clean()
    attachment.save(update_fields=["scan_status", "confirmed_by", "confirmed_at"])
    audit(
        "disclosures.attachment.confirmed",
        actor=actor,
        region=attachment.record.region_id,
        obj=attachment,
        record=attachment.record_id,
        file=attachment.original_name,
    )
    return attachment


# --------------------------------------------------------------------------- reads


def access_attachment(user: User, record_pk: int, attachment_pk: int) -> Attachment:
    """An attachment of a record in the user's region subtree; anything else is a 404."""
    try:
        return (
            Attachment.objects.select_related(
                "record", "record__region", "uploaded_by", "confirmed_by"
            )
            .filter(record__in=DisclosureRecord.objects.editable_by(user))
            .get(pk=attachment_pk, record_id=record_pk)
        )
    except Attachment.DoesNotExist:
        raise Http404 from None


def attachments_for_staff(record: DisclosureRecord, user: User) -> list[Attachment]:
    """A record's attachments for its manage page, with ``can_confirm`` and ``is_uploader`` set."""
    attachments = list(record.attachments.select_related("uploaded_by", "confirmed_by"))
    for attachment in attachments:
        attachment.record = record
        attachment.can_confirm = can_confirm_attachment(user, attachment)
        attachment.is_uploader = (
            attachment.uploaded_by_id is not None
            and attachment.uploaded_by_id == user.pk
        )
    return attachments


def attachment_publication_problem(attachment: Attachment) -> str | None:
    """Why an attachment cannot be public yet (Chinese), or None when it may be."""
    if attachment.is_publishable:
        return None
    return _(
        "附件“%(name)s”无法自动扫描（%(note)s），需要本单位或上级单位的另一位工作人员在信息管理页确认其中没有个人隐私信息后才能公开。"
    ) % {"name": attachment.original_name, "note": attachment.scan_note or _("未扫描")}


# --------------------------------------------------------------------------- checking one upload


def _refuse(message: str, *, code: str | None = None) -> ValidationError:
    return ValidationError({"attachments": ValidationError(message, code=code)})


def _clean_upload(upload) -> CleanUpload:
    """Check, strip and scan one upload, or raise a ValidationError naming the file."""
    name = (
        posixpath.basename(
            (getattr(upload, "name", "") or "").replace("\\", "/")
        ).strip()
        or "附件"
    )
    name = name[-150:]
    masked_name, kinds = scan_text(name)
    if kinds:
        # The name itself is never quoted: it holds the identifier.
        raise _refuse(
            _("附件的文件名“%(name)s”中有%(kind)s：请修改文件名后再上传。")
            % {
                "name": masked_name,
                "kind": FINDING_KIND_LABELS.get(kinds[0], kinds[0]),
            },
            code=IDENTIFIER_FOUND,
        )
    params = {"name": name}
    limit = attachment_max_bytes()
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise _refuse(
            _("附件“%(name)s”大小为%(size)s，超过上限%(max)s。请压缩或拆分后再上传。")
            % {**params, "size": _size_text(size), "max": _size_text(limit)}
        )
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext in MACRO_EXTENSIONS:
        raise _refuse(
            _(
                "附件“%(name)s”是启用宏的Office文件，不能上传：请在办公软件中另存为.docx或.xlsx（不含宏）后再上传。"
            )
            % params
        )
    if ext not in ATTACHMENT_TYPES:
        raise _refuse(
            _(
                "附件“%(name)s”的类型不支持：只能上传PDF、Word（.docx）、Excel（.xlsx）、CSV文件或JPG、PNG图片。"
                "旧版.doc或.xls文件请先另存为.docx或.xlsx。"
            )
            % params
        )
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise _refuse(
            _("附件“%(name)s”大小超过上限%(max)s。请压缩或拆分后再上传。")
            % {**params, "max": _size_text(limit)}
        )
    if not data:
        raise _refuse(_("附件“%(name)s”是空文件，请检查后重新选择。") % params)
    mismatch = _refuse(
        _("附件“%(name)s”的内容与扩展名不符或文件已损坏：请用办公软件重新导出后上传。")
        % params
    )
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise _refuse(
            _(
                "附件“%(name)s”已加密或是旧版Office格式：请取消密码保护，另存为.docx或.xlsx后上传。"
            )
            % params
        )
    kind = "jpeg" if ext == "jpg" else ext
    if ext == "pdf":
        if not data.startswith(b"%PDF-"):
            raise mismatch
        if b"/Encrypt" in data:
            raise _refuse(
                _("附件“%(name)s”设置了密码或加密：请取消加密后再上传。") % params
            )
        data = strip_pdf_metadata(data)
    elif ext in ("docx", "xlsx"):
        if find_macros(data):
            raise _refuse(
                _(
                    "附件“%(name)s”含有宏或ActiveX控件，不能上传：请另存为不含宏的.docx或.xlsx后再上传。"
                )
                % params
            )
        try:
            data = strip_office_metadata(data, ext)
        except OfficeFileError:
            raise mismatch from None
    elif ext == "csv":
        if data.startswith((b"PK\x03\x04", b"%PDF")):
            raise mismatch
    else:
        try:
            data = strip_image_metadata(data, kind)
        except ImageFileError as exc:
            if exc.args and exc.args[0] == "too_large":
                raise _refuse(
                    _(
                        "附件“%(name)s”的图片尺寸过大（超过%(max)s万像素）：请缩小后再上传。"
                    )
                    % {**params, "max": MAX_IMAGE_PIXELS // 10000}
                ) from None
            raise mismatch from None
    result = _scan(name, kind, data, mismatch)
    if ext == "pdf":
        data = strip_pdf_metadata_rewrite(data)
    if result.needs_review:
        return CleanUpload(
            name, ext, data, ScanStatus.NEEDS_REVIEW, "；".join(result.unscannable)
        )
    return CleanUpload(name, ext, data, ScanStatus.CLEAN)


def _scan(name: str, kind: str, data: bytes, mismatch: ValidationError) -> ScanResult:
    params = {"name": name}
    try:
        result = scan_attachment(data, kind, name)
    except AttachmentRejected as exc:
        messages = {
            "macro": _(
                "附件“%(name)s”含有宏或ActiveX控件，不能上传：请另存为不含宏的.docx或.xlsx后再上传。"
            ),
            "embedded": _(
                "附件“%(name)s”中嵌入了其他文件或对象（例如嵌入的表格、附加的文件），其中的内容无法检查："
                "请把内容直接粘贴到文档中，或删除嵌入的对象后再上传。"
            ),
            "bomb": _("附件“%(name)s”中有解压后异常巨大的数据，疑似恶意文件，已拒绝。"),
            "encrypted": _("附件“%(name)s”设置了密码或加密：请取消加密后再上传。"),
            "too_many_pages": _("附件“%(name)s”超过%(max)s页，请拆分后再上传。"),
        }
        if exc.code == "encoding":
            raise _refuse(
                _("附件“%(name)s”：%(detail)s") % {**params, "detail": exc.detail}
            ) from None
        raise _refuse(messages[exc.code] % {**params, "max": exc.detail}) from None
    except Exception:  # a parser choking on a package that passed the zip checks
        raise mismatch from None
    if result.name_list:
        raise _refuse(
            _(
                "附件“%(name)s”看起来是一份名单（%(position)s有姓名列，旁边是身份证号、电话、银行卡号、金额或家庭人口等列），"
                "不能作为附件公开。名单请通过名单公示上传，系统会自动去标识化。"
            )
            % {**params, "position": result.name_list},
            code=IDENTIFIER_FOUND,
        )
    if result.findings:
        raise _refuse(_findings_message(name, result), code=IDENTIFIER_FOUND)
    return result


def _place(finding: Finding) -> str:
    if finding.excerpt:
        return _("%(position)s有%(kinds)s（附近文字：“%(excerpt)s”）") % {
            "position": finding.position,
            "kinds": finding.kind_labels,
            "excerpt": finding.excerpt,
        }
    return _("%(position)s有%(kinds)s") % {
        "position": finding.position,
        "kinds": finding.kind_labels,
    }


def _findings_message(name: str, result: ScanResult) -> str:
    places = "；".join(_place(f) for f in result.findings[:_PLACES_SHOWN])
    if result.findings_total > _PLACES_SHOWN:
        places += _("……共%(count)s处") % {"count": result.findings_total}
    return _(
        "附件“%(name)s”中有个人信息，不能公开：%(places)s。请删除这些信息后重新上传。"
        "名单请通过名单公示上传，系统会自动去标识化。"
    ) % {"name": name, "places": places}
