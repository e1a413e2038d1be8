"""`manage.py correct_source_errors --user NAME`: correct the known source errors.

For every published catalog (newest version) of the user's region and below that
still carries a known error of the source tables (catalogs.provenance), a new
version with the correction is published, so the catalogs cloned from it see the
correction as an upstream update. Only a province admin may run it. ``--dry-run``
lists what would be corrected.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Max
from django.utils.translation import gettext as _

from catalogs import permissions, provenance
from catalogs.models import Catalog, User
from catalogs.scope import scope_code


class Command(BaseCommand):
    help = "更正来源表格的已知录入错误：为含错误的已发布目录发布更正版本，下级目录可作为上级更新采纳。"

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="执行更正的省级管理员用户名")
        parser.add_argument(
            "--dry-run", action="store_true", help="只列出需要更正的目录，不作修改"
        )

    def handle(self, *args, user: str, dry_run: bool, **options):
        try:
            actor = User.objects.get(username=user, is_active=True)
        except User.DoesNotExist:
            raise CommandError(
                _("没有用户名为“%(user)s”的有效用户，请检查后重试。") % {"user": user}
            ) from None
        if not (actor.is_superuser or actor.role in permissions.ADMIN_ROLES):
            raise CommandError(_("只有省级管理员可以更正来源错误。"))
        code = scope_code(actor) or ""
        newest = (
            Catalog.objects.filter(
                status=Catalog.Status.PUBLISHED, region__code__startswith=code
            )
            .values("region_id", "domain_id")
            .annotate(top=Max("version"))
        )
        done = 0
        for row in newest:
            catalog = Catalog.objects.select_related("region", "domain").get(
                region_id=row["region_id"],
                domain_id=row["domain_id"],
                version=row["top"],
            )
            if not provenance.source_errors_pending(catalog):
                continue
            if dry_run:
                self.stdout.write(
                    _("需要更正：%(title)s（第%(v)s版）")
                    % {"title": catalog.title, "v": catalog.version}
                )
                done += 1
                continue
            if Catalog.objects.filter(
                region_id=catalog.region_id,
                domain_id=catalog.domain_id,
                version__gt=catalog.version,
            ).exists():
                self.stderr.write(
                    _("%(title)s已有未发布的新版本，请先发布或删除该版本后再更正。")
                    % {"title": catalog.title}
                )
                continue
            new = provenance.source_errors_correct(catalog=catalog, actor=actor)
            if new is not None:
                done += 1
                self.stdout.write(
                    _("已发布更正版本：%(title)s（第%(v)s版）")
                    % {"title": new.title, "v": new.version}
                )
        if not done:
            self.stdout.write(_("没有需要更正的目录。"))
