"""Reading uploads and writing de-identified lists (SPEC §5): formats, refusals, exports."""

from __future__ import annotations

import csv
import inspect
import io
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from catalogs.textsafety import neutralise_formula
from disclosures.deidentify import MaskingPolicy, gb11643_check_digit
from disclosures.spreadsheets import (
    OLE2_MAGIC,
    SpreadsheetError,
    deidentify_file,
    open_table,
    write_csv,
    write_xlsx,
)
from disclosures.spreadsheets import files as spreadsheet_files

HEADER = [
    "序号",
    "户主姓名",
    "身份证号码",
    "联系电话",
    "家庭住址",
    "保障人口",
    "月保障金额（元）",
    "所属村",
    "备注",
]
VALID_ID = "11010519491231002X"
FIRST17 = "41031119850612123"
BAD_ID = FIRST17 + ("0" if gb11643_check_digit(FIRST17) != "0" else "1")


def data_row(i: int) -> list:
    return [
        i,
        "张三明",
        VALID_ID,
        "13812345678",
        "李楼镇前李村3组15号",
        3,
        450.5,
        "前李村",
        None,
    ]


def xlsx_bytes(
    sheets: dict[str, list[list]], *, text_cells: tuple[str, ...] = ()
) -> bytes:
    """An xlsx with one worksheet per entry; ``text_cells`` are forced to text."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
        for ref in text_cells:
            sheet[ref].data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def list_with_title(rows: int = 2) -> list[list]:
    return [
        ["洛龙区李楼镇2025年第三季度低保名单"],
        [],
        HEADER,
        *[data_row(i) for i in range(1, rows + 1)],
    ]


def csv_bytes(rows: list[list], encoding: str, delimiter: str = ",") -> bytes:
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter).writerows(rows)
    return text.getvalue().encode(encoding)


def error_of(data, filename="名单.xlsx", **kwargs) -> SpreadsheetError:
    with pytest.raises(SpreadsheetError) as caught:
        open_table(data, filename, **kwargs)
    return caught.value


# ------------------------------------------------------------------ reading xlsx


def test_header_below_title_rows_is_found():
    with open_table(xlsx_bytes({"名单": list_with_title()}), "名单.xlsx") as table:
        assert table.format == "xlsx"
        assert table.sheet_name == "名单"
        assert table.header_row_number == 3
        assert table.first_data_row_number == 4
        assert table.header == HEADER
        rows = [list(r) for r in table.iter_rows()]
    assert rows == [data_row(1), data_row(2)]


def test_rows_are_streamed_and_padded_to_the_header():
    rows = list_with_title(1)
    rows[3] = [*rows[3], "表头以外"]
    with open_table(xlsx_bytes({"名单": rows}), "名单.xlsx") as table:
        iterator = table.iter_rows()
        assert inspect.isgenerator(iterator)
        first = next(iterator)
    assert len(first) == len(HEADER)


def test_missing_rows_keep_row_numbers(tmp_path):
    """A finding names the row as Excel shows it, even after empty rows."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(data_row(1))
    sheet["H7"] = "电话13812345678"  # rows 3 to 6 do not exist in the file
    sheet["B7"] = "李四"
    path = tmp_path / "gaps.xlsx"
    workbook.save(path)
    result = deidentify_file(path, tmp_path / "out.csv")
    assert [(f.row, f.column, f.kind) for f in result.report.findings] == [
        (7, "所属村", "mobile")
    ]
    assert result.report.rows_blank == 4


def test_default_sheet_is_the_first_with_a_header():
    data = xlsx_bytes(
        {"说明": [["本表为低保名单"], ["填表说明：……"]], "名单": list_with_title()}
    )
    with open_table(data, "名单.xlsx") as table:
        assert table.sheet_names == ["说明", "名单"]
        assert table.sheet_name == "名单"


def test_sheet_can_be_chosen():
    data = xlsx_bytes({"一月": list_with_title(1), "二月": list_with_title(2)})
    with open_table(data, "名单.xlsx", sheet="二月") as table:
        assert table.sheet_name == "二月"
        assert len(list(table.iter_rows())) == 2


