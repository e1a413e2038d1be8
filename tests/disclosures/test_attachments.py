"""Attachments: content scan, name-list and macro refusals, image metadata, second-person confirmation.

Test files are built in code: openpyxl, python-docx, pypdf (a page with a
Helvetica text stream, compressed XMP), Pillow (photos with GPS EXIF, a
"scanned" PDF of one image). One test renders a Chinese docx to PDF with
LibreOffice (marked ``libreoffice``).
"""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils import get_column_letter

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalogs.models import AuditLogEntry, User
from disclosures.deidentify import gb11643_check_digit
from disclosures.models import Attachment
from disclosures.records import attachment_scan, attachments
from disclosures.records import services as record_services
from tests.disclosures.builders import at
from tests.files import (
    docx_bytes,
    jpeg_with_gps,
    name_list_xlsx,
    pdf_bytes,
    scanned_pdf_bytes,
    xlsx_bytes,
    xmp_packet,
)

# `fresh_calendar` (tests/disclosures/conftest.py): no test sees another's calendar edits.
pytestmark = pytest.mark.usefixtures("fresh_calendar")

ID17 = "41030219900307123"
ID_NUMBER = ID17 + gb11643_check_digit(ID17)
MOBILE = "13812345678"
BANK_CARD = "6222021234567890123"
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def id_ending_in_x() -> str:
    for n in range(1000):
        first17 = f"41030219850612{n:03d}"
        if gb11643_check_digit(first17) == "X":
            return first17 + "X"
    raise AssertionError("no X check digit")


ID_X = id_ending_in_x()


# --------------------------------------------------------------------------- builders


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def refusal(data: bytes, name: str) -> str:
    """The scan's refusal message of a file, without a database."""
    with pytest.raises(ValidationError) as excinfo:
        attachments._clean_upload(upload(name, data))
    (message,) = excinfo.value.message_dict["attachments"]
    return message


# --------------------------------------------------------------------------- identifiers in files


@pytest.mark.parametrize(
    ("name", "data", "position", "kind"),
    [
        (
            "正文.docx",
            docx_bytes(["通知", "张三 身份证号" + ID_NUMBER]),
            "第2段",
            "身份证号",
        ),
        (
            "表格.docx",
            docx_bytes(table=[["事项", "联系方式"], ["低保", "手机" + MOBILE]]),
            "第1个表格第2行第2列",
            "手机号",
        ),
        ("页眉.docx", docx_bytes(header="经办人 " + MOBILE), "页眉", "手机号"),
        ("页脚.docx", docx_bytes(footer="账户 " + BANK_CARD), "页脚", "银行卡号"),
        (
            "文本框.docx",
            docx_bytes(textbox="身份证 " + ID_NUMBER),
            "文本框",
            "身份证号",
        ),
        (
            "分段.docx",
            docx_bytes(
                runs=["申请人身份证", ID_NUMBER[:6], ID_NUMBER[6:12], ID_NUMBER[12:]]
            ),
            "第2段",
            "身份证号",
        ),
        (
            "单元格.xlsx",
            xlsx_bytes({"C3": ID_NUMBER}),
            "工作表“汇总”第3行C列",
            "身份证号",
        ),
        (
            "数字.xlsx",
            xlsx_bytes({"D4": int(MOBILE)}),
            "工作表“汇总”第4行D列",
            "手机号",
        ),
        (
            "隐藏行.xlsx",
            xlsx_bytes(hidden_row=("B9", "卡号 " + BANK_CARD)),
            "工作表“汇总”第9行B列",
            "银行卡号",
        ),
        (
            "隐藏表.xlsx",
            xlsx_bytes(hidden_sheet=("E5", ID_NUMBER)),
            "隐藏的工作表“底稿”第5行E列",
            "身份证号",
        ),
        (
            "页眉.xlsx",
            xlsx_bytes(header_text="联系人" + MOBILE),
            "工作表“汇总”的页眉页脚",
            "手机号",
        ),
        (
            "第二页.pdf",
            pdf_bytes(["Page one", "Applicant ID " + ID_NUMBER]),
            "第2页",
            "身份证号",
        ),
        (
            "属性.pdf",
            pdf_bytes(info={"/Title": "Contact " + MOBILE}),
            "文档属性（Title）",
            "手机号",
        ),
        (
            "元数据.pdf",
            pdf_bytes(xmp=xmp_packet("Zhang San " + ID_NUMBER)),
            "文档属性（XMP元数据）",
            "身份证号",
        ),
        (
            "表.csv",
            ("序号,说明\n1,正常\n2,身份证" + ID_NUMBER + "\n").encode("gb18030"),
            "第3行B列",
            "身份证号",
        ),
    ],
)
def test_identifier_in_a_file_is_refused_with_its_position(name, data, position, kind):
    message = refusal(data, name)
    assert f"附件“{name}”中有个人信息" in message
    assert position in message and kind in message
    assert "名单请通过名单公示上传，系统会自动去标识化" in message
    for raw in (ID_NUMBER, MOBILE, BANK_CARD, ID_NUMBER[:14]):
        assert raw not in message


