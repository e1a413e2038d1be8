"""Private staged uploads of name lists: checked at once, kept briefly, never behind a URL.

`name_list_stage_upload` checks a file with `open_table` and keeps it under a
random token in private storage only until it is masked; `staged_upload_table`
reads headers, masked samples and sensitive-word warnings for the mapping page.
A refused file leaves nothing.

Private storage is ``STORAGES["private"]`` (catalog_portal.settings): a
directory outside MEDIA_ROOT (files 0600) on the default file-system set-up,
a private prefix of the bucket with ``STORAGE_BACKEND=s3``. Every app server
and the task workers read the same storage, so the upload, the mapping and
the processing may each happen on a different machine. Nothing builds a URL to
it. ``NAME_LIST_STAGING_DIR`` (tests, or one machine) puts the staged files in
that directory instead. A staged file is deleted when its list has been
processed (whatever the outcome), when the clerk cancels, and by the expiry
sweep (`prune_staging`, every minute: `catalog_portal.tasks`) once it is
``NAME_LIST_STAGING_MAX_AGE`` old (30 minutes) and no list is processing it.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import tempfile
import time as time_module
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, storages
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
DEFAULT_STAGING_MAX_AGE = 30 * 60
#: The folder of staged uploads inside the private storage.
STAGING_PREFIX = "namelist-staging/"

TOKEN_PATTERN = re.compile(r"^[0-9a-f]{32}$")
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="[A-Z]+\d+:[A-Z]+(\d+)"')


def upload_max_bytes() -> int:
    """Largest accepted upload (the portal-wide ``MAX_UPLOAD_BYTES``)."""
    return int(getattr(settings, "MAX_UPLOAD_BYTES", 20 * 1024 * 1024))


def staging_max_age() -> float:
    return float(
        getattr(settings, "NAME_LIST_STAGING_MAX_AGE", DEFAULT_STAGING_MAX_AGE)
    )


class StagedUploadMissing(Exception):
    """The staged upload does not exist, has expired or belongs to someone else."""


@cache
def _directory_storage(location: str) -> FileSystemStorage:
    return FileSystemStorage(
        location=location,
        base_url="/no-url/",
        file_permissions_mode=0o600,
        directory_permissions_mode=0o700,
    )


def staging_storage() -> tuple[Storage, str]:
    """The private storage of staged uploads and the folder in it (``prefix``)."""
    configured = getattr(settings, "NAME_LIST_STAGING_DIR", None)
    if configured:
        return _directory_storage(str(configured)), ""
    return storages["private"], STAGING_PREFIX


def _name(token: str, suffix: str) -> str:
    return f"{staging_storage()[1]}{token}{suffix}"


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
    #: The default sheet's layout, read once at upload (`staged_layout`).
    layout: dict | None = None

    @property
    def path(self) -> Path:
        """The file on disk, for a file-system storage only (tests, `os.utime`)."""
        storage, _prefix = staging_storage()
        return Path(storage.path(_name(self.token, ".upload")))


def staged_file_exists(token: str) -> bool:
    storage, _prefix = staging_storage()
    return bool(TOKEN_PATTERN.match(token or "")) and storage.exists(
        _name(token, ".upload")
    )


@contextmanager
def staged_local_path(token: str) -> Iterator[Path]:
    """A local path of the staged raw file, for as long as the block runs.

    On a file-system storage the file itself; otherwise (S3) a private
    temporary copy (0600), deleted when the block ends. Raises
    `FileNotFoundError` when the staged file is gone.
    """
    if not TOKEN_PATTERN.match(token or ""):
        raise FileNotFoundError(token)
    storage, _prefix = staging_storage()
    name = _name(token, ".upload")
    if isinstance(storage, FileSystemStorage):
        path = Path(storage.path(name))
        if not path.exists():
            raise FileNotFoundError(token)
        yield path
        return
    if not storage.exists(name):
        raise FileNotFoundError(token)
    fd, temporary = tempfile.mkstemp(prefix="namelist-", suffix=".upload")
    try:
        with os.fdopen(fd, "wb") as out, storage.open(name, "rb") as source:
            shutil.copyfileobj(source, out, 1024 * 1024)
        yield Path(temporary)
    finally:
        Path(temporary).unlink(missing_ok=True)


def _write_local(chunks: Iterable[bytes]) -> tuple[Path, int]:
    fd, temporary = tempfile.mkstemp(prefix="namelist-", suffix=".upload")
    size = 0
    with os.fdopen(fd, "wb") as handle:
        for chunk in chunks:
            handle.write(chunk)
            size += len(chunk)
    return Path(temporary), size


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
    storage, _prefix = staging_storage()
    for suffix in (".upload", ".json"):
        name = _name(token, suffix)
        try:
            if storage.exists(name):
                storage.delete(name)
        except FileNotFoundError:
            pass


def staged_upload_discard(staged: StagedUpload) -> None:
    """Delete a staged upload (cancel)."""
    discard_token(staged.token)


def _tokens_in_processing() -> set[str]:
    reports = NameList.objects.filter(status=Status.PROCESSING).values_list(
        "report", flat=True
    )
    return {(report or {}).get("job", {}).get("token", "") for report in reports}


def prune_staging(*, max_age: float | None = None, now: float | None = None) -> int:
    """Delete staged uploads older than ``max_age`` seconds; return how many.

    Default age ``NAME_LIST_STAGING_MAX_AGE`` (30 minutes). The file of a list
    still ``processing`` is kept: its task needs it, and the rescue job
    (`processing.name_list_rescue`) deletes it when it fails the list.
    """
    max_age = max_age if max_age is not None else staging_max_age()
    now = now if now is not None else time_module.time()
    storage, prefix = staging_storage()
    try:
        _dirs, files = storage.listdir(prefix)
    except (FileNotFoundError, NotADirectoryError):
        return 0
    ages: dict[str, float] = {}
    for filename in files:
        token, _dot, suffix = filename.partition(".")
        if not TOKEN_PATTERN.match(token) or suffix not in ("upload", "json"):
            continue
        try:
            modified = storage.get_modified_time(prefix + filename).timestamp()
        except (FileNotFoundError, OSError):
            continue
        if suffix == "upload" or token not in ages:
            ages[token] = now - modified
    if not ages:
        return 0
    keep = _tokens_in_processing()
    removed = 0
    for token, age in ages.items():
        if age > max_age and token not in keep:
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


def _save_private(name: str, content) -> None:
    storage, _prefix = staging_storage()
    saved = storage.save(name, content)
    if saved != name:  # a token is never reused; refuse rather than guess
        storage.delete(saved)
        raise OSError("staged name taken")


def name_list_stage_upload(
    *, record: DisclosureRecord, data, filename: str, actor: User | None
) -> StagedUpload:
    """Check an uploaded xlsx/csv and keep it privately until its columns are mapped.

    ``data`` is bytes or an uploaded file. Raises `SpreadsheetError` (Chinese
    message, row/column where there is one) for a file that cannot be
    published, and `ValidationError` when the record cannot take a new list;
    in both cases nothing is kept. The file is checked in a private local
    temporary file, then saved to the private storage.
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
    local: Path | None = None
    try:
        local, size = _write_local(_chunks(data))
        if size > limit:
            raise _too_large(size, limit)
        with open_table(local, filename, max_bytes=limit) as table:
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
                layout=_layout(local, table),
            )
        with open(local, "rb") as handle:
            _save_private(_name(token, ".upload"), File(handle))
        meta = {k: getattr(staged, k) for k in staged.__dataclass_fields__}
        _save_private(
            _name(token, ".json"),
            ContentFile(json.dumps(meta, ensure_ascii=False).encode()),
        )
    except BaseException:
        discard_token(token)
        raise
    finally:
        if local is not None:
            local.unlink(missing_ok=True)
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
    storage, _prefix = staging_storage()
    try:
        with storage.open(_name(token, ".json"), "rb") as handle:
            meta = json.loads(handle.read().decode())
    except (FileNotFoundError, ValueError):
        raise StagedUploadMissing from None
    staged = StagedUpload(**meta)
    if staged.user_id != user.pk or not staged_file_exists(token):
        raise StagedUploadMissing
    if time_module.time() - staged.created > staging_max_age():
        staged_upload_discard(staged)
        raise StagedUploadMissing
    return staged


