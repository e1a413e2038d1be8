"""Shared fixtures. Reference data (regions, domains, calendar, role groups) is
loaded after every migrate/flush by the catalogs app itself; catalogs are built
per test from the fixtures through the real services."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from catalogs.models import User

from .builders import temporary_record
from .factories import UserFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright + live_server

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    """`@pytest.mark.postgres` tests run in the PostgreSQL leg of CI (`.ci/run`) only:
    on any other database they are deselected, not skipped."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        return
    deselected = [item for item in items if item.get_closest_marker("postgres")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker("postgres")]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture
def templates(db):
    """The province templates (41) and Luoyang's catalogs (4103), published."""
    from catalogs.reference import load_luoyang_catalogs, load_templates

    return load_templates() + load_luoyang_catalogs()


@pytest.fixture
def make_user(db):
    def make(role: str = User.Role.COUNTY_CLERK, region_code: str = "410311", **kw):
        return UserFactory(role=role, region_code=region_code, **kw)

    return make


@pytest.fixture
def county_clerk(make_user):
    return make_user(User.Role.COUNTY_CLERK, "410311", username="clerk-luolong")


@pytest.fixture
def other_county_clerk(make_user):
    return make_user(User.Role.COUNTY_CLERK, "410307", username="clerk-yanshi")


@pytest.fixture
def township_clerk(make_user):
    return make_user(User.Role.TOWNSHIP_CLERK, "410311012", username="clerk-lilou")


@pytest.fixture
def city_reviewer(make_user):
    return make_user(User.Role.CITY_REVIEWER, "4103", username="reviewer-luoyang")


@pytest.fixture
def province_admin(make_user):
    return make_user(User.Role.PROVINCE_ADMIN, "41", username="admin-henan")


# --- the public portal and name lists (tests/disclosures, tests/portal) -------------------


@pytest.fixture
def clerk_client(client, county_clerk):
    """The test client logged in as 洛龙区's clerk."""
    client.force_login(county_clerk)
    return client


@pytest.fixture
def draft_catalog(templates, county_clerk):
    """洛龙区's 社会救助 catalog cloned from the template, still a draft."""
    from catalogs import services
    from catalogs.models import Domain, Region

    return services.catalog_clone(
        region=Region.objects.get(code="410311"),
        domain=Domain.objects.get(slug="social-assistance"),
        actor=county_clerk,
    )


@pytest.fixture
def portal(templates):
    """Province templates, Luoyang's catalogs and every Luoyang county's published catalogs."""
    from demo import portal as demo_portal

    demo_portal.seed()
    return templates


@pytest.fixture(scope="session")
def demo_rows(django_db_setup, django_db_blocker, tmp_path_factory):
    """`seed_demo` run once per worker and rolled back: the rows it wrote (tests/demo_data.py)."""
    from django.test import override_settings

    from .demo_data import record_seed

    staging_dir = tmp_path_factory.mktemp("demo-staging")
    with (
        django_db_blocker.unblock(),
        override_settings(NAME_LIST_STAGING_DIR=str(staging_dir)),
    ):
        return record_seed()


@pytest.fixture
def seeded_demo(db, demo_rows):
    """The database as `seed_demo` leaves it, in this test's transaction."""
    from .demo_data import replay

    replay(demo_rows)
    return demo_rows


@pytest.fixture
def staging(settings, tmp_path) -> Path:
    """Each test stages uploads in its own directory. Not autouse: the name-list modules
    ask for it with `pytest.mark.usefixtures("staging")`."""
    settings.NAME_LIST_STAGING_DIR = str(tmp_path / "staging")
    return Path(settings.NAME_LIST_STAGING_DIR)


@pytest.fixture
def lilou_record(portal):
    """A published 临时救助 审批信息 record of 李楼街道 (no publicity period)."""
    return temporary_record("李楼街道2025年第三季度临时救助审核审批结果")
