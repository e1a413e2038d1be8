"""The metadata a government disclosure column shows for every record (SPEC §13).

索引号 (index number), 发布机构 (issuing body), 成文日期 (date written), 发布日期
(the publication date, ``publish_at``), 文号 (document number, optional) and
主题分类 (topic). The records services fill the defaults and give the index
number; nothing here saves.

The index number is ``<region code>/<year>-<sequence>`` with a five-digit
sequence per issuing body (the publishing region) and publication year, e.g.
``410311/2025-00012``. It is given when a record first becomes public or
scheduled and is never changed afterwards, so a citation of it stays valid after
corrections and even after a withdrawal.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Max
from django.utils import timezone

from catalogs.models import Region

from ..models import DisclosureRecord

#: The topic of records about the disclosure work itself (annual reports, guides).
TOPIC_OPEN_GOVERNMENT = "政务公开"
SEQUENCE_DIGITS = 5


def default_issuer(region: Region) -> str:
    """The issuing body of a region's records by default (the civil-affairs office or
    the township government), e.g. 洛龙区民政局, 李楼街道办事处."""
    name = region.name
    level = region.level
    if level == Region.Level.PROVINCE:
        return f"{name}民政厅"
    if level in (Region.Level.CITY, Region.Level.COUNTY):
        return f"{name}民政局"
    if level == Region.Level.TOWNSHIP:
        return f"{name}办事处" if name.endswith("街道") else f"{name}人民政府"
    if name.endswith("社区"):
        return f"{name}居民委员会"
    if name.endswith("村"):
        return f"{name}民委员会"
    return f"{name}村民委员会"


def index_prefix(region_code: str, year: int) -> str:
    return f"{region_code}/{year}-"


def next_index_number(region_code: str, year: int) -> str:
    """The next free index number of a region's publication year.

    Sequences are zero-padded, so the greatest number is the greatest string.
    Two clerks of one region publishing at the same moment would both read the
    same greatest number, so the region's row is locked first (PostgreSQL's
    ``SELECT … FOR UPDATE``; SQLite already serialises writers): the second
    waits for the first's commit and then sees its number. ``FOR NO KEY
    UPDATE``, not ``FOR UPDATE``: each transaction's own record insert holds a
    key-share lock on the region, which a plain ``FOR UPDATE`` would wait on in
    both directions (a deadlock). Must run inside the publishing transaction,
    which the records services open.
    """
    list(
        Region.objects.select_for_update(no_key=True)
        .filter(pk=region_code)
        .values_list("pk")
    )
    prefix = index_prefix(region_code, year)
    last = DisclosureRecord.objects.filter(index_number__startswith=prefix).aggregate(
        last=Max("index_number")
    )["last"]
    sequence = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{sequence:0{SEQUENCE_DIGITS}d}"


def assign_index_number(record: DisclosureRecord, publish_at: datetime) -> None:
    """Give the record its index number (unsaved) unless it already has one."""
    if record.index_number:
        return
    year = timezone.localdate(publish_at).year
    record.index_number = next_index_number(record.region_id, year)


def fill_defaults(record: DisclosureRecord, region: Region, domain_name: str) -> None:
    """Issuing body, date written and topic when the clerk left them empty (unsaved)."""
    record.issuer = (record.issuer or "").strip() or default_issuer(region)
    if record.written_date is None:
        record.written_date = record.trigger_date
    record.topic = (record.topic or "").strip() or domain_name
    record.document_number = (record.document_number or "").strip()
