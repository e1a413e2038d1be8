"""Staff pages: only the receiving region sees an application and its applicant;
every step goes through a form whose errors name the field; the workspace lists
applications beside records; city and province see counts without applicants."""

from __future__ import annotations

import io
from datetime import date

import pytest
from docx import Document

from django.urls import reverse

from onrequest.models import Application

from .builders import paper_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(county_clerk):
    return paper_application(county_clerk, date(2025, 9, 26))


def test_detail_shows_the_applicant_to_the_receiving_region_only(
    client,
    application,
    county_clerk,
    other_county_clerk,
    township_clerk,
    city_reviewer,
    province_admin,
):
    url = reverse("onrequest:application_detail", args=[application.pk])
    client.force_login(county_clerk)
    page = client.get(url).content.decode()
    assert application.id_number in page and "2025-10-30" in page
    assert "收到申请之日起20个工作日内" in page
    for user in (other_county_clerk, township_clerk, city_reviewer, province_admin):
        client.force_login(user)
        assert client.get(url).status_code == 404
        response = client.post(
            reverse("onrequest:application_action", args=[application.pk, "review"])
        )
        assert response.status_code == 404
    application.refresh_from_db()
    assert application.status == "registered"


def test_steps_through_the_forms(client, application, county_clerk):
    client.force_login(county_clerk)
    act = lambda name, **data: client.post(  # noqa: E731
        reverse("onrequest:application_action", args=[application.pk, name]),
        {f"{name}-{k}": v for k, v in data.items()},
    )
    assert act("review").status_code == 302
    response = act("correction", requested_on="2025-10-20", note="x", days="10")
    page = response.content.decode()
    assert (
        response.status_code == 200
        and "补正通知发出日期" in page
        and "7个工作日内" in page
    )
    assert (
        act(
            "correction", requested_on="2025-09-29", note="请写明年份", days="10"
        ).status_code
        == 302
    )
    assert act("corrected", corrected_on="2025-10-09").status_code == 302
    application.refresh_from_db()
    assert application.due_date == date(2025, 11, 5)
    assert act("process").status_code == 302
    response = act(
        "extend",
        days="25",
        approver="",
        reason="",
        approved_on="2025-10-20",
        notified_on="2025-10-20",
    )
    page = response.content.decode()
    assert "批准人" in page and "最长不得超过20个工作日" in page
    response = act(
        "reply",
        outcome="refused_internal",
        reply_text="属于内部事务信息。",
        replied_on="2025-10-28",
    )
    assert response.status_code == 302
    application.refresh_from_db()
    letter = application.files.get(kind="letter")
    download = client.get(
        reverse("onrequest:application_file", args=[application.pk, letter.pk])
    )
    assert download.status_code == 200
    assert "no-store" in download["Cache-Control"]
    body = b"".join(download.streaming_content)
    text = "\n".join(p.text for p in Document(io.BytesIO(body)).paragraphs)
    assert "第十六条第一款" in text and "不予公开" in text
    assert act("archive", archived_on="2025-10-29").status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.ARCHIVED


def test_workspace_lists_applications_beside_records(client, county_clerk, application):
    client.force_login(county_clerk)
    page = client.get(reverse("workspace")).content.decode()
    assert "依申请公开工作清单" in page and "公开信息工作清单" in page
    assert application.code in page  # overdue since 2025-10-30
    assert "件已超过答复期限" in page


def test_progress_review_counts_without_applicants(
    client, city_reviewer, application, county_clerk
):
    client.force_login(city_reviewer)
    page = client.get(reverse("onrequest:application_progress")).content.decode()
    assert "洛龙区" in page and application.code in page
    assert application.applicant_name not in page and application.id_number not in page
    client.force_login(county_clerk)
    assert client.get(reverse("onrequest:application_progress")).status_code == 403


def test_paper_application_by_staff(client, county_clerk):
    client.force_login(county_clerk)
    url = reverse("onrequest:application_create")
    assert client.get(url).status_code == 200
    from .builders import applicant

    data = {
        **applicant(),
        "receiver": "410311",
        "channel": "paper",
        "received_on": "2026-01-20",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    application = Application.objects.get()
    assert application.due_date == date(2026, 2, 24)
    assert application.created_by == county_clerk
    response = client.post(url, {**data, "received_on": ""})
    assert "请填写收到申请日期" in response.content.decode()
    assert Application.objects.count() == 1


def test_escalated_applications_are_read_by_the_superior_region_only(
    client,
    application,
    county_clerk,
    other_county_clerk,
    township_clerk,
    city_reviewer,
    province_admin,
):
    url = reverse("onrequest:application_detail", args=[application.pk])
    client.force_login(county_clerk)
    response = client.post(
        reverse("onrequest:application_action", args=[application.pk, "escalate"]),
        {"escalate-reason": ""},
    )
    assert "请写明提请上级协调的理由" in response.content.decode()
    client.post(
        reverse("onrequest:application_action", args=[application.pk, "escalate"]),
        {"escalate-reason": "涉及跨部门信息，请市局协调。"},
    )
    application.refresh_from_db()
    assert application.escalated_at is not None
    client.force_login(city_reviewer)
    page = client.get(url).content.decode()
    assert application.id_number in page and "请市局协调" in page
    assert 'id="step-' not in page  # the city reads; the receiving region handles
    response = client.post(
        reverse("onrequest:application_action", args=[application.pk, "review"])
    )
    assert response.status_code == 403
    # the province is not the county's superior: escalation does not reach it
    for user in (province_admin, other_county_clerk, township_clerk):
        client.force_login(user)
        assert client.get(url).status_code == 404
