"""Site-wide behaviour: settings from the environment, deploy checks, health, login."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from django.conf import settings
from django.core.management import call_command

ROOT = Path(settings.BASE_DIR)


def _run_manage(*args, env_overrides):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_debug_off():
    result = _run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_overrides={
            "DJANGO_SETTINGS_MODULE": "catalog_portal.settings.base",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "a-long-random-production-secret-key-" + "x" * 40,
            "DJANGO_ALLOWED_HOSTS": "portal.example.org",
            # Production runs on PostgreSQL (SQLite is refused: catalog_portal.checks).
            "DATABASE_URL": "postgres://portal@127.0.0.1:5432/portal",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_refuses_to_start_without_secret_key_when_debug_off():
    result = _run_manage(
        "check",
        env_overrides={
            "DJANGO_SETTINGS_MODULE": "catalog_portal.settings.base",
            "DJANGO_DEBUG": "0",
        },
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_database_url_is_read_from_the_environment(tmp_path):
    import dj_database_url

    parsed = dj_database_url.parse(f"sqlite:///{tmp_path}/x.sqlite3")
    assert parsed["ENGINE"] == "django.db.backends.sqlite3"
    assert (
        dj_database_url.parse("postgres://u@127.0.0.1:5432/db")["ENGINE"]
        == "django.db.backends.postgresql"
    )
    assert settings.DATABASES["default"]["ENGINE"] in {
        "django.db.backends.sqlite3",
        "django.db.backends.postgresql",
    }


def test_locale_and_timezone():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True
    # Django's four checks (Chinese messages, 12 characters) and the audit hook.
    assert len(settings.AUTH_PASSWORD_VALIDATORS) == 5


@pytest.mark.django_db
def test_healthz_answers_ok_without_touching_the_database(
    client, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


@pytest.mark.django_db
def test_seed_demo_creates_the_demo_accounts_who_can_log_in(client):
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent
    from catalogs.models import Catalog, User

    expected = {
        "demo-province": ("province_admin", "41"),
        "demo-city": ("city_reviewer", "4103"),
        "demo-county": ("county_clerk", "410311"),
        "demo-county2": ("county_clerk", "410307"),
        "demo-township": ("township_clerk", "410311012"),
    }
    for username, (role, code) in expected.items():
        user = User.objects.get(username=username)
        assert (user.role, user.region_id) == (role, code)
        response = client.post(
            "/accounts/login/", {"username": username, "password": "DemoPass-2026"}
        )
        assert response.status_code == 302, username
        assert response["Location"] == "/work/"
        page = client.get("/work/")
        assert page.status_code == 200
        assert "工作台" in page.content.decode()
        client.post("/accounts/logout/")
    for code in ("41", "4103"):
        published = Catalog.objects.filter(region_id=code, status="published")
        assert set(published.values_list("domain__slug", flat=True)) == {
            "social-assistance",
            "elderly-care",
        }


@pytest.mark.django_db
def test_login_page_is_chinese_and_rejects_a_wrong_password(client, county_clerk):
    page = client.get("/accounts/login/")
    assert "工作人员登录" in page.content.decode()
    response = client.post(
        "/accounts/login/", {"username": county_clerk.username, "password": "wrong"}
    )
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


@pytest.mark.django_db
def test_seed_demo_refuses_without_demo_settings(settings):
    from django.core.management.base import CommandError

    from catalogs.models import User

    del settings.DEMO_PASSWORD
    with pytest.raises(CommandError, match="演示设置"):
        call_command("seed_demo")
    assert not User.objects.filter(username__startswith="demo-").exists()


@pytest.mark.django_db
def test_workspace_requires_login(client):
    response = client.get("/work/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_manage_py_without_environment_uses_development_settings():
    """A checkout with no environment gets debug settings; a shell with a secret
    key (production) gets the production settings, never the development ones."""
    code = "from django.conf import settings; print(settings.SETTINGS_MODULE, settings.DEBUG)"
    plain = _run_manage("shell", "-c", code, env_overrides={})
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout.split()[-2:] == ["catalog_portal.settings.local", "True"]
    production = _run_manage(
        "shell",
        "-c",
        code,
        env_overrides={
            "DJANGO_SECRET_KEY": "a-long-random-production-secret-key-" + "x" * 40
        },
    )
    assert production.returncode == 0, production.stderr
    assert production.stdout.split()[-2:] == ["catalog_portal.settings.base", "False"]
    no_demo = _run_manage("seed_demo", env_overrides={})
    assert no_demo.returncode != 0 and "演示设置" in no_demo.stderr
