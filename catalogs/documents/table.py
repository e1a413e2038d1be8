"""The official catalog table as plain data: items, legal bases, import problems.

Both file formats (:mod:`.xlsx`, :mod:`.docx_write`, :mod:`.docx_read`) read and
write these dataclasses; the model layer (:mod:`catalogs.exports`) converts
catalogs to and from them. An import collects every problem with its row and
column in :class:`Problems` and raises them together as :class:`CatalogImportError`,
so an invalid file yields no items at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _


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
    #: What the importer accepted but a person should look at (a basis kept as
    #: written, …), each naming its row and column.
    warnings: list[str] = field(default_factory=list)


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
            return _("%(where)s：%(message)s") % {
                "where": where,
                "message": self.message,
            }
        return self.message


class CatalogImportError(ValueError):
    """Raised when an uploaded catalog file cannot be imported; lists every problem."""

    def __init__(self, errors: Iterable[ImportProblem]):
        self.errors: list[ImportProblem] = list(errors)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(problem) for problem in self.errors)


#: Separator of single-line multi-value cells (subjects, channels, audience, mode, levels).
MULTI_VALUE_SEPARATOR = "、"
#: Separator of multi-line cells (content elements, legal bases): one entry per line.
LINE_SEPARATOR = "\n"

#: Column names used in messages: official terms (file format, not UI wording).
FIELD_LABELS: dict[str, str] = {
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

#: Columns every imported table must have.
REQUIRED_FIELDS = (
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


class Problems:
    """Collects import problems; raises them all at the end.

    ``table`` is the position of the Word table being read, if a file holds several.
    """

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


def grouped(items: Sequence[ItemRow]) -> list[ItemRow]:
    """Items of one category together, categories in order of first appearance."""
    groups: dict[str, list[ItemRow]] = {}
    for item in items:
        groups.setdefault(item.category, []).append(item)
    return [item for group in groups.values() for item in group]
