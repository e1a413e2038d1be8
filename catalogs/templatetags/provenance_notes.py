"""The 待核实 source notes of an item a province admin may mark handled (issue 16)."""

from __future__ import annotations

from django import template

from .. import permissions
from ..models import CatalogItem

register = template.Library()


@register.simple_tag(takes_context=True)
def resolvable_notes(context, item) -> list[str]:
    """The open notes of ``item`` (a CatalogItem or a diff Snapshot of one of the
    page's ``catalog``), when the signed-in user may resolve them.

    No query for anyone else; for a province admin one query per page (the notes
    of every item of the catalog, kept in the render context).
    """
    request = context.get("request")
    user = getattr(request, "user", None)
    catalog = context.get("catalog")
    if item is None or user is None or catalog is None:
        return []
    if not permissions.can_resolve_source_notes(user, catalog.region_id):
        return []
    cache = context.render_context.setdefault("provenance_open_notes", {})
    if catalog.pk not in cache:
        cache[catalog.pk] = dict(
            CatalogItem.objects.filter(catalog_id=catalog.pk)
            .exclude(uncertain=[])
            .values_list("pk", "uncertain")
        )
    notes = cache[catalog.pk].get(item.pk, [])
    return [note for note in notes if isinstance(note, str)]
