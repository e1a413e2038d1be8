"""Name-list services and selectors (disclosures.namelists): staging, mapping, processing,
the confidentiality review (保密审查), expiry, the province policy, stuck jobs, the demo.

Builders at the top (`staging`, `lilou_record`, `list_bytes`, `process`, `publish_list`)
are shared with tests/disclosures/test_views_namelists.py and the privacy crawl.
"""

from __future__ import annotations

import json
import logging
import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from catalogs.models import AuditLogEntry, User
from disclosures import demo_namelists, namelists
from disclosures.deidentify import gb11643_check_digit
from disclosures.models import MaskingPolicySetting, NameList, NameListRow
from disclosures.spreadsheets import SpreadsheetError
from tests.disclosures.test_views_public import portal, publish_record  # noqa: F401  (fixture)

LILOU, LUOLONG, YANSHI = "410311012", "410311", "410307"
GUANLIN = "410311004"  # another township of 洛龙区

Status = NameList.Status


# --- builders ------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def staging(settings, tmp_path) -> Path:
    """Each test stages uploads in its own directory."""
    settings.NAME_LIST_STAGING_DIR = str(tmp_path / "staging")
    return Path(settings.NAME_LIST_STAGING_DIR)


@pytest.fixture
def lilou_record(portal):  # noqa: F811
    return publish_record(title="李楼街道2025年第三季度临时救助审核审批结果")


@pytest.fixture
def colleague(make_user):
    """A second clerk of 李楼街道: same region as the uploader."""
    return make_user(User.Role.TOWNSHIP_CLERK, LILOU, username="clerk-lilou-2")


def people(count: int = 12, seed: str = "test"):
    return demo_namelists.synthetic_people(count, seed=seed)


def list_bytes(count: int = 12, seed: str = "test") -> bytes:
    return demo_namelists.workbook_bytes("李楼街道临时救助名单", people(count, seed))


def staged_files(staging: Path) -> list[str]:
    return sorted(p.name for p in staging.iterdir()) if staging.exists() else []


def process(
    record,
    actor,
    data: bytes | None = None,
    filename: str = "名单.xlsx",
    *,
    mapping: dict | None = None,
    mask_names: bool = False,
    publicity_end=None,
) -> NameList:
    """Upload, map (suggestions unless given) and process in this thread."""
    staged = namelists.name_list_stage_upload(
        record=record, data=data if data is not None else list_bytes(), filename=filename, actor=actor
    )
    table = namelists.staged_upload_table(staged)
    if mapping is None:
        mapping = {c.index: c.suggested for c in table.columns}
    name_list = namelists.name_list_start(
        staged=staged,
        record=record,
        sheet=table.sheet,
        mapping=mapping,
        mask_names=mask_names,
        publicity_end=publicity_end,
        actor=actor,
        dispatch=False,
    )
    return namelists.name_list_process(name_list.pk)


def publish_list(record, uploader, reviewer, **kwargs) -> NameList:
    name_list = process(record, uploader, **kwargs)
    name_list = namelists.name_list_submit(name_list=name_list, actor=uploader)
    return namelists.name_list_confirm(name_list=name_list, actor=reviewer)


def all_published_text(name_list: NameList) -> str:
    cells = NameListRow.objects.filter(name_list=name_list).values_list("cells", flat=True)
    return json.dumps([name_list.columns, list(cells)], ensure_ascii=False)


# --- upload, mapping, processing -----------------------------------------------------------


