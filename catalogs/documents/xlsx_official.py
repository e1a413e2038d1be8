"""The official catalog table as the first sheet of the Excel download.

The same table the Word export prints (:mod:`.docx_write`, the province's layout
of 洛民通〔2020〕15号), laid out for a spreadsheet::

    row 1   title, merged across the table (方正小标宋简体)
    row 2   version label (第N版 YYYY-MM-DD发布), merged
    row 3   序号 | 公开事项          | 公开内容（要素）| … | 公开对象        | 公开方式     | 公开层级
    row 4        | 一级事项 二级事项 |                 | … | 全社会 特定群体 | 主动 依申请  | 县级 乡级 [村级]
    row 5…  one row per item; 一级事项 merged down over its category

- one-level headers are merged down over rows 3–4, group headers across their
  sub-columns; the tick columns hold ``✓``; channels are the 13 official ones
  with ``■``/``□``, as in Word;
- body text 仿宋 10.5 pt (五号), headers 黑体 10.5 pt bold, thin borders, wrapped;
- every row has an explicit height from its longest cell (Excel does not
  re-measure wrapped rows when it opens a file), see :func:`_row_height`;
- printing: A4 landscape, fit to one page wide, rows 3–4 repeated on every page
  (print titles), centred, page number in the footer. The column widths add up
  to :data:`TOTAL_UNITS`, so fitting to the page width shrinks the text little
  or not at all (tests render it through LibreOffice and measure it).

This sheet is for reading and printing. The importer never reads it: its header
row names only 一级事项 and 二级事项 on one row (the other headers are merged
from the row above), which is not a header row for
:func:`catalogs.documents.xlsx._find_header`; the importer also prefers a sheet
that carries the item key column, i.e. the machine-readable sheet that follows.
"""

from __future__ import annotations

import math

from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..textsafety import neutralise_formula
from .docx_write import _Column, _docx_cell_lines, _docx_columns
from .table import CatalogTable, ItemRow

TITLE_FONT = "方正小标宋简体"
HEADER_FONT = "黑体"
BODY_FONT = "仿宋"
BODY_SIZE = 10.5  # pt, 五号 (see TOTAL_UNITS for the printed size)
TITLE_SIZE = 18
#: First and last header row; items start on the row after HEADER_ROWS[1].
HEADER_ROWS = (3, 4)

#: Total width of the table in Excel character units. A unit is the width of a
#: digit of the workbook's default font plus padding: about 5.25 pt with
#: Calibri (Excel) and about 6.9 pt where LibreOffice substitutes DejaVu Sans.
#: 118 units fill at most the printable width of A4 landscape with 1.5 cm side
#: margins (267 mm, 757 pt) at 93 % (LibreOffice) and need no shrinking in
#: Excel, so the 10.5 pt text prints at 9.7 pt or more.
TOTAL_UNITS = 118
# Relative column widths, scaled to TOTAL_UNITS (the tick columns wide enough
# for 全社会/依申请 on one line).
_WEIGHTS = {
    "seq": 4,
    "category": 8,
    "name": 11,
    "content": 20,
    "basis": 21,
    "time_limit": 10,
    "subjects": 9,
    "channels": 14,
    "tick": 6.5,
    "note": 8,
}
#: Excel's width of one unit in points (Calibri 11), used to estimate how many
#: lines a cell wraps to; the narrower Excel unit gives the taller (safe) rows.
_POINTS_PER_UNIT = 5.25
_MARGIN_SIDE_IN = 1.5 / 2.54
_MARGIN_TB_IN = 1.8 / 2.54
#: Height of one printed line of body text (pt).
_LINE_HEIGHT = BODY_SIZE * 1.25


def _weight(column: _Column) -> float:
    return _WEIGHTS["tick" if column.value else column.field]


def _text_width(text: str, size: float) -> float:
    """Printed width of ``text`` in points: CJK and full-width one em, the rest half."""
    return sum(size if ord(char) > 0x2E7F else size * 0.55 for char in text)


def _line_count(lines: list[str], width_units: float, size: float) -> int:
    """How many printed lines ``lines`` wrap to in a column ``width_units`` wide."""
    usable = max(width_units * _POINTS_PER_UNIT - 2, size)
    return sum(
        max(1, math.ceil(_text_width(line, size) / usable)) for line in lines or [""]
    )


def _row_height(cells: list[tuple[list[str], float]], size: float) -> float:
    """The height (pt) that shows every line of the row's longest cell."""
    lines = max(_line_count(text, width, size) for text, width in cells)
    return round(lines * size * 1.25 + 4, 1)


def _plain(value: str) -> str:
    """Text stored inert (see :func:`catalogs.textsafety.neutralise_formula`)."""
    return neutralise_formula(value)


