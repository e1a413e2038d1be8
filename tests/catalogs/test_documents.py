"""Catalog documents: official-table Word export/import and Excel round trip."""

from __future__ import annotations

import copy
import dataclasses
import io
import json
import os
import re
import shutil
import subprocess
import uuid
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from openpyxl import load_workbook

from django.conf import settings

from catalogs.documents import (
    XLSX_COLUMNS,
    BasisRow,
    CatalogImportError,
    CatalogTable,
    ImportProblem,
    ItemRow,
    catalog_from_docx,
    catalog_from_xlsx,
    catalog_to_docx,
    catalog_to_xlsx,
    detect_format,
    format_basis,
    parse_basis,
)
from tests.catalogs.docx_samples import DEFAULT_HEADERS, build_official_docx, seed_rows
from tests.helpers import libreoffice_pdf

DATA_DIR = Path(settings.BASE_DIR).parent / "shared" / "data"
KEY_NAMESPACE = uuid.UUID("6f1d1f55-5d0c-4c2b-9a53-2a7c1d1e0b11")


def load_tables(filename: str = "luoyang_catalogs.json") -> list[CatalogTable]:
    """The real catalogs of the reference data, one CatalogTable per domain."""
    data = json.loads((DATA_DIR / filename).read_text(encoding="utf-8"))
    tables = []
    for domain in data["domains"]:
        items = [
            ItemRow(
                category=category["name"],
                name=item["name"],
                content=list(item["content"]),
                basis=[BasisRow(b["title"], b["number"]) for b in item["basis"]],
                time_limit=item["time_limit"],
                subjects=list(item["subjects"]),
                channels=list(item["channels"]),
                channel_other=item.get("channel_other", ""),
                audience=list(item["audience"]),
                mode=list(item["mode"]),
                levels=list(item["levels"]),
                key=str(uuid.uuid5(KEY_NAMESPACE, f"{domain['slug']}-{item['seq']}")),
                seq=item["seq"],
            )
            for category in domain["categories"]
            for item in category["items"]
        ]
        tables.append(
            CatalogTable(
                title=domain["catalog_title"],
                region_name="洛阳市",
                domain_name=domain["name"],
                village_level=domain["slug"] == "social-assistance",
                items=items,
                version_label="第1版 2020-08-04 发布",
            )
        )
    return tables


@pytest.fixture(scope="module")
def luoyang() -> list[CatalogTable]:
    return load_tables()


def sheet_values(data: bytes) -> dict[str, list[tuple]]:
    workbook = load_workbook(io.BytesIO(data))
    return {
        ws.title: list(ws.iter_rows(values_only=True)) for ws in workbook.worksheets
    }


def without_key(items: list[ItemRow]) -> list[ItemRow]:
    return [dataclasses.replace(item, key="") for item in items]


def small_table(**changes) -> CatalogTable:
    item = ItemRow(
        category="综合业务",
        name="政策法规文件",
        content=["文件名称", "文号"],
        basis=[
            BasisRow(
                "《中华人民共和国政府信息公开条例》", "中华人民共和国国务院令第711号"
            )
        ],
        time_limit="制定或获取信息之日起10个工作日内",
        subjects=["县级人民政府民政部门"],
        channels=["政府网站"],
        audience=["全社会"],
        mode=["主动"],
        levels=["县级"],
        seq=1,
    )
    item = dataclasses.replace(item, **changes)
    return CatalogTable(
        "洛龙区社会救助领域基层政务公开标准目录", "洛龙区", "社会救助", True, [item]
    )


# ---------------------------------------------------------------------------
# Excel
# ---------------------------------------------------------------------------


def test_xlsx_round_trip_of_the_luoyang_catalogs(luoyang):
    """All 24 real items come back identical, and a second export has identical cells."""
    assert sum(len(table.items) for table in luoyang) == 24
    for table in luoyang:
        exported = catalog_to_xlsx(table)
        imported = catalog_from_xlsx(exported)
        assert imported == table.items
        again = catalog_to_xlsx(dataclasses.replace(table, items=imported))
        assert sheet_values(again) == sheet_values(exported)


def test_xlsx_round_trip_of_the_province_templates():
    """The province templates (with 村级, generic bases, GB/T numbers) round-trip too."""
    for table in load_tables("province_templates.json"):
        assert catalog_from_xlsx(catalog_to_xlsx(table)) == table.items