def test_upload_to_preview_stores_only_the_masked_table(lilou_record, township_clerk, staging):
    """Title rows above the header are skipped, the suggested mapping publishes name,
    address (cut to the village), household size, amount, village, category and
    remarks; ID, phone and bank card columns are dropped; the raw file is gone."""
    crowd = people(12)
    name_list = process(lilou_record, township_clerk, list_bytes(12))
    assert name_list.status == Status.PREVIEW
    assert name_list.columns == ["姓名", "家庭住址", "家庭人口", "救助金额（元）", "所属村", "救助类别", "备注"]
    assert name_list.column_kinds == ["name", "address", "household_size", "amount", "village", "category", "remark"]
    assert name_list.row_count == 12 and name_list.rows_done == 12
    assert name_list.region_id == LILOU and name_list.uploaded_by == township_clerk
    rows = list(NameListRow.objects.filter(name_list=name_list).order_by("number"))
    assert [r.number for r in rows] == list(range(1, 13))
    first = crowd[0]
    assert rows[0].cells[:5] == [first.name, first.address.split("李楼街道")[0] + "李楼街道" + first.village, first.household, first.amount, first.village]
    stored = all_published_text(name_list) + json.dumps(name_list.report, ensure_ascii=False)
    for identifier in demo_namelists.raw_identifiers(crowd):
        assert identifier not in stored
    assert staged_files(staging) == []
    assert "job" not in name_list.report


def test_unmapped_columns_are_not_published(lilou_record, township_clerk):
    """Deny by default: only the columns given a publishable kind appear."""
    name_list = process(lilou_record, township_clerk, mapping={1: "name", 8: "village"})
    assert name_list.columns == ["姓名", "所属村"]
    summary = namelists.name_list_summary(name_list)
    dropped = {c["header"]: c["reason"] for c in summary.columns_dropped}
    assert dropped["家庭人口"] == "未对应到可公开的类型，默认不公开"
    assert dropped["备注"] == "未对应到可公开的类型，默认不公开"
    assert len(summary.columns_dropped) == 9


def test_a_mapping_that_publishes_nothing_is_refused_and_stores_nothing(lilou_record, township_clerk, staging):
    staged = namelists.name_list_stage_upload(record=lilou_record, data=list_bytes(), filename="名单.xlsx", actor=township_clerk)
    with pytest.raises(ValidationError, match="没有可以公开的列"):
        namelists.name_list_start(
            staged=staged, record=lilou_record, sheet=None, mapping={2: "id_number", 3: "phone", 4: "bank_card"},
            mask_names=False, publicity_end=None, actor=township_clerk, dispatch=False,
        )
    assert not NameList.objects.exists()


def test_masked_names_keep_compound_surnames(lilou_record, township_clerk):
    rows = [["姓名", "家庭人口", "所属村"], ["欧阳明华", 3, "李楼村"], ["张三", 2, "岳村"], ["司马懿", 1, "郭村"]]
    data = "\n".join(",".join(map(str, r)) for r in rows).encode("utf-8")
    name_list = process(lilou_record, township_clerk, data, "名单.csv", mask_names=True)
    cells = list(NameListRow.objects.filter(name_list=name_list).values_list("cells", flat=True))
    assert [c[0] for c in cells] == ["欧阳*华", "张*", "司马*"]


def test_gb18030_csv_with_title_rows_is_read(lilou_record, township_clerk):
    text = "李楼街道低保名单（第三季度）\n户主姓名,保障人口,保障金额（元/月）,村（社区）,备注\n王秀英,2,438,李楼村,身份证410311198506121230\n𠀀丽,1,292,岳村,\n"
    name_list = process(lilou_record, township_clerk, text.encode("gb18030"), "dibao.csv")
    assert name_list.status == Status.PREVIEW
    assert name_list.report["source"]["encoding"] == "gb18030"
    assert name_list.report["source"]["header_row"] == 2
    cells = list(NameListRow.objects.filter(name_list=name_list).order_by("number").values_list("cells", flat=True))
    assert cells[0][:4] == ["王秀英", "2", "438", "李楼村"]
    assert cells[1][0] == "𠀀丽"
    assert "410311198506121230" not in cells[0][4]


