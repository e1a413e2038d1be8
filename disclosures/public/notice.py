"""The print-ready notice of a public record for village notice boards (村务公开栏, SPEC §14).

`/records/<id>/notice/` is the record page laid out as a paper notice: A4
portrait (or A3), the issuing body, the title, the publicity period with both
dates, the de-identified list, a supervision phone line, the date and a QR code
that leads to the online record. It shows nothing the public page does not:
the record comes from the same selector (`selectors.record_page`, through the
gate), the list from the same gate function (`gate.name_list`) with the same
masked cells, and the rows of a list whose public period has ended are not
printed either. The QR code is drawn on the server (segno, inline SVG), so
printing needs no network.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import segno

from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from catalogs.models import Region

from ..deidentify import scan_text
from ..models import DisclosureRecord
from ..records.attachment_scan import REFUSED_KINDS
from . import gate, selectors
from .cache import cache_public_page

#: Paper sizes offered (``?size=a3``); A4 portrait by default.
SIZES = ("a4", "a3")
#: Rows printed at most; a longer list says so and points to the online record.
MAX_PRINT_ROWS = 2000

# Where the supervision phone (监督电话) comes from: the region's 政府信息公开指南
# lives in an app above this one, which registers a provider at start-up
# (`register_supervision_phone`); disclosures never imports it.
PhoneProvider = Callable[[list[Region]], list[str]]
_phone_providers: list[PhoneProvider] = []


def register_supervision_phone(provider: PhoneProvider) -> None:
    """Let a higher app (the 政府信息公开指南) supply supervision phones.

    `provider(regions)` gets the record's region and its ancestors, nearest
    first, and returns the phones it knows for them in the same order (one
    query for all, so the notice's query count does not grow with the depth).
    Registering the same provider twice has no effect.
    """
    if provider not in _phone_providers:
        _phone_providers.append(provider)


def supervision_phone(region: Region, ancestors: list[Region]) -> str:
    """The region's supervision phone, else its nearest ancestor's; '' when none is known.

    A value the identifier scan would refuse on a public page (a mobile
    number …) is not printed: the notice shows only what the public page may.
    """
    chain = [region, *reversed(ancestors)]
    for provider in _phone_providers:
        for phone in provider(chain):
            phone = (phone or "").strip()
            if phone and not set(scan_text(phone)[1]) & set(REFUSED_KINDS):
                return phone
    return ""


def issuing_body(region: Region, ancestors: list[Region]) -> str:
    """Who issues the notice, as a notice is signed.

    A 街道 signs as its 办事处, a 镇/乡 as its 人民政府, a county as its 民政局
    (the civil-affairs bureau that publishes county records); the county's
    name goes before a township's so that a reader far from the township still
    knows where it is.
    """
    county = next((a for a in ancestors if a.level == Region.Level.COUNTY), None)
    name = region.name
    if region.level == Region.Level.TOWNSHIP:
        prefix = county.name if county and not name.startswith(county.name) else ""
        if name.endswith("街道"):
            return _("%(county)s%(name)s办事处") % {"county": prefix, "name": name}
        return _("%(county)s%(name)s人民政府") % {"county": prefix, "name": name}
    if region.level == Region.Level.COUNTY:
        return _("%(name)s民政局") % {"name": name}
    return name


def publicity_dates(
    record: DisclosureRecord, public_list
) -> tuple[date | None, date | None]:
    """The period printed as 公示期: publication day to the record's publicity end,
    else to the list's last public day (as the record page shows them)."""
    start = timezone.localdate(record.publish_at) if record.publish_at else None
    end = record.publicity_end
    if end is None and public_list is not None and not public_list.expired:
        end = public_list.published_until
    return start, end


def qr_svg(url: str) -> str:
    """An inline SVG QR code of `url` (error correction M; no style attributes, CSP-safe)."""
    code = segno.make(url, error="m", micro=False)
    return code.svg_inline(scale=4, border=2, title=_("扫码查看网上公开信息"))


def notice_page(
    pk: int, *, record_url: str, size: str = "a4", today: date | None = None
) -> dict:
    """Everything the printed notice shows (the record page's 3 queries + 2–3 for the list).

    Raises `DisclosureRecord.DoesNotExist` for anything not public.
    """
    context = selectors.record_page(pk)
    record = context["record"]
    today = today or timezone.localdate()
    public_list = gate.name_list(record, today=today)
    rows: list = []
    truncated = False
    if public_list is not None and not public_list.expired:
        # The same gated query as the page, all of its pages (bounded).
        every_row = public_list.rows.paginator.object_list
        rows = list(every_row[: MAX_PRINT_ROWS + 1])
        truncated = len(rows) > MAX_PRINT_ROWS
        rows = rows[:MAX_PRINT_ROWS]
    start, end = publicity_dates(record, public_list)
    return {
        **context,
        "size": size if size in SIZES else "a4",
        # The record's own 发布机构 when it names one (SPEC §13 metadata).
        "issuing_body": (getattr(record, "issuer", "") or "").strip()
        or issuing_body(record.region, context["ancestors"]),
        "public_list": public_list,
        "rows": rows,
        "truncated": truncated,
        "publicity_start": start,
        "publicity_end": end,
        "supervision_phone": supervision_phone(record.region, context["ancestors"]),
        "printed_on": today,
        "record_url": record_url,
        "qr_svg": qr_svg(record_url),
    }


@require_safe
@cache_public_page
def record_notice(request, pk: int):
    """The printable notice (``?size=a3`` for A3); 404 for anything not public."""
    try:
        record_path = DisclosureRecord(pk=pk).get_absolute_url()
        context = notice_page(
            pk,
            record_url=request.build_absolute_uri(record_path),
            size=request.GET.get("size", "a4"),
        )
    except DisclosureRecord.DoesNotExist:
        raise Http404 from None
    return render(request, "disclosures/record_notice.html", context)


urlpatterns = [
    path("records/<int:pk>/notice/", record_notice, name="record_notice"),
]
