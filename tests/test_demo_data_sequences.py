"""The demo replay moves PostgreSQL sequences past its ids and never back (tests/demo_data.py)."""

from __future__ import annotations

import pytest

from django.db import connection

from catalogs.models import LegalDocument
from tests.demo_data import _sequences_past


def _next_id() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id'))",
            [connection.ops.quote_name(LegalDocument._meta.db_table)],
        )
        return cursor.fetchone()[0]


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_sequence_ahead_of_the_rows_is_not_moved_back():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), 1000000)",
            [connection.ops.quote_name(LegalDocument._meta.db_table)],
        )
    _sequences_past([LegalDocument])
    assert _next_id() > 1_000_000


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_sequence_behind_an_explicit_id_moves_past_it():
    LegalDocument.objects.create(
        pk=2_000_000, title="《测试用文件》", number="测试〔2026〕1号"
    )
    _sequences_past([LegalDocument])
    assert _next_id() > 2_000_000
