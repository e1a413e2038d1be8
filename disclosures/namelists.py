"""Name lists (名单公示): upload, column mapping, de-identification, preview,
confidentiality review (保密审查), expiry, the public table and its downloads.

Services (every write, with its audit entry) and selectors (reads) of the
name-list workflow, plus its `access_*` helpers. The masking rules are the pure
`disclosures.deidentify`; reading and writing files is `disclosures.spreadsheets`.

Life cycle (`NameList.Status`)
==============================

1. **Upload** (`name_list_stage_upload`). The file is checked at once by
   `open_table` (size, empty, encrypted, old .xls, zip bomb, formulas, header,
   data) and kept under a random token in a private staging directory (outside
   MEDIA_ROOT, never behind a URL, files mode 0600) only until it is masked. A
   refused file leaves nothing behind: no file, no row.
2. **Mapping** (`name_list_start`). The clerk picks the sheet and maps each
   column to a kind; a column left unmapped is not published (deny by
   default). A `NameList` is created in ``processing``; any earlier list of the
   record that was never published (preview, rejected, failed) is replaced.
3. **Processing** (`name_list_process`). Rows stream from the staged file
   through `deidentify_rows` into `NameListRow`, 1,000 at a time, and
   ``rows_done`` is updated every `PROGRESS_EVERY` source rows. The staged file
   is deleted at the end whatever the outcome: only the masked table remains.
   Success → ``preview``; failure → ``failed``, the rows written so far deleted
   and the Chinese error kept for the clerk. Rows of a list in ``processing``
   or ``failed`` are shown to nobody, so nothing half-processed is ever visible.
4. **Preview and submit** (`name_list_submit`). The clerk sees exactly the
   table the public will see (same selector, same template) and a summary:
   columns dropped and why, cells masked, identifiers found, ID numbers with a
   wrong check digit by row and column. ``preview`` → ``pending``.
5. **Confirmation** (`name_list_confirm`, `name_list_reject`). A second person
   of the list's region or a region above it confirms (保密审查), never the
   uploader and never anybody of another county: `can_confirm_name_list`
   checks it and two CheckConstraints on `NameList` enforce it in the database.
6. **Public, for a while** (SPEC §5 "No list is public forever"). A
   confirmed list of a public record is shown on the record page, paginated,
   and downloadable as xlsx and csv, through its last public day
   ``public_until``, stored at confirmation (`compute_public_until`):

   * a list with a publicity period (公示期: its ``publicity_end``, which the
     mapping form fills in from the record's while that is running) until the
     period ends;
   * a standing list (``standing``: 低保/特困 current recipients, 长期公示; the
     clerk ticks it on the mapping form, suggested from the catalog item by
     `standing_list_suggested`) until a newer confirmed list of the same item
     (``item_key``) and region replaces it: confirming the newer list sets the
     older one's ``public_until`` to the day before the newer one is public;
   * any other list for the province's display period
     (`MaskingPolicySetting.display_days`, default 365 days) from its record's
     publication.

   The public query itself filters on the end (`NameList.objects.public`,
   `NameList.objects.live`), so no job has to run for a list to stop: the
   table and the downloads end at the same moment. Afterwards the public
   learns only that the list was published and from when to when; staff
   still see the rows.

Published columns are by default exactly the four of 《社会救助暂行办法》第六十一条
(name, household size, amount, village/community); see `disclosures.deidentify`.
The mapping page shows masked sample values and warns on sensitive words.

Processing model: choice and limits
===================================

A list is processed in the request when it is small (at most
`NAME_LIST_INLINE_ROWS` data rows, estimated from the file) and otherwise in a
daemon thread started by ``transaction.on_commit``, so the mapping form
returns at once and the status page refreshes itself (``<meta
http-equiv="refresh">``, no JavaScript needed) showing rows done / total. The
portal has no task queue, and one thread per upload is the smallest thing that
keeps the page responsive; 100k rows take well under a minute (see
``bench/deidentify.py``). Limits:

* the thread lives in the web process: a worker restart or deployment in the
  middle of processing leaves the list in ``processing``. ``manage.py
  process_name_lists`` (cron, or by hand) finishes such stuck lists from the
  staged file, or marks them failed when the file is gone, and removes stale
  staged files;
* the staging directory is local to the machine: with several app servers it
  must be a shared volume (``NAME_LIST_STAGING_DIR``) or the load balancer must
  keep a clerk on one server for the few minutes of an upload;
* on SQLite the thread's batched inserts briefly hold the write lock; other
  writes wait (the busy timeout) rather than fail. PostgreSQL has no such
  contention;
* with ``NAME_LIST_BACKGROUND = False`` nothing is started in the web process:
  large lists wait in ``processing`` for ``process_name_lists``.

The raw upload is never kept after masking; the optional "keep the raw upload
encrypted for staff audit" region setting is not implemented.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import secrets
import tempfile
import threading
import time as time_module
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db import connection, transaction
from django.db.models import Exists, Min, OuterRef, QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from catalogs.models import User
from catalogs.permissions import (
    can_confirm_name_list,
    can_manage_name_list,
    can_upload_name_list,
    in_scope,
)
from catalogs.scope import scope_code
from catalogs.services import audit

from .deidentify import (
    COLUMN_KIND_LABELS,
    FINDING_KIND_LABELS,
    MAX_STORED_FINDINGS,
    ColumnKind,
    DeidentificationReport,
    DeidentifyError,
    MaskingPolicy,
    _column_letter,
    deidentify_rows,
    find_sensitive_words,
    mask_sample,
    no_publishable_column_message,
    publishable,
    scan_text,
    sensitive_kinds_label,
)
from .models import DisclosureRecord, MaskingPolicySetting, NameList, NameListRow
from .spreadsheets import SpreadsheetError, TableSource, open_table, write_csv, write_xlsx

logger = logging.getLogger(__name__)

Status = NameList.Status

#: Rows per page of the masked table, on the public page and in the preview alike.
ROWS_PER_PAGE = 50
#: ``rows_done`` is written every this many source rows while processing.
PROGRESS_EVERY = 1000
#: Masked rows inserted per query.
ROW_BATCH = 1000
#: Lists estimated at more data rows than this are processed in a background thread.
DEFAULT_INLINE_ROWS = 2000
#: A staged upload not mapped within this many seconds is discarded.
DEFAULT_STAGING_MAX_AGE = 6 * 3600
#: A list in ``processing`` without progress for this many seconds is stuck.
DEFAULT_STUCK_AFTER = 15 * 60

#: Lists in these states may be replaced by a new upload: they were never public
#: and nobody is reviewing them.
REPLACEABLE = (Status.PREVIEW, Status.REJECTED, Status.FAILED)
#: States whose rows staff may look at (never ``processing`` or ``failed``).
ROWS_VISIBLE_TO_STAFF = (Status.PREVIEW, Status.PENDING, Status.CONFIRMED, Status.REJECTED)

_TOKEN = re.compile(r"^[0-9a-f]{32}$")
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="[A-Z]+\d+:[A-Z]+(\d+)"')


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def upload_max_bytes() -> int:
    """Largest accepted upload (the portal-wide ``MAX_UPLOAD_BYTES``)."""
    return int(getattr(settings, "MAX_UPLOAD_BYTES", 20 * 1024 * 1024))


def _inline_rows() -> int:
    return int(getattr(settings, "NAME_LIST_INLINE_ROWS", DEFAULT_INLINE_ROWS))


def _background_enabled() -> bool:
    return bool(getattr(settings, "NAME_LIST_BACKGROUND", True))


# --------------------------------------------------------------------------- policy


#: The province policy's fields, as `masking_policy_set` takes them (the admin
#: passes ``{f: getattr(obj, f) for f in MASKING_POLICY_FIELDS}``).
MASKING_POLICY_FIELDS = (
    "publish_id_number",
    "publish_phone",
    "publish_category",
    "publish_address",
    "mask_names_default",
    "display_days",
)
#: The switches that decide which columns are published and how they are masked:
#: a list processed under other values cannot be confirmed.
_COLUMN_SWITCHES = ("publish_id_number", "publish_phone", "publish_category", "publish_address")


def policy_setting() -> MaskingPolicySetting:
    """The province policy row, or an unsaved one holding the defaults (1 query)."""
    return MaskingPolicySetting.objects.order_by("pk").first() or MaskingPolicySetting()


def masking_policy(
    *, mask_names: bool = False, setting: MaskingPolicySetting | None = None
) -> MaskingPolicy:
    """The province-wide policy (`MaskingPolicySetting`, defaults when unset) for one list (1 query).

    By default only the four fields of 第六十一条 are published; the province
    may add 类别, 地址 (cut to the village), ID and phone numbers (masked).
    """
    setting = setting or policy_setting()
    return MaskingPolicy(
        publish_id_number=setting.publish_id_number,
        publish_phone=setting.publish_phone,
        publish_category=setting.publish_category,
        publish_address=setting.publish_address,
        mask_names=mask_names,
    )


@transaction.atomic
def masking_policy_set(
    *,
    publish_id_number: bool,
    publish_phone: bool,
    publish_category: bool | None = None,
    publish_address: bool | None = None,
    mask_names_default: bool | None = None,
    display_days: int | None = None,
    actor: User | None,
) -> MaskingPolicySetting:
    """Change the one province-wide masking policy (province admins; the admin calls this).

    Arguments left ``None`` keep their current value. Free-text columns (备注,
    原因, other) have no switch: they are never published. Lists processed
    under the old column switches keep their masked rows; a list still waiting
    for review must be uploaded again (`name_list_confirm` refuses it). A new
    display period applies to lists confirmed from now on.
    """
    setting = MaskingPolicySetting.objects.select_for_update().order_by("pk").first()
    before = None
    if setting is None:
        setting = MaskingPolicySetting()
    else:
        before = {f: getattr(setting, f) for f in MASKING_POLICY_FIELDS}
    values = {
        "publish_id_number": publish_id_number,
        "publish_phone": publish_phone,
        "publish_category": publish_category,
        "publish_address": publish_address,
        "mask_names_default": mask_names_default,
        "display_days": display_days,
    }
    for name, value in values.items():
        if value is not None:
            setattr(setting, name, value)
    setting.full_clean()
    setting.save()
    audit(
        "disclosures.masking_policy.changed",
        actor=actor,
        obj=setting,
        before=before,
        after={f: getattr(setting, f) for f in MASKING_POLICY_FIELDS},
    )
    return setting


def _policy_json(policy: MaskingPolicy) -> dict:
    return {
        "publish_id_number": policy.publish_id_number,
        "publish_phone": policy.publish_phone,
        "publish_category": policy.publish_category,
        "publish_address": policy.publish_address,
        "mask_names": policy.mask_names,
    }


# --------------------------------------------------------------------------- access


def _region_code(name_list: NameList) -> str:
    return name_list.region_id or name_list.record.region_id


def access_record_for_name_list(user: User, pk: int) -> DisclosureRecord:
    """A record of the user's subtree that may receive a name list (404 outside the subtree)."""
    try:
        record = (
            DisclosureRecord.objects.editable_by(user)
            .select_related("region", "item", "domain")
            .get(pk=pk)
        )
    except DisclosureRecord.DoesNotExist:
        raise Http404 from None
    if not can_upload_name_list(user, record):
        raise PermissionDenied(_("撤回的公开信息不能上传名单；您也可能没有上传名单的权限。"))
    return record


