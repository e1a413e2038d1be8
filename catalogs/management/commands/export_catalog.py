"""`manage.py export_catalog REGION_CODE DOMAIN_SLUG [--draft] --format docx|xlsx -o FILE`."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from catalogs.exports import catalog_export, current_catalog
from catalogs.models import Domain, Region


def resolve_region_domain(code: str, slug: str) -> tuple[Region, Domain]:
    try:
        region = Region.objects.get(code=code)
    except Region.DoesNotExist:
        raise CommandError(
            _("区划代码“%(code)s”不存在，请使用统计用区划代码，例如 410311（洛龙区）。")
            % {"code": code}
        ) from None
    try:
        domain = Domain.objects.get(slug=slug)
    except Domain.DoesNotExist:
        slugs = "、".join(Domain.objects.values_list("slug", flat=True))
        raise CommandError(
            _("领域“%(slug)s”不存在，可选：%(slugs)s。")
            % {"slug": slug, "slugs": slugs}
        ) from None
    return region, domain


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside the target, then rename: no half files."""
    path = path.resolve()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


class Command(BaseCommand):
    help = "导出某区划某领域的标准目录（Word 或 Excel）。"

    def add_arguments(self, parser):
        parser.add_argument("region_code")
        parser.add_argument("domain_slug")
        parser.add_argument(
            "--draft", action="store_true", help="导出未发布的版本（草稿）"
        )
        parser.add_argument("--format", choices=["docx", "xlsx"], required=True)
        parser.add_argument("-o", "--output", required=True)

    def handle(self, *args, region_code, domain_slug, draft, format, output, **options):
        translation.activate(settings.LANGUAGE_CODE)
        region, domain = resolve_region_domain(region_code, domain_slug)
        catalog = current_catalog(region=region, domain=domain, draft=draft)
        if catalog is None:
            if draft:
                message = _("%(region)s在%(domain)s领域没有未发布的版本。")
            else:
                message = _("%(region)s在%(domain)s领域没有已发布的目录。")
            raise CommandError(message % {"region": region.name, "domain": domain.name})
        data, _filename, _ctype = catalog_export(catalog, format)
        out = Path(output)
        if not out.parent.exists():
            raise CommandError(
                _("输出目录“%(parent)s”不存在，请先创建。") % {"parent": out.parent}
            )
        write_atomically(out, data)
        self.stdout.write(
            _("已导出：%(title)s（第%(version)s版）→ %(out)s")
            % {"title": catalog.title, "version": catalog.version, "out": out}
        )
