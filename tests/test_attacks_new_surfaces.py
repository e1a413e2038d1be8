"""An attacker's review of the surfaces of issues 17–19 (SPEC §5, §12–§14).

Each test plays one attack against 依申请公开 (/apply/, /apply/status/,
/work/applications/), the 政府信息公开专栏 (/r/<code>/guide/, /r/<code>/reports/,
/work/opengov/), the printed notice (/records/<id>/notice/), the proof-of-posting
photos, the villages (/work/villages/) and a record's metadata (文号, 主题分类):
an identifier typed where the public (or the wrong staff) would see it, a lookup
that tells a guessed code from a real one, a clerk of another county guessing
URLs, a macro file under a harmless extension, a POST without a CSRF token.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from datetime import date, timedelta

import pytest
from PIL import Image

from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from catalogs import villages
from catalogs.models import AuditLogEntry, Region
from disclosures.models import DisclosureRecord, PostingProof
from disclosures.public import cache as page_cache
from disclosures.records import posting
from disclosures.records import services as record_services
from disclosures.records.villages import record_village_set
from onrequest import services as onrequest_services
from onrequest.models import Application, ApplicationFile
from opengov import layout
from opengov import services as opengov_services
from opengov.models import Guide

from .builders import (
    LILOU,
    LUOLONG,
    YANSHI,
    add_name_list,
    draft_record,
    publish_record,
)
from .onrequest.builders import applicant, id_number, paper_application

pytestmark = pytest.mark.django_db

# Synthetic identifiers an attacker (or a careless clerk) types into free text.
ID_NUMBER = id_number("41030319850707321")
MOBILE = "13987654321"
BANK_CARD = "6222021234567890128"
SECRETS = (ID_NUMBER, MOBILE, BANK_CARD)


def _digits(text: str) -> str:
    """Full-width digits folded, separators dropped: how a reader would see a number."""
    folded = text.translate({0xFF10 + i: ord("0") + i for i in range(10)})
    return re.sub(r"[\s\-.·]", "", folded)


def _no_secret_in(text: str, secrets=SECRETS) -> list[str]:
    flat = _digits(text)
    return [s for s in secrets if s in text or s in flat]


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """The per-address limits of /apply/ count in the default cache: each attack
    starts from zero (the brute-force test counts its own tries)."""
    caches["default"].clear()
    yield
    caches["default"].clear()


@pytest.fixture
def page_caching(settings):
    """The production arrangement: anonymous public pages are cached."""
    settings.CACHES = {
        **settings.CACHES,
        page_cache.ALIAS: {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "attack-public-pages",
            "TIMEOUT": 600,
        },
    }
    caches[page_cache.ALIAS].clear()
    yield caches[page_cache.ALIAS]
    caches[page_cache.ALIAS].clear()


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (640, 480), (90, 140, 60))
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"
    exif.get_ifd(0x8825).update(
        {1: "N", 2: (34.0, 37.0, 12.5), 3: "E", 4: (112.0, 27.0, 1.0)}
    )
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def _macro_docm() -> bytes:
    """A Word file with a VBA project (what a .docm holds)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"><Override PartName="/word/document.xml" '
            'ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/>'
            "</Types>",
        )
        z.writestr("word/document.xml", "<w:document/>")
        z.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0macro")
    return out.getvalue()


# --------------------------------------------------------------------------- /apply/


def _apply_post(**overrides) -> dict:
    data = applicant(
        applicant_name="隐私攻击人",
        phone=MOBILE,
        id_number=ID_NUMBER,
        description=f"请公开低保名单，我的银行卡{BANK_CARD}，身份证{ID_NUMBER}",
    )
    data.update(receiver=LUOLONG, website="")
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("name", "payload"),
    [
        ("申请书.pdf", _macro_docm()),  # a macro file renamed .pdf
        ("申请书.docx", _macro_docm()),  # a .docm renamed .docx
        ("申请书.DOCM", _macro_docm()),
        ("申请书.pdf", b"MZ\x90\x00 an executable"),
    ],
)
def test_apply_refuses_macro_or_disguised_files_and_stores_nothing(
    client, portal, name, payload
):
    data = _apply_post(attachment=SimpleUploadedFile(name, payload))
    response = client.post("/apply/?county=410311", data)
    assert response.status_code == 200
    assert "code" not in response.context or not response.context.get("code")
    assert response.context["form"].errors["attachment"]
    assert not Application.objects.exists()
    assert not ApplicationFile.objects.exists()