def access_name_list(user: User, pk: int, *, for_write: bool = False) -> NameList:
    """A name list of the user's region subtree; anything else is a 404.

    ``for_write`` (submit, delete) also needs the capability to change lists.
    """
    try:
        name_list = (
            NameList.objects.visible_to(user)
            .select_related(
                "record", "record__region", "record__domain", "record__item",
                "uploaded_by", "confirmed_by", "region",
            )
            .get(pk=pk)
        )
    except NameList.DoesNotExist:
        raise Http404 from None
    if for_write and not can_manage_name_list(user, name_list):
        raise PermissionDenied(_("您没有修改名单的权限。"))
    return name_list


def access_name_list_for_review(user: User, pk: int) -> NameList:
    """A list the user may confirm or reject (保密审查).

    Another county's list is a 404 like any out-of-scope object; the uploader
    (in scope) gets a 403 that says why.
    """
    name_list = access_name_list(user, pk)
    if can_confirm_name_list(user, name_list):
        return name_list
    if name_list.uploaded_by_id == user.pk:
        raise PermissionDenied(_("上传人不能审查自己上传的名单，请由本单位或上级单位的另一位工作人员确认。"))
    if name_list.status != Status.PENDING:
        raise PermissionDenied(_("该名单当前不在待保密审查状态。"))
    raise PermissionDenied(_("只有名单所属区划或上级区划、具有审查权限的工作人员可以审查该名单。"))


# --------------------------------------------------------------------------- staging


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
    path = Path(configured) if configured else Path(tempfile.gettempdir()) / "catalog-portal-namelists"
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


