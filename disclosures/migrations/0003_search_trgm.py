"""Trigram indexes for the public search (PostgreSQL only).

`disclosures.public.search` (then `disclosures.search`) matches with `icontains`, which PostgreSQL runs as
`UPPER(col::text) LIKE UPPER('%q%')`; pg_trgm GIN indexes on exactly those
expressions let PostgreSQL answer it from the index for queries of three
characters or more (Chinese needs a UTF-8 cluster, whose ctype treats CJK
characters as word characters). On SQLite nothing is created: the search falls
back to a plain scan there. The indexes are not part of the model state, so
`makemigrations` never tries to recreate them on a database that cannot hold them.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

# (app label, model, index name, indexed expression); each expression is what
# the `icontains` lookup puts on the left of LIKE, so the planner can match it.
INDEXES = [
    ("disclosures", "DisclosureRecord", "record_title_trgm", "UPPER({table}.title::text)"),
    ("disclosures", "DisclosureRecord", "record_body_trgm", "UPPER({table}.body::text)"),
    ("catalogs", "CatalogItem", "catalogitem_name_trgm", "UPPER({table}.name::text)"),
    ("catalogs", "CatalogItem", "catalogitem_content_trgm", "UPPER({table}.content::text)"),
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for app_label, model_name, name, expression in INDEXES:
        table = schema_editor.quote_name(apps.get_model(app_label, model_name)._meta.db_table)
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {schema_editor.quote_name(name)} ON {table} "
            f"USING gin (({expression.format(table=table)}) gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _app_label, _model_name, name, _expression in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


class Migration(migrations.Migration):
    dependencies = [
        ("catalogs", "0002_review_comments"),
        ("disclosures", "0002_progress_thresholds"),
    ]

    operations = [
        # A no-op on other databases (CreateExtension checks the vendor itself).
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
