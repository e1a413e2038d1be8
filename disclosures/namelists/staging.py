"""Private staged uploads of name lists: checked at once, kept briefly, never behind a URL.

`name_list_stage_upload` checks a file with `open_table` and keeps it under a
random token in a private directory (outside MEDIA_ROOT, files mode 0600) only
until it is masked; `staged_upload_table` reads headers, masked samples and
sensitive-word warnings for the mapping page. A refused file leaves nothing.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import tempfile
import time as time_module
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from catalogs.models import User
from catalogs.services import audit

from ..deidentify import column_letter as _column_letter
from ..deidentify import (
    find_sensitive_words,
    mask_sample,
    scan_text,
    sensitive_kinds_label,
)
from ..models import DisclosureRecord, NameList
from ..spreadsheets import SpreadsheetError, TableSource, open_table
from .states import REPLACEABLE, Status

#: A staged upload not mapped within this many seconds is discarded.
DEFAULT_STAGING_MAX_AGE = 6 * 3600

TOKEN_PATTERN = re.compile(r"^[0-9a-f]{32}$")


def upload_max_bytes() -> int:
    """Largest accepted upload (the portal-wide ``MAX_UPLOAD_BYTES``)."""
    return int(getattr(settings, "MAX_UPLOAD_BYTES", 20 * 1024 * 1024))


class StagedUploadMissing(Exception):
    """The staged upload does not exist, has expired or belongs to someone else."""


@dataclass
class StagedUpload:
    """An upload kept (privately, briefly) between the upload and the mapping step."""

    token: str
    record_id: int
    user_id: int
    filename: str
    size: int
    format: str
    sheet_names: list[str]
    sheet: str | None
    created: float

    @property
    def path(self) -> Path:
        return staging_dir() / f"{self.token}.upload"

    @property
    def meta_path(self) -> Path:
        return staging_dir() / f"{self.token}.json"


def staging_dir() -> Path:
    """Private directory of raw uploads waiting to be masked (created 0700).

    ``NAME_LIST_STAGING_DIR`` or a directory in the system temp dir; never under
    MEDIA_ROOT, so no web server configuration can expose it.
    """
    configured = getattr(settings, "NAME_LIST_STAGING_DIR", None)
    path = (
        Path(configured)
        if configured
        else Path(tempfile.gettempdir()) / "catalog-portal-namelists"
    )
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _write_private(path: Path, chunks: Iterable[bytes]) -> int:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    size = 0
    with os.fdopen(fd, "wb") as handle:
        for chunk in chunks:
            handle.write(chunk)
            size += len(chunk)
    return size


def _chunks(data) -> Iterator[bytes]:
    if isinstance(data, (bytes, bytearray, memoryview)):
        yield bytes(data)
        return
    if hasattr(data, "chunks"):
        yield from data.chunks()
        return
    if hasattr(data, "seek"):
        data.seek(0)
    while chunk := data.read(1024 * 1024):
        yield chunk


def _size_of(data) -> int | None:
    if isinstance(data, (bytes, bytearray, memoryview)):
        return len(data)
    return getattr(data, "size", None)


def discard_token(token: str) -> None:
    if not token or not TOKEN_PATTERN.match(token):
        return
    directory = staging_dir()
    for suffix in (".upload", ".json"):
        (directory / f"{token}{suffix}").unlink(missing_ok=True)


def staged_upload_discard(staged: StagedUpload) -> None:
    """Delete a staged upload (cancel)."""
    discard_token(staged.token)


def prune_staging(*, max_age: float | None = None, now: float | None = None) -> int:
    """Delete staged uploads older than ``max_age`` seconds; return how many.

    A file of a list that is still ``processing`` is kept (the
    `process_name_lists` command may need it), unless it is older still.
    """
    max_age = (
        max_age
        if max_age is not None
        else getattr(settings, "NAME_LIST_STAGING_MAX_AGE", DEFAULT_STAGING_MAX_AGE)
    )
    now = now if now is not None else time_module.time()
    removed = 0
    directory = staging_dir()
    for entry in directory.iterdir():
        token = entry.name.split(".", 1)[0]
        if not TOKEN_PATTERN.match(token) or entry.suffix != ".upload":
            continue
        try:
            age = now - entry.stat().st_mtime
        except FileNotFoundError:
            continue
        if age > max_age:
            discard_token(token)
            removed += 1
    return removed


def _too_large(size: int, limit: int) -> SpreadsheetError:
    return SpreadsheetError(
        _("文件大小为%(size)s，超过了%(limit)s的上限。请拆分后分批上传。")
        % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
        code="too_large",
    )


def _blocking_list(record: DisclosureRecord) -> NameList | None:
    """The record's list if it may not be replaced by a new upload."""
    return (
        NameList.objects.filter(record=record)
        .exclude(status__in=[s.value for s in REPLACEABLE])
        .first()
    )


