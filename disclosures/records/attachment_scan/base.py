"""What an attachment scan finds: the refused identifier kinds, findings with a
position and a masked excerpt, the scan result, and whether a table is a name list.

Pure (no ORM, no files, no clock).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time

from ...deidentify import FINDING_KIND_LABELS, ColumnKind, scan_text, suggest_mapping

#: Finding kinds that refuse an attachment. ``long_digits`` (any other run of
#: 11+ digits: an office landline with its area code, a document serial) is
#: masked in name lists but does not refuse a document.
REFUSED_KINDS = frozenset({"id_number", "id_number_bad_check", "mobile", "bank_card"})
#: Findings kept per file; the message names the first few and the count.
MAX_FINDINGS = 50
MAX_PDF_PAGES = 1000
#: Rows of a sheet (or csv, or docx table) read to decide "name list".
_NAME_LIST_ROWS = 80
_HEADER_ROWS = 20

# A name list's columns besides the name that make a table "a list of people".
_PERSONAL_KINDS = frozenset(
    {
        ColumnKind.ID_NUMBER,
        ColumnKind.PHONE,
        ColumnKind.BANK_CARD,
        ColumnKind.AMOUNT,
        ColumnKind.HOUSEHOLD_SIZE,
    }
)
# Two to four Chinese characters (a masked 张*明 too), or a name with a middle dot.
_PERSON_NAME = re.compile(
    r"[\u3400-\u4dbf\u4e00-\u9fff][\u3400-\u4dbf\u4e00-\u9fff*＊]{1,3}"
    r"|[\u3400-\u4dbf\u4e00-\u9fff]{1,6}[·•・][\u3400-\u4dbf\u4e00-\u9fff]{1,8}"
)


class AttachmentRejected(ValueError):
    """A file that is refused whatever its text says.

    ``code``: ``macro``, ``embedded``, ``bomb``, ``encrypted``, ``too_many_pages``,
    ``encoding`` (csv not UTF-8/GBK/GB18030).
    """

    def __init__(self, code: str, detail: str = ""):
        super().__init__(code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Finding:
    """Identifiers in one place of a file: where, which kinds, masked context."""

    position: str
    kinds: tuple[str, ...]
    excerpt: str = ""

    @property
    def kind_labels(self) -> str:
        return "、".join(str(FINDING_KIND_LABELS.get(k, k)) for k in self.kinds)


@dataclass
class ScanResult:
    findings: list[Finding] = field(default_factory=list)
    findings_total: int = 0
    unscannable: list[str] = field(default_factory=list)
    name_list: str | None = None

    def add(self, finding: Finding | None) -> None:
        if finding is None:
            return
        self.findings_total += 1
        if len(self.findings) < MAX_FINDINGS:
            self.findings.append(finding)

    @property
    def needs_review(self) -> bool:
        return bool(self.unscannable)


# --------------------------------------------------------------------------- text


def _excerpt(text: str, masked: str) -> str:
    """Up to 12 characters before the first masked span, the span as ``****``, a few after."""
    start = next(
        (i for i, (a, b) in enumerate(zip(text, masked, strict=True)) if a != b), None
    )
    if start is None:
        return ""
    end = start
    while end < len(masked) and masked[end] == "*" and text[end] != "*":
        end += 1
    before = masked[max(0, start - 12) : start]
    after = masked[end : end + 6]
    return " ".join(f"{before}****{after}".split())


def text_finding(text: object, position: str) -> Finding | None:
    """A finding for ``text`` at ``position`` when it holds a refused identifier."""
    if text is None:
        return None
    text = str(text)
    masked, kinds = scan_text(text)
    kinds = tuple(dict.fromkeys(k for k in kinds if k in REFUSED_KINDS))
    if not kinds:
        return None
    return Finding(position=position, kinds=kinds, excerpt=_excerpt(text, masked))


def _cell_text(value: object) -> str | None:
    if value is None or isinstance(value, (datetime, date, time, bool)):
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        # An ID number typed as a number: Excel keeps 15 significant digits.
        value = int(value)
    return str(value)


# --------------------------------------------------------------------------- name lists


def looks_like_name_list(rows: Sequence[Sequence[object]]) -> bool:
    """Whether the top of a table is a list of people.

    The header row is found as for name-list uploads (the row among the first
    20 with the most recognised column names). A name list has a name column
    (姓名, 户主, 申请人 …) next to an ID, phone, bank, amount or household-size
    column, and at least one row below the header whose name cell looks like a
    Chinese personal name.
    """
    from ...spreadsheets.read import _detect_header

    found = _detect_header(list(rows[:_HEADER_ROWS]))
    if found is None:
        return False
    header_index, header = found
    mapping = suggest_mapping(header)
    name_columns = [i for i, kind in mapping.items() if kind is ColumnKind.NAME]
    if not name_columns or not _PERSONAL_KINDS.intersection(mapping.values()):
        return False
    for row in rows[header_index + 1 :]:
        for i in name_columns:
            value = row[i] if i < len(row) else None
            if isinstance(value, str) and _PERSON_NAME.fullmatch(
                value.strip().replace(" ", "")
            ):
                return True
    return False