def test_unknown_sheet_is_refused_with_the_names():
    error = error_of(xlsx_bytes({"一月": list_with_title()}), sheet="三月")
    assert error.code == "sheet_not_found"
    assert "三月" in str(error) and "一月" in str(error)


def test_text_starting_with_equals_is_no_formula():
    rows = list_with_title(1)
    rows[3][8] = "=备注"
    data = xlsx_bytes({"名单": rows}, text_cells=("I4",))
    with open_table(data, "名单.xlsx") as table:
        assert list(table.iter_rows())[0][8] == "=备注"


# -------------------------------------------------------------------- reading csv


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_csv_encodings_are_detected(encoding):
    rows = [
        ["李楼镇低保名单"],
        HEADER,
        ["1", "欧阳志明", VALID_ID, "", "前李村", "3", "450.50", "前李村", "新增"],
    ]
    with open_table(csv_bytes(rows, encoding), "名单.csv") as table:
        assert table.format == "csv"
        assert table.header_row_number == 2
        assert table.header == HEADER
        assert [list(r) for r in table.iter_rows()] == [rows[2]]
    assert table.encoding == {"gbk": "gb18030", "utf-16": "utf-16"}.get(
        encoding, encoding
    )


def test_gb18030_only_characters_are_read():
    """Rare name characters outside GBK exist only in GB18030."""
    rows = [HEADER, ["1", "王䶮", "", "", "", "2", "300", "后李村", ""]]
    with open_table(csv_bytes(rows, "gb18030"), "名单.csv") as table:
        assert list(table.iter_rows())[0][1] == "王䶮"


def test_tab_separated_text_is_read():
    rows = [HEADER, ["1", "张三", "", "", "", "2", "300", "后李村", ""]]
    with open_table(csv_bytes(rows, "utf-8", "\t"), "名单.txt") as table:
        assert table.header == HEADER


def test_undecodable_csv_is_refused():
    error = error_of(b"\xa1\xff\xfe\x81\x30 abc", "名单.csv")
    assert error.code == "encoding"
    assert "UTF-8" in str(error)


# ----------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (b"%PDF-1.7 not a list", "名单.xlsx"),
        (b"\x89PNG\r\n\x1a\n....", "名单.csv"),
        (b"just some text", "名单.xlsx"),
    ],
)
def test_not_a_spreadsheet_is_refused(data, filename):
    error = error_of(data, filename)
    assert error.code == "not_spreadsheet"
    assert "不是电子表格" in str(error)


def test_zip_that_is_no_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    error = error_of(buffer.getvalue())
    assert error.code == "not_spreadsheet"


def test_corrupt_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<<< not xml")
    error = error_of(buffer.getvalue())
    assert error.code == "corrupt"
    assert "已损坏" in str(error)


def test_other_file_types_are_refused():
    error = error_of(b"hello", "名单.pdf")
    assert error.code == "unsupported_type"
    assert ".pdf" in str(error)


def test_empty_file_is_refused():
    error = error_of(b"", "名单.xlsx")
    assert error.code == "empty"
    assert "空的" in str(error)


def test_empty_worksheet_is_refused():
    error = error_of(xlsx_bytes({"Sheet1": []}))
    assert error.code == "empty"


def test_blank_csv_is_refused():
    error = error_of(b"\r\n,,\r\n\r\n", "名单.csv")
    assert error.code == "empty"


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_header_without_data_is_refused_naming_the_row(kind):
    rows = [["标题"], HEADER]
    data = xlsx_bytes({"名单": rows}) if kind == "xlsx" else csv_bytes(rows, "utf-8")
    error = error_of(data, f"名单.{kind}")
    assert error.code == "no_data"
    assert error.row == 2
    assert "第2行" in str(error)


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_unrecognisable_headers_are_refused(kind):
    rows = [["序号", "性别", "年龄"], [1, "男", 60]]
    data = xlsx_bytes({"名单": rows}) if kind == "xlsx" else csv_bytes(rows, "utf-8")
    error = error_of(data, f"名单.{kind}")
    assert error.code == "no_header"
    assert "表头" in str(error)


