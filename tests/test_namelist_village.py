"""A name list names the village (村/社区) it concerns (issue 19: "Records and name
lists can name a village").

The township clerk chooses the village on the mapping step (only the villages
under the record's own region are offered or accepted); the staff list page and
the public record page show it.
"""

from __future__ import annotations

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from django.urls import reverse

from catalogs import villages
from catalogs.models import AuditLogEntry, Region
from disclosures.models import NameList
from disclosures.records import villages as record_villages
from tests.builders import publish_list

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("staging")]

CSV = "救助对象,家庭人口,救助金额（元）,村（社区）\n王秀英,2,800,李楼村\n欧阳明华,4,1200,李楼村\n"
MAPPING = {
    "col_0": "name",
    "col_1": "household_size",
    "col_2": "amount",
    "col_3": "village",
    "mask_names": "mask",
    "action": "map",
}


@pytest.fixture
def lilou_villages(lilou_record):
    """Two villages of 李楼街道 and one of another township of 洛龙区."""
    lilou = Region.objects.get(code="410311012")
    made = [
        villages.village_create(
            township=lilou, code="410311012201", name="李楼村", actor=None
        ),
        villages.village_create(
            township=lilou, code="410311012202", name="岳村", actor=None
        ),
    ]
    other = villages.village_create(
        township=Region.objects.get(code="410311002"),
        code="410311002201",
        name="别处村",
        actor=None,
    )
    return {"lilou": made, "other": other}


def _map_url(client, record) -> str:
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("disclosures:namelist_upload", args=[record.pk]),
        {"file": SimpleUploadedFile("名单.csv", CSV.encode("gb18030"))},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return response["Location"]


def test_the_clerk_chooses_a_village_of_the_township_when_mapping(
    client,
    lilou_record,
    lilou_villages,
    township_clerk,
    django_capture_on_commit_callbacks,
):
    client.force_login(township_clerk)
    url = _map_url(client, lilou_record)
    page = client.get(url).content.decode()
    assert 'id="village-fieldset"' in page
    assert "李楼村" in page and "岳村" in page
    assert "别处村" not in page  # another township's village is not offered
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {**MAPPING, "village": "410311012202"})
    name_list = NameList.objects.get()
    assert response["Location"] == reverse(
        "disclosures:namelist_detail", args=[name_list.pk]
    )
    assert name_list.village_id == "410311012202"
    assert AuditLogEntry.objects.filter(
        action="disclosures.namelist.village_set", actor=township_clerk
    ).exists()
    detail = client.get(response["Location"])
    assertContains(detail, "所涉村（社区）：岳村")


def test_a_village_of_another_township_is_refused_and_nothing_is_started(
    client, lilou_record, lilou_villages, township_clerk
):
    client.force_login(township_clerk)
    url = _map_url(client, lilou_record)
    response = client.post(url, {**MAPPING, "village": lilou_villages["other"].code})
    assert response.status_code == 200
    assert 'id="id_village_error"' in response.content.decode()
    assert not NameList.objects.exists()


def test_no_village_chosen_and_no_villages_no_field(
    client, lilou_record, township_clerk, django_capture_on_commit_callbacks
):
    client.force_login(township_clerk)
    url = _map_url(client, lilou_record)
    assertNotContains(client.get(url), 'id="village-fieldset"')
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, MAPPING)
    assert NameList.objects.get().village_id is None


def test_the_public_name_list_shows_its_village(
    client, lilou_record, lilou_villages, township_clerk, county_clerk
):
    name_list = publish_list(lilou_record, township_clerk, county_clerk)
    url = lilou_record.get_absolute_url()
    record_villages.name_list_village_set(
        name_list=name_list, village=lilou_villages["lilou"][0], actor=township_clerk
    )
    page = client.get(url)
    assertContains(page, 'id="name-list-village"')
    assertContains(page, "所涉村（社区）：李楼村")


def test_a_public_name_list_without_village_says_none(
    client, lilou_record, township_clerk, county_clerk
):
    publish_list(lilou_record, township_clerk, county_clerk)
    page = client.get(lilou_record.get_absolute_url())
    assertContains(page, 'id="name-list"')
    assertNotContains(page, 'id="name-list-village"')
