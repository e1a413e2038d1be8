"""Catalog documents: the official table as Word (.docx) and Excel (.xlsx), both ways.

Pure functions over plain dataclasses; the model layer converts catalogs to and from
:class:`CatalogTable` / :class:`ItemRow`. Nothing here touches the database.

Formats
=======

Word (``catalog_to_docx`` / ``catalog_from_docx``) is the official layout of the
province's tables (seed 003, 洛民通〔2020〕15号): A4 landscape, the title, then one
table with two header rows::

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

The Word importer is tolerant of what county clerks actually send: header text
with spaces or line breaks, 公开内容 vs 公开内容（要素）, half-width brackets,
a channel column split over several cells, ☑/√/✓ marks, ``●`` bullets, several
bases on one line joined by ``、``, well-known channel aliases (政务服务大厅 →
政务服务中心, 广播电视台 → 广播电视), an empty or vertically merged 一级事项
cell (the item belongs to the category above).

Excel (``catalog_to_xlsx`` / ``catalog_from_xlsx``) is the editing format: row 1
holds the headers of :data:`XLSX_COLUMNS`, one row per item, one column per
element. The table title is the sheet name and the workbook title; a second
sheet 填写说明 explains the format. Inside a cell:

- content elements and legal bases: one per line (:data:`LINE_SEPARATOR`);
  a basis is written ``《title》（number）``;
- subjects, channels, audience, mode, levels: joined with
  :data:`MULTI_VALUE_SEPARATOR` (``、``) in the official order; the free text of
  其他 has its own column 其他渠道说明;
- a text cell that a spreadsheet program would run as a formula (starting with
  ``= + - @``, tab or carriage return) is prefixed with an apostrophe; the
  importer removes it again, so export → import → export is exact.

Legal bases (公开依据) need their document number (豫民文〔2020〕102号 §四（三）:
全称、文号). A number is accepted in one of the recognised shapes
(``国发〔2012〕45号``, ``国务院令第711号``, ``…第N号``, a standard code such as
``GB/T37276-2018``). A basis may go without a number when it is a generic
reference (not wrapped in 《》, or starting with 各地/其他/相关), a law cited by
its title (《中华人民共和国…法》), or when it is explicitly marked
``《title》（泛指）`` (:data:`GENERIC_MARKER`); the exporters write that marker
for any other number-less basis so that their own output imports again.

Import collects every problem with its row and column and raises
:class:`CatalogImportError`; an invalid file yields no items at all. Only
structure, vocabularies and basis numbers are checked here: elements may be
empty (a draft may be incomplete; the catalog services check completeness
before a catalog is submitted).
"""

from __future__ import annotations

import io
import re
import uuid
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
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
    Channel,
    Level,
)

__all__ = [
    "BasisRow",
    "CatalogImportError",
    "CatalogTable",
    "GENERIC_MARKER",
    "ImportProblem",
    "ItemRow",
    "LINE_SEPARATOR",
    "MULTI_VALUE_SEPARATOR",
    "XLSX_COLUMNS",
    "catalog_from_docx",
    "catalog_from_xlsx",
    "catalog_to_docx",
    "catalog_to_xlsx",
    "detect_format",
    "format_basis",
    "parse_basis",
]


# ---------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------


@dataclass
class BasisRow:
    """One legal basis (公开依据): full title, usually in 《》, and document number (文号).

    ``number`` is empty for generic references and laws cited by title.
    """

    title: str
    number: str = ""


@dataclass
class ItemRow:
    """One catalog item (公开事项) with its nine elements, as printed in the table.

    List values hold the controlled-vocabulary terms of :mod:`catalogs.choices`.
    ``channel_other`` is the free text that goes with the 其他 channel.
    ``key`` is the stable item key (a UUID string) carried by the Excel format so
    that a re-import updates items instead of duplicating them; Word files do not
    carry it.
    """

    category: str
    name: str
    content: list[str] = field(default_factory=list)
    basis: list[BasisRow] = field(default_factory=list)
    time_limit: str = ""
    subjects: list[str] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)
    channel_other: str = ""
    audience: list[str] = field(default_factory=list)
    mode: list[str] = field(default_factory=list)
    levels: list[str] = field(default_factory=list)
    key: str = ""
    seq: int | None = None
    note: str = ""


@dataclass
class CatalogTable:
    """A whole catalog as one official table.

    ``items`` are in order; the exporters keep items of one category together,
    in the order the categories first appear. Omitted items are not passed in.
    ``village_level`` says whether the table has a 村级 column (社会救助 yes,
    养老服务 no).
    """

    title: str
    region_name: str
    domain_name: str
    village_level: bool
    items: list[ItemRow] = field(default_factory=list)
    version_label: str = ""


@dataclass(frozen=True)
class ImportProblem:
    """One problem found while importing: where it is (row, column) and what.

    ``row`` is the spreadsheet row number (Excel) or the table row number counted
    from 1 including the header rows (Word); ``table`` is the table's position in
    a Word file that holds more than one catalog table.
    """

    row: int | None
    column: str | None
    message: str
    table: int | None = None

    def __str__(self) -> str:
        where = ""
        if self.table is not None:
            where += _("第%(table)s个表格") % {"table": self.table}
        if self.row is not None:
            where += _("第%(row)s行") % {"row": self.row}
        if self.column:
            where += _("“%(column)s”列") % {"column": self.column}
        if where:
            return _("%(where)s：%(message)s") % {"where": where, "message": self.message}
        return self.message


class CatalogImportError(ValueError):
    """Raised when an uploaded catalog file cannot be imported; lists every problem."""

    def __init__(self, errors: Iterable[ImportProblem]):
        self.errors: list[ImportProblem] = list(errors)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(problem) for problem in self.errors)


# ---------------------------------------------------------------------------
# Format constants
# ---------------------------------------------------------------------------

#: Separator of single-line multi-value cells (subjects, channels, audience, mode, levels).
MULTI_VALUE_SEPARATOR = "、"
#: Separator of multi-line cells (content elements, legal bases): one entry per line.
LINE_SEPARATOR = "\n"
#: Written in brackets after a basis title to say "no document number on purpose".
GENERIC_MARKER = "泛指"

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

