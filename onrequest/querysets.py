"""Reusable filters and the region scope of applications.

The applicant's identity and contact details are visible only to staff of the
receiving region itself (SPEC §12): `visible_to` is the region, not the subtree.
An application escalated for coordination (提请上级协调) is read as well by the
receiving region's direct superior (the city for a county, the county for a
township), and by no one further up or beside. City and province reviewers see
counts and dates through `in_subtree`, read by selectors that never select the
personal fields.
"""

from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import Q

from catalogs.scope import scope_code

OPEN_STATUSES = ("registered", "reviewing", "processing")


class ApplicationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Applications received by the user's own region, and the escalated ones of
        the regions directly below it (the superior coordinates; the levels above it
        do not see the applicant). All for superusers."""
        code = scope_code(user)
        if code is None:
            return self.none()
        if code == "":
            return self
        return self.filter(
            Q(region_id=code) | Q(region__parent_id=code, escalated_at__isnull=False)
        )

    def handled_by(self, user):
        """Applications the user may act on: those of the user's own region."""
        code = scope_code(user)
        if code is None:
            return self.none()
        if code == "":
            return self
        return self.filter(region_id=code)

    def in_subtree(self, code: str):
        """Applications received by ``code`` or any region below it."""
        return self.filter(region__code__startswith=code)

    def open(self):
        """Registered and not yet answered: the reply clock runs or is paused."""
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, *, on: date):
        """Open applications whose reply period ended before ``on``."""
        return self.open().filter(due_date__lt=on)

    def archive_overdue(self, *, on: date):
        """Answered, not archived, and past the archiving deadline."""
        return self.filter(status="replied", archive_due__lt=on)
