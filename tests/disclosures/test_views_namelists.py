"""Name-list pages: the staff workflow under /work/namelists/, the public table and its
downloads. Bad files at the upload view, the preview equal to the public output,
another region's 404s, query counts that do not grow with the list."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import timedelta

import openpyxl
import pytest
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from django.urls import reverse
from django.utils import timezone

from catalogs.models import AuditLogEntry
from demo import namelists as demo_namelists
from disclosures.deidentify import mask_name
from disclosures.models import NameList, NameListRow
from disclosures.namelists import processing as namelist_processing
from disclosures.namelists import selectors as namelist_selectors
from disclosures.namelists import services as namelist_services
from disclosures.namelists import staging as namelist_staging
from disclosures.spreadsheets import OLE2_MAGIC
from tests.builders import (
    dibao_bytes,
    list_bytes,
    people,
    process,
    publish_list,
    publish_record,
    staged_files,
    temporary_record,
)

LILOU = "410311012"
Status = NameList.Status

pytestmark = pytest.mark.usefixtures(
    "staging"
)  # each test stages uploads in its own directory


def upload_file(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def upload_url(record) -> str:
    return reverse("disclosures:namelist_upload", args=[record.pk])


def table_html(content: bytes) -> str:
    """The masked table (and its pagination) of a page, as rendered."""
    html = content.decode()
    start = html.index('<div class="table-wrap" role="region"')
    end = html.index("</table>", start)
    return html[start:end]


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as entry:
            block = b"<row/>" * (1024 * 1024 // 6)
            for _ in range(8):
                entry.write(block)
    return buffer.getvalue()


def formula_workbook() -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["姓名", "家庭人口", "金额"])
    sheet.append(["王伟", 2, "=SUM(1,2)"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def two_sheet_workbook() -> bytes:
    workbook = openpyxl.Workbook()
    notes = workbook.active
    notes.title = "说明"
    notes.append(["填表说明", "请勿修改"])
    notes.append(["姓名", "家庭人口"])
    notes.append(["示例", 1])
    data = workbook.create_sheet("名单")
    data.append(["户主姓名", "保障人口", "所属村"])
    data.append(["赵丽", 3, "岳村"])
    data.append(["钱强", 2, "郭村"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- bad files at the upload view ---------------------------------------------------------------

BAD_FILES = [
    ("not_spreadsheet", "名单.pdf", b"%PDF-1.4\n%binary", "不是电子表格"),
    ("empty", "名单.csv", b"", "是空的"),
    (
        "encrypted",
        "名单.xlsx",
        OLE2_MAGIC
        + b"\x00" * 600
        + "EncryptedPackage".encode("utf-16-le")
        + b"\x00" * 50,
        "文件已加密",
    ),
    ("old_xls", "名单.xls", OLE2_MAGIC + b"\x00" * 2000, "旧版 Excel（.xls）"),
    ("zip_bomb", "名单.xlsx", None, "疑似压缩炸弹"),
    ("formula", "名单.xlsx", None, "第2行第C列含有公式"),
    ("no_header", "名单.csv", "甲,乙\n1,2\n".encode(), "没有找到可识别的表头"),
    ("no_data", "名单.csv", "姓名,家庭人口\n".encode(), "表头（第1行）下面没有数据"),
    (
        "encoding",
        "名单.csv",
        "姓名,家庭人口\n王伟,2\n".encode("utf-16-le"),
        "不是电子表格",
    ),
]


@pytest.mark.parametrize(
    ("code", "filename", "data", "message"), BAD_FILES, ids=[b[0] for b in BAD_FILES]
)
def test_bad_files_are_refused_with_a_chinese_message_and_nothing_is_stored(
    client,
    lilou_record,
    township_clerk,
    staging,
    code,
    filename,
    data,
    message,
    settings,
):
    if code == "zip_bomb":
        data = zip_bomb()
    elif code == "formula":
        data = formula_workbook()
    client.force_login(township_clerk)
    response = client.post(
        upload_url(lilou_record), {"file": upload_file(filename, data)}
    )
    assert response.status_code == 200
    assertContains(response, message)
    assert not NameList.objects.exists() and not NameListRow.objects.exists()
    assert staged_files(staging) == []
    assert not AuditLogEntry.objects.filter(
        action__startswith="disclosures.namelist."
    ).exists()


def test_oversized_file_is_refused_at_the_view(
    client, lilou_record, township_clerk, staging, settings
):
    settings.MAX_UPLOAD_BYTES = 2048
    client.force_login(township_clerk)
    response = client.post(
        upload_url(lilou_record), {"file": upload_file("名单.xlsx", list_bytes())}
    )
    assertContains(response, "超过了2.0\xa0KB的上限。请拆分后分批上传。")
    assert not NameList.objects.exists() and staged_files(staging) == []


def test_missing_file_is_named(client, lilou_record, township_clerk):
    client.force_login(township_clerk)
    response = client.post(upload_url(lilou_record), {})
    assertContains(response, "名单文件")
    assertContains(response, "这个字段是必填项。")


# --- the workflow through the pages -----------------------------------------------------------------


def test_clerk_uploads_maps_previews_submits_and_a_colleague_confirms(
    client,
    lilou_record,
    township_clerk,
    county_clerk,
    staging,
    django_capture_on_commit_callbacks,
):
    crowd = people(60)
    client.force_login(township_clerk)
    index = client.get(reverse("disclosures:namelist_index"))
    assertContains(index, lilou_record.title)
    chosen = client.get(
        reverse("disclosures:namelist_upload_choose"), {"record": lilou_record.pk}
    )
    assertRedirects(chosen, upload_url(lilou_record))

    response = client.post(
        upload_url(lilou_record), {"file": upload_file("名单.xlsx", list_bytes(60))}
    )
    token = re.search(
        r"/work/namelists/uploads/([0-9a-f]{32})/", response["Location"]
    ).group(1)
    mapping_page = client.get(response["Location"])
    assertContains(mapping_page, "表头在第3行")
    assertContains(
        mapping_page, '<option value="name" selected>姓名</option>', html=True
    )
    assertContains(mapping_page, "身份证号（按全省规则不公开）")
    assertContains(mapping_page, "类别（按全省规则不公开）")
    mapping_html = mapping_page.content.decode()
    for identifier in demo_namelists.raw_identifiers(crowd):
        assert (
            identifier not in mapping_html
        )  # samples are masked on the staff page too
    form = {
        f"col_{i}": v
        for i, v in enumerate(
            [
                "",
                "name",
                "id_number",
                "phone",
                "bank_card",
                "address",
                "household_size",
                "amount",
                "village",
                "category",
                "",
                "reason",
            ]
        )
    }
    form.update(mask_names="mask", publicity_end="", action="map", sheet="名单")
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(f"/work/namelists/uploads/{token}/", form)
    name_list = NameList.objects.get()
    assertRedirects(
        started, reverse("disclosures:namelist_detail", args=[name_list.pk])
    )
    assert staged_files(staging) == []

    detail = client.get(started["Location"])
    assertContains(detail, "公开预览")
    assertContains(detail, "不公开的列")
    assertContains(detail, "第K列“备注”：未对应到可公开的类型，默认不公开")
    assertContains(detail, "按全省统一规则，身份证号不公开")
    assertContains(detail, "第J列“救助类别”：按全省统一规则，类别不公开")
    assertContains(
        detail,
        "第L列“致困原因”：备注、原因等自由填写的内容可能涉及疾病、残疾等个人隐私，一律不公开",
    )
    assertContains(detail, "校验位错误的身份证号")
    assertContains(
        detail, "第7行“公民身份号码”列"
    )  # row 4 of the data sits on line 7 of the file
    assertNotContains(detail, 'http-equiv="refresh"')
    preview = table_html(detail.content)
    assert f"<td>{mask_name(crowd[0].name)}</td>" in preview  # given names are masked
    assert f"<td>{crowd[0].name}</td>" not in preview
    for identifier in demo_namelists.raw_identifiers(crowd):
        assert identifier not in detail.content.decode()

    assertRedirects(
        client.post(reverse("disclosures:namelist_submit", args=[name_list.pk])),
        reverse("disclosures:namelist_detail", args=[name_list.pk]),
    )
    # The uploader cannot review; the parent region can.
    assert (
        client.get(
            reverse("disclosures:namelist_review", args=[name_list.pk])
        ).status_code
        == 403
    )
    client.force_login(county_clerk)
    queue = client.get(reverse("disclosures:namelist_review_queue"))
    assertContains(queue, lilou_record.title)
    review = client.get(reverse("disclosures:namelist_review", args=[name_list.pk]))
    assert table_html(review.content) == preview
    done = client.post(
        reverse("disclosures:namelist_review", args=[name_list.pk]),
        {"decision": "confirm", "note": ""},
    )
    assertRedirects(done, reverse("disclosures:namelist_review_queue"))
    name_list.refresh_from_db()
    assert (
        name_list.status == Status.CONFIRMED and name_list.confirmed_by == county_clerk
    )

    client.logout()
    public = client.get(lilou_record.get_absolute_url())
    assert table_html(public.content) == preview  # preview == public output
    assertContains(public, "第 1 页，共 2 页")
    second = client.get(lilou_record.get_absolute_url(), {"page": 2})
    assert len(second.context["public_name_list"].rows) == 10


def test_preview_equals_public_page_on_every_page(
    client, lilou_record, township_clerk, county_clerk
):
    name_list = publish_list(
        lilou_record, township_clerk, county_clerk, data=list_bytes(75), mask_names=True
    )
    for page in (1, 2):
        client.force_login(township_clerk)
        staff = client.get(
            reverse("disclosures:namelist_detail", args=[name_list.pk]), {"page": page}
        )
        client.logout()
        public = client.get(lilou_record.get_absolute_url(), {"page": page})
        assert table_html(staff.content) == table_html(public.content)


def test_sheet_choice_when_the_workbook_has_several(
    client, lilou_record, township_clerk, django_capture_on_commit_callbacks
):
    client.force_login(township_clerk)
    response = client.post(
        upload_url(lilou_record),
        {"file": upload_file("名单.xlsx", two_sheet_workbook())},
    )
    url = response["Location"]
    first = client.get(url)
    assertContains(first, "使用此工作表")
    assertContains(first, "第A列“姓名”")
    chosen = client.get(url, {"sheet": "名单"})
    assertContains(chosen, "第A列“户主姓名”")
    assertContains(chosen, "第C列“所属村”")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url,
            {
                "sheet": "名单",
                "col_0": "name",
                "col_1": "household_size",
                "col_2": "village",
                "mask_names": "full",
                "action": "map",
            },
        )
    name_list = NameList.objects.get()
    assert name_list.report["source"]["sheet"] == "名单"
    assert list(name_list.rows.order_by("number").values_list("cells", flat=True)) == [
        ["赵丽", 3, "岳村"],
        ["钱强", 2, "郭村"],
    ]


def test_gb18030_csv_through_the_pages(
    client, lilou_record, township_clerk, django_capture_on_commit_callbacks
):
    text = "救助对象,家庭人口,救助金额（元）,村（社区）\n王秀英,2,800,李楼村\n欧阳明华,4,1200,岳村\n"
    client.force_login(township_clerk)
    response = client.post(
        upload_url(lilou_record),
        {"file": upload_file("名单.csv", text.encode("gb18030"))},
    )
    mapping = client.get(response["Location"])
    assertContains(mapping, "第A列“救助对象”")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            response["Location"],
            {
                "col_0": "name",
                "col_1": "household_size",
                "col_2": "amount",
                "col_3": "village",
                "mask_names": "mask",
                "action": "map",
            },
        )
    detail = client.get(
        reverse("disclosures:namelist_detail", args=[NameList.objects.get().pk])
    )
    assertContains(detail, "<td>欧阳*华</td>", html=True)


def test_mapping_errors_are_shown_and_nothing_is_created(
    client, lilou_record, township_clerk
):
    client.force_login(township_clerk)
    response = client.post(
        upload_url(lilou_record), {"file": upload_file("名单.xlsx", list_bytes())}
    )
    page = client.post(
        response["Location"],
        {
            "col_2": "id_number",
            "col_4": "bank_card",
            "mask_names": "full",
            "action": "map",
        },
    )
    assertContains(page, "没有可以公开的列")
    page = client.post(response["Location"], {"col_1": "name", "action": "map"})
    assertContains(page, "姓名如何公开")
    page = client.post(
        response["Location"],
        {
            "col_1": "name",
            "mask_names": "full",
            "publicity_end": "2001-01-01",
            "action": "map",
        },
    )
    assertContains(page, "公示期截止日期不能早于今天")
    assert not NameList.objects.exists()


def test_cancel_deletes_the_staged_file(client, lilou_record, township_clerk, staging):
    client.force_login(township_clerk)
    response = client.post(
        upload_url(lilou_record), {"file": upload_file("名单.xlsx", list_bytes())}
    )
    assert staged_files(staging) != []
    assertRedirects(
        client.post(response["Location"], {"action": "cancel"}),
        reverse("disclosures:namelist_index"),
    )
    assert staged_files(staging) == []
    assert client.get(response["Location"]).status_code == 404


def test_processing_page_refreshes_itself_and_shows_progress(
    client, lilou_record, township_clerk, settings
):
    settings.NAME_LIST_BACKGROUND = (
        False  # large lists wait for the command: stays processing
    )
    settings.NAME_LIST_INLINE_ROWS = 5
    staged = namelist_staging.name_list_stage_upload(
        record=lilou_record,
        data=list_bytes(40),
        filename="名单.xlsx",
        actor=township_clerk,
    )
    name_list = namelist_processing.name_list_start(
        staged=staged,
        record=lilou_record,
        sheet=None,
        mapping={1: "name"},
        mask_names=False,
        publicity_end=None,
        actor=township_clerk,
        dispatch=False,
    )
    NameList.objects.filter(pk=name_list.pk).update(rows_done=10)
    client.force_login(township_clerk)
    page = client.get(reverse("disclosures:namelist_detail", args=[name_list.pk]))
    assertContains(page, '<meta http-equiv="refresh" content="2">')
    assertContains(page, "已处理 10 / 约 40 行")
    assertContains(
        page,
        '<progress id="namelist-progress-bar" max="40" value="10">25%</progress>',
        html=True,
    )
    assert page.context["rows"] is None


def test_rejected_list_shows_the_reviewers_note(
    client, lilou_record, township_clerk, county_clerk
):
    name_list = process(lilou_record, township_clerk)
    namelist_services.name_list_submit(name_list=name_list, actor=township_clerk)
    client.force_login(county_clerk)
    page = client.post(
        reverse("disclosures:namelist_review", args=[name_list.pk]),
        {"decision": "reject", "note": ""},
    )
    assertContains(page, "请填写退回理由")
    client.post(
        reverse("disclosures:namelist_review", args=[name_list.pk]),
        {"decision": "reject", "note": "请删除备注列。"},
    )
    client.force_login(township_clerk)
    detail = client.get(reverse("disclosures:namelist_detail", args=[name_list.pk]))
    assertContains(detail, "审查意见：请删除备注列。")
    assertContains(detail, "重新上传")


def test_delete_a_confirmed_list(client, lilou_record, township_clerk, county_clerk):
    name_list = publish_list(lilou_record, township_clerk, county_clerk)
    client.force_login(township_clerk)
    page = client.post(
        reverse("disclosures:namelist_delete", args=[name_list.pk]), {"reason": ""}
    )
    assertContains(page, "这个字段是必填项。")
    done = client.post(
        reverse("disclosures:namelist_delete", args=[name_list.pk]),
        {"reason": "名单有误"},
    )
    assertRedirects(done, reverse("disclosures:namelist_index"))
    client.logout()
    assertNotContains(client.get(lilou_record.get_absolute_url()), "名单公示")


def test_staff_still_see_rows_after_expiry(
    client, lilou_record, township_clerk, county_clerk
):
    name_list = publish_list(
        lilou_record, township_clerk, county_clerk, publicity_end=timezone.localdate()
    )
    yesterday = timezone.localdate() - timedelta(days=1)
    NameList.objects.filter(pk=name_list.pk).update(
        publicity_end=yesterday, public_until=yesterday
    )
    public = client.get(lilou_record.get_absolute_url())
    assertContains(public, "公示期已结束。")
    assertNotContains(public, "name-list-table")
    client.force_login(township_clerk)
    staff = client.get(reverse("disclosures:namelist_detail", args=[name_list.pk]))
    assertContains(staff, "工作人员仍可在此查看名单")
    assert len(staff.context["rows"]) == 12


def test_workspace_links_to_the_name_lists(client, township_clerk, portal):
    client.force_login(township_clerk)
    page = client.get(reverse("workspace"))
    assertContains(page, 'id="namelist-link"')
    assertContains(page, 'id="namelist-review-link"')


# --- other regions: 404 on GET and POST, nothing changes --------------------------------------------


def test_another_county_gets_404_everywhere_and_changes_nothing(
    client, lilou_record, township_clerk, other_county_clerk, staging
):
    staged = namelist_staging.name_list_stage_upload(
        record=lilou_record,
        data=list_bytes(),
        filename="名单.xlsx",
        actor=township_clerk,
    )
    name_list = process(publish_record(title="李楼街道另一份名单"), township_clerk)
    pending = process(publish_record(title="李楼街道待审查名单"), township_clerk)
    namelist_services.name_list_submit(name_list=pending, actor=township_clerk)
    before = sorted(NameList.objects.values_list("pk", "status", "confirmed_by_id"))
    audit_before = AuditLogEntry.objects.count()
    client.force_login(other_county_clerk)
    urls = [
        reverse("disclosures:namelist_upload", args=[lilou_record.pk]),
        reverse("disclosures:namelist_map", args=[staged.token]),
        reverse("disclosures:namelist_detail", args=[name_list.pk]),
        reverse("disclosures:namelist_delete", args=[name_list.pk]),
        reverse("disclosures:namelist_review", args=[pending.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    posts = {
        reverse("disclosures:namelist_upload", args=[lilou_record.pk]): {
            "file": upload_file("名单.xlsx", list_bytes())
        },
        reverse("disclosures:namelist_map", args=[staged.token]): {
            "col_1": "name",
            "mask_names": "full",
            "action": "map",
        },
        reverse("disclosures:namelist_submit", args=[name_list.pk]): {},
        reverse("disclosures:namelist_delete", args=[name_list.pk]): {"reason": "x"},
        reverse("disclosures:namelist_review", args=[pending.pk]): {
            "decision": "confirm"
        },
    }
    for url, data in posts.items():
        assert client.post(url, data).status_code == 404, url
    assert (
        client.get(
            reverse("disclosures:namelist_upload_choose"), {"record": lilou_record.pk}
        ).status_code
        == 404
    )
    assert (
        sorted(NameList.objects.values_list("pk", "status", "confirmed_by_id"))
        == before
    )
    assert AuditLogEntry.objects.count() == audit_before
    assert (
        len(staged_files(staging)) == 2
    )  # the staged upload is still there, untouched
    assert list(namelist_selectors.name_list_review_queue(other_county_clerk)) == []
    index = client.get(reverse("disclosures:namelist_index"))
    assertNotContains(index, "李楼街道")


def test_anonymous_users_are_sent_to_login(client, lilou_record):
    response = client.get(reverse("disclosures:namelist_index"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- public downloads -------------------------------------------------------------------------------


def formula_list() -> bytes:
    rows = [
        ["姓名", "家庭人口", "救助金额（元）", "所属村", "备注"],
        [
            '=HYPERLINK("http://x","点我")',
            2,
            800,
            "+1 李楼村 13812345678",
            "户主患尿毒症",
        ],
        ["-王伟", 1, 500, "@岳村", "-因病"],
    ]
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return text.getvalue().encode("utf-8")


def test_downloads_are_masked_and_formula_safe(
    client, lilou_record, township_clerk, county_clerk
):
    publish_list(
        lilou_record,
        township_clerk,
        county_clerk,
        data=formula_list(),
        filename="名单.csv",
    )
    xlsx = client.get(
        reverse("disclosures:namelist_download", args=[lilou_record.pk, "xlsx"])
    )
    assert xlsx.status_code == 200
    assert (
        xlsx["Content-Type"]
        == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in xlsx["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0] == [
        "序号",
        "姓名",
        "家庭人口",
        "救助金额（元）",
        "所属村",
    ]  # 备注 is never published
    assert values[1][1] == '\'=HYPERLINK("http://x","点我")'
    assert values[1][4] == "'+1 李楼村 ***********"
    assert values[2][1] == "'-王伟" and values[2][4] == "'@岳村"
    assert "尿毒症" not in repr(values) and "因病" not in repr(values)
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)

    response = client.get(
        reverse("disclosures:namelist_download", args=[lilou_record.pk, "csv"])
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["序号", "姓名", "家庭人口", "救助金额（元）", "所属村"]
    assert rows[1][1].startswith("'=") and rows[1][4] == "'+1 李楼村 ***********"
    assert "13812345678" not in response.content.decode("utf-8-sig")


def test_downloads_match_the_public_table(
    client, lilou_record, township_clerk, county_clerk
):
    crowd = people(30)
    publish_list(lilou_record, township_clerk, county_clerk, data=list_bytes(30))
    response = client.get(
        reverse("disclosures:namelist_download", args=[lilou_record.pk, "csv"])
    )
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 31 and rows[1][1] == crowd[0].name
    for identifier in demo_namelists.raw_identifiers(crowd):
        assert identifier not in text
    page = client.get(lilou_record.get_absolute_url())
    assertContains(
        page, reverse("disclosures:namelist_download", args=[lilou_record.pk, "xlsx"])
    )


@pytest.mark.parametrize(
    "state", ["preview", "pending", "rejected", "expired", "withdrawn_record"]
)
def test_no_download_unless_confirmed_unexpired_and_public(
    client, lilou_record, township_clerk, county_clerk, state
):
    from disclosures.records import services as record_services

    name_list = process(lilou_record, township_clerk)
    if state != "preview":
        namelist_services.name_list_submit(name_list=name_list, actor=township_clerk)
    if state == "rejected":
        namelist_services.name_list_reject(
            name_list=name_list, actor=county_clerk, note="不同意"
        )
    if state in ("expired", "withdrawn_record"):
        namelist_services.name_list_confirm(name_list=name_list, actor=county_clerk)
    if state == "expired":
        yesterday = timezone.localdate() - timedelta(days=1)
        NameList.objects.filter(pk=name_list.pk).update(
            publicity_end=yesterday, public_until=yesterday
        )
    if state == "withdrawn_record":
        record_services.record_withdraw(
            record=lilou_record, reason="信息有误", actor=None
        )
    for fmt in ("xlsx", "csv"):
        assert (
            client.get(
                reverse("disclosures:namelist_download", args=[lilou_record.pk, fmt])
            ).status_code
            == 404
        )


# --- query counts -------------------------------------------------------------------------------


def _public_page_queries(client, record) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(record.get_absolute_url(), {"page": 2}).status_code == 200
    return len(captured)


def test_public_name_list_page_queries_do_not_grow_with_rows(
    client, portal, township_clerk, county_clerk
):
    """Record page on page 2 of its list: the record with its on-time flag (1), its
    attachments (1), its ancestors (1), the list (1), the row count (1), one page
    of rows (1): six, for 60 rows as for 400."""
    small = temporary_record("李楼街道名单（小）")
    big = temporary_record("李楼街道名单（大）")
    publish_list(small, township_clerk, county_clerk, data=list_bytes(60))
    publish_list(big, township_clerk, county_clerk, data=list_bytes(400, seed="big"))
    client.get(small.get_absolute_url())  # warm caches of reference data
    assert _public_page_queries(client, small) == _public_page_queries(client, big) == 6


def test_download_queries_do_not_grow_with_rows(
    client, portal, township_clerk, county_clerk, django_assert_max_num_queries
):
    """The list (1) and its rows read in chunks (1 on SQLite)."""
    record = temporary_record("李楼街道名单（下载）")
    publish_list(record, township_clerk, county_clerk, data=list_bytes(400, seed="dl"))
    with django_assert_max_num_queries(3):
        assert (
            client.get(
                reverse("disclosures:namelist_download", args=[record.pk, "csv"])
            ).status_code
            == 200
        )


def test_staff_pages_query_counts_do_not_grow(
    client, portal, township_clerk, county_clerk, django_assert_num_queries
):
    """Index: session and user (2), permissions (2), the page of lists and its
    count (2), records for upload (1), review-queue count (1). Queue and detail
    likewise fixed, whether there are 2 lists or 6."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def counts() -> tuple[int, ...]:
        client.force_login(county_clerk)
        measured = []
        first = NameList.objects.order_by("pk").first()
        for url in [
            reverse("disclosures:namelist_index"),
            reverse("disclosures:namelist_review_queue"),
            reverse("disclosures:namelist_detail", args=[first.pk]),
        ]:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            measured.append(len(captured))
        return tuple(measured)

    for n in range(2):
        name_list = process(
            publish_record(title=f"李楼街道名单{n}"),
            township_clerk,
            list_bytes(5, seed=str(n)),
        )
        namelist_services.name_list_submit(name_list=name_list, actor=township_clerk)
    few = counts()
    for n in range(2, 6):
        name_list = process(
            publish_record(title=f"李楼街道名单{n}"),
            township_clerk,
            list_bytes(5, seed=str(n)),
        )
        namelist_services.name_list_submit(name_list=name_list, actor=township_clerk)
    assert counts() == few
    assert all(c > 0 for c in few)