# Column names used in messages, official terms (file format, not UI wording).
_FIELD_LABELS: dict[str, str] = {
    "key": "事项标识",
    "seq": "序号",
    "category": "一级事项",
    "name": "二级事项",
    "content": "公开内容（要素）",
    "basis": "公开依据",
    "time_limit": "公开时限",
    "subjects": "公开主体",
    "channels": "公开渠道和载体",
    "channel_other": "其他渠道说明",
    "audience": "公开对象",
    "mode": "公开方式",
    "levels": "公开层级",
    "note": "备注",
}

_REQUIRED_FIELDS = (
    "category",
    "name",
    "content",
    "basis",
    "time_limit",
    "subjects",
    "channels",
    "audience",
    "mode",
    "levels",
)

CHECKED_BOX = "■"
UNCHECKED_BOX = "□"
TICK = "✓"

_TICKED_MARKS = frozenset("✓√✔☑■☒●✅") | {"是"}
_UNTICKED_MARKS = frozenset("□☐×✗/-—－") | {"", "否", "无"}
_CHANNEL_MARK_RE = re.compile(r"([■□☑☐☒✓√✔])")
_CHANNEL_TICKED = frozenset("■☑☒✓√✔")

_MAX_ROWS = 5000
_MAX_UNCOMPRESSED = 200 * 1024 * 1024

_DOCX_CONTENT_TYPE = "wordprocessingml.document.main"
_XLSX_CONTENT_TYPE = "spreadsheetml.sheet.main"


# ---------------------------------------------------------------------------
# Text helpers
# ---------------------------------------------------------------------------

_WS_RE = re.compile(r"\s+")
_HALF_TO_FULL = str.maketrans({"(": "（", ")": "）", "／": "/", ":": "："})


def _norm(text: str) -> str:
    """Comparison form of a header or vocabulary term: no whitespace, full-width brackets."""
    return _WS_RE.sub("", text or "").translate(_HALF_TO_FULL)


def _vocabulary(values: Sequence[str], aliases: dict[str, str]) -> dict[str, str]:
    lookup = {_norm(value): value for value in values}
    # str(): plain strings, not TextChoices members, in the returned ItemRows.
    lookup.update({_norm(alias): str(value) for alias, value in aliases.items()})
    return lookup


_OTHER = str(Channel.OTHER)
_VILLAGE = str(Level.VILLAGE)

_SUBJECTS = _vocabulary(SUBJECT_VALUES, {})
_CHANNELS = _vocabulary(
    CHANNEL_VALUES,
    {
        # Wordings seen in county and city tables (seed 003).
        "政务服务大厅": Channel.SERVICE_CENTER,
        "政务大厅": Channel.SERVICE_CENTER,
        "政务服务站": Channel.SERVICE_CENTER,
        "广播电视台": Channel.BROADCAST,
        "发布会、听证会": Channel.PRESS,
        "发布会听证会": Channel.PRESS,
        "入户、现场": Channel.DOOR_TO_DOOR,
        "入户现场": Channel.DOOR_TO_DOOR,
        "社区/企事业单位/村公示栏": Channel.NOTICE_BOARD,
        "社区/企事业单位/村公示栏电子屏": Channel.NOTICE_BOARD,
        "村公示栏": Channel.NOTICE_BOARD,
        "公示栏": Channel.NOTICE_BOARD,
        "电子屏": Channel.NOTICE_BOARD,
        "（电子屏）": Channel.NOTICE_BOARD,
    },
)
_AUDIENCE = _vocabulary(AUDIENCE_VALUES, {})
_MODES = _vocabulary(MODE_VALUES, {"主动公开": "主动", "依申请公开": "依申请"})
_LEVELS = _vocabulary(
    LEVEL_VALUES,
    {
        "县": Level.COUNTY,
        "乡": Level.TOWNSHIP,
        "乡镇级": Level.TOWNSHIP,
        "乡（镇）级": Level.TOWNSHIP,
        "乡镇（街道）级": Level.TOWNSHIP,
        "村": Level.VILLAGE,
        "村（社区）级": Level.VILLAGE,
    },
)
_VOCABULARIES: dict[str, tuple[dict[str, str], Sequence[str]]] = {
    "subjects": (_SUBJECTS, SUBJECT_VALUES),
    "channels": (_CHANNELS, CHANNEL_VALUES),
    "audience": (_AUDIENCE, AUDIENCE_VALUES),
    "mode": (_MODES, MODE_VALUES),
    "levels": (_LEVELS, LEVEL_VALUES),
}


def _in_official_order(values: Iterable[str], order: Sequence[str]) -> list[str]:
    """Deduplicate and sort by the official order; unknown values go last, as given."""
    seen: list[str] = []
    for value in values:
        if value not in seen:
            seen.append(value)
    rank = {value: index for index, value in enumerate(order)}
    return sorted(seen, key=lambda v: rank.get(v, len(order)))


_LIST_SPLIT_RE = re.compile(r"[\n、，,；;]+")
_BULLET_RE = re.compile(
    r"^\s*(?:[●•·▪◆◇○◎]+|\d{1,3}\s*[.．、](?!\d)|[（(]\s*\d{1,3}\s*[)）])\s*"
)
_INLINE_NUMBER_RE = re.compile(r"\s+(?=\d{1,3}[.．、](?!\d))")


def _strip_bullet(text: str) -> str:
    return _BULLET_RE.sub("", text, count=1).strip()


def _split_content(text: str) -> list[str]:
    """Content elements from a cell: one per line or ``●`` bullet; ``1.`` numbering dropped."""
    elements: list[str] = []
    for line in (text or "").splitlines():
        pieces = re.split(r"[●•]", line)
        for piece in pieces:
            piece = piece.strip()
            if re.match(r"^\d{1,3}[.．、](?!\d)", piece):
                # "1.文件名称 2.文号 3.发文部门" on one line (PDF conversions).
                parts = _INLINE_NUMBER_RE.split(piece)
            else:
                parts = [piece]
            for part in parts:
                part = _strip_bullet(part)
                if part:
                    elements.append(part)
    return elements


