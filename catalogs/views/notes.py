"""Source notes (待核实提示) of catalog items: a province admin marks one handled."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .. import permissions, provenance
from .manage import StaffView


class SourceNoteResolveView(StaffView):
    """POST only: the note's text (so a stale page never resolves another note)."""

    http_method_names = ["post"]

    def post(self, request, pk: int):
        item = permissions.access_catalog_item(request.user, pk, manage=True)
        if not permissions.can_resolve_source_notes(
            request.user, item.catalog.region_id
        ):
            raise PermissionDenied(
                _("只有省级管理员可以将本区划目录的待核实提示标记为已处理。")
            )
        try:
            provenance.source_note_resolve(
                item=item, note=request.POST.get("note", ""), actor=request.user
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("已将该待核实提示标记为已处理。"))
        next_url = request.POST.get("next", "")
        if next_url.startswith("/work/") and "//" not in next_url:
            return redirect(next_url)
        return redirect(
            reverse("catalogs:catalog_detail", kwargs={"pk": item.catalog_id})
        )
