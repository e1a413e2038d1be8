"""The catalog as an Excel workbook (.xlsx), both ways.

The workbook has three sheets:

1. the official table (named after the title), as printed: title row, merged
   two-level header, ✓ columns, 仿宋, A4 landscape — see :mod:`.xlsx_official`;
   for reading and printing, never imported;
2. :data:`IMPORT_SHEET` 导入用数据, the machine-readable sheet the importer reads:
   row 1 holds the headers of :data:`XLSX_COLUMNS`, one row per item, one column
   per element;
3. 填写说明, how to fill in sheet 2.

Inside a cell of the import sheet:

- content elements and legal bases: one per line (:data:`LINE_SEPARATOR`);
  a basis is written ``《title》（number）``;
- subjects, channels, audience, mode, levels: joined with
  :data:`MULTI_VALUE_SEPARATOR` (``、``) in the official order; the free text of
  其他 has its own column 其他渠道说明;
- a text cell that a spreadsheet program would run as a formula is neutralised
  by :func:`catalogs.textsafety.neutralise_formula` (the project's one neutraliser);
  the importer undoes it with
  :func:`restore_neutralised`, so export → import → export is exact.
"""

from __future__ import annotations

import io
import re
import uuid
from collections.abc import Sequence

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from django.utils.translation import gettext as _

from catalogs.choices import (
    AUDIENCE_VALUES,
    CHANNEL_VALUES,
    LEVEL_VALUES,
    MODE_VALUES,
    SUBJECT_VALUES,
)

from ..textsafety import neutralise_formula, restore_neutralised
from .cells import in_official_order, norm
from .citations import format_basis
from .detect import require_format, unreadable_file_error
from .rows import build_item, check_items
from .table import (
    FIELD_LABELS,
    LINE_SEPARATOR,
    MULTI_VALUE_SEPARATOR,
    REQUIRED_FIELDS,
    CatalogTable,
    ItemRow,
    Problems,
    grouped,
)
from .xlsx_official import write_official_sheet

#: Name of the machine-readable sheet (sheet 2), the one the importer reads.
IMPORT_SHEET = "导入用数据"

#: Most item rows an imported sheet may hold.
_MAX_ROWS = 5000

#: Excel columns in order: (ItemRow field, header text). Header texts are official
#: terms and part of the file format, so they are not translated.
XLSX_COLUMNS: list[tuple[str, str]] = [
    ("key", "事项标识（请勿修改）"),
    ("seq", "序号"),
    ("category", "一级事项"),
    ("name", "二级事项"),
    ("content", "公开内容（要素）"),
    ("basis", "公开依据"),
    ("time_limit", "公开时限"),
    ("subjects", "公开主体"),
    ("channels", "公开渠道和载体"),
    ("channel_other", "其他渠道说明"),
    ("audience", "公开对象"),
    ("mode", "公开方式"),
    ("levels", "公开层级"),
    ("note", "备注"),
]

_XLSX_WIDTHS = {
    "key": 14,
    "seq": 6,
    "category": 14,
    "name": 18,
    "content": 42,
    "basis": 46,
    "time_limit": 22,
    "subjects": 22,
    "channels": 24,
    "channel_other": 14,
    "audience": 10,
    "mode": 10,
    "levels": 12,
    "note": 18,
}
_XLSX_HEADER_PREFIXES = (
    ("事项标识", "key"),
    ("key", "key"),
    ("序号", "seq"),
    ("一级事项", "category"),
    ("二级事项", "name"),
    ("公开内容", "content"),
    ("公开依据", "basis"),
    ("公开时限", "time_limit"),
    ("公开主体", "subjects"),
    ("其他渠道", "channel_other"),
    ("公开渠道", "channels"),
    ("公开对象", "audience"),
    ("公开方式", "mode"),
    ("公开层级", "levels"),
    ("备注", "note"),
)


def _xlsx_values(item: ItemRow, position: int) -> dict[str, object]:
    """The cell values of one item row, by field name."""
    return {
        "key": item.key,
        "seq": item.seq if item.seq is not None else position,
        "category": item.category,
        "name": item.name,
        "content": LINE_SEPARATOR.join(item.content),
        "basis": LINE_SEPARATOR.join(format_basis(basis) for basis in item.basis),
        "time_limit": item.time_limit,
        "subjects": MULTI_VALUE_SEPARATOR.join(
            in_official_order(item.subjects, SUBJECT_VALUES)
        ),
        "channels": MULTI_VALUE_SEPARATOR.join(
            in_official_order(item.channels, CHANNEL_VALUES)
        ),
        "channel_other": item.channel_other,
        "audience": MULTI_VALUE_SEPARATOR.join(
            in_official_order(item.audience, AUDIENCE_VALUES)
        ),
        "mode": MULTI_VALUE_SEPARATOR.join(in_official_order(item.mode, MODE_VALUES)),
        "levels": MULTI_VALUE_SEPARATOR.join(
            in_official_order(item.levels, LEVEL_VALUES)
        ),
        "note": item.note,
    }