def blocking_message(name_list: NameList) -> str:
    if name_list.status == Status.PROCESSING:
        return _("该公开信息的名单正在处理中，请等处理完成后再上传。")
    if name_list.status == Status.PENDING:
        return _("该公开信息的名单正在等待保密审查。如需更换，请先删除该名单再上传。")
    return _("该公开信息已有确认公开的名单。如需更换，请先删除（撤下）该名单再上传。")


def name_list_stage_upload(
    *, record: DisclosureRecord, data, filename: str, actor: User | None
) -> StagedUpload:
    """Check an uploaded xlsx/csv and keep it privately until its columns are mapped.

    ``data`` is bytes or an uploaded file. Raises `SpreadsheetError` (Chinese
    message, row/column where there is one) for a file that cannot be
    published, and `ValidationError` when the record cannot take a new list;
    in both cases nothing is kept.
    """
    blocking = _blocking_list(record)
    if blocking is not None:
        raise ValidationError(blocking_message(blocking), code="list_exists")
    limit = upload_max_bytes()
    declared = _size_of(data)
    if declared is not None and declared > limit:
        raise _too_large(declared, limit)
    prune_staging()
    token = secrets.token_hex(16)
    directory = staging_dir()
    path = directory / f"{token}.upload"
    try:
        size = _write_private(path, _chunks(data))
        if size > limit:
            raise _too_large(size, limit)
        with open_table(path, filename, max_bytes=limit) as table:
            staged = StagedUpload(
                token=token,
                record_id=record.pk,
                user_id=actor.pk if actor is not None else 0,
                filename=(filename or "upload")[:200],
                size=size,
                format=table.format,
                sheet_names=list(table.sheet_names),
                sheet=table.sheet_name,
                created=time_module.time(),
            )
        meta = {k: getattr(staged, k) for k in staged.__dataclass_fields__}
        _write_private(
            directory / f"{token}.json", [json.dumps(meta, ensure_ascii=False).encode()]
        )
    except BaseException:
        discard_token(token)
        raise
    with transaction.atomic():
        audit(
            "disclosures.namelist.uploaded",
            actor=actor,
            region=record.region_id,
            obj=record,
            filename=staged.filename,
            size=size,
            format=staged.format,
        )
    return staged


def staged_upload_get(token: str, *, user: User) -> StagedUpload:
    """The user's own staged upload (raises `StagedUploadMissing` otherwise)."""
    if not TOKEN_PATTERN.match(token or ""):
        raise StagedUploadMissing
    directory = staging_dir()
    try:
        meta = json.loads((directory / f"{token}.json").read_text())
    except (FileNotFoundError, ValueError):
        raise StagedUploadMissing from None
    staged = StagedUpload(**meta)
    max_age = getattr(settings, "NAME_LIST_STAGING_MAX_AGE", DEFAULT_STAGING_MAX_AGE)
    if staged.user_id != user.pk or not staged.path.exists():
        raise StagedUploadMissing
    if time_module.time() - staged.created > max_age:
        staged_upload_discard(staged)
        raise StagedUploadMissing
    return staged


