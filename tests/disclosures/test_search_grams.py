"""Character-pair indexes for short search terms (issue 20; migration 0011, PostgreSQL)."""

from __future__ import annotations

import pytest

from disclosures.models import DisclosureRecord
from disclosures.public import search
from tests.builders import publish_record


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("低", "'低'"),
        ("低保", "'低保'"),
        ("临时救助", "'临时' & '救助' & '时救'"),
        ("abc", "'AB' & 'BC'"),
        ("救助救助", "'助救' & '救助'"),  # each pair once
    ],
)
def test_a_word_becomes_its_characters_pairs(word, expected):
    assert search.grams_tsquery(word) == expected


@pytest.mark.parametrize("word", ["O'Brien", "a\\b", "低保（）", "x:*", "１２"])
def test_a_word_the_index_cannot_express_is_left_to_like(word):
    assert search.grams_tsquery(word) is None


TITLES = [
    "李楼街道2025年第三季度最低生活保障审核对象公示",
    "李楼街道临时救助对象公示",
    "李楼街道救助时限说明",  # 救助 and 时 but not 临时救助
    "李楼街道特困人员救助供养名单",
    "李楼街道养老服务补贴发放",
]


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize(
    "query", ["低保", "救助", "临时救助", "助", "养老", "保障 公示"]
)
def test_the_index_path_finds_exactly_what_like_finds(client, portal, query):
    for title in TITLES:
        publish_record(title=title, body="")
    response = client.get("/search/", {"q": query})
    found = sorted(r.title for r in response.context["records"])
    terms = search.split_terms(query)
    expected = sorted(
        title
        for title in DisclosureRecord.objects.public().values_list("title", flat=True)
        if all(
            any(w.upper() in title.upper() for w in search.term_alternatives(t))
            for t in terms
        )
    )
    assert expected, "the query must find something for the comparison to mean anything"
    assert found == expected


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_search_sql_asks_the_character_pair_index(portal):
    filters = search.SearchFilters(terms=["低保"])
    sql = str(search.record_queryset(filters).query)
    assert "portal_cjk_grams" in sql
