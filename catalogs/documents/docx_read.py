"""The catalog as the official Word table (.docx): import.

The importer is tolerant of what county clerks actually send: header text
with spaces or line breaks, 公开内容 vs 公开内容（要素）, half-width brackets,
a channel column split over several cells, ☑/√/✓ marks, ``●`` bullets, several
bases on one line joined by ``、``, well-known channel aliases (政务服务大厅 →
政务服务中心, 广播电视台 → 广播电视), an empty or vertically merged 一级事项
cell (the item belongs to the category above). The layout it expects is the one
:mod:`.docx_write` produces.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from docx import Document

from django.utils.translation import gettext as _

from .cells import COMBINED, VOCABULARIES, norm, single_line, vocabulary_terms
from .detect import require_format, unreadable_file_error
from .rows import build_item, check_items
from .table import (
    FIELD_LABELS,
    MULTI_VALUE_SEPARATOR,
    REQUIRED_FIELDS,
    ItemRow,
    Problems,
)

_TICKED_MARKS = frozenset("✓√✔☑■☒●✅") | {"是"}
_UNTICKED_MARKS = frozenset("□☐×✗/-—－") | {"", "否", "无"}

_DOCX_TOP_HEADERS = (
    ("序号", "seq"),
    ("公开事项", "item"),
    ("一级事项", "category"),
    ("二级事项", "name"),
    ("公开内容", "content"),
    ("公开依据", "basis"),
    ("公开时限", "time_limit"),
    ("公开主体", "subjects"),
    ("公开渠道", "channels"),
    ("公开对象", "audience"),
    ("公开方式", "mode"),
    ("公开层级", "levels"),
    ("备注", "note"),
)
_TICK_GROUPS = ("audience", "mode", "levels")
_SUB_HEADER_WORDS = (
    {"一级事项", "二级事项"}
    | set(VOCABULARIES["audience"][0])
    | set(VOCABULARIES["mode"][0])
    | set(VOCABULARIES["levels"][0])
    | set(COMBINED["levels"])
)


def _top_header_field(text: str) -> str | None:
    """The field a top header text names (``item`` for 公开事项), or None."""
    normalized = norm(text)
    for prefix, name in _DOCX_TOP_HEADERS:
        if normalized.startswith(prefix):
            return name
    return None


def _grid(row) -> list:
    """Cells of a row, one per layout-grid column (merged cells repeat)."""
    return (
        [None] * row.grid_cols_before + list(row.cells) + [None] * row.grid_cols_after
    )


def _same(a, b) -> bool:
    """Whether two grid positions are the same (merged) cell."""
    return a is not None and b is not None and a._tc is b._tc


def _header_score(cells: list) -> int:
    """How many official columns a row names; 4 or more makes it a header row."""
    return len({_top_header_field(c.text) for c in cells if c is not None} - {None})


@dataclass
class _Layout:
    """Where each field lives in a Word table."""

    columns: dict[str, list[int]] = field(default_factory=dict)
    ticks: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    data_start: int = 0


def _docx_layout(rows: list[list], header_index: int, problems: Problems) -> _Layout:
    """Read the header rows: which grid columns hold which field or tick value.

    Unknown extra columns (e.g. 责任科室) are ignored; unknown tick sub-headers
    and missing required columns are reported.
    """
    top = rows[header_index]
    sub_row = _sub_header_row(rows, header_index)
    layout = _Layout(data_start=header_index + (2 if sub_row else 1))
    header_row_number = header_index + 1

    for j, cell in enumerate(top):
        if cell is None:
            continue
        name = _top_header_field(cell.text)
        if name is None:
            continue  # unknown extra column, e.g. 责任科室
        sub_cell = sub_row[j] if sub_row is not None and j < len(sub_row) else None
        sub = "" if sub_cell is None or _same(sub_cell, cell) else norm(sub_cell.text)
        if name == "item":
            if sub == "一级事项":
                name = "category"
            elif sub == "二级事项":
                name = "name"
            else:
                continue
        if name in _TICK_GROUPS and sub:
            for value in _tick_column_value(name, sub, header_row_number + 1, problems):
                layout.ticks.setdefault(name, []).append((j, value))
            continue
        # A header spanning several grid columns (the channel list split over
        # two cells, as in seed 003) keeps all of them; texts are deduplicated
        # per cell when read.
        layout.columns.setdefault(name, []).append(j)

    for name in REQUIRED_FIELDS:
        if name not in layout.columns and name not in layout.ticks:
            problems.add(
                header_row_number,
                None,
                _("表头缺少“%(column)s”列。") % {"column": FIELD_LABELS[name]},
            )
    return layout


def _sub_header_row(rows: list[list], header_index: int) -> list | None:
    """The second header row (一级事项 二级事项, 全社会 特定群体 …), if there is one."""
    top = rows[header_index]
    below = rows[header_index + 1] if header_index + 1 < len(rows) else []
    if not below:
        return None
    texts = {
        norm(c.text)
        for j, c in enumerate(below)
        if c is not None
        and not _same(c, top[j] if j < len(top) else None)
        and c.text.strip()
    }
    # Unknown sub-headers (e.g. 省级) are reported by the caller, so two known
    # ones are enough to recognise the row.
    return below if len(texts & _SUB_HEADER_WORDS) >= 2 else None


def _tick_column_value(
    name: str, sub: str, row_number: int, problems: Problems
) -> tuple[str, ...]:
    """The vocabulary terms a tick column's sub-header stands for (乡、村级: two);
    unknown ones reported."""
    _lookup, order = VOCABULARIES[name]
    value = vocabulary_terms(name, sub)
    if not value:
        problems.add(
            row_number,
            f"{FIELD_LABELS[name]}（{sub}）",
            _("无法识别的%(what)s“%(value)s”，可选值：%(allowed)s。")
            % {
                "what": FIELD_LABELS[name],
                "value": sub,
                "allowed": MULTI_VALUE_SEPARATOR.join(order),
            },
        )
    return value


def _distinct_text(cells: list, indexes: list[int]) -> str:
    """The texts of the cells at ``indexes``, a merged cell counted once."""
    seen: list = []
    for j in indexes:
        cell = cells[j] if j < len(cells) else None
        if cell is not None and not any(_same(cell, other) for other in seen):
            seen.append(cell)
    return "\n".join(cell.text for cell in seen)


def _tick_value(text: str) -> bool | None:
    """True for a tick (✓ √ ☑ ■ 是 …), False for blank or 否/无, None if unknown."""
    mark = norm(text)
    if mark in _TICKED_MARKS:
        return True
    if mark in _UNTICKED_MARKS:
        return False
    return None


def _is_header_repeat(cells: list) -> bool:
    """Whether a row repeats the header (as tables split over pages do)."""
    texts = {norm(c.text) for c in cells if c is not None and c.text.strip()}
    return _header_score(cells) >= 4 or (bool(texts) and texts <= _SUB_HEADER_WORDS)


def _items_from_table(table, problems: Problems) -> list[tuple[int, ItemRow]] | None:
    """(row number, item) for each item row of a table; None if it has no header row."""
    rows = [_grid(row) for row in table.rows]
    header_index = next(
        (i for i, cells in enumerate(rows) if _header_score(cells) >= 4), None
    )
    if header_index is None:
        return None
    layout = _docx_layout(rows, header_index, problems)
    if problems.items:
        return []

    items: list[tuple[int, ItemRow]] = []
    category = ""
    for index in range(layout.data_start, len(rows)):
        cells = rows[index]
        row_number = index + 1
        if _is_not_an_item(cells):
            continue
        texts = {
            name: _distinct_text(cells, indexes)
            for name, indexes in layout.columns.items()
        }
        if texts.get("category", "").strip():
            category = texts["category"]
        else:
            texts["category"] = category  # merged or left blank under its category
        for name in ("name", "seq", "time_limit"):
            if name in texts:
                texts[name] = single_line(texts[name])
        ticks = _row_ticks(cells, layout, row_number, problems)
        items.append((row_number, build_item(texts, ticks, row_number, problems)))
    return items


def _is_not_an_item(cells: list) -> bool:
    """Empty rows, full-width merged rows (captions, footnotes) and repeated headers."""
    present = [c for c in cells if c is not None]
    if not present or all(not c.text.strip() for c in present):
        return True
    if all(_same(c, present[0]) for c in present):
        return True  # a full-width merged row: caption or footnote, not an item
    return _is_header_repeat(cells)


def _row_ticks(
    cells: list, layout: _Layout, row_number: int, problems: Problems
) -> dict[str, list[str]]:
    """Field → ticked terms of one row; an unknown mark is reported."""
    ticks: dict[str, list[str]] = {}
    for name, positions in layout.ticks.items():
        chosen = ticks.setdefault(name, [])
        for j, value in positions:
            cell = cells[j] if j < len(cells) else None
            state = _tick_value(cell.text if cell is not None else "")
            if state is None:
                problems.add(
                    row_number,
                    f"{FIELD_LABELS[name]}（{value}）",
                    _("无法识别的勾选标记“%(mark)s”，勾选请用“✓”，不选请留空。")
                    % {"mark": cell.text.strip()},
                )
            elif state:
                chosen.append(value)
    return ticks


def catalog_from_docx(data: bytes) -> list[ItemRow]:
    """Import items from a Word file in the official table layout.

    Every table whose header row names at least four of the official columns is
    read (a catalog may be split into several tables). Header rows may be
    repeated. Raises :class:`CatalogImportError` with every problem; row
    numbers count table rows from 1, header rows included.
    """
    require_format(data, "docx")
    try:
        document = Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds on a broken file
        raise unreadable_file_error() from exc

    problems = Problems()
    candidate_tables = [
        t
        for t in document.tables
        if any(_header_score(_grid(row)) >= 4 for row in t.rows)
    ]
    if not candidate_tables:
        problems.add(
            None,
            None,
            _(
                "没有找到标准目录表格：表头应包含“序号”“公开事项”“公开内容（要素）”"
                "“公开依据”“公开时限”“公开主体”“公开渠道和载体”“公开对象”“公开方式”"
                "“公开层级”。"
            ),
        )
        problems.raise_if_any()

    items: list[tuple[int, ItemRow]] = []
    for position, table in enumerate(candidate_tables, start=1):
        problems.table = position if len(candidate_tables) > 1 else None
        items += _items_from_table(table, problems) or []
    problems.table = None
    check_items(items, problems)
    problems.raise_if_any()
    return [item for _row, item in items]
