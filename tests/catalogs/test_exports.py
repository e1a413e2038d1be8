"""Catalog documents through the models: export, import into a draft, CLI (SPEC §9)."""

import io

import pytest
from openpyxl import load_workbook

from django.core.management import call_command
from django.core.management.base import CommandError

from catalogs import documents, services
from catalogs.exports import (
    OMITTED_BY_IMPORT,
    catalog_export,
    catalog_import,
    catalog_table,
)
from catalogs.models import Catalog, CatalogItem, Domain, Region
from tests.helpers import fill_lost_content

pytestmark = pytest.mark.django_db


@pytest.fixture
def localized_luolong(templates, county_clerk, city_reviewer):
    """洛龙区's published 社会救助 catalog: a shortened deadline, an added channel,
    an omitted item and a local item."""
    region = Region.objects.get(code="410311")
    domain = Domain.objects.get(slug="social-assistance")
    catalog = services.catalog_clone(region=region, domain=domain, actor=county_clerk)
    fill_lost_content(catalog, county_clerk)
    items = {i.seq: i for i in catalog.items.all()}
    services.catalog_item_set_elements(
        item=items[1],
        values={
            "time_limit_text": "制定或获取信息之日起5个工作日内",
            "channels": items[1].channels + ["两微一端"],
        },
        bases=None,
        actor=county_clerk,
    )
    services.catalog_item_omit(
        item=items[2], reason="本地未开展该业务", actor=county_clerk
    )
    services.catalog_item_add(
        catalog=catalog,
        values={
            "category_id": items[3].category_id,
            "name": "城乡低保标准",
            "content": ["城市低保标准", "农村低保标准"],
            "time_limit_text": "制定或获取信息之日起10个工作日内",
            "subjects": ["县级人民政府民政部门"],
            "channels": ["政府网站"],
            "audience": ["全社会"],
            "mode": ["主动"],
            "levels": ["县级"],
        },
        bases=[
            {
                "title": "《国务院关于进一步加强和改进最低生活保障工作的意见》",
                "number": "国发〔2012〕45号",
            }
        ],
        actor=county_clerk,
    )
    services.catalog_submit(catalog=catalog, actor=county_clerk)
    services.catalog_approve(catalog=catalog, actor=city_reviewer)
    services.catalog_publish(catalog=catalog, actor=county_clerk)
    return catalog


def _cells(data: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(data))["导入用数据"]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_xlsx_round_trip_into_another_county_gives_identical_cells(
    localized_luolong, other_county_clerk
):
    first, _name, _ctype = catalog_export(localized_luolong, "xlsx")
    result = catalog_import(
        data=first,
        filename="洛龙区.xlsx",
        region=Region.objects.get(code="410307"),
        domain=localized_luolong.domain,
        actor=other_county_clerk,
    )
    assert result.catalog.region_id == "410307" and result.catalog.status == "draft"
    second, _name, _ctype = catalog_export(result.catalog, "xlsx")

    def replace(rows):
        return [
            [(c.replace("偃师区", "洛龙区") if isinstance(c, str) else c) for c in r]
            for r in rows
        ]

    assert replace(_cells(second)) == _cells(first)
    # 13 inherited items kept (the province's quarterly item too), the omitted one
    # omitted with a reason, the local item added.
    assert result.added == 1 and result.updated == 13 and result.omitted == 1
    omitted = result.catalog.items.get(omitted=True)
    assert omitted.omitted_reason == OMITTED_BY_IMPORT
    local = result.catalog.items.get(name="城乡低保标准")
    assert local.upstream_item_id is None and local.content == [
        "城市低保标准",
        "农村低保标准",
    ]


def test_export_leaves_omitted_items_out_and_keeps_keys(localized_luolong):
    table = catalog_table(localized_luolong)
    names = [row.name for row in table.items]
    assert "监督检查" not in names and "城乡低保标准" in names
    keys = {
        str(k)
        for k in localized_luolong.items.filter(omitted=False).values_list(
            "key", flat=True
        )
    }
    assert {row.key for row in table.items} == keys
    assert table.title == "洛龙区社会救助领域基层政务公开标准目录"


def test_docx_export_imports_back_to_the_same_elements(
    localized_luolong, other_county_clerk
):
    data, filename, ctype = catalog_export(localized_luolong, "docx")
    assert filename.endswith(".docx") and "wordprocessingml" in ctype
    rows = documents.catalog_from_docx(data)
    items = list(
        localized_luolong.items.filter(omitted=False).order_by("category__order", "seq")
    )
    assert [r.name for r in rows] == [i.name for i in items]
    first = next(r for r in rows if r.name == "政策法规文件")
    assert first.time_limit == "制定或获取信息之日起5个工作日内"
    assert "两微一端" in first.channels