def _sheet_title(title: str) -> str:
    """A valid sheet name: no ``[]:*?/\\'``, at most 31 characters."""
    cleaned = re.sub(r"[\[\]:*?/\\']", "", title).strip() or "标准目录"
    return cleaned[:31]


def catalog_to_xlsx(table: CatalogTable) -> bytes:
    """Export a catalog as an Excel workbook (see module docstring).

    Sheet 1 (named after the title): the official table. Sheet 2
    :data:`IMPORT_SHEET`: header row + one row per item, frozen header and item
    columns, wrapped text, print set to A4 landscape. Sheet 3 填写说明: how to
    fill it in and the allowed values.
    """
    items = grouped(table.items)
    workbook = Workbook()
    official = workbook.active
    official.title = _sheet_title(table.title)
    write_official_sheet(official, table, items)
    sheet = workbook.create_sheet(IMPORT_SHEET)
    sheet.append([header for _field, header in XLSX_COLUMNS])
    for position, item in enumerate(items, start=1):
        values = _xlsx_values(item, position)
        sheet.append(
            [
                neutralise_formula(value) if isinstance(value, str) else value
                for value in (values[name] for name, _header in XLSX_COLUMNS)
            ]
        )
    _style_item_sheet(sheet)
    _add_instructions(workbook)

    workbook.properties.title = table.title
    workbook.properties.subject = table.domain_name
    workbook.properties.description = table.version_label or None
    workbook.properties.creator = _("基层政务公开标准目录平台")
    workbook.properties.lastModifiedBy = None
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _style_item_sheet(sheet) -> None:
    """Column widths, borders, header look, frozen panes and A4 landscape printing at 100 %.

    Every text cell is stored as a plain string (``data_type = "s"``), so no
    cell of the export is ever a formula.
    """
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDE4EE")
    header_align = Alignment(horizontal="center", vertical="center", wrap_text=True)
    body_align = Alignment(vertical="top", wrap_text=True)

    for column_index, (name, _header) in enumerate(XLSX_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(column_index)].width = _XLSX_WIDTHS[
            name
        ]
    for row in sheet.iter_rows():
        for cell in row:
            cell.border = border
            if cell.row == 1:
                cell.font = header_font
                cell.fill = header_fill
                cell.alignment = header_align
            else:
                cell.alignment = body_align
                if isinstance(cell.value, str):
                    cell.data_type = "s"
    sheet.row_dimensions[1].height = 30
    sheet.freeze_panes = "E2"
    sheet.auto_filter.ref = sheet.dimensions
    # Printed at 100 % over as many pages as it needs (the readable print is
    # the official table on sheet 1): fitting this wide sheet to one page
    # width would shrink its text to about 4 pt.
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.scale = 100


def _add_instructions(workbook: Workbook) -> None:
    """Add the 填写说明 sheet: how to fill in the table and the allowed values."""
    sheet = workbook.create_sheet(_("填写说明"))
    lines = [
        _("填写说明"),
        _(
            "1. 第一个工作表是正式目录表格，供阅读和打印，导入时不读取；修改目录请在“导入用数据”工作表中进行：第1行是列标题，请勿修改；每行一个公开事项。"
        ),
        _(
            "2. “事项标识”由系统生成，用于再次导入时更新原有事项，请勿修改；新增事项留空。"
        ),
        _("3. 公开内容（要素）、公开依据：每行一条（单元格内换行：Alt+Enter）。"),
        _(
            "4. 公开依据写作《文件全称》（文号），如：《中华人民共和国政府信息公开条例》（中华人民共和国国务院令第711号）；确无文号的只写《文件全称》，导入时按依据库补全文号，依据库中没有的按原文保留并提示核对。"
        ),
        _(
            "5. 公开主体、公开渠道和载体、公开对象、公开方式、公开层级：多个值用“、”分隔，只能填写下列可选值。"
        ),
        _("6. 选择了“其他”渠道时，在“其他渠道说明”列填写具体渠道。"),
        "",
        _("公开主体：%(values)s")
        % {"values": MULTI_VALUE_SEPARATOR.join(SUBJECT_VALUES)},
        _("公开渠道和载体：%(values)s")
        % {"values": MULTI_VALUE_SEPARATOR.join(CHANNEL_VALUES)},
        _("公开对象：%(values)s")
        % {"values": MULTI_VALUE_SEPARATOR.join(AUDIENCE_VALUES)},
        _("公开方式：%(values)s") % {"values": MULTI_VALUE_SEPARATOR.join(MODE_VALUES)},
        _("公开层级：%(values)s")
        % {"values": MULTI_VALUE_SEPARATOR.join(LEVEL_VALUES)},
    ]
    for line in lines:
        sheet.append([line])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.column_dimensions["A"].width = 105
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    for row in sheet.iter_rows(min_row=2):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")


def _xlsx_header_map(values: Sequence[object]) -> dict[int, str]:
    """Column index → field name for the header texts of one row."""
    mapping: dict[int, str] = {}
    for index, value in enumerate(values):
        if not isinstance(value, str):
            continue
        normalized = norm(value)
        for prefix, name in _XLSX_HEADER_PREFIXES:
            if normalized.lower().startswith(prefix):
                mapping[index] = name
                break
    return mapping


