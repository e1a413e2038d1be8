"""Demo data of the catalogs app: accounts, templates, Luoyang's catalogs (SPEC §10)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from .models import Region, User
from .permissions import ROLE_GROUP_NAMES
from .reference import ensure_reference_data, load_luoyang_catalogs, load_templates

DEMO_USERS = [
    ("demo-province", User.Role.PROVINCE_ADMIN, "41", "省民政厅管理员"),
    ("demo-city", User.Role.CITY_REVIEWER, "4103", "洛阳市民政局审核员"),
    ("demo-county", User.Role.COUNTY_CLERK, "410311", "洛龙区民政局工作人员"),
    ("demo-county2", User.Role.COUNTY_CLERK, "410307", "偃师区民政局工作人员"),
    ("demo-township", User.Role.TOWNSHIP_CLERK, "410311012", "李楼街道工作人员"),
]


def user_set_role(*, user: User, role: str, region: Region) -> User:
    """Give a user its region and role, and the role's group (capabilities)."""
    user.role = role
    user.region = region
    # Every regional role may use the (scoped) Django admin.
    user.is_staff = True
    user.full_clean(exclude=["password"])
    user.save()
    user.groups.set([Group.objects.get(name=ROLE_GROUP_NAMES[role])])
    return user


@transaction.atomic
def seed_users() -> list[User]:
    password = getattr(settings, "DEMO_PASSWORD", None)
    if not password:
        raise ImproperlyConfigured(
            "当前设置未提供演示账号密码（DEMO_PASSWORD）：演示数据只能在演示设置"
            "（catalog_portal.settings.demo）下创建。"
        )
    users = []
    for username, role, code, name in DEMO_USERS:
        user, _created = User.objects.get_or_create(username=username)
        user.first_name = name
        user.set_password(password)
        users.append(user_set_role(user=user, role=role, region=Region.objects.get(code=code)))
    return users


def seed(*, scale: str = "demo", stdout=None) -> None:
    ensure_reference_data()
    seed_users()
    load_templates()
    load_luoyang_catalogs()
