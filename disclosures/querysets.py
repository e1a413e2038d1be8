"""Filters and region scoping for records, obligations and name lists."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import models
from django.db.models import Q
from django.utils import timezone

from catalogs.scope import scope_code

#: Days a list without publicity period that is not a standing list stays public
#: (the province may change it: `MaskingPolicySetting.display_days`).
DEFAULT_DISPLAY_DAYS = 365


def legacy_display_cutoff(today: date) -> datetime:
    """Confirmed at or after this moment: a list whose end was never computed is still public.

    Only for rows written without the service (which always stores
    ``public_until``): they get the default display period from confirmation.
    """
    first_day = today - timedelta(days=DEFAULT_DISPLAY_DAYS - 1)
    return timezone.make_aware(datetime.combine(first_day, time.min))


def name_list_live_q(*, today: date) -> Q:
    """A name list whose rows the public may see on ``today`` (its record aside).

    Confirmed, and ``today`` not after its last public day: ``public_until``
    when computed (publicity period, display period, or a replaced standing
    list); a standing list not yet replaced has none and stays. A row without
    ``public_until`` that is not standing falls back to ``publicity_end``, or
    else to the default display period from its confirmation. A list with
    neither is never public (fail closed).
    """
    return Q(status="confirmed") & (
        Q(public_until__gte=today)
        | Q(public_until__isnull=True, standing=True)
        | Q(public_until__isnull=True, standing=False, publicity_end__gte=today)
        | Q(
            public_until__isnull=True,
            standing=False,
            publicity_end__isnull=True,
            confirmed_at__gte=legacy_display_cutoff(today),
        )
    )


def public_q(*, now: datetime | None = None) -> Q:
    """Published (or scheduled and due) and cleared by the publication gate's scan.

    The one definition of "public" for records; `disclosures.public.gate` is the only
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

    def live(self, *, today: date | None = None):
        """Lists whose rows are public on ``today`` as far as the list goes (`name_list_live_q`)."""
        return self.filter(name_list_live_q(today=today or timezone.localdate()))

    def public(self, *, today: date | None = None, now: datetime | None = None):
        """What the public may read: a live list (`live`) of a public record.

        The one query behind the public table and the downloads, so a list's
        end (and its record's withdrawal) holds without any job having run.
        """
        now = now or timezone.now()
        today = today or timezone.localdate(now)
        from .models import DisclosureRecord

        return self.live(today=today).filter(
            record__in=DisclosureRecord.objects.public(now=now)
        )

    def visible_to(self, user):
        code = scope_code(user)
        if code is None:
            return self.none()
        return self.filter(record__region__code__startswith=code)


class AttachmentQuerySet(models.QuerySet):
    def publishable(self):
        """Attachments that may be public with their record: scanned clean on upload,
        or confirmed by a second person when they could not be scanned (scans, photos)."""
        return self.filter(scan_status__in=["clean", "confirmed"])

    def needs_review(self):
        return self.filter(scan_status="needs_review")
