from django.urls import path

from .views import manage, public

app_name = "onrequest"

urlpatterns = [
    path("apply/", public.apply, name="apply"),
    path("apply/status/", public.status, name="apply_status"),
    path(
        "work/applications/",
        manage.ApplicationListView.as_view(),
        name="application_list",
    ),
    path(
        "work/applications/new/",
        manage.ApplicationCreateView.as_view(),
        name="application_create",
    ),
    path(
        "work/applications/progress/",
        manage.ApplicationProgressView.as_view(),
        name="application_progress",
    ),
    path(
        "work/applications/letters/",
        manage.LetterTemplatesView.as_view(),
        name="letter_templates",
    ),
    path(
        "work/applications/letters/<slug:group>.docx",
        manage.LetterTemplateDownloadView.as_view(),
        name="letter_template_download",
    ),
    path(
        "work/applications/<int:pk>/",
        manage.ApplicationDetailView.as_view(),
        name="application_detail",
    ),
    path(
        "work/applications/<int:pk>/files/<int:file_pk>/",
        manage.ApplicationFileView.as_view(),
        name="application_file",
    ),
    path(
        "work/applications/<int:pk>/<slug:action>/",
        manage.ApplicationActionView.as_view(),
        name="application_action",
    ),
]