def test_wrong_check_digits_are_reported_by_row_and_column(lilou_record, township_clerk):
    """In the unpublished ID column and inside published free text alike; never quoted."""
    first17 = "41031119850612123"
    bad = first17 + ("0" if gb11643_check_digit(first17) != "0" else "1")
    good = first17 + gb11643_check_digit(first17)
    rows = [
        ["低保对象名单"],
        ["姓名", "身份证号码", "家庭人口", "备注"],
        ["王伟", good, 2, ""],
        ["李娜", bad, 1, ""],
        ["张敏", good, 3, f"代领人{bad}"],
    ]
    data = "\n".join(",".join(map(str, r)) for r in rows).encode("utf-8")
    name_list = process(lilou_record, township_clerk, data, "名单.csv")
    summary = namelists.name_list_summary(name_list)
    assert summary.bad_check_digits == [{"row": 4, "column": "身份证号码"}, {"row": 5, "column": "备注"}]
    assert summary.bad_check_digits_total == 2
    assert summary.findings == [{"row": 5, "column": "备注", "kind": "id_number_bad_check", "kind_label": "身份证号（校验位错误）"}]
    assert bad not in json.dumps(name_list.report) and bad not in all_published_text(name_list)


def test_province_policy_enabled_id_column_shows_first_and_last_two(lilou_record, township_clerk, province_admin):
    namelists.masking_policy_set(publish_id_number=True, publish_phone=True, actor=province_admin)
    crowd = people(3)
    name_list = process(lilou_record, township_clerk, list_bytes(3))
    assert name_list.columns[:4] == ["姓名", "公民身份号码", "联系电话", "家庭住址"]
    first = NameListRow.objects.get(name_list=name_list, number=1).cells
    assert first[1] == crowd[0].id_number[0] + "*" * 15 + crowd[0].id_number[-2:].upper()
    assert first[2] == crowd[0].phone[:3] + "****" + crowd[0].phone[-4:]
    assert "银行卡号" not in name_list.columns
    assert AuditLogEntry.objects.filter(action="disclosures.masking_policy.changed", actor=province_admin).exists()


def test_a_failure_half_way_stores_nothing(lilou_record, township_clerk, staging, monkeypatch, caplog):
    """All or nothing: rows written before the error are deleted, the list is failed
    with a Chinese message, the staged file is gone, and the log names no identifier."""
    crowd = people(30)
    monkeypatch.setattr(namelists, "ROW_BATCH", 10)
    original = namelists._json_cell
    calls = {"n": 0}

    def explode(value):
        calls["n"] += 1
        if calls["n"] > 150:
            raise ValueError(f"cannot convert {crowd[20].id_number}")
        return original(value)

    monkeypatch.setattr(namelists, "_json_cell", explode)
    with caplog.at_level(logging.DEBUG):
        name_list = process(lilou_record, township_clerk, list_bytes(30))
    assert name_list.status == Status.FAILED
    assert "处理名单时出错，未公开任何内容" in name_list.report["error"]
    assert not NameListRow.objects.filter(name_list=name_list).exists()
    assert name_list.columns == [] and name_list.row_count == 0
    assert staged_files(staging) == []
    assert crowd[20].id_number not in caplog.text
    assert "ValueError" in caplog.text
    assert namelists.name_list_public(lilou_record) is None


def test_refused_uploads_leave_nothing_behind(lilou_record, township_clerk, staging):
    with pytest.raises(SpreadsheetError) as error:
        namelists.name_list_stage_upload(record=lilou_record, data=b"%PDF-1.4 nothing", filename="名单.pdf", actor=township_clerk)
    assert error.value.code == "not_spreadsheet"
    assert staged_files(staging) == []
    assert not AuditLogEntry.objects.filter(action="disclosures.namelist.uploaded").exists()


def test_oversized_upload_is_refused_before_it_is_written(lilou_record, township_clerk, staging, settings):
    settings.MAX_UPLOAD_BYTES = 1000
    with pytest.raises(SpreadsheetError, match="超过了1000\xa0字节的上限") as error:
        namelists.name_list_stage_upload(record=lilou_record, data=list_bytes(), filename="名单.xlsx", actor=township_clerk)
    assert error.value.code == "too_large"
    assert staged_files(staging) == []


