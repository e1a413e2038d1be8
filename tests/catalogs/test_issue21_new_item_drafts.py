"""Issue 21: 保存草稿 on the new-item form (adding a local item). The form is kept
as typed, valid or not, in an ItemDraft without an item; the catalog page lists
it to reopen; 保存 creates the item through the item service and removes the
draft; 放弃草稿 removes it; nothing of it reaches the public catalog or an export."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from pytest_django.asserts import assertContains, assertNotContains

from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.urls import reverse

from catalogs import drafts, services
from catalogs.models import AuditLogEntry, CatalogItem, ItemDraft
from tests.builders import item_post_data
from tests.helpers import fill_lost_content

pytestmark = pytest.mark.django_db

NEW_NAME = "临时救助备用金草稿事项"
NEW_LINE = "备用金的申请条件（还没写完"


@pytest.fixture
def template_item(draft_catalog):
    return draft_catalog.items.order_by("seq", "pk").first()


def _add_url(catalog):
    return reverse("catalogs:item_add", kwargs={"pk": catalog.pk})


def _draft_url(draft):
    return reverse("catalogs:item_new_draft", kwargs={"pk": draft.pk})


def _new_item_post(template_item, **fields):
    """A complete new-item form (modelled on an existing item, own name,
    content and basis)."""
    data = item_post_data(
        template_item,
        name=NEW_NAME,
        content=[NEW_LINE],
        bases=[{"title": "《临时救助备用金管理办法》", "number": "洛民〔2026〕1号"}],
        **fields,
    )
    data.pop("lock_version")
    return data


def _invalid_post(template_item):
    """Half typed: no subject ticked (a save would be refused)."""
    return _new_item_post(template_item, subjects=[])


def _save_draft(clerk_client, catalog, template_item):
    response = clerk_client.post(
        _add_url(catalog), {**_invalid_post(template_item), "_draft": "1"}
    )
    draft = ItemDraft.objects.get(catalog=catalog, item__isnull=True)
    assert response.status_code == 302
    assert response["Location"] == _draft_url(draft)
    return draft


def test_the_new_item_form_offers_save_draft(clerk_client, draft_catalog):
    page = clerk_client.get(_add_url(draft_catalog))
    assertContains(page, 'name="_draft"')
    assertNotContains(page, 'name="_discard_draft"')


def test_save_draft_of_a_new_item_keeps_invalid_input_and_creates_nothing(
    clerk_client, draft_catalog, template_item
):
    items_before = draft_catalog.items.count()
    draft = _save_draft(clerk_client, draft_catalog, template_item)

    assert draft_catalog.items.count() == items_before
    assert not CatalogItem.objects.filter(name=NEW_NAME).exists()
    assert draft.data["name"] == [NEW_NAME]
    assert "subjects" not in draft.data  # nothing ticked: nothing posted
    assert NEW_LINE in draft.data["content-0-text"]
    assert "_draft" not in draft.data and "csrfmiddlewaretoken" not in draft.data
    entry = AuditLogEntry.objects.get(action="catalogs.item.new_draft_saved")
    assert entry.object_id == str(draft.pk) and entry.region_id == "410311"
    assert entry.data["item"] == NEW_NAME and entry.data["first"] is True

    # The catalog page lists it with a link to reopen it.
    detail = clerk_client.get(
        reverse("catalogs:catalog_detail", kwargs={"pk": draft_catalog.pk})
    )
    assertContains(detail, "未保存的新增事项草稿")
    assertContains(detail, f'href="{_draft_url(draft)}"')
    assertContains(detail, NEW_NAME)

    # Reopened: the typed values and the problem at the top.
    page = clerk_client.get(_draft_url(draft))
    assert page.status_code == 200
    assertContains(page, "正在显示草稿")
    assertContains(page, "草稿还不能保存：以下几处需要修改")
    assertContains(page, "请至少选择一个公开主体。")
    assertContains(page, f'value="{NEW_NAME}"')
    assertContains(page, NEW_LINE)
    assertContains(page, 'name="_discard_draft"')


def test_saving_the_draft_again_overwrites_it(
    clerk_client, draft_catalog, template_item
):
    draft = _save_draft(clerk_client, draft_catalog, template_item)
    response = clerk_client.post(
        _draft_url(draft),
        {**_invalid_post(template_item), "name": "改过的名称", "_draft": "1"},
    )
    assert response.status_code == 302 and response["Location"] == _draft_url(draft)
    assert ItemDraft.objects.filter(catalog=draft_catalog).count() == 1
    draft.refresh_from_db()
    assert draft.data["name"] == ["改过的名称"]


def test_save_from_the_draft_validates_creates_the_item_and_removes_the_draft(
    clerk_client, draft_catalog, template_item
):
    draft = _save_draft(clerk_client, draft_catalog, template_item)
    # 保存 with the still invalid content is refused like any input; draft kept.
    refused = clerk_client.post(_draft_url(draft), _invalid_post(template_item))
    assert refused.status_code == 400
    assertContains(refused, "请至少选择一个公开主体。", status_code=400)
    assert ItemDraft.objects.filter(pk=draft.pk).exists()
    assert not CatalogItem.objects.filter(name=NEW_NAME).exists()

    saved = clerk_client.post(_draft_url(draft), _new_item_post(template_item))
    assert saved.status_code == 302
    item = draft_catalog.items.get(name=NEW_NAME)
    assert item.content == [NEW_LINE]
    assert item.subjects == template_item.subjects
    assert not ItemDraft.objects.filter(pk=draft.pk).exists()
    entry = AuditLogEntry.objects.get(action="catalogs.item.new_draft_discarded")
    assert entry.data["saved"] is True and entry.data["created_item"] == item.pk
    assert AuditLogEntry.objects.filter(
        action__contains="item", object_id=str(item.pk)
    ).exists()  # the item service audited the creation
    # The draft page is gone; the catalog page no longer lists it.
    assert clerk_client.get(_draft_url(draft)).status_code == 404
    detail = clerk_client.get(
        reverse("catalogs:catalog_detail", kwargs={"pk": draft_catalog.pk})
    )
    assertNotContains(detail, "未保存的新增事项草稿")


def test_discard_new_item_draft(clerk_client, draft_catalog, template_item):
    draft = _save_draft(clerk_client, draft_catalog, template_item)
    response = clerk_client.post(_draft_url(draft), {"_discard_draft": "1"})
    assert response.status_code == 302
    assert not ItemDraft.objects.filter(pk=draft.pk).exists()
    assert not CatalogItem.objects.filter(name=NEW_NAME).exists()
    entry = AuditLogEntry.objects.get(action="catalogs.item.new_draft_discarded")
    assert entry.data["saved"] is False


def test_submit_page_lists_new_item_drafts(clerk_client, draft_catalog, template_item):
    submit = reverse("catalogs:catalog_submit", kwargs={"pk": draft_catalog.pk})
    assertNotContains(clerk_client.get(submit), "有未保存的草稿")
    draft = _save_draft(clerk_client, draft_catalog, template_item)
    page = clerk_client.get(submit)
    assertContains(page, "有未保存的草稿")
    assertContains(page, f'href="{_draft_url(draft)}"')
    assertContains(page, "新增事项的草稿，尚未新增到目录")


def test_another_countys_clerk_is_refused_on_every_new_url(
    client, clerk_client, draft_catalog, template_item, other_county_clerk
):
    draft = _save_draft(clerk_client, draft_catalog, template_item)
    before = (dict(draft.data), AuditLogEntry.objects.count())
    client.force_login(other_county_clerk)
    url = _draft_url(draft)
    assert client.get(url).status_code == 404
    for extra in ({"_draft": "1"}, {"_discard_draft": "1"}, {}):
        response = client.post(url, {**_new_item_post(template_item), **extra})
        assert response.status_code == 404
    # Nor can it add a draft to county A's catalog through the new-item form.
    response = client.post(
        _add_url(draft_catalog), {**_invalid_post(template_item), "_draft": "1"}
    )
    assert response.status_code == 404
    draft.refresh_from_db()
    assert (dict(draft.data), AuditLogEntry.objects.count()) == before
    assert ItemDraft.objects.count() == 1
    assert not CatalogItem.objects.filter(name=NEW_NAME).exists()


def test_an_edit_form_draft_is_not_reachable_as_a_new_item_draft(
    clerk_client, template_item, county_clerk
):
    edit_draft = drafts.item_draft_save(
        item=template_item, data=QueryDict("name=x"), actor=county_clerk
    )
    assert edit_draft.catalog_id == template_item.catalog_id
    assert clerk_client.get(_draft_url(edit_draft)).status_code == 404


def test_a_new_item_draft_never_reaches_the_public_catalog_or_an_export(
    client, clerk_client, draft_catalog, template_item, county_clerk, city_reviewer
):
    _save_draft(clerk_client, draft_catalog, template_item)
    fill_lost_content(draft_catalog, county_clerk)
    services.catalog_submit(catalog=draft_catalog, actor=county_clerk)
    services.catalog_approve(catalog=draft_catalog, actor=city_reviewer)
    services.catalog_publish(catalog=draft_catalog, actor=county_clerk)
    assert not CatalogItem.objects.filter(name=NEW_NAME).exists()

    client.logout()
    public = client.get(
        reverse("disclosures:catalog_detail", args=["410311", "social-assistance"])
    )
    assert public.status_code == 200
    assertNotContains(public, NEW_NAME)
    assertNotContains(public, NEW_LINE)
    export = client.get(
        reverse(
            "disclosures:catalog_download",
            args=["410311", "social-assistance", "xlsx"],
        )
    )
    assert export.status_code == 200
    book = load_workbook(
        io.BytesIO(
            b"".join(export.streaming_content) if export.streaming else export.content
        )
    )
    cells = [
        str(cell.value)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    ]
    assert cells  # the export really has the catalog in it
    assert template_item.name in " ".join(cells)
    assert not any(NEW_NAME in c or NEW_LINE in c for c in cells)
    # The published version takes no further drafts.
    with pytest.raises(ValidationError):
        drafts.new_item_draft_save(
            catalog=draft_catalog, data=QueryDict("name=x"), actor=county_clerk
        )


@pytest.mark.django_db(transaction=True)
def test_migration_0006_gives_existing_drafts_their_items_catalog(templates):
    """An edit-form draft saved before 0006 gets its item's catalog."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before, after = (
        ("catalogs", "0005_item_form_drafts"),
        ("catalogs", "0006_new_item_drafts"),
    )
    executor = MigrationExecutor(connection)
    executor.migrate([before])
    old_apps = executor.loader.project_state([before]).apps
    item = old_apps.get_model("catalogs", "CatalogItem").objects.order_by("pk").first()
    old_apps.get_model("catalogs", "ItemDraft").objects.create(
        item_id=item.pk,
        data={"name": ["x"]},
        base_lock_version=0,
        saved_at="2026-12-08T00:00Z",
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([after])
    draft = ItemDraft.objects.get()
    assert draft.item_id == item.pk and draft.catalog_id == item.catalog_id