def test_compressed_xmp_really_is_compressed():
    """The XMP test above is meaningful: the identifier is not in the file's bytes."""
    data = pdf_bytes(xmp=xmp_packet("Zhang San " + ID_NUMBER))
    assert ID_NUMBER.encode() not in data and b"/FlateDecode" in data


@pytest.mark.parametrize(
    "written",
    [
        ID_NUMBER.translate(FULL_WIDTH),
        f"{ID_NUMBER[:6]} {ID_NUMBER[6:14]} {ID_NUMBER[14:]}",
        f"{ID_NUMBER[:6]}-{ID_NUMBER[6:14]}-{ID_NUMBER[14:]}",
        ID_X.lower(),
        "+86 138-1234-5678",
    ],
)
def test_encodings_clerks_type_are_found_in_documents(written):
    message = refusal(docx_bytes(["说明", "对象：" + written]), "通知.docx")
    assert "第2段" in message


def test_the_file_name_is_scanned_and_never_quoted():
    message = refusal(docx_bytes(), f"张三{ID_NUMBER}.docx")
    assert ID_NUMBER not in message and "文件名" in message and "身份证号" in message


def test_clean_files_pass_and_are_marked_clean():
    clean = [
        (
            "通知.docx",
            docx_bytes(
                [
                    "低保标准调整通知",
                    "监督电话：0379-63921234",
                    "2025年3月起每人每月1,200元。",
                ],
                table=[["项目", "标准"], ["城市低保", "780元"]],
            ),
        ),
        ("统计.xlsx", xlsx_bytes({"C3": "0379-63921234", "D3": 20250301})),
        (
            "通知.pdf",
            pdf_bytes(
                ["Standard raised to 780 yuan from 2025-03-01", "Tel 0379-63921234"],
                info={"/Title": "Notice"},
            ),
        ),
        ("统计.csv", "项目,金额\n低保金,1200\n特困供养金,980\n".encode()),
    ]
    for name, data in clean:
        result = attachments._clean_upload(upload(name, data))
        assert result.status == Attachment.ScanStatus.CLEAN, name


# --------------------------------------------------------------------------- name lists, macros, embedded files


def test_a_name_list_workbook_is_sent_to_the_name_list_upload():
    message = refusal(name_list_xlsx(), "低保名单.xlsx")
    assert "看起来是一份名单" in message and "工作表“Sheet”" in message
    assert "名单请通过名单公示上传，系统会自动去标识化" in message


def test_a_name_list_csv_and_a_name_list_table_in_a_docx_are_refused():
    csv_data = "姓名,身份证号,金额\n王小明,4103**********1231,1200\n".encode("gb18030")
    assert "看起来是一份名单" in refusal(csv_data, "名单.csv")
    table = [["姓名", "家庭人口", "救助金额"], ["王小明", "3", "1200"]]
    assert "第1个表格" in refusal(docx_bytes(table=table), "名单.docx")