def _discard_token(token: str) -> None:
    if not token or not _TOKEN.match(token):
        return
    directory = staging_dir()
    for suffix in (".upload", ".json"):
        (directory / f"{token}{suffix}").unlink(missing_ok=True)


def staged_upload_discard(staged: StagedUpload) -> None:
    """Delete a staged upload (cancel)."""
    _discard_token(staged.token)


def prune_staging(*, max_age: float | None = None, now: float | None = None) -> int:
    """Delete staged uploads older than ``max_age`` seconds; return how many.

    A file of a list that is still ``processing`` is kept (the
    `process_name_lists` command may need it), unless it is older still.
    """
    max_age = max_age if max_age is not None else getattr(
        settings, "NAME_LIST_STAGING_MAX_AGE", DEFAULT_STAGING_MAX_AGE
    )
    now = now if now is not None else time_module.time()
    removed = 0
    directory = staging_dir()
    for entry in directory.iterdir():
        token = entry.name.split(".", 1)[0]
        if not _TOKEN.match(token) or entry.suffix != ".upload":
            continue
        try:
            age = now - entry.stat().st_mtime
        except FileNotFoundError:
            continue
        if age > max_age:
            _discard_token(token)
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


def _blocking_message(name_list: NameList) -> str:
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
        raise ValidationError(_blocking_message(blocking), code="list_exists")
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
        _write_private(directory / f"{token}.json", [json.dumps(meta, ensure_ascii=False).encode()])
    except BaseException:
        _discard_token(token)
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
    if not _TOKEN.match(token or ""):
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


def staged_upload_open(staged: StagedUpload, *, sheet: str | None = None) -> TableSource:
    """Open the staged file (close it after use); raises `SpreadsheetError`."""
    return open_table(staged.path, staged.filename, sheet=sheet, max_bytes=upload_max_bytes())


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


def staged_upload_table(staged: StagedUpload, *, sheet: str | None = None) -> StagedTable:
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


# --------------------------------------------------------------------------- start

#: Categories (一级事项) whose 审批 items publish current recipients.
STANDING_CATEGORY_WORDS = ("最低生活保障", "低保", "特困")


def standing_list_suggested(record: DisclosureRecord) -> bool:
    """Whether the record's list is by its item a standing list (长期公示) of current recipients.

    The rule, from the catalog item (no query when ``record.item`` and its
    category are loaded): an item with a publicity period (公示N个工作日) or
    a record with a 公示期 is never standing; an item whose time limit says
    长期 is; otherwise an 审批 item of 最低生活保障 or 特困人员救助供养 (低保对象名单,
    特困人员名单) is. The clerk confirms or changes it on the mapping form.
    """
    item = record.item
    if record.publicity_end is not None or item.publicity_amount:
        return False
    if "长期" in (item.time_limit_text or ""):
        return True
    text = f"{item.category.name}{item.name}"
    return "审批" in item.name and any(word in text for word in STANDING_CATEGORY_WORDS)



def _estimate_data_rows(path: Path, table: TableSource) -> int:
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


def _replace_existing(record: DisclosureRecord, actor: User | None) -> None:
    existing = NameList.objects.filter(record=record).first()
    if existing is None:
        return
    if existing.status not in REPLACEABLE:
        raise ValidationError(_blocking_message(existing), code="list_exists")
    audit(
        "disclosures.namelist.replaced",
        actor=actor,
        region=record.region_id,
        obj=existing,
        status=existing.status,
        rows=existing.row_count,
    )
    existing.delete()


def name_list_start(
    *,
    staged: StagedUpload,
    record: DisclosureRecord,
    sheet: str | None,
    mapping: Mapping[int, str | ColumnKind | None],
    mask_names: bool,
    publicity_end: date | None,
    actor: User | None,
    standing: bool | None = None,
    dispatch: bool = True,
    now: datetime | None = None,
) -> NameList:
    """Create the record's list in ``processing`` from a staged upload and its mapping.

    ``mapping`` maps 0-based column indexes to kinds; columns without a kind
    are not published (deny by default). ``standing`` marks a list of current
    recipients (长期公示, public until a newer list replaces it); ``None``
    takes `standing_list_suggested` for the record. Refuses (`ValidationError`)
    a mapping that publishes nothing, a standing list with a publicity period,
    and a record whose list is pending review or public; an earlier preview,
    rejected or failed list is replaced. With ``dispatch`` the list is
    processed after commit: in the request when small, in a background thread
    otherwise (`name_list_dispatch`); without it the caller runs
    `name_list_process` itself (the demo does).
    """
    if staged.record_id != record.pk:
        raise ValidationError(_("上传的文件不属于这条公开信息，请重新上传。"), code="wrong_record")
    if standing is None:
        standing = publicity_end is None and standing_list_suggested(record)
    if standing and publicity_end is not None:
        raise ValidationError(
            {
                "standing": _(
                    "有公示期的名单在公示期结束后停止公开，不能同时设为长期公示。"
                    "请清空公示期截止日期，或取消“长期公示”。"
                )
            },
            code="standing_with_publicity",
        )
    policy = masking_policy(mask_names=mask_names)
    with staged_upload_open(staged, sheet=sheet) as table:
        width = len(table.header)
        estimate = _estimate_data_rows(staged.path, table)
        source = {
            "format": table.format,
            "sheet": table.sheet_name,
            "sheet_names": list(table.sheet_names),
            "header_row": table.header_row_number,
            "encoding": table.encoding,
        }
    kinds: dict[str, str] = {}
    for index, kind in mapping.items():
        if kind in (None, ""):
            continue
        if not 0 <= int(index) < width:
            raise ValidationError(_("列对应关系与文件不符，请重新选择。"), code="bad_mapping")
        kinds[str(int(index))] = ColumnKind(kind).value
    if not any(publishable(kind, policy) for kind in kinds.values()):
        raise ValidationError(no_publishable_column_message(), code="no_publishable_column")
    now = _now(now)
    with transaction.atomic():
        record = DisclosureRecord.objects.select_for_update().get(pk=record.pk)
        _replace_existing(record, actor)
        name_list = NameList(
            record=record,
            region_id=record.region_id,
            status=Status.PROCESSING,
            source_filename=staged.filename[:200],
            mask_names=mask_names,
            publicity_end=publicity_end,
            standing=standing,
            uploaded_by=actor if actor is not None and actor.pk else None,
            row_count=estimate,
            rows_done=0,
            progress_at=now,
            report={
                "job": {
                    "token": staged.token,
                    "filename": staged.filename,
                    "sheet": source["sheet"],
                    "mapping": kinds,
                    "mask_names": mask_names,
                    "size": staged.size,
                },
                "source": source,
            },
        )
        # The published columns are known only once processing has ended.
        name_list.full_clean(exclude=["columns", "column_kinds"])
        name_list.save()
        audit(
            "disclosures.namelist.started",
            actor=actor,
            region=record.region_id,
            obj=name_list,
            record=record.pk,
            filename=staged.filename,
            sheet=source["sheet"],
            mapping=kinds,
            mask_names=mask_names,
            publicity_end=publicity_end.isoformat() if publicity_end else None,
            standing=standing,
        )
        if dispatch:
            transaction.on_commit(
                partial(name_list_dispatch, name_list.pk, estimated_rows=estimate, size=staged.size)
            )
    return name_list


