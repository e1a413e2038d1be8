"""`manage.py backup -o DIR_OR_FILE [--no-files] [--pg-bin DIR]` (catalog_portal.backups)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from catalog_portal.backups import BackupError, backup


class Command(BaseCommand):
    help = "备份数据库（PostgreSQL 用 pg_dump 自定义格式，SQLite 用在线备份）和上传的文件，写成一个 tar 文件。"

    def add_arguments(self, parser):
        parser.add_argument(
            "-o",
            "--output",
            required=True,
            help="备份文件名，或一个目录（在其中按时间命名，例如 portal-backup-20260105-020000.tar）",
        )
        parser.add_argument(
            "--no-files",
            action="store_true",
            help="不备份上传的文件（例如文件已在对象存储中另行备份）",
        )
        parser.add_argument(
            "--pg-bin", help="pg_dump 所在目录（默认按服务器版本自动查找）"
        )

    def handle(self, *args, output: str, no_files: bool, pg_bin: str | None, **options):
        translation.activate(settings.LANGUAGE_CODE)
        try:
            summary = backup(Path(output), include_files=not no_files, pg_bin=pg_bin)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            _(
                "已备份到 %(path)s：%(engine)s 数据库 %(tables)s 张表、%(rows)s 行，文件 %(files)s 个（%(size)s 字节）。"
            )
            % {
                "path": summary.path,
                "engine": summary.engine,
                "tables": summary.tables,
                "rows": summary.rows,
                "files": summary.files,
                "size": summary.file_bytes,
            }
        )