def test_applicant_identity_never_reaches_logs_audit_or_public_pages(
    client, portal, caplog
):
    caplog.set_level(logging.DEBUG)
    response = client.post("/apply/?county=410311", _apply_post())
    assert response.status_code == 200
    code = response.context["code"]
    application = Application.objects.get(code=code)
    assert application.id_number == ID_NUMBER  # stored for staff …
    secrets = (*SECRETS, "隐私攻击人")
    # … but no log line and no audit entry (shown to staff above) carries it.
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert _no_secret_in(logged, secrets) == []
    audits = AuditLogEntry.objects.filter(object_id=str(application.pk))
    assert audits.exists()
    assert _no_secret_in(repr(list(audits.values())), secrets) == []
    # Public pages, feeds and search that could mention it.
    for path in (
        "/r/410311/",
        "/r/410311/guide/",
        "/r/410311/reports/",
        f"/search/?q={MOBILE}",
        "/r/410311/feed.rss",
    ):
        body = client.get(path, follow=True).content.decode()
        assert _no_secret_in(body, secrets) == [], path
    # Search echoes the words typed; what matters is that nothing is found.
    for words in ("隐私攻击人", "我的银行卡"):
        found = client.get("/search/", {"q": words}).context
        assert not list(found["records"]) and not list(found["items"]), words


# --------------------------------------------------------------------- /apply/status/