def test_uploader_of_the_county_may_be_reviewed_by_the_city(
    client, portal, county_clerk, city_reviewer
):
    record = publish_record(
        region_code="410311", title="洛龙区临时救助名单", item_name="审批信息"
    )
    name_list = process(record, county_clerk)
    namelist_services.name_list_submit(name_list=name_list, actor=county_clerk)
    client.force_login(city_reviewer)
    assertContains(
        client.get(reverse("disclosures:namelist_review_queue")), "洛龙区临时救助名单"
    )
    client.post(
        reverse("disclosures:namelist_review", args=[name_list.pk]),
        {"decision": "confirm"},
    )
    name_list.refresh_from_db()
    assert (
        name_list.status == Status.CONFIRMED and name_list.confirmed_region_id == "4103"
    )


# --- the Django admin ---------------------------------------------------------------------------------


def test_admin_lists_name_lists_read_only_for_province_admins_only(
    client, lilou_record, township_clerk, other_county_clerk, province_admin
):
    name_list = process(lilou_record, township_clerk)
    url = reverse("admin:disclosures_namelist_changelist")
    change = reverse("admin:disclosures_namelist_change", args=[name_list.pk])
    client.force_login(province_admin)
    assertContains(client.get(url), lilou_record.title)
    page = client.get(change)
    assert page.status_code == 200
    assertNotContains(page, 'name="_save"')
    rows = client.get(reverse("admin:disclosures_namelistrow_changelist"))
    assertContains(rows, f"{lilou_record.title} 名单")
    # Clerks have no admin at all (their lists are on the staff pages).
    for clerk in (township_clerk, other_county_clerk):
        client.force_login(clerk)
        assert client.get(url).status_code == 403
        assert client.get(change).status_code == 403


