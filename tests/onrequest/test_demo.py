"""The demo applications of 洛龙区: every state, the main reply types, one corrected,
one extended, one consulted; seeding twice adds nothing."""

from __future__ import annotations

import pytest

from demo import applications as demo_applications
from demo.users import seed_users
from onrequest.models import Application
from onrequest.selectors import application_worklist

pytestmark = pytest.mark.django_db


def test_demo_applications_cover_states_and_reply_types():
    seed_users()
    made = demo_applications.seed()
    assert len(made) >= 12
    assert demo_applications.seed() == []
    qs = Application.objects.filter(region_id="410311")
    assert set(qs.values_list("status", flat=True)) == set(Application.Status.values)
    outcomes = set(qs.exclude(outcome="").values_list("outcome", flat=True))
    assert {
        "disclosed",
        "partly",
        "refused_third_party",
        "unable_not_held",
        "not_handled_repeat",
        "other_no_correction",
    } <= outcomes
    assert qs.filter(corrected_on__isnull=False).exists()
    assert qs.filter(extension_days__isnull=False).exists()
    assert qs.filter(consultations__kind="third_party").exists()
    assert {"natural_person", "business", "legal_service"} <= set(
        qs.values_list("applicant_kind", flat=True)
    )
    from catalogs.models import User

    worklist = application_worklist(User.objects.get(username="demo-county"))
    assert worklist.counts["overdue"] >= 1
    assert worklist.counts["waiting"] == 1
    assert worklist.counts["archive_due"] >= 1