def _strip_token(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def test_status_lookup_does_not_tell_a_real_code_from_a_guessed_one(client, portal):
    submitted = onrequest_services.application_submit(
        region=Region.objects.get(code=LUOLONG), data=applicant()
    )
    real = submitted.application.code
    guessed = real[:-1] + ("A" if real[-1] != "A" else "B")
    url = reverse("onrequest:apply_status")
    wrong_check = client.post(url, {"code": real, "check_value": "AAAAAAAA"})
    unknown = client.post(url, {"code": guessed, "check_value": "AAAAAAAA"})
    no_check = client.post(url, {"code": real, "check_value": ""})
    assert wrong_check.status_code == unknown.status_code == 200
    assert wrong_check.context["result"] is None
    assert no_check.context["result"] is None
    # Same words, same page (only the typed code is echoed back).
    assert _strip_token(wrong_check.content.decode()).replace(
        real, "CODE"
    ) == _strip_token(unknown.content.decode()).replace(guessed, "CODE")
    right = client.post(url, {"code": real, "check_value": submitted.check_value})
    assert right.context["result"].pk == submitted.application.pk
    body = right.content.decode()
    assert _no_secret_in(body, (ID_NUMBER, "13812345678", "王测试")) == []
    assert "临时救助资金使用情况" not in body  # the description stays private


def test_status_lookup_brute_force_is_stopped_even_with_a_forged_forwarded_for(
    client, portal
):
    submitted = onrequest_services.application_submit(
        region=Region.objects.get(code=LUOLONG), data=applicant()
    )
    url = reverse("onrequest:apply_status")
    for n in range(30):
        client.post(
            url,
            {"code": submitted.application.code, "check_value": f"GUESS{n:03d}"},
            HTTP_X_FORWARDED_FOR=f"10.0.{n}.1",
        )
    # The 31st try, even the right value from a "new" forwarded address, is refused.
    blocked = client.post(
        url,
        {"code": submitted.application.code, "check_value": submitted.check_value},
        HTTP_X_FORWARDED_FOR="10.9.9.9",
        HTTP_X_REAL_IP="10.9.9.9",
    )
    assert blocked.context["result"] is None
    assert "查询过于频繁" in blocked.content.decode()


# ------------------------------------------------------------ /work/applications/


def test_another_countys_clerk_neither_reads_nor_acts_on_an_application(
    client, portal, county_clerk, other_county_clerk, township_clerk
):
    application = paper_application(
        county_clerk, date.today() - timedelta(days=3), applicant_name="隐私攻击人"
    )
    before = (
        Application.objects.values_list("status", "updated_at").get(pk=application.pk),
        AuditLogEntry.objects.count(),
    )
    for intruder in (other_county_clerk, township_clerk):
        client.force_login(intruder)
        detail = reverse("onrequest:application_detail", args=[application.pk])
        assert client.get(detail).status_code == 404
        assert (
            "隐私攻击人"
            not in client.get(reverse("onrequest:application_list")).content.decode()
        )
        assert (
            client.get(
                reverse("onrequest:application_file", args=[application.pk, 1])
            ).status_code
            == 404
        )
        for action in (
            "register",
            "review",
            "correction",
            "process",
            "extend",
            "reply",
            "archive",
            "escalate",
        ):
            url = reverse("onrequest:application_action", args=[application.pk, action])
            assert client.post(url, {"note": "x"}).status_code == 404, action
    after = (
        Application.objects.values_list("status", "updated_at").get(pk=application.pk),
        AuditLogEntry.objects.count(),
    )
    assert after == before


def test_csrf_is_required_on_every_new_post(
    portal, county_clerk, township_clerk, lilou_record
):
    """A forged cross-site form (no token) changes nothing anywhere."""
    application = paper_application(county_clerk, date.today() - timedelta(days=2))
    anonymous = Client(enforce_csrf_checks=True)
    assert anonymous.post("/apply/?county=410311", _apply_post()).status_code == 403
    assert (
        anonymous.post(
            reverse("onrequest:apply_status"), {"code": "X", "check_value": "Y"}
        ).status_code
        == 403
    )
    county = Client(enforce_csrf_checks=True)
    county.force_login(county_clerk)
    report = opengov_services.report_create(
        region=Region.objects.get(code=LUOLONG), year=2025, actor=county_clerk
    )
    for url, data in (
        (reverse("opengov:guide_edit"), {"office": "伪造"}),
        (reverse("opengov:report_list"), {"year": "2024"}),
        (report.get_absolute_url(), {"overview": "伪造"}),
        (reverse("opengov:report_publish", args=[report.pk]), {}),
        (
            reverse("onrequest:application_action", args=[application.pk, "review"]),
            {},
        ),
        (reverse("onrequest:application_create"), _apply_post()),
        (reverse("onrequest:letter_templates"), {}),
        (
            reverse("villages:village_list"),
            {"township": LILOU, "code": "410311012299", "name": "伪造村"},
        ),
    ):
        assert county.post(url, data).status_code == 403, url
    township = Client(enforce_csrf_checks=True)
    township.force_login(township_clerk)
    for url, data in (
        (
            reverse("opengov:record_metadata", args=[lilou_record.pk]),
            {"document_number": "伪造"},
        ),
        (reverse("disclosures:record_posting", args=[lilou_record.pk]), {}),
    ):
        assert township.post(url, data).status_code == 403, url
    assert not Guide.objects.exists()
    assert not Region.objects.filter(code="410311012299").exists()
    lilou_record.refresh_from_db()
    assert lilou_record.document_number == ""


# ------------------------------------------------------------- guide and reports


def _guide_post() -> dict:
    return {
        "office": "洛龙区民政局办公室",
        "address": "洛阳市洛龙区开元大道1号",
        "postcode": "471000",
        "hours": "工作日 8:30—12:00，14:30—17:30",
        "phone": "0379-63920001",
        "fax": "",
        "email": "",
        "proactive": "",
        "how_to_apply": "",
        "remedies": "",
    }


def test_identifiers_in_the_guide_are_refused_in_every_disguise(
    client, portal, county_clerk, caplog
):
    caplog.set_level(logging.DEBUG)
    client.force_login(county_clerk)
    for field, value in (
        ("phone", MOBILE),
        ("email", f"{MOBILE}@qq.com"),
        ("how_to_apply", f"联系人张三，身份证{ID_NUMBER[:6]} {ID_NUMBER[6:]}"),
        (
            "remedies",
            "银行卡" + " ".join(BANK_CARD[i : i + 4] for i in range(0, 19, 4)),
        ),
        ("hours", "值班手机１３９８７６５４３２１"),
    ):
        post = {**_guide_post(), field: value}
        response = client.post(reverse("opengov:guide_edit"), post)
        assert response.status_code == 200, field
        assert response.context["form"].errors, field
    assert not Guide.objects.exists()
    # The refusals name the field and the position, never the number (nor do logs).
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert _no_secret_in(logged) == []
    page = client.get(reverse("opengov:guide", kwargs={"code": LUOLONG}))
    assert _no_secret_in(page.content.decode()) == []


def test_a_saved_guide_is_on_the_cached_public_page_at_once(
    client, portal, county_clerk, page_caching
):
    """The save message says 公开页面已更新: with the page cache on, it must be."""
    url = reverse("opengov:guide", kwargs={"code": LUOLONG})
    visitor = Client()
    assert "0379-63920001" not in visitor.get(url).content.decode()
    assert visitor.get(url)["X-Public-Cache"] == "hit"
    client.force_login(county_clerk)
    response = client.post(reverse("opengov:guide_edit"), _guide_post())
    assert response.status_code == 302, response.context["form"].errors
    assert "0379-63920001" in visitor.get(url).content.decode()


def _applications_with_identities(region_code: str) -> None:
    from .opengov.builders import application

    for n, kind in enumerate(("natural_person", "business", "natural_person")):
        made = application(
            region_code,
            kind=kind,
            received=date(2025, 3, 3 + n),
            replied=date(2025, 3, 20 + n),
            outcome="disclosed",
        )
        Application.objects.filter(pk=made.pk).update(
            applicant_name=f"隐私申请人{n}",
            id_type="resident_id",
            id_number=ID_NUMBER,
            phone=MOBILE,
            email="victim@example.com",
            address="洛龙区秘密路8号",
            description=f"银行卡{BANK_CARD}的流水",
        )


def test_the_published_report_and_its_docx_hold_no_applicant_identity(
    client, portal, county_clerk
):
    _applications_with_identities(LUOLONG)
    region = Region.objects.get(code=LUOLONG)
    report = opengov_services.report_create(
        region=region, year=2025, actor=county_clerk
    )
    with pytest.raises(ValidationError) as refused:
        opengov_services.report_update(
            report=report,
            texts={"overview": f"受理了{ID_NUMBER[:9]}-{ID_NUMBER[9:]}的申请"},
            figures={},
            actor=county_clerk,
        )
    assert "overview" in refused.value.message_dict
    opengov_services.report_update(
        report=report,
        texts={"overview": "总体情况。", "problems": "无。", "other_matters": "无。"},
        figures=dict.fromkeys(layout.entered_keys(), "0"),
        actor=county_clerk,
    )
    report = opengov_services.report_publish(report=report, actor=county_clerk)
    secrets = (*SECRETS, "隐私申请人", "victim@example.com", "秘密路")
    attachment = report.record.attachments.get()
    with zipfile.ZipFile(attachment.file.open("rb")) as docx:
        xml = "".join(
            docx.read(n).decode("utf-8", "replace")
            for n in docx.namelist()
            if n.endswith(".xml")
        )
    assert "本年新收" in xml  # the real table 三 was read
    assert _no_secret_in(xml, secrets) == []
    visitor = Client()
    for path in (
        reverse("opengov:report_index", kwargs={"code": LUOLONG}),
        report.record.get_absolute_url(),
        reverse("disclosures:record_notice", args=[report.record.pk]),
    ):
        response = visitor.get(path)
        assert response.status_code == 200, path
        assert _no_secret_in(response.content.decode(), secrets) == [], path
    # The staff count page behind a cell lists codes and kinds, not people.
    client.force_login(county_clerk)
    counted = client.get(
        reverse("opengov:report_count", args=[report.pk, "received", "total"])
    )
    assert len(counted.context["items"]) == 3
    assert _no_secret_in(counted.content.decode(), secrets) == []
    xlsx = client.get(reverse("opengov:report_download", args=[report.pk, "xlsx"]))
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(xlsx.content), read_only=True)
    cells = "\n".join(
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )
    assert "本年新收" in cells
    assert _no_secret_in(cells, secrets) == []


