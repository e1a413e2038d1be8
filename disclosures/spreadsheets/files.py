"""File to file: `deidentify_file` reads an upload, de-identifies it and writes the result."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.utils.translation import gettext

from ..deidentify import (
    PROVINCE_DEFAULT_POLICY,
    ColumnKind,
    DeidentificationReport,
    MaskingPolicy,
    deidentify_rows,
)
from .read import DEFAULT_MAX_BYTES, SpreadsheetError, open_table
from .write import write_csv, write_xlsx


@dataclass
class DeidentifiedFile:
    """Result of :func:`deidentify_file`: where the output went and what happened."""

    path: Path
    format: str
    source_format: str
    sheet_name: str | None
    sheet_names: list[str]
    header_row_number: int
    encoding: str | None
    mapping: dict[int, ColumnKind]
    rows_written: int
    report: DeidentificationReport


def deidentify_file(
    source: bytes | str | os.PathLike | BinaryIO,
    destination: str | os.PathLike,
    *,
    filename: str | None = None,
    policy: MaskingPolicy = PROVINCE_DEFAULT_POLICY,
    sheet: str | None = None,
    mapping: Mapping[int, ColumnKind | str | None] | None = None,
    progress: Callable[[int], None] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> DeidentifiedFile:
    """Read an upload, de-identify it and write the published table, all or nothing.

    The output format follows ``destination``'s extension (``.xlsx`` or
    ``.csv``). It is written to a temporary file in the same directory and
    renamed at the end, so a failure at any row leaves no output (and an
    existing file at ``destination`` untouched). ``mapping`` defaults to the
    suggestions from the header.
    """
    destination = Path(destination)
    suffix = destination.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise SpreadsheetError(
            gettext("输出文件名必须以 .xlsx 或 .csv 结尾：%(name)s")
            % {"name": destination.name},
            code="output_type",
        )
    with open_table(source, filename, sheet=sheet, max_bytes=max_bytes) as table:
        columns = dict(mapping) if mapping is not None else table.suggested_mapping()
        result = deidentify_rows(
            table.header,
            table.iter_rows(),
            columns,
            policy,
            first_row_number=table.first_data_row_number,
            progress=progress,
        )
        fd, temp_name = tempfile.mkstemp(
            dir=destination.parent, prefix=".deidentify-", suffix=suffix
        )
        temp = Path(temp_name)
        try:
            with os.fdopen(fd, "wb") as handle:
                if suffix == ".xlsx":
                    written = write_xlsx(result.header, result, handle)
                else:
                    written = write_csv(result.header, result, handle)
            os.replace(temp, destination)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        return DeidentifiedFile(
            path=destination,
            format=suffix[1:],
            source_format=table.format,
            sheet_name=table.sheet_name,
            sheet_names=list(table.sheet_names),
            header_row_number=table.header_row_number,
            encoding=table.encoding,
            mapping={i: ColumnKind(k) for i, k in columns.items() if k is not None},
            rows_written=written,
            report=result.report,
        )
