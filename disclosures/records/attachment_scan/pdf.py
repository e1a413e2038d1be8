"""The scan of PDF files: page text, annotations, form fields, bookmarks, document
information and XMP metadata (decompressed by pypdf); pages without a text layer
are reported as unscannable. Pure (bytes in, `ScanResult` out).
"""

from __future__ import annotations

import io
from collections.abc import Iterator

from django.utils.translation import gettext as _

from .base import MAX_PDF_PAGES, AttachmentRejected, ScanResult, text_finding
from .office import _sweep_xml

# --------------------------------------------------------------------------- pdf


def _obj(value):
    return value.get_object() if hasattr(value, "get_object") else value


def _pdf_text(value: object) -> str:
    try:
        return str(value.get_object() if hasattr(value, "get_object") else value)
    except Exception:  # a broken reference: nothing to read
        return ""


def _scan_xmp(stream, position: str, result: ScanResult) -> None:
    """Decompressed XMP metadata (pypdf applies the stream's filters)."""
    from lxml import etree

    try:
        data = stream.get_object().get_data()
    except Exception:
        result.unscannable.append(_("%(position)s无法读取") % {"position": position})
        return
    try:
        for text in _sweep_xml(io.BytesIO(data), every_attribute=True):
            finding = text_finding(text, position)
            if finding is not None:
                result.add(finding)
                return
    except etree.XMLSyntaxError:
        result.add(text_finding(data.decode("utf-8", "replace"), position))


def _walk_outline(items, depth: int = 0) -> Iterator[str]:
    if depth > 50:
        return
    for item in items or []:
        if isinstance(item, list):
            yield from _walk_outline(item, depth + 1)
        else:
            yield _pdf_text(item.get("/Title", ""))


def scan_pdf(data: bytes) -> ScanResult:
    """Scan a PDF with pypdf: page text, annotations, links, form fields,
    bookmarks, the document information and XMP metadata (catalog and pages).

    Pages without a text layer (scans) and a file pypdf cannot parse are
    reported as unscannable; embedded files are refused.
    """
    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError

    result = ScanResult()
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise AttachmentRejected("encrypted")
        pages = list(reader.pages)
    except AttachmentRejected:
        raise
    except LimitReachedError:
        raise AttachmentRejected("bomb") from None
    except Exception:  # pypdf raises many kinds on broken files
        result.unscannable.append(_("PDF文件结构无法解析，无法自动扫描"))
        return result
    if len(pages) > MAX_PDF_PAGES:
        raise AttachmentRejected("too_many_pages", str(MAX_PDF_PAGES))
    try:
        _scan_pdf_document(reader, pages, result)
    except LimitReachedError:
        raise AttachmentRejected("bomb") from None
    return result


def _scan_pdf_document(reader, pages, result: ScanResult) -> None:
    from pypdf.errors import LimitReachedError

    root = _obj(reader.trailer.get("/Root")) or {}
    names = _obj(root.get("/Names"))
    if names is not None and "/EmbeddedFiles" in names:
        raise AttachmentRejected("embedded", "EmbeddedFiles")
    blank_pages = []
    for number, page in enumerate(pages, start=1):
        page_label = _("第%(page)s页") % {"page": number}
        try:
            text = page.extract_text() or ""
        except LimitReachedError:
            raise
        except Exception:
            text = ""
        if text.strip():
            result.add(text_finding(text, page_label))
        elif _page_has_content(page):
            blank_pages.append(number)
        for annotation in _obj(page.get("/Annots")) or []:
            annotation = _obj(annotation)
            if annotation.get("/Subtype") == "/FileAttachment":
                raise AttachmentRejected("embedded", "FileAttachment")
            for key in ("/Contents", "/T", "/Subj", "/RC"):
                if key in annotation:
                    result.add(
                        text_finding(
                            _pdf_text(annotation[key]),
                            _("%(page)s的批注") % {"page": page_label},
                        )
                    )
            action = _obj(annotation.get("/A"))
            if action is not None and "/URI" in action:
                result.add(
                    text_finding(
                        _pdf_text(action["/URI"]),
                        _("%(page)s的链接") % {"page": page_label},
                    )
                )
        if "/Metadata" in page:
            _scan_xmp(
                page["/Metadata"],
                _("%(page)s的XMP元数据") % {"page": page_label},
                result,
            )
    for key, value in (reader.metadata or {}).items():
        if str(key).endswith("Date"):
            continue  # D:20250301120000+08'00' is a time stamp, not a card number
        result.add(
            text_finding(
                _pdf_text(value),
                _("文档属性（%(key)s）") % {"key": str(key).lstrip("/")},
            )
        )
    if "/Metadata" in root:
        _scan_xmp(root["/Metadata"], _("文档属性（XMP元数据）"), result)
    try:
        fields = reader.get_fields() or {}
    except Exception:
        fields = {}
    for name, value in fields.items():
        result.add(
            text_finding(
                _pdf_text(value.get("/V", "")), _("表单字段“%(name)s”") % {"name": name}
            )
        )
    try:
        titles = list(_walk_outline(reader.outline))
    except Exception:
        titles = []
    for title in titles:
        result.add(text_finding(title, _("书签")))
    if not pages:
        result.unscannable.append(_("PDF中没有可读取的页面，无法自动扫描"))
    if blank_pages:
        shown = "、".join(str(n) for n in blank_pages[:10]) + (
            _("等") if len(blank_pages) > 10 else ""
        )
        result.unscannable.append(
            _("第%(pages)s页没有可提取的文字（可能是扫描件或图片），无法自动扫描")
            % {"pages": shown}
        )


def _page_has_content(page) -> bool:
    try:
        contents = page.get_contents()
        return contents is not None and bool(contents.get_data().strip())
    except Exception:
        return True