# --------------------------------------------------------------------------- processing

_threads: dict[int, threading.Thread] = {}
_threads_lock = threading.Lock()


def name_list_dispatch(pk: int, *, estimated_rows: int, size: int = 0) -> None:
    """Process a list now (small) or in a background thread (large).

    A list with an unknown row estimate counts as large beyond 256 KB. Without
    ``NAME_LIST_BACKGROUND`` large lists wait for `process_name_lists`.
    """
    large = estimated_rows > _inline_rows() or (estimated_rows == 0 and size > 256 * 1024)
    if not large:
        name_list_process(pk)
        return
    if not _background_enabled():
        return
    thread = threading.Thread(
        target=_process_in_thread, args=(pk,), name=f"name-list-{pk}", daemon=True
    )
    with _threads_lock:
        _threads[pk] = thread
    thread.start()


def _process_in_thread(pk: int) -> None:
    try:
        name_list_process(pk)
    finally:
        # The thread's own connection; the request's is untouched.
        connection.close()
        with _threads_lock:
            _threads.pop(pk, None)


def wait_for_background(timeout: float | None = None) -> None:
    """Join the background processing threads (tests and the command use it)."""
    with _threads_lock:
        threads = list(_threads.values())
    for thread in threads:
        thread.join(timeout)


class _SourceIdCheck:
    """Notes ID numbers with a wrong check digit in *unpublished* ID columns.

    Published cells are scanned by `deidentify_rows` itself; an ID column the
    province does not publish is never scanned there, yet the clerk should
    still learn which source cells to fix. Only row numbers and column headers
    are kept, never a value.
    """

    def __init__(self, header: Sequence[object], columns: list[int], first_row: int):
        self.columns = [(i, str(header[i]) if header[i] else _column_letter(i)) for i in columns]
        self.first_row = first_row
        self.found: list[tuple[int, str]] = []
        self.total = 0

    def wrap(self, rows: Iterable[Sequence[object]]) -> Iterator[Sequence[object]]:
        if not self.columns:
            yield from rows
            return
        number = self.first_row - 1
        for row in rows:
            number += 1
            width = len(row)
            for index, header in self.columns:
                value = row[index] if index < width else None
                if value is None or value == "":
                    continue
                _masked, kinds = scan_text(value if isinstance(value, str) else str(value))
                if "id_number_bad_check" in kinds:
                    self.total += 1
                    if len(self.found) < MAX_STORED_FINDINGS:
                        self.found.append((number, header))
            yield row


def _json_cell(value: object) -> object:
    """A published cell as JSON: numbers stay numbers, the rest becomes text."""
    if value is None:
        return ""
    kind = type(value)
    if kind is str:
        return value
    if kind is bool:
        return _("是") if value else _("否")
    if kind is int:
        return value if abs(value) < 2**53 else str(value)
    if kind is float:
        if value != value or value in (float("inf"), float("-inf")):
            return ""
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    if kind is Decimal:
        return str(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)


def _store_rows(pk: int, rows: Iterable[Sequence[object]]) -> int:
    batch: list[NameListRow] = []
    number = 0
    for row in rows:
        number += 1
        batch.append(NameListRow(name_list_id=pk, number=number, cells=[_json_cell(v) for v in row]))
        if len(batch) >= ROW_BATCH:
            NameListRow.objects.bulk_create(batch)
            batch = []
    if batch:
        NameListRow.objects.bulk_create(batch)
    return number


def _report_json(
    report: DeidentificationReport,
    check: _SourceIdCheck,
    policy: MaskingPolicy,
    job: dict,
    source: dict,
) -> dict:
    bad = {(f.row, f.column) for f in report.findings if f.kind == "id_number_bad_check"}
    bad.update(check.found)
    bad_total = report.findings_by_kind.get("id_number_bad_check", 0) + check.total
    return {
        "rows_total": report.rows_total,
        "rows_published": report.rows_published,
        "rows_blank": report.rows_blank,
        "columns": [
            {
                "letter": _column_letter(c.index),
                "header": c.header,
                "kind": c.kind.value,
                "published": c.published,
                "reason": c.reason,
                "masked_cells": c.masked_cells,
                "sensitive": sorted(c.sensitive),
                "sensitive_cells": c.sensitive_cells,
                "sensitive_rows": list(c.sensitive_rows),
            }
            for c in report.columns
        ],
        "findings": [{"row": f.row, "column": f.column, "kind": f.kind} for f in report.findings],
        "findings_total": report.findings_total,
        "findings_by_kind": dict(report.findings_by_kind),
        "bad_check_digits": [
            {"row": row, "column": column} for row, column in sorted(bad)[:MAX_STORED_FINDINGS]
        ],
        "bad_check_digits_total": bad_total,
        "names_masked": report.names_masked,
        "addresses_cut": report.addresses_cut,
        "addresses_dropped": report.addresses_dropped,
        "addresses_dropped_rows": list(report.addresses_dropped_rows),
        "summary": report.summary_lines(),
        "policy": _policy_json(policy),
        "source": {**source, "filename": job.get("filename", "")},
    }


def _progress(pk: int) -> Callable[[int], None]:
    def update(done: int) -> None:
        # A plain UPDATE: no post_save (the public cache is not touched) and
        # nothing else of the row changes.
        NameList.objects.filter(pk=pk, status=Status.PROCESSING).update(
            rows_done=done, progress_at=timezone.now()
        )

    return update


