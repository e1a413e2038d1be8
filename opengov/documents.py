"""The annual report as files: docx in the official layout and xlsx with the same figures.

The docx follows 国办公开办函〔2021〕30号 (《中华人民共和国政府信息公开工作年度报告格式》)
on an A4 page with the margins of GB/T 9704 (上37 下35 左28 右26 mm): the title in
方正小标宋简体 二号, the section headings 一 to 六 in 黑体 三号, the text in
仿宋_GB2312 三号 with a two-character first-line indent, and tables 二, 三 and 四
with the exact row and column labels of the format (table 三's three label
columns and three header rows merged as the format draws them). A figure still
to be entered shows 待填写.

The xlsx has one sheet per table with the same labels and figures (and a sheet
with the text sections); cells are written through the formula neutraliser.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from django.utils.translation import gettext as _

from catalogs.textsafety import neutralise_formula

from . import layout
from .selectors import ReportData

TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
BODY_FONT = "仿宋_GB2312"
TABLE_FONT = "宋体"
LATIN_FONT = "Times New Roman"
TITLE_SIZE = Pt(22)  # 二号
BODY_SIZE = Pt(16)  # 三号
TABLE_SIZE = Pt(9)  # 小五
PRINTABLE_WIDTH_MM = 210 - 28 - 26  # 156 mm

DOCX_CONTENT_TYPE = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
)
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _font(run, east_asia: str, size, *, bold: bool = False) -> None:
    run.font.name = LATIN_FONT
    run.font.size = size
    run.font.bold = bold or None
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east_asia)


def _paragraph(document, text: str, *, font: str, size, center=False, indent=True):
    paragraph = document.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = Pt(28)
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif indent:
        fmt.first_line_indent = Pt(size.pt * 2)
    _font(paragraph.add_run(text), font, size)
    return paragraph


def _cell(cell, text: str, *, header: bool = False, left: bool = False) -> None:
    paragraph = cell.paragraphs[0]
    for extra in cell.paragraphs[1:]:
        extra._element.getparent().remove(extra._element)
    for run in list(paragraph.runs):
        run._element.getparent().remove(run._element)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT if left else WD_ALIGN_PARAGRAPH.CENTER
    fmt = paragraph.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = 1.0
    if text:
        _font(
            paragraph.add_run(text), HEADING_FONT if header else TABLE_FONT, TABLE_SIZE
        )
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def _table(document, rows: int, widths_mm: Sequence[float]):
    table = document.add_table(rows=rows, cols=len(widths_mm))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    scale = PRINTABLE_WIDTH_MM / sum(widths_mm)
    # Word reads the cell widths, LibreOffice the grid: set both, and a fixed layout.
    layout_element = OxmlElement("w:tblLayout")
    layout_element.set(qn("w:type"), "fixed")
    table._tbl.tblPr.insert_element_before(
        layout_element, "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription"
    )
    for index, width in enumerate(widths_mm):
        table.columns[index].width = Mm(width * scale)
        for cell in table.columns[index].cells:
            cell.width = Mm(width * scale)
    return table


def _merge(table, top: int, first: int, bottom: int, last: int, text: str, **kw):
    cell = table.cell(top, first).merge(table.cell(bottom, last))
    _cell(cell, text, **kw)
    return cell


def _docx_table2(document, data: ReportData) -> None:
    rows = sum(2 + len(block.rows) for block in layout.TABLE2)
    table = _table(document, rows, (40, 38.6, 38.7, 38.7))
    r = 0
    for entry in data.table2:
        block = entry["block"]
        _merge(table, r, 0, r, 3, str(block.article), header=True)
        r += 1
        _cell(table.cell(r, 0), str(layout.TABLE2_CONTENT_LABEL), header=True)
        if len(block.columns) == 1:
            _merge(table, r, 1, r, 3, str(block.columns[0][1]), header=True)
        else:
            for index, (_key, label) in enumerate(block.columns):
                _cell(table.cell(r, 1 + index), str(label), header=True)
        r += 1
        for row in entry["rows"]:
            _cell(table.cell(r, 0), str(row["label"]))
            if len(row["cells"]) == 1:
                _merge(table, r, 1, r, 3, row["cells"][0].display)
            else:
                for index, cell in enumerate(row["cells"]):
                    _cell(table.cell(r, 1 + index), cell.display)
            r += 1


def _docx_table3(document, data: ReportData) -> None:
    rows = data.table3
    table = _table(document, 3 + len(rows), (12, 20, 46, *([11] * 7)))
    _merge(table, 0, 0, 2, 2, str(layout.TABLE3_NOTE))
    _merge(table, 0, 3, 0, 9, str(layout.TABLE3_APPLICANTS), header=True)
    kinds = layout.TABLE3_COLUMNS
    _merge(table, 1, 3, 2, 3, str(kinds[0][1]), header=True)
    _merge(table, 1, 4, 1, 8, str(layout.TABLE3_ORGANISATIONS), header=True)
    _merge(table, 1, 9, 2, 9, str(kinds[-1][1]), header=True)
    for index, (_key, label) in enumerate(kinds[1:-1]):
        _cell(table.cell(2, 4 + index), str(label), header=True)
    first = 3
    # Label columns: a section without groups spans all three; the results
    # section spans its rows in column 0; a group without items spans 1–2; a
    # group with items spans its rows in column 1.
    results = [i for i, e in enumerate(rows) if e["row"].group]
    for index, entry in enumerate(rows):
        row = entry["row"]
        r = first + index
        if not row.group:
            _merge(table, r, 0, r, 2, str(row.section), left=True)
        elif not row.item:
            _merge(table, r, 1, r, 2, str(row.group), left=True)
        else:
            _cell(table.cell(r, 2), str(row.item), left=True)
        for column, cell in enumerate(entry["cells"]):
            _cell(table.cell(r, 3 + column), cell.display)
    if results:
        _merge(
            table,
            first + results[0],
            0,
            first + results[-1],
            0,
            str(rows[results[0]]["row"].section),
        )
    groups: dict[str, list[int]] = {}
    for index, entry in enumerate(rows):
        if entry["row"].item:
            groups.setdefault(str(entry["row"].group), []).append(index)
    for label, indexes in groups.items():
        _merge(table, first + indexes[0], 1, first + indexes[-1], 1, label, left=True)


def _docx_table4(document, data: ReportData) -> None:
    table = _table(document, 4, [10.4] * 15)
    per_group = len(layout.TABLE4_RESULTS) + 1
    _merge(table, 0, 0, 0, per_group - 1, str(layout.TABLE4_REVIEW), header=True)
    _merge(
        table,
        0,
        per_group,
        0,
        3 * per_group - 1,
        str(layout.TABLE4_LITIGATION),
        header=True,
    )
    labels = [label for _key, label in layout.TABLE4_RESULTS] + [
        layout.TABLE4_TOTAL_LABEL
    ]
    for index, label in enumerate(labels):
        _merge(table, 1, index, 2, index, str(label), header=True)
    for g, (_key, label) in enumerate(layout.TABLE4_GROUPS[1:], start=1):
        start = g * per_group
        _merge(table, 1, start, 1, start + per_group - 1, str(label), header=True)
        for index, result in enumerate(labels):
            _cell(table.cell(2, start + index), str(result), header=True)
    for index, cell in enumerate(data.table4):
        _cell(table.cell(3, index), cell.display)


def report_to_docx(data: ReportData) -> bytes:
    """The report as a Word document in the official layout."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    style = document.styles["Normal"]
    style.font.name = LATIN_FONT
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)

    title = _paragraph(
        document, data.title, font=TITLE_FONT, size=TITLE_SIZE, center=True
    )
    title.paragraph_format.space_after = Pt(16)
    intro = _(
        "本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和"
        "《国务院办公厅政府信息与政务公开办公室关于印发〈中华人民共和国政府信息公开工作年度报告格式〉的通知》"
        "（国办公开办函〔2021〕30号）要求编制。本报告中所列数据统计期限为%(year)s年1月1日至12月31日。"
    ) % {"year": data.report.year}
    _paragraph(document, intro, font=BODY_FONT, size=BODY_SIZE)
    tables = {
        layout.SECTION_PROACTIVE: _docx_table2,
        layout.SECTION_REQUESTS: _docx_table3,
        layout.SECTION_REVIEWS: _docx_table4,
    }
    for key, heading in layout.SECTIONS:
        _paragraph(document, str(heading), font=HEADING_FONT, size=BODY_SIZE)
        if key in tables:
            tables[key](document, data)
            continue
        text = data.texts.get(key) or str(layout.TO_FILL)
        for line in text.splitlines() or [text]:
            if line.strip():
                _paragraph(document, line.strip(), font=BODY_FONT, size=BODY_SIZE)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------- xlsx

