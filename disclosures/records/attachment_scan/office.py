"""The scan of Office files: the package sweep (every XML part, macros, embedded
objects), xlsx cells of every sheet, csv cells, docx paragraphs, tables, text
boxes, headers, footers and notes. Pure (bytes in, `ScanResult` out).
"""

from __future__ import annotations

import csv
import io
import posixpath
import re
import warnings
import zipfile
from collections.abc import Iterable, Iterator
from functools import lru_cache

from openpyxl.utils import get_column_letter

from django.utils.translation import gettext as _

from .base import (
    _NAME_LIST_ROWS,
    AttachmentRejected,
    ScanResult,
    _cell_text,
    looks_like_name_list,
    text_finding,
)

# --------------------------------------------------------------------------- office packages

_NS_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W_P = f"{{{_NS_W}}}p"
W_TBL = f"{{{_NS_W}}}tbl"
W_TR = f"{{{_NS_W}}}tr"
W_TC = f"{{{_NS_W}}}tc"
W_BODY = f"{{{_NS_W}}}body"
W_TXBX = f"{{{_NS_W}}}txbxContent"
_W_TEXT = (f"{{{_NS_W}}}t", f"{{{_NS_W}}}delText", f"{{{_NS_W}}}instrText")

_MACRO_PART = re.compile(
    r"(^|/)(vbaProject\.bin|vbaData\.xml|vbaProjectSignature\w*\.bin)$|(^|/)activeX/",
    re.I,
)
_EMBEDDED_PART = re.compile(
    r"(^|/)embeddings/|\.(mht|mhtml|html?|rtf|txt|docx?|xlsx?|xlsm|pptx?|pdf|zip|rar|7z|bin)$",
    re.I,
)
# XML parts with no text anybody types: formatting, fonts, themes, calculation order.
_FORMATTING_PART = re.compile(
    r"(^|/)(styles|stylesWithEffects|fontTable|webSettings|calcChain)\.xml$|(^|/)theme/",
    re.I,
)
# Binary parts that are not content: printer settings, fonts, thumbnails.
_HARMLESS_BINARY = re.compile(
    r"(^|/)(printerSettings\d*\.bin|fonts/[^/]+|thumbnail\.\w+)$", re.I
)
_IMAGE_PART = re.compile(r"(^|/)media/[^/]+$", re.I)
# Elements whose text is one unit (runs of one paragraph, one shared string).
_GROUP_ELEMENTS = frozenset({"p", "si", "is"})
# Attributes of Office XML that hold text somebody typed: alt text, sheet and
# object names, tooltips, field instructions, link targets, WordArt, the
# entries of form fields and content controls. The other attributes are sizes,
# colours, font classifications (PANOSE: 20 hex digits) and revision ids.
_TEXT_ATTRIBUTES = frozenset(
    {
        "descr",
        "title",
        "name",
        "tooltip",
        "display",
        "location",
        "instr",
        "Target",
        "string",
        "alt",
        "displayText",
        "value",
        "author",
        "initials",
        "text",
    }
)
_TEXT_VAL_PARENTS = frozenset(
    {"listEntry", "default", "alias", "tag", "statusText", "helpText"}
)


def _text_attributes(el, *, every: bool = False) -> Iterator[str]:
    """Attribute values of ``el`` that hold text (``every``: all of them, as in XMP)."""
    for key, value in el.attrib.items():
        if not value:
            continue
        name = _local(key)
        if (
            every
            or name in _TEXT_ATTRIBUTES
            or (name == "val" and _local(el.tag) in _TEXT_VAL_PARENTS)
        ):
            yield value