# ----------------------------------------------------------------- record metadata


def test_an_identifier_in_a_drafts_document_number_or_topic_blocks_publication(
    portal, township_clerk
):
    record = draft_record(title="李楼街道低保审核公示")
    record_services.record_set_metadata(
        record=record,
        issuer="",
        written_date=None,
        document_number=f"李楼办〔2025〕{MOBILE}号",
        topic="",
        actor=township_clerk,
    )
    with pytest.raises(ValidationError) as refused:
        record_services.record_publish(record=record, actor=township_clerk)
    assert "document_number" in refused.value.message_dict
    record.refresh_from_db()
    assert record.status == DisclosureRecord.Status.DRAFT
    record_services.record_set_metadata(
        record=record,
        issuer="",
        written_date=None,
        document_number="",
        topic=f"低保 {ID_NUMBER}",
        actor=township_clerk,
    )
    with pytest.raises(ValidationError) as refused:
        record_services.record_publish(record=record, actor=township_clerk)
    assert "topic" in refused.value.message_dict


def test_an_identifier_typed_into_a_public_records_metadata_is_refused(
    client, portal, township_clerk, lilou_record
):
    client.force_login(township_clerk)
    url = reverse("opengov:record_metadata", args=[lilou_record.pk])
    for field, value in (
        ("document_number", f"李楼办〔2025〕{BANK_CARD}号"),
        ("topic", f"低保{MOBILE[:3]}.{MOBILE[3:7]}.{MOBILE[7:]}"),
        ("issuer", f"李楼街道{ID_NUMBER}"),
    ):
        response = client.post(url, {"written_date": "", field: value})
        assert response.status_code == 200, field
        assert response.context["form"].errors, field
    lilou_record.refresh_from_db()
    assert (lilou_record.document_number, lilou_record.issuer) == ("", "李楼街道办事处")
    for path in (
        lilou_record.get_absolute_url(),
        reverse("disclosures:record_notice", args=[lilou_record.pk]),
        f"/search/?q={MOBILE[:3]}",
    ):
        assert _no_secret_in(Client().get(path).content.decode()) == [], path


