"""Which catalog format an upload is: Word (.docx) or Excel (.xlsx), by content.

The name of an upload proves nothing; the archive's parts and content types
decide. PDF files, legacy or encrypted Office files and zip bombs are refused
with a message that says how to fix the file.
"""

from __future__ import annotations

import io
import zipfile

from django.utils.translation import gettext as _

from .table import CatalogImportError, ImportProblem

_MAX_UNCOMPRESSED = 200 * 1024 * 1024

_DOCX_CONTENT_TYPE = "wordprocessingml.document.main"
_XLSX_CONTENT_TYPE = "spreadsheetml.sheet.main"


def detect_format(data: bytes, filename: str = "") -> str:
    """Return ``"docx"`` or ``"xlsx"`` from the file's content (not its name).

    Raises :class:`CatalogImportError` for anything else (PDF, legacy .doc/.xls,
    encrypted Office files, text, corrupt archives).
    """
    name = filename or _("上传的文件")
    if data[:4] == b"%PDF":
        hint = _("“%(name)s”是PDF文件，请上传标准目录的Word或Excel原件。") % {
            "name": name
        }
    elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        hint = _(
            "“%(name)s”是旧版Office格式（.doc/.xls）或设置了密码，"
            "请用Office或WPS另存为.docx或.xlsx（不设密码）后再上传。"
        ) % {"name": name}
    else:
        detected = _zip_kind(data)
        if detected:
            return detected
        hint = _("无法识别“%(name)s”，请上传.docx或.xlsx文件。") % {"name": name}
    raise CatalogImportError(
        [
            ImportProblem(
                None,
                None,
                _("文件不是Word（.docx）或Excel（.xlsx）文件：%(hint)s")
                % {"hint": hint},
            )
        ]
    )


def _zip_kind(data: bytes) -> str | None:
    """``"docx"``/``"xlsx"`` for an Office Open XML archive, else ``None`` (zip bombs too)."""
    if data[:2] != b"PK":
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if sum(info.file_size for info in infos) > _MAX_UNCOMPRESSED:
                return None
            names = {info.filename for info in infos}
            if "word/document.xml" in names:
                return "docx"
            if "xl/workbook.xml" in names:
                return "xlsx"
            if "[Content_Types].xml" in names:
                types = archive.read("[Content_Types].xml").decode("utf-8", "replace")
                if _DOCX_CONTENT_TYPE in types:
                    return "docx"
                if _XLSX_CONTENT_TYPE in types:
                    return "xlsx"
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return None
    return None


def require_format(data: bytes, expected: str) -> None:
    """Refuse a file that is not of the ``expected`` kind (``"docx"`` or ``"xlsx"``)."""
    if detect_format(data) != expected:
        message = (
            _("文件不是Word（.docx）文件，请按Excel文件导入。")
            if expected == "docx"
            else _("文件不是Excel（.xlsx）文件，请按Word文件导入。")
        )
        raise CatalogImportError([ImportProblem(None, None, message)])


def unreadable_file_error() -> CatalogImportError:
    """The error for a file of the right kind that its library cannot open."""
    return CatalogImportError(
        [
            ImportProblem(
                None, None, _("文件已损坏或不完整，无法读取，请重新保存后再上传。")
            )
        ]
    )
