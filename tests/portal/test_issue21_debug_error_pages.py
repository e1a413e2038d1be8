"""Issue 21: under `make run`'s debug settings (catalog_portal.settings.demo) the
portal answers with its Chinese 404/500 pages, not Django's English debug pages
(the technical 404 lists every URL pattern)."""

from __future__ import annotations

import pytest

from django.http import Http404
from django.test import Client, override_settings
from django.urls import include, path

from catalog_portal.settings import demo as demo_settings

pytestmark = pytest.mark.django_db


def _boom(request):
    raise RuntimeError("demo failure")


def _gone(request):
    raise Http404("no such record")


urlpatterns = [
    path("issue21/boom/", _boom),
    path("issue21/gone/", _gone),
    path("", include("catalog_portal.urls")),
]

_DEMO = {
    "DEBUG": True,
    "MIDDLEWARE": demo_settings.MIDDLEWARE,
    "ROOT_URLCONF": __name__,
}


def test_demo_settings_keep_debug_and_add_the_middleware():
    assert demo_settings.DEBUG is True
    assert (
        "catalog_portal.debug_errors.PortalErrorPagesMiddleware"
        in demo_settings.MIDDLEWARE
    )
    assert demo_settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"


@override_settings(**_DEMO)
def test_unknown_path_shows_the_chinese_404_not_the_url_list():
    response = Client().get("/no/such/page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "页面不存在" in body and "按市、县、乡镇逐级查找" in body
    assert "Using the URLconf" not in body and "Page not found" not in body
    assert "work/" not in body.split("<main", 1)[-1].split("</main>", 1)[0]


@override_settings(**_DEMO)
def test_http404_of_a_view_shows_the_chinese_404():
    response = Client().get("/issue21/gone/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "页面不存在" in body and "no such record" not in body


@override_settings(**_DEMO)
def test_missing_slash_is_still_added():
    response = Client().get("/search")
    assert response.status_code == 301 and response["Location"].endswith("/search/")


@override_settings(**_DEMO)
def test_an_error_shows_the_chinese_500_and_is_logged(caplog):
    client = Client(raise_request_exception=False)
    with caplog.at_level("ERROR", logger="django.request"):
        response = client.get("/issue21/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "服务器暂时出现问题" in body
    assert "Traceback" not in body and "demo failure" not in body
    assert any(
        "demo failure" in str(r.exc_info[1]) for r in caplog.records if r.exc_info
    )


@override_settings(DEBUG=True, ROOT_URLCONF=__name__)
def test_without_the_middleware_debug_shows_the_technical_page():
    """The check above can fail: plain debug settings list the URL patterns."""
    response = Client().get("/no/such/page/")
    assert response.status_code == 404
    assert "Using the URLconf" in response.content.decode()