# -------------------------------------------------------------------------- notice


def test_notice_of_a_draft_or_withdrawn_record_is_gone_even_from_the_cache(
    portal, township_clerk, page_caching
):
    draft = draft_record(title="李楼街道未发布的公示")
    visitor = Client()
    assert (
        visitor.get(reverse("disclosures:record_notice", args=[draft.pk])).status_code
        == 404
    )
    record = publish_record(title="李楼街道2025年低保审核公示（将撤回）")
    add_name_list(record, rows=3)
    url = reverse("disclosures:record_notice", args=[record.pk])
    first = visitor.get(url)
    assert first.status_code == 200 and "张*明" in first.content.decode()
    assert visitor.get(url)["X-Public-Cache"] == "hit"
    record_services.record_withdraw(
        record=record, reason="名单有误", actor=township_clerk
    )
    after = visitor.get(url)
    assert after.status_code in (404, 410)
    assert "张*明" not in after.content.decode()
    assert "李楼村" not in after.content.decode()


# ------------------------------------------------------------------ proof photos


def test_proof_photos_lose_gps_and_are_unreachable_from_another_county(
    client, portal, township_clerk, other_county_clerk, lilou_record
):
    client.force_login(township_clerk)
    response = client.post(
        reverse("disclosures:record_posting", args=[lilou_record.pk]),
        {
            "photos": SimpleUploadedFile(
                f"{ID_NUMBER}.jpg", _jpeg_with_gps(), "image/jpeg"
            ),
            "posted_on": timezone.localdate().isoformat(),
            "note": "",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    proof = PostingProof.objects.get(record=lilou_record)
    assert ID_NUMBER not in proof.photo.name  # the file name is not kept
    photo_url = reverse("disclosures:posting_photo", args=[lilou_record.pk, proof.pk])
    served = b"".join(client.get(photo_url).streaming_content)
    assert b"SpyCam" not in served and b"Exif" not in served
    assert Image.open(io.BytesIO(served)).getexif().get_ifd(0x8825) == {}
    # Another county's clerk guessing URLs: the photo, the page, the delete.
    client.force_login(other_county_clerk)
    assert client.get(photo_url).status_code == 404
    posting_page = reverse("disclosures:record_posting", args=[lilou_record.pk])
    assert client.get(posting_page).status_code == 404
    delete = reverse("disclosures:posting_delete", args=[lilou_record.pk, proof.pk])
    assert client.post(delete).status_code == 404
    # … nor through a record of their own county with the guessed proof number.
    yanshi_township = (
        Region.objects.filter(
            code__startswith=YANSHI, level=Region.Level.TOWNSHIP, official=True
        )
        .order_by("code")
        .first()
    )
    own = publish_record(region_code=yanshi_township.code, title="偃师区某镇低保公示")
    guessed = reverse("disclosures:posting_photo", args=[own.pk, proof.pk])
    assert client.get(guessed).status_code == 404
    assert (
        client.post(
            reverse("disclosures:posting_delete", args=[own.pk, proof.pk])
        ).status_code
        == 404
    )
    assert PostingProof.objects.filter(pk=proof.pk).exists()
    # Anonymous: never.
    assert Client().get(photo_url).status_code in (302, 404)
    assert posting.posting_proofs_of(lilou_record) == [proof]


# ------------------------------------------------------------------------ villages


@pytest.mark.parametrize(
    "name",
    [
        f"李楼村{MOBILE[:3]}.{MOBILE[3:7]}.{MOBILE[7:]}",
        f"李楼村{ID_NUMBER[:4]}.{ID_NUMBER[4:8]}.{ID_NUMBER[8:12]}.{ID_NUMBER[12:]}",
        f"李楼村{MOBILE}",
        "李楼村１３９ ８７６５ ４３２１",
    ],
)
def test_a_village_name_holding_a_phone_or_id_number_is_refused(
    client, county_clerk, name
):
    client.force_login(county_clerk)
    response = client.post(
        reverse("villages:village_list"),
        {"township": LILOU, "code": "410311012298", "name": name},
    )
    assert response.status_code == 200
    assert not Region.objects.filter(code="410311012298").exists()
    csv = f"code,name,township_code\n410311012297,{name},{LILOU}\n".encode()
    with pytest.raises(villages.VillageImportError):
        villages.villages_import_csv(data=csv, actor=county_clerk, within=LUOLONG)
    assert not Region.objects.filter(code="410311012297").exists()


def test_another_countys_villages_are_out_of_reach(
    client, portal, county_clerk, other_county_clerk, township_clerk, lilou_record
):
    lilou_village = villages.village_create(
        township=Region.objects.get(code=LILOU),
        code="410311012201",
        name="李楼村",
        actor=county_clerk,
    )
    yanshi_township = (
        Region.objects.filter(code__startswith=YANSHI, level=Region.Level.TOWNSHIP)
        .order_by("code")
        .first()
    )
    yanshi_village = villages.village_create(
        township=yanshi_township,
        code=f"{yanshi_township.code}201",
        name="偃师某村",
        actor=other_county_clerk,
    )
    # 偃师区's clerk cannot add a village under 李楼街道, nor see 洛龙区's.
    client.force_login(other_county_clerk)
    page = client.get(reverse("villages:village_list"))
    assert "李楼村" not in page.content.decode()
    client.post(
        reverse("villages:village_list"),
        {"township": LILOU, "code": "410311012202", "name": "入侵村"},
    )
    csv = f"code,name,township_code\n410311012203,入侵村,{LILOU}\n".encode()
    response = client.post(
        reverse("villages:village_list"),
        {"action": "import", "file": SimpleUploadedFile("v.csv", csv)},
    )
    assert response.status_code == 200
    assert not Region.objects.filter(code__in=["410311012202", "410311012203"])
    # 李楼街道's record cannot name 偃师区's village, through the service or the page.
    with pytest.raises(ValidationError):
        record_village_set(
            record=lilou_record, village=yanshi_village, actor=township_clerk
        )
    client.force_login(township_clerk)
    client.post(
        reverse("disclosures:record_posting", args=[lilou_record.pk]),
        {"action": "village", "village": yanshi_village.code},
    )
    lilou_record.refresh_from_db()
    assert lilou_record.village_id is None
    record_village_set(record=lilou_record, village=lilou_village, actor=township_clerk)
    # … and 偃师区's clerk cannot change it back.
    client.force_login(other_county_clerk)
    assert (
        client.post(
            reverse("disclosures:record_posting", args=[lilou_record.pk]),
            {"action": "village", "village": ""},
        ).status_code
        == 404
    )
    lilou_record.refresh_from_db()
    assert lilou_record.village_id == lilou_village.code


def test_applicant_files_and_township_applications_stay_with_their_region(
    client, portal, county_clerk, other_county_clerk, township_clerk, city_reviewer
):
    """A file number guessed under another application, a county clerk reading a
    township's application (above is not the receiving region), the city's
    progress review: none shows the applicant or the file."""
    response = client.post(
        "/apply/?county=410311",
        _apply_post(
            receiver=LILOU,
            attachment=SimpleUploadedFile(
                "身份证复印件.pdf", b"%PDF-1.4 copy of an id card", "application/pdf"
            ),
        ),
    )
    application = Application.objects.get(code=response.context["code"])
    assert application.region_id == LILOU
    stored = application.files.get()
    other = paper_application(county_clerk, date.today() - timedelta(days=1))
    file_url = reverse("onrequest:application_file", args=[application.pk, stored.pk])
    guessed = reverse("onrequest:application_file", args=[other.pk, stored.pk])
    client.force_login(township_clerk)
    own = client.get(file_url)
    assert own.status_code == 200
    assert own["Content-Disposition"].startswith("attachment")
    assert "no-store" in own["Cache-Control"]
    for intruder in (county_clerk, other_county_clerk, city_reviewer):
        client.force_login(intruder)
        assert client.get(file_url).status_code == 404
        assert client.get(guessed).status_code == 404
        detail = reverse("onrequest:application_detail", args=[application.pk])
        assert client.get(detail).status_code == 404
        listing = client.get(reverse("onrequest:application_list"))
        assert "隐私攻击人" not in listing.content.decode()
    client.force_login(city_reviewer)
    progress = client.get(reverse("onrequest:application_progress"))
    assert progress.status_code == 200
    assert _no_secret_in(progress.content.decode(), (*SECRETS, "隐私攻击人")) == []


def test_a_township_clerk_adds_no_village_and_apply_takes_no_foreign_receiver(
    client, portal, township_clerk
):
    client.force_login(township_clerk)
    response = client.post(
        reverse("villages:village_list"),
        {"township": LILOU, "code": "410311012296", "name": "越权村"},
    )
    assert response.status_code == 403
    assert not Region.objects.filter(code="410311012296").exists()
    # An application posted on 洛龙区's form but addressed to 偃师区 is refused.
    anonymous = Client()
    refused = anonymous.post("/apply/?county=410311", _apply_post(receiver=YANSHI))
    assert refused.context["form"].errors["receiver"]
    assert not Application.objects.exists()
