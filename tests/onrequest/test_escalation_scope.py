"""Who reads an escalated application (issue 17: "not even to the city unless the
application is escalated"): the receiving region and its direct superior only.

An application of 洛龙区 (county A, under 洛阳市) escalated for coordination is
walked on every onrequest staff URL that names an application, as each role:
洛龙区's clerk handles it; the 洛阳市 reviewer reads it (list, detail, files)
but cannot act; the province above the city, the township below, another county
of 洛阳市, and a county and reviewer of another city (郑州市) get 404 and never
find it in their list. A township's escalated application goes to its county,
not to the city.
"""

from __future__ import annotations

from datetime import date

import pytest

from django.urls import get_resolver, reverse

from catalogs.models import Region, User
from onrequest import services
from onrequest.files import CheckedFile

from .builders import applicant

pytestmark = pytest.mark.django_db

# Expected GET status of each staff URL that names an application, per role.
READS = {"county_a": 200, "city": 200}
ROLES = (
    "county_a",
    "city",
    "province",
    "township",
    "county_b",
    "other_city_county",
    "other_city",
)


@pytest.fixture
def users(
    county_clerk,
    city_reviewer,
    province_admin,
    township_clerk,
    other_county_clerk,
    make_user,
):
    return {
        "county_a": county_clerk,
        "city": city_reviewer,
        "province": province_admin,
        "township": township_clerk,
        "county_b": other_county_clerk,
        "other_city_county": make_user(
            User.Role.COUNTY_CLERK, "410102", username="clerk-zhongyuan"
        ),
        "other_city": make_user(
            User.Role.CITY_REVIEWER, "4101", username="reviewer-zhengzhou"
        ),
    }


def _escalated(clerk, region_code: str):
    application = services.application_submit(
        region=Region.objects.get(code=region_code),
        data=applicant(),
        channel="paper",
        received_on=date(2026, 1, 20),
        files=[CheckedFile("身份证复印件.pdf", b"%PDF-1.4 x", "application/pdf")],
        actor=clerk,
    ).application
    services.application_escalate(
        application=application, reason="涉及跨部门信息，请上级协调。", actor=clerk
    )
    return application


def _staff_urls_with_an_application(application) -> dict[str, str]:
    """Every onrequest URL whose pattern names an application (``pk``), built for
    ``application``; the action URL with the first workflow step."""
    resolver = get_resolver()
    names = sorted(
        name
        for name, _pattern in resolver.namespace_dict["onrequest"][
            1
        ].reverse_dict.items()
        if isinstance(name, str)
    )
    urls = {}
    for name in names:
        pattern = resolver.namespace_dict["onrequest"][1].reverse_dict[name][0][0][1]
        if "pk" not in pattern:
            continue
        kwargs = {"pk": application.pk}
        if "file_pk" in pattern:
            kwargs["file_pk"] = application.files.get().pk
        if "action" in pattern:
            kwargs["action"] = "review"
        urls[name] = reverse(f"onrequest:{name}", kwargs=kwargs)
    return urls


def test_every_staff_url_of_an_escalated_application(client, users):
    application = _escalated(users["county_a"], "410311")
    urls = _staff_urls_with_an_application(application)
    assert set(urls) == {"application_detail", "application_file", "application_action"}
    problems = []
    for role in ROLES:
        client.force_login(users[role])
        for name in ("application_detail", "application_file"):
            status = client.get(urls[name]).status_code
            if status != READS.get(role, 404):
                problems.append(f"{role}: GET {name}: {status}")
        # acting: the receiving region only; the superior reads (403), others 404
        expected = {"county_a": 302, "city": 403}.get(role, 404)
        if role != "county_a":
            status = client.post(urls["application_action"]).status_code
            if status != expected:
                problems.append(f"{role}: POST application_action: {status}")
        listed = (
            application.code
            in client.get(reverse("onrequest:application_list")).content.decode()
        )
        if listed != (role in READS):
            problems.append(f"{role}: in application_list: {listed}")
    assert problems == [], "\n".join(problems)
    application.refresh_from_db()
    assert application.status == "registered"  # nobody else moved it on
    client.force_login(users["county_a"])
    assert client.post(urls["application_action"]).status_code == 302


def test_the_superior_reads_the_applicant_and_the_file(client, users):
    application = _escalated(users["county_a"], "410311")
    client.force_login(users["city"])
    page = client.get(
        reverse("onrequest:application_detail", args=[application.pk])
    ).content.decode()
    assert application.id_number in page
    response = client.get(
        reverse(
            "onrequest:application_file",
            args=[application.pk, application.files.get().pk],
        )
    )
    assert b"".join(response.streaming_content) == b"%PDF-1.4 x"


def test_a_township_escalates_to_its_county_not_the_city(client, users, make_user):
    lilou_clerk = users["township"]
    application = _escalated(lilou_clerk, "410311012")
    url = reverse("onrequest:application_detail", args=[application.pk])
    expected = {"township": 200, "county_a": 200}
    for role in ROLES:
        client.force_login(users[role])
        assert client.get(url).status_code == expected.get(role, 404), role


def test_before_escalation_the_city_does_not_read_it(client, users):
    application = services.application_submit(
        region=Region.objects.get(code="410311"),
        data=applicant(),
        channel="paper",
        received_on=date(2026, 1, 20),
        actor=users["county_a"],
    ).application
    client.force_login(users["city"])
    url = reverse("onrequest:application_detail", args=[application.pk])
    assert client.get(url).status_code == 404
