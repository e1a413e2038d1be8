"""Villages and communities (村/社区) as regions under their township (SPEC §14).

The region file stops at townships; county staff add the villages of their
townships one by one in the workspace or as a csv of ``code, name, township
code``. Every write goes through the two services below, which check what the
region file's own checks check (codes unique, the parent one level up, the
code starting with its parent's) and write an audit entry in the same
transaction. A csv with any bad row writes nothing and names every bad row.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .audit import audit
from .models import Region, User

VILLAGE_CODE_LENGTH = Region.CODE_LENGTHS[Region.Level.VILLAGE]
TOWNSHIP_CODE_LENGTH = Region.CODE_LENGTHS[Region.Level.TOWNSHIP]
NAME_MAX_LENGTH = Region._meta.get_field("name").max_length
#: Largest csv accepted (a county has a few hundred villages).
MAX_CSV_BYTES = 2 * 1024 * 1024
MAX_CSV_ROWS = 5000

# Accepted header names of each column (the English ones of the region file
# and the Chinese ones a county office would type).
_HEADERS = {
    "code": ("code", "区划代码", "代码", "村代码", "统计用区划代码"),
    "name": ("name", "名称", "村名", "村（社区）名称", "村(社区)名称"),
    "township_code": (
        "township_code",
        "parent_code",
        "乡镇代码",
        "所属乡镇代码",
        "乡镇（街道）代码",
        "乡镇(街道)代码",
    ),
}


@dataclass(frozen=True)
class VillageRow:
    """One checked village of a csv: its file row (header = row 1) and values."""

    row: int
    code: str
    name: str
    township_code: str


class VillageImportError(ValidationError):
    """A csv that was refused: ``problems`` lists (row or None, message)."""

    def __init__(self, problems: list[tuple[int | None, str]]):
        self.problems = problems
        super().__init__([message for _row, message in problems], code="invalid")


def _clean_name(name: str) -> str:
    return " ".join((name or "").split())


def village_problems(
    *, code: str, name: str, township: Region | None, taken: set[str]
) -> list[str]:
    """What is wrong with one village (empty when it may be added).

    `township` is the parent as looked up (None when the code names none);
    `taken` holds the codes that already exist (in the database or earlier in
    the same file).
    """
    problems = []
    if not name:
        problems.append(_("村（社区）名称不能为空。"))
    elif re.search(r"\d{6,}", re.sub(r"[\W_]", "", name)):
        # A village name is public (picker, region pages, notices): never an
        # ID or phone number typed into the wrong column.
        problems.append(
            _("村（社区）名称中不能有长串数字（如身份证号、电话号码），请只填写名称。")
        )
    elif len(name) > NAME_MAX_LENGTH:
        problems.append(_("村（社区）名称不能超过%(n)s个字。") % {"n": NAME_MAX_LENGTH})
    if not (code.isascii() and code.isdigit() and len(code) == VILLAGE_CODE_LENGTH):
        problems.append(
            _("区划代码“%(code)s”不是12位数字：村（社区）的统计用区划代码共12位。")
            % {"code": code}
        )
    elif code.endswith("000"):
        problems.append(
            _("区划代码“%(code)s”的最后三位不能是000：那是乡镇本身的代码。")
            % {"code": code}
        )
    if township is None:
        return problems
    if township.level != Region.Level.TOWNSHIP:
        problems.append(
            _(
                "上级区划“%(name)s”（%(code)s）不是乡镇（街道）：村（社区）只能加在乡镇（街道）下。"
            )
            % {"name": township.name, "code": township.code}
        )
    elif len(code) == VILLAGE_CODE_LENGTH and not code.startswith(township.code):
        problems.append(
            _(
                "区划代码“%(code)s”不以所属乡镇“%(township)s”的代码%(township_code)s开头，"
                "请核对代码或所属乡镇。"
            )
            % {"code": code, "township": township.name, "township_code": township.code}
        )
    if code in taken:
        problems.append(
            _("区划代码“%(code)s”已存在，同一代码不能重复添加。") % {"code": code}
        )
    return problems


def _check_scope(township: Region, within: str | None) -> list[str]:
    if within is None or township.code.startswith(within):
        return []
    return [
        _("乡镇（街道）“%(name)s”不在您所属区划内，只能为本区划的乡镇添加村（社区）。")
        % {"name": township.name}
    ]


@transaction.atomic
def village_create(
    *,
    township: Region,
    code: str,
    name: str,
    actor: User | None,
    within: str | None = None,
) -> Region:
    """Add one village or community under `township` (audited).

    `within`: the actor's region code; a township outside it is refused.
    Raises ValidationError with every problem found.
    """
    code, name = (code or "").strip(), _clean_name(name)
    taken = set(Region.objects.filter(code=code).values_list("code", flat=True))
    problems = _check_scope(township, within) + village_problems(
        code=code, name=name, township=township, taken=taken
    )
    if problems:
        raise ValidationError(problems, code="invalid")
    village = Region(
        code=code,
        name=name,
        level=Region.Level.VILLAGE,
        parent=township,
        official=True,
    )
    village.full_clean()
    village.save()
    audit(
        "catalogs.village.created",
        actor=actor,
        region=township,
        obj=village,
        code=code,
        name=name,
    )
    return village


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 (csv saved by Excel on Chinese Windows)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise VillageImportError(
            [(None, _("无法识别文件编码：请另存为 UTF-8 或 GBK 编码的 CSV 文件。"))]
        ) from None


def _columns(header: list[str]) -> dict[str, int]:
    cleaned = [h.strip().lower() for h in header]
    found: dict[str, int] = {}
    for key, names in _HEADERS.items():
        for index, cell in enumerate(cleaned):
            if cell in names:
                found[key] = index
                break
    missing = [key for key in _HEADERS if key not in found]
    if missing:
        raise VillageImportError(
            [
                (
                    1,
                    _(
                        "第1行（表头）应为三列：code（区划代码）、name（名称）、"
                        "township_code（所属乡镇代码）；缺少：%(missing)s。"
                    )
                    % {"missing": "、".join(missing)},
                )
            ]
        )
    return found


def villages_parse_csv(data: bytes, *, within: str | None = None) -> list[VillageRow]:
    """Read and check a village csv; every row must pass or VillageImportError lists them.

    Columns (by header): code, name, township_code (Chinese headers accepted).
    Row numbers are file rows, the header being row 1. Checks per row: a
    12-digit code not ending in 000, a name, a township that exists (and lies
    in `within`), the code starting with its township's code, and the code
    used neither in the database nor earlier in the file. Reads the database
    in two queries whatever the size of the file.
    """
    if len(data) > MAX_CSV_BYTES:
        raise VillageImportError(
            [(None, _("文件太大：村（社区）名单不能超过 2 MB，请分批导入。"))]
        )
    text = _decode(data)
    lines = list(csv.reader(io.StringIO(text)))
    if not lines or not any(cell.strip() for cell in lines[0]):
        raise VillageImportError([(None, _("文件是空的：第1行应为表头。"))])
    columns = _columns(lines[0])
    raw: list[tuple[int, str, str, str]] = []
    for number, cells in enumerate(lines[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue

        def cell(key: str, cells=cells) -> str:
            index = columns[key]
            return cells[index].strip() if index < len(cells) else ""

        raw.append(
            (number, cell("code"), _clean_name(cell("name")), cell("township_code"))
        )
    if not raw:
        raise VillageImportError(
            [(None, _("文件里没有数据行：表头下面至少要有一行。"))]
        )
    if len(raw) > MAX_CSV_ROWS:
        raise VillageImportError(
            [(None, _("一次最多导入%(n)s行，请分批导入。") % {"n": MAX_CSV_ROWS})]
        )
    townships = Region.objects.in_bulk({t for _n, _c, _m, t in raw})
    taken = set(
        Region.objects.filter(code__in={c for _n, c, _m, _t in raw}).values_list(
            "code", flat=True
        )
    )
    problems: list[tuple[int | None, str]] = []
    rows: list[VillageRow] = []
    for number, code, name, township_code in raw:
        township = townships.get(township_code)
        found: list[str] = []
        if township is None:
            found.append(
                _("所属乡镇代码“%(code)s”不存在，请填写9位乡镇（街道）代码。")
                % {"code": township_code}
            )
        else:
            found += _check_scope(township, within)
        found += village_problems(code=code, name=name, township=township, taken=taken)
        taken.add(code)
        for message in found:
            problems.append(
                (
                    number,
                    _("第%(row)s行：%(message)s") % {"row": number, "message": message},
                )
            )
        if not found:
            rows.append(VillageRow(number, code, name, township_code))
    if problems:
        raise VillageImportError(problems)
    return rows


@transaction.atomic
def villages_import_csv(
    *, data: bytes, actor: User | None, within: str | None = None
) -> list[Region]:
    """Import villages from a csv, all or nothing (audited, one entry).

    Raises VillageImportError (nothing written) when any row is bad; see
    `villages_parse_csv` for the checks.
    """
    rows = villages_parse_csv(data, within=within)
    villages = [
        Region(
            code=row.code,
            name=row.name,
            level=Region.Level.VILLAGE,
            parent_id=row.township_code,
            official=True,
        )
        for row in rows
    ]
    Region.objects.bulk_create(villages, batch_size=500)
    audit(
        "catalogs.village.imported",
        actor=actor,
        region=within or None,
        count=len(villages),
        townships=sorted({row.township_code for row in rows}),
    )
    return villages
