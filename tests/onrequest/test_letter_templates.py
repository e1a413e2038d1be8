"""Province admins edit the reply letters in Word: download, upload, used at once;
a template the letters cannot fill is refused naming the field; others get 403."""

from __future__ import annotations

import io
from datetime import date

import pytest
from docx import Document

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from onrequest import services
from onrequest.models import LetterTemplate

from .builders import paper_application

pytestmark = pytest.mark.django_db
URL = reverse("onrequest:letter_templates")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _docx(*lines: str) -> bytes:
    document = Document()
    for line in lines:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_province_admin_replaces_a_template_and_letters_use_it(
    client, province_admin, county_clerk
):
    client.force_login(province_admin)
    assert client.get(URL).status_code == 200
    shipped = client.get(reverse("onrequest:letter_template_download", args=["partly"]))
    assert "{{ applicant_name }}" in "\n".join(
        p.text for p in Document(io.BytesIO(shipped.content)).paragraphs
    )
    edited = _docx(
        "洛阳市统一格式答复书",
        "{{ applicant_name }}：",
        "本机关部分公开，{{ reply_text }}",
        "{{ office }}",
    )
    response = client.post(
        URL,
        {"group": "partly", "file": SimpleUploadedFile("部分公开.docx", edited, DOCX)},
    )
    assert response.status_code == 302
    assert LetterTemplate.objects.filter(group="partly").exists()

    application = paper_application(county_clerk, date(2025, 9, 26))
    services.application_reply(
        application=application,
        outcome="partly",
        reply_text="提供汇总表。",
        replied_on=date(2025, 10, 10),
        actor=county_clerk,
    )
    letter = application.files.get(kind="letter")
    text = "\n".join(
        p.text for p in Document(io.BytesIO(letter.file.read())).paragraphs
    )
    assert (
        "洛阳市统一格式答复书" in text and "王测试：" in text and "提供汇总表。" in text
    )

    response = client.post(URL, {"reset": "partly"})
    assert response.status_code == 302
    assert not LetterTemplate.objects.exists()


def test_a_template_that_cannot_be_filled_is_refused(client, province_admin):
    client.force_login(province_admin)
    broken = _docx("{% if other_agency %}没有结束")
    response = client.post(
        URL, {"group": "unable", "file": SimpleUploadedFile("坏.docx", broken, DOCX)}
    )
    page = response.content.decode()
    assert "Word模板" in page and "无法填充" in page
    response = client.post(
        URL, {"group": "unable", "file": SimpleUploadedFile("宏.docm", b"PK", DOCX)}
    )
    assert "启用宏" in response.content.decode()
    assert not LetterTemplate.objects.exists()


def test_only_province_admins(client, county_clerk, city_reviewer):
    for user in (county_clerk, city_reviewer):
        client.force_login(user)
        assert client.get(URL).status_code == 403
        assert (
            client.get(
                reverse("onrequest:letter_template_download", args=["partly"])
            ).status_code
            == 403
        )
