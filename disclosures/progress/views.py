"""Progress review pages under /work/progress/ (SPEC §8): login, scoped to the user's subtree.

/work/progress/                              → the last complete quarter of the user's region
/work/progress/<period>/                     → the user's own region
/work/progress/<period>/<region_code>/       → a region of its subtree (drill-down)
/work/progress/<period>/<region_code>/export.xlsx|.docx
A region outside the user's subtree answers 404, whatever the method.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from catalogs.models import Domain
from catalogs.permissions import RegionStaffRequiredMixin, in_scope
from catalogs.scope import scope_code

from . import bulletin, charts, exports, posting, selectors
from .access import progress_access_region
from .quarters import Period, PeriodError, parse_period, period_of


def default_period(today=None) -> Period:
    """The last complete quarter: the one a quarterly 通报 reviews."""
    return period_of(today or timezone.localdate()).previous


def _period_or_404(text: str) -> Period:
    try:
        period = parse_period(text)
    except PeriodError:
        raise Http404 from None
    if period.slug != text:
        raise Http404  # one URL per period (2026Q3, not 2026q3)
    return period


class ProgressAccessMixin(RegionStaffRequiredMixin):
    """Resolve the period and the region before any method handler runs.

    The scope check happens in `dispatch`, so a user of another region gets 404
    for GET and POST alike; an in-scope POST then answers 405.
    """

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and scope_code(request.user) is not None:
            self.region, self.ancestors = progress_access_region(
                request.user, kwargs.get("code")
            )
            self.period = (
                _period_or_404(kwargs["period"]) if "period" in kwargs else None
            )
        return super().dispatch(request, *args, **kwargs)


class ProgressHomeView(ProgressAccessMixin, View):
    def get(self, request):
        return HttpResponseRedirect(
            reverse("disclosures:progress", kwargs={"period": default_period().slug})
        )


class ProgressSwitchView(ProgressAccessMixin, View):
    """The period switcher form (works without JavaScript): redirect to the chosen page."""

    def get(self, request):
        try:
            period = parse_period(request.GET.get("period", ""))
        except PeriodError:
            raise Http404 from None
        code = request.GET.get("region") or self.region.code
        if not in_scope(request.user, code):
            raise Http404
        url = reverse(
            "disclosures:progress_region", kwargs={"period": period.slug, "code": code}
        )
        sort = request.GET.get("sort")
        return HttpResponseRedirect(
            f"{url}?{urlencode({'sort': sort})}" if sort else url
        )


def _columns(report: selectors.ProgressReport) -> list[dict]:
    """Sortable headers: label, the ?sort= value a click asks for, aria-sort."""
    specs = [("name", _("名称"))]
    specs += [
        (f"catalog-{d.slug}", _("%(domain)s目录") % {"domain": d.name})
        for d in report.domains
    ]
    specs += [
        ("added", _("新增事项")),
        ("omitted", _("不公开事项")),
        ("shortened", _("缩短时限")),
        ("due", _("应公开")),
        ("on_time", _("按时公开")),
        ("late", _("逾期公开")),
        ("overdue", _("仍逾期未公开")),
        ("missed", _("漏报周期性公开")),
        ("rate", _("按时公开率")),
        ("rank", _("排名")),
        ("verdict", _("评价")),
    ]
    columns = []
    for key, label in specs:
        active = report.sort == key
        descending_next = active and not report.descending
        columns.append(
            {
                "key": key,
                "label": label,
                "query": "?"
                + urlencode({"sort": f"-{key}" if descending_next else key}),
                "aria_sort": ("descending" if report.descending else "ascending")
                if active
                else "",
                "active": active,
            }
        )
    return columns


def _trail(user, ancestors, region) -> list:
    """Ancestors the user may open (its own subtree), then the region."""
    return [a for a in ancestors if in_scope(user, a.code)] + [region]


def _period_choices(today) -> list[Period]:
    current = period_of(today)
    quarters = [current.shifted(-i) for i in range(8)]
    month = period_of(today, "month")
    months = [month.shifted(-i) for i in range(12)]
    return quarters + months


class ProgressView(ProgressAccessMixin, TemplateView):
    template_name = "disclosures/progress/progress_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = selectors.region_progress(
            region=self.region,
            ancestors=self.ancestors,
            period=self.period,
            sort=self.request.GET.get("sort", "code"),
        )
        sort_query = (
            "?" + urlencode({"sort": self.request.GET["sort"]})
            if "sort" in self.request.GET
            else ""
        )

        def url(period: Period) -> str:
            return (
                reverse(
                    "disclosures:progress_region",
                    kwargs={"period": period.slug, "code": self.region.code},
                )
                + sort_query
            )

        context.update(
            report=report,
            charts=charts.progress_charts(report),
            columns=_columns(report),
            trail=_trail(self.request.user, self.ancestors, self.region),
            previous_url=url(self.period.previous),
            next_url=url(self.period.next)
            if self.period.next.start <= report.today
            else "",
            month_links=[(m, url(m)) for m in self.period.months()]
            if self.period.is_quarter
            else [],
            quarter_link=(
                self.period.containing_quarter,
                url(self.period.containing_quarter),
            )
            if not self.period.is_quarter
            else None,
            period_choices=_period_choices(report.today),
            posting_coverage=posting.posting_coverage(
                self.region, start=self.period.start, end=self.period.end
            ),
            sort=self.request.GET.get("sort", ""),
            xlsx_url=reverse(
                "disclosures:progress_export_xlsx",
                kwargs={"period": self.period.slug, "code": self.region.code},
            ),
            docx_url=reverse(
                "disclosures:progress_export_docx",
                kwargs={"period": self.period.slug, "code": self.region.code},
            ),
        )
        return context


class ProgressExportView(ProgressAccessMixin, View):
    """Downloads: the workbook (a sheet per level) or the 通报 (docx)."""

    fmt = "xlsx"

    def get(self, request, period, code):
        if self.fmt == "xlsx":
            levels = selectors.progress_levels(region=self.region, period=self.period)
            content = exports.progress_xlsx(
                region=self.region,
                period=self.period,
                levels=levels,
                domains=list(Domain.objects.order_by("order", "pk")),
                today=timezone.localdate(),
            )
            content_type = exports.XLSX_CONTENT_TYPE
        else:
            report = selectors.region_progress(
                region=self.region,
                ancestors=self.ancestors,
                period=self.period,
                sort="rank",
            )
            content = bulletin.progress_docx(report)
            content_type = bulletin.DOCX_CONTENT_TYPE
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True,
            filename=exports.file_name(self.region, self.period, self.fmt),
        )
        response["Cache-Control"] = "private, no-store"
        return response


urlpatterns = [
    path("work/progress/", ProgressHomeView.as_view(), name="progress_home"),
    path("work/progress/switch/", ProgressSwitchView.as_view(), name="progress_switch"),
    path("work/progress/<str:period>/", ProgressView.as_view(), name="progress"),
    path(
        "work/progress/<str:period>/<str:code>/",
        ProgressView.as_view(),
        name="progress_region",
    ),
    path(
        "work/progress/<str:period>/<str:code>/export.xlsx",
        ProgressExportView.as_view(fmt="xlsx"),
        name="progress_export_xlsx",
    ),
    path(
        "work/progress/<str:period>/<str:code>/export.docx",
        ProgressExportView.as_view(fmt="docx"),
        name="progress_export_docx",
    ),
]
