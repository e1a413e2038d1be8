from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views
from .workspace import PortalWorkspaceView

admin.site.site_header = settings.SITE_NAME
admin.site.site_title = settings.SITE_NAME

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("preferences/", views.preferences, name="preferences"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("admin/", admin.site.urls),
    path("work/", PortalWorkspaceView.as_view(), name="workspace"),
    path("work/catalogs/", include("catalogs.urls")),
    path("work/catalog-files/", include("catalogs.views.documents")),
    path("work/villages/", include("catalogs.views.villages")),
    path("", include("onrequest.urls")),
    # Before the portal: /r/<code>/guide/ and /reports/ are not domain slugs.
    path("", include("opengov.urls")),
    path("", include("disclosures.urls")),
]

handler404 = "catalog_portal.views.page_not_found"
handler500 = "catalog_portal.views.server_error"
