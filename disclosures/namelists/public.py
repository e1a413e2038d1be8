"""What the public sees of name lists: the table of a public record, its downloads,
and the next day a list stops being public (for the page cache).

The only name-list module public code may import: it reads confirmed lists
through `NameList.objects.public`/`live` (end dates enforced in SQL) and never
imports staging or processing.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date, datetime

from django.core.paginator import Page, Paginator
from django.db.models import Exists, Min, OuterRef
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import DisclosureRecord, NameList, NameListRow
from ..spreadsheets import write_csv, write_xlsx

#: Rows per page of the masked table, on the public page and in the preview alike.
ROWS_PER_PAGE = 50


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


def name_list_public(
    record: DisclosureRecord, *, page=1, today: date | None = None
) -> PublicNameList | None:
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
        .select_related("village")
        .annotate(
            live=Exists(NameList.objects.live(today=today).filter(pk=OuterRef("pk")))
        )
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


def name_list_for_download(
    record_pk: int, *, today: date | None = None, now: datetime | None = None
) -> NameList:
    """The list of a public record while its rows are public (1 query).

    `NameList.objects.public`: confirmed, inside its public period, and its
    record public, all in the one query, so downloads end at the same moment
    as the table. Raises `NameList.DoesNotExist` for anything else.
    """
    return (
        NameList.objects.public(today=today, now=now)
        .select_related("record")
        .get(record_id=record_pk)
    )


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
