"""Proof of posting (张榜证明, SPEC §14): photos lose EXIF and GPS, are stored privately,
shown only to staff of the region and above; the quarterly 临时救助 obligation of a
township counts as posted once its record is public and proof is attached in time."""

from __future__ import annotations

import io
from datetime import date

import pytest
from PIL import Image
from pytest_django.asserts import assertContains, assertNotContains

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalogs import villages
from catalogs.models import AuditLogEntry, Region
from disclosures.models import Obligation, PostingProof
from disclosures.records import obligations as obligation_services
from disclosures.records import posting
from disclosures.records import services as record_services
from tests.disclosures.builders import at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_calendar")]

GPS = {1: "N", 2: (34.0, 37.0, 12.5), 3: "E", 4: (112.0, 27.0, 1.0)}
ID_NUMBER = "410311198001037613"


def gps_photo(size=(3000, 2000), orientation=6) -> bytes:
    """A JPEG as a phone takes it: camera make, orientation and GPS position in EXIF."""
    image = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "DemoCam"  # Make
    exif[0x0112] = orientation
    exif.get_ifd(0x8825).update(GPS)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=b"taken at the notice board")
    return out.getvalue()


def test_photo_loses_exif_gps_and_is_resized_upright():
    data = gps_photo()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)  # the input has GPS
    clean = posting.photo_clean(data)
    stored = Image.open(io.BytesIO(clean.data))
    assert stored.format == "JPEG"
    assert not stored.getexif()
    assert stored.getexif().get_ifd(0x8825) == {}
    assert "exif" not in stored.info and "icc_profile" not in stored.info
    assert "comment" not in stored.info
    assert b"DemoCam" not in clean.data and b"Exif" not in clean.data
    # Orientation 6 (rotate 90°) applied to the pixels, then shrunk to 1600 a side.
    assert (clean.width, clean.height) == (1067, 1600) == stored.size


def test_not_a_photo_is_refused_in_chinese():
    with pytest.raises(posting.PhotoError, match="无法识别该文件"):
        posting.photo_clean(b"%PDF-1.4 not a photo")


@pytest.fixture
def quarter(quarterly_item, lilou, township_clerk):
    """The 2025 Q3 obligations of 洛龙区's townships and 李楼街道's on-time record."""
    obligation_services.obligation_generate_periodic(on=date(2025, 8, 15))
    record = record_services.record_create(
        region=lilou,
        item=quarterly_item,
        trigger_date=date(2025, 9, 26),
        title="李楼街道2025年第三季度临时救助审核审批结果",
        actor=township_clerk,
        publish=record_services.PUBLISH_NOW,
        now=at(2025, 9, 26),
    )
    return record


def test_quarterly_obligation_flips_to_posted_with_proof(quarter, township_clerk):
    ob = Obligation.objects.get(pk=quarter.obligation_id)
    assert ob.status == Obligation.Status.ON_TIME  # published online in time
    assert posting.is_posting_obligation(ob)
    assert ob.posted_on is None and not posting.posting_met(ob)
    village = villages.village_create(
        township=quarter.region,
        code="410311012201",
        name="示例村（演示）",
        actor=None,
    )
    proof = posting.posting_proof_add(
        record=quarter,
        data=gps_photo(),
        posted_on=date(2025, 9, 28),
        village=village,
        note="村委会门口公示栏",
        actor=township_clerk,
        now=at(2025, 9, 29),
    )
    ob.refresh_from_db()
    assert ob.posted_on == date(2025, 9, 29) and posting.posting_met(ob)
    assert ob.status == Obligation.Status.ON_TIME
    stored = proof.photo.read()
    assert b"DemoCam" not in stored and not Image.open(io.BytesIO(stored)).getexif()
    assert proof.photo.name.startswith("posting-proofs/410311012/")
    assert AuditLogEntry.objects.filter(
        action="disclosures.posting.proof_added", object_id=str(proof.pk)
    ).exists()
    # Removing the only proof takes the posting back.
    posting.posting_proof_delete(proof=proof, actor=township_clerk)
    ob.refresh_from_db()
    assert ob.posted_on is None and not posting.posting_met(ob)


