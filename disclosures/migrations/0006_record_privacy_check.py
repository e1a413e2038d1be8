"""Records carry the time the publication gate's scan cleared them.

Existing records are scanned here once (title, body, attachment file names):
clean ones are cleared as of now; a record with an identifier stays uncleared
and so drops off every public page until a clerk corrects it.
"""

from django.db import migrations, models
from django.utils import timezone


def scan_existing(apps, schema_editor):
    from disclosures.deidentify import scan_text

    Record = apps.get_model("disclosures", "DisclosureRecord")
    Attachment = apps.get_model("disclosures", "Attachment")
    names: dict[int, list[str]] = {}
    for record_id, name in Attachment.objects.values_list("record_id", "original_name"):
        names.setdefault(record_id, []).append(name)
    now = timezone.now()
    clean = []
    for pk, title, body in Record.objects.values_list("pk", "title", "body").iterator():
        texts = [title, body, *names.get(pk, [])]
        if not any(scan_text(text or "")[1] for text in texts):
            clean.append(pk)
    for start in range(0, len(clean), 500):
        Record.objects.filter(pk__in=clean[start : start + 500]).update(privacy_checked_at=now)


class Migration(migrations.Migration):
    dependencies = [
        ("disclosures", "0005_scale_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="disclosurerecord",
            name="privacy_checked_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="隐私扫描通过时间"),
        ),
        migrations.AddField(
            model_name="historicaldisclosurerecord",
            name="privacy_checked_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="隐私扫描通过时间"),
        ),
        migrations.RunPython(scan_existing, migrations.RunPython.noop, elidable=True),
    ]
