"""The catalog as the official Word table (.docx): export.

The layout is the province's (seed 003, 洛民通〔2020〕15号): A4 landscape, the
title, then one table with two header rows::

    序号 | 公开事项         | 公开内容（要素）| 公开依据 | 公开时限 | 公开主体 | 公开渠道和载体 | 公开对象          | 公开方式       | 公开层级
         | 一级事项 二级事项 |               |          |          |          |               | 全社会 特定群体    | 主动 依申请    | 县级 乡级 [村级]

- the 一级事项 cell is merged down over the items of its category;
- content elements are numbered ``1.`` ``2.`` … one per paragraph;
- legal bases are one per paragraph, ``《title》（number）``;
- the 13 channels are listed in official order, ``■`` before a ticked one and
  ``□`` before the others; a ticked 其他 is followed by its free text
  (``■其他：村务微信群``);
- the tick columns hold ``✓``;
- a 备注 column is added at the end only when some item has a note.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from catalogs.choices import (
    AUDIENCE_VALUES,
    CHANNEL_VALUES,
    MODE_VALUES,
    SUBJECT_VALUES,
    Level,
)

from .cells import (
    CHECKED_BOX,
    OTHER_CHANNEL,
    TICK,
    UNCHECKED_BOX,
    VILLAGE_LEVEL,
    WHITESPACE_RE,
    in_official_order,
)
from .citations import format_basis
from .table import MULTI_VALUE_SEPARATOR, CatalogTable, ItemRow, grouped

_TITLE_FONT = "方正小标宋简体"
_HEADER_FONT = "黑体"
_BODY_FONT = "仿宋_GB2312"
_LATIN_FONT = "Times New Roman"
_TITLE_SIZE = Pt(22)  # 二号
_BODY_SIZE = Pt(9)  # 小五
_PAGE_WIDTH, _PAGE_HEIGHT = Mm(297), Mm(210)
_MARGIN_TB, _MARGIN_LR = Mm(20), Mm(18)

# Relative column widths; scaled to the printable width.
_DOCX_WEIGHTS = {
    "seq": 8,
    "category": 15,
    "name": 18,
    "content": 46,
    "basis": 44,
    "time_limit": 22,
    "subjects": 22,
    "channels": 34,
    "tick": 8.5,
    "note": 16,
}


@dataclass(frozen=True)
class _Column:
    """One grid column of the Word table and the header texts above it."""

    field: str
    top: str
    sub: str = ""  # sub-column header (second header row)
    value: str = ""  # vocabulary term a tick column stands for


def _docx_columns(table: CatalogTable, with_note: bool) -> list[_Column]:
    """The official columns; 村级 only when the table has it, 备注 only when needed."""
    levels = [str(Level.COUNTY), str(Level.TOWNSHIP)] + (
        [VILLAGE_LEVEL] if table.village_level else []
    )
    columns = [
        _Column("seq", "序号"),
        _Column("category", "公开事项", "一级事项"),
        _Column("name", "公开事项", "二级事项"),
        _Column("content", "公开内容（要素）"),
        _Column("basis", "公开依据"),
        _Column("time_limit", "公开时限"),
        _Column("subjects", "公开主体"),
        _Column("channels", "公开渠道和载体"),
    ]
    columns += [_Column("audience", "公开对象", v, v) for v in AUDIENCE_VALUES]
    columns += [_Column("mode", "公开方式", v, v) for v in MODE_VALUES]
    columns += [_Column("levels", "公开层级", v, v) for v in levels]
    if with_note:
        columns.append(_Column("note", "备注"))
    return columns


def _set_run_font(run, east_asia: str, size, *, bold: bool = False) -> None:
    """Times New Roman for Latin text, ``east_asia`` for Chinese."""
    run.font.name = _LATIN_FONT
    run.font.size = size
    run.font.bold = bold or None
    r_fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    r_fonts.set(qn("w:eastAsia"), east_asia)


def _write_cell(
    cell, lines: Sequence[str], *, header: bool = False, center: bool = False
) -> None:
    """Replace the cell's text by ``lines``, one paragraph each."""
    paragraph = cell.paragraphs[0]
    for extra in cell.paragraphs[1:]:
        extra._element.getparent().remove(extra._element)
    for run in list(paragraph.runs):
        run._element.getparent().remove(run._element)
    for index, line in enumerate(lines or [""]):
        if index:
            paragraph = cell.add_paragraph()
        paragraph.alignment = (
            WD_ALIGN_PARAGRAPH.CENTER if (header or center) else WD_ALIGN_PARAGRAPH.LEFT
        )
        fmt = paragraph.paragraph_format
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.line_spacing = 1.0
        if line:
            run = paragraph.add_run(line)
            _set_run_font(
                run, _HEADER_FONT if header else _BODY_FONT, _BODY_SIZE, bold=header
            )
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def _mark_header_row(row) -> None:
    """Repeat the row at the top of every page and never split it."""
    tr_pr = row._tr.get_or_add_trPr()
    for tag in ("w:cantSplit", "w:tblHeader"):
        element = OxmlElement(tag)
        element.set(qn("w:val"), "true")
        tr_pr.append(element)