def _fail(pk: int, message: str) -> None:
    NameListRow.objects.filter(name_list_id=pk).delete()
    with transaction.atomic():
        name_list = NameList.objects.select_for_update().filter(pk=pk).first()
        if name_list is None or name_list.status != Status.PROCESSING:
            return
        source = name_list.report.get("source", {})
        name_list.status = Status.FAILED
        name_list.report = {"error": message, "source": source}
        name_list.rows_done = 0
        name_list.row_count = 0
        name_list.progress_at = timezone.now()
        name_list.save(update_fields=["status", "report", "rows_done", "row_count", "progress_at"])
        audit(
            "disclosures.namelist.failed",
            actor=name_list.uploaded_by,
            region=_region_code(name_list),
            obj=name_list,
            error=message,
        )


def name_list_process(pk: int) -> NameList | None:
    """De-identify a ``processing`` list from its staged file into masked rows.

    Streams: memory does not grow with the list. All or nothing: on any error
    the rows written so far are deleted and the list is ``failed`` with a
    Chinese message. The staged raw file is deleted in every case. Logs name
    the list and the error's code or type, never a cell value (exception
    messages may quote cells, so they are not logged).
    """
    name_list = NameList.objects.filter(pk=pk, status=Status.PROCESSING).first()
    if name_list is None:
        return None
    job = name_list.report.get("job") or {}
    token = job.get("token", "")
    try:
        # A rerun (process_name_lists) starts from a clean table.
        NameListRow.objects.filter(name_list_id=pk).delete()
        path = staging_dir() / f"{token}.upload"
        if not _TOKEN.match(token) or not path.exists():
            raise DeidentifyError(
                _("处理中断，上传的原始文件已不再保留。请重新上传名单。"), code="staging_missing"
            )
        policy = masking_policy(mask_names=bool(job.get("mask_names")))
        mapping = {int(i): kind for i, kind in (job.get("mapping") or {}).items()}
        with open_table(path, job.get("filename"), sheet=job.get("sheet"), max_bytes=upload_max_bytes()) as table:
            hidden_ids = [
                i for i, kind in mapping.items()
                if kind == ColumnKind.ID_NUMBER.value and not publishable(kind, policy) and i < len(table.header)
            ]
            check = _SourceIdCheck(table.header, hidden_ids, table.first_data_row_number)
            result = deidentify_rows(
                table.header,
                check.wrap(table.iter_rows()),
                mapping,
                policy,
                first_row_number=table.first_data_row_number,
                progress=_progress(pk),
                progress_every=PROGRESS_EVERY,
            )
            count = _store_rows(pk, result)
        report = _report_json(result.report, check, policy, job, name_list.report.get("source", {}))
        with transaction.atomic():
            locked = NameList.objects.select_for_update().filter(pk=pk, status=Status.PROCESSING).first()
            if locked is None:  # deleted while processing
                NameListRow.objects.filter(name_list_id=pk).delete()
                return None
            locked.status = Status.PREVIEW
            locked.columns = list(result.header)
            locked.column_kinds = [kind.value for kind in result.kinds]
            locked.report = report
            locked.row_count = count
            locked.rows_done = result.report.rows_total
            locked.progress_at = timezone.now()
            locked.save(
                update_fields=["status", "columns", "column_kinds", "report", "row_count", "rows_done", "progress_at"]
            )
            audit(
                "disclosures.namelist.processed",
                actor=locked.uploaded_by,
                region=_region_code(locked),
                obj=locked,
                rows=count,
                rows_read=result.report.rows_total,
                columns_published=len(result.header),
                columns_dropped=len(result.report.columns_dropped),
                findings=result.report.findings_total,
                bad_check_digits=report["bad_check_digits_total"],
            )
        return locked
    except DeidentifyError as exc:
        logger.info("name list %s refused while processing (%s)", pk, exc.code)
        _fail(pk, exc.message)
    except Exception as exc:
        logger.error("name list %s: processing failed (%s)", pk, type(exc).__name__)
        _fail(pk, _("处理名单时出错，未公开任何内容。请检查文件后重新上传；如问题重复出现，请联系管理员。"))
    finally:
        _discard_token(token)
    return NameList.objects.filter(pk=pk).first()


@dataclass
class StuckResult:
    finished: int = 0
    failed: int = 0
    pruned: int = 0
    ids: list[int] = field(default_factory=list)


def name_list_finish_stuck(*, older_than: float | None = None, everything: bool = False) -> StuckResult:
    """Finish lists left in ``processing`` (worker restart, ``NAME_LIST_BACKGROUND`` off).

    A list counts as stuck when its progress is older than ``older_than``
    seconds (default ``NAME_LIST_STUCK_AFTER``, 15 minutes); ``everything``
    takes every ``processing`` list. Each is processed again from its staged
    file, in this process; without the file it ends ``failed``. Stale staged
    uploads are pruned afterwards.
    """
    if older_than is None:
        older_than = getattr(settings, "NAME_LIST_STUCK_AFTER", DEFAULT_STUCK_AFTER)
    result = StuckResult()
    qs = NameList.objects.filter(status=Status.PROCESSING)
    if not everything:
        cutoff = timezone.now() - timedelta(seconds=older_than)
        qs = qs.filter(progress_at__lt=cutoff)
    for pk in list(qs.values_list("pk", flat=True)):
        processed = name_list_process(pk)
        result.ids.append(pk)
        if processed is not None and processed.status == Status.PREVIEW:
            result.finished += 1
        else:
            result.failed += 1
    result.pruned = prune_staging()
    return result


def name_list_is_stuck(name_list: NameList, *, now: datetime | None = None) -> bool:
    """Whether a ``processing`` list has made no progress for ``NAME_LIST_STUCK_AFTER``."""
    if name_list.status != Status.PROCESSING or name_list.progress_at is None:
        return False
    limit = getattr(settings, "NAME_LIST_STUCK_AFTER", DEFAULT_STUCK_AFTER)
    return (_now(now) - name_list.progress_at).total_seconds() > limit


# --------------------------------------------------------------------------- review


def _check_policy_unchanged(name_list: NameList, setting: MaskingPolicySetting) -> None:
    used = (name_list.report or {}).get("policy") or {}
    if any(used.get(switch, False) != getattr(setting, switch) for switch in _COLUMN_SWITCHES):
        raise ValidationError(
            _("全省名单脱敏规则在该名单处理之后已调整。请退回，由上传人按新规则重新上传后再审查。"),
            code="policy_changed",
        )