def _split_list(text: str) -> list[str]:
    return [part.strip() for part in _LIST_SPLIT_RE.split(text or "") if part.strip()]


# ---------------------------------------------------------------------------
# Legal bases
# ---------------------------------------------------------------------------

_NUMBER_SHAPES = (
    # 国发〔2012〕45号, 豫政办〔2019〕194号, 民发[2012]220号
    re.compile(r"^[\u4e00-\u9fffA-Za-z]{0,20}\s*[〔［\[【（(]\s*\d{4}\s*[〕］\]】）)]\s*第?\s*\d+\s*号$"),
    # 中华人民共和国国务院令第711号, 民政部令第66号, 公告第1号
    re.compile(r"^[\u4e00-\u9fffA-Za-z0-9〔〕]{0,40}第\s*\d+\s*号$"),
    # GB/T37276-2018, GB/T 37276—2018, MZ/T 032-2012, DB41/T 1234-2016
    re.compile(r"^[A-Z]{1,4}\d{0,6}(?:/[A-Z])?\s*\d+(?:\.\d+)*\s*[-—–－]\s*(?:19|20)\d{2}$"),
)
_NUMBER_LIKE_RE = re.compile(r"[〔［\[【]\s*\d{4}|号\s*$|令第|^(?:GB|DB|MZ)")
_LAW_TITLE_RE = re.compile(r"^《中华人民共和国[^《》]*法典?》$")
_GENERIC_PREFIXES = ("各地", "其他", "相关")


def _is_document_number(text: str) -> bool:
    """Whether ``text`` is a document number in a recognised shape."""
    text = text.strip()
    return any(shape.match(text) for shape in _NUMBER_SHAPES)


def _number_optional(title: str) -> bool:
    """Whether a basis with this title may be cited without a document number.

    Generic references (not wrapped in 《》, or starting with 各地/其他/相关) and
    laws cited by their title (《中华人民共和国…法》) carry no number.
    """
    title = title.strip()
    if not title.startswith("《") or title.startswith(_GENERIC_PREFIXES):
        return True
    return bool(_LAW_TITLE_RE.match(_WS_RE.sub("", title)))


def format_basis(basis: BasisRow) -> str:
    """Render a basis as printed in the table: ``《title》（number）``.

    A number-less basis that would otherwise be refused on import gets the
    ``（泛指）`` marker.
    """
    if basis.number:
        return f"{basis.title}（{basis.number}）"
    if _number_optional(basis.title):
        return basis.title
    return f"{basis.title}（{GENERIC_MARKER}）"


@dataclass(frozen=True)
class _ParsedBasis:
    basis: BasisRow
    generic: bool = False  # marked （泛指）
    malformed_number: bool = False


def _trailing_bracket(text: str) -> tuple[str, str] | None:
    """Split ``head（inner）`` at the balanced bracket pair that ends ``text``."""
    if not text or text[-1] not in "）)":
        return None
    depth = 0
    for index in range(len(text) - 1, -1, -1):
        char = text[index]
        if char in "）)":
            depth += 1
        elif char in "（(":
            depth -= 1
            if depth == 0:
                return text[:index].rstrip(), text[index + 1 : -1].strip()
    return None


def _parse_one_basis(text: str) -> _ParsedBasis:
    text = _strip_bullet(text)
    split = _trailing_bracket(text)
    if split is not None:
        head, inner = split
        if head:
            if _norm(inner) == GENERIC_MARKER:
                return _ParsedBasis(BasisRow(head, ""), generic=True)
            if _is_document_number(inner):
                return _ParsedBasis(BasisRow(head, inner))
            if _NUMBER_LIKE_RE.search(inner):
                return _ParsedBasis(BasisRow(head, inner), malformed_number=True)
    match = re.match(r"^(.*》)\s*(\S.*)$", text)
    if match:
        head, tail = match.group(1), match.group(2).strip()
        if _is_document_number(tail):
            return _ParsedBasis(BasisRow(head, tail))
        if _NUMBER_LIKE_RE.search(tail):
            return _ParsedBasis(BasisRow(head, tail), malformed_number=True)
    return _ParsedBasis(BasisRow(text, ""))


def _split_basis_line(line: str) -> list[str]:
    """Split one line holding several bases.

    Splits at ``；`` and at ``、`` or spaces between a complete citation (ending in
    ``）`` or ``号``, or a bare 《title》) and the next ``《``, never inside 《》
    or brackets, so 其他有关法律、行政法规 stays one generic reference.
    """
    parts: list[str] = []
    buffer: list[str] = []
    title_depth = bracket_depth = 0
    index, length = 0, len(line)

    def flush() -> None:
        piece = "".join(buffer).strip()
        if piece:
            parts.append(piece)
        buffer.clear()

    while index < length:
        char = line[index]
        at_top = title_depth == 0 and bracket_depth == 0
        if at_top and char in "；;":
            flush()
            index += 1
            continue
        if at_top and (char == "、" or char.isspace()):
            end = index
            while end < length and (line[end] == "、" or line[end].isspace()):
                end += 1
            current = "".join(buffer).rstrip()
            complete = bool(current) and (
                current[-1] in "）)号" or (current[-1] == "》" and current[0] == "《")
            )
            if complete and end < length and line[end] == "《":
                flush()
                index = end
                continue
        if char == "《":
            title_depth += 1
        elif char == "》":
            title_depth = max(0, title_depth - 1)
        elif char in "（(":
            bracket_depth += 1
        elif char in "）)":
            bracket_depth = max(0, bracket_depth - 1)
        buffer.append(char)
        index += 1
    flush()
    return parts


def parse_basis(text: str) -> list[BasisRow]:
    """Parse a 公开依据 cell into bases (no validation; see the importers for that).

    One basis per line; ``●`` bullets and ``1.`` numbering are dropped; a line
    holding several citations joined by ``、`` is split. ``《title》（number）``,
    ``《title》(number)`` and ``《title》number`` are understood; ``（泛指）``
    means "no number".
    """
    return [parsed.basis for parsed in _parse_basis_cell(text)]


