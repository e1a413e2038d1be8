"""Receivers that keep obligations in step with the catalogs app.

Thin: each calls one service. Connected in `DisclosuresConfig.ready()`.
"""

from __future__ import annotations

from django.utils import timezone


def recompute_open_obligations(sender, *, first, last, actor=None, **kwargs) -> None:
    """The working-day calendar changed: open obligations get new due dates."""
    from .records.obligations import obligation_recompute_open

    obligation_recompute_open(first=first, last=last, actor=actor)


def generate_periodic_obligations(sender, *, catalog=None, **kwargs) -> None:
    """A catalog was published: its periodic items owe a posting for the current period."""
    from .records.obligations import obligation_generate_periodic

    if catalog is None:
        return
    obligation_generate_periodic(on=timezone.localdate(), region_code=catalog.region_id)


def connect() -> None:
    from catalogs.signals import calendar_changed, catalog_published

    calendar_changed.connect(
        recompute_open_obligations,
        dispatch_uid="disclosures_recompute_open_obligations",
    )
    catalog_published.connect(
        generate_periodic_obligations,
        dispatch_uid="disclosures_generate_periodic_obligations",
    )
