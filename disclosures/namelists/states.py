"""Name-list states: which states allow what, and when a ``processing`` list is stuck.

Shared by the staging, processing, services, selectors and permission modules;
it imports only the models.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.utils import timezone

from ..models import NameList

Status = NameList.Status

#: A list in ``processing`` without progress for this many seconds is stuck.
DEFAULT_STUCK_AFTER = 15 * 60

#: Lists in these states may be replaced by a new upload: they were never public
#: and nobody is reviewing them.
REPLACEABLE = (Status.PREVIEW, Status.REJECTED, Status.FAILED)
#: States whose rows staff may look at (never ``processing`` or ``failed``).
ROWS_VISIBLE_TO_STAFF = (
    Status.PREVIEW,
    Status.PENDING,
    Status.CONFIRMED,
    Status.REJECTED,
)


def now_or(now: datetime | None) -> datetime:
    """``now`` when given (tests, the demo), else the current time."""
    return now or timezone.now()


def region_code(name_list: NameList) -> str:
    """The list's region code (its own, or its record's for rows written without one)."""
    return name_list.region_id or name_list.record.region_id


def name_list_is_stuck(name_list: NameList, *, now: datetime | None = None) -> bool:
    """Whether a ``processing`` list has made no progress for ``NAME_LIST_STUCK_AFTER``."""
    if name_list.status != Status.PROCESSING or name_list.progress_at is None:
        return False
    limit = getattr(settings, "NAME_LIST_STUCK_AFTER", DEFAULT_STUCK_AFTER)
    return (now_or(now) - name_list.progress_at).total_seconds() > limit