def staged_upload_open(
    staged: StagedUpload, *, sheet: str | None = None
) -> TableSource:
    """Open the staged file (close it after use); raises `SpreadsheetError`."""
    return open_table(
        staged.path, staged.filename, sheet=sheet, max_bytes=upload_max_bytes()
    )


#: Sample values shown under each header on the mapping page.
SAMPLES_PER_COLUMN = 5
#: Data rows read on the mapping page for samples and sensitive-word warnings;
#: processing checks every row of the published columns again.
MAPPING_SCAN_ROWS = 5000


@dataclass
class MappingColumn:
    """One source column on the mapping form.

    ``samples`` are a few of its values, masked (`deidentify.mask_sample`);
    ``sensitive`` the kinds of sensitive words found in it (``illness`` …),
    ``sensitive_cells`` how many cells hold one and ``sensitive_rows`` the
    first of their row numbers.
    """

    index: int
    letter: str
    header: str
    suggested: str
    samples: list[str] = field(default_factory=list)
    sensitive: list[str] = field(default_factory=list)
    sensitive_cells: int = 0
    sensitive_rows: list[int] = field(default_factory=list)

    @property
    def sensitive_label(self) -> str:
        return sensitive_kinds_label(self.sensitive)

    @property
    def display_header(self) -> str:
        return self.header or _("第%(letter)s列") % {"letter": self.letter}


@dataclass
class StagedTable:
    """What the mapping step shows of a staged upload: headers, masked samples, warnings."""

    sheet: str | None
    sheet_names: list[str]
    header_row_number: int
    columns: list[MappingColumn]
    format: str
    encoding: str | None
    rows_scanned: int = 0
    scan_truncated: bool = False


def _scan_columns(table: TableSource, columns: list[MappingColumn]) -> tuple[int, bool]:
    """Fill samples and sensitive-word warnings from the first `MAPPING_SCAN_ROWS` data rows."""
    number = table.first_data_row_number - 1
    scanned = 0
    truncated = False
    for row in table.iter_rows():
        if scanned >= MAPPING_SCAN_ROWS:
            truncated = True
            break
        number += 1
        scanned += 1
        width = len(row)
        for column in columns:
            value = row[column.index] if column.index < width else None
            if value is None or value == "":
                continue
            if len(column.samples) < SAMPLES_PER_COLUMN:
                sample = mask_sample(value, column.suggested or None)
                if sample:
                    column.samples.append(sample)
            kinds = find_sensitive_words(value) if isinstance(value, str) else []
            if kinds:
                column.sensitive_cells += 1
                column.sensitive.extend(k for k in kinds if k not in column.sensitive)
                if len(column.sensitive_rows) < 5:
                    column.sensitive_rows.append(number)
    return scanned, truncated


def staged_upload_table(
    staged: StagedUpload, *, sheet: str | None = None
) -> StagedTable:
    """Headers, suggested kinds, masked samples and sensitive-word warnings of the chosen sheet.

    Reads at most `MAPPING_SCAN_ROWS` data rows. Samples are masked per the
    suggested kind and scanned like free text: no raw ID, phone or card number
    reaches the (staff) mapping page. Raises `SpreadsheetError`.
    """
    with staged_upload_open(staged, sheet=sheet) as table:
        suggested = table.suggested_mapping()
        columns = [
            MappingColumn(
                index=index,
                letter=_column_letter(index),
                header=scan_text(str(header))[0] if header else "",
                suggested=suggested[index].value if index in suggested else "",
            )
            for index, header in enumerate(table.header)
        ]
        scanned, truncated = _scan_columns(table, columns)
        return StagedTable(
            sheet=table.sheet_name,
            sheet_names=list(table.sheet_names),
            header_row_number=table.header_row_number,
            columns=columns,
            format=table.format,
            encoding=table.encoding,
            rows_scanned=scanned,
            scan_truncated=truncated,
        )
