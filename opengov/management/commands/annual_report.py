"""`manage.py annual_report YEAR --region CODE --format docx|xlsx -o FILE` (SPEC §9, §13).

Writes a region's 政府信息公开工作年度报告 for a year: the report staff keep in
the workspace if there is one (its texts and entered figures), otherwise the
draft the workspace would generate, with 待填写 wherever a text or figure must
still be entered. Counted figures are counted now. Nothing is saved. Every
refusal is a Chinese message on stderr with a non-zero exit status, and no file
is left behind.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation
from django.utils.translation import gettext

from catalogs.models import Region
from opengov import selectors
from opengov.documents import report_file
from opengov.models import AnnualReport
from opengov.permissions import REPORTING_LEVELS

FORMATS = ("docx", "xlsx")


class Command(BaseCommand):
    help = (
        "导出政府信息公开工作年度报告（国办公开办函〔2021〕30号格式）：Word 或 Excel。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "year", nargs="?", metavar="YEAR", help="报告年度，例如 2025"
        )
        parser.add_argument("--region", help="区划代码（县或乡镇），例如 410311")
        parser.add_argument("--format", dest="fmt", help="输出格式：docx 或 xlsx")
        parser.add_argument("-o", "--output", metavar="FILE", help="输出文件")
        parser.add_argument(
            "--with-townships",
            action="store_true",
            help="工作台中尚无该年度报告时：县级报告汇总下辖乡镇（街道）的数据",
        )

    def handle(self, *args, year, region, fmt, output, with_townships, **options):
        translation.activate(settings.LANGUAGE_CODE)
        if not year or not str(year).isdigit() or len(str(year)) != 4:
            raise CommandError(
                gettext(
                    "请指定四位数字的报告年度，例如 annual_report 2025，当前为“%(value)s”。"
                )
                % {"value": year or ""}
            )
        year = int(year)
        if year > timezone.localdate().year:
            raise CommandError(
                gettext("%(year)s年尚未开始，不能生成该年度的报告。") % {"year": year}
            )
        if not region:
            raise CommandError(
                gettext("请用 --region 指定区划代码，例如 --region 410311。")
            )
        if fmt not in FORMATS:
            raise CommandError(
                gettext(
                    "请用 --format 指定输出格式：docx（Word）或 xlsx（Excel），当前为“%(value)s”。"
                )
                % {"value": fmt or ""}
            )
        if not output:
            raise CommandError(
                gettext("请用 -o 指定输出文件，例如 -o 年度报告.%(ext)s。")
                % {"ext": fmt}
            )
        destination = Path(output)
        if not destination.parent.is_dir():
            raise CommandError(
                gettext("输出目录不存在：%(path)s。请先创建该目录。")
                % {"path": destination.parent}
            )
        try:
            place = Region.objects.get(code=region.strip())
        except Region.DoesNotExist:
            raise CommandError(
                gettext("没有区划代码为“%(code)s”的地区，请检查代码。")
                % {"code": region}
            ) from None
        if place.level not in REPORTING_LEVELS:
            raise CommandError(
                gettext(
                    "%(name)s不是县（市、区）或乡镇（街道），年度报告按县、乡两级编写。"
                )
                % {"name": place.name}
            )
        if with_townships and place.level != Region.Level.COUNTY:
            raise CommandError(
                gettext("只有县级报告可以用 --with-townships 汇总下辖乡镇（街道）。")
            )
        report = AnnualReport.objects.filter(region=place, year=year).first()
        if report is None:
            report = AnnualReport(
                region=place,
                year=year,
                include_subregions=with_townships,
                overview=selectors.draft_overview(
                    place, year, include_subregions=with_townships
                ),
            )
        data = selectors.report_data(report)
        content, _filename, _type = report_file(data, fmt)
        destination.write_bytes(content)
        self.stdout.write(
            gettext("已导出%(title)s：%(path)s（待填写 %(n)s 项）")
            % {"title": data.title, "path": destination, "n": len(data.missing)}
        )