def test_admin_masking_policy_is_for_province_admins_and_audited(
    client, county_clerk, province_admin
):
    from disclosures.models import MaskingPolicySetting

    add = reverse("admin:disclosures_maskingpolicysetting_add")
    client.force_login(county_clerk)
    assert client.get(add).status_code == 403
    client.force_login(province_admin)
    response = client.post(
        add,
        {"publish_id_number": "on", "mask_names_default": "on", "display_days": "365"},
    )
    assert response.status_code == 302
    setting = MaskingPolicySetting.objects.get()
    assert setting.publish_id_number and not setting.publish_phone
    assert namelist_services.masking_policy().publish_id_number
    entry = AuditLogEntry.objects.get(action="disclosures.masking_policy.changed")
    assert (
        entry.actor == province_admin
        and entry.data["after"]["publish_id_number"] is True
    )
    assert (
        client.get(add).status_code == 403
    )  # a singleton: change it, do not add another


# --- 第六十一条 and the mapping page ------------------------------------------------------------


def mapping_page(client, record, data: bytes, filename: str = "低保.xlsx"):
    response = client.post(upload_url(record), {"file": upload_file(filename, data)})
    return response["Location"], client.get(response["Location"])


def test_mapping_page_shows_masked_samples_and_warns_on_sensitive_words(
    client, lilou_record, township_clerk
):
    """Under each header a few values, masked (no raw ID, phone or card number even for
    staff); a warning naming the column and the kind of word, quiet while unpublished."""
    crowd = people(9, seed="dibao")
    client.force_login(township_clerk)
    _url, page = mapping_page(client, lilou_record, dibao_bytes())
    html = page.content.decode()
    for identifier in demo_namelists.raw_identifiers(crowd):
        assert identifier not in html
    assertContains(page, f"<li>{mask_name(crowd[0].name)}</li>", html=True)
    assertContains(
        page, f"<li>{crowd[0].phone[:3]}****{crowd[0].phone[-4:]}</li>", html=True
    )
    assertContains(page, "只公开姓名、家庭人口、金额和所在村（社区）")
    assertContains(
        page,
        "注意：第I列“备注”有9个单元格含有涉及精神或智力状况、残疾、违法犯罪记录、疾病的敏感词（如第3、4、5、6、7行）。此列不公开，请保持“不公开”。",
    )
    assertContains(page, "注意：第J列“致困原因”有9个单元格含有涉及疾病的敏感词")
    assertContains(page, "注意：第H列“类别”有3个单元格含有涉及残疾的敏感词")
    assertNotContains(page, "请勿公开此列")
    assertNotContains(page, 'id="sensitive-B"')


