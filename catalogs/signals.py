"""Signals other apps listen to (the disclosures app clears public caches on them)."""

from django.dispatch import Signal

# Sent after the transaction that published a catalog version commits.
catalog_published = Signal()

# Sent inside the transaction that changed the official working-day calendar
# (catalogs.calendar), so receivers' writes commit or roll back with the edit.
# Arguments: ``first`` and ``last`` (dates: the changed range), ``actor``.
calendar_changed = Signal()
