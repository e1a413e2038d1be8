"""`manage.py progress_report PERIOD --region CODE --format xlsx|docx -o FILE` (SPEC §9).

Writes the progress review of a region's subtree for a quarter (2026Q3) or a
month (2026-09): the workbook with a sheet per level, or the docx 通报. Every
refusal is a Chinese message on stderr with a non-zero exit status, and no file
is left behind.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation
from django.utils.translation import gettext

from catalogs.models import Domain, Region
from catalogs.selectors import region_get_with_ancestors
from disclosures.progress import bulletin, exports, selectors
from disclosures.progress.access import PROVINCE_CODE
from disclosures.progress.quarters import PeriodError, parse_period

FORMATS = ("xlsx", "docx")


class Command(BaseCommand):
    help = "导出工作进展统计：按季度（2026Q3）或按月（2026-09），Excel 明细（按层级分表）或 Word 通报。"

    def add_arguments(self, parser):
        parser.add_argument(
            "period", nargs="?", metavar="PERIOD", help="统计期，例如 2026Q3 或 2026-09"
        )
        parser.add_argument(
            "--region",
            default=PROVINCE_CODE,
            help="区划代码，默认 41（河南省）",
        )
        parser.add_argument("--format", dest="fmt", help="输出格式：xlsx 或 docx")
        parser.add_argument("-o", "--output", metavar="FILE", help="输出文件")

    def handle(
        self,
        *args,
        period: str | None,
        region: str,
        fmt: str | None,
        output: str | None,
        **options,
    ):
        translation.activate(settings.LANGUAGE_CODE)
        if not period:
            raise CommandError(
                gettext("请指定统计期，例如 2026Q3（季度）或 2026-09（月份）。")
            )
        try:
            chosen = parse_period(period)
        except PeriodError as exc:
            raise CommandError(str(exc)) from exc
        if fmt not in FORMATS:
            raise CommandError(
                gettext(
                    "请用 --format 指定输出格式：xlsx（Excel 明细）或 docx（Word 通报），当前为“%(value)s”。"
                )
                % {"value": fmt or ""}
            )
        if not output:
            raise CommandError(
                gettext("请用 -o 指定输出文件，例如 -o 进展统计.%(ext)s。")
                % {"ext": fmt}
            )
        destination = Path(output)
        if not destination.parent.is_dir():
            raise CommandError(
                gettext("输出目录不存在：%(path)s。请先创建该目录。")
                % {"path": destination.parent}
            )
        try:
            root, ancestors = region_get_with_ancestors(region.strip())
        except Region.DoesNotExist:
            raise CommandError(
                gettext(
                    "找不到区划代码“%(code)s”。请使用统计用区划代码，例如 41（河南省）、4103（洛阳市）。"
                )
                % {"code": region}
            ) from None
        today = timezone.localdate()
        if fmt == "xlsx":
            content = exports.progress_xlsx(
                region=root,
                period=chosen,
                levels=selectors.progress_levels(
                    region=root, period=chosen, today=today
                ),
                domains=list(Domain.objects.order_by("order", "pk")),
                today=today,
            )
        else:
            report = selectors.region_progress(
                region=root,
                ancestors=ancestors,
                period=chosen,
                today=today,
                sort="rank",
            )
            content = bulletin.progress_docx(report)
        try:
            destination.write_bytes(content)
        except OSError as exc:
            raise CommandError(
                gettext("无法写入输出文件 %(path)s：%(error)s")
                % {"path": destination, "error": exc.strerror}
            ) from exc
        self.stdout.write(
            gettext("已生成%(region)s%(period)s工作进展（%(fmt)s）：%(path)s")
            % {
                "region": root.name,
                "period": chosen.label,
                "fmt": fmt,
                "path": destination,
            }
        )
