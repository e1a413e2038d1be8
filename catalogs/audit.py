"""Who did what: the audit log entry every service writes, and the history attribution.

Every write service records an `AuditLogEntry` inside its own transaction (codes
such as ``catalogs.catalog.published``), and attributes the django-simple-history
row of the object it saves to the acting user.
"""

from __future__ import annotations

from typing import Any

from .models import AuditLogEntry, Region, User


def audit(
    action: str,
    *,
    actor: User | None,
    region: Region | str | None = None,
    obj: Any = None,
    **data: Any,
) -> AuditLogEntry:
    """Record an audit entry (call inside the service's transaction)."""
    region_code = region if isinstance(region, str) or region is None else region.code
    return AuditLogEntry.objects.create(
        action=action,
        actor=actor if actor is not None and actor.pk else None,
        region_id=region_code,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        data=data,
    )


def history_actor(obj: Any, actor: User | None) -> None:
    """Attribute the django-simple-history row of the next save to `actor`, also
    outside a request (commands, demo data); the request user otherwise."""
    if actor is not None and actor.pk:
        obj._history_user = actor