def test_staged_upload_belongs_to_its_uploader(lilou_record, township_clerk, colleague, staging):
    staged = namelists.name_list_stage_upload(record=lilou_record, data=list_bytes(), filename="名单.xlsx", actor=township_clerk)
    assert namelists.staged_upload_get(staged.token, user=township_clerk).record_id == lilou_record.pk
    with pytest.raises(namelists.StagedUploadMissing):
        namelists.staged_upload_get(staged.token, user=colleague)
    with pytest.raises(namelists.StagedUploadMissing):
        namelists.staged_upload_get("../" + staged.token, user=township_clerk)
    assert oct((staging / f"{staged.token}.upload").stat().st_mode & 0o777) == "0o600"


def test_stale_staged_uploads_are_pruned(lilou_record, township_clerk, staging):
    staged = namelists.name_list_stage_upload(record=lilou_record, data=list_bytes(), filename="名单.xlsx", actor=township_clerk)
    assert namelists.prune_staging(max_age=3600) == 0
    old = time.time() - 7200
    os.utime(staged.path, (old, old))
    assert namelists.prune_staging(max_age=3600) == 1
    assert staged_files(staging) == []


# --- replacing and deleting ---------------------------------------------------------------


def test_a_rejected_list_is_replaced_by_a_new_upload(lilou_record, township_clerk, county_clerk):
    first = process(lilou_record, township_clerk)
    namelists.name_list_submit(name_list=first, actor=township_clerk)
    namelists.name_list_reject(name_list=first, actor=county_clerk, note="备注列请删除与救助无关的内容。")
    second = process(lilou_record, township_clerk, list_bytes(5, seed="again"))
    assert second.status == Status.PREVIEW and second.row_count == 5
    assert list(NameList.objects.values_list("pk", flat=True)) == [second.pk]
    assert AuditLogEntry.objects.filter(action="disclosures.namelist.replaced", object_id=str(first.pk)).exists()


@pytest.mark.parametrize("state", ["pending", "confirmed"])
def test_a_list_under_review_or_public_blocks_a_new_upload(lilou_record, township_clerk, county_clerk, state):
    name_list = process(lilou_record, township_clerk)
    namelists.name_list_submit(name_list=name_list, actor=township_clerk)
    if state == "confirmed":
        namelists.name_list_confirm(name_list=name_list, actor=county_clerk)
    with pytest.raises(ValidationError, match="请先删除"):
        namelists.name_list_stage_upload(record=lilou_record, data=list_bytes(), filename="名单.xlsx", actor=township_clerk)


def test_deleting_a_public_list_removes_it_from_the_record(lilou_record, township_clerk, county_clerk):
    name_list = publish_list(lilou_record, township_clerk, county_clerk)
    assert namelists.name_list_public(lilou_record) is not None
    namelists.name_list_delete(name_list=name_list, actor=township_clerk, reason="名单有误")
    assert namelists.name_list_public(lilou_record) is None
    assert not NameListRow.objects.exists()
    entry = AuditLogEntry.objects.get(action="disclosures.namelist.deleted")
    assert entry.data["reason"] == "名单有误" and entry.data["status"] == "confirmed"


# --- the confidentiality review (保密审查) -------------------------------------------------


@pytest.fixture
def pending(lilou_record, township_clerk) -> NameList:
    name_list = process(lilou_record, township_clerk)
    return namelists.name_list_submit(name_list=name_list, actor=township_clerk)


def test_the_uploader_cannot_confirm_their_own_list(pending, township_clerk):
    with pytest.raises(PermissionDenied, match="上传人不能审查自己上传的名单"):
        namelists.name_list_confirm(name_list=pending, actor=township_clerk)
    pending.refresh_from_db()
    assert pending.status == Status.PENDING and pending.confirmed_by is None


