"""The Django admin is for province admins and superusers only; legal-library proposals.

Existing accounts get `is_staff` from their role (it was set for every staff
user) and exactly their role's group back (saving a user in the admin used to
drop it). New documents typed in by clerks will be proposals; every document
already in the library stays accepted.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# Frozen copies of catalogs.permissions.ROLE_GROUP_NAMES and ADMIN_ROLES as of
# this migration (a migration must not follow later edits of app code).
ROLE_GROUP_NAMES = {
    "province_admin": "省级管理员",
    "city_reviewer": "市级审核员",
    "county_clerk": "县级工作人员",
    "township_clerk": "乡镇（街道）工作人员",
}
ADMIN_ROLES = {"province_admin"}


def derive_staff_and_groups(apps, schema_editor):
    User = apps.get_model("catalogs", "User")
    Group = apps.get_model("auth", "Group")
    db = schema_editor.connection.alias
    users = User.objects.using(db)
    users.filter(is_superuser=False).exclude(role__in=ADMIN_ROLES).update(is_staff=False)
    users.filter(models.Q(is_superuser=True) | models.Q(role__in=ADMIN_ROLES)).update(is_staff=True)
    # Role groups exist once reference data was loaded (after a first migrate);
    # on a fresh database there are no users yet and nothing to do.
    groups = {g.name: g for g in Group.objects.using(db).filter(name__in=ROLE_GROUP_NAMES.values())}
    if not groups:
        return
    role_group_ids = [g.pk for g in groups.values()]
    for user in users.exclude(role=""):
        wanted = groups.get(ROLE_GROUP_NAMES.get(user.role, ""))
        stale = [pk for pk in user.groups.filter(pk__in=role_group_ids).values_list("pk", flat=True)
                 if wanted is None or pk != wanted.pk]
        if stale:
            user.groups.remove(*stale)
        if wanted is not None:
            user.groups.add(wanted)


class Migration(migrations.Migration):

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("catalogs", "0002_review_comments"),
    ]

    operations = [
        migrations.AddField(
            model_name="legaldocument",
            name="proposed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="提议人",
            ),
        ),
        migrations.AddField(
            model_name="legaldocument",
            name="status",
            field=models.CharField(
                choices=[("proposed", "待收录（工作人员提议）"), ("accepted", "已收录")],
                default="accepted",
                max_length=10,
                verbose_name="收录状态",
            ),
        ),
        # Reversing keeps is_staff as it is: the old rule (everyone staff) is the hole closed here.
        migrations.RunPython(derive_staff_and_groups, migrations.RunPython.noop),
    ]
