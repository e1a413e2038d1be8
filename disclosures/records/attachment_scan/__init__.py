"""What is inside an attachment: text extraction and the identifier scan (SPEC §5).

Pure functions over bytes (no ORM, no files, no clock): ``disclosures.records.attachments``
calls :func:`scan_attachment` on the stripped file it is about to store and
decides from the :class:`ScanResult`.

* Every piece of text a reader could see or dig out is scanned with the name-list
  scanner (`deidentify.scan_text`): xlsx cells of every sheet (hidden sheets,
  rows and columns included; cached formula results and formula text), csv
  cells (UTF-8 or GB18030 as for name lists), docx paragraphs, tables, text
  boxes, headers, footers and notes, PDF page text, annotations, form fields,
  bookmarks, document information and XMP metadata (decompressed by pypdf).
  A sweep over every other XML part of an Office package (document properties,
  charts, shapes, pivot caches, hyperlinks …) catches what the structured pass
  does not name.
* A finding carries the kind and a position a clerk can find ("工作表“Sheet1”
  第3行C列", "第2页", "第5段", "文档属性"), and a short excerpt of the *masked*
  text around it; never the identifier.
* Refused outright (:class:`AttachmentRejected`): macros and ActiveX, embedded
  files or objects (their content cannot be checked), PDF decompression bombs.
* What cannot be read as text (images, PDF pages without a text layer, a PDF
  pypdf cannot parse) is reported in ``ScanResult.unscannable``; such a file
  needs a second person's confirmation before it can be public.
* A table that looks like a name list (a name column next to ID, phone, bank,
  amount or household-size columns, recognised by the name-list header rules)
  is reported in ``ScanResult.name_list``: it belongs in the name-list upload.

The package: `base` (findings, the text scan, name-list detection), `office` (Office
packages: xlsx, csv, docx, macros and embedded objects), `pdf`, and here the
dispatch by file kind.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from .base import (
    MAX_FINDINGS,
    MAX_PDF_PAGES,
    REFUSED_KINDS,
    AttachmentRejected,
    Finding,
    ScanResult,
    looks_like_name_list,
    text_finding,
)
from .office import find_macros, scan_csv, scan_docx, scan_xlsx
from .pdf import scan_pdf

__all__ = [
    "MAX_FINDINGS",
    "MAX_PDF_PAGES",
    "REFUSED_KINDS",
    "AttachmentRejected",
    "Finding",
    "ScanResult",
    "find_macros",
    "looks_like_name_list",
    "scan_attachment",
    "scan_csv",
    "scan_docx",
    "scan_pdf",
    "scan_xlsx",
    "text_finding",
]

# --------------------------------------------------------------------------- dispatch


def scan_attachment(data: bytes, kind: str, name: str = "") -> ScanResult:
    """Scan a file of ``kind`` (pdf, docx, xlsx, csv, jpg, jpeg, png).

    Raises :class:`AttachmentRejected` for what is refused whatever it says;
    broken Office packages raise whatever their parser raises (the caller has
    already checked them while stripping metadata).
    """
    if kind == "xlsx":
        return scan_xlsx(data)
    if kind == "docx":
        return scan_docx(data)
    if kind == "csv":
        return scan_csv(data, name or "upload.csv")
    if kind == "pdf":
        return scan_pdf(data)
    result = ScanResult()
    result.unscannable.append(_("图片中的文字无法自动扫描"))
    return result