def test_xlsx_layout(luoyang):
    """Import sheet: header row 1, one row per item, the documented separators,
    frozen and wrapped (sheet 1 is the official table, see test_issue21_official_xlsx)."""
    table = luoyang[1]  # 养老服务
    workbook = load_workbook(io.BytesIO(catalog_to_xlsx(table)))
    sheet = workbook["导入用数据"]
    assert workbook.worksheets[0].title == "洛阳市养老服务领域基层政务公开标准目录"
    assert workbook.properties.title == table.title
    assert [c.value for c in sheet[1]] == [header for _f, header in XLSX_COLUMNS]
    assert sheet.max_row == 1 + 11
    assert sheet.freeze_panes == "E2"
    row = {
        header: cell.value
        for (_f, header), cell in zip(XLSX_COLUMNS, sheet[12], strict=True)
    }
    assert row["序号"] == 11
    assert row["二级事项"] == "民政部门负责的养老服务行政处罚信息"
    assert row["公开依据"].split("\n") == [
        "《中华人民共和国政府信息公开条例》（中华人民共和国国务院令第711号）",
        "《中华人民共和国老年人权益保障法》",
        "《中华人民共和国行政强制法》",
        "《中华人民共和国行政处罚法》",
        "其他有关法律、行政法规",
        "《养老机构管理办法》",
        "各地相关法规",
    ]
    assert (
        sheet.cell(7, 9).value
        == "政府网站、两微一端、政务服务中心、便民服务站、社区/企事业单位/村公示栏（电子屏）"
    )
    assert sheet.cell(2, 5).alignment.wrap_text
    assert sheet.column_dimensions["E"].width >= 40
    assert workbook.sheetnames[1:] == ["导入用数据", "填写说明"]


def test_xlsx_neutralises_formulas_and_restores_them():
    """Cells starting with = + - @ are exported with a leading apostrophe; import undoes it."""
    table = small_table(
        name='=HYPERLINK("http://example.com","点击")',
        content=["+86 电话", "-1", "@SUM(A1)", "'=已转义"],
        note="=1+1",
    )
    data = catalog_to_xlsx(table)
    sheet = load_workbook(io.BytesIO(data))["导入用数据"]
    assert sheet["D2"].value == '\'=HYPERLINK("http://example.com","点击")'
    assert sheet["D2"].data_type == "s"
    assert sheet["E2"].value == "'+86 电话\n-1\n@SUM(A1)\n'=已转义"
    assert sheet["N2"].value == "'=1+1"
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f"
    assert catalog_from_xlsx(data) == table.items


def test_xlsx_other_channel_text_and_separators():
    """其他 goes with its own column; values are written in official order."""
    table = small_table(
        channels=["其他", "政府网站"],
        channel_other="村务微信群",
        levels=["村级", "县级"],
        key=str(uuid.uuid4()),
        note="本地新增",
    )
    data = catalog_to_xlsx(table)
    sheet = load_workbook(io.BytesIO(data))["导入用数据"]
    assert sheet["I2"].value == "政府网站、其他"
    assert sheet["J2"].value == "村务微信群"
    assert sheet["M2"].value == "县级、村级"
    (item,) = catalog_from_xlsx(data)
    assert item.channels == ["政府网站", "其他"]
    assert item.channel_other == "村务微信群"
    assert item.levels == ["县级", "村级"]
    assert item.key == table.items[0].key


def test_xlsx_tolerates_hand_edits():
    """Numbered elements, half-width brackets, other separators and aliases are understood."""
    data = catalog_to_xlsx(small_table())
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook["导入用数据"]
    sheet["A2"] = None  # a new item has no key
    sheet["E2"] = "1.文件名称\n2、文号\n\n3.发文部门"
    sheet["F2"] = (
        "《国务院关于进一步加强和改进最低生活保障工作的意见》(国发〔2012〕45号)；各地相关政策法规文件"
    )
    sheet["H2"] = "县级人民政府民政部门，乡镇人民政府(街道办事处)"
    sheet["I2"] = "政府网站\n政务服务大厅"
    sheet["L2"] = "主动公开"
    buffer = io.BytesIO()
    workbook.save(buffer)
    (item,) = catalog_from_xlsx(buffer.getvalue())
    assert item.key == ""
    assert item.content == ["文件名称", "文号", "发文部门"]
    assert item.basis == [
        BasisRow(
            "《国务院关于进一步加强和改进最低生活保障工作的意见》", "国发〔2012〕45号"
        ),
        BasisRow("各地相关政策法规文件", ""),
    ]
    assert item.subjects == ["县级人民政府民政部门", "乡镇人民政府（街道办事处）"]
    assert item.channels == ["政府网站", "政务服务中心"]
    assert item.mode == ["主动"]


