"""Issue 21: the Excel download is the official table (sheet 1), with the
machine-readable import sheet second; LibreOffice prints it on A4 landscape
pages whose text is at least 9 pt."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from catalogs.documents import (
    CatalogImportError,
    catalog_from_xlsx,
    catalog_to_xlsx,
)
from catalogs.documents.table import grouped
from tests.builders import LUOLONG, SA
from tests.catalogs.test_documents import _name_column_text, load_tables
from tests.helpers import libreoffice_pdf


@pytest.fixture(scope="module")
def tables():
    return load_tables() + load_tables("province_templates.json")


def _workbook(table):
    return load_workbook(io.BytesIO(catalog_to_xlsx(table)))


def test_sheet_order_and_round_trip(tables):
    for table in tables:
        data = catalog_to_xlsx(table)
        workbook = load_workbook(io.BytesIO(data))
        assert workbook.sheetnames == [table.title[:31], "导入用数据", "填写说明"]
        # The importer reads the import sheet back exactly, never the official one.
        assert catalog_from_xlsx(data) == table.items


def test_official_sheet_layout(tables):
    table = tables[0]  # 洛阳市社会救助: has 村级
    assert table.village_level
    sheet = _workbook(table).worksheets[0]
    merged = {str(r) for r in sheet.merged_cells.ranges}
    # Title and version label merged across the 15 columns (序号 … 村级).
    assert sheet["A1"].value == table.title and "A1:O1" in merged
    assert sheet["A2"].value.startswith("第1版")
    assert sheet["A1"].font.name == "方正小标宋简体"
    # Two-level header: single headers merged down rows 3–4, groups across.
    assert [sheet.cell(3, c).value for c in (1, 2, 4, 5, 8, 9, 11, 13)] == [
        "序号",
        "公开事项",
        "公开内容（要素）",
        "公开依据",
        "公开渠道和载体",
        "公开对象",
        "公开方式",
        "公开层级",
    ]
    assert {"A3:A4", "B3:C3", "D3:D4", "I3:J3", "K3:L3", "M3:O3"} <= merged
    assert [sheet.cell(4, c).value for c in range(9, 16)] == [
        "全社会",
        "特定群体",
        "主动",
        "依申请",
        "县级",
        "乡级",
        "村级",
    ]
    assert sheet.cell(4, 2).value == "一级事项" and sheet.cell(4, 3).value == "二级事项"
    assert sheet["A3"].font.name == "黑体" and sheet["A3"].font.b

    items = grouped(table.items)
    first = items[0]
    assert sheet["A5"].value == (first.seq or 1)
    assert sheet["C5"].value == first.name
    assert sheet["D5"].value.split("\n")[0] == f"1.{first.content[0]}"
    channels = sheet["H5"].value.split("\n")
    assert len(channels) == 13 and all(c[0] in "■□" for c in channels)
    ticks = [sheet.cell(5, c).value for c in range(9, 16)]
    assert set(ticks) <= {"✓", None} and "✓" in ticks
    # Body in 仿宋, explicit row heights tall enough for the 13 channel lines.
    for row in range(5, 5 + len(items)):
        assert sheet.cell(row, 4).font.name == "仿宋"
        assert sheet.cell(row, 4).font.sz >= 10
        assert sheet.row_dimensions[row].height >= 13 * 10.5
    assert sheet.max_row == 4 + len(items)
    # 一级事项 merged down over its category.
    first_group = sum(1 for item in items if item.category == first.category)
    if first_group > 1:
        assert f"B5:B{4 + first_group}" in merged
    assert sheet["B5"].value == first.category

    # Printing: A4 landscape, one page wide, header rows repeated.
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4)  # A4
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert int(sheet.page_setup.fitToWidth) == 1
    assert int(sheet.page_setup.fitToHeight) == 0
    assert sheet.print_title_rows == "$3:$4"


def test_official_sheet_is_never_imported(tables):
    """Without the import sheet the file is refused, not read from the official table."""
    workbook = _workbook(tables[1])
    del workbook["导入用数据"]
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(CatalogImportError, match="没有找到表头行"):
        catalog_from_xlsx(buffer.getvalue())


def test_import_sheet_wins_even_when_moved_behind_a_hand_made_table(tables):
    """A sheet with the key column is read before an earlier sheet without it."""
    workbook = _workbook(tables[1])
    extra = workbook.create_sheet("草稿", 0)
    extra.append(["序号", "一级事项", "二级事项", "公开内容"])
    extra.append([1, "某类", "某事项", "某内容"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert catalog_from_xlsx(buffer.getvalue()) == tables[1].items


def test_official_sheet_neutralises_formula_text(tables):
    table = tables[1]
    item = table.items[0]
    original = item.name
    item.name = '=HYPERLINK("http://example.com","点击")'
    try:
        sheet = _workbook(table).worksheets[0]
    finally:
        item.name = original
    cell = sheet["C5"]
    assert cell.data_type == "s" and cell.value.startswith("'=")


@pytest.mark.django_db
def test_public_download_is_the_official_table(client, portal):
    response = client.get(f"/r/{LUOLONG}/{SA}/download.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    official = workbook.worksheets[0]
    assert official.cell(3, 1).value == "序号"
    assert official.cell(4, 3).value == "二级事项"
    assert workbook.sheetnames[1:] == ["导入用数据", "填写说明"]


# --- LibreOffice (as the docx test in test_documents.py) ---------------------------


def _require(program: str) -> str:
    path = shutil.which(program)
    if path is None:
        pytest.fail(
            f"{program} is not installed; install it with: apt-get install -y "
            "--no-install-recommends libreoffice-calc-nogui poppler-utils fonts-wqy-microhei"
        )
    return path


def _text_sizes(pdf) -> list[tuple[int, str, float]]:
    """(page index, text, size in pt on the page) of every text run in the PDF."""
    runs = []
    for index, page in enumerate(PdfReader(pdf).pages):

        def visit(text, cm, tm, font, size, index=index):
            if text.strip():
                # size is the font size times the text matrix; scale by the CTM.
                scale = (abs(cm[0] * cm[3] - cm[1] * cm[2])) ** 0.5
                runs.append((index, text.strip(), size * scale))

        page.extract_text(visitor_text=visit)
    return runs


@pytest.mark.libreoffice
def test_xlsx_renders_in_libreoffice_on_a4_landscape_at_9pt_or_more(tables, tmp_path):
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None:
        pytest.fail(
            "LibreOffice (libreoffice/soffice) is not installed; install it with: apt-get "
            "install -y --no-install-recommends libreoffice-calc-nogui poppler-utils "
            "fonts-wqy-microhei"
        )
    # 社会救助 (with 村级) and 养老服务 (without): the widest and a narrower table.
    for table in tables[:2]:
        folder = tmp_path / table.domain_name
        folder.mkdir()
        source = folder / "catalog.xlsx"
        source.write_bytes(catalog_to_xlsx(table))
        pdf = libreoffice_pdf(office, source, tmp_path / "lo-profile")

        info = subprocess.run(
            [_require("pdfinfo"), str(pdf)], check=True, capture_output=True, text=True
        ).stdout
        pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
        for page in PdfReader(pdf).pages:  # every page, every sheet
            width, height = float(page.mediabox.width), float(page.mediabox.height)
            assert (round(width), round(height)) == (842, 595)  # A4 landscape

        runs = _text_sizes(pdf)
        assert runs
        small = [(p, t, round(s, 2)) for p, t, s in runs if s < 9]
        assert not small, small[:5]

        text = subprocess.run(
            [_require("pdftotext"), "-layout", str(pdf), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        assert table.title in text
        assert "■政府网站" in text and "□政府公报" in text and "✓" in text
        names = _name_column_text(pdf, folder)
        for item in table.items:
            assert item.name in names, item.name
        # Print titles: the header row stands on every page of the official table.
        official_pages = {p for p, t, _s in runs if "■" in t or "□" in t}
        header_pages = {p for p, t, _s in runs if "公开渠道和载体" in t}
        assert len(official_pages) > 1 and official_pages <= header_pages
        assert pages >= len(official_pages)