def test_a_table_of_items_is_not_a_name_list():
    data = xlsx_bytes(rows=[["姓名", "职务"], ["王小明", "科长"]])
    assert (
        attachments._clean_upload(upload("分工.xlsx", data)).status
        == Attachment.ScanStatus.CLEAN
    )


@pytest.mark.parametrize("name", ["汇总.xlsm", "通知.docm"])
def test_macro_enabled_extensions_are_refused(name):
    message = refusal(b"PK\x03\x04anything", name)
    assert "启用宏" in message and name in message


def _with_part(
    data: bytes,
    part: str,
    content: bytes = b"\x00macro",
    content_type: bytes | None = None,
) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            payload = source.read(info)
            if content_type and info.filename == "[Content_Types].xml":
                payload = payload.replace(b"spreadsheetml.sheet.main+xml", content_type)
            target.writestr(info, payload)
        if part:
            target.writestr(part, content)
    return out.getvalue()


def test_a_vba_project_inside_an_xlsx_is_refused():
    message = refusal(_with_part(xlsx_bytes(), "xl/vbaProject.bin"), "改了扩展名.xlsx")
    assert "含有宏" in message


def test_a_macro_enabled_content_type_is_refused():
    data = _with_part(xlsx_bytes(), "", content_type=b"sheet.macroEnabled.main+xml")
    assert "含有宏" in refusal(data, "工作簿.xlsx")


def test_an_embedded_workbook_in_a_docx_is_refused():
    data = _with_part(
        docx_bytes(), "word/embeddings/Microsoft_Excel_Worksheet.xlsx", name_list_xlsx()
    )
    assert "嵌入了其他文件或对象" in refusal(data, "说明.docx")


# --------------------------------------------------------------------------- images


def test_photo_exif_and_gps_are_removed():
    from PIL import Image

    original = jpeg_with_gps()
    assert (
        Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)
    )  # the test photo has GPS
    cleaned = attachments._clean_upload(upload("公示栏.jpg", original))
    assert cleaned.status == Attachment.ScanStatus.NEEDS_REVIEW
    assert "图片" in cleaned.note
    image = Image.open(io.BytesIO(cleaned.data))
    assert image.format == "JPEG" and image.size == (40, 20)
    assert len(image.getexif()) == 0 and not image.getexif().get_ifd(0x8825)
    assert b"Exif" not in cleaned.data and b"Phone Maker" not in cleaned.data


def test_photo_orientation_is_applied_before_exif_goes():
    from PIL import Image

    cleaned = attachments.strip_image_metadata(
        jpeg_with_gps(size=(40, 20), orientation=6), "jpeg"
    )
    assert Image.open(io.BytesIO(cleaned)).size == (20, 40)


def test_png_text_chunks_are_removed():
    from PIL import Image, PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "张三 " + MOBILE)
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "PNG", pnginfo=info)
    cleaned = attachments.strip_image_metadata(buffer.getvalue(), "png")
    assert "张三".encode() not in cleaned and MOBILE.encode() not in cleaned
    assert Image.open(io.BytesIO(cleaned)).size == (8, 8)


def test_a_photo_inside_a_docx_loses_its_gps_and_needs_review():
    import docx

    document = docx.Document()
    document.add_paragraph("公示栏照片")
    document.add_picture(io.BytesIO(jpeg_with_gps()))
    buffer = io.BytesIO()
    document.save(buffer)
    cleaned = attachments._clean_upload(upload("照片.docx", buffer.getvalue()))
    assert cleaned.status == Attachment.ScanStatus.NEEDS_REVIEW
    package = zipfile.ZipFile(io.BytesIO(cleaned.data))
    media = [n for n in package.namelist() if n.startswith("word/media/")]
    assert media and all(b"Phone Maker" not in package.read(n) for n in media)


def test_a_file_that_is_not_the_image_it_claims_is_refused():
    assert "内容与扩展名不符" in refusal(b"GIF89a....", "照片.png")


# --------------------------------------------------------------------------- pdf metadata and scans


