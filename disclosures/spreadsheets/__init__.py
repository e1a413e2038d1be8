"""Reading uploaded name lists and writing de-identified ones (SPEC §5).

The I/O half of de-identification; the rules themselves live in the pure
``disclosures.deidentify``. Everything here streams, so a 100k-row list runs in
bounded memory: `read` opens uploads (xlsx/csv, GBK/GB18030, header detection,
zip-bomb and encryption checks), `write` is the project's one writer of plain
tabular xlsx/csv (formula-safe through `catalogs.textsafety`), `files` runs an
upload file to file.
"""

from .files import DeidentifiedFile, deidentify_file
from .read import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_COMPRESSION_RATIO,
    DEFAULT_MAX_UNCOMPRESSED_BYTES,
    HEADER_SCAN_ROWS,
    OLE2_MAGIC,
    SpreadsheetError,
    TableSource,
    open_table,
)
from .write import write_csv, write_xlsx

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_COMPRESSION_RATIO",
    "DEFAULT_MAX_UNCOMPRESSED_BYTES",
    "HEADER_SCAN_ROWS",
    "OLE2_MAGIC",
    "DeidentifiedFile",
    "SpreadsheetError",
    "TableSource",
    "deidentify_file",
    "open_table",
    "write_csv",
    "write_xlsx",
]
