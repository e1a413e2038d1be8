"""Signals other apps listen to (the disclosures app clears public caches on them)."""

from django.dispatch import Signal

# Sent after the transaction that published a catalog version commits.
catalog_published = Signal()
