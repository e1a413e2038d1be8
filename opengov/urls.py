"""URLs of the 政府信息公开专栏: public pages under /r/<code>/, staff pages under /work/opengov/.

Included before the disclosures URLs, whose /r/<code>/<domain_slug>/ would
otherwise take ``guide`` and ``reports`` for domain slugs.
"""

from django.urls import path, register_converter

# The "region" path converter is registered by the public portal's views.
from disclosures.public import views as _portal_views  # noqa: F401

from .views import manage, public


class ReportFormatConverter:
    regex = "docx|xlsx"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class CellKeyConverter:
    regex = "[a-z_]{1,40}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ReportFormatConverter, "reportfmt")
register_converter(CellKeyConverter, "cellkey")

app_name = "opengov"

urlpatterns = [
    path("r/<region:code>/guide/", public.guide, name="guide"),
    path("r/<region:code>/reports/", public.reports, name="report_index"),
    path("work/opengov/guide/", manage.GuideEditView.as_view(), name="guide_edit"),
    path("work/opengov/reports/", manage.ReportListView.as_view(), name="report_list"),
    path(
        "work/opengov/reports/<int:pk>/",
        manage.ReportEditView.as_view(),
        name="report_edit",
    ),
    path(
        "work/opengov/reports/<int:pk>/publish/",
        manage.ReportPublishView.as_view(),
        name="report_publish",
    ),
    path(
        "work/opengov/reports/<int:pk>/download.<reportfmt:fmt>",
        manage.ReportDownloadView.as_view(),
        name="report_download",
    ),
    path(
        "work/opengov/records/<int:pk>/metadata/",
        manage.RecordMetadataView.as_view(),
        name="record_metadata",
    ),
    path(
        "work/opengov/reports/<int:pk>/count/<cellkey:row>/<cellkey:column>/",
        manage.ReportCountView.as_view(),
        name="report_count",
    ),
]
