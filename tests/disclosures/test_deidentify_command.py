"""`manage.py deidentify IN_FILE -o OUT_FILE` (SPEC §5, §9)."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from disclosures.deidentify import gb11643_check_digit
from disclosures.spreadsheets import OLE2_MAGIC

HEADER = [
    "序号",
    "户主姓名",
    "身份证号码",
    "联系电话",
    "银行卡号",
    "家庭住址",
    "保障人口",
    "月保障金额（元）",
    "村（社区）",
    "备注",
]
VALID_ID = "11010519491231002X"
FIRST17 = "41031119850612123"
BAD_ID = FIRST17 + ("0" if gb11643_check_digit(FIRST17) != "0" else "1")


@pytest.fixture
def name_list(tmp_path) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "低保名单"
    sheet.append(["李楼街道2025年第三季度城乡低保对象名单"])
    sheet.append(HEADER)
    sheet.append(
        [
            1,
            "欧阳志明",
            VALID_ID,
            "13812345678",
            "6228480012345678901",
            "李楼街道前李村3组15号",
            3,
            450.5,
            "前李村",
            None,
        ]
    )
    sheet.append(
        [
            2,
            "张三",
            BAD_ID,
            "13912345678",
            "6228480012345678902",
            "李楼街道幸福路12号",
            2,
            300,
            "后李村",
            f"身份证{BAD_ID}",
        ]
    )
    sheet.append(
        [
            3,
            "李四明",
            VALID_ID,
            "13712345678",
            "6228480012345678903",
            "前李村",
            1,
            280,
            "前李村",
            "电话137 1234 5678",
        ]
    )
    path = tmp_path / "名单.xlsx"
    workbook.save(path)
    return path


def run(*args) -> str:
    stderr = io.StringIO()
    call_command(
        "deidentify", *[str(a) for a in args], stderr=stderr, stdout=io.StringIO()
    )
    return stderr.getvalue()


def test_writes_csv_and_reports_on_stderr(name_list, tmp_path):
    """By default exactly the four fields of 第六十一条: 姓名、家庭人口、金额、村/社区."""
    out = tmp_path / "公示.csv"
    stderr = run(name_list, "-o", out)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["户主姓名", "保障人口", "月保障金额（元）", "村（社区）"]
    assert rows[1] == ["欧阳志明", "3", "450.5", "前李村"]
    assert rows[3] == ["李四明", "1", "280", "前李村"]
    for secret in (
        VALID_ID,
        BAD_ID,
        "13812345678",
        "6228480012345678901",
        "3组15号",
        "1234 5678",
        "身份证",
        "电话",
    ):
        assert secret not in text
    assert "工作表“低保名单”，表头在第2行。" in stderr
    assert "共读取3行数据" in stderr
    assert (
        "公开的列：“户主姓名”（姓名）、“保障人口”（家庭人口）、“月保障金额（元）”（金额）、“村（社区）”（村/社区）"
        in stderr
    )
    assert (
        "不公开的列：“家庭住址”——按全省统一规则，地址不公开，公开所在村（社区）即可"
        in stderr
    )
    assert (
        "不公开的列：“备注”——备注、原因等自由填写的内容可能涉及疾病、残疾等个人隐私，一律不公开"
        in stderr
    )
    assert "不公开的列：“银行卡号”——银行卡号一律不公开" in stderr
    for secret in (BAD_ID, "13712345678", "137 1234 5678"):
        assert secret not in stderr


def test_fifteen_column_dibao_list_publishes_four_columns(tmp_path):
    """序号 姓名 身份证号 性别 年龄 家庭人口 保障金额 类别 备注 致困原因 地址 村/社区 联系电话 银行卡号 开户行."""
    header = [
        "序号",
        "姓名",
        "身份证号",
        "性别",
        "年龄",
        "家庭人口",
        "保障金额",
        "类别",
        "备注",
        "致困原因",
        "地址",
        "村/社区",
        "联系电话",
        "银行卡号",
        "开户行",
    ]
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    remarks = ["户主患尿毒症", "精神残疾", "刑满释放人员"]
    for i, remark in enumerate(remarks):
        sheet.append(
            [
                i + 1,
                f"王秀{'英兰芳'[i]}",
                VALID_ID,
                "女",
                60 + i,
                2,
                438,
                "A类（重残）",
                remark,
                "因病致困",
                "李楼街道前李村3组15号",
                "前李村",
                "13812345678",
                "6228480012345678901",
                "农商银行",
            ]
        )
    source = tmp_path / "低保名单.xlsx"
    workbook.save(source)
    out = tmp_path / "公示.xlsx"
    stderr = run(source, "-o", out)
    values = [
        list(r) for r in openpyxl.load_workbook(out).active.iter_rows(values_only=True)
    ]
    assert values[0] == ["姓名", "家庭人口", "保障金额", "村/社区"]
    assert values[1] == ["王秀英", 2, 438, "前李村"]
    published = repr(values)
    for word in [
        *remarks,
        "尿毒症",
        "残疾",
        "刑满释放",
        "因病",
        "A类",
        "女",
        "农商银行",
    ]:
        assert word not in published
    assert "不公开的列：“致困原因”" in stderr and "不公开的列：“类别”" in stderr


def test_writes_xlsx_with_masked_names(name_list, tmp_path):
    out = tmp_path / "公示.xlsx"
    stderr = run(name_list, "-o", out, "--mask-names")
    values = [
        list(r) for r in openpyxl.load_workbook(out).active.iter_rows(values_only=True)
    ]
    assert [r[0] for r in values[1:]] == ["欧阳*明", "张*", "李*明"]
    assert values[0] == ["户主姓名", "保障人口", "月保障金额（元）", "村（社区）"]
    assert values[1][1:3] == [3, 450.5]
    assert "已遮蔽姓名3个。" in stderr


def test_chooses_the_sheet(name_list, tmp_path):
    with pytest.raises(CommandError, match="找不到工作表“其他”"):
        run(name_list, "-o", tmp_path / "out.csv", "--sheet", "其他")
    assert not (tmp_path / "out.csv").exists()


def _assert_refused(source: Path, tmp_path: Path, match: str) -> None:
    out = tmp_path / "out" / "公示.xlsx"
    out.parent.mkdir()
    with pytest.raises(CommandError, match=match):
        run(source, "-o", out)
    assert list(out.parent.iterdir()) == []  # neither output nor temporary file


def test_not_a_spreadsheet_exits_without_output(tmp_path):
    source = tmp_path / "名单.xlsx"
    source.write_bytes(b"%PDF-1.4 ...")
    _assert_refused(source, tmp_path, "不是电子表格")


def test_encrypted_file_exits_without_output(tmp_path):
    source = tmp_path / "名单.xlsx"
    source.write_bytes(
        OLE2_MAGIC + b"\0" * 512 + "EncryptedPackage".encode("utf-16-le")
    )
    _assert_refused(source, tmp_path, "加密")


def test_empty_file_exits_without_output(tmp_path):
    source = tmp_path / "名单.csv"
    source.write_bytes(b"")
    _assert_refused(source, tmp_path, "空的")


def test_formula_exits_without_output(name_list, tmp_path):
    workbook = openpyxl.load_workbook(name_list)
    workbook.active["H4"] = "=H3*2"
    workbook.save(name_list)
    _assert_refused(name_list, tmp_path, "第4行第H列含有公式")


def test_list_without_publishable_columns_exits_without_output(tmp_path):
    source = tmp_path / "名单.csv"
    source.write_bytes(
        "身份证号,联系电话\r\n11010519491231002X,13812345678\r\n".encode("gbk")
    )
    _assert_refused(source, tmp_path, "没有可以公开的列")


def test_gbk_csv_to_xlsx(tmp_path):
    source = tmp_path / "名单.csv"
    lines = [
        "李楼街道低保名单,,,",
        "姓名,家庭人口,村（社区）,备注",
        "王䶮,2,岳村 电话13812345678,因病",
        "欧阳明,1,郭村,",
    ]
    source.write_bytes("\r\n".join(lines).encode("gb18030"))
    out = tmp_path / "公示.xlsx"
    stderr = run(source, "-o", out)
    values = [
        list(r) for r in openpyxl.load_workbook(out).active.iter_rows(values_only=True)
    ]
    assert values == [
        ["姓名", "家庭人口", "村（社区）"],
        ["王䶮", "2", "岳村 电话***********"],
        ["欧阳明", "1", "郭村"],
    ]
    assert "CSV 编码 gb18030，表头在第2行。" in stderr
    assert "第3行“村（社区）”列：发现手机号，已遮蔽。" in stderr


def test_missing_input_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="找不到输入文件"):
        run(tmp_path / "nope.xlsx", "-o", tmp_path / "out.csv")


def test_unknown_output_type_is_an_error(name_list, tmp_path):
    with pytest.raises(CommandError, match=r"\.xlsx 或 \.csv"):
        run(name_list, "-o", tmp_path / "out.txt")
    assert not (tmp_path / "out.txt").exists()


def _manage(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "catalog_portal.settings.test"}
    return subprocess.run(
        [sys.executable, "manage.py", "deidentify", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_manage_py_exit_status_and_stderr(name_list, tmp_path):
    """Through manage.py: success is 0 with the summary on stderr; a refusal is non-zero."""
    out = tmp_path / "公示.csv"
    done = _manage(str(name_list), "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert out.exists()
    assert "共读取3行数据" in done.stderr
    assert done.stdout == ""

    bad = tmp_path / "坏.xlsx"
    bad.write_bytes(OLE2_MAGIC + b"\0" * 512 + "EncryptedPackage".encode("utf-16-le"))
    refused = _manage(str(bad), "-o", str(tmp_path / "坏.csv"))
    assert refused.returncode != 0
    assert "文件已加密" in refused.stderr
    assert not (tmp_path / "坏.csv").exists()
