"""Files from applicants and staff: checked before anything is stored (pure).

Applicant files (a copy of an ID card, a power of attorney) are personal data:
they are stored privately (`ApplicationFile`, no public URL) and served only to
staff of the receiving region. Macro-enabled Office files and files over the
size limit are refused with a message naming the field and the file.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from disclosures.records.attachment_scan import find_macros
from disclosures.records.attachments import MACRO_EXTENSIONS

FILE_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
}
FILE_ACCEPT = ",".join(f".{ext}" for ext in FILE_TYPES)
#: Online applicants post without an account: the whole request stays under the
#: anonymous body limit (catalog_portal.limits, 1 MB by default).
APPLICANT_MAX_BYTES = 768 * 1024
#: Files entered by staff (paper applications, what was provided).
STAFF_MAX_BYTES = 20 * 1024 * 1024
MAX_FILES = 3
_MAGIC = {
    "pdf": (b"%PDF-",),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}


@dataclass(frozen=True)
class CheckedFile:
    name: str
    data: bytes
    content_type: str


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.1f} MB"
    return f"{max(1, n // 1024)} KB"


def check_upload(upload, *, field: str, label: str, max_bytes: int) -> CheckedFile:
    """Read and check one uploaded file; a ValidationError names ``label`` and the file."""

    def refuse(message: str) -> ValidationError:
        return ValidationError({field: ValidationError(message, code="file")})

    raw_name = (getattr(upload, "name", "") or "").replace("\\", "/")
    name = posixpath.basename(raw_name).strip()[-150:] or "file"
    params = {"label": label, "name": name, "max": _size(max_bytes)}
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext in MACRO_EXTENSIONS:
        raise refuse(
            _(
                "%(label)s“%(name)s”是启用宏的Office文件，不能上传：请另存为不含宏的.docx或.xlsx，或转为PDF后再上传。"
            )
            % params
        )
    if ext not in FILE_TYPES:
        raise refuse(
            _(
                "%(label)s“%(name)s”的类型不支持：只能上传PDF、Word（.docx）、Excel（.xlsx）文件或JPG、PNG图片。"
            )
            % params
        )
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise refuse(
            _(
                "%(label)s“%(name)s”超过大小上限%(max)s：请压缩或拍照时降低分辨率后再上传。"
            )
            % params
        )
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise refuse(
            _(
                "%(label)s“%(name)s”超过大小上限%(max)s：请压缩或拍照时降低分辨率后再上传。"
            )
            % params
        )
    if not data:
        raise refuse(_("%(label)s“%(name)s”是空文件，请重新选择。") % params)
    if not data.startswith(_MAGIC[ext]):
        raise refuse(
            _("%(label)s“%(name)s”的内容与扩展名不符或文件已损坏，请重新导出后上传。")
            % params
        )
    if ext in ("docx", "xlsx") and find_macros(data):
        raise refuse(
            _(
                "%(label)s“%(name)s”含有宏或ActiveX控件，不能上传：请另存为不含宏的文件后再上传。"
            )
            % params
        )
    return CheckedFile(name=name, data=data, content_type=FILE_TYPES[ext])