def _parse_basis_cell(text: str) -> list[_ParsedBasis]:
    parsed: list[_ParsedBasis] = []
    for line in (text or "").splitlines():
        for piece in re.split(r"[●•]", line):
            for part in _split_basis_line(piece):
                part = _strip_bullet(part)
                if part:
                    parsed.append(_parse_one_basis(part))
    return parsed


def _basis_problems(parsed: _ParsedBasis) -> list[str]:
    basis = parsed.basis
    if not basis.title:
        return [_("有一条公开依据缺少文件名称。")]
    if parsed.malformed_number:
        return [
            _(
                "%(title)s的文号“%(number)s”格式不正确，应写作“国发〔2012〕45号”"
                "“国务院令第711号”或标准编号（如GB/T 37276-2018）。"
            )
            % {"title": basis.title, "number": basis.number}
        ]
    if basis.number:
        if not _is_document_number(basis.number):
            return [
                _("%(title)s的文号“%(number)s”格式不正确。")
                % {"title": basis.title, "number": basis.number}
            ]
        return []
    if parsed.generic or _number_optional(basis.title):
        return []
    return [
        _("%(title)s缺少文号，请补全文号或标注为泛指（写作“%(title)s（泛指）”）。")
        % {"title": basis.title}
    ]


# ---------------------------------------------------------------------------
# Shared import machinery
# ---------------------------------------------------------------------------


class _Problems:
    """Collects problems; raises them all at the end."""

    def __init__(self) -> None:
        self.items: list[ImportProblem] = []
        self.table: int | None = None

    def add(self, row: int | None, column: str | None, message: str) -> None:
        self.items.append(ImportProblem(row, column, message, self.table))

    def raise_if_any(self) -> None:
        """Raise every problem collected so far, in table and row order."""
        if self.items:
            raise CatalogImportError(
                sorted(self.items, key=lambda p: (p.table or 0, p.row or 0))
            )


def _parse_vocabulary(
    values: Iterable[str], field_name: str, row: int, problems: _Problems, column: str
) -> list[str]:
    lookup, order = _VOCABULARIES[field_name]
    found: list[str] = []
    for value in values:
        canonical = lookup.get(_norm(value))
        if canonical is None:
            problems.add(
                row,
                column,
                _("无法识别的%(what)s“%(value)s”，可选值：%(allowed)s。")
                % {
                    "what": _FIELD_LABELS[field_name],
                    "value": value,
                    "allowed": MULTI_VALUE_SEPARATOR.join(order),
                },
            )
        else:
            found.append(canonical)
    return _in_official_order(found, order)


def _parse_channels(
    text: str, row: int, problems: _Problems, column: str
) -> tuple[list[str], str]:
    """Channels from ``■政府网站 □政府公报 …`` or from a plain ``、`` list.

    Returns the ticked channels in official order and the free text of 其他.
    """
    ticked: list[str] = []
    unknown: list[str] = []
    other_text = ""
    if _CHANNEL_MARK_RE.search(text or ""):
        pieces = _CHANNEL_MARK_RE.split(text)
        entries = []
        if pieces[0].strip():
            entries.append(("", pieces[0]))
        entries += list(zip(pieces[1::2], pieces[2::2], strict=True))
        for mark, label in entries:
            label = label.strip()
            if not label:
                continue
            is_ticked = mark in _CHANNEL_TICKED
            channel, extra = _channel_label(label)
            if channel is None:
                unknown.append(label)
            elif is_ticked:
                ticked.append(channel)
                if channel == _OTHER and extra:
                    other_text = extra
    else:
        for label in _split_list(text):
            channel, extra = _channel_label(label)
            if channel is None:
                unknown.append(label)
            else:
                ticked.append(channel)
                if channel == _OTHER and extra:
                    other_text = extra
    for label in unknown:
        problems.add(
            row,
            column,
            _("无法识别的公开渠道“%(value)s”，可选值：%(allowed)s。")
            % {"value": _WS_RE.sub(" ", label), "allowed": MULTI_VALUE_SEPARATOR.join(CHANNEL_VALUES)},
        )
    return _in_official_order(ticked, CHANNEL_VALUES), other_text


def _channel_label(label: str) -> tuple[str | None, str]:
    """Map a channel label to its vocabulary term; 其他 may carry free text."""
    normalized = _norm(label)
    if normalized in _CHANNELS:
        return _CHANNELS[normalized], ""
    stripped = label.strip()
    if stripped.startswith(_OTHER):
        extra = stripped[len(_OTHER) :].strip()
        if extra[:1] in ("（", "(") and extra[-1:] in ("）", ")"):
            extra = extra[1:-1]
        elif extra[:1] in ("：", ":"):
            extra = extra[1:]
        return _OTHER, extra.strip()
    return None, ""


def _parse_seq(text: str, row: int, problems: _Problems) -> int | None:
    text = (text or "").strip().rstrip(".．、")
    if not text:
        return None
    if re.fullmatch(r"\d{1,6}", text):
        return int(text)
    problems.add(
        row,
        _FIELD_LABELS["seq"],
        _("序号“%(value)s”不是整数。") % {"value": text},
    )
    return None


