"""Villages and communities (村/社区) as regions: one by one and from a csv, audited,
all or nothing, within the user's region."""

from __future__ import annotations

import pytest

from django.core.exceptions import ValidationError

from catalogs import permissions, villages
from catalogs.models import AuditLogEntry, Region

pytestmark = pytest.mark.django_db

LILOU = "410311012"  # 李楼街道 (洛龙区)
ANOTHER = "410311002"  # another township of 洛龙区


def _csv(*rows: str, header: str = "code,name,township_code") -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def test_a_village_is_added_under_its_township_with_an_audit_entry(county_clerk):
    lilou = Region.objects.get(code=LILOU)
    village = villages.village_create(
        township=lilou,
        code="410311012201",
        name=" 示例村（演示） ",
        actor=county_clerk,
        within="410311",
    )
    village.refresh_from_db()
    assert (village.level, village.parent_id, village.name) == (
        "village",
        LILOU,
        "示例村（演示）",
    )
    assert village.ancestor_codes == ["41", "4103", "410311", LILOU]
    entry = AuditLogEntry.objects.get(action="catalogs.village.created")
    assert (entry.actor, entry.region_id, entry.object_id) == (
        county_clerk,
        LILOU,
        "410311012201",
    )


@pytest.mark.parametrize(
    ("code", "name", "message"),
    [
        ("41031101220", "甲村", "不是12位数字"),
        ("410311002201", "甲村", "不以所属乡镇“李楼街道”的代码410311012开头"),
        ("410311012000", "甲村", "最后三位不能是000"),
        ("410311012201", "", "名称不能为空"),
    ],
)
def test_a_bad_village_is_refused_with_the_reason(county_clerk, code, name, message):
    with pytest.raises(ValidationError, match=message):
        villages.village_create(
            township=Region.objects.get(code=LILOU),
            code=code,
            name=name,
            actor=county_clerk,
            within="410311",
        )
    assert not Region.objects.filter(level="village").exists()
    assert not AuditLogEntry.objects.filter(
        action__startswith="catalogs.village"
    ).exists()


def test_a_duplicate_code_and_a_township_of_another_county_are_refused(county_clerk):
    lilou = Region.objects.get(code=LILOU)
    villages.village_create(
        township=lilou, code="410311012201", name="甲村", actor=county_clerk
    )
    with pytest.raises(ValidationError, match="已存在"):
        villages.village_create(
            township=lilou, code="410311012201", name="乙村", actor=county_clerk
        )
    yanshi_township = Region.objects.filter(
        parent_id="410307", level="township"
    ).first()
    with pytest.raises(ValidationError, match="不在您所属区划内"):
        villages.village_create(
            township=yanshi_township,
            code=yanshi_township.code + "201",
            name="丙村",
            actor=county_clerk,
            within="410311",
        )
    # A village is never the parent of a village.
    with pytest.raises(ValidationError, match="不是乡镇（街道）"):
        villages.village_create(
            township=Region.objects.get(code="410311012201"),
            code="410311012202",
            name="丁村",
            actor=county_clerk,
        )


def test_csv_import_writes_every_row_and_one_audit_entry(county_clerk):
    data = _csv(
        "410311012201,甲村（演示）,410311012",
        "410311012202,乙社区（演示）,410311012",
        "",
        f"{ANOTHER}201,丙村（演示）,{ANOTHER}",
    )
    created = villages.villages_import_csv(
        data=data, actor=county_clerk, within="410311"
    )
    assert [v.code for v in created] == [
        "410311012201",
        "410311012202",
        f"{ANOTHER}201",
    ]
    assert Region.objects.filter(level="village", parent_id=LILOU).count() == 2
    entry = AuditLogEntry.objects.get(action="catalogs.village.imported")
    assert entry.data["count"] == 3
    assert entry.data["townships"] == [ANOTHER, LILOU]