def test_a_scanned_pdf_needs_review():
    cleaned = attachments._clean_upload(upload("扫描件.pdf", scanned_pdf_bytes()))
    assert cleaned.status == Attachment.ScanStatus.NEEDS_REVIEW
    assert "第1页没有可提取的文字" in cleaned.note


def test_a_drawing_only_page_among_text_pages_needs_review():
    cleaned = attachments._clean_upload(
        upload("混合.pdf", pdf_bytes(["Page one", None]))
    )
    assert (
        cleaned.status == Attachment.ScanStatus.NEEDS_REVIEW and "第2页" in cleaned.note
    )


def test_compressed_xmp_and_author_are_removed_from_a_clean_pdf():
    from pypdf import PdfReader

    data = pdf_bytes(
        info={"/Author": "Zhang San", "/Title": "Notice"}, xmp=xmp_packet("Zhang San")
    )
    cleaned = attachments._clean_upload(upload("通知.pdf", data))
    assert cleaned.status == Attachment.ScanStatus.CLEAN
    reader = PdfReader(io.BytesIO(cleaned.data))
    assert "/Metadata" not in reader.trailer["/Root"]
    assert (
        reader.metadata.get("/Author") is None
        and reader.metadata.get("/Title") == "Notice"
    )
    assert reader.pages[0].extract_text() == "Notice of the subsidy standard"
    assert b"Zhang" not in cleaned.data