def test_proof_after_the_due_date_is_posted_late(quarter, township_clerk):
    posting.posting_proof_add(
        record=quarter, data=gps_photo(), actor=township_clerk, now=at(2025, 10, 9)
    )
    ob = Obligation.objects.get(pk=quarter.obligation_id)
    assert ob.posted_on == date(2025, 10, 9) > ob.due_date
    assert not posting.posting_met(ob)


def test_proof_is_refused_for_a_draft_and_with_an_identifier_in_the_note(
    quarter, quarterly_item, lilou, township_clerk
):
    draft = record_services.record_create(
        region=lilou,
        item=quarterly_item,
        trigger_date=date(2025, 9, 26),
        title="草稿",
        actor=township_clerk,
    )
    with pytest.raises(ValidationError, match="请先发布"):
        posting.posting_proof_add(record=draft, data=gps_photo(), actor=township_clerk)
    with pytest.raises(ValidationError, match="说明中不能含有身份证号"):
        posting.posting_proof_add(
            record=quarter,
            data=gps_photo(),
            note=f"张三 {ID_NUMBER}",
            actor=township_clerk,
            now=at(2025, 9, 29),
        )
    other = Region.objects.get(code="410311002")
    stranger = villages.village_create(
        township=other, code="410311002201", name="别处村", actor=None
    )
    with pytest.raises(ValidationError, match="不在“李楼街道”辖区内"):
        posting.posting_proof_add(
            record=quarter,
            data=gps_photo(),
            village=stranger,
            actor=township_clerk,
            now=at(2025, 9, 29),
        )
    assert not PostingProof.objects.exists()


def _page(record) -> str:
    return reverse("disclosures:record_posting", args=[record.pk])


