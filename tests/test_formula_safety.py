"""Every xlsx/csv the project writes neutralises formula-like text the same way (issue 15).

One neutraliser (`catalogs.textsafety.neutralise_formula`): the name-list writers
(`write_xlsx`, `write_csv`), the progress export, the official catalog xlsx and the
admin's import-export downloads all pass it, full-width ＝＋ included.
"""

from __future__ import annotations

import csv
import dataclasses
import io

import openpyxl
import pytest

from catalogs.admin import LegalDocumentResource
from catalogs.documents import catalog_from_xlsx, catalog_to_xlsx
from catalogs.documents.table import BasisRow, CatalogTable, ItemRow
from catalogs.models import LegalDocument
from catalogs.textsafety import neutralise_formula, restore_neutralised
from disclosures.progress import exports as progress_exports
from disclosures.spreadsheets import write_csv, write_xlsx

PAYLOADS = ["=1+1", "+1", "-1", "@SUM(1)", "＝1", "＋1"]


def _cells(workbook) -> list:
    return [
        cell
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
    ]


def _assert_inert(cells, payload: str) -> None:
    assert [c.value for c in cells if c.value == "'" + payload], (
        f"{payload!r} not neutralised"
    )
    assert not [c for c in cells if c.data_type == "f"]
    assert not [c for c in cells if isinstance(c.value, str) and c.value == payload]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_neutraliser_round_trip(payload):
    assert neutralise_formula(payload) == "'" + payload
    assert restore_neutralised(neutralise_formula(payload)) == payload
    assert neutralise_formula("'" + payload) == "''" + payload


@pytest.mark.parametrize("payload", PAYLOADS)
def test_name_list_xlsx_export(payload):
    out = io.BytesIO()
    write_xlsx(["姓名", "备注"], [["张三", payload]], out)
    _assert_inert(_cells(openpyxl.load_workbook(io.BytesIO(out.getvalue()))), payload)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_name_list_csv_export(payload):
    out = io.BytesIO()
    write_csv(["姓名", "备注"], [["张三", payload]], out)
    rows = list(csv.reader(io.StringIO(out.getvalue().decode("utf-8-sig"))))
    assert rows[1] == ["张三", "'" + payload]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_progress_export_rows(payload):
    workbook = openpyxl.Workbook()
    progress_exports._append(workbook.active, ["洛龙区", payload, 3])
    buffer = io.BytesIO()
    workbook.save(buffer)
    _assert_inert(
        _cells(openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))), payload
    )


@pytest.mark.parametrize("payload", PAYLOADS)
def test_catalog_xlsx(payload):
    item = ItemRow(
        category="综合业务",
        name=payload,
        content=["文件名称"],
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
    table = CatalogTable(
        "洛龙区社会救助领域基层政务公开标准目录", "洛龙区", "社会救助", True, [item]
    )
    data = catalog_to_xlsx(table)
    _assert_inert(_cells(openpyxl.load_workbook(io.BytesIO(data))), payload)
    assert [i.name for i in catalog_from_xlsx(data)] == [dataclasses.replace(item).name]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_admin_export_resource(payload):
    document = LegalDocument(pk=1, title=payload, number="", kind="generic", note="")
    values = LegalDocumentResource().export_resource(document)
    assert "'" + payload in values
    assert payload not in values