def test_an_earlier_revision_of_an_incrementally_saved_pdf_is_not_stored():
    """Text deleted in a later save stays in the bytes; the stored file is the latest revision only."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import DecodedStreamObject, NameObject

    original = pdf_bytes(["Applicant ID " + ID_NUMBER])
    writer = PdfWriter(io.BytesIO(original), incremental=True)
    content = DecodedStreamObject()
    content.set_data(b"BT /F1 12 Tf 72 720 Td (Applicant ID removed) Tj ET")
    writer.pages[0][NameObject("/Contents")] = writer._add_object(content)
    buffer = io.BytesIO()
    writer.write(buffer)
    data = buffer.getvalue()
    assert data.startswith(original) and ID_NUMBER.encode() in data
    cleaned = attachments._clean_upload(upload("更正后.pdf", data))
    assert cleaned.status == Attachment.ScanStatus.CLEAN
    assert ID_NUMBER.encode() not in cleaned.data
    assert (
        PdfReader(io.BytesIO(cleaned.data)).pages[0].extract_text()
        == "Applicant ID removed"
    )


def test_an_embedded_file_in_a_pdf_is_refused():
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes())))
    writer.add_attachment("名单.xlsx", name_list_xlsx())
    buffer = io.BytesIO()
    writer.write(buffer)
    assert "嵌入了其他文件" in refusal(buffer.getvalue(), "附文件.pdf")


@pytest.mark.libreoffice
def test_a_chinese_docx_rendered_to_pdf_by_libreoffice_is_scanned(tmp_path):
    """A real office PDF (CID fonts, compressed streams): the ID number on page 1 is found."""
    assert shutil.which("libreoffice"), (
        "LibreOffice is needed for this test (scripts/system-deps.sh)"
    )
    source = tmp_path / "通知.docx"
    source.write_bytes(
        docx_bytes(
            [
                "关于2025年低保对象的公示",
                "申请人王小明，身份证号" + ID_NUMBER + "，家庭人口3人。",
            ]
        )
    )
    subprocess.run(
        [
            "libreoffice",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    data = (tmp_path / "通知.pdf").read_bytes()
    assert ID_NUMBER.encode() not in data  # the text is only in compressed streams
    message = refusal(data, "通知.pdf")
    assert "第1页有身份证号" in message and ID_NUMBER not in message


# --------------------------------------------------------------------------- property tests

_FILLER = st.text(
    alphabet="低保特困供养救助金标准发放通知公示村社区人口说明，。：",
    min_size=0,
    max_size=12,
)


def _identifiers() -> st.SearchStrategy[str]:
    ids = st.builds(
        lambda body: body + gb11643_check_digit(body),
        st.from_regex(
            r"41[0-9]{4}19[5-9][0-9](0[1-9]|1[0-2])(0[1-9]|1[0-9]|2[0-8])[0-9]{3}",
            fullmatch=True,
        ),
    )
    mobiles = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
    cards = st.from_regex(r"62[0-9]{14,17}", fullmatch=True)
    return st.one_of(ids, mobiles, cards, st.just(ID_X))


@st.composite
def written_identifier(draw) -> str:
    """An identifier as a clerk may type it: full-width, with spaces or hyphens, lower-case x."""
    value = draw(_identifiers())
    style = draw(st.sampled_from(["plain", "full", "spaced", "hyphens", "lower"]))
    if style == "full":
        return value.translate(FULL_WIDTH)
    if style == "lower":
        return value.lower()
    if style in ("spaced", "hyphens"):
        cut = draw(st.lists(st.integers(1, len(value) - 1), max_size=3, unique=True))
        sep = " " if style == "spaced" else "-"
        pieces, last = [], 0
        for i in sorted(cut):
            pieces.append(value[last:i])
            last = i
        pieces.append(value[last:])
        return sep.join(pieces)
    return value


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.integers(2, 12),
    columns=st.integers(1, 6),
    data=st.data(),
)
def test_property_an_identifier_in_any_cell_of_an_xlsx_is_found_there(
    rows, columns, data
):
    import openpyxl

    row = data.draw(st.integers(1, rows))
    column = data.draw(st.integers(1, columns))
    identifier = data.draw(written_identifier())
    hidden = data.draw(st.booleans())
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if hidden:
        sheet.sheet_state = "hidden"
        workbook.create_sheet("封面")
    for r in range(1, rows + 1):
        for c in range(1, columns + 1):
            sheet.cell(r, c, data.draw(_FILLER) or None)
    sheet.cell(row, column, data.draw(_FILLER) + identifier + data.draw(_FILLER))
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = attachment_scan.scan_xlsx(buffer.getvalue())
    letter = get_column_letter(column)
    assert [f.position for f in result.findings] == [
        f"{'隐藏的工作表' if hidden else '工作表'}“Sheet”第{row}行{letter}列"
    ]
    assert set(result.findings[0].kinds) <= attachment_scan.REFUSED_KINDS


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(count=st.integers(1, 8), data=st.data())
def test_property_an_identifier_in_any_paragraph_of_a_docx_is_found_there(count, data):
    import docx

    target = data.draw(st.integers(1, count))
    identifier = data.draw(written_identifier())
    document = docx.Document()
    for n in range(1, count + 1):
        paragraph = document.add_paragraph("第%s项：" % "一二三四五六七八"[n - 1])
        if n == target:
            text = data.draw(_FILLER) + identifier + data.draw(_FILLER)
            cut = data.draw(
                st.integers(0, len(text))
            )  # Word splits text into runs anywhere
            paragraph.add_run(text[:cut])
            paragraph.add_run(text[cut:])
        else:
            paragraph.add_run(data.draw(_FILLER))
    buffer = io.BytesIO()
    document.save(buffer)
    result = attachment_scan.scan_docx(buffer.getvalue())
    assert [f.position for f in result.findings] == [f"第{target}段"]


# --------------------------------------------------------------------------- storing and confirming (database)


@pytest.fixture
def record(policy_item, county, county_clerk):
    return record_services.record_create(
        region=county,
        item=policy_item,
        trigger_date=date(2025, 3, 3),
        title="低保标准调整",
        actor=county_clerk,
        now=at(2025, 3, 4),
    )


@pytest.fixture
def colleague(make_user):
    return make_user(User.Role.COUNTY_CLERK, "410311", username="clerk-luolong-2")


@pytest.fixture
def scanned(record, county_clerk):
    (attachment,) = attachments.attachments_add(
        record=record,
        files=[upload("公示照片.jpg", jpeg_with_gps())],
        actor=county_clerk,
    )
    return attachment


@pytest.mark.django_db
def test_a_refused_file_stores_nothing(record, county_clerk):
    with pytest.raises(ValidationError, match="第2段有身份证号"):
        attachments.attachments_add(
            record=record,
            files=[
                upload("好的.docx", docx_bytes()),
                upload("坏的.docx", docx_bytes(["说明", ID_NUMBER])),
            ],
            actor=county_clerk,
        )
    assert not Attachment.objects.exists()


@pytest.mark.django_db
def test_an_identifier_refusal_carries_the_gate_code(record, county_clerk):
    from disclosures.public import gate

    with pytest.raises(ValidationError) as excinfo:
        attachments.attachments_add(
            record=record,
            files=[upload("名单.xlsx", name_list_xlsx())],
            actor=county_clerk,
        )
    assert gate.has_identifier_refusal(excinfo.value)


@pytest.mark.django_db
def test_clean_and_unscannable_files_are_stored_with_their_status(record, county_clerk):
    stored = attachments.attachments_add(
        record=record,
        files=[
            upload("通知.docx", docx_bytes()),
            upload("扫描件.pdf", scanned_pdf_bytes()),
        ],
        actor=county_clerk,
    )
    assert [a.scan_status for a in stored] == ["clean", "needs_review"]
    assert all(a.uploaded_by == county_clerk for a in stored)
    assert list(Attachment.objects.publishable()) == [stored[0]]
    assert stored[0].is_publishable and not stored[1].is_publishable
    entry = AuditLogEntry.objects.get(action="disclosures.record.attachments_added")
    assert entry.data["needs_review"] == ["扫描件.pdf"]


@pytest.mark.django_db
def test_an_attachment_made_without_the_scan_is_not_publishable(record):
    attachment = Attachment.objects.create(record=record, original_name="旧附件.pdf")
    assert attachment.scan_status == "needs_review"
    assert not Attachment.objects.publishable().exists()


@pytest.mark.django_db
def test_the_uploader_cannot_confirm(scanned, county_clerk):
    with pytest.raises(PermissionDenied, match="上传人不能确认自己上传的附件"):
        attachments.attachment_confirm(attachment=scanned, actor=county_clerk)
    scanned.refresh_from_db()
    assert scanned.scan_status == "needs_review"


@pytest.mark.django_db
def test_another_county_and_a_township_below_cannot_confirm(
    scanned, other_county_clerk, township_clerk
):
    for user in (other_county_clerk, township_clerk):
        with pytest.raises(PermissionDenied):
            attachments.attachment_confirm(attachment=scanned, actor=user)


@pytest.mark.django_db
def test_a_colleague_or_the_city_confirms_and_it_becomes_publishable(
    scanned, colleague, city_reviewer, record, county_clerk
):
    confirmed = attachments.attachment_confirm(attachment=scanned, actor=colleague)
    assert confirmed.scan_status == "confirmed" and confirmed.confirmed_by == colleague
    assert confirmed.confirmed_at is not None
    assert list(Attachment.objects.publishable()) == [confirmed]
    entry = AuditLogEntry.objects.get(action="disclosures.attachment.confirmed")
    assert (
        entry.actor == colleague
        and entry.region_id == "410311"
        and entry.data["record"] == record.pk
    )
    with pytest.raises(ValidationError, match="不需要人工确认"):
        attachments.attachment_confirm(attachment=confirmed, actor=colleague)
    (second,) = attachments.attachments_add(
        record=record, files=[upload("照片2.png", _png())], actor=county_clerk
    )
    assert (
        attachments.attachment_confirm(
            attachment=second, actor=city_reviewer
        ).scan_status
        == "confirmed"
    )


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.django_db
def test_the_database_refuses_a_self_confirmation(scanned, county_clerk):
    from django.utils import timezone

    scanned.scan_status = "confirmed"
    scanned.confirmed_by = county_clerk
    scanned.confirmed_at = timezone.now()
    with pytest.raises(ValidationError, match="上传人不能确认自己上传的附件"):
        scanned.full_clean()


@pytest.mark.django_db
def test_unpublishable_attachment_problem_is_explained(scanned):
    assert (
        "需要本单位或上级单位的另一位工作人员"
        in attachments.attachment_publication_problem(scanned)
    )


# --------------------------------------------------------------------------- staff pages


@pytest.mark.django_db
def test_manage_page_shows_scan_status_and_who_may_confirm(
    client, record, scanned, county_clerk, colleague
):
    url = reverse("disclosures:record_manage", args=[record.pk])
    confirm_url = reverse(
        "disclosures:attachment_confirm", args=[record.pk, scanned.pk]
    )
    client.force_login(county_clerk)
    html = client.get(url).content.decode()
    assert "无法自动扫描，待他人确认" in html and "图片中的文字无法自动扫描" in html
    assert "您是上传人：需由本单位或上级单位的另一位工作人员确认后才能公开。" in html
    assert confirm_url not in html
    client.force_login(colleague)
    html = client.get(url).content.decode()
    assert confirm_url in html and "确认无个人隐私信息" in html


@pytest.mark.django_db
def test_colleague_confirms_through_the_page(client, record, scanned, colleague):
    url = reverse("disclosures:attachment_confirm", args=[record.pk, scanned.pk])
    client.force_login(colleague)
    assert "我已打开并逐页查看了这个附件" in client.get(url).content.decode()
    response = client.post(url, {})
    assert (
        response.status_code == 200
        and "请先打开附件逐页查看" in response.content.decode()
    )
    scanned.refresh_from_db()
    assert scanned.scan_status == "needs_review"
    response = client.post(url, {"checked": "on"})
    assert response.status_code == 302 and response["Location"] == reverse(
        "disclosures:record_manage", args=[record.pk]
    )
    scanned.refresh_from_db()
    assert scanned.scan_status == "confirmed" and scanned.confirmed_by == colleague


@pytest.mark.django_db
def test_uploader_sees_that_a_colleague_must_confirm_and_cannot_post(
    client, record, scanned, county_clerk
):
    url = reverse("disclosures:attachment_confirm", args=[record.pk, scanned.pk])
    client.force_login(county_clerk)
    html = client.get(url).content.decode()
    assert (
        'id="confirm-by-colleague"' in html
        and "<form" not in html.split("</header>")[-1].split("<footer")[0]
    )
    assert client.post(url, {"checked": "on"}).status_code == 403
    scanned.refresh_from_db()
    assert scanned.scan_status == "needs_review"


@pytest.mark.django_db
def test_another_region_gets_404(client, record, scanned, other_county_clerk):
    url = reverse("disclosures:attachment_confirm", args=[record.pk, scanned.pk])
    client.force_login(other_county_clerk)
    assert client.get(url).status_code == 404
    assert client.post(url, {"checked": "on"}).status_code == 404
    scanned.refresh_from_db()
    assert scanned.scan_status == "needs_review"


@pytest.mark.django_db
def test_an_attachment_of_another_record_gets_404(
    client, record, scanned, colleague, policy_item, county, county_clerk
):
    other = record_services.record_create(
        region=county,
        item=policy_item,
        trigger_date=date(2025, 3, 3),
        title="另一条",
        actor=county_clerk,
        now=at(2025, 3, 4),
    )
    client.force_login(colleague)
    url = reverse("disclosures:attachment_confirm", args=[other.pk, scanned.pk])
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_upload_refusal_in_the_record_form_links_the_name_list_upload(
    client, policy_item, county_clerk
):
    client.force_login(county_clerk)
    response = client.post(
        reverse("disclosures:record_create"),
        {
            "item": policy_item.pk,
            "trigger_date": "2025-03-03",
            "title": "低保标准调整",
            "publish": "draft",
            "attachments": [upload("名单.xlsx", name_list_xlsx())],
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "看起来是一份名单" in html
    assert reverse("disclosures:namelist_upload_choose") in html
    assert not Attachment.objects.exists()