def _cell_text(value: object) -> str:
    """The text of a cell value: integers without ``.0``, neutralised text restored."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return restore_neutralised(value).strip()
    return str(value).strip()


def catalog_from_xlsx(data: bytes) -> list[ItemRow]:
    """Import items from an Excel workbook in the :func:`catalog_to_xlsx` format.

    The header row is found by its texts (within the first 10 rows of the first
    sheet that has one); column order does not matter and unknown columns are
    ignored. Merged cells count for every cell they cover. Rows are numbered as
    in the spreadsheet. Raises :class:`CatalogImportError` with every problem.
    """
    require_format(data, "xlsx")
    try:
        workbook = load_workbook(io.BytesIO(data), data_only=False)
    except Exception as exc:  # openpyxl raises many kinds on a broken file
        raise unreadable_file_error() from exc

    problems = Problems()
    found = _find_header(workbook)
    if found is None:
        problems.add(
            None,
            None,
            _(
                "没有找到表头行：第1行应为“%(headers)s”等列标题，请使用本平台导出的Excel模板。"
            )
            % {"headers": "”“".join(header for _f, header in XLSX_COLUMNS[1:])},
        )
        problems.raise_if_any()
    sheet, header_row, mapping = found
    columns = _field_columns(mapping, header_row, problems)
    problems.raise_if_any()
    if sheet.max_row - header_row > _MAX_ROWS:
        problems.add(None, None, _("行数过多（超过%(max)s行）。") % {"max": _MAX_ROWS})
        problems.raise_if_any()

    items = _read_items(sheet, header_row, columns, problems)
    check_items(items, problems)
    problems.raise_if_any()
    return [item for _row, item in items]


def _find_header(workbook):
    """(sheet, header row number, column index → field) of the header row to read, or None.

    A header row lies within a sheet's first 10 rows and names at least three
    known columns, 二级事项 among them. A sheet whose header has the item key
    column (the export's :data:`IMPORT_SHEET`) wins over an earlier one without
    it; otherwise the first sheet with a header row is read. (The official
    table on sheet 1 has no such row: its row 4 names only 一级事项 and 二级事项.)
    """
    first = None
    for sheet in workbook.worksheets:
        for row_number, row in enumerate(
            sheet.iter_rows(
                min_row=1, max_row=min(sheet.max_row, 10), values_only=True
            ),
            start=1,
        ):
            mapping = _xlsx_header_map(row)
            if len(set(mapping.values())) >= 3 and "name" in mapping.values():
                if "key" in mapping.values():
                    return sheet, row_number, mapping
                if first is None:
                    first = sheet, row_number, mapping
                break
    return first


def _field_columns(
    mapping: dict[int, str], header_row: int, problems: Problems
) -> dict[str, int]:
    """Field → column index; a repeated or missing required column is reported."""
    columns: dict[str, int] = {}
    for index, name in sorted(mapping.items()):
        if name in columns:
            problems.add(header_row, FIELD_LABELS[name], _("该列出现了不止一次。"))
        else:
            columns[name] = index
    for name in REQUIRED_FIELDS:
        if name not in columns:
            problems.add(
                header_row,
                None,
                _("缺少“%(column)s”列，请使用本平台导出的Excel模板。")
                % {"column": FIELD_LABELS[name]},
            )
    return columns


def _merged_values(sheet) -> dict[tuple[int, int], object]:
    """(row, column) → the value of the merged range that covers the cell."""
    merged_values: dict[tuple[int, int], object] = {}
    for merged in sheet.merged_cells.ranges:
        top_left = sheet.cell(merged.min_row, merged.min_col).value
        for row_index in range(merged.min_row, merged.max_row + 1):
            for column_index in range(merged.min_col, merged.max_col + 1):
                merged_values[(row_index, column_index)] = top_left
    return merged_values


def _read_items(
    sheet, header_row: int, columns: dict[str, int], problems: Problems
) -> list[tuple[int, ItemRow]]:
    """(row number, item) for every non-empty row below the header.

    Formula cells are refused rather than read; an item key that is not a
    UUID is reported (the key is written by the export and must not be edited).
    """
    merged_values = _merged_values(sheet)
    items: list[tuple[int, ItemRow]] = []
    for row_number in range(header_row + 1, sheet.max_row + 1):
        texts: dict[str, str] = {}
        for name, index in columns.items():
            cell = sheet.cell(row_number, index + 1)
            if cell.data_type == "f":
                problems.add(
                    row_number,
                    FIELD_LABELS[name],
                    _("单元格含有公式，请改为纯文本。"),
                )
                continue
            value = merged_values.get((row_number, index + 1), cell.value)
            texts[name] = _cell_text(value)
        if not any(texts.values()):
            continue
        item = build_item(texts, {}, row_number, problems)
        if item.key:
            try:
                uuid.UUID(item.key)
            except ValueError:
                problems.add(
                    row_number,
                    FIELD_LABELS["key"],
                    _("事项标识“%(value)s”无效，请勿修改该列；新增事项请留空。")
                    % {"value": item.key},
                )
        items.append((row_number, item))
    return items
