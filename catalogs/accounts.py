"""Staff accounts: a user's role decides its group (capabilities) and `is_staff`.

This is the one place that writes either. The role's Group carries the role's
model permissions (`permissions.ROLE_PERMISSIONS`); `is_staff` opens the Django
admin and is held by province admins and superusers only
(`permissions.role_is_staff`). The Django admin and `seed_demo` both call
`user_set_role` / `user_admin_save`; test factories call `user_sync_role_access`.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from .audit import audit
from .models import Region, User
from .permissions import ROLE_GROUP_NAMES, role_is_staff

# Fields only a superuser may change, in the admin or anywhere else.
PRIVILEGED_FIELDS = ("is_superuser", "role", "region", "groups", "user_permissions")


def _role_groups() -> dict[str, Group]:
    return {g.name: g for g in Group.objects.filter(name__in=ROLE_GROUP_NAMES.values())}


def user_sync_role_access(*, user: User) -> User:
    """Re-derive `is_staff` and the role's group from `user.role` (no audit entry).

    The user keeps exactly one role group, its role's; groups that are not role
    groups (a superuser may add some) are left alone. `is_staff` is saved only if
    it differs. Callers that change the role write the audit entry.
    """
    staff = role_is_staff(role=user.role, is_superuser=user.is_superuser)
    if user.is_staff != staff:
        user.is_staff = staff
        if user.pk:
            user.save(update_fields=["is_staff"])
    if user.pk is None:
        return user
    groups = _role_groups()
    wanted = groups.get(ROLE_GROUP_NAMES.get(user.role, ""))
    current = set(
        user.groups.filter(pk__in=[g.pk for g in groups.values()]).values_list(
            "pk", flat=True
        )
    )
    stale = current - ({wanted.pk} if wanted else set())
    if stale:
        user.groups.remove(*stale)
    if wanted is not None and wanted.pk not in current:
        user.groups.add(wanted)
    return user


# What a new account starts from: no role, no region, not a superuser.
_NO_ROLE = {"role": "", "region_id": None, "is_superuser": False}


def _snapshot(user_pk: int | None) -> dict:
    """The stored role, region and superuser status (a new account has none)."""
    row = None
    if user_pk is not None:
        row = (
            User.objects.filter(pk=user_pk)
            .values("role", "region_id", "is_superuser")
            .first()
        )
    return row or dict(_NO_ROLE)


def _role_state(user: User) -> dict:
    return {
        "role": user.role,
        "region_id": user.region_id,
        "is_superuser": user.is_superuser,
    }


def _check_may_change_privileges(actor: User | None, changed: Iterable[str]) -> None:
    """Only a superuser (or the system itself: commands, demo data) changes roles.

    `changed` names the privileged things about to change; empty is always fine.
    """
    if actor is None or actor.is_superuser or not list(changed):
        return
    raise PermissionDenied(
        _(
            "只有系统管理员（超级用户）可以更改账号的角色、所属区划、用户组、权限或超级用户状态。"
        )
    )


def _audit_role_change(
    *, user: User, before: dict, actor: User | None, client: dict | None
) -> None:
    after = _role_state(user)
    if before == after:
        return
    audit(
        "catalogs.user.role_changed",
        actor=actor,
        region=user.region_id,
        obj=user,
        username=user.username,
        before=before,
        after=after,
        is_staff=user.is_staff,
        **(client or {}),
    )


@transaction.atomic
def user_set_role(
    *,
    user: User,
    role: str,
    region: Region | None,
    actor: User | None,
    client: dict | None = None,
) -> User:
    """Give a user its region and role; its group and `is_staff` follow the role.

    `actor=None` is the system (commands, demo data). A user that is not a
    superuser may not change roles (PermissionDenied). Writes
    ``catalogs.user.role_changed`` when role, region or superuser status changed,
    with `client` (the request's address and user agent) when given.
    """
    before = _snapshot(user.pk)
    if (before["role"], before["region_id"]) != (role, region.pk if region else None):
        _check_may_change_privileges(actor, ["role"])
    user.role = role
    user.region = region
    user.is_staff = role_is_staff(role=role, is_superuser=user.is_superuser)
    user.full_clean(exclude=["password"])
    user.save()
    user_sync_role_access(user=user)
    _audit_role_change(user=user, before=before, actor=actor, client=client)
    return user


@transaction.atomic
def user_admin_save(
    *, user: User, changed: Iterable[str], actor: User, client: dict | None = None
) -> User:
    """Save an account edited in the Django admin (form values already on `user`).

    Refuses privileged changes by anyone but a superuser (the admin form does
    not offer them; this is the second lock). `is_staff` and the role group are
    re-derived; an audit entry names the changed fields (never their values:
    passwords and contact details stay out of the log).
    """
    changed = [
        f
        for f in changed
        if f not in ("password", "password1", "password2", "usable_password")
    ]
    created = user.pk is None
    before = _snapshot(user.pk)
    now = _role_state(user)
    privileged = [k for k in now if now[k] != before[k]] + [
        f for f in ("groups", "user_permissions") if f in changed
    ]
    _check_may_change_privileges(actor, privileged)
    user.is_staff = role_is_staff(role=user.role, is_superuser=user.is_superuser)
    user.full_clean(exclude=["password"])
    user.save()
    user_sync_role_access(user=user)
    audit(
        "catalogs.user.created" if created else "catalogs.user.changed",
        actor=actor,
        region=user.region_id,
        obj=user,
        username=user.username,
        fields=sorted(changed),
        **(client or {}),
    )
    _audit_role_change(user=user, before=before, actor=actor, client=client)
    return user