@contextmanager
def staged_upload_open(
    staged: StagedUpload, *, sheet: str | None = None
) -> Iterator[TableSource]:
    """Open the staged file for the block; raises `SpreadsheetError`."""
    with ExitStack() as stack:
        try:
            path = stack.enter_context(staged_local_path(staged.token))
        except FileNotFoundError:
            raise SpreadsheetError(
                _("上传的文件已过期或已被删除，请重新上传。"), code="staging_missing"
            ) from None
        yield stack.enter_context(
            open_table(path, staged.filename, sheet=sheet, max_bytes=upload_max_bytes())
        )


def estimate_data_rows(path: Path, table: TableSource) -> int:
    """Rough number of data rows below the header, for progress only (0 = unknown).

    csv: newlines in the file; xlsx: the sheet's stored ``<dimension>``. Both
    are cheap (no cell is parsed) and may be off; nothing depends on them
    being exact.
    """
    try:
        if table.format == "csv":
            lines = 0
            last = b""
            with open(path, "rb") as handle:
                while chunk := handle.read(1024 * 1024):
                    lines += chunk.count(b"\n")
                    last = chunk[-1:]
            if last and last != b"\n":
                lines += 1
            return max(lines - table.header_row_number, 0)
        worksheet = getattr(table, "_ws", None)
        member = getattr(worksheet, "_worksheet_path", "").lstrip("/")
        if not member:
            return 0
        with zipfile.ZipFile(path) as archive, archive.open(member) as handle:
            head = handle.read(64 * 1024)
        match = _DIMENSION.search(head)
        if match is None:
            return 0
        return max(int(match.group(1)) - table.header_row_number, 0)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return 0


def _layout(path: Path, table: TableSource) -> dict:
    return {
        "format": table.format,
        "sheet": table.sheet_name,
        "sheet_names": list(table.sheet_names),
        "header_row": table.header_row_number,
        "encoding": table.encoding,
        "width": len(table.header),
        "estimate": estimate_data_rows(path, table),
    }


def staged_layout(staged: StagedUpload, sheet: str | None = None) -> dict:
    """The chosen sheet's layout (format, sheet, header row, width, estimated rows).

    The default sheet's was read at upload and kept with the upload: starting
    the list then opens no workbook (a large one takes a second to open).
    Another sheet is read now. Raises `SpreadsheetError`, or `ValidationError`
    when the staged file is gone.
    """
    if staged.layout and sheet in (None, staged.sheet):
        if not staged_file_exists(staged.token):
            raise ValidationError(
                _("上传的文件已过期或已被删除，请重新上传。"), code="staging_missing"
            )
        return dict(staged.layout)
    try:
        with (
            staged_local_path(staged.token) as path,
            open_table(
                path, staged.filename, sheet=sheet, max_bytes=upload_max_bytes()
            ) as table,
        ):
            return _layout(path, table)
    except FileNotFoundError:
        raise ValidationError(
            _("上传的文件已过期或已被删除，请重新上传。"), code="staging_missing"
        ) from None


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