_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def _put(ws, row: int, column: int, value, *, bold=False, merge_to=None) -> None:
    if isinstance(value, str):
        value = neutralise_formula(value)
    cell = ws.cell(row=row, column=column, value=value)
    cell.font = Font(name="宋体", bold=bold)
    cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    cell.border = _BORDER
    if merge_to is not None:
        ws.merge_cells(
            start_row=row,
            start_column=column,
            end_row=merge_to[0],
            end_column=merge_to[1],
        )


def _value(cell):
    """A figure as a number, or 待填写."""
    if cell.value is None:
        return str(layout.TO_FILL)
    return float(cell.value) if not isinstance(cell.value, int) else cell.value


def report_to_xlsx(data: ReportData) -> bytes:
    """The report's figures in a workbook: 说明 (title and text sections), 表二, 表三, 表四."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("正文")
    sheet.cell(row=1, column=1, value=neutralise_formula(data.title)).font = Font(
        bold=True
    )
    row = 2
    for key, heading in layout.SECTIONS:
        sheet.cell(row=row, column=1, value=str(heading)).font = Font(bold=True)
        if key in layout.TEXT_SECTIONS:
            text = data.texts.get(key) or str(layout.TO_FILL)
            sheet.cell(row=row, column=2, value=neutralise_formula(text))
        else:
            sheet.cell(
                row=row,
                column=2,
                value=_("见工作表“%(sheet)s”")
                % {
                    "sheet": {
                        layout.SECTION_PROACTIVE: _("表二"),
                        layout.SECTION_REQUESTS: _("表三"),
                        layout.SECTION_REVIEWS: _("表四"),
                    }[key]
                },
            )
        row += 1
    sheet.column_dimensions["A"].width = 36
    sheet.column_dimensions["B"].width = 100

    ws = workbook.create_sheet(_("表二"))
    r = 1
    for entry in data.table2:
        block = entry["block"]
        _put(ws, r, 1, str(block.article), bold=True, merge_to=(r, 4))
        r += 1
        _put(ws, r, 1, str(layout.TABLE2_CONTENT_LABEL), bold=True)
        for index, (_key, label) in enumerate(block.columns):
            _put(ws, r, 2 + index, str(label), bold=True)
        r += 1
        for line in entry["rows"]:
            _put(ws, r, 1, str(line["label"]))
            for index, cell in enumerate(line["cells"]):
                _put(ws, r, 2 + index, _value(cell))
            r += 1
    for column, width in zip("ABCD", (24, 18, 18, 18), strict=True):
        ws.column_dimensions[column].width = width

    ws = workbook.create_sheet(_("表三"))
    _put(ws, 1, 1, str(layout.TABLE3_NOTE), merge_to=(3, 3))
    _put(ws, 1, 4, str(layout.TABLE3_APPLICANTS), bold=True, merge_to=(1, 10))
    kinds = layout.TABLE3_COLUMNS
    _put(ws, 2, 4, str(kinds[0][1]), bold=True, merge_to=(3, 4))
    _put(ws, 2, 5, str(layout.TABLE3_ORGANISATIONS), bold=True, merge_to=(2, 9))
    _put(ws, 2, 10, str(kinds[-1][1]), bold=True, merge_to=(3, 10))
    for index, (_key, label) in enumerate(kinds[1:-1]):
        _put(ws, 3, 5 + index, str(label), bold=True)
    for index, entry in enumerate(data.table3):
        r = 4 + index
        row = entry["row"]
        _put(ws, r, 1, str(row.section))
        _put(ws, r, 2, str(row.group))
        _put(ws, r, 3, str(row.item))
        for column, cell in enumerate(entry["cells"]):
            _put(ws, r, 4 + column, _value(cell))
    for index, width in enumerate((22, 30, 40, *([12] * 7)), start=1):
        ws.column_dimensions[get_column_letter(index)].width = width

    ws = workbook.create_sheet(_("表四"))
    per_group = len(layout.TABLE4_RESULTS) + 1
    _put(ws, 1, 1, str(layout.TABLE4_REVIEW), bold=True, merge_to=(1, per_group))
    _put(
        ws,
        1,
        per_group + 1,
        str(layout.TABLE4_LITIGATION),
        bold=True,
        merge_to=(1, 3 * per_group),
    )
    labels = [label for _key, label in layout.TABLE4_RESULTS] + [
        layout.TABLE4_TOTAL_LABEL
    ]
    for index, label in enumerate(labels):
        _put(ws, 2, 1 + index, str(label), bold=True, merge_to=(3, 1 + index))
    for g, (_key, label) in enumerate(layout.TABLE4_GROUPS[1:], start=1):
        start = g * per_group + 1
        _put(ws, 2, start, str(label), bold=True, merge_to=(2, start + per_group - 1))
        for index, result in enumerate(labels):
            _put(ws, 3, start + index, str(result), bold=True)
    for index, cell in enumerate(data.table4):
        _put(ws, 4, 1 + index, _value(cell))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def report_file(data: ReportData, fmt: str) -> tuple[bytes, str, str]:
    """(content, file name, content type) of the report as ``docx`` or ``xlsx``."""
    if fmt == "docx":
        return report_to_docx(data), f"{data.title}.docx", DOCX_CONTENT_TYPE
    return report_to_xlsx(data), f"{data.title}.xlsx", XLSX_CONTENT_TYPE