def _set_cell_margins(table, left_right_twips: int = 57) -> None:
    """Narrow left and right cell margins (57 twips, about 1 mm)."""
    tbl_pr = table._tbl.tblPr
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:w"), str(left_right_twips))
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    # Schema order: tblCellMar comes before tblLook/tblCaption/tblDescription.
    tbl_pr.insert_element_before(
        margins, "w:tblLook", "w:tblCaption", "w:tblDescription"
    )


def _add_page_number(section) -> None:
    """Centered ``— N —`` page number in the footer (a PAGE field)."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def text_run(text: str) -> None:
        _set_run_font(paragraph.add_run(text), _BODY_FONT, Pt(12))

    def field_char(kind: str):
        run = paragraph.add_run()
        _set_run_font(run, _BODY_FONT, Pt(12))
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        run._element.append(element)
        return run

    text_run("— ")
    field_char("begin")
    instruction = paragraph.add_run()
    _set_run_font(instruction, _BODY_FONT, Pt(12))
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    instruction._element.append(instr)
    field_char("separate")
    text_run("1")
    field_char("end")
    text_run(" —")


def _channel_lines(item: ItemRow) -> list[str]:
    """All channels in official order, ``■`` before a ticked one, ``□`` before the others."""
    lines = []
    for channel in CHANNEL_VALUES:
        ticked = channel in item.channels
        line = (CHECKED_BOX if ticked else UNCHECKED_BOX) + channel
        if channel == OTHER_CHANNEL and ticked and item.channel_other:
            line += "：" + WHITESPACE_RE.sub(" ", item.channel_other).strip()
        lines.append(line)
    return lines


def _docx_cell_lines(column: _Column, item: ItemRow, position: int) -> list[str]:
    """The paragraphs of one item's cell in ``column``."""
    match column.field:
        case "seq":
            return [str(item.seq if item.seq is not None else position)]
        case "name":
            return [item.name]
        case "content":
            return [
                f"{index}.{element}"
                for index, element in enumerate(item.content, start=1)
            ]
        case "basis":
            return [format_basis(basis) for basis in item.basis]
        case "time_limit":
            return [item.time_limit]
        case "subjects":
            return [
                MULTI_VALUE_SEPARATOR.join(
                    in_official_order(item.subjects, SUBJECT_VALUES)
                )
            ]
        case "channels":
            return _channel_lines(item)
        case "audience" | "mode" | "levels":
            return [TICK if column.value in getattr(item, column.field) else ""]
        case "note":
            return [item.note]
    return [""]


