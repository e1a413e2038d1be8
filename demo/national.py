"""`seed_demo --scale national`: SYNTHETIC national-volume data for benchmarks.

Nothing here is real. Henan's tree (province, 18 cities, 181 counties, 2,586
townships) with its catalogs, obligations, records and name lists, as built by
`seed_demo --scale province` (`demo.province`), is replicated as 30
synthetic provinces:

* codes 66–70, 72–80 and 83–98: two-digit province codes that GB/T 2260 does
  not assign (71, 81 and 82 are Taiwan, Hong Kong and Macao and are skipped),
  so no synthetic region can be mistaken for a real one; every code below
  keeps Henan's digits after the first two (410311012 → 660311012);
* names marked as test data: the province is "合成66省（测试数据）", every
  region below it "合成66·洛龙区" and so on; catalog titles say 合成66省
  instead of 河南省, and every record body ends with "（合成测试数据）";
* a deterministic sample of Henan's obligations (8 in 25, by id) with the
  records that fulfilled them, plus every record that has a name list and the
  list itself (rows included, uploader and reviewer left empty).

With Henan at province scale (~94,000 records) that makes about 0.9 million
synthetic records, ~1 million in total, and ~0.95 million obligations. The
copy is done in SQL (`INSERT … SELECT`, a handful of statements per province
and table) with ids shifted by a fixed offset per province, so it is fast on
PostgreSQL (a few minutes for the nation, most of it index maintenance) and
works on SQLite too. A province whose code already exists is skipped, so the
command is idempotent; at any scale other than "national" it does nothing.
"""

from __future__ import annotations

import time as clock
from dataclasses import dataclass

from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils.translation import gettext as _

from catalogs.models import Catalog, CatalogItem, ItemBasis, Region
from disclosures.models import DisclosureRecord, NameList, NameListRow, Obligation

from . import province as demo_province

SOURCE = "41"
PROVINCE_COUNT = 30
# Two-digit codes GB/T 2260 leaves unassigned (71, 81, 82 are real: skipped).
SYNTHETIC_CODES = [
    f"{n:02d}" for n in [*range(66, 71), *range(72, 81), *range(83, 100)]
]
# Of every `KEEP[1]` obligations (by id), `KEEP[0]` are copied with their records.
KEEP = (8, 25)
SYNTHETIC_MARK = "（合成测试数据）"


def seed(*, scale: str = "demo", stdout=None) -> dict | None:
    """National-volume synthetic data at `scale="national"`; nothing at any other scale."""
    if scale != "national":
        return None
    demo_province.build(root_code=SOURCE, stdout=stdout)
    if stdout is not None:
        stdout.write("")
    return build(stdout=stdout)


def province_name(code: str) -> str:
    return _("合成%(code)s省（测试数据）") % {"code": code}


def _say(stdout, text: str) -> None:
    if stdout is not None:
        stdout.write(text)
        flush = getattr(stdout, "flush", None)
        if flush:
            flush()


def _max_id(model) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {model._meta.db_table}")  # noqa: S608
        return cursor.fetchone()[0] or 0


def _copy(
    cursor, model, *, where: str, where_params: list, overrides: dict, omit_id=False
) -> int:
    """INSERT INTO table (columns) SELECT expressions FROM table WHERE … (one statement).

    `overrides` maps a column to (SQL expression, params); other columns are copied.
    """
    table = connection.ops.quote_name(model._meta.db_table)
    columns, expressions, params = [], [], []
    for field in model._meta.concrete_fields:
        column = field.column
        if omit_id and field.primary_key:
            continue
        columns.append(connection.ops.quote_name(column))
        if column in overrides:
            expression, extra = overrides[column]
            expressions.append(expression)
            params.extend(extra)
        else:
            expressions.append(f"src.{connection.ops.quote_name(column)}")
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608 - names from _meta
        f"SELECT {', '.join(expressions)} FROM {table} src WHERE {where}"
    )
    cursor.execute(sql, [*params, *where_params])
    return cursor.rowcount


def _code(column: str, code: str) -> tuple[str, list]:
    """The synthetic code of a source code column (None stays None)."""
    return (
        f"CASE WHEN src.{column} IS NULL THEN NULL ELSE %s || SUBSTR(src.{column}, 3) END",
        [code],
    )


def _shift(column: str, offset: int) -> tuple[str, list]:
    return (
        f"CASE WHEN src.{column} IS NULL THEN NULL ELSE src.{column} + %s END",
        [offset],
    )


def _kept(column: str) -> str:
    return f"(src.{column} %% {KEEP[1]} < {KEEP[0]})"


