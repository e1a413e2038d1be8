"""`manage.py restore FILE [--force] [--no-files] [--pg-bin DIR]` (catalog_portal.backups)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from catalog_portal.backups import BackupError, restore


class Command(BaseCommand):
    help = "把 backup 命令生成的备份恢复到当前配置的数据库（须为空库）和文件存储。"

    def add_arguments(self, parser):
        parser.add_argument("archive", help="backup 命令生成的 .tar 文件")
        parser.add_argument(
            "--force",
            action="store_true",
            help="目标数据库不是空的也恢复（覆盖同名的表和文件）",
        )
        parser.add_argument(
            "--no-files", action="store_true", help="只恢复数据库，不恢复上传的文件"
        )
        parser.add_argument(
            "--pg-bin", help="pg_restore 所在目录（默认按服务器版本自动查找）"
        )

    def handle(
        self,
        *args,
        archive: str,
        force: bool,
        no_files: bool,
        pg_bin: str | None,
        **options,
    ):
        translation.activate(settings.LANGUAGE_CODE)
        try:
            summary = restore(
                Path(archive), force=force, include_files=not no_files, pg_bin=pg_bin
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            _(
                "已从 %(path)s 恢复：%(tables)s 张表、%(rows)s 行（与备份清单一致），文件 %(files)s 个。"
            )
            % {
                "path": summary.path,
                "tables": summary.tables,
                "rows": summary.rows,
                "files": summary.files,
            }
        )
        for note in summary.notes:
            self.stdout.write(note)
        self.stdout.write(
            _("如果本系统的代码比备份时新，请接着运行 manage.py migrate。")
        )
