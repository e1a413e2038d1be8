"""`manage.py import_catalog FILE REGION_CODE DOMAIN_SLUG` — into a draft."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from catalogs.documents import CatalogImportError
from catalogs.exports import catalog_import

from .export_catalog import resolve_region_domain

MAX_IMPORT_BYTES = 20 * 1024 * 1024


class Command(BaseCommand):
    help = "把 Word（.docx）或 Excel（.xlsx）格式的标准目录导入为某区划的草稿。"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("region_code")
        parser.add_argument("domain_slug")

    def handle(self, *args, file, region_code, domain_slug, **options):
        translation.activate(settings.LANGUAGE_CODE)
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("找不到文件“%(file)s”，请检查路径。") % {"file": file})
        if path.stat().st_size > MAX_IMPORT_BYTES:
            raise CommandError(_("文件超过 20 MB，请确认是否为标准目录文件。"))
        region, domain = resolve_region_domain(region_code, domain_slug)
        try:
            result = catalog_import(
                data=path.read_bytes(),
                filename=path.name,
                region=region,
                domain=domain,
                actor=None,
            )
        except CatalogImportError as exc:
            raise CommandError(
                _("导入失败，未写入任何内容：\n%(problems)s") % {"problems": exc}
            ) from None
        self.stdout.write(
            _(
                "已导入到%(title)s（第%(version)s版，草稿）：更新%(updated)s项，新增%(added)s项，标注不公开%(omitted)s项。"
            )
            % {
                "title": result.catalog.title,
                "version": result.catalog.version,
                "updated": result.updated,
                "added": result.added,
                "omitted": result.omitted,
            }
        )
        if result.missing:
            self.stdout.write(
                _("文件缺少的事项（提交前须补充或写明不公开理由）：%(names)s")
                % {"names": "、".join(result.missing)}
            )
        for warning in result.warnings:
            self.stderr.write(_("注意：%(warning)s") % {"warning": warning})