def _build_item(
    texts: dict[str, str],
    ticks: dict[str, list[str]],
    row: int,
    problems: _Problems,
) -> ItemRow:
    """Turn the raw texts of one row into an ItemRow, reporting what is wrong.

    ``ticks`` holds the already-read tick columns (Word); any field not in it is
    parsed from its text.
    """
    label = _FIELD_LABELS
    if not texts.get("name", "").strip():
        problems.add(row, label["name"], _("缺少二级事项（事项名称），请填写。"))
    if not texts.get("category", "").strip():
        problems.add(row, label["category"], _("缺少一级事项，请填写。"))

    bases: list[BasisRow] = []
    for parsed in _parse_basis_cell(texts.get("basis", "")):
        bases.append(parsed.basis)
        for message in _basis_problems(parsed):
            problems.add(row, label["basis"], message)

    channels, other_text = _parse_channels(
        texts.get("channels", ""), row, problems, label["channels"]
    )
    explicit_other = texts.get("channel_other", "").strip()
    if explicit_other:
        if _OTHER not in channels:
            problems.add(
                row,
                _FIELD_LABELS["channel_other"],
                _("填写了其他渠道说明，但公开渠道和载体中没有选择“其他”。"),
            )
        other_text = explicit_other

    lists: dict[str, list[str]] = {}
    for name in ("subjects", "audience", "mode", "levels"):
        if name in ticks:
            lists[name] = _in_official_order(ticks[name], _VOCABULARIES[name][1])
        else:
            lists[name] = _parse_vocabulary(
                _split_list(texts.get(name, "")), name, row, problems, label[name]
            )

    return ItemRow(
        category=_single_line(texts.get("category", "")),
        name=_single_line(texts.get("name", "")),
        content=_split_content(texts.get("content", "")),
        basis=bases,
        time_limit=texts.get("time_limit", "").strip(),
        subjects=lists["subjects"],
        channels=channels,
        channel_other=other_text,
        audience=lists["audience"],
        mode=lists["mode"],
        levels=lists["levels"],
        key=texts.get("key", "").strip(),
        seq=_parse_seq(texts.get("seq", ""), row, problems),
        note=texts.get("note", "").strip(),
    )


def _single_line(text: str) -> str:
    return "".join(line.strip() for line in (text or "").splitlines()).strip()


def _check_items(items: list[tuple[int, ItemRow]], problems: _Problems) -> None:
    """Whole-file checks: at least one item, no duplicate items or keys."""
    if not items:
        if not problems.items:
            problems.add(None, None, _("文件中没有找到任何公开事项。"))
        return
    seen_names: dict[tuple[str, str], int] = {}
    seen_keys: dict[str, int] = {}
    for row, item in items:
        if item.name:
            pair = (item.category, item.name)
            if pair in seen_names:
                problems.add(
                    row,
                    _FIELD_LABELS["name"],
                    _("“%(category)s”下的“%(name)s”与第%(other)s行重复。")
                    % {"category": item.category, "name": item.name, "other": seen_names[pair]},
                )
            else:
                seen_names[pair] = row
        if item.key:
            if item.key in seen_keys:
                problems.add(
                    row,
                    _FIELD_LABELS["key"],
                    _("事项标识与第%(other)s行重复，请勿复制整行。")
                    % {"other": seen_keys[item.key]},
                )
            else:
                seen_keys[item.key] = row


def _grouped(items: Sequence[ItemRow]) -> list[ItemRow]:
    """Items of one category together, categories in order of first appearance."""
    groups: dict[str, list[ItemRow]] = {}
    for item in items:
        groups.setdefault(item.category, []).append(item)
    return [item for group in groups.values() for item in group]


# ---------------------------------------------------------------------------
# Format detection
# ---------------------------------------------------------------------------


def detect_format(data: bytes, filename: str = "") -> str:
    """Return ``"docx"`` or ``"xlsx"`` from the file's content (not its name).

    Raises :class:`CatalogImportError` for anything else (PDF, legacy .doc/.xls,
    encrypted Office files, text, corrupt archives).
    """
    name = filename or _("上传的文件")
    if data[:4] == b"%PDF":
        hint = _("“%(name)s”是PDF文件，请上传标准目录的Word或Excel原件。") % {"name": name}
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
        [ImportProblem(None, None, _("文件不是Word（.docx）或Excel（.xlsx）文件：%(hint)s") % {"hint": hint})]
    )


def _zip_kind(data: bytes) -> str | None:
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


def _require_format(data: bytes, expected: str) -> None:
    if detect_format(data) != expected:
        message = (
            _("文件不是Word（.docx）文件，请按Excel文件导入。")
            if expected == "docx"
            else _("文件不是Excel（.xlsx）文件，请按Word文件导入。")
        )
        raise CatalogImportError([ImportProblem(None, None, message)])


def _unreadable() -> CatalogImportError:
    return CatalogImportError(
        [ImportProblem(None, None, _("文件已损坏或不完整，无法读取，请重新保存后再上传。"))]
    )


# ---------------------------------------------------------------------------
# Excel
# ---------------------------------------------------------------------------

_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
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


def _neutralise(value: str) -> str:
    """Make a text cell inert in spreadsheet programs (formula injection).

    A leading apostrophe is added before ``= + - @``, tab and CR, and before an
    apostrophe that is itself followed by one of them, so :func:`_unneutralise`
    restores the exact text.
    """
    if value.startswith(_FORMULA_TRIGGERS) or (
        value.startswith("'") and value[1:2] in (*_FORMULA_TRIGGERS, "'") and value[1:2]
    ):
        return "'" + value
    return value


def _unneutralise(value: str) -> str:
    if value.startswith("'") and value[1:2] and value[1:2] in (*_FORMULA_TRIGGERS, "'"):
        return value[1:]
    return value


def _xlsx_values(item: ItemRow, position: int) -> dict[str, object]:
    return {
        "key": item.key,
        "seq": item.seq if item.seq is not None else position,
        "category": item.category,
        "name": item.name,
        "content": LINE_SEPARATOR.join(item.content),
        "basis": LINE_SEPARATOR.join(format_basis(basis) for basis in item.basis),
        "time_limit": item.time_limit,
        "subjects": MULTI_VALUE_SEPARATOR.join(_in_official_order(item.subjects, SUBJECT_VALUES)),
        "channels": MULTI_VALUE_SEPARATOR.join(_in_official_order(item.channels, CHANNEL_VALUES)),
        "channel_other": item.channel_other,
        "audience": MULTI_VALUE_SEPARATOR.join(_in_official_order(item.audience, AUDIENCE_VALUES)),
        "mode": MULTI_VALUE_SEPARATOR.join(_in_official_order(item.mode, MODE_VALUES)),
        "levels": MULTI_VALUE_SEPARATOR.join(_in_official_order(item.levels, LEVEL_VALUES)),
        "note": item.note,
    }


def _sheet_title(title: str) -> str:
    cleaned = re.sub(r"[\[\]:*?/\\']", "", title).strip() or "标准目录"
    return cleaned[:31]


