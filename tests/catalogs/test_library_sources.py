"""The legal library as the single source (issue 16): one document, many
spellings; superseded documents flagged; 替换引用 proposed upstream; citations
without 文号 matched against the library."""

from __future__ import annotations

import pytest

from django.urls import reverse

from catalogs import diff, library, services
from catalogs.models import (
    AuditLogEntry,
    Catalog,
    Domain,
    ItemBasis,
    LegalDocument,
    Region,
)

pytestmark = pytest.mark.django_db

ORDINANCE = "《中华人民共和国政府信息公开条例》"


def _merge_plan(catalog):
    """diff.merge_plan (moving to catalogs.diff_queries in a concurrent change)."""
    plan = getattr(diff, "merge_plan", None)
    if plan is None:
        from catalogs import diff_queries

        plan = diff_queries.merge_plan
    return plan(catalog)


def test_spellings_of_one_number_share_a_key():
    assert library.number_key("中华人民共和国国务院令第711号") == "国务院令第711号"
    assert library.number_key("国务院令 第711号") == "国务院令第711号"
    assert library.number_key("民发[2012]220号") == "民发〔2012〕220号"
    assert library.number_key("民发（2012）220号") == "民发〔2012〕220号"


def test_the_ordinance_is_one_document_in_the_library(templates):
    """The seeds cite it as 中华人民共和国国务院令第711号 and as 国务院令第711号."""
    docs = LegalDocument.objects.filter(title=ORDINANCE)
    assert [d.number for d in docs] == ["中华人民共和国国务院令第711号"]
    # A clerk typing the short spelling cites the same entry.
    again = library.legal_document_get_or_create(
        title=ORDINANCE, number="国务院令第711号"
    )
    assert again == docs.get()


def test_an_existing_duplicate_is_merged_and_its_citations_follow(templates):
    ordinance = LegalDocument.objects.get(title=ORDINANCE)
    duplicate = LegalDocument.objects.create(
        title=ORDINANCE, number="国务院令第711号", kind="document"
    )
    item = Catalog.objects.get(
        region_id="4103", domain__slug="elderly-care"
    ).items.first()
    link = ItemBasis.objects.filter(item=item).first()
    ItemBasis.objects.filter(pk=link.pk).update(document=duplicate)
    counts = library.legal_library_sync()
    assert counts["merged"] == 1
    assert not LegalDocument.objects.filter(pk=duplicate.pk).exists()
    assert ItemBasis.objects.get(pk=link.pk).document == ordinance
    assert AuditLogEntry.objects.filter(
        action="catalogs.legal_document.merged"
    ).exists()


@pytest.mark.parametrize(
    ("old", "new", "new_title"),
    [
        ("民发〔2012〕220号", "民发〔2021〕57号", "《最低生活保障审核确认办法》"),
        ("民发〔2016〕178号", "民发〔2021〕43号", "《特困人员认定办法》"),
    ],
)
def test_superseded_documents_are_flagged_with_their_replacement(
    templates, old, new, new_title
):
    doc = LegalDocument.objects.get(number=old)
    assert doc.superseded_by is not None
    assert (doc.superseded_by.number, doc.superseded_by.title) == (new, new_title)
    assert "替代" in doc.note


def test_a_title_without_number_is_matched_against_the_library(templates):
    match = library.legal_document_match(title="《养老机构管理办法》")
    assert match.document.number == "民政部令第66号"
    assert match.how == "title"
    assert "民政部令第66号" in match.warning
    # Not in the library: nothing found, the caller keeps it as written.
    assert library.legal_document_match(title="《某县养老补贴细则》").document is None


def test_replace_citation_text_in_a_content_line():
    old = LegalDocument(
        title="《最低生活保障审核审批办法（试行）》", number="民发〔2012〕220号"
    )
    new = LegalDocument(title="《最低生活保障审核确认办法》", number="民发〔2021〕57号")
    assert (
        library.replace_citation_text(
            "《最低生活保障审核审批办法(试行)》(民发[2012]220号)", old, new
        )
        == "《最低生活保障审核确认办法》(民发〔2021〕57号)"
    )
    assert library.replace_citation_text("《社会救助暂行办法》", old, new) == (
        "《社会救助暂行办法》"
    )


@pytest.mark.parametrize("old", ["民发〔2012〕220号", "民发〔2016〕178号"])
def test_replacement_is_proposed_to_every_citing_catalog_as_an_upstream_change(
    templates, province_admin, old
):
    doc = LegalDocument.objects.get(number=old)
    new = doc.superseded_by
    luoyang = Catalog.objects.get(region_id="4103", domain__slug="social-assistance")
    assert _merge_plan(luoyang) is None  # follows the newest template so far
    report = library.legal_document_propose_replacement(
        document=doc, actor=province_admin
    )
    (template,) = report.published
    assert template.region_id == "41" and template.is_published
    assert luoyang in report.downstream
    # The new template version cites the replacement, nowhere the old one.
    for item in template.items.all():
        assert doc not in item.bases.all()
        assert not any(old in line for line in item.content)
    assert any(
        new in item.bases.all() or any(new.number in line for line in item.content)
        for item in template.items.all()
    )
    # Luoyang (not rewritten) sees it as an upstream update to take or keep.
    luoyang.refresh_from_db()
    assert any(old in "".join(i.content) for i in luoyang.items.all()) or any(
        doc in i.bases.all() for i in luoyang.items.all()
    )
    plan = _merge_plan(luoyang)
    assert plan is not None
    changed = [im for im in plan.items if im.kind == "changed"]
    assert changed and {em.element for im in changed for em in im.elements} <= {
        "bases",
        "content",
    }
    entry = AuditLogEntry.objects.get(
        action="catalogs.legal_document.replacement_proposed"
    )
    assert entry.actor == province_admin


def test_replacement_needs_a_replacement(templates, province_admin):
    doc = LegalDocument.objects.get(title=ORDINANCE)
    with pytest.raises(Exception) as exc:
        library.legal_document_propose_replacement(document=doc, actor=province_admin)
    assert "没有设置替代文件" in str(exc.value)


def test_admin_action_replace_citations(client, templates, province_admin):
    doc = LegalDocument.objects.get(number="民发〔2012〕220号")
    client.force_login(province_admin)
    response = client.post(
        reverse("admin:catalogs_legaldocument_changelist"),
        {"action": "propose_replacement", "_selected_action": [doc.pk]},
        follow=True,
    )
    assert "已发布1个模板新版本" in response.content.decode()
    assert (
        Catalog.objects.filter(region_id="41", domain__slug="social-assistance").count()
        == 2
    )


def test_county_clone_keeps_working_after_the_library_sync(templates, county_clerk):
    draft = services.catalog_clone(
        region=Region.objects.get(code="410311"),
        domain=Domain.objects.get(slug="social-assistance"),
        actor=county_clerk,
    )
    assert draft.items.count() == 14  # 13 + the quarterly 临时救助 item
