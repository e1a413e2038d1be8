"""Filters and region scoping for records, obligations and name lists."""

from __future__ import annotations

from datetime import date, datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone

from catalogs.scope import scope_code


def public_q(*, now: datetime | None = None) -> Q:
    """Published (or scheduled and due) and cleared by the publication gate's scan.

    The one definition of "public" for records; `disclosures.gate` is the only
    module public pages read through.
    """
    return Q(
        status__in=["published", "scheduled"],
        publish_at__lte=now or timezone.now(),
        privacy_checked_at__isnull=False,
    )


class DisclosureRecordQuerySet(models.QuerySet):
    def public(self, *, now: datetime | None = None):
        """What anybody may read: published or scheduled records whose time has come.

        Scheduled records count from their publication time on, whether or not
        the `publish_due` command has flipped their status yet.
        """
        return self.filter(public_q(now=now))

    def visible_to(self, user):
        code = scope_code(user)
        if code is None:
            return self.public()
        return self.filter(public_q() | Q(region__code__startswith=code))

    def editable_by(self, user):
        code = scope_code(user)
        if not code or not user.has_perm("disclosures.change_disclosurerecord"):
            return self.none()
        return self.filter(region__code__startswith=code)

    def in_subtree(self, code: str):
        return self.filter(region__code__startswith=code)


class ObligationQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status="open")

    def overdue(self, *, on: date | None = None):
        """Open obligations whose due date has passed (the due day itself is not late)."""
        on = on or timezone.localdate()
        return self.open().filter(due_date__lt=on)

    def visible_to(self, user):
        code = scope_code(user)
        if code is None:
            return self.none()
        return self.filter(region__code__startswith=code)


class NameListQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(status="confirmed")

    def visible_to(self, user):
        code = scope_code(user)
        if code is None:
            return self.none()
        return self.filter(record__region__code__startswith=code)
