"""Progress review writes: the province-wide 先进/落后 thresholds (with audit)."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from catalogs.services import audit

from ..models import ProgressThreshold


def progress_thresholds_validate(
    *, commend_on_time_rate: Decimal, criticize_on_time_rate: Decimal, **_ignored
) -> None:
    """Rates are percentages: raise ValidationError (keyed by field) outside 0–100."""
    errors = {
        name: [_("按时公开率是百分比，请填写0到100之间的数。")]
        for name, value in (
            ("commend_on_time_rate", commend_on_time_rate),
            ("criticize_on_time_rate", criticize_on_time_rate),
        )
        if value is not None and not 0 <= Decimal(value) <= 100
    }
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def progress_thresholds_set(
    *,
    commend_on_time_rate: Decimal,
    criticize_on_time_rate: Decimal,
    criticize_missed: int,
    actor,
) -> ProgressThreshold:
    """Change the one province-wide set of 先进/落后 thresholds (the admin calls this).

    Rates are percentages (0–100). Writes ``disclosures.progress_threshold.changed``
    with the values before and after.
    """
    values = {
        "commend_on_time_rate": Decimal(commend_on_time_rate),
        "criticize_on_time_rate": Decimal(criticize_on_time_rate),
        "criticize_missed": criticize_missed,
    }
    progress_thresholds_validate(**values)
    setting = ProgressThreshold.objects.select_for_update().order_by("pk").first()
    before = None
    if setting is None:
        setting = ProgressThreshold()
    else:
        before = {k: str(getattr(setting, k)) for k in values}
    for name, value in values.items():
        setattr(setting, name, value)
    setting.full_clean()
    setting.save()
    audit(
        "disclosures.progress_threshold.changed",
        actor=actor,
        obj=setting,
        before=before,
        after={k: str(v) for k, v in values.items()},
    )
    return setting
