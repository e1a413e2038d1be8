"""Name-list mapping and processing: a staged upload and its column mapping become
a ``processing`` list (`name_list_start`), whose rows are masked into `NameListRow`
by a background task (`tasks.process_name_list` → `name_list_run` →
`name_list_process`) enqueued when the mapping commits; the report the summary
pages read; lists whose worker died handed to a worker again or failed
(`name_list_rescue`, every minute).

The life cycle and the processing model are described in `disclosures.namelists`.
"""

from __future__ import annotations

import gc
import logging
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalogs.models import Region, User
from catalogs.services import audit

from ..deidentify import (
    MAX_STORED_FINDINGS,
    ColumnKind,
    DeidentificationReport,
    DeidentifyError,
    MaskingPolicy,
    deidentify_rows,
    gb11643_check_digit,
    no_publishable_column_message,
    publishable,
    scan_text,
)
from ..deidentify import (
    column_letter as _column_letter,
)
from ..models import DisclosureRecord, NameList, NameListRow
from ..records import villages as record_villages
from ..spreadsheets import open_table
from .services import masking_policy, policy_json
from .staging import (
    StagedUpload,
    blocking_message,
    discard_token,
    prune_staging,
    staged_file_exists,
    staged_layout,
    staged_local_path,
    upload_max_bytes,
)
from .states import (
    DEFAULT_STUCK_AFTER,
    REPLACEABLE,
    Status,
    name_list_is_stuck,
    now_or,
    region_code,
)

logger = logging.getLogger(__name__)

#: ``rows_done`` is written every this many source rows while processing.
PROGRESS_EVERY = 1000
#: Masked rows inserted per transaction (one ``executemany``); a few MB of JSON.
ROW_BATCH = 5000
#: Runs of one list's task (first run and retries after a worker died) before it fails.
DEFAULT_MAX_ATTEMPTS = 3


