"""Progress exports: the workbook reopens with its sheets and totals, the 通报 renders
in LibreOffice, and the `progress_report` command writes both or refuses in Chinese."""

import io
import shutil
import subprocess

import pytest
from docx import Document
from openpyxl import load_workbook

from django.core.management import call_command
from django.core.management.base import CommandError

from catalogs.models import Domain, Region
from catalogs.selectors import region_get_with_ancestors
from disclosures.progress import bulletin, exports, selectors
from disclosures.progress.quarters import parse_period

from .progress_data import TODAY, build_catalogs, build_obligations

pytestmark = pytest.mark.django_db

Q3 = parse_period("2026Q3")


@pytest.fixture
def dataset(templates):
    build_obligations()
    build_catalogs()


def _xlsx(code: str) -> bytes:
    region = Region.objects.get(code=code)
    return exports.progress_xlsx(
        region=region,
        period=Q3,
        levels=selectors.progress_levels(region=region, period=Q3, today=TODAY),
        domains=list(Domain.objects.order_by("order")),
        today=TODAY,
    )


def _docx(code: str) -> bytes:
    region, ancestors = region_get_with_ancestors(code)
    report = selectors.region_progress(
        region=region, ancestors=ancestors, period=Q3, today=TODAY, sort="rank"
    )
    return bulletin.progress_docx(report)


def _rows(sheet):
    header = [c.value for c in sheet[3]]
    return header, [
        dict(zip(header, (c.value for c in row), strict=True))
        for row in sheet.iter_rows(min_row=4)
    ]


def test_xlsx_has_a_sheet_per_level_and_equal_totals(dataset):
    workbook = load_workbook(io.BytesIO(_xlsx("41")))
    assert workbook.sheetnames == ["省辖市", "县（市、区）", "乡镇（街道）"]
    for sheet in workbook.worksheets:
        header, rows = _rows(sheet)
        total = rows[-1]
        assert total["名称"] == "合计"
        assert (
            total["应公开"],
            total["按时公开"],
            total["逾期公开"],
            total["仍逾期未公开"],
            total["漏报周期性公开"],
        ) == (
            17,
            11,
            4,
            2,
            1,
        )
        assert total["按时公开率（%）"] == pytest.approx(64.7)  # 11 / 17
        assert sum(r["应公开"] for r in rows[:-1]) == 17
    _header, cities = _rows(workbook["省辖市"])
    luoyang = next(r for r in cities if r["区划代码"] == "4103")
    # The only city with figures: nothing to rank it against (issue 16).
    assert (luoyang["名称"], luoyang["应公开"], luoyang["排名"]) == ("洛阳市", 16, None)
    assert luoyang["社会救助目录"].startswith("已发布1")
    _header, townships = _rows(workbook["乡镇（街道）"])
    lilou = next(r for r in townships if r["区划代码"] == "410311012")
    assert (lilou["上级区划"], lilou["漏报周期性公开"], lilou["评价"]) == (
        "洛龙区",
        1,
        "落后",
    )


def test_xlsx_of_a_county_has_only_the_township_sheet(dataset):
    workbook = load_workbook(io.BytesIO(_xlsx("410311")))
    assert workbook.sheetnames == ["乡镇（街道）"]
    _header, rows = _rows(workbook.active)
    assert rows[-1]["应公开"] == 7
    assert any(r["名称"] == "洛龙区（本级）" and r["应公开"] == 5 for r in rows)


def test_xlsx_text_cells_cannot_run_as_formulas(dataset):
    Region.objects.filter(code="410307").update(name='=HYPERLINK("http://x","偃师")')
    workbook = load_workbook(io.BytesIO(_xlsx("4103")))
    _header, rows = _rows(workbook.active)
    yanshi = next(r for r in rows if r["区划代码"] == "410307")
    assert yanshi["名称"] == '\'=HYPERLINK("http://x","偃师")'
    for row in workbook.active.iter_rows():
        for cell in row:
            assert cell.data_type != "f"


