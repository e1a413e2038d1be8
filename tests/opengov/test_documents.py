"""The annual report as files: the docx in the official layout (headings, the three
tables with their exact labels, fonts, A4), the xlsx with the same figures, the
LibreOffice rendering, and `manage.py annual_report`."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import date

import pytest
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from django.core.management import call_command
from django.core.management.base import CommandError

from catalogs.models import Region
from opengov import layout, selectors, services
from opengov.documents import report_to_docx, report_to_xlsx
from tests.builders import LILOU, LUOLONG
from tests.helpers import libreoffice_pdf

from .builders import a_year_of_applications

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(portal, county_clerk):
    """洛龙区 2025 with a year of applications; table 二 entered except 行政强制,
    table 四 not entered, the text sections written."""
    a_year_of_applications(LUOLONG)
    report = services.report_create(
        region=Region.objects.get(code=LUOLONG), year=2025, actor=county_clerk
    )
    figures = dict.fromkeys(layout.table2_keys(), "0")
    figures["t2.licensing.decisions"] = "12"
    figures["t2.fees.amount"] = "3.25"
    del figures["t2.coercion.decisions"]
    services.report_update(
        report=report,
        texts={
            "overview": "（一）主动公开。全年公开信息。",
            "problems": "公开还不够及时。",
            "other_matters": "无。",
        },
        figures=figures,
        actor=county_clerk,
    )
    return report


def _text(cell) -> str:
    return cell.text.strip()


def _unique_rows(table) -> list[list[str]]:
    """Row texts with merged cells counted once."""
    rows = []
    for row in table.rows:
        seen, texts = set(), []
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            texts.append(_text(cell))
        rows.append(texts)
    return rows


def test_docx_has_the_official_headings_tables_and_labels(report):
    data = selectors.report_data(report)
    document = Document(io.BytesIO(report_to_docx(data)))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert round(section.left_margin.mm) == 28 and round(section.top_margin.mm) == 37
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == "洛龙区民政局2025年政府信息公开工作年度报告"
    title_run = document.paragraphs[0].runs[0]
    assert title_run._element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    headings = [p for p in document.paragraphs if re.match("^[一二三四五六]、", p.text)]
    assert [p.text for p in headings] == [str(t) for _k, t in layout.SECTIONS]
    for heading in headings:
        assert heading.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    body = next(p for p in document.paragraphs if p.text.startswith("（一）主动公开"))
    assert body.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert "国办公开办函〔2021〕30号" in paragraphs[1]

    table2, table3, table4 = document.tables
    rows2 = _unique_rows(table2)
    assert rows2[0] == ["第二十条第（一）项"]
    assert rows2[1] == ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]
    assert rows2[2] == ["规章", "0", "0", "0"]
    assert ["行政许可", "12"] in rows2
    assert ["行政强制", "待填写"] in rows2
    assert ["信息内容", "本年收费金额（单位：万元）"] in rows2
    assert ["行政事业性收费", "3.25"] in rows2

    rows3 = _unique_rows(table3)
    assert rows3[0] == [str(layout.TABLE3_NOTE), "申请人情况"]
    assert rows3[1][1:] == ["自然人", "法人或其他组织", "总计"]
    assert rows3[2][-6:] == [
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
        "总计",
    ]
    labels = [r[0] for r in rows3[3:]]
    assert labels[0] == "一、本年新收政府信息公开申请数量"
    assert labels[1] == "二、上年结转政府信息公开申请数量"
    assert labels[2] == "三、本年度办理结果"
    assert labels[-1] == "四、结转下年度继续办理"
    flat = [t for r in rows3 for t in r]
    for label in (
        "（一）予以公开",
        "1．属于国家秘密",
        "8．属于行政查询事项",
        "3．补正后申请内容仍不明确",
        "5．要求行政机关确认或重新出具已获取信息",
        "3．其他",
        "（七）总计",
    ):
        assert label in flat, label
    # Figures: the received row equals the counted table, 7 columns.
    counted = selectors.report_data(report).table3
    assert rows3[3][1:] == [c.display for c in counted[0]["cells"]]
    assert len(table3.rows) == 3 + len(layout.table3_rows())

    rows4 = _unique_rows(table4)
    assert rows4[0] == ["行政复议", "行政诉讼"]
    assert rows4[1] == [
        "结果维持",
        "结果纠正",
        "其他结果",
        "尚未审结",
        "总计",
        "未经复议直接起诉",
        "复议后起诉",
    ]
    assert (
        rows4[2][-10:] == ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2
    )
    assert rows4[3] == ["待填写"] * 15


def test_xlsx_has_the_same_figures_as_the_docx(report):
    data = selectors.report_data(report)
    workbook = load_workbook(io.BytesIO(report_to_xlsx(data)))
    assert workbook.sheetnames == ["正文", "表二", "表三", "表四"]
    sheet3 = workbook["表三"]
    for index, entry in enumerate(data.table3):
        row = [sheet3.cell(row=4 + index, column=c).value for c in range(4, 11)]
        assert row == [c.value for c in entry["cells"]], entry["row"].key
    assert sheet3.cell(row=1, column=4).value == "申请人情况"
    sheet2 = workbook["表二"]
    values = {
        sheet2.cell(row=r, column=1).value: sheet2.cell(row=r, column=2).value
        for r in range(1, sheet2.max_row + 1)
    }
    assert values["行政许可"] == 12 and values["行政强制"] == "待填写"
    assert values["行政事业性收费"] == 3.25
    assert [workbook["表四"].cell(row=4, column=c).value for c in range(1, 16)] == [
        "待填写"
    ] * 15
    assert workbook["正文"].cell(row=1, column=1).value == data.title


def test_command_writes_docx_and_xlsx(report, tmp_path, capsys):
    out = tmp_path / "report.docx"
    call_command(
        "annual_report", "2025", "--region", LUOLONG, "--format", "docx", "-o", str(out)
    )
    assert (
        Document(str(out)).paragraphs[0].text.endswith("2025年政府信息公开工作年度报告")
    )
    assert "待填写 13 项" in capsys.readouterr().out  # 行政强制 + 12 cells of table 四
    xlsx = tmp_path / "report.xlsx"
    call_command(
        "annual_report",
        "2025",
        "--region",
        LUOLONG,
        "--format",
        "xlsx",
        "-o",
        str(xlsx),
    )
    assert load_workbook(str(xlsx)).sheetnames[0] == "正文"


def test_command_without_a_saved_report_exports_the_draft(portal, tmp_path):
    """A township with nothing at all: the draft, counted zeros and 待填写."""
    out = tmp_path / "draft.docx"
    call_command(
        "annual_report", "2024", "--region", LILOU, "--format", "docx", "-o", str(out)
    )
    document = Document(str(out))
    assert document.paragraphs[0].text == "李楼街道办事处2024年政府信息公开工作年度报告"
    table3 = document.tables[1]
    figures = {c.text for row in list(table3.rows)[3:] for c in row.cells[3:]}
    assert figures == {"0"}
    assert "待填写" in {c.text for c in document.tables[2].rows[3].cells}
    from opengov.models import AnnualReport

    assert not AnnualReport.objects.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["20x5", "--region", LUOLONG, "--format", "docx", "-o", "x.docx"],
            "四位数字的报告年度",
        ),
        (["2025", "--format", "docx", "-o", "x.docx"], "请用 --region 指定区划代码"),
        (
            ["2025", "--region", LUOLONG, "--format", "pdf", "-o", "x.pdf"],
            "docx（Word）或 xlsx",
        ),
        (
            ["2025", "--region", "4103", "--format", "docx", "-o", "x.docx"],
            "年度报告按县、乡两级编写",
        ),
        (
            ["2025", "--region", "999999", "--format", "docx", "-o", "x.docx"],
            "没有区划代码为“999999”",
        ),
        (
            [
                "2025",
                "--region",
                LUOLONG,
                "--format",
                "docx",
                "-o",
                "/nonexistent/x.docx",
            ],
            "输出目录不存在",
        ),
    ],
)
def test_command_refusals_are_chinese(portal, args, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("annual_report", *args)


def _require(program: str) -> str:
    path = shutil.which(program)
    if path is None:
        pytest.fail(
            f"{program} is not installed; install it with: apt-get install -y "
            "--no-install-recommends libreoffice-writer-nogui poppler-utils fonts-wqy-microhei"
        )
    return path


@pytest.mark.libreoffice
def test_docx_renders_to_pdf_without_overflow(report, tmp_path):
    """LibreOffice renders an A4 portrait PDF; every word lies inside the page's
    printable area (no table runs off the page) and every section is there."""
    office = shutil.which("libreoffice") or _require("soffice")
    source = tmp_path / "report.docx"
    source.write_bytes(report_to_docx(selectors.report_data(report)))
    pdf = libreoffice_pdf(office, source, tmp_path / "lo-profile")
    info = subprocess.run(
        [_require("pdfinfo"), str(pdf)], check=True, capture_output=True, text=True
    ).stdout
    width, height = map(
        float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups()
    )
    assert (round(width), round(height)) == (595, 842)
    html = tmp_path / "words.html"
    subprocess.run([_require("pdftotext"), "-bbox", str(pdf), str(html)], check=True)
    words = re.findall(
        r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">(.*?)</word>',
        html.read_text(encoding="utf-8"),
    )
    assert words
    # 28 mm and 26 mm margins = 79 pt and 74 pt; allow the cell padding.
    for x_min, x_max, word in words:
        assert float(x_min) >= 70 and float(x_max) <= width - 65, word
    text = subprocess.run(
        [_require("pdftotext"), "-layout", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    compact = re.sub(r"\s+", "", text)
    for _key, heading in layout.SECTIONS:
        assert str(heading) in compact, heading
    assert "洛龙区民政局2025年政府信息公开工作年度报告" in compact
    assert "待填写" in compact and "结转下年度继续办理" in compact


def test_figures_are_counted_at_the_time_of_export(report):
    """A draft is counted when shown: a new application received in 2025 appears."""
    from .builders import application

    before = selectors.report_data(report).table3[0]["cells"][-1].value
    application(LUOLONG, kind="business", received=date(2025, 11, 11))
    after = selectors.report_data(report).table3[0]["cells"][-1].value
    assert after == before + 1
