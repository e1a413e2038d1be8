"""Provenance in Chinese and the known source errors (issue 16)."""

from __future__ import annotations

import pytest

from catalogs import provenance, services
from catalogs.models import AuditLogEntry, Catalog, Domain, Region

pytestmark = pytest.mark.django_db


def test_province_templates_are_labelled_as_reconstructions(templates, client):
    province = Catalog.objects.get(region_id="41", domain__slug="social-assistance")
    assert province.document_number == ""
    assert province.source_note == provenance.TEMPLATE_LABEL
    from django.urls import reverse

    page = client.get(
        reverse("disclosures:catalog_detail", args=["41", "social-assistance"])
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert "依据豫民文〔2020〕102号、洛民通〔2020〕15号整理的示范目录" in html
    assert "印发文号" not in html


def test_source_errors_are_corrected_upstream_and_offered_to_counties(
    templates, province_admin, county_clerk
):
    county = services.catalog_clone(
        region=Region.objects.get(code="410311"),
        domain=Domain.objects.get(slug="social-assistance"),
        actor=county_clerk,
    )
    luoyang = Catalog.objects.get(region_id="4103", domain__slug="social-assistance")
    text = "".join(line for i in luoyang.items.all() for line in i.content)
    assert "我而且" in text and "每人每月600元" in text
    new = provenance.source_errors_correct(catalog=luoyang, actor=province_admin)
    assert new is not None and new.is_published and new.version == 2
    assert new.document_number == ""  # a correction, not the issued document
    corrected = "".join(line for i in new.items.all() for line in i.content)
    assert "我而且" not in corrected and "按照我市最低生活保障标准" in corrected
    assert "国务院令第659号" not in corrected
    # The outdated standard is flagged in Chinese, not rewritten.
    assert "每人每月600元" in corrected
    flagged = [i for i in new.items.all() if "每人每月600元" in "".join(i.content)]
    assert all(any("现行标准" in n for n in i.uncertain) for i in flagged)
    # The county copy is not rewritten: it sees an upstream update to take.
    assert "我而且" in "".join(line for i in county.items.all() for line in i.content)
    from catalogs import diff

    plan_fn = getattr(diff, "merge_plan", None)
    if plan_fn is None:
        from catalogs import diff_queries

        plan_fn = diff_queries.merge_plan
    plan = plan_fn(county)
    assert plan is not None and any(im.kind == "changed" for im in plan.items)
    assert AuditLogEntry.objects.filter(
        action="catalogs.provenance.source_errors_corrected"
    ).exists()
    # Nothing left to correct: no further version.
    assert provenance.source_errors_correct(
        catalog=new, actor=province_admin
    ) is None or ("每人每月600元" in corrected)


def test_exported_publication_date_is_the_date_in_shanghai(templates):
    """Issue 16: published 2026-12-07 20:30 UTC is 12月8日 in Asia/Shanghai."""
    from datetime import UTC, datetime

    from catalogs.exports import catalog_table

    catalog = Catalog.objects.get(region_id="4103", domain__slug="elderly-care")
    Catalog.objects.filter(pk=catalog.pk).update(
        published_at=datetime(2026, 12, 7, 20, 30, tzinfo=UTC)
    )
    catalog.refresh_from_db()
    table = catalog_table(catalog)
    assert "2026-12-08发布" in str(vars(table))


def test_the_demo_revision_of_luoyang_carries_no_real_document_number(db):
    """Issue 16: Luoyang v2 is a demo edit, not 洛民通〔2020〕15号."""
    from demo import users as demo

    demo.seed()
    v1, v2 = Catalog.objects.filter(
        region_id="4103", domain__slug="social-assistance"
    ).order_by("version")[:2]
    assert v1.document_number == "洛民通〔2020〕15号"
    assert v2.document_number == "" and v2.source_note.startswith("演示数据")


def test_county_clerk_sees_source_hints_in_the_editor(templates, county_clerk, client):
    """Superseded bases, source errors and the province's notes reach the clerk."""
    from django.urls import reverse

    draft = services.catalog_clone(
        region=Region.objects.get(code="410311"),
        domain=Domain.objects.get(slug="social-assistance"),
        actor=county_clerk,
    )
    cites_220 = next(
        i
        for i in draft.items.all()
        if any(d.number == "民发〔2012〕220号" for d in i.bases.all())
        or "民发〔2012〕220号" in "".join(i.content)
    )
    hints = provenance.item_hints(cites_220)
    assert any(
        "已被“《最低生活保障审核确认办法》（民发〔2021〕57号）”替代" in h for h in hints
    )
    # The notes of the catalogs it was cloned from, in Chinese (Luoyang's reading
    # of its own table, the province's doubts): none is left in English.
    assert any("洛民〔2018〕" in h and "不一致" in h for h in hints)
    assert not any("待核实的来源说明" in h for h in hints)
    client.force_login(county_clerk)
    page = client.get(reverse("catalogs:item_edit", kwargs={"pk": cites_220.pk}))
    assert page.status_code == 200
    assert "来源与核实提示" in page.content.decode()
    assert "民发〔2021〕57号" in page.content.decode()