@transaction.atomic
def name_list_submit(*, name_list: NameList, actor: User, now: datetime | None = None) -> NameList:
    """The uploader's region submits a previewed list for the confidentiality review."""
    name_list = NameList.objects.select_for_update().select_related("record").get(pk=name_list.pk)
    if not can_manage_name_list(actor, name_list):
        raise PermissionDenied(_("您没有提交该名单的权限。"))
    if name_list.status != Status.PREVIEW:
        raise ValidationError(_("只有处理完成、尚未提交的名单可以提交保密审查。"), code="bad_status")
    name_list.status = Status.PENDING
    name_list.submitted_at = _now(now)
    name_list.review_note = ""
    name_list.save(update_fields=["status", "submitted_at", "review_note"])
    audit(
        "disclosures.namelist.submitted",
        actor=actor,
        region=_region_code(name_list),
        obj=name_list,
        rows=name_list.row_count,
    )
    return name_list


def _review(
    name_list: NameList, actor: User, status: str, note: str, now: datetime | None
) -> NameList:
    name_list = NameList.objects.select_for_update().select_related("record").get(pk=name_list.pk)
    if not can_confirm_name_list(actor, name_list):
        if name_list.uploaded_by_id is not None and name_list.uploaded_by_id == actor.pk:
            raise PermissionDenied(_("上传人不能审查自己上传的名单，请由本单位或上级单位的另一位工作人员确认。"))
        raise PermissionDenied(_("只有名单所属区划或上级区划、具有审查权限的工作人员可以审查待审查的名单。"))
    name_list.status = status
    name_list.confirmed_by = actor
    name_list.confirmed_region_id = actor.region_id
    name_list.confirmed_at = _now(now)
    name_list.review_note = note
    # Runs the CheckConstraints (not the uploader; within the region's line).
    name_list.full_clean()
    name_list.save(
        update_fields=["status", "confirmed_by", "confirmed_region", "confirmed_at", "review_note"]
    )
    return name_list


def _check_columns_publishable(name_list: NameList, policy: MaskingPolicy) -> None:
    """Refuse a list holding a column the current rules do not publish.

    A list processed before the defaults were narrowed (or under other
    switches) may hold 类别, 备注 … columns; it must be uploaded again.
    """
    refused = [
        header
        for header, kind in zip(name_list.columns, name_list.column_kinds, strict=False)
        if not publishable(kind, policy)
    ]
    if refused:
        raise ValidationError(
            _("名单中的列“%(columns)s”按现行全省规则不公开。请退回，由上传人重新上传后再审查。")
            % {"columns": "、".join(refused)},
            code="column_not_publishable",
        )


def _public_start(name_list: NameList, today: date) -> date:
    """The first day the rows are public: the record's publication day, or ``today``
    (the confirmation) when that is later or the record has no publication time yet."""
    record = name_list.record
    if record.publish_at is None:
        return today
    return max(timezone.localdate(record.publish_at), today)


def _display_from(name_list: NameList, today: date) -> date:
    """Where the display period counts from: the record's publication day (as the
    public page shows it), or ``today`` when the record has no publication time yet."""
    record = name_list.record
    return timezone.localdate(record.publish_at) if record.publish_at else today


def compute_public_until(
    name_list: NameList, *, display_days: int, today: date
) -> date | None:
    """The last day a confirmed list's rows are public (None: standing, until replaced).

    A publicity period (公示期) ends with ``publicity_end``; a standing list
    has no end of its own; any other list ends ``display_days`` calendar days
    after its record's publication (the day of publication counts as the
    first). Pure: reads the list and its record only.
    """
    if name_list.standing:
        return None
    if name_list.publicity_end is not None:
        return name_list.publicity_end
    return _display_from(name_list, today) + timedelta(days=display_days - 1)


def _same_item_and_region(name_list: NameList) -> QuerySet:
    return NameList.objects.confirmed().filter(
        record__item_key=name_list.record.item_key, region_id=_region_code(name_list)
    ).exclude(pk=name_list.pk)


def _newer_than(name_list: NameList):
    record = name_list.record
    return (record.trigger_date, name_list.confirmed_at or timezone.now(), name_list.pk)


@transaction.atomic
def _settle_public_until(name_list: NameList, *, display_days: int, today: date) -> list[int]:
    """Store the confirmed list's ``public_until`` and end the standing lists it replaces.

    A standing list of the same item and region that is older (by its
    record's trigger date, then confirmation) ends the day before this list
    becomes public; if this list is a standing list and a newer list already
    exists, this one ends likewise. Returns the ids of the lists ended.
    """
    name_list.public_until = compute_public_until(name_list, display_days=display_days, today=today)
    others = list(
        _same_item_and_region(name_list).select_related("record").select_for_update(of=("self",))
    )
    mine = _newer_than(name_list)
    newer = [o for o in others if _newer_than(o) > mine]
    if name_list.standing and newer:
        # Confirmed late: a newer list already replaces this one.
        first = min(newer, key=_newer_than)
        first_day = timezone.localdate(first.confirmed_at) if first.confirmed_at else today
        name_list.public_until = _public_start(first, first_day) - timedelta(days=1)
    name_list.save(update_fields=["public_until"])
    end = _public_start(name_list, today) - timedelta(days=1)
    ended = []
    for other in others:
        if other.standing and other.public_until is None and _newer_than(other) < mine:
            other.public_until = end
            other.save(update_fields=["public_until"])
            ended.append(other.pk)
    return ended


@transaction.atomic
def name_list_confirm(
    *, name_list: NameList, actor: User, note: str = "", now: datetime | None = None
) -> NameList:
    """Confirm a pending list (保密审查): it becomes public with its record, for a while.

    The reviewer belongs to the list's region or a region above it and is not
    the uploader (`can_confirm_name_list`, and the model's CheckConstraints).
    A list masked under a province policy that has changed since, or holding
    a column the current rules do not publish, is refused. The list's last
    public day (`public_until`) is stored now (`compute_public_until`), and
    standing lists of the same item and region that it replaces end the day
    before it becomes public.
    """
    setting = policy_setting()
    _check_policy_unchanged(name_list, setting)
    _check_columns_publishable(name_list, masking_policy(setting=setting))
    name_list = _review(name_list, actor, Status.CONFIRMED, note, now)
    today = timezone.localdate(_now(now))
    replaced = _settle_public_until(name_list, display_days=setting.display_days, today=today)
    audit(
        "disclosures.namelist.confirmed",
        actor=actor,
        region=_region_code(name_list),
        obj=name_list,
        record=name_list.record_id,
        rows=name_list.row_count,
        standing=name_list.standing,
        public_until=name_list.public_until.isoformat() if name_list.public_until else None,
        replaced=replaced,
    )
    return name_list