def test_the_warning_is_loud_when_the_clerk_publishes_such_a_column(
    client, lilou_record, township_clerk, province_admin
):
    namelist_services.masking_policy_set(
        publish_id_number=False,
        publish_phone=False,
        publish_category=True,
        actor=province_admin,
    )
    client.force_login(township_clerk)
    url, page = mapping_page(client, lilou_record, dibao_bytes())
    # The province publishes 类别: suggested, so published, and it holds 重残.
    assertContains(page, '<option value="category" selected>类别</option>', html=True)
    loud = page.content.decode().split('id="sensitive-H"')[1][:600]
    assert (
        "请勿公开此列" in loud and "第H列“类别”有3个单元格含有涉及残疾的敏感词" in loud
    )
    # A clerk who maps 备注 to a published kind is warned as loudly (the form is shown again).
    again = client.post(
        url,
        {
            "col_1": "name",
            "col_8": "village",
            "mask_names": "full",
            "publicity_end": "2001-01-01",
            "action": "map",
        },
    )
    assertContains(again, "您选择了公开此列，请改为“不公开”")
    assert 'role="alert" id="sensitive-I"' in again.content.decode()


def test_name_default_and_standing_flag_come_from_policy_and_item(
    client, portal, township_clerk, province_admin
):
    client.force_login(township_clerk)
    _url, page = mapping_page(
        client, temporary_record("李楼街道临时救助名单"), list_bytes()
    )
    assertContains(
        page,
        '<input type="radio" name="mask_names" value="mask" id="id_mask_names_1" required checked>',
        html=True,
    )
    assertContains(
        page,
        '<input type="checkbox" name="standing" id="id_standing" aria-describedby="id_standing_helptext">',
        html=True,
    )
    assertContains(page, "自公开之日起展示365天")
    namelist_services.masking_policy_set(
        publish_id_number=False,
        publish_phone=False,
        mask_names_default=False,
        display_days=180,
        actor=province_admin,
    )
    dibao = publish_record(
        title="李楼街道城乡低保对象名单", item_name="审批信息", category="最低生活保障"
    )
    _url, page = mapping_page(client, dibao, list_bytes())
    assertContains(
        page,
        '<input type="radio" name="mask_names" value="full" id="id_mask_names_0" required checked>',
        html=True,
    )
    assertContains(
        page,
        '<input type="checkbox" name="standing" id="id_standing" aria-describedby="id_standing_helptext" checked>',
        html=True,
    )
    assertContains(page, "自公开之日起展示180天")


