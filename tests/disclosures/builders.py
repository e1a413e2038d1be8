"""Builders of the records tests under tests/disclosures: a Shanghai wall-clock time and
the applicable item of a region by name (the fixtures using them are in conftest.py)."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from catalogs.models import Region
from disclosures.records import obligations as obligation_services

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(y: int, m: int, d: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(date(y, m, d), time(hour, minute), tzinfo=SHANGHAI)


def item_of(
    region: Region, name: str, *, kind: str | None = None, publicity: bool | None = None
):
    """The applicable item of `region` with this name (first match)."""
    for item in obligation_services.applicable_items(region):
        if item.name != name:
            continue
        if kind and item.deadline_kind != kind:
            continue
        if publicity is not None and bool(item.publicity_amount) != publicity:
            continue
        return item
    raise LookupError(name)