@transaction.atomic
def name_list_sync_with_record(
    *, record: DisclosureRecord, actor: User | None = None, now: datetime | None = None
) -> NameList | None:
    """Recompute the end of the record's confirmed list after the record's dates changed.

    For the records service to call when a record is published, scheduled or
    rescheduled after its list was confirmed: a display period counts from
    the record's publication day. Lists with a publicity period or standing
    lists keep their end, and an ended list stays ended. Returns the list, or
    None when the record has no confirmed list.
    """
    name_list = (
        NameList.objects.confirmed()
        .select_for_update(of=("self",))
        .select_related("record")
        .filter(record=record)
        .first()
    )
    if name_list is None:
        return None
    today = timezone.localdate(_now(now))
    if name_list.public_period_kind != "display" or (
        name_list.public_until is not None and name_list.public_until < today
    ):
        return name_list
    before = name_list.public_until
    after = compute_public_until(name_list, display_days=policy_setting().display_days, today=today)
    if after == before:
        return name_list
    name_list.public_until = after
    name_list.save(update_fields=["public_until"])
    audit(
        "disclosures.namelist.public_until_changed",
        actor=actor,
        region=_region_code(name_list),
        obj=name_list,
        before=before.isoformat() if before else None,
        after=after.isoformat() if after else None,
    )
    return name_list


