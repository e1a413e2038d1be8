"""No applicant identity on any public page, feed, search result or in the logs
(SPEC §12): the demo applications of 洛龙区 are seeded, then the public pages that
could mention them are fetched and scanned for every raw identifier and name."""

from __future__ import annotations

import logging

import pytest

from django.urls import reverse

from demo import applications as demo_applications
from demo.users import seed_users
from onrequest import services
from onrequest.models import Application

from .builders import applicant

pytestmark = pytest.mark.django_db


def test_no_applicant_identity_in_public_pages_or_logs(client, caplog):
    caplog.set_level(logging.DEBUG)
    seed_users()
    demo_applications.seed()
    from catalogs.models import Region

    submitted = services.application_submit(
        region=Region.objects.get(code="410311"),
        data=applicant(applicant_name="隐私测试人", phone="13987654321"),
    )
    secrets = (
        demo_applications.identifiers()
        | demo_applications.applicant_names()
        | {"隐私测试人", "13987654321", submitted.application.id_number}
    )
    assert Application.objects.count() >= 13
    pages = [
        "/",
        "/apply/",
        "/apply/?county=410311",
        "/apply/status/",
        "/r/410311/",
        "/r/4103/",
        "/search/?q=演示",
        "/search/?q=13987654321",
    ]
    leaks = []
    for path in pages:
        response = client.get(path, follow=True)
        assert response.status_code == 200, path
        body = response.content.decode()
        leaks += [f"{path}: {s}" for s in secrets if s in body]
    for application in Application.objects.all():
        response = client.post(
            reverse("onrequest:apply_status"),
            {"code": application.code, "check_value": "WRONG"},
        )
        body = response.content.decode()
        leaks += [f"status {application.code}: {s}" for s in secrets if s in body]
    response = client.post(
        reverse("onrequest:apply_status"),
        {"code": submitted.application.code, "check_value": submitted.check_value},
    )
    assert "已提交，待登记" in response.content.decode()
    leaks += [f"status: {s}" for s in secrets if s in response.content.decode()]
    logged = "\n".join(
        r.getMessage() + str(r.__dict__.get("args")) for r in caplog.records
    )
    leaks += [f"log: {s}" for s in secrets if s in logged]
    assert leaks == []
