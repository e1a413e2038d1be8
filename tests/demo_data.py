"""`seed_demo` once per test run (per xdist worker), replayed into each test that asks.

`seed_demo` takes the better part of a minute on a busy 2-core machine; five tests
need its data (the two crawls, the demo name lists, the query-count scale test).
The session fixture `demo_rows` (tests/conftest.py) runs it once inside a
transaction, records every row of every table as the seed leaves them, and rolls
back, so the worker's database is as empty as before for every other test. The
test fixture `seeded_demo` replaces the content of every table by those rows
inside the test's own transaction (some thousands of rows, bulk inserts), so each
test sees exactly what `seed_demo` made and its changes roll back with it.

Whole tables, not a difference: a transactional test that ran earlier on the
same worker flushes the database (and post_migrate recreates content types and
reference rows with new ids), so rows the seed did not touch may no longer be
there, or not under the same ids, when a later test replays the seed.

What `seed_demo` printed and logged is kept too (the privacy crawl scans it).
Files it stored stay in the in-memory storages of the test settings and its
staged uploads in a directory of the session.
"""

from __future__ import annotations

import io
import logging
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.management import call_command
from django.db import connection, models, transaction


@dataclass
class DemoRows:
    """What one `seed_demo` run did to the database, and what it said."""

    # model -> every row of its table after the seed, as attname tuples
    tables: dict[type[models.Model], list[tuple]]
    out: str = ""
    err: str = ""
    logged: list[str] = field(default_factory=list)

    @property
    def console(self) -> list[str]:
        """Everything the seed printed or logged, for scans."""
        return [*self.logged, self.out, self.err]


def _models() -> list[type[models.Model]]:
    return [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy
    ]


def _attnames(model: type[models.Model]) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]


def _rows(model: type[models.Model]) -> dict[Any, tuple]:
    names = _attnames(model)
    pk = names.index(model._meta.pk.attname)
    return {row[pk]: row for row in model._base_manager.values_list(*names)}


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _log_everything():
    root = logging.getLogger()
    handler, level = _Collect(), root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler.messages
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def record_seed() -> DemoRows:
    """Run `seed_demo` in a transaction that is rolled back; return what it did."""
    out, err = io.StringIO(), io.StringIO()
    with transaction.atomic():
        with _log_everything() as logged:
            call_command("seed_demo", stdout=out, stderr=err)
        tables = {model: list(_rows(model).values()) for model in _models()}
        transaction.set_rollback(True)
    return DemoRows(tables, out.getvalue(), err.getvalue(), list(logged))


@contextmanager
def _stamps_as_given():
    """bulk_create keeps the recorded creation and change times (auto_now off)."""
    saved = []
    for model in _models():
        for f in model._meta.concrete_fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                saved.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def replay(rows: DemoRows) -> None:
    """Write the recorded rows into the current (test) transaction."""
    with _stamps_as_given():
        # Foreign keys are checked at the end of the transaction (deferred), so
        # the order of the tables does not matter.
        for model in rows.tables:
            model._base_manager.all()._raw_delete(connection.alias)
        for model, table in rows.tables.items():
            names = _attnames(model)
            model._base_manager.bulk_create(
                [model(**dict(zip(names, row, strict=True))) for row in table],
                batch_size=500,
            )
    _sequences_past(list(rows.tables))


_AUTO_FIELDS = ("AutoField", "BigAutoField", "SmallAutoField")


def _sequences_past(models_: list[type[models.Model]]) -> None:
    """PostgreSQL: move each sequence past the ids written explicitly, never back.

    ``setval`` is not transactional: it outlives the test's rollback. Setting a
    sequence to the replayed maximum would move it *below* the ids of rows a
    transactional test's flush had recommitted meanwhile (reference rows
    reloaded by post_migrate under new, higher ids), and the next ordinary
    insert of a later test would collide with one of them.
    """
    if connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in models_:
            pk = model._meta.pk
            if pk.get_internal_type() not in _AUTO_FIELDS:
                continue
            table, column = model._meta.db_table, pk.column
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, %s), GREATEST("
                f"(SELECT COALESCE(MAX({quote(column)}), 1) FROM {quote(table)}), "
                f"nextval(pg_get_serial_sequence(%s, %s))))",
                [quote(table), column, quote(table), column],
            )
