"""The legal library and the province-wide settings in the admin (issue 13).

Clerks propose, province admins add: a basis a clerk types into an item is a
proposal the item cites at once; a province admin accepts it into the shared
library. Every library write in the admin goes through `catalogs.library`
(rules, audit); exports carry no live formula.
"""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from pytest_django.asserts import assertContains

from django.core.exceptions import PermissionDenied
from django.urls import reverse

from catalogs import library, services
from catalogs.models import AuditLogEntry, Domain, LegalDocument, Region
from tests.builders import item_post_data

pytestmark = pytest.mark.django_db

NEW_TITLE = "《河南省临时救助实施办法（试行）》"
NEW_NUMBER = "豫政〔2015〕22号"


@pytest.fixture
def draft(templates, county_clerk):
    return services.catalog_clone(
        region=Region.objects.get(code="410311"),
        domain=Domain.objects.get(slug="social-assistance"),
        actor=county_clerk,
    )


def _propose(client, clerk, item) -> LegalDocument:
    """The clerk adds a basis that is not in the library, in the workspace item editor."""
    client.force_login(clerk)
    bases = [
        *item.basis_links.values_list("document_id", flat=True),
        {"title": NEW_TITLE, "number": NEW_NUMBER},
    ]
    url = reverse("catalogs:item_edit", kwargs={"pk": item.pk})
    response = client.post(url, item_post_data(item, bases=bases))
    assert response.status_code == 302
    return LegalDocument.objects.get(title=NEW_TITLE, number=NEW_NUMBER)


def test_a_clerks_new_basis_is_a_proposal_the_item_cites_at_once(
    client, draft, county_clerk
):
    item = draft.items.get(seq=1)
    doc = _propose(client, county_clerk, item)
    assert (
        doc.status == LegalDocument.Status.PROPOSED and doc.proposed_by == county_clerk
    )
    assert doc.pk in set(item.basis_links.values_list("document_id", flat=True))
    entry = AuditLogEntry.objects.get(action="catalogs.legal_document.proposed")
    assert (
        entry.actor == county_clerk
        and entry.object_id == str(doc.pk)
        and entry.region_id == "410311"
    )
    # The editor says so, and saving the item again keeps the citation.
    item.refresh_from_db()
    page = client.get(reverse("catalogs:item_edit", kwargs={"pk": item.pk}))
    assertContains(page, f"{doc.citation}（待省级管理员收录）")
    again = client.post(
        reverse("catalogs:item_edit", kwargs={"pk": item.pk}), item_post_data(item)
    )
    assert again.status_code == 302


def test_clerks_cannot_add_to_the_library_directly(
    county_clerk, township_clerk, city_reviewer
):
    for user in (county_clerk, township_clerk, city_reviewer):
        assert not user.has_perm("catalogs.add_legaldocument")
        with pytest.raises(PermissionDenied):
            library.legal_document_add(
                title=NEW_TITLE, number=NEW_NUMBER, kind="document", actor=user
            )
    assert not LegalDocument.objects.filter(title=NEW_TITLE).exists()


def test_a_province_admins_new_basis_is_accepted_at_once(province_admin, templates):
    doc = library.legal_document_get_or_create(
        title=NEW_TITLE, number=NEW_NUMBER, actor=province_admin
    )
    assert doc.status == LegalDocument.Status.ACCEPTED and doc.proposed_by is None
    assert AuditLogEntry.objects.filter(
        action="catalogs.legal_document.added", actor=province_admin
    ).exists()


def test_the_province_admin_accepts_a_proposal_with_the_admin_action(
    client, draft, county_clerk, province_admin
):
    doc = _propose(client, county_clerk, draft.items.get(seq=1))
    client.force_login(province_admin)
    changelist = reverse("admin:catalogs_legaldocument_changelist")
    assertContains(client.get(changelist, {"status__exact": "proposed"}), NEW_TITLE)
    response = client.post(
        changelist, {"action": "accept_proposals", "_selected_action": [doc.pk]}
    )
    assert response.status_code == 302
    doc.refresh_from_db()
    assert doc.status == LegalDocument.Status.ACCEPTED
    entry = AuditLogEntry.objects.get(action="catalogs.legal_document.accepted")
    assert (
        entry.actor == province_admin and entry.data["proposed_by"] == county_clerk.pk
    )


def test_the_province_admin_adds_a_document_through_the_service(
    client, province_admin, templates
):
    client.force_login(province_admin)
    add = reverse("admin:catalogs_legaldocument_add")
    response = client.post(
        add, {"title": NEW_TITLE, "number": "22号文", "kind": "document", "note": ""}
    )
    assert response.status_code == 200
    assertContains(response, "格式不正确")
    assert not LegalDocument.objects.filter(title=NEW_TITLE).exists()
    response = client.post(
        add,
        {"title": NEW_TITLE, "number": NEW_NUMBER, "kind": "document", "note": "省厅"},
    )
    assert response.status_code == 302
    doc = LegalDocument.objects.get(title=NEW_TITLE)
    assert doc.status == LegalDocument.Status.ACCEPTED and doc.note == "省厅"
    assert (
        AuditLogEntry.objects.get(
            action="catalogs.legal_document.added", object_id=str(doc.pk)
        ).actor
        == province_admin
    )
    # Nothing is deleted here: a wrong entry is superseded.
    assert (
        client.post(
            reverse("admin:catalogs_legaldocument_delete", args=[doc.pk]),
            {"post": "yes"},
        ).status_code
        == 403
    )