@lru_cache(maxsize=4096)
def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def find_macros(data: bytes) -> bool:
    """Whether an OOXML package carries macros or ActiveX controls.

    Looks for a VBA project (``vbaProject.bin``, ``vbaData.xml``), ActiveX
    parts, and a macro-enabled content type, whatever the file's extension.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = package.namelist()
            if any(_MACRO_PART.search(n) for n in names):
                return True
            if "[Content_Types].xml" in names:
                types = package.read("[Content_Types].xml").lower()
                return b"macroenabled" in types or b"vbaproject" in types
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError, EOFError):
        return False
    return False


def _check_package(package: zipfile.ZipFile, result: ScanResult) -> None:
    """Refuse embedded objects; note images (their text cannot be read)."""
    images = 0
    for name in package.namelist():
        if (
            name.endswith("/")
            or name.endswith((".xml", ".rels"))
            or _HARMLESS_BINARY.search(name)
        ):
            continue
        if _MACRO_PART.search(name):
            raise AttachmentRejected("macro")
        if _EMBEDDED_PART.search(name):
            raise AttachmentRejected("embedded", name)
        if _IMAGE_PART.search(name):
            images += 1
    if images:
        result.unscannable.append(
            _("文件中有%(count)s张图片，图片中的文字无法自动扫描") % {"count": images}
        )


def _parser():
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def _sweep_xml(
    stream, *, skip_cells: bool = False, every_attribute: bool = False
) -> Iterator[str]:
    """Every text and text attribute of an XML part, runs of one paragraph joined.

    Streams (iterparse), so a large sheet or pivot cache stays in bounded memory.
    ``skip_cells`` leaves out cell values of a worksheet (``<v>``, inline
    strings), which the structured pass reads with their positions.
    ``every_attribute`` scans all attribute values (XMP writes values as
    attributes); otherwise only `_TEXT_ATTRIBUTES`.
    """
    from lxml import etree

    depth = 0  # open paragraph-like elements
    events = etree.iterparse(
        stream,
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
    )
    for event, el in events:
        name = _local(el.tag)
        if event == "start":
            if name in _GROUP_ELEMENTS:
                depth += 1
            continue
        yield from _text_attributes(el, every=every_attribute)
        if name in _GROUP_ELEMENTS:
            depth -= 1
            if depth == 0:
                if not (skip_cells and name == "is"):
                    yield "".join(el.itertext())
        elif depth == 0 and el.text and not (skip_cells and name == "v"):
            yield el.text
        if depth == 0:
            el.clear(keep_tail=True)
            parent = el.getparent()
            while parent is not None and el.getprevious() is not None:
                del parent[0]


def _part_label(name: str) -> str:
    lower = name.lower()
    base = posixpath.basename(lower)
    if lower.startswith("docprops/"):
        return _("文档属性")
    if lower.endswith(".rels"):
        return _("超链接或外部链接")
    if lower.startswith("customxml/"):
        return _("自定义XML数据")
    if "/charts/" in lower:
        return _("图表")
    if "/drawings/" in lower or "/diagrams/" in lower:
        return _("图形或文本框")
    if "pivotcache" in lower or "pivottable" in lower:
        return _("数据透视表缓存")
    if "externallink" in lower:
        return _("外部链接缓存")
    if lower == "xl/sharedstrings.xml":
        return _("共享字符串表（单元格里看不到的残留文字）")
    if lower == "xl/workbook.xml":
        return _("工作簿设置（名称定义等）")
    if lower.startswith("xl/worksheets/"):
        return _("工作表设置（页眉页脚、数据验证、公式或超链接）")
    if base.startswith("header"):
        return _("页眉")
    if base.startswith("footer"):
        return _("页脚")
    if lower.startswith("word/"):
        return _("文档中的对象属性（如图片说明、域代码）")
    return _("文件内部“%(part)s”") % {"part": name}


def _sweep_package(
    package: zipfile.ZipFile,
    result: ScanResult,
    *,
    skip: Iterable[str] = (),
    skip_cells: bool = False,
    labels: dict[str, str] | None = None,
) -> None:
    """Scan every XML part not in ``skip``; one finding per part at most.

    ``labels`` names parts better than `_part_label` can (a sheet's title).
    """
    from lxml import etree

    labels = labels or {}
    skip = set(skip)
    for name in package.namelist():
        if (
            name in skip
            or not name.endswith((".xml", ".rels", ".vml"))
            or _FORMATTING_PART.search(name)
        ):
            continue
        cells = (
            skip_cells and name.startswith("xl/worksheets/") and name.endswith(".xml")
        )
        label = labels.get(name) or _part_label(name)
        try:
            with package.open(name) as stream:
                for text in _sweep_xml(stream, skip_cells=cells):
                    finding = text_finding(text, label)
                    if finding is not None:
                        result.add(finding)
                        break
        except etree.XMLSyntaxError:
            # Not XML after all (a stray part): scan it as text.
            result.add(
                text_finding(package.read(name).decode("utf-8", "replace"), label)
            )


def _open_package(data: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(data))


# --------------------------------------------------------------------------- xlsx


def scan_xlsx(data: bytes) -> ScanResult:
    """Scan every cell of every sheet, then the rest of the package.

    Cells are read with openpyxl (read-only, cached values as Excel shows
    them); hidden and very hidden sheets, hidden rows and columns are read like
    any other. Formula text, headers and footers, data validation lists,
    charts, shapes, pivot caches and document properties come from the sweep.
    """
    import openpyxl

    result = ScanResult()
    with _open_package(data) as package:
        _check_package(package, result)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(
                io.BytesIO(data), read_only=True, data_only=True, keep_links=False
            )
        labels = {}
        try:
            for sheet in workbook.worksheets:
                _scan_sheet(sheet, result)
                path = getattr(sheet, "_worksheet_path", "").lstrip("/")
                if path:
                    labels[path] = _("工作表“%(sheet)s”的页眉页脚、公式或其他设置") % {
                        "sheet": sheet.title
                    }
        finally:
            workbook.close()
        # Shared strings hold the text of every string cell, already scanned with
        # its position; a string no cell uses is looked at only when cells were clean.
        skip = {"xl/sharedStrings.xml"} if result.findings_total else set()
        _sweep_package(package, result, skip=skip, skip_cells=True, labels=labels)
    return result


def _scan_sheet(sheet, result: ScanResult) -> None:
    hidden = getattr(sheet, "sheet_state", "visible") != "visible"
    title = sheet.title
    top: list[list[object]] = []
    if hasattr(sheet, "reset_dimensions"):
        sheet.reset_dimensions()  # the stored dimension may be wrong
    for row in sheet.iter_rows():
        values: list[object] = []
        for cell in row:
            value = getattr(cell, "value", None)
            if value is None:
                continue
            if len(top) < _NAME_LIST_ROWS:
                index = cell.column - 1
                values.extend([None] * (index + 1 - len(values)))
                values[index] = value
            text = _cell_text(value)
            if text is None:
                continue
            params = {
                "sheet": title,
                "row": cell.row,
                "column": get_column_letter(cell.column),
            }
            if hidden:
                position = _("隐藏的工作表“%(sheet)s”第%(row)s行%(column)s列") % params
            else:
                position = _("工作表“%(sheet)s”第%(row)s行%(column)s列") % params
            result.add(text_finding(text, position))
        if len(top) < _NAME_LIST_ROWS:
            top.append(values)
    if result.name_list is None and looks_like_name_list(top):
        result.name_list = _("工作表“%(sheet)s”") % {"sheet": title}


# --------------------------------------------------------------------------- csv


def scan_csv(data: bytes, name: str = "upload.csv") -> ScanResult:
    """Scan every cell of a csv file (UTF-8, UTF-16 with BOM, GBK/GB18030)."""
    from ...spreadsheets.read import _CSV_DELIMITERS, SpreadsheetError, _detect_encoding

    try:
        encoding = _detect_encoding(io.BytesIO(data), name)
    except SpreadsheetError as exc:
        raise AttachmentRejected("encoding", str(exc)) from None
    text = data.decode(encoding)
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    counts = {d: sum(line.count(d) for line in lines) for d in _CSV_DELIMITERS}
    delimiter = max(_CSV_DELIMITERS, key=lambda d: counts[d])
    result = ScanResult()
    top: list[list[str]] = []
    try:
        rows = list(
            csv.reader(
                io.StringIO(text, newline=""),
                delimiter=delimiter if counts[delimiter] else ",",
            )
        )
    except csv.Error:
        rows = None
    if rows is None:  # unbalanced quotes …: scan line by line
        for number, line in enumerate(text.splitlines(), start=1):
            result.add(text_finding(line, _("第%(row)s行") % {"row": number}))
        return result
    for number, row in enumerate(rows, start=1):
        if len(top) < _NAME_LIST_ROWS:
            top.append(row)
        for index, value in enumerate(row, start=1):
            position = _("第%(row)s行%(column)s列") % {
                "row": number,
                "column": get_column_letter(index),
            }
            result.add(text_finding(value, position))
    if looks_like_name_list(top):
        result.name_list = _("表格")
    return result


# --------------------------------------------------------------------------- docx

_WORD_PARTS = {
    "header": _("页眉"),
    "footer": _("页脚"),
    "footnotes": _("脚注"),
    "endnotes": _("尾注"),
    "comments": _("批注"),
}


def _paragraph_text(paragraph) -> str:
    """Text of a paragraph's own runs (a text box inside it is its own paragraph)."""
    parts = []
    for node in paragraph.iter(*_W_TEXT):
        owner = next(node.iterancestors(W_P), None)
        if owner is paragraph and node.text:
            parts.append(node.text)
    return "".join(parts)


def _cell_position(paragraph, table_numbers: dict) -> str | None:
    cell = next(paragraph.iterancestors(W_TC), None)
    if cell is None:
        return None
    row = cell.getparent()
    table = row.getparent()
    rows = [r for r in table if r.tag == W_TR]
    cells = [c for c in row if c.tag == W_TC]
    return _("第%(table)s个表格第%(row)s行第%(column)s列") % {
        "table": table_numbers.get(table, 1),
        "row": rows.index(row) + 1 if row in rows else 1,
        "column": cells.index(cell) + 1 if cell in cells else 1,
    }


def _scan_word_part(root, label: str | None, result: ScanResult) -> None:
    """Paragraphs of one part; ``label`` None means the document body."""
    table_numbers = {table: n for n, table in enumerate(root.iter(W_TBL), start=1)}
    number = 0
    for paragraph in root.iter(W_P):
        text = _paragraph_text(paragraph)
        in_box = next(paragraph.iterancestors(W_TXBX), None) is not None
        table_position = None if in_box else _cell_position(paragraph, table_numbers)
        if label is None and not in_box and table_position is None and text.strip():
            number += 1
        if not text:
            continue
        if in_box:
            position = _("%(part)s的文本框") % {"part": label} if label else _("文本框")
        elif label:
            position = label
        elif table_position:
            position = table_position
        else:
            position = _("第%(number)s段") % {"number": number}
        result.add(text_finding(text, position))
    if label is None and result.name_list is None:
        for table in root.iter(W_TBL):
            if next(table.iterancestors(W_TBL), None) is not None:
                continue
            rows = [
                [_paragraph_text_of_cell(c) for c in row if c.tag == W_TC]
                for row in table
                if row.tag == W_TR
            ][:_NAME_LIST_ROWS]
            if looks_like_name_list(rows):
                result.name_list = _("第%(table)s个表格") % {
                    "table": table_numbers[table]
                }
                break


def _paragraph_text_of_cell(cell) -> str:
    return "".join(_paragraph_text(p) for p in cell.iter(W_P)).strip()


def scan_docx(data: bytes) -> ScanResult:
    """Scan paragraphs (body, tables, text boxes, headers, footers, notes), then the rest.

    Deleted text of tracked changes and field codes count: both stay in the file.
    """
    from lxml import etree

    result = ScanResult()
    with _open_package(data) as package:
        _check_package(package, result)
        done = set()
        for name in package.namelist():
            if (
                not (name.startswith("word/") and name.endswith(".xml"))
                or name.count("/") != 1
            ):
                continue
            base = posixpath.basename(name)
            if base == "document.xml":
                label = None
            else:
                label = next(
                    (v for k, v in _WORD_PARTS.items() if base.startswith(k)), None
                )
                if label is None:
                    continue
            try:
                root = etree.fromstring(package.read(name), parser=_parser())
            except etree.XMLSyntaxError:
                continue  # swept as text below
            _scan_word_part(root, label, result)
            done.add(name)
        _sweep_word_attributes(package, done, result)
        _sweep_package(package, result, skip=done)
    return result


def _sweep_word_attributes(
    package: zipfile.ZipFile, names: set[str], result: ScanResult
) -> None:
    """Attribute values of the parts read paragraph by paragraph (alt text, field instructions)."""
    from lxml import etree

    for name in sorted(names):
        root = etree.fromstring(package.read(name), parser=_parser())
        for el in root.iter():
            for value in _text_attributes(el):
                finding = text_finding(value, _part_label(name))
                if finding is not None:
                    result.add(finding)
                    return