def catalog_to_xlsx(table: CatalogTable) -> bytes:
    """Export a catalog as an editable Excel workbook (see module docstring).

    Sheet 1 (named after the title): header row + one row per item, frozen
    header and item columns, wrapped text, print set to A4 landscape. Sheet 2
    填写说明: how to fill it in and the allowed values.
    """
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _sheet_title(table.title)

    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDE4EE")
    header_align = Alignment(horizontal="center", vertical="center", wrap_text=True)
    body_align = Alignment(vertical="top", wrap_text=True)

    sheet.append([header for _field, header in XLSX_COLUMNS])
    for position, item in enumerate(_grouped(table.items), start=1):
        values = _xlsx_values(item, position)
        sheet.append(
            [
                _neutralise(value) if isinstance(value, str) else value
                for value in (values[name] for name, _header in XLSX_COLUMNS)
            ]
        )

    for column_index, (name, _header) in enumerate(XLSX_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(column_index)].width = _XLSX_WIDTHS[name]
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
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True

    _add_instructions(workbook)

    workbook.properties.title = table.title
    workbook.properties.subject = table.domain_name
    workbook.properties.description = table.version_label or None
    workbook.properties.creator = _("基层政务公开标准目录平台")
    workbook.properties.lastModifiedBy = None
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _add_instructions(workbook: Workbook) -> None:
    sheet = workbook.create_sheet(_("填写说明"))
    lines = [
        _("填写说明"),
        _("1. 第一个工作表的第1行是列标题，请勿修改；每行一个公开事项。"),
        _("2. “事项标识”由系统生成，用于再次导入时更新原有事项，请勿修改；新增事项留空。"),
        _("3. 公开内容（要素）、公开依据：每行一条（单元格内换行：Alt+Enter）。"),
        _("4. 公开依据写作《文件全称》（文号），如：《中华人民共和国政府信息公开条例》（中华人民共和国国务院令第711号）；确无文号的写作《文件全称》（泛指）。"),
        _("5. 公开主体、公开渠道和载体、公开对象、公开方式、公开层级：多个值用“、”分隔，只能填写下列可选值。"),
        _("6. 选择了“其他”渠道时，在“其他渠道说明”列填写具体渠道。"),
        "",
        _("公开主体：%(values)s") % {"values": MULTI_VALUE_SEPARATOR.join(SUBJECT_VALUES)},
        _("公开渠道和载体：%(values)s") % {"values": MULTI_VALUE_SEPARATOR.join(CHANNEL_VALUES)},
        _("公开对象：%(values)s") % {"values": MULTI_VALUE_SEPARATOR.join(AUDIENCE_VALUES)},
        _("公开方式：%(values)s") % {"values": MULTI_VALUE_SEPARATOR.join(MODE_VALUES)},
        _("公开层级：%(values)s") % {"values": MULTI_VALUE_SEPARATOR.join(LEVEL_VALUES)},
    ]
    for line in lines:
        sheet.append([line])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.column_dimensions["A"].width = 120
    for row in sheet.iter_rows(min_row=2):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")


def _xlsx_header_map(values: Sequence[object]) -> dict[int, str]:
    mapping: dict[int, str] = {}
    for index, value in enumerate(values):
        if not isinstance(value, str):
            continue
        normalized = _norm(value)
        for prefix, name in _XLSX_HEADER_PREFIXES:
            if normalized.lower().startswith(prefix):
                mapping[index] = name
                break
    return mapping


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return _unneutralise(value).strip()
    return str(value).strip()


def catalog_from_xlsx(data: bytes) -> list[ItemRow]:
    """Import items from an Excel workbook in the :func:`catalog_to_xlsx` format.

    The header row is found by its texts (within the first 10 rows of the first
    sheet that has one); column order does not matter and unknown columns are
    ignored. Merged cells count for every cell they cover. Rows are numbered as
    in the spreadsheet. Raises :class:`CatalogImportError` with every problem.
    """
    _require_format(data, "xlsx")
    try:
        workbook = load_workbook(io.BytesIO(data), data_only=False)
    except Exception as exc:  # openpyxl raises many kinds on a broken file
        raise _unreadable() from exc

    problems = _Problems()
    found = None
    for sheet in workbook.worksheets:
        for row_number, row in enumerate(
            sheet.iter_rows(min_row=1, max_row=min(sheet.max_row, 10), values_only=True),
            start=1,
        ):
            mapping = _xlsx_header_map(row)
            if len(set(mapping.values())) >= 3 and "name" in mapping.values():
                found = (sheet, row_number, mapping)
                break
        if found:
            break
    if found is None:
        problems.add(
            None,
            None,
            _("没有找到表头行：第1行应为“%(headers)s”等列标题，请使用本平台导出的Excel模板。")
            % {"headers": "”“".join(header for _f, header in XLSX_COLUMNS[1:])},
        )
        problems.raise_if_any()
    sheet, header_row, mapping = found

    columns: dict[str, int] = {}
    for index, name in sorted(mapping.items()):
        if name in columns:
            problems.add(header_row, _FIELD_LABELS[name], _("该列出现了不止一次。"))
        else:
            columns[name] = index
    for name in _REQUIRED_FIELDS:
        if name not in columns:
            problems.add(
                header_row,
                None,
                _("缺少“%(column)s”列，请使用本平台导出的Excel模板。")
                % {"column": _FIELD_LABELS[name]},
            )
    problems.raise_if_any()
    if sheet.max_row - header_row > _MAX_ROWS:
        problems.add(None, None, _("行数过多（超过%(max)s行）。") % {"max": _MAX_ROWS})
        problems.raise_if_any()

    merged_values: dict[tuple[int, int], object] = {}
    for merged in sheet.merged_cells.ranges:
        top_left = sheet.cell(merged.min_row, merged.min_col).value
        for row_index in range(merged.min_row, merged.max_row + 1):
            for column_index in range(merged.min_col, merged.max_col + 1):
                merged_values[(row_index, column_index)] = top_left

    items: list[tuple[int, ItemRow]] = []
    for row_number in range(header_row + 1, sheet.max_row + 1):
        texts: dict[str, str] = {}
        for name, index in columns.items():
            cell = sheet.cell(row_number, index + 1)
            if cell.data_type == "f":
                problems.add(
                    row_number,
                    _FIELD_LABELS[name],
                    _("单元格含有公式，请改为纯文本。"),
                )
                continue
            value = merged_values.get((row_number, index + 1), cell.value)
            texts[name] = _cell_text(value)
        if not any(texts.values()):
            continue
        item = _build_item(texts, {}, row_number, problems)
        if item.key:
            try:
                uuid.UUID(item.key)
            except ValueError:
                problems.add(
                    row_number,
                    _FIELD_LABELS["key"],
                    _("事项标识“%(value)s”无效，请勿修改该列；新增事项请留空。")
                    % {"value": item.key},
                )
        items.append((row_number, item))
    _check_items(items, problems)
    problems.raise_if_any()
    return [item for _row, item in items]


