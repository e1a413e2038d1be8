"""Reusable filters and region scoping for the catalog models.

Scope is the user's region subtree: a user sees everything published, and the
unpublished work of its own region and the regions below it. Object-level
decisions live in `catalogs.permissions`; these QuerySets are the SQL side of
the same rules, so list views never load rows they would then hide.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q

from .scope import scope_code

if TYPE_CHECKING:
    from .models import Region, User


class RegionQuerySet(models.QuerySet):
    def descendants_of(self, region: Region | str, *, include_self: bool = False):
        """Every region below `region` (one query: codes are prefixes)."""
        code = region if isinstance(region, str) else region.code
        qs = self.filter(code__startswith=code)
        return qs if include_self else qs.exclude(code=code)

    def ancestors_of(self, region: Region | str, *, include_self: bool = False):
        """The chain from the province down to `region` (one query)."""
        code = region if isinstance(region, str) else region.code
        codes = [code[:n] for n in self.model.CODE_LENGTHS.values() if n < len(code)]
        if include_self:
            codes.append(code)
        return self.filter(code__in=codes).order_by("code")

    def official(self):
        return self.filter(official=True)

    def visible_to(self, user: User):
        """All regions are public reference data."""
        return self.all()

    def managed_by(self, user: User):
        """Regions whose work the user may see unpublished: its own subtree."""
        code = scope_code(user)
        if code is None:
            return self.none()
        return self.filter(code__startswith=code)


class CatalogQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status="published")

    def open_versions(self):
        return self.filter(status__in=["draft", "submitted", "returned", "approved"])

    def current_published(self):
        """The newest published version of each (region, domain)."""
        newer = self.model.objects.filter(
            region=models.OuterRef("region"),
            domain=models.OuterRef("domain"),
            status="published",
            version__gt=models.OuterRef("version"),
        )
        return self.published().exclude(models.Exists(newer))

    def for_region(self, region: Region | str):
        code = region if isinstance(region, str) else region.code
        return self.filter(region_id=code)

    def in_subtree(self, region: Region | str):
        code = region if isinstance(region, str) else region.code
        return self.filter(region__code__startswith=code)

    def visible_to(self, user: User):
        """Published versions for everybody; unpublished ones within the user's subtree."""
        code = scope_code(user)
        if code is None:
            return self.published()
        return self.filter(Q(status="published") | Q(region__code__startswith=code))

    def editable_by(self, user: User):
        """Open versions the user may edit: its own region's drafts or returned ones."""
        code = scope_code(user)
        if not code or not user.has_perm("catalogs.change_catalog"):
            return self.none()
        return self.filter(region_id=code, status__in=["draft", "returned"])

    def reviewable_by(self, user: User):
        """Submitted versions of regions strictly below the reviewer's region."""
        code = scope_code(user)
        if code is None or not user.has_perm("catalogs.review_catalog"):
            return self.none()
        return self.filter(status="submitted", region__code__startswith=code).exclude(
            region_id=code
        )


class CatalogItemQuerySet(models.QuerySet):
    def visible_to(self, user: User):
        code = scope_code(user)
        if code is None:
            return self.filter(catalog__status="published")
        return self.filter(
            Q(catalog__status="published") | Q(catalog__region__code__startswith=code)
        )

    def editable_by(self, user: User):
        code = scope_code(user)
        if not code or not user.has_perm("catalogs.change_catalogitem"):
            return self.none()
        return self.filter(
            catalog__region_id=code, catalog__status__in=["draft", "returned"]
        )

    def active(self):
        """Items a region actually publishes (not omitted)."""
        return self.filter(omitted=False)

    def with_elements(self):
        """Prefetch what rendering all nine elements needs."""
        # The related model through the relation, not an import: models.py imports
        # this module, so importing models here would be a cycle.
        item_basis = self.model._meta.get_field("basis_links").related_model
        links = item_basis.objects.select_related("document").order_by("order")
        return self.select_related("category").prefetch_related(
            models.Prefetch("basis_links", queryset=links)
        )