def test_standing_and_a_publicity_period_are_exclusive_on_the_form(
    client, portal, township_clerk
):
    client.force_login(township_clerk)
    dibao = publish_record(
        title="李楼街道城乡低保对象名单", item_name="审批信息", category="最低生活保障"
    )
    url, _page = mapping_page(client, dibao, list_bytes())
    end = (timezone.localdate() + timedelta(days=7)).isoformat()
    page = client.post(
        url,
        {
            "col_1": "name",
            "mask_names": "full",
            "publicity_end": end,
            "standing": "on",
            "action": "map",
        },
    )
    assertContains(page, "不能同时设为长期公示")
    assert not NameList.objects.exists()


def test_fifteen_column_list_through_the_pages_publishes_four_columns(
    client,
    lilou_record,
    township_clerk,
    county_clerk,
    django_capture_on_commit_callbacks,
):
    """The suggestions as the clerk leaves them: the public page and both downloads show
    序号 and 姓名, 家庭人口, 保障金额, 村/社区 only, none of the sensitive words."""
    client.force_login(township_clerk)
    url, page = mapping_page(client, lilou_record, dibao_bytes())
    bound = page.context["form"]
    form = {f"col_{c.index}": c.suggested for c in bound.columns}
    form.update(mask_names="full", publicity_end="", action="map")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, form)
    name_list = NameList.objects.get()
    namelist_services.name_list_submit(name_list=name_list, actor=township_clerk)
    namelist_services.name_list_confirm(name_list=name_list, actor=county_clerk)
    client.logout()
    public = client.get(lilou_record.get_absolute_url())
    table = table_html(public.content)
    assert re.findall(r'<th scope="col">([^<]+)</th>', table) == [
        "序号",
        "姓名",
        "家庭人口",
        "保障金额",
        "村/社区",
    ]
    xlsx = client.get(
        reverse("disclosures:namelist_download", args=[lilou_record.pk, "xlsx"])
    )
    values = [
        list(r)
        for r in openpyxl.load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(
            values_only=True
        )
    ]
    assert values[0] == ["序号", "姓名", "家庭人口", "保障金额", "村/社区"]
    text = client.get(
        reverse("disclosures:namelist_download", args=[lilou_record.pk, "csv"])
    ).content.decode("utf-8-sig")
    for output in (public.content.decode(), repr(values), text):
        for word in (
            "尿毒症",
            "精神残疾",
            "刑满释放",
            "因病致困",
            "重残",
            "A类",
            "洛阳农商银行",
        ):
            assert word not in output, word


