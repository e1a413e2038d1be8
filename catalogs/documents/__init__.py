"""Catalog documents: the official table as Word (.docx) and Excel (.xlsx), both ways.

Pure functions over plain dataclasses; the model layer (:mod:`catalogs.exports`)
converts catalogs to and from :class:`CatalogTable` / :class:`ItemRow`. Nothing
here touches the database.

- :mod:`.table`: the dataclasses, import problems and the shared constants;
- :mod:`.cells`: cell text helpers and the controlled vocabularies;
- :mod:`.citations`: legal-basis citations ``《title》（number）``;
- :mod:`.rows`: from cell texts to an item, and whole-file checks (import);
- :mod:`.detect`: is an upload Word or Excel, by content;
- :mod:`.xlsx`: the editable Excel workbook, both ways;
- :mod:`.docx_write` / :mod:`.docx_read`: the official Word table.

Import collects every problem with its row and column and raises
:class:`CatalogImportError`; an invalid file yields no items at all.
"""

from .citations import GENERIC_MARKER, format_basis, parse_basis
from .detect import detect_format
from .docx_read import catalog_from_docx
from .docx_write import catalog_to_docx
from .table import (
    LINE_SEPARATOR,
    MULTI_VALUE_SEPARATOR,
    BasisRow,
    CatalogImportError,
    CatalogTable,
    ImportProblem,
    ItemRow,
)
from .xlsx import XLSX_COLUMNS, catalog_from_xlsx, catalog_to_xlsx

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