def _edited_xlsx(edits: dict[str, object], *, items: int = 6) -> bytes:
    table = small_table()
    table.items = [
        dataclasses.replace(
            table.items[0], name=f"事项{n}", seq=n, key=str(uuid.uuid4())
        )
        for n in range(1, items + 1)
    ]
    workbook = load_workbook(io.BytesIO(catalog_to_xlsx(table)))
    sheet = workbook["导入用数据"]
    for ref, value in edits.items():
        sheet[ref] = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_bad_rows_are_all_reported_with_row_and_column():
    """Every problem is collected with its row and column; nothing is imported."""
    data = _edited_xlsx(
        {
            "D2": None,  # no 二级事项
            "F3": "《养老机构管理办法》",  # no number
            "I4": "政府网站、微信群",  # unknown channel
            "M5": "县级、省级",  # unknown level
            "N6": "=1+1",  # a formula
            "F7": "《洛阳市民政局关于印发最低生活保障审核审批办法的通知》（洛民〔2018〕）",
        }
    )
    with pytest.raises(CatalogImportError) as info:
        catalog_from_xlsx(data)
    messages = [str(problem) for problem in info.value.errors]
    assert messages == [
        "第2行“二级事项”列：缺少二级事项（事项名称），请填写。",
        # 第3行 and 第7行: bases are kept as written with a warning (issue 16).
        "第4行“公开渠道和载体”列：无法识别的公开渠道“微信群”，可选值：政府网站、政府公报、"
        "两微一端、发布会/听证会、广播电视、纸质媒体、公开查阅点、政务服务中心、便民服务站、"
        "入户/现场、社区/企事业单位/村公示栏（电子屏）、精准推送、其他。",
        "第5行“公开层级”列：无法识别的公开层级“省级”，可选值：县级、乡级、村级。",
        "第6行“备注”列：单元格含有公式，请改为纯文本。",
    ]
    assert str(info.value) == "\n".join(messages)


def test_xlsx_duplicate_items_and_bad_keys():
    data = _edited_xlsx({"D3": "事项1", "A4": "not-a-uuid"}, items=4)
    with pytest.raises(CatalogImportError) as info:
        catalog_from_xlsx(data)
    assert [str(p) for p in info.value.errors] == [
        "第3行“二级事项”列：“综合业务”下的“事项1”与第2行重复。",
        "第4行“事项标识”列：事项标识“not-a-uuid”无效，请勿修改该列；新增事项请留空。",
    ]