@dataclass(frozen=True)
class _Target:
    """One synthetic province: its code, the source rows it copies, its id offsets."""

    code: str
    like: list[str]  # the LIKE parameter that selects the source subtree
    catalog: int
    item: int
    obligation: int
    record: int
    namelist: int


def _copy_province(code: str, k: int, offsets: dict, source: str) -> dict:
    target = _Target(
        code=code,
        like=[source + "%"],
        catalog=k * offsets["catalog"],
        item=k * offsets["item"],
        obligation=k * offsets["obligation"],
        record=k * offsets["record"],
        namelist=k * offsets["namelist"],
    )
    counts = {}
    with connection.cursor() as cursor:
        counts["regions"] = _copy_regions(cursor, target)
        counts["catalogs"], counts["items"] = _copy_catalogs(cursor, target)
        counts["obligations"], counts["records"] = _copy_records(cursor, target)
        counts["name_lists"] = _copy_name_lists(cursor, target)
    return counts


def _copy_regions(cursor, target: _Target) -> int:
    """The source tree under the synthetic code, names marked as test data."""
    code = target.code
    return _copy(
        cursor,
        Region,
        where="src.code LIKE %s",
        where_params=target.like,
        overrides={
            "code": ("%s || SUBSTR(src.code, 3)", [code]),
            "name": (
                "CASE WHEN src.level = 'province' THEN %s ELSE %s || src.name END",
                [province_name(code), f"合成{code}·"],
            ),
            "parent_id": _code("parent_id", code),
        },
    )


def _copy_catalogs(cursor, target: _Target) -> tuple[int, int]:
    """The catalogs, their items and the items' legal bases: (catalogs, items) copied."""
    catalog_off, item_off = target.catalog, target.item
    catalogs = _copy(
        cursor,
        Catalog,
        where="src.region_id LIKE %s",
        where_params=target.like,
        overrides={
            "id": ("src.id + %s", [catalog_off]),
            "region_id": _code("region_id", target.code),
            "title": ("REPLACE(src.title, '河南省', %s)", [f"合成{target.code}省"]),
            "upstream_id": _shift("upstream_id", catalog_off),
            "previous_id": _shift("previous_id", catalog_off),
            "created_by_id": ("NULL", []),
            "reviewed_by_id": ("NULL", []),
            "source_note": (
                "%s",
                [_("合成测试数据（全国规模基准），不是真实目录。")],
            ),
        },
    )
    catalog_ids = (
        f"SELECT c.id FROM {Catalog._meta.db_table} c WHERE c.region_id LIKE %s"  # noqa: S608
    )
    items = _copy(
        cursor,
        CatalogItem,
        where=f"src.catalog_id IN ({catalog_ids})",
        where_params=target.like,
        overrides={
            "id": ("src.id + %s", [item_off]),
            "catalog_id": ("src.catalog_id + %s", [catalog_off]),
            "upstream_item_id": _shift("upstream_item_id", item_off),
        },
    )
    item_ids = (
        f"SELECT i.id FROM {CatalogItem._meta.db_table} i "  # noqa: S608
        f"WHERE i.catalog_id IN ({catalog_ids})"
    )
    _copy(
        cursor,
        ItemBasis,
        where=f"src.item_id IN ({item_ids})",
        where_params=target.like,
        overrides={"item_id": ("src.item_id + %s", [item_off])},
        omit_id=True,
    )
    return catalogs, items


def _copy_records(cursor, target: _Target) -> tuple[int, int]:
    """The kept sample of obligations, their records and every record with a name list:
    (obligations, records) copied."""
    obligations = _copy(
        cursor,
        Obligation,
        where=f"src.region_id LIKE %s AND {_kept('id')}",
        where_params=target.like,
        overrides={
            "id": ("src.id + %s", [target.obligation]),
            "region_id": _code("region_id", target.code),
            "item_id": ("src.item_id + %s", [target.item]),
        },
    )
    with_list = f"SELECT n.record_id FROM {NameList._meta.db_table} n"  # noqa: S608
    records = _copy(
        cursor,
        DisclosureRecord,
        where=(
            "src.region_id LIKE %s AND ("
            f"(src.obligation_id IS NULL AND {_kept('id')}) OR {_kept('obligation_id')}"
            f" OR src.id IN ({with_list}))"
        ),
        where_params=target.like,
        overrides={
            "id": ("src.id + %s", [target.record]),
            "region_id": _code("region_id", target.code),
            "item_id": ("src.item_id + %s", [target.item]),
            "obligation_id": (
                f"CASE WHEN src.obligation_id IS NOT NULL AND {_kept('obligation_id')} "
                "THEN src.obligation_id + %s ELSE NULL END",
                [target.obligation],
            ),
            "body": ("src.body || %s", [SYNTHETIC_MARK]),
            "created_by_id": ("NULL", []),
        },
    )
    return obligations, records


