"""保存草稿 for the new-item form too (issue 21): an ItemDraft may have no item,
only its catalog. Existing (edit-form) drafts get their item's catalog."""

import django.db.models.deletion
from django.db import migrations, models


def fill_catalog(apps, schema_editor):
    ItemDraft = apps.get_model("catalogs", "ItemDraft")
    for draft in ItemDraft.objects.select_related("item").iterator():
        draft.catalog_id = draft.item.catalog_id
        draft.save(update_fields=["catalog"])


class Migration(migrations.Migration):
    dependencies = [
        ("catalogs", "0005_item_form_drafts"),
    ]

    operations = [
        migrations.AddField(
            model_name="itemdraft",
            name="catalog",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="item_drafts",
                to="catalogs.catalog",
                verbose_name="目录",
            ),
        ),
        migrations.RunPython(fill_catalog, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="itemdraft",
            name="catalog",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="item_drafts",
                to="catalogs.catalog",
                verbose_name="目录",
            ),
        ),
        migrations.AlterField(
            model_name="itemdraft",
            name="item",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="form_draft",
                to="catalogs.catalogitem",
                verbose_name="事项",
            ),
        ),
    ]
