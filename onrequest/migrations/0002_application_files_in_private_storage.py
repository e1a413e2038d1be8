"""Application files (applicants' ID scans, letters, what was provided) move from the
default storage (under MEDIA_ROOT, behind MEDIA_URL) to ``STORAGES["private"]``.

Files already stored are moved with their rows' names kept; the reverse moves them
back. Run once per deployment; the move is idempotent (a file already in private
storage is left there).
"""

from django.db import migrations, models

import disclosures.models
import onrequest.models


def _move(ApplicationFile, source, target) -> None:
    for row in ApplicationFile.objects.exclude(file="").only("pk", "file").iterator():
        name = row.file.name
        if not source.exists(name):
            continue
        if not target.exists(name):
            with source.open(name, "rb") as handle:
                saved = target.save(name, handle)
            if saved != name:
                ApplicationFile.objects.filter(pk=row.pk).update(file=saved)
        source.delete(name)


def _storages(apps):
    from django.core.files.storage import storages

    ApplicationFile = apps.get_model("onrequest", "ApplicationFile")
    # the private storage exactly as the field resolves it
    return (
        ApplicationFile,
        storages["default"],
        ApplicationFile._meta.get_field("file").storage,
    )


def to_private(apps, schema_editor):
    ApplicationFile, default, private = _storages(apps)
    _move(ApplicationFile, default, private)


def to_default(apps, schema_editor):
    ApplicationFile, default, private = _storages(apps)
    _move(ApplicationFile, private, default)


class Migration(migrations.Migration):
    dependencies = [
        ("onrequest", "0001_applications"),
    ]

    operations = [
        migrations.AlterField(
            model_name="applicationfile",
            name="file",
            field=models.FileField(
                storage=disclosures.models.private_storage,
                upload_to=onrequest.models.application_file_path,
                verbose_name="文件",
            ),
        ),
        migrations.RunPython(to_private, to_default),
    ]