def _copy_name_lists(cursor, target: _Target) -> int:
    """The name lists and their rows (uploader and reviewer left empty)."""
    name_lists = _copy(
        cursor,
        NameList,
        where="src.region_id LIKE %s",
        where_params=target.like,
        overrides={
            "id": ("src.id + %s", [target.namelist]),
            "record_id": ("src.record_id + %s", [target.record]),
            "region_id": _code("region_id", target.code),
            "confirmed_region_id": _code("confirmed_region_id", target.code),
            "uploaded_by_id": ("NULL", []),
            "confirmed_by_id": ("NULL", []),
        },
    )
    namelist_ids = (
        f"SELECT n.id FROM {NameList._meta.db_table} n WHERE n.region_id LIKE %s"  # noqa: S608
    )
    _copy(
        cursor,
        NameListRow,
        where=f"src.name_list_id IN ({namelist_ids})",
        where_params=target.like,
        overrides={"name_list_id": ("src.name_list_id + %s", [target.namelist])},
        omit_id=True,
    )
    return name_lists


def _reset_sequences() -> None:
    models = [
        Catalog,
        CatalogItem,
        ItemBasis,
        Obligation,
        DisclosureRecord,
        NameList,
        NameListRow,
    ]
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def build(
    *, provinces: int = PROVINCE_COUNT, source: str = SOURCE, stdout=None
) -> dict:
    """Replicate `source`'s subtree as `provinces` synthetic provinces (idempotent).

    Returns the totals created in this run and the seconds it took.
    """
    started = clock.monotonic()
    codes = SYNTHETIC_CODES[:provinces]
    existing = set(Region.objects.filter(code__in=codes).values_list("code", flat=True))
    todo = [c for c in codes if c not in existing]
    totals = {
        "provinces": 0,
        "regions": 0,
        "catalogs": 0,
        "items": 0,
        "obligations": 0,
        "records": 0,
        "name_lists": 0,
    }
    if not todo:
        _say(
            stdout,
            _("全国规模合成数据已存在（%(n)s 个合成省），跳过。") % {"n": len(codes)},
        )
        totals["seconds"] = 0.0
        return totals
    # Ids of province k are the source ids + k × (largest id now): never taken.
    offsets = {
        "catalog": _max_id(Catalog),
        "item": _max_id(CatalogItem),
        "obligation": _max_id(Obligation),
        "record": _max_id(DisclosureRecord),
        "namelist": _max_id(NameList),
    }
    _say(
        stdout,
        _(
            "全国规模合成数据：以河南省为模板复制 %(n)s 个合成省（代码 %(first)s–%(last)s）……"
        )
        % {"n": len(todo), "first": todo[0], "last": todo[-1]},
    )
    for k, code in enumerate(todo, start=1):
        t0 = clock.monotonic()
        with transaction.atomic():
            counts = _copy_province(code, k, offsets, source)
        totals["provinces"] += 1
        for key, value in counts.items():
            totals[key] += value
        _say(
            stdout,
            _(
                "  [%(k)s/%(n)s] %(name)s：区划 %(regions)s、目录 %(catalogs)s、事项 %(items)s、"
                "公开义务 %(obligations)s、公开信息 %(records)s、名单 %(name_lists)s，"
                "用时 %(seconds).1f 秒"
            )
            % {
                "k": k,
                "n": len(todo),
                "name": province_name(code),
                **counts,
                "seconds": clock.monotonic() - t0,
            },
        )
    _reset_sequences()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (
                Region,
                Catalog,
                CatalogItem,
                Obligation,
                DisclosureRecord,
                NameList,
            ):
                cursor.execute(f"ANALYZE {model._meta.db_table}")
    from disclosures.public.cache import invalidate

    invalidate()
    totals["seconds"] = round(clock.monotonic() - started, 1)
    _say(
        stdout,
        _(
            "全国规模合成数据：新建合成省 %(provinces)s 个、区划 %(regions)s 个、目录 %(catalogs)s 个、"
            "公开义务 %(obligations)s 条、公开信息 %(records)s 条、名单 %(name_lists)s 份，"
            "用时 %(seconds)s 秒。"
        )
        % totals,
    )
    return totals
