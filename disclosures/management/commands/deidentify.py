"""`manage.py deidentify IN_FILE -o OUT_FILE` — publish a name list de-identified (SPEC §5, §9).

Columns are recognised from their headers and the province's default policy
applies: exactly the four fields of 《社会救助暂行办法》第六十一条 are published
(name — in full unless ``--mask-names`` —, household size, amount,
village/community); ID numbers, phones, bank cards, addresses, 类别, 备注, 原因
and every unrecognised column are not. The output format follows the output
file's extension. The summary and warnings go to stderr in
Chinese; any refusal exits non-zero and leaves no output file behind.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext

from disclosures.deidentify import PROVINCE_DEFAULT_POLICY, DeidentifyError
from disclosures.spreadsheets import deidentify_file


class Command(BaseCommand):
    help = (
        "对名单（.xlsx 或 .csv）去标识化：按表头识别各列，只输出姓名、家庭人口、金额和村（社区）四列"
        "（《社会救助暂行办法》第六十一条），输出 .xlsx 或 .csv。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "input_file", metavar="IN_FILE", help="要处理的名单文件（.xlsx 或 .csv）"
        )
        parser.add_argument(
            "-o",
            "--output",
            metavar="OUT_FILE",
            required=True,
            help="输出文件；扩展名决定格式（.xlsx 或 .csv，CSV 为带 BOM 的 UTF-8）",
        )
        parser.add_argument(
            "--sheet", help="工作表名称（默认：第一个有可识别表头的工作表）"
        )
        parser.add_argument(
            "--mask-names",
            action="store_true",
            help="遮蔽姓名中的名（张*明）；默认公开全名",
        )

    def handle(
        self,
        *args,
        input_file: str,
        output: str,
        sheet: str | None,
        mask_names: bool,
        **options,
    ):
        translation.activate(settings.LANGUAGE_CODE)
        source = Path(input_file)
        if not source.is_file():
            raise CommandError(gettext("找不到输入文件：%(path)s") % {"path": source})
        destination = Path(output)
        if destination.resolve() == source.resolve():
            raise CommandError(gettext("输出文件不能与输入文件相同。"))
        # The column switches are the province's (all off by default); only names are per list.
        policy = replace(PROVINCE_DEFAULT_POLICY, mask_names=mask_names)
        verbosity = options.get("verbosity", 1)

        def progress(rows_done: int) -> None:
            if verbosity >= 2 and rows_done % 10000 == 0:
                self.stderr.write(gettext("已处理%(rows)s行……") % {"rows": rows_done})

        try:
            result = deidentify_file(
                source, destination, policy=policy, sheet=sheet, progress=progress
            )
        except DeidentifyError as exc:
            raise CommandError(str(exc)) from exc
        except OSError as exc:
            raise CommandError(
                gettext("无法读写文件：%(error)s") % {"error": exc.strerror or exc}
            ) from exc

        if result.sheet_name:
            self.stderr.write(
                gettext("工作表“%(sheet)s”，表头在第%(row)s行。")
                % {"sheet": result.sheet_name, "row": result.header_row_number}
            )
        else:
            self.stderr.write(
                gettext("CSV 编码 %(encoding)s，表头在第%(row)s行。")
                % {"encoding": result.encoding, "row": result.header_row_number}
            )
        for line in result.report.summary_lines():
            self.stderr.write(line)
        self.stderr.write(
            gettext("已写出%(rows)s行到 %(path)s。")
            % {"rows": result.rows_written, "path": result.path}
        )
