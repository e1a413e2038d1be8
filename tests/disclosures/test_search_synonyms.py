"""Search synonyms (issue 21): a reader's 低保 also finds 最低生活保障, and back."""

from __future__ import annotations

import pytest
from pytest_django.asserts import assertContains

from disclosures.public import search
from tests.builders import publish_record


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("低保", ["低保", "最低生活保障"]),
        ("最低生活保障", ["最低生活保障", "低保"]),
        ("临救", ["临救", "临时救助"]),
        ("特困", ["特困", "特困人员救助供养", "特困供养"]),
        ("养老服务", ["养老服务"]),
    ],
)
def test_term_alternatives(term, expected):
    assert search.term_alternatives(term) == expected


@pytest.mark.django_db
def test_a_short_form_finds_the_full_name_and_marks_it(client, portal):
    publish_record(
        title="李楼街道2025年第三季度最低生活保障审核对象公示",
        body="经入户调查和民主评议，以下家庭拟纳入最低生活保障。",
    )
    response = client.get("/search/", {"q": "低保"})
    titles = [r.title for r in response.context["records"]]
    assert titles == ["李楼街道2025年第三季度最低生活保障审核对象公示"]
    assertContains(response, "<mark>最低生活保障</mark>")
    # Catalog items named with the full form are found by the short one too.
    items = response.context["items"]
    assert items.paginator.count > 0
    assert any("最低生活保障" in i.category.name for i in items)


@pytest.mark.django_db
def test_the_full_name_finds_the_short_form(client, portal):
    publish_record(title="李楼街道低保金发放公示", body="本季度低保金已发放。")
    response = client.get("/search/", {"q": "最低生活保障", "region": "410311012"})
    assert "李楼街道低保金发放公示" in [r.title for r in response.context["records"]]