def _max_attempts() -> int:
    return int(getattr(settings, "NAME_LIST_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS))


def _stuck_after() -> float:
    return float(getattr(settings, "NAME_LIST_STUCK_AFTER", DEFAULT_STUCK_AFTER))


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


def _replace_existing(record: DisclosureRecord, actor: User | None) -> None:
    existing = NameList.objects.filter(record=record).first()
    if existing is None:
        return
    if existing.status not in REPLACEABLE:
        raise ValidationError(blocking_message(existing), code="list_exists")
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
    village: Region | None = None,
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
    rejected or failed list is replaced. With ``dispatch`` the processing
    task is enqueued when the transaction commits (`name_list_dispatch`);
    without it the caller runs `name_list_process` itself (the demo does).
    ``village`` names the 村/社区 the list concerns (`name_list_village_set`),
    in the same transaction: both or neither.
    """
    if staged.record_id != record.pk:
        raise ValidationError(
            _("上传的文件不属于这条公开信息，请重新上传。"), code="wrong_record"
        )
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
    layout = staged_layout(staged, sheet)
    width = layout.pop("width")
    estimate = layout.pop("estimate")
    source = layout
    kinds: dict[str, str] = {}
    for index, kind in mapping.items():
        if kind in (None, ""):
            continue
        if not 0 <= int(index) < width:
            raise ValidationError(
                _("列对应关系与文件不符，请重新选择。"), code="bad_mapping"
            )
        kinds[str(int(index))] = ColumnKind(kind).value
    if not any(publishable(kind, policy) for kind in kinds.values()):
        raise ValidationError(
            no_publishable_column_message(), code="no_publishable_column"
        )
    now = now_or(now)
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
        if village is not None:
            record_villages.name_list_village_set(
                name_list=name_list, village=village, actor=actor
            )
        if dispatch:
            transaction.on_commit(partial(name_list_dispatch, name_list.pk))
    return name_list


# --------------------------------------------------------------------------- processing


def name_list_dispatch(pk: int) -> None:
    """Enqueue the list's processing task (`tasks.process_name_list`).

    Called on commit, so the worker never sees a list the request rolled
    back. The worker may run on another machine: it reads the staged file
    from the private storage.
    """
    from .tasks import process_name_list  # the task module imports this one

    result = process_name_list.enqueue(pk)
    logger.info("name list %s: processing task %s enqueued", pk, result.id)


def _job(name_list: NameList) -> dict:
    return dict((name_list.report or {}).get("job") or {})


def name_list_run(pk: int) -> NameList | None:
    """The task's body: claim the list for this run, then process it.

    Each run counts an attempt in the list's job. A list already claimed by a
    run that is still making progress is left alone (a duplicate task); a list
    whose runs were all interrupted (`NAME_LIST_MAX_ATTEMPTS`, by a worker
    killed mid-list) is failed with a message for the clerk instead of being
    tried again.
    """
    run = uuid.uuid4().hex
    with transaction.atomic():
        name_list = (
            NameList.objects.select_for_update()
            .filter(pk=pk, status=Status.PROCESSING)
            .first()
        )
        if name_list is None:
            return None
        job = _job(name_list)
        if job.get("run") and not name_list_is_stuck(name_list):
            logger.info("name list %s: already being processed", pk)
            return name_list
        attempts = int(job.get("attempts", 0))
        exhausted = attempts >= _max_attempts()
        if not exhausted:
            job.update(run=run, attempts=attempts + 1)
            name_list.report = {**name_list.report, "job": job}
            name_list.rows_done = 0
            name_list.progress_at = timezone.now()
            name_list.save(update_fields=["report", "rows_done", "progress_at"])
    if exhausted:
        logger.warning("name list %s: %s interrupted runs, failed", pk, attempts)
        _fail(pk, interrupted_message())
        discard_token(job.get("token", ""))
        return NameList.objects.filter(pk=pk).first()
    return name_list_process(pk, run=run)


def interrupted_message() -> str:
    return _(
        "后台处理多次中断（服务器重启或故障），未公开任何内容。请重新上传名单；"
        "如问题重复出现，请联系管理员。"
    )


class _Superseded(Exception):
    """Another run has taken the list over (this one was thought dead)."""


_CHECK_CHARACTERS = frozenset("0123456789Xx")


def _good_id_cell(value: object) -> bool:
    """A cell that is one 18-character ID number with a correct check character.

    The common cell of an ID column, settled without the full scan: `scan_text`
    finds exactly one ``id_number`` in such a text, never an
    ``id_number_bad_check``. Anything else (another length, separators,
    full-width digits, several numbers, a wrong check) gets the full scan.
    """
    if type(value) is not str or len(value) != 18 or not value.isascii():
        return False
    first17 = value[:17]
    return (
        first17.isdigit()
        and value[17] in _CHECK_CHARACTERS
        and gb11643_check_digit(first17) == value[17].upper()
    )


class _SourceIdCheck:
    """Notes ID numbers with a wrong check digit in *unpublished* ID columns.

    Published cells are scanned by `deidentify_rows` itself; an ID column the
    province does not publish is never scanned there, yet the clerk should
    still learn which source cells to fix. Only row numbers and column headers
    are kept, never a value.
    """

    def __init__(self, header: Sequence[object], columns: list[int], first_row: int):
        self.columns = [
            (i, str(header[i]) if header[i] else _column_letter(i)) for i in columns
        ]
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
                if _good_id_cell(value):
                    continue
                _masked, kinds = scan_text(
                    value if isinstance(value, str) else str(value)
                )
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
        return (
            value.date().isoformat()
            if value.time() == time(0)
            else value.isoformat(sep=" ")
        )
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)


def _store_rows(pk: int, rows: Iterable[Sequence[object]]) -> int:
    """Insert the masked rows, numbered from 1; returns how many.

    The rows `NameListRow.objects.bulk_create` would store, without building a
    model instance per row: one ``INSERT`` run with ``executemany`` per
    `ROW_BATCH` rows, each batch in its own transaction. ``cells`` goes through
    the backend's JSON adaptation with the field's encoder, as the field's
    ``get_db_prep_save`` does (JSON text on SQLite, ``jsonb`` on PostgreSQL),
    so the stored values are the ORM's.
    """
    meta = NameListRow._meta
    using = router.db_for_write(NameListRow)
    connection = connections[using]
    quote = connection.ops.quote_name
    cells_field = meta.get_field("cells")
    # What ``cells_field.get_db_prep_save`` returns for a list (never None nor
    # an expression here), without its layers per row: the backend's own JSON
    # adaptation with the field's encoder.
    adapt = partial(connection.ops.adapt_json_value, encoder=cells_field.encoder)
    columns = ", ".join(
        quote(meta.get_field(name).column) for name in ("name_list", "number", "cells")
    )
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES (%s, %s, %s)"
    batch: list[tuple[int, int, object]] = []
    number = 0

    def flush() -> None:
        with transaction.atomic(using=using), connection.cursor() as cursor:
            cursor.executemany(sql, batch)

    for row in rows:
        number += 1
        batch.append((pk, number, adapt([_json_cell(v) for v in row])))
        if len(batch) >= ROW_BATCH:
            flush()
            batch = []
    if batch:
        flush()
    return number


@contextmanager
def _young_garbage_only() -> Iterator[None]:
    """Keep the cyclic garbage collector off the objects that exist before processing.

    Reading a list allocates millions of short-lived objects, and each
    allocation burst makes the collector walk every object of the worker
    (Django, the app registry, openpyxl's shared-strings table once it is
    loaded): a third of the task's time at 100,000 rows. The objects alive
    when processing starts are frozen for its duration (`gc.freeze`) and
    young collections run less often; reference counting still frees every
    row as it goes, and the frozen objects are handed back to the collector
    afterwards (`gc.unfreeze`), so a long-running worker keeps nothing.
    """
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(threshold[0], 50_000), *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def _report_json(
    report: DeidentificationReport,
    check: _SourceIdCheck,
    policy: MaskingPolicy,
    job: dict,
    source: dict,
) -> dict:
    bad = {
        (f.row, f.column) for f in report.findings if f.kind == "id_number_bad_check"
    }
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
        "findings": [
            {"row": f.row, "column": f.column, "kind": f.kind} for f in report.findings
        ],
        "findings_total": report.findings_total,
        "findings_by_kind": dict(report.findings_by_kind),
        "bad_check_digits": [
            {"row": row, "column": column}
            for row, column in sorted(bad)[:MAX_STORED_FINDINGS]
        ],
        "bad_check_digits_total": bad_total,
        "names_masked": report.names_masked,
        "addresses_cut": report.addresses_cut,
        "addresses_dropped": report.addresses_dropped,
        "addresses_dropped_rows": list(report.addresses_dropped_rows),
        "summary": report.summary_lines(),
        "policy": policy_json(policy),
        "source": {**source, "filename": job.get("filename", "")},
    }


def _progress(pk: int, run: str | None = None) -> Callable[[int], None]:
    def update(done: int) -> None:
        # A plain UPDATE: no post_save (the public cache is not touched) and
        # nothing else of the row changes. It is also the run's heartbeat.
        rows = NameList.objects.filter(pk=pk, status=Status.PROCESSING)
        if run is not None:
            rows = rows.filter(report__job__run=run)
        if not rows.update(rows_done=done, progress_at=timezone.now()) and run:
            raise _Superseded

    return update


def _fail(pk: int, message: str, run: str | None = None) -> None:
    with transaction.atomic():
        name_list = NameList.objects.select_for_update().filter(pk=pk).first()
        if name_list is None or name_list.status != Status.PROCESSING:
            return
        if run is not None and _job(name_list).get("run") != run:
            return
        NameListRow.objects.filter(name_list_id=pk).delete()
        source = name_list.report.get("source", {})
        name_list.status = Status.FAILED
        name_list.report = {"error": message, "source": source}
        name_list.rows_done = 0
        name_list.row_count = 0
        name_list.progress_at = timezone.now()
        name_list.save(
            update_fields=["status", "report", "rows_done", "row_count", "progress_at"]
        )
        audit(
            "disclosures.namelist.failed",
            actor=name_list.uploaded_by,
            region=region_code(name_list),
            obj=name_list,
            error=message,
        )


def name_list_process(pk: int, *, run: str | None = None) -> NameList | None:
    """De-identify a ``processing`` list from its staged file into masked rows.

    Streams: memory does not grow with the list. All or nothing: on any error
    the rows written so far are deleted and the list is ``failed`` with a
    Chinese message. The staged raw file is deleted in every case. Logs name
    the list and the error's code or type, never a cell value (exception
    messages may quote cells, so they are not logged). ``run`` (the task's
    claim, `name_list_run`) makes the run stop, touching nothing, when a
    later run has taken the list over.
    """
    name_list = NameList.objects.filter(pk=pk, status=Status.PROCESSING).first()
    if name_list is None:
        return None
    job = _job(name_list)
    token = job.get("token", "")
    try:
        # A retry starts from a clean table.
        NameListRow.objects.filter(name_list_id=pk).delete()
        policy = masking_policy(mask_names=bool(job.get("mask_names")))
        mapping = {int(i): kind for i, kind in (job.get("mapping") or {}).items()}
        with (
            _young_garbage_only(),
            _staged_or_refuse(token) as path,
            open_table(
                path,
                job.get("filename"),
                sheet=job.get("sheet"),
                max_bytes=upload_max_bytes(),
            ) as table,
        ):
            hidden_ids = [
                i
                for i, kind in mapping.items()
                if kind == ColumnKind.ID_NUMBER.value
                and not publishable(kind, policy)
                and i < len(table.header)
            ]
            check = _SourceIdCheck(
                table.header, hidden_ids, table.first_data_row_number
            )
            result = deidentify_rows(
                table.header,
                check.wrap(table.iter_rows()),
                mapping,
                policy,
                first_row_number=table.first_data_row_number,
                progress=_progress(pk, run),
                progress_every=PROGRESS_EVERY,
            )
            count = _store_rows(pk, result)
        report = _report_json(
            result.report, check, policy, job, name_list.report.get("source", {})
        )
        with transaction.atomic():
            locked = (
                NameList.objects.select_for_update()
                .filter(pk=pk, status=Status.PROCESSING)
                .first()
            )
            if locked is None:  # deleted while processing
                NameListRow.objects.filter(name_list_id=pk).delete()
                return None
            if run is not None and _job(locked).get("run") != run:
                raise _Superseded
            locked.status = Status.PREVIEW
            locked.columns = list(result.header)
            locked.column_kinds = [kind.value for kind in result.kinds]
            locked.report = report
            locked.row_count = count
            locked.rows_done = result.report.rows_total
            locked.progress_at = timezone.now()
            locked.save(
                update_fields=[
                    "status",
                    "columns",
                    "column_kinds",
                    "report",
                    "row_count",
                    "rows_done",
                    "progress_at",
                ]
            )
            audit(
                "disclosures.namelist.processed",
                actor=locked.uploaded_by,
                region=region_code(locked),
                obj=locked,
                rows=count,
                rows_read=result.report.rows_total,
                columns_published=len(result.header),
                columns_dropped=len(result.report.columns_dropped),
                findings=result.report.findings_total,
                bad_check_digits=report["bad_check_digits_total"],
            )
        discard_token(token)
        return locked
    except _Superseded:
        logger.warning("name list %s: taken over by a later run, stopped", pk)
        return NameList.objects.filter(pk=pk).first()
    except DeidentifyError as exc:
        logger.info("name list %s refused while processing (%s)", pk, exc.code)
        _fail(pk, exc.message, run)
    except Exception as exc:
        logger.error("name list %s: processing failed (%s)", pk, type(exc).__name__)
        _fail(
            pk,
            _(
                "处理名单时出错，未公开任何内容。请检查文件后重新上传；如问题重复出现，请联系管理员。"
            ),
            run,
        )
    discard_token(token)
    return NameList.objects.filter(pk=pk).first()


@contextmanager
def _staged_or_refuse(token: str) -> Iterator[Path]:
    with ExitStack() as stack:
        try:
            path = stack.enter_context(staged_local_path(token))
        except FileNotFoundError:
            raise DeidentifyError(
                _("处理中断，上传的原始文件已不再保留。请重新上传名单。"),
                code="staging_missing",
            ) from None
        yield path


@dataclass
class RescueResult:
    requeued: int = 0
    failed: int = 0
    pruned: int = 0
    ids: list[int] = field(default_factory=list)


def name_list_rescue(
    *, older_than: float | None = None, everything: bool = False
) -> RescueResult:
    """Lists left in ``processing`` by a dead worker: hand them to a worker again, or fail them.

    A list counts as stuck when its progress (the running task's heartbeat,
    every `PROGRESS_EVERY` rows) is older than ``older_than`` seconds (default
    ``NAME_LIST_STUCK_AFTER``, 10 minutes); ``everything`` takes every
    ``processing`` list. Each one whose staged file is still there and whose
    runs are not used up (``NAME_LIST_MAX_ATTEMPTS``) gets a new processing
    task; the others end ``failed`` with a Chinese message for the clerk and
    their file is deleted. Stale staged uploads are pruned afterwards.
    Idempotent: a list handed over is not stuck again before another
    ``older_than`` without progress.
    """
    older_than = _stuck_after() if older_than is None else older_than
    result = RescueResult()
    stuck = NameList.objects.filter(status=Status.PROCESSING)
    if not everything:
        stuck = stuck.filter(
            progress_at__lt=timezone.now() - timedelta(seconds=older_than)
        )
    for pk in list(stuck.values_list("pk", flat=True)):
        with transaction.atomic():
            name_list = (
                NameList.objects.select_for_update()
                .filter(pk=pk, status=Status.PROCESSING)
                .first()
            )
            if name_list is None:
                continue
            job = _job(name_list)
            token = job.get("token", "")
            if not staged_file_exists(token):
                message = _("处理中断，上传的原始文件已不再保留。请重新上传名单。")
            elif int(job.get("attempts", 0)) >= _max_attempts():
                message = interrupted_message()
            else:
                message = ""
                job.pop("run", None)  # the dead run's claim; the next run claims anew
                name_list.report = {**name_list.report, "job": job}
                name_list.progress_at = timezone.now()
                name_list.save(update_fields=["report", "progress_at"])
        result.ids.append(pk)
        if message:
            logger.warning("name list %s: stuck, failed", pk)
            _fail(pk, message)
            discard_token(token)
            result.failed += 1
        else:
            logger.warning("name list %s: stuck, handed to a worker again", pk)
            name_list_dispatch(pk)
            result.requeued += 1
    result.pruned = prune_staging()
    return result