def test_another_county_cannot_confirm(pending, other_county_clerk):
    with pytest.raises(PermissionDenied):
        namelists.name_list_confirm(name_list=pending, actor=other_county_clerk)
    with pytest.raises(PermissionDenied):
        namelists.name_list_reject(name_list=pending, actor=other_county_clerk, note="不同意")
    pending.refresh_from_db()
    assert pending.status == Status.PENDING


def test_a_sibling_township_cannot_confirm(pending, make_user):
    guanlin = make_user(User.Role.TOWNSHIP_CLERK, GUANLIN, username="clerk-guanlin")
    with pytest.raises(PermissionDenied):
        namelists.name_list_confirm(name_list=pending, actor=guanlin)


@pytest.mark.parametrize("reviewer", ["colleague", "county_clerk", "city_reviewer"])
def test_same_or_parent_region_confirms(pending, reviewer, request):
    """A second clerk of 李楼街道, 洛龙区 (the parent) or 洛阳市 above it."""
    actor = request.getfixturevalue(reviewer)
    confirmed = namelists.name_list_confirm(name_list=pending, actor=actor, note="已核对")
    assert confirmed.status == Status.CONFIRMED
    assert confirmed.confirmed_by == actor and confirmed.confirmed_region_id == actor.region_id
    entry = AuditLogEntry.objects.get(action="disclosures.namelist.confirmed")
    assert entry.actor == actor and entry.region_id == LILOU


def test_only_pending_lists_can_be_confirmed(lilou_record, township_clerk, county_clerk):
    preview = process(lilou_record, township_clerk)
    with pytest.raises(PermissionDenied):
        namelists.name_list_confirm(name_list=preview, actor=county_clerk)


def test_rejection_needs_a_reason_and_is_never_public(pending, county_clerk, lilou_record):
    with pytest.raises(ValidationError, match="请填写退回理由"):
        namelists.name_list_reject(name_list=pending, actor=county_clerk, note=" ")
    rejected = namelists.name_list_reject(name_list=pending, actor=county_clerk, note="地址列请只保留到村。")
    assert rejected.status == Status.REJECTED and rejected.review_note == "地址列请只保留到村。"
    assert namelists.name_list_public(lilou_record) is None


def test_database_refuses_self_confirmation(pending, township_clerk):
    pending.status = Status.CONFIRMED
    pending.confirmed_by = township_clerk
    pending.confirmed_region_id = LILOU
    with pytest.raises(ValidationError, match="上传人不能审查自己上传的名单"):
        pending.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        pending.save()


def test_database_refuses_a_confirmer_of_another_county(pending, other_county_clerk):
    pending.status = Status.CONFIRMED
    pending.confirmed_by = other_county_clerk
    pending.confirmed_region_id = YANSHI
    with pytest.raises(ValidationError, match="只有本区划或上级区划的工作人员可以审查该名单"):
        pending.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        pending.save()


def test_database_accepts_a_confirmer_of_the_parent_region(pending, county_clerk):
    pending.status = Status.CONFIRMED
    pending.confirmed_by = county_clerk
    pending.confirmed_region_id = LUOLONG
    pending.full_clean()
    pending.save()  # the region constraint would raise IntegrityError here
    pending.refresh_from_db()
    assert (pending.status, pending.confirmed_by_id, pending.confirmed_region_id) == (
        Status.CONFIRMED,
        county_clerk.pk,
        LUOLONG,
    )


def test_a_changed_province_policy_sends_the_list_back(pending, county_clerk, province_admin):
    namelists.masking_policy_set(publish_id_number=True, publish_phone=False, actor=province_admin)
    with pytest.raises(ValidationError, match="全省名单脱敏规则在该名单处理之后已调整"):
        namelists.name_list_confirm(name_list=pending, actor=county_clerk)