def test_encrypted_workbook_is_refused():
    """An encrypted xlsx is an OLE2 container holding an EncryptedPackage stream."""
    data = (
        OLE2_MAGIC
        + b"\x00" * 1000
        + "EncryptedPackage".encode("utf-16-le")
        + b"\x00" * 100
    )
    error = error_of(data)
    assert error.code == "encrypted"
    assert "加密" in str(error)


def test_old_xls_is_refused():
    error = error_of(OLE2_MAGIC + b"\x00" * 2000, "名单.xls")
    assert error.code == "old_xls"
    assert ".xls" in str(error)


def test_zip_with_encrypted_entries_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    data = bytearray(buffer.getvalue())
    # zipfile cannot write encrypted entries: set bit 0 of the general purpose
    # flag in the central directory by hand.
    entry = data.index(b"PK\x01\x02")
    data[entry + 8] |= 0x1
    error = error_of(bytes(data))
    assert error.code == "encrypted"
    assert "加密" in str(error)


def test_oversized_file_is_refused():
    error = error_of(xlsx_bytes({"名单": list_with_title()}), max_bytes=1000)
    assert error.code == "too_large"
    assert "上限" in str(error)


def _bomb(size: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as entry:
            block = b"<row/>" * (1024 * 1024 // 6)
            for _ in range(size // len(block)):
                entry.write(block)
    return buffer.getvalue()


def test_zip_bomb_is_refused_before_openpyxl_opens_it(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("openpyxl must not see a zip bomb")

    monkeypatch.setattr(openpyxl, "load_workbook", forbidden)
    data = _bomb(40 * 1024 * 1024)
    assert len(data) < 1024 * 1024
    error = error_of(data)
    assert error.code == "zip_bomb"
    assert "xl/worksheets/sheet1.xml" in str(error)


def test_total_uncompressed_size_is_limited(monkeypatch):
    monkeypatch.setattr(
        openpyxl, "load_workbook", lambda *a, **k: pytest.fail("opened")
    )
    error = error_of(_bomb(3 * 1024 * 1024), max_uncompressed_bytes=1024 * 1024)
    assert error.code == "zip_bomb"


def test_formula_is_refused_naming_the_cell():
    rows = list_with_title(2)
    rows[4][6] = "=SUM(G4:G4)"
    error = error_of(xlsx_bytes({"名单": rows}))
    assert error.code == "formula"
    assert (error.row, error.column) == (5, "G")
    assert "第5行第G列" in str(error)


def test_path_and_file_object_inputs(tmp_path):
    path = tmp_path / "名单.xlsx"
    path.write_bytes(xlsx_bytes({"名单": list_with_title()}))
    with open_table(path) as table:
        assert table.header == HEADER
    with open(path, "rb") as handle, open_table(handle, "upload.xlsx") as table:
        assert len(list(table.iter_rows())) == 2


# ------------------------------------------------------------------- writing


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+8613812345678", "'+8613812345678"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("＝1+1", "'＝1+1"),
        ("张三", "张三"),
        ("", ""),
        (-5, -5),
        (None, None),
    ],
)
def test_neutralise_formula(value, safe):
    assert neutralise_formula(value) == safe


def test_write_xlsx_round_trip(tmp_path):
    path = tmp_path / "out.xlsx"
    rows = [
        ['=HYPERLINK("http://x")', 3, 450.5, None, "a & <b>", " 前后空格 "],
        ["-1", -1, True, date(2025, 9, 26), "bad\x01char", "_x0034__x0031_"],
        [datetime(2025, 9, 26, 8, 30), 10**12, 0, "", "x" * 40000, "@x"],
    ]
    count = write_xlsx(["姓名", "家庭人口", "金额", "空", "备注", "其他"], rows, path)
    assert count == 3
    sheet = openpyxl.load_workbook(path).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0] == ["姓名", "家庭人口", "金额", "空", "备注", "其他"]
    assert values[1] == [
        '\'=HYPERLINK("http://x")',
        3,
        450.5,
        None,
        "a & <b>",
        " 前后空格 ",
    ]
    # openpyxl does not decode Excel's _xHHHH_ escapes, so the escaped underscore
    # shows here; Excel shows the literal text "_x0034__x0031_", not "41".
    assert values[2] == [
        "'-1",
        -1,
        True,
        "2025-09-26",
        "badchar",
        "_x005F_x0034__x005F_x0031_",
    ]
    assert values[3][:4] == ["2025-09-26 08:30:00", 10**12, 0, None]
    assert len(values[3][4]) == 32767
    assert values[3][5] == "'@x"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert sheet["A1"].font.b


def test_write_xlsx_keeps_no_document_metadata(tmp_path):
    path = tmp_path / "out.xlsx"
    write_xlsx(["姓名"], [["张三"]], path)
    with zipfile.ZipFile(path) as archive:
        assert not [n for n in archive.namelist() if n.startswith("docProps/")]
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_write_csv_has_bom_and_neutralises(tmp_path):
    path = tmp_path / "out.csv"
    count = write_csv(
        ["姓名", "金额", "备注"],
        [["张三", 300.0, "=cmd|' /C calc'!A0"], ["李四", 12.5, None]],
        path,
    )
    assert count == 2
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows == [
        ["姓名", "金额", "备注"],
        ["张三", "300", "'=cmd|' /C calc'!A0"],
        ["李四", "12.5", ""],
    ]


def test_write_csv_to_a_binary_stream():
    buffer = io.BytesIO()
    write_csv(["姓名"], [["张三"]], buffer)
    assert buffer.getvalue() == "\ufeff姓名\r\n张三\r\n".encode()


# ---------------------------------------------------------------- file to file


def test_deidentify_file_writes_only_the_published_table(tmp_path):
    rows = list_with_title(3)
    rows[5][7] = f"身份证{BAD_ID}"
    rows[4][8] = "户主患尿毒症"
    source = tmp_path / "名单.xlsx"
    source.write_bytes(xlsx_bytes({"名单": rows}))
    result = deidentify_file(
        source, tmp_path / "公示.xlsx", policy=MaskingPolicy(mask_names=True)
    )
    assert result.header_row_number == 3
    assert result.rows_written == 3
    sheet = openpyxl.load_workbook(result.path).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    # 第六十一条: name, household size, amount, village; no address, no remark.
    assert values[0] == ["户主姓名", "保障人口", "月保障金额（元）", "所属村"]
    assert values[1] == ["张*明", 3, 450.5, "前李村"]
    assert values[3][3] == "身份证" + "*" * 18
    assert "尿毒症" not in repr(values)
    text = repr(values)
    for secret in (VALID_ID, BAD_ID, "13812345678", "3组15号"):
        assert secret not in text
    assert [(f.row, f.kind) for f in result.report.findings] == [
        (6, "id_number_bad_check")
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["公示.xlsx", "名单.xlsx"]


def test_deidentify_file_leaves_nothing_on_failure(tmp_path, monkeypatch):
    source = tmp_path / "名单.xlsx"
    source.write_bytes(xlsx_bytes({"名单": list_with_title(3)}))

    def broken(header, rows, out, **kwargs):
        out.write(b"partial")
        raise SpreadsheetError("写到一半失败", code="corrupt")

    monkeypatch.setattr(spreadsheet_files, "write_xlsx", broken)
    with pytest.raises(SpreadsheetError):
        deidentify_file(source, tmp_path / "公示.xlsx")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["名单.xlsx"]


def test_deidentify_file_needs_a_known_output_type(tmp_path):
    with pytest.raises(SpreadsheetError, match=r"\.xlsx 或 \.csv"):
        deidentify_file(b"irrelevant", tmp_path / "out.pdf")
    assert not Path(tmp_path / "out.pdf").exists()