# ---------------------------------------------------------------------------
# Word export
# ---------------------------------------------------------------------------

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
    field: str
    top: str
    sub: str = ""  # sub-column header (second header row)
    value: str = ""  # vocabulary term a tick column stands for


def _docx_columns(table: CatalogTable, with_note: bool) -> list[_Column]:
    levels = [str(Level.COUNTY), str(Level.TOWNSHIP)] + ([_VILLAGE] if table.village_level else [])
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
    run.font.name = _LATIN_FONT
    run.font.size = size
    run.font.bold = bold or None
    r_fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    r_fonts.set(qn("w:eastAsia"), east_asia)


def _write_cell(cell, lines: Sequence[str], *, header: bool = False, center: bool = False) -> None:
    """Replace the cell's text by ``lines``, one paragraph each."""
    paragraph = cell.paragraphs[0]
    for extra in cell.paragraphs[1:]:
        extra._element.getparent().remove(extra._element)
    for run in list(paragraph.runs):
        run._element.getparent().remove(run._element)
    for index, line in enumerate(lines or [""]):
        if index:
            paragraph = cell.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER if (header or center) else WD_ALIGN_PARAGRAPH.LEFT
        fmt = paragraph.paragraph_format
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.line_spacing = 1.0
        if line:
            run = paragraph.add_run(line)
            _set_run_font(run, _HEADER_FONT if header else _BODY_FONT, _BODY_SIZE, bold=header)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def _mark_header_row(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    for tag in ("w:cantSplit", "w:tblHeader"):
        element = OxmlElement(tag)
        element.set(qn("w:val"), "true")
        tr_pr.append(element)


def _set_cell_margins(table, left_right_twips: int = 57) -> None:
    tbl_pr = table._tbl.tblPr
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:w"), str(left_right_twips))
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    # Schema order: tblCellMar comes before tblLook/tblCaption/tblDescription.
    tbl_pr.insert_element_before(margins, "w:tblLook", "w:tblCaption", "w:tblDescription")


def _add_page_number(section) -> None:
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
    lines = []
    for channel in CHANNEL_VALUES:
        ticked = channel in item.channels
        line = (CHECKED_BOX if ticked else UNCHECKED_BOX) + channel
        if channel == _OTHER and ticked and item.channel_other:
            line += "：" + _WS_RE.sub(" ", item.channel_other).strip()
        lines.append(line)
    return lines


def _docx_cell_lines(column: _Column, item: ItemRow, position: int) -> list[str]:
    match column.field:
        case "seq":
            return [str(item.seq if item.seq is not None else position)]
        case "name":
            return [item.name]
        case "content":
            return [f"{index}.{element}" for index, element in enumerate(item.content, start=1)]
        case "basis":
            return [format_basis(basis) for basis in item.basis]
        case "time_limit":
            return [item.time_limit]
        case "subjects":
            return [MULTI_VALUE_SEPARATOR.join(_in_official_order(item.subjects, SUBJECT_VALUES))]
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
    if not table.village_level and any(_VILLAGE in item.levels for item in table.items):
        raise ValueError("An item has the 村级 level but the table has no 村级 column.")
    items = _grouped(table.items)
    columns = _docx_columns(table, with_note=any(item.note for item in items))

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

    grid = document.add_table(rows=2 + len(items), cols=len(columns))
    grid.style = document.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    _set_cell_margins(grid)

    printable = _PAGE_WIDTH - 2 * _MARGIN_LR
    weights = [_DOCX_WEIGHTS["tick" if column.value else column.field] for column in columns]
    widths = [int(printable * weight / sum(weights)) for weight in weights]
    for index, width in enumerate(widths):
        grid.columns[index].width = width
    rows = list(grid.rows)
    for row in rows:
        for index, cell in enumerate(row.cells):
            cell.width = widths[index]

    # Data rows first, while every row still has one cell per column.
    for offset, item in enumerate(items):
        cells = rows[2 + offset].cells
        for index, column in enumerate(columns):
            if column.field == "category":
                continue
            centered = column.field in ("seq", "name", "audience", "mode", "levels")
            _write_cell(cells[index], _docx_cell_lines(column, item, offset + 1), center=centered)

    # Header: group headers merged across their sub-columns, single headers down both rows.
    index = 0
    while index < len(columns):
        column = columns[index]
        end = index
        while end + 1 < len(columns) and columns[end + 1].top == column.top:
            end += 1
        if column.sub:
            top = grid.cell(0, index).merge(grid.cell(0, end)) if end > index else grid.cell(0, index)
            _write_cell(top, [column.top], header=True)
            for sub_index in range(index, end + 1):
                _write_cell(grid.cell(1, sub_index), [columns[sub_index].sub], header=True)
        else:
            merged = grid.cell(0, index).merge(grid.cell(1, index))
            _write_cell(merged, [column.top], header=True)
        index = end + 1
    for row in rows[:2]:
        _mark_header_row(row)

    # 一级事项 merged down over the items of its category.
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

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------
# Word import
# ---------------------------------------------------------------------------

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
    | set(_AUDIENCE)
    | set(_MODES)
    | set(_LEVELS)
)