def catalog_to_docx(table: CatalogTable) -> bytes:
    """Export a catalog as the official table in Word (see module docstring).

    Raises ``ValueError`` if an item is 村级 in a table without a 村级 column.
    """
    if not table.village_level and any(
        VILLAGE_LEVEL in item.levels for item in table.items
    ):
        raise ValueError("An item has the 村级 level but the table has no 村级 column.")
    items = grouped(table.items)
    columns = _docx_columns(table, with_note=any(item.note for item in items))

    document = _new_document(table)
    grid = _add_grid(document, columns, item_count=len(items))
    # Data rows first, while every row still has one cell per column.
    _write_item_rows(grid, columns, items)
    _write_header_rows(grid, columns)
    _merge_categories(grid, columns, items)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _new_document(table: CatalogTable):
    """An A4 landscape document with the official fonts, page numbers and the title."""
    document = Document()
    document.core_properties.title = table.title
    document.core_properties.subject = table.domain_name
    document.core_properties.author = ""
    document.core_properties.last_modified_by = ""
    document.core_properties.comments = table.version_label

    normal = document.styles["Normal"]
    normal.font.name = _LATIN_FONT
    normal.font.size = _BODY_SIZE
    normal_fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    normal_fonts.set(qn("w:eastAsia"), _BODY_FONT)

    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = _PAGE_WIDTH, _PAGE_HEIGHT
    section.top_margin = section.bottom_margin = _MARGIN_TB
    section.left_margin = section.right_margin = _MARGIN_LR
    _add_page_number(section)

    title = document.paragraphs[0] if document.paragraphs else document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_after = Pt(6)
    _set_run_font(title.add_run(table.title), _TITLE_FONT, _TITLE_SIZE)
    if table.version_label:
        label = document.add_paragraph()
        label.alignment = WD_ALIGN_PARAGRAPH.CENTER
        label.paragraph_format.space_after = Pt(6)
        _set_run_font(label.add_run(table.version_label), _BODY_FONT, Pt(12))
    return document


def _add_grid(document, columns: list[_Column], *, item_count: int):
    """The table: two header rows and ``item_count`` item rows, widths by weight."""
    grid = document.add_table(rows=2 + item_count, cols=len(columns))
    grid.style = document.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    _set_cell_margins(grid)

    printable = _PAGE_WIDTH - 2 * _MARGIN_LR
    weights = [
        _DOCX_WEIGHTS["tick" if column.value else column.field] for column in columns
    ]
    widths = [int(printable * weight / sum(weights)) for weight in weights]
    for index, width in enumerate(widths):
        grid.columns[index].width = width
    for row in grid.rows:
        for index, cell in enumerate(row.cells):
            cell.width = widths[index]
    return grid


def _write_item_rows(grid, columns: list[_Column], items: list[ItemRow]) -> None:
    """Fill one row per item, except 一级事项 (see :func:`_merge_categories`)."""
    rows = list(grid.rows)
    for offset, item in enumerate(items):
        cells = rows[2 + offset].cells
        for index, column in enumerate(columns):
            if column.field == "category":
                continue
            centered = column.field in ("seq", "name", "audience", "mode", "levels")
            _write_cell(
                cells[index],
                _docx_cell_lines(column, item, offset + 1),
                center=centered,
            )


def _write_header_rows(grid, columns: list[_Column]) -> None:
    """Group headers merged across their sub-columns, single headers down both rows."""
    index = 0
    while index < len(columns):
        column = columns[index]
        end = index
        while end + 1 < len(columns) and columns[end + 1].top == column.top:
            end += 1
        if column.sub:
            top = (
                grid.cell(0, index).merge(grid.cell(0, end))
                if end > index
                else grid.cell(0, index)
            )
            _write_cell(top, [column.top], header=True)
            for sub_index in range(index, end + 1):
                _write_cell(
                    grid.cell(1, sub_index), [columns[sub_index].sub], header=True
                )
        else:
            merged = grid.cell(0, index).merge(grid.cell(1, index))
            _write_cell(merged, [column.top], header=True)
        index = end + 1
    for row in list(grid.rows)[:2]:
        _mark_header_row(row)


def _merge_categories(grid, columns: list[_Column], items: list[ItemRow]) -> None:
    """一级事项 merged down over the items of its category."""
    category_index = next(i for i, c in enumerate(columns) if c.field == "category")
    start = 0
    while start < len(items):
        end = start
        while end + 1 < len(items) and items[end + 1].category == items[start].category:
            end += 1
        cell = grid.cell(2 + start, category_index)
        if end > start:
            cell = cell.merge(grid.cell(2 + end, category_index))
        _write_cell(cell, [items[start].category], center=True)
        start = end + 1
