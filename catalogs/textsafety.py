"""The project's one formula neutraliser for text written into spreadsheets.

Every xlsx/csv the portal writes (catalog tables, name lists, progress
reviews, admin exports) passes its text cells through :func:`neutralise_formula`,
so a spreadsheet program never runs a cell as a formula (CSV/formula injection).
Pure: no Django, no database; catalogs and disclosures both import it.
"""

from __future__ import annotations

__all__ = ["FORMULA_TRIGGERS", "neutralise_formula", "restore_neutralised"]

# What a spreadsheet program may take as the start of a formula: = + - @, tab and
# carriage return, and the full-width ＝ ＋ － ＠ that some programs (WPS, Excel
# with an IME) also accept.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
_ESCAPED_NEXT = frozenset((*FORMULA_TRIGGERS, "'"))


def neutralise_formula(value: object) -> object:
    """Make a text cell inert: prefix ``'`` to text a spreadsheet would run as a formula.

    A leading apostrophe is added before a formula trigger (:data:`FORMULA_TRIGGERS`),
    and before an apostrophe that is itself followed by a trigger or an
    apostrophe, so :func:`restore_neutralised` gives back the exact text.
    Values that are not text (numbers, dates, ``None``) are returned unchanged.
    """
    if not isinstance(value, str) or not value:
        return value
    if value.startswith(FORMULA_TRIGGERS) or (
        value[0] == "'" and value[1:2] in _ESCAPED_NEXT and value[1:2]
    ):
        return "'" + value
    return value


def restore_neutralised(value: str) -> str:
    """Undo :func:`neutralise_formula` on a cell read back from a workbook."""
    if value.startswith("'") and value[1:2] and value[1:2] in _ESCAPED_NEXT:
        return value[1:]
    return value