def test_csv_in_gbk_with_chinese_headers_is_read():
    data = "区划代码,名称,所属乡镇代码\n410311012201,甲村,410311012\n".encode("gb18030")
    rows = villages.villages_parse_csv(data)
    assert [(r.row, r.code, r.name, r.township_code) for r in rows] == [
        (2, "410311012201", "甲村", LILOU)
    ]


def test_a_bad_csv_row_is_reported_by_row_and_nothing_is_written(county_clerk):
    villages.village_create(
        township=Region.objects.get(code=LILOU),
        code="410311012209",
        name="已有村",
        actor=county_clerk,
    )
    data = _csv(
        "410311012201,甲村,410311012",  # row 2: fine
        "410311012202,乙村,410311099",  # row 3: unknown township
        "410311002203,丙村,410311012",  # row 4: code not under its township
        "410311012201,丁村,410311012",  # row 5: duplicate within the file
        "410311012209,戊村,410311012",  # row 6: already in the database
    )
    before = Region.objects.count()
    with pytest.raises(villages.VillageImportError) as refused:
        villages.villages_import_csv(data=data, actor=county_clerk, within="410311")
    problems = refused.value.problems
    assert [row for row, _message in problems] == [3, 4, 5, 6]
    messages = dict(problems)
    assert "第3行" in messages[3] and "所属乡镇代码“410311099”不存在" in messages[3]
    assert "不以所属乡镇“李楼街道”的代码410311012开头" in messages[4]
    assert "“410311012201”已存在" in messages[5]
    assert "“410311012209”已存在" in messages[6]
    assert Region.objects.count() == before
    assert not AuditLogEntry.objects.filter(action="catalogs.village.imported").exists()


def test_csv_with_a_wrong_header_names_the_columns():
    with pytest.raises(villages.VillageImportError, match="第1行（表头）"):
        villages.villages_parse_csv(_csv("1,2", header="甲,乙"))
    with pytest.raises(villages.VillageImportError, match="没有数据行"):
        villages.villages_parse_csv(_csv())


def test_csv_rows_outside_the_users_county_are_refused():
    yanshi_township = Region.objects.filter(
        parent_id="410307", level="township"
    ).first()
    data = _csv(f"{yanshi_township.code}201,甲村,{yanshi_township.code}")
    with pytest.raises(villages.VillageImportError, match="第2行.*不在您所属区划内"):
        villages.villages_parse_csv(data, within="410311")


def test_county_staff_and_province_admins_manage_villages_township_and_city_do_not(
    county_clerk, township_clerk, city_reviewer, province_admin, other_county_clerk
):
    assert permissions.can_manage_villages(county_clerk, LILOU)
    assert permissions.can_manage_villages(province_admin, LILOU)
    assert not permissions.can_manage_villages(other_county_clerk, LILOU)
    assert not permissions.can_manage_villages(township_clerk)
    assert not permissions.can_manage_villages(city_reviewer)


def test_demo_data_has_labelled_villages_under_lilou(make_user):
    """The demo step imports its villages through the csv service, once."""
    from demo import villages as demo_villages

    make_user(username="demo-county")
    assert demo_villages.seed() == len(demo_villages.demo_villages())
    lilou = Region.objects.filter(level="village", parent_id=LILOU)
    assert lilou.count() >= 5
    assert all(
        name.endswith("（演示）") for name in lilou.values_list("name", flat=True)
    )
    assert all(code.startswith(LILOU) for code in lilou.values_list("code", flat=True))
    assert demo_villages.seed() == 0


