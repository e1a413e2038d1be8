"""Issue 21: 保存草稿 on the item form keeps what was typed, unchecked, without
touching the item; 保存 validates it and removes the draft."""

from __future__ import annotations

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.urls import reverse

from catalogs import drafts, services
from catalogs.forms import ItemForm
from catalogs.models import AuditLogEntry, ItemDraft
from tests.builders import item_post_data
from tests.helpers import fill_lost_content

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(draft_catalog):
    return draft_catalog.items.order_by("seq", "pk").first()


def _url(item):
    return reverse("catalogs:item_edit", kwargs={"pk": item.pk})


def _invalid_post(item, **extra):
    """A half-typed form: name emptied, no subject, a new content line, other channel
    ticked without its text; each alone would refuse a save."""
    return item_post_data(
        item,
        name="",
        subjects=[],
        content=[*item.content, "半句没写完的公开内容"],
        channels=[*item.channels, "其他"],
        channel_other="",
        **extra,
    )


def test_draft_fields_are_the_form_fields():
    """The stored names follow the item form (no field dropped silently)."""
    assert drafts._FORM_FIELDS == set(ItemForm.base_fields)


def test_save_draft_keeps_invalid_input_and_leaves_the_item_alone(clerk_client, item):
    before = (item.name, list(item.content), item.subjects, item.lock_version)
    response = clerk_client.post(_url(item), {**_invalid_post(item), "_draft": "1"})
    assert response.status_code == 302 and response["Location"] == _url(item)

    item.refresh_from_db()
    assert (item.name, list(item.content), item.subjects, item.lock_version) == before
    draft = ItemDraft.objects.get(item=item)
    assert draft.data["name"] == [""]
    assert "半句没写完的公开内容" in sum(
        (v for k, v in draft.data.items() if k.startswith("content-")), []
    )
    assert "csrfmiddlewaretoken" not in draft.data and "_draft" not in draft.data
    entry = AuditLogEntry.objects.get(action="catalogs.item.draft_saved")
    assert entry.object_id == str(item.pk) and entry.region_id == "410311"

    # Reopened: the draft is shown as typed, with what must be fixed.
    page = clerk_client.get(_url(item))
    assert page.status_code == 200
    assertContains(page, "正在显示草稿")
    assertContains(page, "草稿还不能保存：以下几处需要修改")
    assertContains(page, "半句没写完的公开内容")
    assertContains(page, "请填写二级事项名称。")
    assertContains(page, "请至少选择一个公开主体。")
    assertContains(page, 'name="_discard_draft"')


def test_saving_the_draft_validates_it_and_removes_it(clerk_client, item):
    clerk_client.post(_url(item), {**_invalid_post(item), "_draft": "1"})
    # 保存 with the invalid draft content is refused like any invalid input.
    refused = clerk_client.post(_url(item), _invalid_post(item))
    assert refused.status_code == 400
    assert ItemDraft.objects.filter(item=item).exists()

    fixed = item_post_data(item, content=[*item.content, "补全的公开内容"])
    saved = clerk_client.post(_url(item), fixed)
    assert saved.status_code == 302
    item.refresh_from_db()
    assert item.content[-1] == "补全的公开内容"
    assert not ItemDraft.objects.filter(item=item).exists()
    assert AuditLogEntry.objects.filter(
        action="catalogs.item.draft_discarded", data__saved=True
    ).exists()
    assertNotContains(clerk_client.get(_url(item)), "正在显示草稿")


def test_discard_draft(clerk_client, item):
    clerk_client.post(_url(item), {**_invalid_post(item), "_draft": "1"})
    response = clerk_client.post(_url(item), {"_discard_draft": "1"})
    assert response.status_code == 302
    assert not ItemDraft.objects.filter(item=item).exists()
    page = clerk_client.get(_url(item))
    assertNotContains(page, "正在显示草稿")
    assertContains(page, item.name)


def test_a_draft_never_reaches_submission_or_publication(
    clerk_client, item, draft_catalog, county_clerk, city_reviewer
):
    name = item.name
    clerk_client.post(_url(item), {**_invalid_post(item), "_draft": "1"})
    fill_lost_content(draft_catalog, county_clerk)
    item.refresh_from_db()
    services.catalog_submit(catalog=draft_catalog, actor=county_clerk)
    services.catalog_approve(catalog=draft_catalog, actor=city_reviewer)
    services.catalog_publish(catalog=draft_catalog, actor=county_clerk)
    item.refresh_from_db()
    assert item.name == name and "半句没写完的公开内容" not in item.content
    # The version is no longer editable: no new draft is taken.
    with pytest.raises(ValidationError):
        drafts.item_draft_save(item=item, data=QueryDict("name=x"), actor=county_clerk)


def test_draft_outdated_notice_and_stale_save(clerk_client, item, county_clerk):
    """Saved by someone else after the draft: the page says so, and 保存 of the
    draft goes through the stale-save check (their version shown, nothing lost)."""
    clerk_client.post(
        _url(item),
        {**item_post_data(item, content=[*item.content, "草稿新增"]), "_draft": "1"},
    )
    services.catalog_item_set_elements(
        item=item,
        values={"channel_other": "村务微信群", "channels": [*item.channels, "其他"]},
        bases=None,
        actor=county_clerk,
        expected_lock_version=item.lock_version,
    )
    page = clerk_client.get(_url(item))
    assertContains(page, "草稿保存之后，该事项已被修改并保存过")
    draft_data = ItemDraft.objects.get(item=item).data
    post = {name: values for name, values in draft_data.items()}
    response = clerk_client.post(_url(item), post)
    assert response.status_code == 409
    assert ItemDraft.objects.filter(item=item).exists()


def test_submit_page_lists_items_with_a_draft(clerk_client, item, draft_catalog):
    submit = reverse("catalogs:catalog_submit", kwargs={"pk": draft_catalog.pk})
    assertNotContains(clerk_client.get(submit), "有未保存的草稿")
    clerk_client.post(_url(item), {**_invalid_post(item), "_draft": "1"})
    page = clerk_client.get(submit)
    assertContains(page, "有未保存的草稿")
    assertContains(page, f'href="{_url(item)}"')