def test_xlsx_wrong_headers():
    """A spreadsheet that is not a catalog, or lacks a column, is refused with its headers named."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["姓名", "身份证号", "金额"])
    workbook.active.append(["张三", "410311199001011234", 500])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(CatalogImportError, match="没有找到表头行"):
        catalog_from_xlsx(buffer.getvalue())

    workbook = load_workbook(io.BytesIO(catalog_to_xlsx(small_table())))
    workbook["导入用数据"].delete_cols(6)  # 公开依据
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(CatalogImportError) as info:
        catalog_from_xlsx(buffer.getvalue())
    assert [str(p) for p in info.value.errors] == [
        "第1行：缺少“公开依据”列，请使用本平台导出的Excel模板。"
    ]


def test_xlsx_without_items():
    workbook = load_workbook(io.BytesIO(catalog_to_xlsx(small_table())))
    workbook["导入用数据"].delete_rows(2)
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(CatalogImportError, match="没有找到任何公开事项"):
        catalog_from_xlsx(buffer.getvalue())


# ---------------------------------------------------------------------------
# Word export
# ---------------------------------------------------------------------------


def _tc_props(cell) -> tuple[int, str | None]:
    tc_pr = cell._tc.tcPr
    span = cell._tc.grid_span
    v_merge = None
    if tc_pr is not None and tc_pr.find(qn("w:vMerge")) is not None:
        v_merge = tc_pr.find(qn("w:vMerge")).get(qn("w:val")) or "continue"
    return span, v_merge


def test_docx_export_structure(luoyang):
    """Landscape A4, title, two repeated header rows with merges, one row per item."""
    table = luoyang[0]  # 社会救助, with 村级
    document = Document(io.BytesIO(catalog_to_docx(table)))
    section = document.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE
    assert section.page_width > section.page_height

    title = document.paragraphs[0]
    assert title.text == "洛阳市社会救助领域基层政务公开标准目录"
    assert title.alignment == 1  # centred
    fonts = title.runs[0]._element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    assert title.runs[0].font.size.pt >= 18
    assert document.paragraphs[1].text == "第1版 2020-08-04 发布"

    (grid,) = document.tables
    rows = list(grid.rows)
    assert len(rows) == 2 + 13
    assert (
        len(grid.columns) == 15
    )  # 序号, 2 事项, 内容, 依据, 时限, 主体, 渠道, 2+2+3 ticks
    for row in rows[:2]:
        assert row._tr.trPr.find(qn("w:tblHeader")) is not None
    for row in rows[2:]:
        assert row._tr.trPr is None or row._tr.trPr.find(qn("w:tblHeader")) is None

    top = [c.text for c in rows[0].cells]
    sub = [c.text for c in rows[1].cells]
    assert top == [
        "序号", "公开事项", "公开事项", "公开内容（要素）", "公开依据", "公开时限", "公开主体",
        "公开渠道和载体", "公开对象", "公开对象", "公开方式", "公开方式", "公开层级", "公开层级",
        "公开层级",
    ]  # fmt: skip
    assert sub[1:3] == ["一级事项", "二级事项"]
    assert sub[8:] == ["全社会", "特定群体", "主动", "依申请", "县级", "乡级", "村级"]
    # Horizontal merges in the top row, vertical merges of single headers.
    top_tcs = rows[0]._tr.tc_lst
    assert [tc.grid_span for tc in top_tcs] == [1, 2, 1, 1, 1, 1, 1, 2, 2, 3]
    assert _tc_props(rows[0].cells[0]) == (1, "restart")
    assert rows[1]._tr.tc_lst[0].vMerge == "continue"

    # 一级事项 merged down its items: 综合业务 2, 最低生活保障 4, 特困 4, 临时救助 3.
    category_tcs = [row._tr.tc_lst[1] for row in rows[2:]]
    assert [tc.vMerge for tc in category_tcs] == (
        ["restart", "continue"] + ["restart"] + ["continue"] * 3
        + ["restart"] + ["continue"] * 3 + ["restart"] + ["continue"] * 2
    )  # fmt: skip
    assert [rows[i].cells[1].text for i in (2, 4, 8, 12)] == [
        "综合业务", "最低生活保障", "特困人员救助供养", "临时救助",
    ]  # fmt: skip

    first = rows[2].cells
    assert first[0].text == "1"
    assert first[2].text == "政策法规文件"
    assert first[3].text.split("\n") == [
        "1.《社会救助暂行办法》（国务院令第659号）",
        "2.《河南省社会救助实施办法》（豫政〔2014〕92号）",
        "3.《中华人民共和国政府信息公开条例》（中华人民共和国国务院令第711号）",
    ]
    assert (
        first[4].text
        == "《中华人民共和国政府信息公开条例》（中华人民共和国国务院令第711号）"
    )
    channel_lines = first[7].text.split("\n")
    assert len(channel_lines) == 13
    assert channel_lines[0] == "■政府网站"
    assert channel_lines[1] == "□政府公报"
    assert channel_lines[7] == "■政务服务中心"
    assert channel_lines[12] == "□其他"
    assert [c.text for c in first[8:]] == ["✓", "", "✓", "", "✓", "✓", ""]

    body = document.element.body.xml
    assert body.count("■") + body.count("□") == 13 * 13
    footer_xml = section.footer._element.xml
    assert "PAGE" in footer_xml and "fldChar" in footer_xml
    assert document.core_properties.author == ""


def test_docx_export_without_village_column_and_with_note(luoyang):
    """养老服务 has no 村级 column; a 备注 column appears only when an item has a note."""
    table = luoyang[1]
    document = Document(io.BytesIO(catalog_to_docx(table)))
    (grid,) = document.tables
    assert len(grid.columns) == 14
    assert [c.text for c in grid.rows[1].cells][-2:] == ["县级", "乡级"]
    assert len(grid.rows) == 2 + 11

    noted = dataclasses.replace(
        table, items=[dataclasses.replace(table.items[0], note="本地新增")]
    )
    (grid,) = Document(io.BytesIO(catalog_to_docx(noted))).tables
    assert grid.rows[0].cells[-1].text == "备注"
    assert grid.rows[2].cells[-1].text == "本地新增"

    bad = dataclasses.replace(
        table, items=[dataclasses.replace(table.items[0], levels=["村级"])]
    )
    with pytest.raises(ValueError, match="村级"):
        catalog_to_docx(bad)


def test_docx_other_channel_text():
    table = small_table(channels=["政府网站", "其他"], channel_other="村务微信群")
    (grid,) = Document(io.BytesIO(catalog_to_docx(table))).tables
    assert grid.rows[2].cells[7].text.split("\n")[-1] == "■其他：村务微信群"
    (item,) = catalog_from_docx(catalog_to_docx(table))
    assert item.channels == ["政府网站", "其他"]
    assert item.channel_other == "村务微信群"


def test_docx_round_trip_of_the_real_catalogs(luoyang):
    """Export → import gives the same items (Word carries no item key)."""
    tables = luoyang + load_tables("province_templates.json")
    for table in tables:
        assert catalog_from_docx(catalog_to_docx(table)) == without_key(table.items)


def test_docx_groups_items_by_category():
    """Items are grouped by category in the order the categories first appear."""
    table = small_table()
    base = table.items[0]
    table.items = [
        dataclasses.replace(base, category="甲", name="一", seq=1),
        dataclasses.replace(base, category="乙", name="二", seq=2),
        dataclasses.replace(base, category="甲", name="三", seq=3),
    ]
    names = [(i.category, i.name) for i in catalog_from_docx(catalog_to_docx(table))]
    assert names == [("甲", "一"), ("甲", "三"), ("乙", "二")]


# ---------------------------------------------------------------------------
# Word import of the official layout
# ---------------------------------------------------------------------------

GOV_INFO = BasisRow(
    "《中华人民共和国政府信息公开条例》", "中华人民共和国国务院令第711号"
)
BOTH = ["县级人民政府民政部门", "乡镇人民政府（街道办事处）"]


def test_docx_import_of_the_official_layout():
    """A table built like seed 003 imports to the right items and elements."""
    items = catalog_from_docx(build_official_docx(seed_rows()))
    values = [v for item in items for v in item.channels + item.levels + item.subjects]
    assert {type(v) for v in values} == {str}  # plain strings, not TextChoices members
    assert items == [
        ItemRow(
            category="综合业务",
            name="政策法规文件",
            content=[
                "《社会救助暂行办法》（国务院令第649号）",
                "《河南省社会救助实施办法》（豫政〔2014〕92号）",
            ],
            basis=[GOV_INFO],
            time_limit="制定或获取信息之日起10个工作日内",
            subjects=BOTH,
            channels=["政府网站", "公开查阅点", "政务服务中心"],
            audience=["全社会"],
            mode=["主动"],
            levels=["县级", "乡级"],
            seq=1,
        ),
        ItemRow(
            category="综合业务",
            name="监督检查",
            content=["社会救助信访通讯地址", "社会救助投诉举报电话"],
            basis=[GOV_INFO],
            time_limit="制定或获取信息之日起10个工作日内",
            subjects=BOTH,
            channels=["政府网站", "公开查阅点", "政务服务中心"],
            audience=["全社会"],
            mode=["主动", "依申请"],
            levels=["县级", "乡级"],
            seq=2,
        ),
        ItemRow(
            category="最低生活保障",
            name="审核信息",
            content=["初审对象名单及相关信息"],
            basis=[
                BasisRow(
                    "《国务院关于进一步加强和改进最低生活保障工作的意见》",
                    "国发〔2012〕45号",
                ),
                BasisRow("《最低生活保障审核审批办法(试行)》", "民发〔2012〕220号"),
                BasisRow("各地相关政策法规文件", ""),
            ],
            time_limit="制定或获取信息之日起10个工作日内，公示7个工作日",
            subjects=["乡镇人民政府（街道办事处）"],
            channels=["政府网站", "社区/企事业单位/村公示栏（电子屏）", "其他"],
            channel_other="村务微信群",
            audience=["全社会", "特定群体"],
            mode=["主动"],
            levels=["乡级", "村级"],
            seq=3,
        ),
        ItemRow(
            category="最低生活保障",
            name="审批信息",
            content=["低保对象名单及相关信息", "救助金额"],
            basis=[
                BasisRow(
                    "《国务院关于进一步加强和改进最低生活保障工作的意见》",
                    "国发〔2012〕45号",
                ),
                BasisRow("各地相关政策法规文件", ""),
            ],
            time_limit="制定或获取信息之日起10个工作日内",
            subjects=BOTH,
            channels=[
                "政府网站",
                "公开查阅点",
                "政务服务中心",
                "社区/企事业单位/村公示栏（电子屏）",
            ],
            audience=["全社会"],
            mode=["主动"],
            levels=["县级", "乡级", "村级"],
            seq=4,
        ),
    ]


def test_docx_import_reports_every_bad_cell():
    """Missing name, number-less basis, unknown channel and an unreadable tick, each placed."""
    rows = seed_rows()
    rows[0].name = ""
    rows[1].basis = "《养老机构管理办法》"
    rows[2].channels = ("■政府网站 □微信群", "")
    rows[3].ticks = {"县级"}
    rows[3].mark = "？"
    with pytest.raises(CatalogImportError) as info:
        catalog_from_docx(build_official_docx(rows))
    assert [str(p) for p in info.value.errors] == [
        "第3行“二级事项”列：缺少二级事项（事项名称），请填写。",
        # 第4行: a basis without 文号 is matched against the library on import.
        "第5行“公开渠道和载体”列：无法识别的公开渠道“微信群”，可选值：政府网站、政府公报、"
        "两微一端、发布会/听证会、广播电视、纸质媒体、公开查阅点、政务服务中心、便民服务站、"
        "入户/现场、社区/企事业单位/村公示栏（电子屏）、精准推送、其他。",
        "第6行“公开层级（县级）”列：无法识别的勾选标记“？”，勾选请用“✓”，不选请留空。",
    ]


def test_docx_import_wrong_headers():
    """A missing column and an unknown level sub-column are reported at the header rows."""
    headers = [h for h in DEFAULT_HEADERS if h[0] != "公开依据"]
    headers = [
        (top, ["县级", "省级"] if top == "公开层级" else subs) for top, subs in headers
    ]
    with pytest.raises(CatalogImportError) as info:
        catalog_from_docx(build_official_docx(seed_rows(), headers=headers))
    assert [str(p) for p in info.value.errors] == [
        "第1行：表头缺少“公开依据”列。",
        "第2行“公开层级（省级）”列：无法识别的公开层级“省级”，可选值：县级、乡级、村级。",
    ]


def _two_tables(rows) -> bytes:
    """The catalog split over two tables in one document, as some counties do."""
    document = Document(io.BytesIO(build_official_docx(rows[:2])))
    second = Document(io.BytesIO(build_official_docx(rows[2:])))
    document.element.body[-1].addprevious(copy.deepcopy(second.tables[-1]._tbl))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_catalog_split_over_two_tables():
    """Every catalog table is read; problems name the table they are in."""
    rows = seed_rows()
    rows[3].category = "最低生活保障"
    names = [
        (item.category, item.name) for item in catalog_from_docx(_two_tables(rows))
    ]
    assert names == [
        ("综合业务", "政策法规文件"),
        ("综合业务", "监督检查"),
        ("最低生活保障", "审核信息"),
        ("最低生活保障", "审批信息"),
    ]
    rows[3].channels = ("■政府网站 □微信群", "")
    with pytest.raises(CatalogImportError) as info:
        catalog_from_docx(_two_tables(rows))
    (message,) = [str(p) for p in info.value.errors]
    assert message.startswith(
        "第2个表格第4行“公开渠道和载体”列：无法识别的公开渠道“微信群”"
    )


def test_docx_without_a_catalog_table():
    document = Document()
    document.add_paragraph("洛阳市社会救助领域基层政务公开标准目录")
    document.add_table(rows=2, cols=2).cell(0, 0).text = "姓名"
    buffer = io.BytesIO()
    document.save(buffer)
    with pytest.raises(CatalogImportError, match="没有找到标准目录表格"):
        catalog_from_docx(buffer.getvalue())


def test_docx_category_blank_on_the_first_row():
    """A blank 一级事项 continues the category above, so the first row needs one."""
    row = seed_rows()[3]
    assert row.category == ""
    with pytest.raises(CatalogImportError) as info:
        catalog_from_docx(build_official_docx([row]))
    assert [str(p) for p in info.value.errors] == [
        "第3行“一级事项”列：缺少一级事项，请填写。"
    ]


# ---------------------------------------------------------------------------
# Format detection and bad files
# ---------------------------------------------------------------------------


def _zip_with(name: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, "<x/>")
    return buffer.getvalue()


def test_detect_format_reads_the_content_not_the_name():
    docx = catalog_to_docx(small_table())
    xlsx = catalog_to_xlsx(small_table())
    assert detect_format(docx, "目录.docx") == "docx"
    assert detect_format(xlsx, "目录.xlsx") == "xlsx"
    assert detect_format(docx, "改了扩展名.xlsx") == "docx"


@pytest.mark.parametrize(
    ("data", "filename", "detail"),
    [
        (os.urandom(2048), "random.bin", "无法识别“random.bin”"),
        (
            "洛阳市社会救助领域基层政务公开标准目录\n序号\t公开事项\n".encode(),
            "目录.txt",
            "无法识别“目录.txt”",
        ),
        (
            b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n",
            "目录.pdf",
            "“目录.pdf”是PDF文件",
        ),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512,
            "目录.doc",
            "旧版Office格式（.doc/.xls）或设置了密码",
        ),
        (_zip_with("hello.txt"), "目录.zip", "无法识别“目录.zip”"),
        (b"PK\x03\x04broken", "坏文件.docx", "无法识别“坏文件.docx”"),
        (b"", "空.xlsx", "无法识别“空.xlsx”"),
    ],
)
def test_not_a_docx_or_xlsx(data, filename, detail):
    """Anything but .docx/.xlsx gets one Chinese message naming the file."""
    with pytest.raises(CatalogImportError) as info:
        detect_format(data, filename)
    (problem,) = info.value.errors
    assert problem.row is None and problem.column is None
    assert problem.message.startswith("文件不是Word（.docx）或Excel（.xlsx）文件：")
    assert detail in problem.message
    for importer in (catalog_from_docx, catalog_from_xlsx):
        with pytest.raises(
            CatalogImportError, match=r"不是Word（\.docx）或Excel（\.xlsx）文件"
        ):
            importer(data)


def test_importer_for_the_other_format():
    with pytest.raises(CatalogImportError, match="文件不是Excel（.xlsx）文件"):
        catalog_from_xlsx(catalog_to_docx(small_table()))
    with pytest.raises(CatalogImportError, match="文件不是Word（.docx）文件"):
        catalog_from_docx(catalog_to_xlsx(small_table()))


def test_corrupt_office_file():
    data = bytearray(catalog_to_xlsx(small_table()))
    start = data.index(b"xl/workbook.xml") + 40
    data[start : start + 400] = b"\0" * 400
    with pytest.raises(CatalogImportError, match="文件已损坏或不完整|不是Word"):
        catalog_from_xlsx(bytes(data))


# ---------------------------------------------------------------------------
# Legal bases and messages
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "《中华人民共和国政府信息公开条例》（中华人民共和国国务院令第711号）",
            [
                BasisRow(
                    "《中华人民共和国政府信息公开条例》",
                    "中华人民共和国国务院令第711号",
                )
            ],
        ),
        (
            "《最低生活保障审核审批办法（试行）》(民发〔2012〕220号)",
            [BasisRow("《最低生活保障审核审批办法（试行）》", "民发〔2012〕220号")],
        ),
        (
            "《养老机构等级划分与评定》GB/T37276-2018",
            [BasisRow("《养老机构等级划分与评定》", "GB/T37276-2018")],
        ),
        ("《养老机构管理办法》（泛指）", [BasisRow("《养老机构管理办法》", "")]),
        ("其他有关法律、行政法规", [BasisRow("其他有关法律、行政法规", "")]),
        (
            "民政部关于印发《特困人员认定办法》的通知（民发〔2016〕178号）",
            [BasisRow("民政部关于印发《特困人员认定办法》的通知", "民发〔2016〕178号")],
        ),
        (
            "●《中华人民共和国老年人权益保障法》、《中华人民共和国行政处罚法》",
            [
                BasisRow("《中华人民共和国老年人权益保障法》"),
                BasisRow("《中华人民共和国行政处罚法》"),
            ],
        ),
    ],
)
def test_parse_basis(text, expected):
    assert parse_basis(text) == expected


def test_format_basis_never_marks_number_less_documents_as_generic():
    """Issue 16: no “（泛指）” is added to a citation written without its 文号."""
    assert format_basis(BasisRow("《养老机构管理办法》")) == "《养老机构管理办法》"
    assert format_basis(BasisRow("各地相关法规")) == "各地相关法规"
    assert (
        format_basis(BasisRow("《中华人民共和国行政强制法》"))
        == "《中华人民共和国行政强制法》"
    )
    assert (
        format_basis(GOV_INFO)
        == "《中华人民共和国政府信息公开条例》（中华人民共和国国务院令第711号）"
    )


def test_problem_text():
    assert (
        str(ImportProblem(5, "公开依据", "《养老机构管理办法》缺少文号。"))
        == "第5行“公开依据”列：《养老机构管理办法》缺少文号。"
    )
    assert (
        str(ImportProblem(None, None, "文件中没有找到任何公开事项。"))
        == "文件中没有找到任何公开事项。"
    )
    assert str(ImportProblem(4, None, "x", table=2)) == "第2个表格第4行：x"


# ---------------------------------------------------------------------------
# LibreOffice rendering (CI installs libreoffice-writer-nogui poppler-utils fonts-wqy-microhei)
# ---------------------------------------------------------------------------


def _require(program: str) -> str:
    path = shutil.which(program)
    if path is None:
        pytest.fail(
            f"{program} is not installed; install it with: apt-get install -y "
            "--no-install-recommends libreoffice-writer-nogui poppler-utils fonts-wqy-microhei"
        )
    return path


def _name_column_text(pdf: Path, tmp_path: Path) -> str:
    """Text of the 二级事项 column: centred words under the 二级事项 header, in page order."""
    html = tmp_path / "words.html"
    subprocess.run([_require("pdftotext"), "-bbox", str(pdf), str(html)], check=True)
    pages = re.findall(r"<page.*?</page>", html.read_text(encoding="utf-8"), re.S)
    word_re = re.compile(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">(.*?)</word>'
    )
    column = []
    center = None
    for page in pages:
        words = [
            (float(a), float(b), float(c), t) for a, b, c, t in word_re.findall(page)
        ]
        header = [w for w in words if w[3] == "二级事项"]
        if header:
            center = (header[0][0] + header[0][2]) / 2
        assert center is not None, "二级事项 header not found"
        picked = [w for w in words if abs((w[0] + w[2]) / 2 - center) < 4]
        column += [w[3] for w in sorted(picked, key=lambda w: (w[1], w[0]))]
    return "".join(column)


@pytest.mark.libreoffice
def test_docx_renders_in_libreoffice(luoyang, tmp_path):
    """LibreOffice turns the export into a landscape PDF showing the title and every item."""
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None:
        pytest.fail(
            "LibreOffice (libreoffice/soffice) is not installed; install it with: apt-get "
            "install -y --no-install-recommends libreoffice-writer-nogui poppler-utils "
            "fonts-wqy-microhei"
        )
    for table in luoyang:
        folder = tmp_path / table.domain_name
        folder.mkdir()
        source = folder / "catalog.docx"
        source.write_bytes(catalog_to_docx(table))
        pdf = libreoffice_pdf(office, source, tmp_path / "lo-profile")

        info = subprocess.run(
            [_require("pdfinfo"), str(pdf)], check=True, capture_output=True, text=True
        ).stdout
        width, height = map(
            float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups()
        )
        assert width > height  # landscape
        assert round(width) == 842 and round(height) == 595  # A4

        text = subprocess.run(
            [_require("pdftotext"), "-layout", str(pdf), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        assert table.title in text
        assert "■政府网站" in text and "□政府公报" in text and "✓" in text
        names = _name_column_text(pdf, tmp_path)
        for item in table.items:
            assert item.name in names, item.name
