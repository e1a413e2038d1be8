"""Writing tables: `write_xlsx` (streaming, one sheet) and `write_csv` (UTF-8 with BOM).

The project's one writer of plain tabular xlsx/csv (name-list downloads, the
``deidentify`` command). Every text cell passes the project's one formula
neutraliser, `catalogs.textsafety.neutralise_formula`.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import IO, BinaryIO

from openpyxl.utils import get_column_letter

from django.utils.translation import gettext

from catalogs.textsafety import FORMULA_TRIGGERS, neutralise_formula

from .read import MAX_CELL_CHARS, MAX_XLSX_ROWS, SpreadsheetError

_XML_SPECIAL = re.compile(
    r"[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]|_x[0-9A-Fa-f]{4}_"
).search
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Excel reads "_x0034_" in a string as the character U+0034; escape the
# underscore so a cell shows exactly the text that was scanned.
_EXCEL_ESCAPE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")


def _xml_text(text: str) -> str:
    if len(text) > MAX_CELL_CHARS:
        text = text[:MAX_CELL_CHARS]
    if _XML_SPECIAL(text):
        text = _XML_ILLEGAL.sub("", text)
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        text = _EXCEL_ESCAPE.sub("_x005F_", text)
    return text


def _as_text(value: object) -> str:
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)


# First characters that send a cell through the neutraliser (the apostrophe:
# its escape keeps neutralised text exact).
_FORMULA_FIRST = frozenset(t[0] for t in FORMULA_TRIGGERS) | {"'"}


def _cell_xml(ref: str, value: object, style: str = "") -> str:
    kind = type(value)
    if kind is str:
        pass
    elif kind is int or (kind is float and math.isfinite(value)):
        return f'<c r="{ref}"{style}><v>{value!r}</v></c>'
    elif kind is bool:
        return f'<c r="{ref}"{style} t="b"><v>{int(value)}</v></c>'
    elif kind is Decimal and value.is_finite():
        return f'<c r="{ref}"{style}><v>{value}</v></c>'
    else:
        value = _as_text(value)
    if value[:1] in _FORMULA_FIRST:
        value = neutralise_formula(value)
    text = _xml_text(value)
    if text[:1].isspace() or text[-1:].isspace():
        return f'<c r="{ref}"{style} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'
    return f'<c r="{ref}"{style} t="inlineStr"><is><t>{text}</t></is></c>'


_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_STATIC_PARTS = {
    "[Content_Types].xml": _XML_DECL
    + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>",
    "_rels/.rels": _XML_DECL + f'<Relationships xmlns="{_NS_PKG_REL}">'
    f'<Relationship Id="rId1" Type="{_NS_REL}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>",
    "xl/_rels/workbook.xml.rels": _XML_DECL + f'<Relationships xmlns="{_NS_PKG_REL}">'
    f'<Relationship Id="rId1" Type="{_NS_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_NS_REL}/styles" Target="styles.xml"/>'
    "</Relationships>",
    "xl/styles.xml": _XML_DECL + f'<styleSheet xmlns="{_NS_MAIN}">'
    '<fonts count="2"><font><sz val="11"/><name val="宋体"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="宋体"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>",
}
# Fixed timestamps: the output depends only on the table, and says nothing
# about when or where it was made.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def _zip_info(name: str, compresslevel: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    # ZipFile.open() takes the level from the ZipInfo (renamed in Python 3.13).
    for attribute in ("compress_level", "_compresslevel"):
        if hasattr(info, attribute):
            setattr(info, attribute, compresslevel)
            break
    return info


def write_xlsx(
    header: Sequence[object],
    rows: Iterable[Sequence[object]],
    out: str | os.PathLike | BinaryIO,
    *,
    sheet_title: str = "名单",
    compresslevel: int = 1,
) -> int:
    """Write one worksheet, header in bold and frozen, then ``rows``; return the row count.

    Streams: rows are encoded a thousand at a time into the zip, so memory does
    not grow with the list. Text is stored as inline strings, formula-like text
    is neutralised (:func:`neutralise_formula`), characters XML cannot hold
    are dropped and text is cut at Excel's 32,767 characters. Dates are written
    as ISO text. No document properties (author, times) are written.
    """
    letters = [get_column_letter(i + 1) for i in range(max(len(header), 1))]
    written = 0
    with zipfile.ZipFile(
        out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=compresslevel
    ) as archive:
        for part, content in _STATIC_PARTS.items():
            archive.writestr(_zip_info(part, compresslevel), content)
        archive.writestr(
            _zip_info("xl/workbook.xml", compresslevel),
            _XML_DECL + f'<workbook xmlns="{_NS_MAIN}" xmlns:r="{_NS_REL}"><sheets>'
            f'<sheet name="{_xml_attr(sheet_title)}" sheetId="1" r:id="rId1"/>'
            "</sheets></workbook>",
        )
        with archive.open(
            _zip_info("xl/worksheets/sheet1.xml", compresslevel), "w", force_zip64=True
        ) as sheet:
            head = [
                _XML_DECL,
                f'<worksheet xmlns="{_NS_MAIN}" xmlns:r="{_NS_REL}">',
                '<sheetViews><sheetView workbookViewId="0">'
                '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
                "</sheetView></sheetViews><sheetData>",
                '<row r="1">',
            ]
            for letter, value in zip(letters, header, strict=False):
                if value is not None and value != "":
                    head.append(_cell_xml(f"{letter}1", value, ' s="1"'))
            head.append("</row>")
            sheet.write("".join(head).encode())
            buffer: list[str] = []
            number = 1
            for row in rows:
                number += 1
                if number > MAX_XLSX_ROWS:
                    raise SpreadsheetError(
                        gettext("超过 Excel 的%(max)s行上限，请改为导出 CSV。")
                        % {"max": MAX_XLSX_ROWS},
                        code="too_many_rows",
                    )
                cells = [f'<row r="{number}">']
                suffix = str(number)
                for letter, value in zip(letters, row, strict=False):
                    if value is None or value == "":
                        continue
                    # Inline fast path for the common plain text cell.
                    if (
                        type(value) is str
                        and value[0] not in _FORMULA_FIRST
                        and not value[0].isspace()
                        and not value[-1].isspace()
                        and len(value) <= MAX_CELL_CHARS
                        and not _XML_SPECIAL(value)
                    ):
                        cells.append(
                            f'<c r="{letter}{suffix}" t="inlineStr"><is><t>{value}</t></is></c>'
                        )
                    else:
                        cells.append(_cell_xml(letter + suffix, value))
                cells.append("</row>")
                buffer.append("".join(cells))
                if len(buffer) >= 1000:
                    sheet.write("".join(buffer).encode())
                    buffer.clear()
            buffer.append("</sheetData></worksheet>")
            sheet.write("".join(buffer).encode())
            written = number - 1
    return written


def _xml_attr(text: str) -> str:
    return _xml_text(text).replace('"', "&quot;")


def _csv_value(value: object) -> object:
    if value is None:
        return ""
    kind = type(value)
    if kind is str:
        return neutralise_formula(value)
    if kind is float and value.is_integer() and abs(value) < 1e15:
        return int(value)
    if kind in (int, float, bool, Decimal):
        return value
    return _as_text(value)


def write_csv(
    header: Sequence[object],
    rows: Iterable[Sequence[object]],
    out: str | os.PathLike | BinaryIO,
) -> int:
    """Write a CSV as UTF-8 with BOM (what Excel on Chinese Windows expects).

    Formula-like text is neutralised (:func:`neutralise_formula`); whole
    numbers stored as floats are written without ``.0``. Returns the row count.
    """
    if isinstance(out, (str, os.PathLike)):
        with open(out, "w", encoding="utf-8-sig", newline="") as handle:
            return _write_csv_rows(header, rows, handle)
    handle = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
    try:
        return _write_csv_rows(header, rows, handle)
    finally:
        handle.flush()
        handle.detach()


def _write_csv_rows(header, rows, handle: IO[str]) -> int:
    writer = csv.writer(handle)
    writer.writerow([_csv_value(v) for v in header])
    written = 0
    for row in rows:
        writer.writerow([_csv_value(v) for v in row])
        written += 1
    return written