def test_review_queue_lists_pending_lists_of_the_subtree_but_not_own_uploads(pending, township_clerk, county_clerk, other_county_clerk, colleague):
    assert list(namelists.name_list_review_queue(county_clerk)) == [pending]
    assert list(namelists.name_list_review_queue(colleague)) == [pending]
    assert list(namelists.name_list_review_queue(township_clerk)) == []
    assert list(namelists.name_list_review_queue(other_county_clerk)) == []


# --- public, expiry -------------------------------------------------------------------------


def test_public_list_until_its_publicity_period_ends(lilou_record, township_clerk, county_clerk):
    today = timezone.localdate()
    name_list = publish_list(lilou_record, township_clerk, county_clerk, publicity_end=today)
    public = namelists.name_list_public(lilou_record, today=today)
    assert not public.expired and len(public.rows) == 12
    assert public.published_from == timezone.localdate(lilou_record.publish_at)
    assert namelists.name_list_for_download(lilou_record.pk, today=today) == name_list

    later = today + timedelta(days=1)
    expired = namelists.name_list_public(lilou_record, today=later)
    assert expired.expired and expired.rows is None
    assert expired.published_until == today
    with pytest.raises(NameList.DoesNotExist):
        namelists.name_list_for_download(lilou_record.pk, today=later)
    # Staff still see the rows.
    assert len(namelists.name_list_rows_page(name_list)) == 12


def test_unconfirmed_lists_have_no_download(lilou_record, township_clerk):
    process(lilou_record, township_clerk)
    with pytest.raises(NameList.DoesNotExist):
        namelists.name_list_for_download(lilou_record.pk)


# --- processing in the background, stuck jobs -----------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_large_lists_are_processed_in_a_background_thread(portal, township_clerk, settings, monkeypatch):  # noqa: F811
    """The mapping returns with the list in processing; the thread updates rows_done
    every PROGRESS_EVERY rows and ends in preview."""
    settings.NAME_LIST_INLINE_ROWS = 10
    monkeypatch.setattr(namelists, "PROGRESS_EVERY", 20)
    seen: list[int] = []
    original = namelists._progress

    def spy(pk):
        update = original(pk)

        def record(done):
            seen.append(done)
            update(done)

        return record

    monkeypatch.setattr(namelists, "_progress", spy)
    record = publish_record(title="李楼街道临时救助名单（大）")
    staged = namelists.name_list_stage_upload(record=record, data=list_bytes(70), filename="名单.xlsx", actor=township_clerk)
    table = namelists.staged_upload_table(staged)
    started = namelists.name_list_start(
        staged=staged, record=record, sheet=table.sheet, mapping={c.index: c.suggested for c in table.columns},
        mask_names=False, publicity_end=None, actor=township_clerk,
    )
    assert started.status == Status.PROCESSING and started.row_count == 70  # the estimate, for progress
    namelists.wait_for_background(timeout=60)
    started.refresh_from_db()
    assert started.status == Status.PREVIEW and started.row_count == 70
    assert seen == [20, 40, 60, 70]


def test_small_lists_are_processed_after_commit_in_the_request(lilou_record, township_clerk, django_capture_on_commit_callbacks):
    staged = namelists.name_list_stage_upload(record=lilou_record, data=list_bytes(5), filename="名单.xlsx", actor=township_clerk)
    with django_capture_on_commit_callbacks(execute=True):
        started = namelists.name_list_start(
            staged=staged, record=lilou_record, sheet=None, mapping={1: "name"},
            mask_names=False, publicity_end=None, actor=township_clerk,
        )
    started.refresh_from_db()
    assert started.status == Status.PREVIEW and started.row_count == 5


