"""Every staff user can change their own password (clerks have no admin)."""

from __future__ import annotations

import pytest

from django.urls import reverse

from catalogs.models import AuditLogEntry

pytestmark = pytest.mark.django_db


def test_clerk_changes_password_and_the_change_is_audited(client, county_clerk):
    county_clerk.set_password("Old-Password-2026")
    county_clerk.save()
    client.force_login(county_clerk)
    assert (
        reverse("password_change") in client.get(reverse("workspace")).content.decode()
    )
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "Old-Password-2026",
            "new_password1": "Luolong-Minzheng-2027",
            "new_password2": "Luolong-Minzheng-2027",
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse(
        "password_change_done"
    )
    county_clerk.refresh_from_db()
    assert county_clerk.check_password("Luolong-Minzheng-2027")
    assert AuditLogEntry.objects.filter(
        action="catalogs.user.password_changed", object_id=str(county_clerk.pk)
    ).exists()


def test_short_password_is_refused_in_chinese(client, county_clerk):
    county_clerk.set_password("Old-Password-2026")
    county_clerk.save()
    client.force_login(county_clerk)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "Old-Password-2026",
            "new_password1": "Henan2026",
            "new_password2": "Henan2026",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "12" in html and "密码" in html
    assert "too short" not in html
    county_clerk.refresh_from_db()
    assert county_clerk.check_password("Old-Password-2026")


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