@transaction.atomic
def name_list_reject(
    *, name_list: NameList, actor: User, note: str, now: datetime | None = None
) -> NameList:
    """Send a pending list back with the reviewer's reason; it is never published."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("请填写退回理由，说明需要上传人修改什么。")}, code="required")
    name_list = _review(name_list, actor, Status.REJECTED, note, now)
    audit(
        "disclosures.namelist.rejected",
        actor=actor,
        region=_region_code(name_list),
        obj=name_list,
        record=name_list.record_id,
        note=note,
    )
    return name_list


@transaction.atomic
def name_list_delete(*, name_list: NameList, actor: User, reason: str = "") -> None:
    """Delete a list and its masked rows (a public one disappears from the record page).

    Not while it is being processed, unless its processing is stuck.
    """
    name_list = NameList.objects.select_for_update().select_related("record").get(pk=name_list.pk)
    if not can_manage_name_list(actor, name_list):
        raise PermissionDenied(_("您没有删除该名单的权限。"))
    if name_list.status == Status.PROCESSING and not name_list_is_stuck(name_list):
        raise ValidationError(_("名单正在处理中，请等处理完成后再删除。"), code="processing")
    audit(
        "disclosures.namelist.deleted",
        actor=actor,
        region=_region_code(name_list),
        obj=name_list,
        record=name_list.record_id,
        status=name_list.status,
        rows=name_list.row_count,
        reason=reason,
    )
    token = (name_list.report.get("job") or {}).get("token", "")
    name_list.delete()
    transaction.on_commit(partial(_discard_token, token))


# --------------------------------------------------------------------------- selectors


def name_list_rows_page(name_list: NameList, page=1) -> Page:
    """One page of the masked rows (2 queries: count, page), as the public sees them."""
    return Paginator(
        NameListRow.objects.filter(name_list=name_list).order_by("number").only("number", "cells"),
        ROWS_PER_PAGE,
    ).get_page(page)


def name_list_is_expired(name_list: NameList, *, today: date | None = None) -> bool:
    """Whether a confirmed list's rows are no longer public (staff pages; no query).

    The same rule as the public query (`NameList.is_public_on`).
    """
    today = today or timezone.localdate()
    return name_list.status == Status.CONFIRMED and not name_list.is_public_on(today)


@dataclass
class PublicNameList:
    """What the public may see of a record's name list.

    ``expired``: the list was public and no longer is; ``rows`` is then None
    and the page shows only ``published_from``–``published_until``.
    ``period`` is ``publicity``, ``standing`` or ``display``
    (`NameList.public_period_kind`).
    """

    name_list: NameList
    expired: bool
    rows: Page | None
    published_from: date | None
    published_until: date | None
    period: str = "display"


def name_list_published_from(record: DisclosureRecord) -> date | None:
    """Start of the list's publicity: the record's publication day, as on the record page.

    (A list confirmed after its record was published starts a little later in
    fact; the record's day keeps the two dates of the page consistent.)
    """
    return timezone.localdate(record.publish_at) if record.publish_at else None


def _public_rows_page(name_list: NameList, page, today: date) -> Page:
    """One page of rows, read through the public query (2 queries: count, page).

    The end date is enforced by the row query itself: even a wrong flag in
    Python could not bring an ended list's rows back.
    """
    return Paginator(
        NameListRow.objects.filter(
            name_list_id=name_list.pk,
            name_list__in=NameList.objects.live(today=today).values("pk"),
        )
        .order_by("number")
        .only("number", "cells"),
        ROWS_PER_PAGE,
    ).get_page(page)


def name_list_public(record: DisclosureRecord, *, page=1, today: date | None = None) -> PublicNameList | None:
    """The record's confirmed list for the public page (1 query; 3 with rows).

    None when there is no confirmed list: unconfirmed lists are never public.
    Whether its rows are still public is decided in SQL by the list query
    (`NameListQuerySet.live`: ``public_until``, the standing rule …) and the
    row queries filter on it again. After the end the public learns that the
    list was published and from when to when, not its rows. The caller has
    checked that the record itself is public (the publication gate).
    """
    today = today or timezone.localdate()
    name_list = (
        NameList.objects.confirmed()
        .filter(record=record)
        .annotate(live=Exists(NameList.objects.live(today=today).filter(pk=OuterRef("pk"))))
        .first()
    )
    if name_list is None:
        return None
    expired = not name_list.live
    until = name_list.public_until
    if until is None and name_list.public_period_kind == "publicity":
        until = name_list.publicity_end
    return PublicNameList(
        name_list=name_list,
        expired=expired,
        rows=None if expired else _public_rows_page(name_list, page, today),
        published_from=name_list_published_from(record),
        published_until=until,
        period=name_list.public_period_kind,
    )


def name_list_for_download(record_pk: int, *, today: date | None = None, now: datetime | None = None) -> NameList:
    """The list of a public record while its rows are public (1 query).

    `NameList.objects.public`: confirmed, inside its public period, and its
    record public, all in the one query, so downloads end at the same moment
    as the table. Raises `NameList.DoesNotExist` for anything else.
    """
    return NameList.objects.public(today=today, now=now).select_related("record").get(record_id=record_pk)


def name_list_next_end(*, today: date | None = None) -> date | None:
    """The last public day of the public list that ends soonest (1 query), or None.

    For the page cache: the public pages change at the midnight after it
    without any write. Rows written without the service fall back to their
    ``publicity_end``, as in the public query.
    """
    today = today or timezone.localdate()
    return (
        NameList.objects.live(today=today)
        .annotate(end=Coalesce("public_until", "publicity_end"))
        .filter(end__gte=today)
        .aggregate(m=Min("end"))["m"]
    )


EXPORT_CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def name_list_export(name_list: NameList, fmt: str) -> tuple[bytes, str, str]:
    """The masked list as xlsx or csv (UTF-8 with BOM): bytes, filename, content type.

    Exactly the public table (序号 and the published columns); formula-like
    text is neutralised by the writers. Rows are read in chunks (one query
    on PostgreSQL with a server-side cursor).
    """
    header = [_("序号"), *name_list.columns]
    rows = (
        [number, *cells]
        for number, cells in NameListRow.objects.filter(name_list=name_list)
        .order_by("number")
        .values_list("number", "cells")
        .iterator(chunk_size=2000)
    )
    buffer = io.BytesIO()
    if fmt == "xlsx":
        write_xlsx(header, rows, buffer)
    elif fmt == "csv":
        write_csv(header, rows, buffer)
    else:
        raise ValueError(fmt)
    title = re.sub(r'[\\/:*?"<>|\r\n]+', "", name_list.record.title)[:80] or _("名单")
    filename = _("%(title)s（名单）.%(ext)s") % {"title": title, "ext": fmt}
    return buffer.getvalue(), filename, EXPORT_CONTENT_TYPES[fmt]


@dataclass
class NameListSummary:
    """The uploader's and reviewer's view of a processing report (never a cell value)."""

    rows_total: int
    rows_published: int
    rows_blank: int
    columns_kept: list[dict]
    columns_dropped: list[dict]
    masked_cells: list[dict]
    sensitive_columns: list[dict]
    findings_total: int
    findings_by_kind: list[dict]
    findings: list[dict]
    findings_truncated: int
    bad_check_digits: list[dict]
    bad_check_digits_total: int
    names_masked: int
    addresses_cut: int
    addresses_dropped: int
    addresses_dropped_rows: list[int]
    source: dict
    policy: dict


def name_list_summary(name_list: NameList) -> NameListSummary | None:
    """The summary of a processed list (no query); None before processing has ended."""
    report = name_list.report or {}
    if "columns" not in report:
        return None
    columns = [
        {
            **c,
            "kind_label": str(COLUMN_KIND_LABELS[ColumnKind(c["kind"])]),
            "sensitive_label": sensitive_kinds_label(c.get("sensitive", [])),
        }
        for c in report["columns"]
    ]
    findings = [
        {
            **f,
            "kind_label": str(FINDING_KIND_LABELS.get(f["kind"], f["kind"])),
        }
        for f in report.get("findings", [])
    ]
    return NameListSummary(
        rows_total=report.get("rows_total", 0),
        rows_published=report.get("rows_published", 0),
        rows_blank=report.get("rows_blank", 0),
        columns_kept=[c for c in columns if c["published"]],
        columns_dropped=[c for c in columns if not c["published"]],
        masked_cells=[c for c in columns if c["published"] and c["masked_cells"]],
        sensitive_columns=[c for c in columns if c["published"] and c.get("sensitive_cells")],
        findings_total=report.get("findings_total", 0),
        findings_by_kind=[
            {"label": str(FINDING_KIND_LABELS.get(kind, kind)), "count": count}
            for kind, count in sorted(report.get("findings_by_kind", {}).items())
        ],
        findings=findings,
        findings_truncated=report.get("findings_total", 0) - len(findings),
        bad_check_digits=report.get("bad_check_digits", []),
        bad_check_digits_total=report.get("bad_check_digits_total", 0),
        names_masked=report.get("names_masked", 0),
        addresses_cut=report.get("addresses_cut", 0),
        addresses_dropped=report.get("addresses_dropped", 0),
        addresses_dropped_rows=report.get("addresses_dropped_rows", []),
        source=report.get("source", {}),
        policy=report.get("policy", {}),
    )


def name_list_of_record(record: DisclosureRecord) -> NameList | None:
    """The record's list in whatever state, for staff pages (1 query)."""
    return NameList.objects.filter(record=record).first()


def name_list_list_for(user: User, *, status: str = "") -> QuerySet:
    """Name lists of the user's subtree, newest first (1 query when iterated)."""
    qs = NameList.objects.visible_to(user).select_related(
        "record", "record__region", "uploaded_by", "confirmed_by"
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-pk")


def name_list_review_queue(user: User) -> QuerySet:
    """Pending lists the user may confirm: its region or below, not its own uploads (1 query)."""
    code = scope_code(user)
    if not code or not user.has_perm("disclosures.change_namelist"):
        return NameList.objects.none()
    return (
        NameList.objects.filter(status=Status.PENDING, region__code__startswith=code)
        .exclude(uploaded_by=user)
        .select_related("record", "record__region", "uploaded_by")
        .order_by("submitted_at", "pk")
    )


def records_for_upload(user: User, *, limit: int = 200) -> list[DisclosureRecord]:
    """Records of the user's subtree that can take a new list, newest first (1 query)."""
    if not user.has_perm("disclosures.add_namelist"):
        return []
    blocked = NameList.objects.exclude(status__in=[s.value for s in REPLACEABLE]).values("record_id")
    return list(
        DisclosureRecord.objects.editable_by(user)
        .exclude(status=DisclosureRecord.Status.WITHDRAWN)
        .exclude(pk__in=blocked)
        .select_related("region")
        .order_by("-created_at", "-pk")[:limit]
    )


def name_list_progress(name_list: NameList) -> dict:
    """Rows done / total for the status page; the total is an estimate while processing."""
    total = name_list.row_count
    done = name_list.rows_done
    if total and done > total:
        total = done
    return {
        "done": done,
        "total": total,
        "percent": int(done * 100 / total) if total else None,
    }


def staff_can(user: User, name_list: NameList) -> dict:
    """Flags the staff templates read (no query)."""
    manage = can_manage_name_list(user, name_list)
    return {
        "can_submit": manage and name_list.status == Status.PREVIEW,
        "can_delete": manage
        and (name_list.status != Status.PROCESSING or name_list_is_stuck(name_list)),
        "can_review": can_confirm_name_list(user, name_list),
        "can_replace": manage
        and name_list.status in REPLACEABLE
        and in_scope(user, name_list.record.region_id),
        "rows_visible": name_list.status in ROWS_VISIBLE_TO_STAFF,
    }