def test_process_name_lists_finishes_stuck_lists_and_fails_orphans(lilou_record, township_clerk, staging, settings, portal):  # noqa: F811
    settings.NAME_LIST_BACKGROUND = False
    settings.NAME_LIST_INLINE_ROWS = 1
    stuck = []
    for title, count in [("甲", 30), ("乙", 20)]:
        record = publish_record(title=f"李楼街道名单{title}")
        staged = namelists.name_list_stage_upload(record=record, data=list_bytes(count), filename="名单.xlsx", actor=township_clerk)
        stuck.append(
            namelists.name_list_start(
                staged=staged, record=record, sheet=None, mapping={1: "name", 8: "village"},
                mask_names=False, publicity_end=None, actor=township_clerk,
            )
        )
    # The second one's staged file was lost (e.g. the server was replaced).
    namelists._discard_token(stuck[1].report["job"]["token"])
    assert namelists.name_list_finish_stuck(older_than=3600).ids == []  # not old enough yet
    NameList.objects.filter(pk__in=[s.pk for s in stuck]).update(progress_at=timezone.now() - timedelta(hours=2))
    call_command("process_name_lists")
    finished, orphan = (NameList.objects.get(pk=s.pk) for s in stuck)
    assert finished.status == Status.PREVIEW and finished.row_count == 30
    assert orphan.status == Status.FAILED and "请重新上传" in orphan.report["error"]
    assert staged_files(staging) == []


# --- audit ---------------------------------------------------------------------------


def test_every_step_is_audited_without_identifiers(lilou_record, township_clerk, county_clerk):
    crowd = people(12)
    publish_list(lilou_record, township_clerk, county_clerk)
    actions = list(AuditLogEntry.objects.filter(action__startswith="disclosures.namelist.").order_by("pk").values_list("action", flat=True))
    assert actions == [
        "disclosures.namelist.uploaded",
        "disclosures.namelist.started",
        "disclosures.namelist.processed",
        "disclosures.namelist.submitted",
        "disclosures.namelist.confirmed",
    ]
    data = json.dumps(list(AuditLogEntry.objects.values_list("data", flat=True)), ensure_ascii=False)
    for identifier in demo_namelists.raw_identifiers(crowd):
        assert identifier not in data


# --- demo ------------------------------------------------------------------------------


def test_demo_lists_go_through_the_pipeline_once(db):
    call_command("seed_demo")
    lists = list(NameList.objects.select_related("record", "uploaded_by", "confirmed_by"))
    assert len(lists) == 5
    assert all(n.status == Status.CONFIRMED for n in lists)
    assert all(n.uploaded_by != n.confirmed_by for n in lists)
    assert {(n.uploaded_by.username, n.confirmed_by.username) for n in lists} == {
        ("demo-township", "demo-county"),
        ("demo-county", "demo-city"),
    }
    assert all(n.record.region.code.startswith(LUOLONG) and len(n.record.region_id) == 9 for n in lists)
    lilou = [n for n in lists if n.record.region_id == LILOU]
    assert any(n.mask_names for n in lilou) and any(not n.mask_names for n in lilou)
    assert any(n.report["bad_check_digits_total"] for n in lists)
    assert max(n.row_count for n in lists) > namelists.ROWS_PER_PAGE  # paginated
    text = "".join(all_published_text(n) for n in lists)
    for identifier in demo_namelists.raw_identifiers(demo_namelists.demo_people()):
        assert identifier not in text
    rows = NameListRow.objects.count()
    call_command("seed_demo")
    assert NameList.objects.count() == 5 and NameListRow.objects.count() == rows


def test_demo_people_carry_valid_check_digits_but_one():
    crowd = demo_namelists.synthetic_people(10, seed="x")
    valid = [p.id_number[-1].upper() == gb11643_check_digit(p.id_number[:17]) for p in crowd]
    assert valid.count(False) == 1 and not valid[3]
    assert all(p.id_number.startswith(LUOLONG) for p in crowd)
    assert all(len(p.phone) == 11 and p.phone[0] == "1" for p in crowd)
    assert all(len(p.bank_card) == 19 for p in crowd)
    assert all("村" in p.address for p in crowd)


def test_masking_policy_defaults_when_unset(db):
    assert not MaskingPolicySetting.objects.exists()
    policy = namelists.masking_policy(mask_names=True)
    assert (policy.publish_id_number, policy.publish_phone, policy.mask_names) == (False, False, True)