def test_invalid_file_writes_nothing(templates, other_county_clerk):
    before = (Catalog.objects.count(), CatalogItem.objects.count())
    with pytest.raises(documents.CatalogImportError) as info:
        catalog_import(
            data=b"not a spreadsheet",
            filename="目录.xlsx",
            region=Region.objects.get(code="410307"),
            domain=Domain.objects.get(slug="social-assistance"),
            actor=other_county_clerk,
        )
    assert "不是Word" in str(info.value) or "docx" in str(info.value)
    assert (Catalog.objects.count(), CatalogItem.objects.count()) == before


def test_unknown_category_is_reported_with_row_and_column(
    localized_luolong, other_county_clerk
):
    wb = load_workbook(io.BytesIO(catalog_export(localized_luolong, "xlsx")[0]))
    ws = wb["导入用数据"]
    header = [c.value for c in ws[1]]
    ws.cell(row=5, column=header.index("一级事项") + 1).value = "不存在的事项"
    buffer = io.BytesIO()
    wb.save(buffer)
    data = buffer.getvalue()
    before = CatalogItem.objects.count()
    with pytest.raises(documents.CatalogImportError) as info:
        catalog_import(
            data=data,
            filename="x.xlsx",
            region=Region.objects.get(code="410307"),
            domain=localized_luolong.domain,
            actor=other_county_clerk,
        )
    message = str(info.value)
    assert "第5行" in message and "一级事项" in message and "不存在的事项" in message
    assert CatalogItem.objects.count() == before


def test_basis_without_number_is_kept_with_a_warning(
    localized_luolong, other_county_clerk
):
    """Issue 16: a basis without 文号 that the library does not know is kept as
    written, with a warning naming the row; never an error."""
    table = catalog_table(localized_luolong)
    table.items[0].basis = [documents.BasisRow(title="《某某管理办法》", number="")]
    wb = documents.catalog_to_xlsx(table)
    sheet_wb = load_workbook(io.BytesIO(wb))
    ws = sheet_wb["导入用数据"]
    header = [c.value for c in ws[1]]
    col = header.index("公开依据") + 1
    ws.cell(row=2, column=col).value = "《某某管理办法》"
    out = io.BytesIO()
    sheet_wb.save(out)
    result = catalog_import(
        data=out.getvalue(),
        filename="x.xlsx",
        region=Region.objects.get(code="410307"),
        domain=localized_luolong.domain,
        actor=other_county_clerk,
    )
    assert any(
        w.startswith("第2行“公开依据”列：《某某管理办法》未写文号")
        for w in result.warnings
    )
    item = result.catalog.items.get(seq=1)
    assert [(d.title, d.number) for d in item.bases.all()] == [("《某某管理办法》", "")]


def test_cli_export_and_import(localized_luolong, tmp_path, capsys):
    out = tmp_path / "luolong.xlsx"
    call_command(
        "export_catalog",
        "410311",
        "social-assistance",
        "--format",
        "xlsx",
        "-o",
        str(out),
    )
    assert out.exists() and _cells(out.read_bytes())[0][1] == "序号"
    call_command("import_catalog", str(out), "410307", "social-assistance")
    draft = Catalog.objects.get(region_id="410307", domain__slug="social-assistance")
    assert draft.status == "draft" and draft.items.filter(omitted=False).count() == 14
    docx = tmp_path / "draft.docx"
    call_command(
        "export_catalog",
        "410307",
        "social-assistance",
        "--draft",
        "--format",
        "docx",
        "-o",
        str(docx),
    )
    assert docx.read_bytes()[:2] == b"PK"


def test_cli_errors_are_chinese_and_write_nothing(templates, tmp_path):
    out = tmp_path / "none.xlsx"
    with pytest.raises(CommandError, match="没有已发布的目录"):
        call_command(
            "export_catalog",
            "410307",
            "social-assistance",
            "--format",
            "xlsx",
            "-o",
            str(out),
        )
    assert not out.exists()
    with pytest.raises(CommandError, match="区划代码“99”不存在"):
        call_command(
            "export_catalog",
            "99",
            "social-assistance",
            "--format",
            "xlsx",
            "-o",
            str(out),
        )
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"%PDF-1.4 not a word file")
    with pytest.raises(CommandError, match="导入失败"):
        call_command("import_catalog", str(bad), "410307", "social-assistance")
    assert not Catalog.objects.filter(region_id="410307").exists()


def test_cli_exit_status_is_non_zero_with_message_on_stderr(templates, tmp_path):
    import subprocess
    import sys

    from django.conf import settings

    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "import_catalog",
            str(tmp_path / "missing.xlsx"),
            "410307",
            "social-assistance",
        ],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        env={
            "DJANGO_SETTINGS_MODULE": "catalog_portal.settings.test",
            "PATH": "/usr/bin:/bin",
        },
    )
    assert result.returncode != 0
    assert "找不到文件" in result.stderr
