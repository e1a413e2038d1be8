"""Issue 21: the legal-basis picker works without JavaScript (a filter field and a
short list, through the Django test client), keeps what was typed, and refuses
the same document twice with a message instead of an error page."""

from __future__ import annotations

import re

import pytest
from pytest_django.asserts import assertContains

from django.urls import reverse

from catalogs import selectors, services
from catalogs.models import Domain, LegalDocument, Region
from tests.builders import item_post_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(templates, county_clerk):
    catalog = services.catalog_clone(
        region=Region.objects.get(code="410311"),
        domain=Domain.objects.get(slug="social-assistance"),
        actor=county_clerk,
    )
    return catalog.items.exclude(basis_links=None).order_by("seq", "pk").first()


def _url(item):
    return reverse("catalogs:item_edit", kwargs={"pk": item.pk})


def _options(html: str, row: int) -> list[str]:
    """The option values of basis row ``row``'s 从依据库选择 list."""
    select = re.search(
        rf'<select name="bases-{row}-document"[^>]*>(.*?)</select>', html, re.S
    )
    assert select, f"no select for basis row {row}"
    return re.findall(r'<option value="([^"]*)"', select.group(1))


def test_filter_lists_matches_only_and_keeps_the_chosen(item, monkeypatch):
    chosen = list(item.basis_links.values_list("document_id", flat=True))
    everything = selectors.legal_document_choices()
    found = selectors.legal_document_choices("最低生活保障", keep=chosen)
    ids = [int(pk) for pk, _label in found]
    assert set(chosen) <= set(ids)
    others = [pk for pk in ids if pk not in chosen]
    assert others and len(ids) < len(everything)
    for doc in LegalDocument.objects.filter(pk__in=others):
        assert "最低生活保障" in doc.title + doc.number
    # Every word must match; no document is listed twice.
    two = selectors.legal_document_choices("社会救助 办法")
    assert two and all("社会救助" in label and "办法" in label for _pk, label in two)
    assert len({pk for pk, _l in everything}) == len(everything)
    # A short list: at most BASIS_PICKER_LIMIT matches, plus the chosen ones.
    monkeypatch.setattr(selectors, "BASIS_PICKER_LIMIT", 2)
    short = selectors.legal_document_choices("办法", keep=chosen)
    assert len([pk for pk, _l in short if int(pk) not in chosen]) == 2


def test_get_filter_on_the_edit_page(clerk_client, item):
    response = clerk_client.get(_url(item), {"basis_q": "最低生活保障"})
    assert response.status_code == 200
    html = response.content.decode()
    assertContains(response, 'id="basis-q"')
    assertContains(response, "可选")
    options = _options(html, 0)
    assert (
        1 < len(options) <= selectors.BASIS_PICKER_LIMIT + 1 + item.basis_links.count()
    )
    full = _options(clerk_client.get(_url(item)).content.decode(), 0)
    assert len(full) > len(options)


def test_search_without_javascript_keeps_typed_input_and_saves_nothing(
    clerk_client, item
):
    data = item_post_data(item, content=[*item.content, "刚刚填写的一项"])
    data.update(basis_q="国发", _basis_search="1")
    response = clerk_client.post(_url(item), data)
    assert response.status_code == 200
    assertContains(response, "刚刚填写的一项")
    html = response.content.decode()
    options = [v for v in _options(html, 0) if v]
    labels = dict(selectors.legal_document_choices("国发"))
    chosen = {str(pk) for pk in item.basis_links.values_list("document_id", flat=True)}
    assert set(options) <= set(labels) | chosen
    item.refresh_from_db()
    assert "刚刚填写的一项" not in item.content

    # Pick a match in a new row and save: it is cited.
    new = next(pk for pk in options if pk not in chosen)
    bases = [*item.basis_links.values_list("document_id", flat=True), int(new)]
    saved = clerk_client.post(_url(item), item_post_data(item, bases=bases))
    assert saved.status_code == 302
    assert int(new) in item.basis_links.values_list("document_id", flat=True)


def test_no_match_says_so(clerk_client, item):
    response = clerk_client.get(_url(item), {"basis_q": "不存在的文件名称甲乙丙"})
    assertContains(response, "依据库中没有含“不存在的文件名称甲乙丙”的文件")


def test_the_same_document_twice_is_refused_with_a_message(clerk_client, item):
    first = item.basis_links.first().document_id
    response = clerk_client.post(_url(item), item_post_data(item, bases=[first, first]))
    assert response.status_code == 400
    assertContains(
        response,
        "公开依据第1项和第2项选择了同一份文件，请删除其中一项。",
        status_code=400,
    )
    assert item.basis_links.count() >= 1


def test_add_page_search_does_not_create_an_item(clerk_client, item):
    url = reverse("catalogs:item_add", kwargs={"pk": item.catalog_id})
    count = item.catalog.items.count()
    data = item_post_data(item, name="新的本地事项")
    data.update(basis_q="最低生活保障", _basis_search="1")
    response = clerk_client.post(url, data)
    assert response.status_code == 200
    assertContains(response, "新的本地事项")
    assert item.catalog.items.count() == count
