"""A withdrawn record answers 410 Gone with a notice (issue 21): withdrawn on what
date and why, the reason without doubled punctuation; body, attachments and name
list gone. A record that was never public stays a 404."""

from __future__ import annotations

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from django.utils import timezone

from disclosures.records import services as record_services
from tests.builders import add_name_list, draft_record, publish_record

pytestmark = pytest.mark.django_db

ID_NUMBER = "410311199001011234"


def test_a_withdrawn_public_record_answers_410_with_date_and_reason(client, portal):
    record = publish_record(body="正文里的独特句子：经审核符合条件。")
    add_name_list(record, rows=3)
    url = record.get_absolute_url()
    assert client.get(url).status_code == 200
    record_services.record_withdraw(
        record=record, reason="信息有误，更正后重新发布。", actor=None
    )
    response = client.get(url)
    assert response.status_code == 410
    html = response.content.decode()
    assert "该信息已撤回" in html
    assert "撤回原因：信息有误，更正后重新发布。" in html
    assert "。。" not in html
    assert record.title in html
    assertNotContains(response, "正文里的独特句子", status_code=410)
    assertNotContains(response, "张*", status_code=410)
    assertNotContains(response, 'id="name-list"', status_code=410)
    record.refresh_from_db()
    assertContains(
        response,
        timezone.localtime(record.withdrawn_at).strftime("%Y年%-m月%-d日撤回"),
        status_code=410,
    )


def test_the_reason_never_shows_an_identifier(client, portal):
    record = publish_record()
    record_services.record_withdraw(
        record=record, reason=f"误登了身份证号{ID_NUMBER}！", actor=None
    )
    response = client.get(record.get_absolute_url())
    assert response.status_code == 410
    assertNotContains(response, ID_NUMBER, status_code=410)
    assertNotContains(response, "！。", status_code=410)


def test_a_record_never_public_stays_a_404(client, portal):
    draft = draft_record(title="李楼街道草稿")
    record_services.record_withdraw(record=draft, reason="登记错了", actor=None)
    assert client.get(f"/records/{draft.pk}/").status_code == 404
    assert client.get("/records/999999/").status_code == 404