def _top_header_field(text: str) -> str | None:
    normalized = _norm(text)
    for prefix, name in _DOCX_TOP_HEADERS:
        if normalized.startswith(prefix):
            return name
    return None


def _grid(row) -> list:
    """Cells of a row, one per layout-grid column (merged cells repeat)."""
    return [None] * row.grid_cols_before + list(row.cells) + [None] * row.grid_cols_after


def _same(a, b) -> bool:
    return a is not None and b is not None and a._tc is b._tc


def _header_score(cells: list) -> int:
    return len({_top_header_field(c.text) for c in cells if c is not None} - {None})


@dataclass
class _Layout:
    """Where each field lives in a Word table."""

    columns: dict[str, list[int]] = field(default_factory=dict)
    ticks: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    data_start: int = 0


def _docx_layout(rows: list[list], header_index: int, problems: _Problems) -> _Layout:
    top = rows[header_index]
    below = rows[header_index + 1] if header_index + 1 < len(rows) else []
    sub_row = None
    if below:
        texts = {
            _norm(c.text)
            for j, c in enumerate(below)
            if c is not None and not _same(c, top[j] if j < len(top) else None) and c.text.strip()
        }
        # Unknown sub-headers (e.g. 省级) are reported below, so two known
        # ones are enough to recognise the row.
        if len(texts & _SUB_HEADER_WORDS) >= 2:
            sub_row = below
    layout = _Layout(data_start=header_index + (2 if sub_row else 1))
    header_row_number = header_index + 1

    for j, cell in enumerate(top):
        if cell is None:
            continue
        name = _top_header_field(cell.text)
        if name is None:
            continue  # unknown extra column, e.g. 责任科室
        sub_cell = sub_row[j] if sub_row is not None and j < len(sub_row) else None
        sub = "" if sub_cell is None or _same(sub_cell, cell) else _norm(sub_cell.text)
        if name == "item":
            if sub == "一级事项":
                name = "category"
            elif sub == "二级事项":
                name = "name"
            else:
                continue
        if name in _TICK_GROUPS and sub:
            lookup = _VOCABULARIES[name][0]
            value = lookup.get(sub)
            if value is None:
                problems.add(
                    header_row_number + 1,
                    f"{_FIELD_LABELS[name]}（{sub}）",
                    _("无法识别的%(what)s“%(value)s”，可选值：%(allowed)s。")
                    % {
                        "what": _FIELD_LABELS[name],
                        "value": sub,
                        "allowed": MULTI_VALUE_SEPARATOR.join(_VOCABULARIES[name][1]),
                    },
                )
                continue
            layout.ticks.setdefault(name, []).append((j, value))
            continue
        # A header spanning several grid columns (the channel list split over
        # two cells, as in seed 003) keeps all of them; texts are deduplicated
        # per cell when read.
        layout.columns.setdefault(name, []).append(j)

    for name in _REQUIRED_FIELDS:
        if name not in layout.columns and name not in layout.ticks:
            problems.add(
                header_row_number,
                None,
                _("表头缺少“%(column)s”列。") % {"column": _FIELD_LABELS[name]},
            )
    return layout


def _distinct_text(cells: list, indexes: list[int]) -> str:
    seen: list = []
    for j in indexes:
        cell = cells[j] if j < len(cells) else None
        if cell is not None and not any(_same(cell, other) for other in seen):
            seen.append(cell)
    return "\n".join(cell.text for cell in seen)


def _tick_value(text: str) -> bool | None:
    mark = _norm(text)
    if mark in _TICKED_MARKS:
        return True
    if mark in _UNTICKED_MARKS:
        return False
    return None


def _is_header_repeat(cells: list) -> bool:
    texts = {_norm(c.text) for c in cells if c is not None and c.text.strip()}
    return _header_score(cells) >= 4 or (bool(texts) and texts <= _SUB_HEADER_WORDS)


def _items_from_table(table, problems: _Problems) -> list[tuple[int, ItemRow]] | None:
    rows = [_grid(row) for row in table.rows]
    header_index = next((i for i, cells in enumerate(rows) if _header_score(cells) >= 4), None)
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
        present = [c for c in cells if c is not None]
        if not present or all(not c.text.strip() for c in present):
            continue
        if all(_same(c, present[0]) for c in present):
            continue  # a full-width merged row: caption or footnote, not an item
        if _is_header_repeat(cells):
            continue
        texts = {
            name: _distinct_text(cells, indexes) for name, indexes in layout.columns.items()
        }
        if texts.get("category", "").strip():
            category = texts["category"]
        else:
            texts["category"] = category  # merged or left blank under its category
        for name in ("name", "seq", "time_limit"):
            if name in texts:
                texts[name] = _single_line(texts[name])
        ticks: dict[str, list[str]] = {}
        for name, positions in layout.ticks.items():
            chosen = ticks.setdefault(name, [])
            for j, value in positions:
                cell = cells[j] if j < len(cells) else None
                state = _tick_value(cell.text if cell is not None else "")
                if state is None:
                    problems.add(
                        row_number,
                        f"{_FIELD_LABELS[name]}（{value}）",
                        _("无法识别的勾选标记“%(mark)s”，勾选请用“✓”，不选请留空。")
                        % {"mark": cell.text.strip()},
                    )
                elif state:
                    chosen.append(value)
        items.append((row_number, _build_item(texts, ticks, row_number, problems)))
    return items


def catalog_from_docx(data: bytes) -> list[ItemRow]:
    """Import items from a Word file in the official table layout.

    Every table whose header row names at least four of the official columns is
    read (a catalog may be split into several tables). Header rows may be
    repeated. Raises :class:`CatalogImportError` with every problem; row
    numbers count table rows from 1, header rows included.
    """
    _require_format(data, "docx")
    try:
        document = Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds on a broken file
        raise _unreadable() from exc

    problems = _Problems()
    candidate_tables = [
        t for t in document.tables if any(_header_score(_grid(row)) >= 4 for row in t.rows)
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
    _check_items(items, problems)
    problems.raise_if_any()
    return [item for _row, item in items]