def test_a_published_citation_is_superseded_not_rewritten(
    client, province_admin, templates
):
    cited = (
        LegalDocument.objects.filter(citations__item__catalog__status="published")
        .distinct()
        .first()
    )
    title = cited.title
    replacement = library.legal_document_add(
        title=NEW_TITLE, number=NEW_NUMBER, kind="document", actor=province_admin
    )
    client.force_login(province_admin)
    url = reverse("admin:catalogs_legaldocument_change", args=[cited.pk])
    base = {
        "title": cited.title,
        "number": cited.number,
        "kind": cited.kind,
        "note": cited.note,
        "superseded_by": "",
    }
    response = client.post(url, {**base, "title": "《改写后的名称》"})
    assert response.status_code == 200
    assertContains(response, "已被已发布的目录引用")
    cited.refresh_from_db()
    assert cited.title == title
    response = client.post(url, {**base, "superseded_by": cited.pk})
    assertContains(response, "不能被它自己替代")
    response = client.post(url, {**base, "superseded_by": replacement.pk})
    assert response.status_code == 302
    cited.refresh_from_db()
    assert cited.superseded_by == replacement and cited.title == title
    entry = AuditLogEntry.objects.get(
        action="catalogs.legal_document.changed", actor=province_admin
    )
    assert entry.data["fields"] == ["superseded_by"] and entry.data["after"] == {
        "superseded_by": replacement.pk
    }


def _export(client, url: str, fmt: str) -> bytes:
    form = client.get(url).context["form"]
    choices = dict(
        (label.lower(), value) for value, label in form.fields["format"].choices
    )
    data = {"resource": "0", "format": choices[fmt]}
    data.update(
        {
            name: "on"
            for name, field in form.fields.items()
            if getattr(field, "is_selectable_field", False)
        }
    )
    response = client.post(url, data)
    assert response.status_code == 200 and response["Content-Disposition"].startswith(
        "attachment"
    )
    return response.content


@pytest.mark.parametrize(
    "title", ['=HYPERLINK("x")', "+1", "-1", "@SUM(1)", "＝1", "＋1"]
)
def test_admin_exports_neutralise_formulas(client, province_admin, templates, title):
    """Admin exports pass the project's one neutraliser: = + - @ and full-width ＝＋ get a leading '."""
    doc = library.legal_document_add(title=title, kind="generic", actor=province_admin)
    client.force_login(province_admin)
    url = reverse("admin:catalogs_legaldocument_export")

    rows = list(
        csv.reader(io.StringIO(_export(client, url, "csv").decode("utf-8-sig")))
    )
    row = next(r for r in rows if r and r[0] == str(doc.pk))
    assert "'" + title in row
    assert not any(
        cell.startswith(("=", "+", "-", "@", "＝", "＋")) for r in rows for cell in r
    )

    book = openpyxl.load_workbook(io.BytesIO(_export(client, url, "xlsx")))
    cells = [cell for r in book.active.iter_rows() for cell in r]
    mine = [c for c in cells if c.value == "'" + title]
    assert len(mine) == 1 and mine[0].data_type == "s"
    assert not any(c.data_type == "f" for c in cells)


# --- the province-wide settings ------------------------------------------------------------------


def test_progress_thresholds_go_through_their_service(client, province_admin):
    from disclosures.models import ProgressThreshold

    client.force_login(province_admin)
    add = reverse("admin:disclosures_progressthreshold_add")
    response = client.post(
        add,
        {
            "commend_on_time_rate": "150",
            "criticize_on_time_rate": "70",
            "criticize_missed": "2",
        },
    )
    assert response.status_code == 200
    assertContains(response, "请填写0到100之间的数")
    assert not ProgressThreshold.objects.exists()
    response = client.post(
        add,
        {
            "commend_on_time_rate": "90",
            "criticize_on_time_rate": "70",
            "criticize_missed": "2",
        },
    )
    assert response.status_code == 302
    setting = ProgressThreshold.objects.get()
    change = reverse("admin:disclosures_progressthreshold_change", args=[setting.pk])
    client.post(
        change,
        {
            "commend_on_time_rate": "92.5",
            "criticize_on_time_rate": "70",
            "criticize_missed": "3",
        },
    )
    entries = list(
        AuditLogEntry.objects.filter(
            action="disclosures.progress_threshold.changed"
        ).order_by("pk")
    )
    assert [e.actor for e in entries] == [province_admin, province_admin]
    assert entries[0].data["before"] is None
    assert entries[1].data["before"]["commend_on_time_rate"] == "90.00"
    assert entries[1].data["after"] == {
        "commend_on_time_rate": "92.5",
        "criticize_on_time_rate": "70",
        "criticize_missed": "3",
    }


def test_role_groups_are_read_only_even_for_superusers(client, db):
    from django.contrib.auth.models import Group

    from catalogs.models import User

    root = User.objects.create_superuser(
        "root", "root@example.invalid", "pw-Testing-2026-root"
    )
    client.force_login(root)
    group = Group.objects.get(name="县级工作人员")
    url = reverse("admin:auth_group_change", args=[group.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"name": "改名", "permissions": []}).status_code == 403
    group.refresh_from_db()
    assert group.name == "县级工作人员" and group.permissions.exists()