# --- no list public forever: through the public page and the download URL -----------------------


def assert_public(client, record, *, rows: bool) -> None:
    page = client.get(record.get_absolute_url())
    assert page.status_code == 200
    downloads = [
        client.get(
            reverse("disclosures:namelist_download", args=[record.pk, fmt])
        ).status_code
        for fmt in ("xlsx", "csv")
    ]
    if rows:
        assert "name-list-table" in page.content.decode()
        assert downloads == [200, 200]
    else:
        assertNotContains(page, "name-list-table")
        assertNotContains(page, "namelist.xlsx")
        assert downloads == [404, 404]
    return page


def test_a_publicity_period_ends_the_rows_and_the_downloads(
    client, portal, township_clerk, county_clerk
):
    today = timezone.localdate()
    live = publish_list(
        temporary_record("李楼街道公示（今天截止）"),
        township_clerk,
        county_clerk,
        publicity_end=today,
    )
    ended = publish_list(
        temporary_record("李楼街道公示（昨天截止）"),
        township_clerk,
        county_clerk,
        publicity_end=today - timedelta(days=1),
    )
    assert_public(client, live.record, rows=True)
    page = assert_public(client, ended.record, rows=False)
    start = timezone.localdate(ended.record.publish_at)
    end = today - timedelta(days=1)
    assertContains(
        page,
        f"该名单已于{start.year}年{start.month}月{start.day}日至{end.year}年{end.month}月{end.day}日公示，公示期已结束。名单内容不再公开。",
    )