def test_docx_has_title_summary_table_and_verdicts(dataset):
    document = Document(io.BytesIO(_docx("4103")))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "关于2026年第三季度洛阳市基层政务公开标准目录工作进展情况的通报" in text
    assert (
        "共应公开信息16条" in text and "按时公开11条" in text and "逾期公开3条" in text
    )
    assert "漏报周期性公开1次" in text
    assert "偃师区" in text.split("三、通报表扬")[1].split("四、")[0]
    criticised = text.split("四、通报批评")[1]
    assert "洛龙区（按时公开率低于80%；漏报周期性公开1次）" in criticised
    assert "涧西区" in criticised
    table = document.tables[0]
    names = [row.cells[1].text for row in table.rows]
    assert names[:4] == ["单位", "偃师区", "洛龙区", "涧西区"]
    assert (
        table.rows[-1].cells[1].text == "合计" and table.rows[-1].cells[2].text == "16"
    )
    assert document.core_properties.author == "洛阳市民政局"


def _require(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        raise AssertionError(
            f"{tool} is not installed: apt-get install -y --no-install-recommends "
            "libreoffice-writer-nogui poppler-utils fonts-wqy-microhei"
        )
    return path


@pytest.mark.libreoffice
def test_docx_converts_with_libreoffice(dataset, tmp_path):
    source = tmp_path / "tongbao.docx"
    source.write_bytes(_docx("41"))
    profile = tmp_path / "profile"
    subprocess.run(
        [
            _require("libreoffice"),
            "--headless",
            f"-env:UserInstallation=file://{profile}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = tmp_path / "tongbao.pdf"
    assert pdf.exists()
    text = subprocess.run(
        [_require("pdftotext"), "-layout", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    flat = "".join(text.split())
    assert "关于2026年第三季度河南省基层政务公开标准目录工作进展情况的通报" in flat
    for name in ("洛阳市", "郑州市", "合计", "河南省民政厅"):
        assert name in flat


# --- the command ---------------------------------------------------------------------------


def test_command_writes_xlsx_and_docx(dataset, tmp_path):
    xlsx = tmp_path / "report.xlsx"
    call_command(
        "progress_report",
        "2026Q3",
        "--region",
        "4103",
        "--format",
        "xlsx",
        "-o",
        str(xlsx),
    )
    assert load_workbook(xlsx).sheetnames == ["县（市、区）", "乡镇（街道）"]
    docx = tmp_path / "report.docx"
    call_command(
        "progress_report",
        "2026-08",
        "--region",
        "4103",
        "--format",
        "docx",
        "-o",
        str(docx),
    )
    assert "2026年8月" in Document(str(docx)).paragraphs[0].text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["2026Q7", "--format", "xlsx"], "无法识别统计期“2026Q7”"),
        (["--format", "xlsx"], "请指定统计期"),
        (["2026Q3", "--format", "pdf"], "请用 --format 指定输出格式"),
        (["2026Q3", "--region", "4199", "--format", "xlsx"], "找不到区划代码“4199”"),
    ],
)
def test_command_refuses_in_chinese(db, tmp_path, args, message):
    out = tmp_path / "out.xlsx"
    with pytest.raises(CommandError, match=message):
        call_command("progress_report", *args, "-o", str(out))
    assert not out.exists()


def test_command_needs_an_output_file(db):
    with pytest.raises(CommandError, match="请用 -o 指定输出文件"):
        call_command("progress_report", "2026Q3", "--format", "docx")


def test_command_exits_non_zero_with_the_message_on_stderr(db, tmp_path):
    import os
    import sys

    from django.conf import settings

    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "progress_report",
            "2026Q9",
            "--format",
            "xlsx",
            "-o",
            str(tmp_path / "x.xlsx"),
        ],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "catalog_portal.settings.test"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "无法识别统计期“2026Q9”" in result.stderr
    assert not (tmp_path / "x.xlsx").exists()
