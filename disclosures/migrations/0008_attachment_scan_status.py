"""Attachments carry a privacy-scan status; a second person confirms what cannot be scanned.

Existing attachments were never content-scanned, so they are NOT counted as
clean: they get ``needs_review`` (the field's default) with a note saying why,
and drop off public pages until a colleague of the record's region (or a region
above it), not the uploader, confirms them on the record's manage page. Their
uploader is taken to be the record's creator.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def mark_existing(apps, schema_editor):
    Attachment = apps.get_model("disclosures", "Attachment")
    DisclosureRecord = apps.get_model("disclosures", "DisclosureRecord")
    Attachment.objects.update(
        scan_status="needs_review",
        scan_note="隐私扫描上线前上传，未经内容扫描",
        uploaded_by=models.Subquery(
            DisclosureRecord.objects.filter(pk=models.OuterRef("record_id")).values("created_by")[:1]
        ),
    )


class Migration(migrations.Migration):

    dependencies = [
        ('disclosures', '0007_namelist_public_until'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='attachment',
            name='confirmed_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='确认时间'),
        ),
        migrations.AddField(
            model_name='attachment',
            name='confirmed_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='确认人'),
        ),
        migrations.AddField(
            model_name='attachment',
            name='scan_note',
            field=models.CharField(blank=True, max_length=300, verbose_name='扫描说明'),
        ),
        migrations.AddField(
            model_name='attachment',
            name='scan_status',
            field=models.CharField(choices=[('clean', '已通过扫描'), ('needs_review', '无法自动扫描，待他人确认'), ('confirmed', '已人工确认')], default='needs_review', max_length=12, verbose_name='隐私扫描'),
        ),
        migrations.AddField(
            model_name='attachment',
            name='uploaded_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='上传人'),
        ),
        migrations.AddConstraint(
            model_name='attachment',
            constraint=models.CheckConstraint(condition=models.Q(('confirmed_by__isnull', True), models.Q(('confirmed_by', models.F('uploaded_by')), _negated=True), _connector='OR'), name='attachment_not_self_confirmed', violation_error_message='上传人不能确认自己上传的附件，请由另一位工作人员确认。'),
        ),
        migrations.AddConstraint(
            model_name='attachment',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('scan_status', 'confirmed'), _negated=True), ('confirmed_at__isnull', False), _connector='OR'), name='attachment_confirmed_has_time'),
        ),
        migrations.RunPython(mark_existing, migrations.RunPython.noop),
    ]
