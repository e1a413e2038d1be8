"""The public application form and the status lookup (SPEC §12): no JavaScript needed,
errors name the field, nothing half-stored, a flood from one address is refused."""

from __future__ import annotations

import io

import pytest

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from onrequest.models import Application, ApplicationFile

from .builders import applicant, id_number

pytestmark = pytest.mark.django_db

URL = reverse("onrequest:apply")


def _post(client, **overrides):
    data = {"receiver": "410311", **applicant(), **overrides}
    return client.post(URL + "?county=410311", data)


def test_choose_a_county_then_the_receiving_body(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert "洛龙区" in response.content.decode()
    response = client.get(URL + "?county=410311")
    page = response.content.decode()
    assert "洛龙区民政局" in page
    assert "李楼街道办事处" in page  # a township of 洛龙区
    assert 'name="website"' in page  # the honeypot, hidden from people


def test_submit_shows_code_and_check_value_and_stores_it(client):
    response = _post(client)
    assert response.status_code == 200
    page = response.content.decode()
    application = Application.objects.get()
    assert application.code in page
    assert application.status == Application.Status.SUBMITTED
    assert application.received_on is None  # counted from the office's confirmation
    assert application.applicant_name not in page
    assert application.id_number not in page


@pytest.mark.parametrize(
    ("overrides", "field_label", "message"),
    [
        ({"applicant_name": ""}, "申请人姓名或名称", "请填写申请人姓名或名称。"),
        ({"description": ""}, "所需政府信息", "请描述您需要的政府信息"),
        ({"phone": "abc"}, "联系电话", "联系电话格式不正确"),
        (
            {"id_number": id_number()[:-1] + ("0" if id_number()[-1] != "0" else "1")},
            "证件号码",
            "校验位不正确",
        ),
        (
            {"applicant_kind": "business", "contact_person": ""},
            "联系人",
            "法人或其他组织申请时请填写联系人",
        ),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(
    client, overrides, field_label, message
):
    response = _post(client, **overrides)
    page = response.content.decode()
    assert field_label in page
    assert message in page
    assert Application.objects.count() == 0


def _docm() -> bytes:
    buffer = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/vbaProject.bin", b"x")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("证明.docm", _docm()), "启用宏"),
        (SimpleUploadedFile("证明.docx", _docm()), "含有宏"),
        (
            SimpleUploadedFile("大.pdf", b"%PDF-1.4\n" + b"0" * (800 * 1024)),
            "超过大小上限",
        ),
        (SimpleUploadedFile("x.exe", b"MZ"), "类型不支持"),
    ],
)
def test_bad_attachment_is_refused_naming_the_field(client, upload, message):
    response = _post(client, attachment=upload)
    page = response.content.decode()
    assert "附件" in page and message in page
    assert Application.objects.count() == 0
    assert ApplicationFile.objects.count() == 0


def test_attachment_is_stored_privately(client):
    _post(client, attachment=SimpleUploadedFile("委托书.pdf", b"%PDF-1.4 test"))
    stored = ApplicationFile.objects.get()
    assert stored.kind == "applicant"
    assert (
        "委托书" not in stored.file.name
    )  # the stored name never carries the original
    assert not stored.file.name.startswith("public")


def test_honeypot_stores_nothing(client):
    response = _post(client, website="http://spam.example")
    assert "请勿填写此项" in response.content.decode()
    assert Application.objects.count() == 0


def test_flood_from_one_address_is_refused(client, settings):
    settings.ONREQUEST_RATE_LIMITS = {"apply": (2, 3600)}
    assert _post(client).status_code == 200
    assert _post(client).status_code == 200
    response = _post(client)
    assert response.status_code == 429
    assert "过于频繁" in response.content.decode()
    assert Application.objects.count() == 2


def test_status_shows_status_and_dates_only(client):
    response = _post(client)
    application = Application.objects.get()
    page = response.content.decode()
    check = page.split('id="application-check"><strong>')[1].split("<")[0]
    status_url = reverse("onrequest:apply_status")
    response = client.post(
        status_url, {"code": application.code.lower(), "check_value": check}
    )
    page = response.content.decode()
    assert "已提交，待登记" in page
    assert application.applicant_name not in page
    assert application.id_number not in page
    assert application.phone not in page
    response = client.post(
        status_url, {"code": application.code, "check_value": "WRONG"}
    )
    assert "申请编号或查询码不正确" in response.content.decode()
    response = client.post(status_url, {"code": "", "check_value": ""})
    assert "请填写提交申请后得到的申请编号" in response.content.decode()


def test_a_township_code_opens_its_county_form_with_the_township_chosen(client):
    page = client.get(URL + "?county=410311012").content.decode()
    assert "洛龙区民政局" in page
    assert '<option value="410311012" selected>' in page


def test_both_application_forms_share_the_applicant_fields(client, county_clerk):
    from pytest_django.asserts import assertTemplateUsed

    include = "onrequest/includes/applicant_fields.html"
    public = client.get(URL, {"county": "410311"})
    client.force_login(county_clerk)
    staff = client.get(reverse("onrequest:application_create"))
    for response in (public, staff):
        assert response.status_code == 200
        assertTemplateUsed(response, include)
        page = response.content.decode()
        assert page.count('id="applicant-fields"') == 1
        for name in ("applicant_name", "id_number", "phone", "description"):
            assert f'name="{name}"' in page
