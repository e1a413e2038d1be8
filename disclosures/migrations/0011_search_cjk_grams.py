"""Index every query length of the public search (PostgreSQL only).

pg_trgm (migration 0003) answers ``LIKE '%…%'`` from its index only when the
pattern holds a whole trigram: three characters or more. The words people type
are shorter (低保, 特困, 救助), and those scanned the table. This adds an
immutable SQL function, ``portal_cjk_grams(text)``, that turns a text into a
tsvector of its upper-cased single characters and character pairs (whitespace
dropped), and GIN indexes on it for records' title and body. The search asks
``portal_cjk_grams(title) @@ '低保'`` for a one- or two-character term and
``'临时' & '时救' & '救助'`` for a longer one, and keeps the exact ``icontains``
beside it, so the index narrows and the LIKE decides (pairs in another order
never match).

The index is maintained by PostgreSQL on every write, bulk inserts included; no
column, no trigger, nothing for the application to keep in step. On SQLite
nothing is created and the search keeps its plain scan.
"""

from django.db import migrations

FUNCTION = r"""
CREATE OR REPLACE FUNCTION portal_cjk_grams(t text) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT COALESCE(array_to_tsvector(array_agg(DISTINCT g.gram)), ''::tsvector)
    FROM (
        SELECT substr(u.s, i, n) AS gram
        FROM (SELECT upper(t) AS s) AS u,
             generate_series(1, length(u.s)) AS i,
             (VALUES (1), (2)) AS sizes(n)
        WHERE i + n - 1 <= length(u.s)
    ) AS g
    WHERE g.gram !~ '\s'
$$
"""

INDEXES = [
    ("record_title_grams", "title"),
    ("record_body_grams", "body"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    table = schema_editor.quote_name(
        apps.get_model("disclosures", "DisclosureRecord")._meta.db_table
    )
    for name, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {schema_editor.quote_name(name)} ON {table} "
            f"USING gin (portal_cjk_grams({schema_editor.quote_name(column)}))"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")
    schema_editor.execute("DROP FUNCTION IF EXISTS portal_cjk_grams(text)")


class Migration(migrations.Migration):
    dependencies = [
        ("disclosures", "0010_record_column_metadata"),
    ]

    operations = [migrations.RunPython(create, drop)]