def test_clerk_uploads_photos_in_the_browser_and_staff_above_see_them(
    client, quarter, township_clerk, county_clerk, city_reviewer, other_county_clerk
):
    client.force_login(township_clerk)
    response = client.post(
        _page(quarter),
        {
            "photos": [
                SimpleUploadedFile(f"IMG_{n}.jpg", gps_photo(), "image/jpeg")
                for n in range(2)
            ],
            "posted_on": "2025-09-28",
            "note": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    proofs = list(PostingProof.objects.filter(record=quarter))
    assert len(proofs) == 2
    page = client.get(_page(quarter))
    assertContains(
        page, reverse("disclosures:posting_photo", args=[quarter.pk, proofs[0].pk])
    )
    assertContains(page, "IMG_0.jpg", count=0)  # the original file name is not kept
    photo_url = reverse("disclosures:posting_photo", args=[quarter.pk, proofs[0].pk])
    for user in (township_clerk, county_clerk, city_reviewer):
        client.force_login(user)
        photo = client.get(photo_url)
        assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
        assert b"DemoCam" not in b"".join(photo.streaming_content)
    # The city reviewer looks, but does not upload or delete.
    assert client.get(_page(quarter)).status_code == 200
    assert client.post(_page(quarter), {}).status_code == 403
    delete = reverse("disclosures:posting_delete", args=[quarter.pk, proofs[0].pk])
    assert client.post(delete).status_code == 403
    # Another county: as if it did not exist.
    client.force_login(other_county_clerk)
    assert client.get(_page(quarter)).status_code == 404
    assert client.get(photo_url).status_code == 404
    assert client.post(delete).status_code == 404
    # Nobody without login; the public record page does not link the photos.
    client.logout()
    assert client.get(photo_url).status_code == 302
    public = client.get(quarter.get_absolute_url())
    assertNotContains(public, "posting")
    assert PostingProof.objects.count() == 2


def test_a_bad_upload_is_explained(client, quarter, township_clerk):
    client.force_login(township_clerk)
    response = client.post(
        _page(quarter),
        {
            "photos": [SimpleUploadedFile("a.jpg", b"not a photo", "image/jpeg")],
            "posted_on": "2025-09-28",
        },
    )
    assert response.status_code == 200
    assertContains(response, "无法识别该文件")
    assert not PostingProof.objects.exists()


def test_progress_review_shows_proof_coverage_per_township(
    client, quarter, township_clerk, county_clerk
):
    posting.posting_proof_add(
        record=quarter, data=gps_photo(), actor=township_clerk, now=at(2025, 9, 29)
    )
    client.force_login(county_clerk)
    response = client.get(
        reverse(
            "disclosures:progress_region", kwargs={"period": "2025Q3", "code": "410311"}
        )
    )
    assert response.status_code == 200
    rows = {row.code: row for row in response.context["posting_coverage"]}
    assert len(rows) == 18  # every official township of 洛龙区 owes the posting
    lilou = rows["410311012"]
    assert (lilou.name, lilou.due, lilou.posted, lilou.late, lilou.missing) == (
        "李楼街道",
        1,
        1,
        0,
        0,
    )
    assert lilou.rate == 100
    other = rows["410311002"]
    assert (other.due, other.posted, other.missing, other.rate) == (1, 0, 1, 0)
    assertContains(response, "张榜证明覆盖情况")
    assertContains(response, '<th scope="row">李楼街道</th><td class="num">1</td>')


def test_record_names_its_village_on_the_public_page_and_the_notice(
    client, quarter, township_clerk, other_county_clerk
):
    from disclosures.records import villages as record_villages

    village = villages.village_create(
        township=quarter.region, code="410311012201", name="示例村（演示）", actor=None
    )
    client.force_login(other_county_clerk)
    assert (
        client.post(
            _page(quarter), {"action": "village", "village": village.code}
        ).status_code
        == 404
    )
    client.force_login(township_clerk)
    response = client.post(
        _page(quarter), {"action": "village", "village": village.code}
    )
    assert response.status_code == 302
    quarter.refresh_from_db()
    assert quarter.village_id == village.code
    assert AuditLogEntry.objects.filter(
        action="disclosures.record.village_set"
    ).exists()
    client.logout()
    assertContains(client.get(quarter.get_absolute_url()), "示例村（演示）")
    notice = client.get(reverse("disclosures:record_notice", args=[quarter.pk]))
    assertContains(notice, "所涉村（社区）：示例村（演示）")
    # A village of another township is refused by the service.
    other = villages.village_create(
        township=Region.objects.get(code="410311002"),
        code="410311002201",
        name="别处村",
        actor=None,
    )
    with pytest.raises(ValidationError, match="不是“李楼街道”辖区内的村（社区）"):
        record_villages.record_village_set(record=quarter, village=other, actor=None)
    name_list_record = quarter
    from tests.builders import add_name_list

    name_list = add_name_list(name_list_record, rows=2)
    record_villages.name_list_village_set(
        name_list=name_list, village=village, actor=township_clerk
    )
    name_list.refresh_from_db()
    assert name_list.village_id == village.code


def test_demo_posts_proof_for_lilous_earlier_quarters(db, settings):
    """seed_demo: villages under 李楼街道, proof photos for all but the latest quarter."""
    from django.core.management import call_command

    from demo import villages as demo_villages

    call_command("seed_demo")
    assert Region.objects.filter(level="village", parent_id="410311012").count() >= 5
    proofs = PostingProof.objects.filter(record__region_id="410311012")
    assert proofs.exists()
    posted = Obligation.objects.filter(
        region_id="410311012", period_start__isnull=False, posted_on__isnull=False
    )
    assert posted.count() == proofs.values("record").distinct().count()
    stored = proofs.first().photo.read()
    assert not Image.open(io.BytesIO(stored)).getexif()
    assert demo_villages.seed_posting() == 0  # idempotent
