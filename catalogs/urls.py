from django.urls import path

from .views import manage

app_name = "catalogs"

urlpatterns = [
    path("", manage.WorkspaceView.as_view(), name="workspace"),
]
