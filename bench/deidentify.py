"""Benchmark of name-list de-identification against the openpyxl reading floor.

Usage (from the repository root)::

    .venv/bin/python bench/deidentify.py [--rows 100000] [--repeat 3]

Generates a synthetic list (made-up names, ID numbers with valid GB 11643
check digits, mobiles, bank cards, addresses down to house numbers, amounts;
one row in twenty has a phone number typed into its remark) as an xlsx under
``bench/out/``, then times, each in a fresh subprocess:

* **floor** — plain openpyxl read-only iteration of the file
  (``iter_rows(values_only=True)``), the least any xlsx pipeline must pay;
* **pipeline** — the full de-identification as ``manage.py deidentify`` runs it
  (open and check the upload, find the header, mask and scan every published
  cell, write the masked xlsx).

The input is written the way Excel saves a workbook (shared strings, a
``<dimension>`` first), because that is what openpyxl reads fastest and so the
strictest floor. Each measurement runs ``--repeat`` times, interleaved, and the
fastest run counts.

It prints rows per second, the peak resident memory of each subprocess
(``ru_maxrss``, interpreter and imports included, with a no-work baseline for
comparison), the Python heap peak of one extra traced pipeline run, and the
ratio of the two times. The goal is a ratio of at most 1.5. openpyxl keeps a
workbook's shared-strings table in memory, so memory grows with the number of
*distinct* texts in the file, not with the rows streamed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT_DIR = REPO / "bench" / "out"
GOAL_RATIO = 1.5

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史黎贺顾毛郝龚邵万钱覃武戴孔汤庞樊兰殷施陶洪翟安颜倪严牛温芦季俞章鲁葛伍申尤毕聂柴焦向柳邢岳齐沿梅莫庄辛管祝左涂谷祁时舒耿牟卜路詹关苗凌费纪靳盛童欧甄项曲成游阳裴席卫查屈鲍位覃霍翁隋植甘景薄单包司柏宁柯阮桂闵"
COMPOUND = ["欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "慕容", "令狐"]
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红梅鹏飞建国志文海燕春花凤云峰辉小红丹波宁琳晶倩颖俊浩宇轩子涵欣怡佳豪博文嘉"
TOWNSHIPS = [
    "李楼镇",
    "安乐镇",
    "白马寺镇",
    "关林镇",
    "辛店街道",
    "开元路街道",
    "龙门镇",
    "佃庄镇",
]
VILLAGE_PARTS = "东西南北前后上下大小新老王李张刘马杨高郭"
CATEGORIES = ["A类", "B类", "C类", "一档", "二档", "三档", "全额保障", "差额保障"]
REGION_CODES = [
    "410302",
    "410303",
    "410304",
    "410305",
    "410307",
    "410308",
    "410311",
    "410323",
    "410324",
    "410325",
]
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
HEADER = [
    "序号",
    "户主姓名",
    "身份证号码",
    "联系电话",
    "银行卡号",
    "家庭住址",
    "家庭人口",
    "月保障金额（元）",
    "所属村（社区）",
    "保障类别",
    "备注",
]


def _id_number(rng: random.Random) -> str:
    birth = date(1930, 1, 1) + timedelta(days=rng.randrange(0, 365 * 85))
    first17 = f"{rng.choice(REGION_CODES)}{birth:%Y%m%d}{rng.randrange(1000):03d}"
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return first17 + "10X98765432"[total % 11]


def _bank_card(rng: random.Random) -> str:
    body = "6228" + "".join(str(rng.randrange(10)) for _ in range(14))
    # Luhn check digit, as real cards have.
    total = 0
    for i, d in enumerate(reversed(body)):
        n = int(d)
        if i % 2 == 0:
            n *= 2
            n = n - 9 if n > 9 else n
        total += n
    return body + str((10 - total % 10) % 10)


def _name(rng: random.Random) -> str:
    surname = rng.choice(COMPOUND) if rng.random() < 0.02 else rng.choice(SURNAMES)
    return surname + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2, 2))))


def _village(rng: random.Random) -> str:
    return (
        rng.choice(VILLAGE_PARTS)
        + rng.choice(VILLAGE_PARTS)
        + ("村" if rng.random() < 0.8 else "社区")
    )


def synthetic_rows(rows: int, seed: int = 2025):
    """The data rows of the synthetic list (a title row and the header come first)."""
    rng = random.Random(seed)
    for number in range(1, rows + 1):
        village = _village(rng)
        phone = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
        remark = ""
        roll = rng.random()
        if roll < 0.05:
            remark = f"联系电话{phone[:3]} {phone[3:7]} {phone[7:]}"
        elif roll < 0.15:
            remark = rng.choice(["因病致贫", "新增", "2025年7月起调整", "停发后恢复"])
        yield [
            number,
            _name(rng),
            _id_number(rng),
            phone,
            _bank_card(rng),
            f"河南省洛阳市洛龙区{rng.choice(TOWNSHIPS)}{village}{rng.randrange(1, 12)}组{rng.randrange(1, 200)}号",
            rng.randrange(1, 7),
            round(rng.uniform(200, 1500), 2),
            village,
            rng.choice(CATEGORIES),
            remark or None,
        ]


TITLE = "洛龙区2025年第三季度城乡居民最低生活保障对象名单（合成数据）"


def generate(path: Path, rows: int, seed: int = 2025) -> None:
    """Write the synthetic list the way Excel and WPS save one.

    Excel stores text in a shared-strings table and puts the sheet's
    ``<dimension>`` first; openpyxl's own writer uses inline strings and no
    dimension, which makes openpyxl's reading several times slower and would
    flatter the ratio. So the parts are written directly here.
    """
    import zipfile
    from xml.sax.saxutils import escape

    strings: dict[str, int] = {}

    def cell(ref: str, value) -> str:
        if value is None:
            return ""
        if isinstance(value, str):
            index = strings.setdefault(value, len(strings))
            return f'<c r="{ref}" t="s"><v>{index}</v></c>'
        return f'<c r="{ref}"><v>{value}</v></c>'

    letters = [chr(65 + i) for i in range(len(HEADER))]
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    ct = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(
                (
                    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{main}" xmlns:r="{rel}">'
                    f'<dimension ref="A1:{letters[-1]}{rows + 2}"/><sheetData>'
                    f'<row r="1">{cell("A1", TITLE)}</row>'
                    f'<row r="2">{"".join(cell(f"{col}2", h) for col, h in zip(letters, HEADER, strict=False))}</row>'
                ).encode()
            )
            buffer = []
            for r, values in enumerate(synthetic_rows(rows, seed), start=3):
                buffer.append(
                    f'<row r="{r}">'
                    + "".join(
                        cell(f"{col}{r}", v)
                        for col, v in zip(letters, values, strict=False)
                    )
                    + "</row>"
                )
                if len(buffer) == 1000:
                    sheet.write("".join(buffer).encode())
                    buffer.clear()
            buffer.append(
                f'</sheetData><mergeCells count="1"><mergeCell ref="A1:{letters[-1]}1"/></mergeCells></worksheet>'
            )
            sheet.write("".join(buffer).encode())
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as shared:
            shared.write(
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{main}" count="{len(strings)}" uniqueCount="{len(strings)}">'.encode()
            )
            chunk = []
            for text in strings:
                chunk.append(f"<si><t>{escape(text)}</t></si>")
                if len(chunk) == 10000:
                    shared.write("".join(chunk).encode())
                    chunk.clear()
            chunk.append("</sst>")
            shared.write("".join(chunk).encode())
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{ct}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{ct}.worksheet+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{ct}.sharedStrings+xml"/>'
            "</Types>",
        )
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{pkg}"><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{pkg}">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>",
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets><sheet name="低保名单" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )


# ------------------------------------------------------------------ children


def _child_floor(path: str) -> dict:
    import openpyxl

    start = time.perf_counter()
    workbook = openpyxl.load_workbook(path, read_only=True)
    sheet = workbook.worksheets[0]
    rows = 0
    for _row in sheet.iter_rows(values_only=True):
        rows += 1
    workbook.close()
    return {"seconds": time.perf_counter() - start, "rows": rows}


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "catalog_portal.settings.test")
    import django

    django.setup()


def _child_baseline() -> dict:
    """Interpreter, Django and the modules the pipeline imports; no work."""
    _setup_django()
    import openpyxl  # noqa: F401

    import disclosures.spreadsheets  # noqa: F401

    return {"seconds": 0.0}


def _child_pipeline(path: str, out: str, traced: str = "") -> dict:
    _setup_django()
    from disclosures.spreadsheets import deidentify_file

    if traced:
        import tracemalloc

        tracemalloc.start()
    start = time.perf_counter()
    result = deidentify_file(path, out)
    seconds = time.perf_counter() - start
    report = result.report
    measured = {
        "seconds": seconds,
        "rows": report.rows_total,
        "findings": report.findings_total,
        "columns": len(result.report.columns_kept),
    }
    if traced:
        measured["traced_peak_mb"] = tracemalloc.get_traced_memory()[1] / 1024 / 1024
    return measured


CHILDREN = {
    "floor": _child_floor,
    "baseline": _child_baseline,
    "pipeline": _child_pipeline,
}


def _run_child(*args: str) -> dict:
    completed = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        sys.stderr.write(completed.stderr)
        raise SystemExit(f"child {args[0]} failed")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs per measurement; the fastest counts"
    )
    parser.add_argument(
        "--regenerate", action="store_true", help="rebuild the input even if cached"
    )
    parser.add_argument(
        "--no-tracemalloc",
        action="store_true",
        help="skip the extra (slow, untimed) run that measures the Python heap peak",
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        kind, *rest = args.child
        sys.path.insert(0, str(REPO))
        result = CHILDREN[kind](*rest)
        result["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    source = OUT_DIR / f"namelist-{args.rows}.xlsx"
    output = OUT_DIR / f"namelist-{args.rows}-deidentified.xlsx"
    if args.regenerate or not source.exists():
        print(f"generating {source.relative_to(REPO)} ({args.rows} rows) …", flush=True)
        start = time.perf_counter()
        generate(source, args.rows)
        size = source.stat().st_size / 1e6
        print(f"  done in {time.perf_counter() - start:.1f} s, {size:.1f} MB")

    # Interleaved, so that a noisy neighbour hurts both sides alike.
    floors, pipelines = [], []
    for _ in range(args.repeat):
        floors.append(_run_child("floor", str(source)))
        pipelines.append(_run_child("pipeline", str(source), str(output)))
    baseline = _run_child("baseline")
    floor = min(floors, key=lambda r: r["seconds"])
    pipeline = min(pipelines, key=lambda r: r["seconds"])
    ratio = pipeline["seconds"] / floor["seconds"]
    rows = pipeline["rows"]
    floor_rss = max(r["maxrss_mb"] for r in floors)
    pipeline_rss = max(r["maxrss_mb"] for r in pipelines)

    print(f"data rows: {rows}  (input {source.stat().st_size / 1e6:.1f} MB)")
    print(
        f"floor    (openpyxl read-only iteration): {floor['seconds']:.2f} s, "
        f"{rows / floor['seconds']:,.0f} rows/s, peak RSS {floor_rss:.0f} MB"
    )
    print(
        f"pipeline (read + mask + write xlsx):     {pipeline['seconds']:.2f} s, "
        f"{rows / pipeline['seconds']:,.0f} rows/s, peak RSS {pipeline_rss:.0f} MB "
        f"(Django and imports alone: {baseline['maxrss_mb']:.0f} MB)"
    )
    print(
        f"  {pipeline['columns']} columns published, "
        f"{pipeline['findings']} identifiers found in free text and masked"
    )
    if not args.no_tracemalloc:
        traced = _run_child("pipeline", str(source), str(output), "traced")
        print(
            f"  Python heap peak during the pipeline (tracemalloc): {traced['traced_peak_mb']:.0f} MB"
        )
    verdict = "OK" if ratio <= GOAL_RATIO else "ABOVE GOAL"
    print(f"ratio pipeline/floor: {ratio:.2f}x (goal <= {GOAL_RATIO}x: {verdict})")


if __name__ == "__main__":
    main()