def test_the_display_period_ends_the_rows_and_the_downloads(
    client, portal, township_clerk, county_clerk
):
    today = timezone.localdate()
    recent = publish_list(
        temporary_record(
            "李楼街道临时救助（364天前）", published_on=today - timedelta(days=364)
        ),
        township_clerk,
        county_clerk,
    )
    old = publish_list(
        temporary_record(
            "李楼街道临时救助（365天前）", published_on=today - timedelta(days=365)
        ),
        township_clerk,
        county_clerk,
    )
    assert recent.public_until == today and old.public_until == today - timedelta(
        days=1
    )
    page = assert_public(client, recent.record, rows=True)
    assertContains(page, f"公开至{today.year}年{today.month}月{today.day}日。")
    page = assert_public(client, old.record, rows=False)
    assertContains(page, "展示期已结束。名单内容不再公开。")


def test_a_standing_list_ends_when_a_newer_one_is_confirmed(
    client, portal, township_clerk, county_clerk
):
    today = timezone.localdate()

    def dibao(title, days):
        return publish_record(
            title=title,
            item_name="审批信息",
            category="最低生活保障",
            published_on=today - timedelta(days=days),
        )

    older = publish_list(
        dibao("李楼街道低保对象名单（一季度）", 400), township_clerk, county_clerk
    )
    page = assert_public(
        client, older.record, rows=True
    )  # 400 days on: standing lists do not time out
    assertContains(page, "本名单为当前在册人员名单，公布新名单后停止公开。")
    newer = publish_list(
        dibao("李楼街道低保对象名单（二季度）", 3), township_clerk, county_clerk
    )
    page = assert_public(client, older.record, rows=False)
    assertContains(page, "已由更新的名单替换。名单内容不再公开。")
    assert_public(client, newer.record, rows=True)
    client.force_login(township_clerk)
    staff = client.get(reverse("disclosures:namelist_detail", args=[older.pk]))
    assertContains(staff, "长期公示，已被新名单替换")
    assert len(staff.context["rows"]) == 12


def test_a_record_whose_publicity_is_over_is_pointed_out_and_the_review_shows_the_period(
    client, portal, township_clerk, county_clerk
):
    review_record = publish_record(
        title="李楼街道低保审核对象公示"
    )  # 公示7个工作日, published 20 days ago
    assert review_record.publicity_end < timezone.localdate()
    client.force_login(township_clerk)
    _url, page = mapping_page(client, review_record, list_bytes())
    assertContains(page, "这条公开信息的公示期已于")
    assert page.context["form"]["publicity_end"].value() is None
    name_list = process(review_record, township_clerk)
    namelist_services.name_list_submit(name_list=name_list, actor=township_clerk)
    client.force_login(county_clerk)
    review = client.get(reverse("disclosures:namelist_review", args=[name_list.pk]))
    assertContains(review, "未设公示期：确认公开后按全省规定的展示期公开")
    confirmed = namelist_services.name_list_confirm(
        name_list=name_list, actor=county_clerk
    )
    assert confirmed.public_period_kind == "display" and confirmed.publicity_end is None
    live = temporary_record("李楼街道临时救助名单")
    _url, page = mapping_page(client, live, list_bytes())
    assertNotContains(page, "这条公开信息的公示期已于")
