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
  cell, write the masked xlsx);
* **task** — a clerk's name list end to end through the background task, as the
  portal runs it (issue 14): stage the upload in private storage (check, store),
  start the list with the suggested mapping (the mapping form's POST; the list
  and its task row are committed, the task enqueued on commit with the database
  task backend), then the real ``db_worker`` loop (``Worker(batch=True)``) takes
  the task and runs it: read, mask, store every masked row in the database,
  finish the list, delete the staged file. On a fresh copy of a prepared SQLite
  database (migrated, demo catalogs, one record), debug off.

The input is written the way Excel saves a workbook (shared strings, a
``<dimension>`` first), because that is what openpyxl reads fastest and so the
strictest floor. Each measurement runs ``--repeat`` times, interleaved, and the
fastest run counts.

It prints rows per second, the peak resident memory of each subprocess
(``ru_maxrss``, interpreter and imports included, with a no-work baseline for
comparison), the Python heap peak of one extra traced pipeline run, and the
ratios to the floor of the pipeline and of the task. The goal is a ratio of at
most 1.5 for both (``--no-task`` skips the task). openpyxl keeps a
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


TASK_DIR = OUT_DIR / "task"


def _task_env(database: Path, private: Path) -> None:
    """Debug off on a SQLite file (the one-machine pilot), the database task backend."""
    os.environ.update(
        DJANGO_SETTINGS_MODULE="catalog_portal.settings.demo",  # demo users for the record
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="bench-" + "x" * 50,
        DJANGO_ALLOW_SQLITE="1",
        DATABASE_URL=f"sqlite:///{database}",
        DJANGO_PRIVATE_ROOT=str(private),
        CACHE_URL="locmem://",
        TASK_BACKEND="db",
        DJANGO_LOG_LEVEL="ERROR",
    )
    for name in ("STORAGE_BACKEND", "DATABASE_REPLICA_URL"):
        os.environ.pop(name, None)


def _child_prepare(database: str) -> dict:
    """Migrate a SQLite file, load the catalogs and the demo users, publish one record."""
    _task_env(Path(database), TASK_DIR / "private")
    import django

    django.setup()
    from datetime import timedelta as _timedelta

    from django.core.management import call_command
    from django.utils import timezone

    from catalogs.models import Region, User
    from demo import portal as demo_portal
    from demo import users as demo_users
    from disclosures.records import obligations, services

    call_command("migrate", "--noinput", verbosity=0)
    demo_portal.seed()
    demo_users.seed()
    clerk = User.objects.get(username="demo-county")
    region = Region.objects.get(code=clerk.region_id)
    item = next(
        i
        for i in obligations.applicable_items(region)
        if obligations.item_allows_region(i, region)
    )
    record = services.record_create(
        region=region,
        item=item,
        trigger_date=timezone.localdate() - _timedelta(days=1),
        title="基准测试：最低生活保障对象名单",
        body="基准测试用的公开信息。",
        actor=clerk,
        publish="now",
    )
    return {"seconds": 0.0, "record": record.pk, "user": clerk.pk}


def _child_task(path: str, database: str, record: str, user: str) -> dict:
    _task_env(Path(database), TASK_DIR / "private")
    import django

    django.setup()
    from django_tasks_db.management.commands.db_worker import Worker

    from django.db import transaction

    from catalogs.models import User
    from disclosures.models import DisclosureRecord, NameList
    from disclosures.namelists import processing, staging
    from disclosures.spreadsheets import open_table

    actor = User.objects.get(pk=int(user))
    target = DisclosureRecord.objects.get(pk=int(record))
    source = Path(path)
    # The mapping the form suggests (shown on the mapping page, a request of its own).
    with open_table(source, source.name) as table:
        mapping = {i: kind.value for i, kind in table.suggested_mapping().items()}

    start = time.perf_counter()
    with open(source, "rb") as upload:
        staged = staging.name_list_stage_upload(
            record=target, data=upload, filename=source.name, actor=actor
        )
    with transaction.atomic():
        started = processing.name_list_start(
            staged=staged,
            record=target,
            sheet=None,
            mapping=mapping,
            mask_names=False,
            publicity_end=None,
            actor=actor,
        )
    enqueued = time.perf_counter()
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="bench",
    ).run()
    seconds = time.perf_counter() - start
    done = NameList.objects.get(pk=started.pk)
    assert done.status == NameList.Status.PREVIEW, done.report.get("error")
    return {
        "seconds": seconds,
        "worker_seconds": time.perf_counter() - enqueued,
        "rows": done.row_count,
        "columns": len(done.columns),
        "staged_left": staging.staged_file_exists(staged.token),
    }


CHILDREN = {
    "floor": _child_floor,
    "baseline": _child_baseline,
    "pipeline": _child_pipeline,
    "prepare": _child_prepare,
    "task": _child_task,
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
    parser.add_argument(
        "--no-task",
        action="store_true",
        help="skip the end-to-end measurement through the background task",
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

    template = TASK_DIR / "prepared.sqlite3"
    prepared: dict = {}
    if not args.no_task:
        import shutil

        if TASK_DIR.exists():
            shutil.rmtree(TASK_DIR)
        TASK_DIR.mkdir(parents=True)
        print(
            "preparing the task database (migrate, catalogs, one record) …", flush=True
        )
        prepared = _run_child("prepare", str(template))

    def task_run() -> dict:
        import shutil

        database = TASK_DIR / "run.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        shutil.copy(template, database)
        return _run_child(
            "task",
            str(source),
            str(database),
            str(prepared["record"]),
            str(prepared["user"]),
        )

    # Interleaved, so that a noisy neighbour hurts all sides alike.
    floors, pipelines, tasks = [], [], []
    for _ in range(args.repeat):
        floors.append(_run_child("floor", str(source)))
        pipelines.append(_run_child("pipeline", str(source), str(output)))
        if not args.no_task:
            tasks.append(task_run())
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
    if tasks:
        assert not any(r["staged_left"] for r in tasks), "a staged upload was left"
        task = min(tasks, key=lambda r: r["worker_seconds"])
        whole = min(tasks, key=lambda r: r["seconds"])
        task_ratio = task["worker_seconds"] / floor["seconds"]
        print(
            f"task     (enqueued on commit → db_worker → masked rows in the database → preview): "
            f"{task['worker_seconds']:.2f} s, {task['rows'] / task['worker_seconds']:,.0f} rows/s, "
            f"peak RSS {max(r['maxrss_mb'] for r in tasks):.0f} MB; "
            f"{task['columns']} columns published, staged file deleted"
        )
        print(
            f"  with the upload before it (checked, stored in private storage; a request of "
            f"its own): {whole['seconds']:.2f} s, {whole['seconds'] / floor['seconds']:.2f}x the floor"
        )
        verdict = "OK" if task_ratio <= GOAL_RATIO else "ABOVE GOAL"
        print(
            f"ratio task/floor (end to end through the task): {task_ratio:.2f}x "
            f"(goal <= {GOAL_RATIO}x: {verdict})"
        )


if __name__ == "__main__":
    main()