def write_official_sheet(sheet: Worksheet, table: CatalogTable, items: list[ItemRow]):
    """Fill ``sheet`` with the official table of ``items`` (see module docstring)."""
    columns = _docx_columns(table, with_note=any(item.note for item in items))
    total = sum(_weight(column) for column in columns)
    widths = [round(TOTAL_UNITS * _weight(column) / total, 2) for column in columns]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    last = get_column_letter(len(columns))

    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    header_font = Font(name=HEADER_FONT, size=BODY_SIZE, bold=True)
    body_font = Font(name=BODY_FONT, size=BODY_SIZE)
    centred = Alignment(horizontal="center", vertical="center", wrap_text=True)
    left = Alignment(horizontal="left", vertical="center", wrap_text=True)
    # A category merged over rows on two pages would print its name across the
    # page break if centred vertically: it stands at the top of its first row.
    category_alignment = Alignment(horizontal="center", vertical="top", wrap_text=True)

    sheet["A1"] = _plain(table.title)
    sheet["A1"].font = Font(name=TITLE_FONT, size=TITLE_SIZE)
    sheet["A1"].alignment = centred
    sheet.merge_cells(f"A1:{last}1")
    sheet.row_dimensions[1].height = TITLE_SIZE * 2
    sheet["A2"] = _plain(table.version_label)
    sheet["A2"].font = Font(name=BODY_FONT, size=11)
    sheet["A2"].alignment = centred
    sheet.merge_cells(f"A2:{last}2")
    sheet.row_dimensions[2].height = 20

    top, sub = HEADER_ROWS
    index = 0
    while index < len(columns):
        column = columns[index]
        end = index
        while end + 1 < len(columns) and columns[end + 1].top == column.top:
            end += 1
        sheet.cell(top, index + 1, column.top)
        if column.sub:
            for sub_index in range(index, end + 1):
                sheet.cell(sub, sub_index + 1, columns[sub_index].sub)
            if end > index:
                sheet.merge_cells(
                    start_row=top,
                    start_column=index + 1,
                    end_row=top,
                    end_column=end + 1,
                )
        else:
            sheet.merge_cells(
                start_row=top, start_column=index + 1, end_row=sub, end_column=index + 1
            )
        index = end + 1
    for row in (top, sub):
        for column_index in range(1, len(columns) + 1):
            cell = sheet.cell(row, column_index)
            cell.font = header_font
            cell.alignment = centred
            cell.border = border
    sheet.row_dimensions[top].height = _LINE_HEIGHT + 6
    sheet.row_dimensions[sub].height = _row_height(
        [([c.sub], w) for c, w in zip(columns, widths, strict=True)], BODY_SIZE
    )

    first = sub + 1
    for offset, item in enumerate(items):
        row = first + offset
        cells = []
        for column_index, column in enumerate(columns, start=1):
            lines = (
                [item.category]
                if column.field == "category"
                else _docx_cell_lines(column, item, offset + 1)
            )
            value = "\n".join(lines)
            if column.field == "seq" and value.isdigit():
                cell = sheet.cell(row, column_index, int(value))  # a number, not text
            else:
                cell = sheet.cell(row, column_index, _plain(value))
            if isinstance(cell.value, str):
                cell.data_type = "s"
            cell.font = body_font
            cell.border = border
            if column.field == "category":
                cell.alignment = category_alignment
            elif column.field in ("seq", "name", "audience", "mode", "levels"):
                cell.alignment = centred
            else:
                cell.alignment = left
            if column.field != "category":  # merged: measured over the group
                cells.append((lines, widths[column_index - 1]))
        sheet.row_dimensions[row].height = _row_height(cells, BODY_SIZE)
    _merge_categories(sheet, columns, items, first)

    sheet.print_title_rows = f"{top}:{sub}"
    sheet.print_area = f"A1:{last}{max(first + len(items) - 1, sub)}"
    setup = sheet.page_setup
    setup.orientation = "landscape"
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.fitToWidth = 1
    setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    margins = sheet.page_margins
    margins.left = margins.right = _MARGIN_SIDE_IN
    margins.top = margins.bottom = _MARGIN_TB_IN
    margins.header = margins.footer = 0.3
    sheet.oddFooter.center.text = "— &P —"
    sheet.oddFooter.center.font = BODY_FONT
    sheet.oddFooter.center.size = 12
    sheet.freeze_panes = sheet.cell(first, 1)
    sheet.sheet_view.zoomScale = 100


def _merge_categories(sheet, columns, items: list[ItemRow], first: int) -> None:
    """一级事项 merged down over the items of its category."""
    column_index = 1 + next(i for i, c in enumerate(columns) if c.field == "category")
    start = 0
    while start < len(items):
        end = start
        while end + 1 < len(items) and items[end + 1].category == items[start].category:
            end += 1
        if end > start:
            sheet.merge_cells(
                start_row=first + start,
                start_column=column_index,
                end_row=first + end,
                end_column=column_index,
            )
        start = end + 1