def test_public_picker_reaches_villages_where_they_exist(client, county_clerk):
    lilou = Region.objects.get(code=LILOU)
    villages.village_create(
        township=lilou, code="410311012201", name="甲村（演示）", actor=county_clerk
    )
    base = {"city": "4103", "county": "410311"}
    # A township with villages: the next select lists them instead of opening at once.
    step = client.get("/r/pick/", {**base, "township": LILOU, "step": "next"})
    assert step.status_code == 200
    village_level = step.context["picker"]["levels"][3]
    assert village_level.enabled
    assert [r.name for r in village_level.options] == ["甲村（演示）"]
    chosen = client.get(
        "/r/pick/", {**base, "township": LILOU, "village": "410311012201"}
    )
    assert chosen.status_code == 302 and chosen["Location"] == "/r/410311012201/"
    assert client.get("/r/410311012201/").status_code == 200
    # "进入所选地区" on the township still opens the township.
    go = client.get("/r/pick/", {**base, "township": LILOU, "go": "1"})
    assert go["Location"] == f"/r/{LILOU}/"
    # A township without villages opens at once, as before.
    other = client.get("/r/pick/", {**base, "township": "410311002"})
    assert other.status_code == 302 and other["Location"] == "/r/410311002/"
    options = client.get("/r/pick/options/", {"parent": LILOU}).json()["regions"]
    assert options == [{"code": "410311012201", "name": "甲村（演示）"}]


# --- the workspace pages ---------------------------------------------------------------

VILLAGES_URL = "/work/villages/"


def test_county_clerk_adds_a_village_in_the_workspace(client, county_clerk):
    client.force_login(county_clerk)
    page = client.get(VILLAGES_URL)
    assert page.status_code == 200
    assert "李楼街道" in page.content.decode()
    assert "workspace-villages" in client.get("/work/").content.decode()
    response = client.post(
        VILLAGES_URL,
        {"action": "add", "township": LILOU, "code": "410311012201", "name": "甲村"},
    )
    assert response.status_code == 302
    assert Region.objects.get(code="410311012201").parent_id == LILOU
    refused = client.post(
        VILLAGES_URL,
        {"action": "add", "township": LILOU, "code": "410311002201", "name": "乙村"},
    )
    assert refused.status_code == 200
    assert "不以所属乡镇“李楼街道”的代码410311012开头" in refused.content.decode()


def test_csv_upload_in_the_workspace_reports_bad_rows_and_writes_nothing(
    client, county_clerk
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(county_clerk)
    data = _csv("410311012201,甲村,410311012", "410311012202,乙村,410399001")
    response = client.post(
        VILLAGES_URL,
        {"action": "import", "file": SimpleUploadedFile("v.csv", data, "text/csv")},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "没有导入任何村（社区）" in html and "第3行" in html
    assert not Region.objects.filter(level="village").exists()
    good = _csv("410311012201,甲村,410311012", "410311012202,乙村,410311012")
    response = client.post(
        VILLAGES_URL,
        {"action": "import", "file": SimpleUploadedFile("v.csv", good, "text/csv")},
    )
    assert response.status_code == 302
    assert Region.objects.filter(level="village").count() == 2


def test_village_pages_are_for_county_staff_only(
    client, township_clerk, city_reviewer, province_admin
):
    assert client.get(VILLAGES_URL).status_code == 302  # login first
    for user in (township_clerk, city_reviewer):
        client.force_login(user)
        assert client.get(VILLAGES_URL).status_code == 403
        response = client.post(
            VILLAGES_URL,
            {
                "action": "add",
                "township": LILOU,
                "code": "410311012201",
                "name": "甲村",
            },
        )
        assert response.status_code == 403
    assert not Region.objects.filter(level="village").exists()
    # A province admin picks a county first.
    client.force_login(province_admin)
    assert "village-county-form" in client.get(VILLAGES_URL).content.decode()
    assert "李楼街道" in client.get(VILLAGES_URL, {"county": "410311"}).content.decode()


def test_another_countys_township_is_not_accepted(client, other_county_clerk):
    client.force_login(other_county_clerk)
    response = client.post(
        VILLAGES_URL,
        {"action": "add", "township": LILOU, "code": "410311012201", "name": "甲村"},
    )
    assert response.status_code == 200  # the township is not among the choices
    assert not Region.objects.filter(level="village").exists()


def test_a_village_name_with_an_identifier_is_refused(county_clerk):
    with pytest.raises(ValidationError, match="不能有长串数字"):
        villages.village_create(
            township=Region.objects.get(code=LILOU),
            code="410311012201",
            name="张三 410311198001037613",
            actor=county_clerk,
        )
