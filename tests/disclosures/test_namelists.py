"""Name-list services and selectors (disclosures.namelists): staging, mapping, processing,
the confidentiality review (保密审查), expiry, the province policy, stuck jobs, the demo.

The builders (`list_bytes`, `process`, `publish_list` …) are in tests/builders.py, the
fixtures `staging` and `lilou_record` in tests/conftest.py: tests/disclosures/test_views_namelists.py
and tests/portal/test_security.py share them.
"""

from __future__ import annotations

import json
import logging
import os
import time
from datetime import date, datetime, timedelta
from datetime import time as time_of_day

import pytest

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from catalogs.models import AuditLogEntry, User
from demo import namelists as demo_namelists
from disclosures.deidentify import gb11643_check_digit, mask_name, scan_text
from disclosures.models import (
    DisclosureRecord,
    MaskingPolicySetting,
    NameList,
    NameListRow,
)
from disclosures.namelists import processing as namelist_processing
from disclosures.namelists import public as namelist_public
from disclosures.namelists import selectors as namelist_selectors
from disclosures.namelists import services as namelist_services
from disclosures.namelists import staging as namelist_staging
from disclosures.spreadsheets import SpreadsheetError
from tests.builders import (
    DIBAO_SENSITIVE,
    dibao_bytes,
    list_bytes,
    people,
    process,
    publish_list,
    publish_record,
    staged_files,
    temporary_record,
)

LILOU, LUOLONG, YANSHI = "410311012", "410311", "410307"
GUANLIN = "410311004"  # another township of 洛龙区

Status = NameList.Status

pytestmark = pytest.mark.usefixtures(
    "staging"
)  # each test stages uploads in its own directory


# --- builders ------------------------------------------------------------------------


@pytest.fixture
def colleague(make_user):
    """A second clerk of 李楼街道: same region as the uploader."""
    return make_user(User.Role.TOWNSHIP_CLERK, LILOU, username="clerk-lilou-2")


def all_published_text(name_list: NameList) -> str:
    cells = NameListRow.objects.filter(name_list=name_list).values_list(
        "cells", flat=True
    )
    return json.dumps([name_list.columns, list(cells)], ensure_ascii=False)


# --- upload, mapping, processing -----------------------------------------------------------


def test_upload_to_preview_stores_only_the_masked_table(
    lilou_record, township_clerk, staging
):
    """Title rows above the header are skipped, the suggested mapping publishes exactly
    the four fields of 第六十一条 (name, household size, amount, village); ID, phone,
    bank card, address, category, remark and reason columns are dropped; the raw file
    is gone."""
    crowd = people(12)
    name_list = process(lilou_record, township_clerk, list_bytes(12))
    assert name_list.status == Status.PREVIEW
    assert name_list.columns == ["姓名", "家庭人口", "救助金额（元）", "所属村"]
    assert name_list.column_kinds == ["name", "household_size", "amount", "village"]
    assert name_list.row_count == 12 and name_list.rows_done == 12
    assert name_list.region_id == LILOU and name_list.uploaded_by == township_clerk
    rows = list(NameListRow.objects.filter(name_list=name_list).order_by("number"))
    assert [r.number for r in rows] == list(range(1, 13))
    first = crowd[0]
    assert rows[0].cells == [first.name, first.household, first.amount, first.village]
    stored = all_published_text(name_list) + json.dumps(
        name_list.report, ensure_ascii=False
    )
    for identifier in demo_namelists.raw_identifiers(crowd):
        assert identifier not in stored
    published = all_published_text(name_list)
    for person in crowd:
        for private in (person.category, person.remark, person.reason, person.address):
            assert not private or private not in published
    assert staged_files(staging) == []
    assert "job" not in name_list.report


def test_unmapped_columns_are_not_published(lilou_record, township_clerk):
    """Deny by default: only the columns given a publishable kind appear."""
    name_list = process(lilou_record, township_clerk, mapping={1: "name", 8: "village"})
    assert name_list.columns == ["姓名", "所属村"]
    summary = namelist_selectors.name_list_summary(name_list)
    dropped = {c["header"]: c["reason"] for c in summary.columns_dropped}
    assert dropped["家庭人口"] == "未对应到可公开的类型，默认不公开"
    assert dropped["备注"] == "未对应到可公开的类型，默认不公开"
    assert len(summary.columns_dropped) == 10


def test_a_mapping_that_publishes_nothing_is_refused_and_stores_nothing(
    lilou_record, township_clerk, staging
):
    staged = namelist_staging.name_list_stage_upload(
        record=lilou_record,
        data=list_bytes(),
        filename="名单.xlsx",
        actor=township_clerk,
    )
    with pytest.raises(ValidationError, match="没有可以公开的列"):
        namelist_processing.name_list_start(
            staged=staged,
            record=lilou_record,
            sheet=None,
            mapping={2: "id_number", 3: "phone", 4: "bank_card"},
            mask_names=False,
            publicity_end=None,
            actor=township_clerk,
            dispatch=False,
        )
    assert not NameList.objects.exists()


def test_masked_names_keep_compound_surnames(lilou_record, township_clerk):
    rows = [
        ["姓名", "家庭人口", "所属村"],
        ["欧阳明华", 3, "李楼村"],
        ["张三", 2, "岳村"],
        ["司马懿", 1, "郭村"],
    ]
    data = "\n".join(",".join(map(str, r)) for r in rows).encode("utf-8")
    name_list = process(lilou_record, township_clerk, data, "名单.csv", mask_names=True)
    cells = list(
        NameListRow.objects.filter(name_list=name_list).values_list("cells", flat=True)
    )
    assert [c[0] for c in cells] == ["欧阳*华", "张*", "司马*"]


def test_gb18030_csv_with_title_rows_is_read(lilou_record, township_clerk):
    text = "李楼街道低保名单（第三季度）\n户主姓名,保障人口,保障金额（元/月）,村（社区）,备注\n王秀英,2,438,李楼村,身份证410311198506121230\n𠀀丽,1,292,岳村,\n"
    name_list = process(
        lilou_record, township_clerk, text.encode("gb18030"), "dibao.csv"
    )
    assert name_list.status == Status.PREVIEW
    assert name_list.report["source"]["encoding"] == "gb18030"
    assert name_list.report["source"]["header_row"] == 2
    cells = list(
        NameListRow.objects.filter(name_list=name_list)
        .order_by("number")
        .values_list("cells", flat=True)
    )
    assert cells[0] == ["王秀英", "2", "438", "李楼村"]  # 备注 is not published
    assert cells[1][0] == "𠀀丽"
    assert "410311198506121230" not in all_published_text(name_list)


def test_wrong_check_digits_are_reported_by_row_and_column(
    lilou_record, township_clerk
):
    """In the unpublished ID column and inside published free text alike; never quoted."""
    first17 = "41031119850612123"
    bad = first17 + ("0" if gb11643_check_digit(first17) != "0" else "1")
    good = first17 + gb11643_check_digit(first17)
    rows = [
        ["低保对象名单"],
        ["姓名", "身份证号码", "家庭人口", "村（社区）"],
        ["王伟", good, 2, "岳村"],
        ["李娜", bad, 1, "郭村"],
        ["张敏", good, 3, f"岳村 代领人{bad}"],
    ]
    data = "\n".join(",".join(map(str, r)) for r in rows).encode("utf-8")
    name_list = process(lilou_record, township_clerk, data, "名单.csv")
    summary = namelist_selectors.name_list_summary(name_list)
    assert summary.bad_check_digits == [
        {"row": 4, "column": "身份证号码"},
        {"row": 5, "column": "村（社区）"},
    ]
    assert summary.bad_check_digits_total == 2
    assert summary.findings == [
        {
            "row": 5,
            "column": "村（社区）",
            "kind": "id_number_bad_check",
            "kind_label": "身份证号（校验位错误）",
        }
    ]
    assert bad not in json.dumps(name_list.report) and bad not in all_published_text(
        name_list
    )


def test_the_quick_id_check_passes_only_what_the_full_scan_calls_a_valid_id():
    """Unpublished ID columns: a cell the quick check lets through is one the full
    scan finds a single valid ID in; everything else goes to the full scan."""
    first17 = "11010519491231002"
    assert gb11643_check_digit(first17) == "X"
    other = "41031119850612123"
    good = other + gb11643_check_digit(other)
    bad = other + ("0" if gb11643_check_digit(other) != "0" else "1")
    quick = namelist_processing._good_id_cell
    for value in (good, first17 + "X", first17 + "x"):
        assert quick(value)
        assert scan_text(value)[1] == ["id_number"]
    for value in (
        bad,
        first17 + "0",
        "１１０１０５１９４９１２３１００２X",  # full-width digits: the full scan decides
        f"{good[:6]} {good[6:]}",
        good + "1",
        good[:17],
        int(good),
        None,
    ):
        assert not quick(value)
    assert "id_number_bad_check" in scan_text(bad)[1]


def test_province_policy_enabled_id_column_shows_first_and_last_two(
    lilou_record, township_clerk, province_admin
):
    namelist_services.masking_policy_set(
        publish_id_number=True, publish_phone=True, actor=province_admin
    )
    crowd = people(3)
    name_list = process(lilou_record, township_clerk, list_bytes(3))
    assert name_list.columns == [
        "姓名",
        "公民身份号码",
        "联系电话",
        "家庭人口",
        "救助金额（元）",
        "所属村",
    ]
    first = NameListRow.objects.get(name_list=name_list, number=1).cells
    assert (
        first[1] == crowd[0].id_number[0] + "*" * 15 + crowd[0].id_number[-2:].upper()
    )
    assert first[2] == crowd[0].phone[:3] + "****" + crowd[0].phone[-4:]
    assert "银行卡号" not in name_list.columns
    assert AuditLogEntry.objects.filter(
        action="disclosures.masking_policy.changed", actor=province_admin
    ).exists()


def test_a_failure_half_way_stores_nothing(
    lilou_record, township_clerk, staging, monkeypatch, caplog
):
    """All or nothing: rows written before the error are deleted, the list is failed
    with a Chinese message, the staged file is gone, and the log names no identifier."""
    crowd = people(30)
    monkeypatch.setattr(namelist_processing, "ROW_BATCH", 10)
    original = namelist_processing._json_cell
    calls = {"n": 0}

    def explode(value):
        calls["n"] += 1
        if calls["n"] > 60:
            raise ValueError(f"cannot convert {crowd[20].id_number}")
        return original(value)

    monkeypatch.setattr(namelist_processing, "_json_cell", explode)
    with caplog.at_level(logging.DEBUG):
        name_list = process(lilou_record, township_clerk, list_bytes(30))
    assert name_list.status == Status.FAILED
    assert "处理名单时出错，未公开任何内容" in name_list.report["error"]
    assert not NameListRow.objects.filter(name_list=name_list).exists()
    assert name_list.columns == [] and name_list.row_count == 0
    assert staged_files(staging) == []
    assert crowd[20].id_number not in caplog.text
    assert "ValueError" in caplog.text
    assert namelist_public.name_list_public(lilou_record) is None


def test_refused_uploads_leave_nothing_behind(lilou_record, township_clerk, staging):
    with pytest.raises(SpreadsheetError) as error:
        namelist_staging.name_list_stage_upload(
            record=lilou_record,
            data=b"%PDF-1.4 nothing",
            filename="名单.pdf",
            actor=township_clerk,
        )
    assert error.value.code == "not_spreadsheet"
    assert staged_files(staging) == []
    assert not AuditLogEntry.objects.filter(
        action="disclosures.namelist.uploaded"
    ).exists()


def test_oversized_upload_is_refused_before_it_is_written(
    lilou_record, township_clerk, staging, settings
):
    settings.MAX_UPLOAD_BYTES = 1000
    with pytest.raises(SpreadsheetError, match="超过了1000\xa0字节的上限") as error:
        namelist_staging.name_list_stage_upload(
            record=lilou_record,
            data=list_bytes(),
            filename="名单.xlsx",
            actor=township_clerk,
        )
    assert error.value.code == "too_large"
    assert staged_files(staging) == []


def test_staged_upload_belongs_to_its_uploader(
    lilou_record, township_clerk, colleague, staging
):
    staged = namelist_staging.name_list_stage_upload(
        record=lilou_record,
        data=list_bytes(),
        filename="名单.xlsx",
        actor=township_clerk,
    )
    assert (
        namelist_staging.staged_upload_get(staged.token, user=township_clerk).record_id
        == lilou_record.pk
    )
    with pytest.raises(namelist_staging.StagedUploadMissing):
        namelist_staging.staged_upload_get(staged.token, user=colleague)
    with pytest.raises(namelist_staging.StagedUploadMissing):
        namelist_staging.staged_upload_get("../" + staged.token, user=township_clerk)
    assert oct((staging / f"{staged.token}.upload").stat().st_mode & 0o777) == "0o600"


def test_stale_staged_uploads_are_pruned(lilou_record, township_clerk, staging):
    staged = namelist_staging.name_list_stage_upload(
        record=lilou_record,
        data=list_bytes(),
        filename="名单.xlsx",
        actor=township_clerk,
    )
    assert namelist_staging.prune_staging(max_age=3600) == 0
    old = time.time() - 7200
    os.utime(staged.path, (old, old))
    assert namelist_staging.prune_staging(max_age=3600) == 1
    assert staged_files(staging) == []


# --- replacing and deleting ---------------------------------------------------------------


def test_a_rejected_list_is_replaced_by_a_new_upload(
    lilou_record, township_clerk, county_clerk
):
    first = process(lilou_record, township_clerk)
    namelist_services.name_list_submit(name_list=first, actor=township_clerk)
    namelist_services.name_list_reject(
        name_list=first, actor=county_clerk, note="备注列请删除与救助无关的内容。"
    )
    second = process(lilou_record, township_clerk, list_bytes(5, seed="again"))
    assert second.status == Status.PREVIEW and second.row_count == 5
    assert list(NameList.objects.values_list("pk", flat=True)) == [second.pk]
    assert AuditLogEntry.objects.filter(
        action="disclosures.namelist.replaced", object_id=str(first.pk)
    ).exists()


@pytest.mark.parametrize("state", ["pending", "confirmed"])
def test_a_list_under_review_or_public_blocks_a_new_upload(
    lilou_record, township_clerk, county_clerk, state
):
    name_list = process(lilou_record, township_clerk)
    namelist_services.name_list_submit(name_list=name_list, actor=township_clerk)
    if state == "confirmed":
        namelist_services.name_list_confirm(name_list=name_list, actor=county_clerk)
    with pytest.raises(ValidationError, match="请先删除"):
        namelist_staging.name_list_stage_upload(
            record=lilou_record,
            data=list_bytes(),
            filename="名单.xlsx",
            actor=township_clerk,
        )


def test_deleting_a_public_list_removes_it_from_the_record(
    lilou_record, township_clerk, county_clerk
):
    name_list = publish_list(lilou_record, township_clerk, county_clerk)
    assert namelist_public.name_list_public(lilou_record) is not None
    namelist_services.name_list_delete(
        name_list=name_list, actor=township_clerk, reason="名单有误"
    )
    assert namelist_public.name_list_public(lilou_record) is None
    assert not NameListRow.objects.exists()
    entry = AuditLogEntry.objects.get(action="disclosures.namelist.deleted")
    assert entry.data["reason"] == "名单有误" and entry.data["status"] == "confirmed"


# --- the confidentiality review (保密审查) -------------------------------------------------


@pytest.fixture
def pending(lilou_record, township_clerk) -> NameList:
    name_list = process(lilou_record, township_clerk)
    return namelist_services.name_list_submit(name_list=name_list, actor=township_clerk)


def test_the_uploader_cannot_confirm_their_own_list(pending, township_clerk):
    with pytest.raises(PermissionDenied, match="上传人不能审查自己上传的名单"):
        namelist_services.name_list_confirm(name_list=pending, actor=township_clerk)
    pending.refresh_from_db()
    assert pending.status == Status.PENDING and pending.confirmed_by is None


def test_another_county_cannot_confirm(pending, other_county_clerk):
    with pytest.raises(PermissionDenied):
        namelist_services.name_list_confirm(name_list=pending, actor=other_county_clerk)
    with pytest.raises(PermissionDenied):
        namelist_services.name_list_reject(
            name_list=pending, actor=other_county_clerk, note="不同意"
        )
    pending.refresh_from_db()
    assert pending.status == Status.PENDING


def test_a_sibling_township_cannot_confirm(pending, make_user):
    guanlin = make_user(User.Role.TOWNSHIP_CLERK, GUANLIN, username="clerk-guanlin")
    with pytest.raises(PermissionDenied):
        namelist_services.name_list_confirm(name_list=pending, actor=guanlin)


@pytest.mark.parametrize("reviewer", ["colleague", "county_clerk", "city_reviewer"])
def test_same_or_parent_region_confirms(pending, reviewer, request):
    """A second clerk of 李楼街道, 洛龙区 (the parent) or 洛阳市 above it."""
    actor = request.getfixturevalue(reviewer)
    confirmed = namelist_services.name_list_confirm(
        name_list=pending, actor=actor, note="已核对"
    )
    assert confirmed.status == Status.CONFIRMED
    assert (
        confirmed.confirmed_by == actor
        and confirmed.confirmed_region_id == actor.region_id
    )
    entry = AuditLogEntry.objects.get(action="disclosures.namelist.confirmed")
    assert entry.actor == actor and entry.region_id == LILOU


def test_only_pending_lists_can_be_confirmed(
    lilou_record, township_clerk, county_clerk
):
    preview = process(lilou_record, township_clerk)
    with pytest.raises(PermissionDenied):
        namelist_services.name_list_confirm(name_list=preview, actor=county_clerk)


def test_rejection_needs_a_reason_and_is_never_public(
    pending, county_clerk, lilou_record
):
    with pytest.raises(ValidationError, match="请填写退回理由"):
        namelist_services.name_list_reject(
            name_list=pending, actor=county_clerk, note=" "
        )
    rejected = namelist_services.name_list_reject(
        name_list=pending, actor=county_clerk, note="地址列请只保留到村。"
    )
    assert (
        rejected.status == Status.REJECTED
        and rejected.review_note == "地址列请只保留到村。"
    )
    assert namelist_public.name_list_public(lilou_record) is None


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
    with pytest.raises(
        ValidationError, match="只有本区划或上级区划的工作人员可以审查该名单"
    ):
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


def test_a_changed_province_policy_sends_the_list_back(
    pending, county_clerk, province_admin
):
    namelist_services.masking_policy_set(
        publish_id_number=True, publish_phone=False, actor=province_admin
    )
    with pytest.raises(ValidationError, match="全省名单脱敏规则在该名单处理之后已调整"):
        namelist_services.name_list_confirm(name_list=pending, actor=county_clerk)


def test_review_queue_lists_pending_lists_of_the_subtree_but_not_own_uploads(
    pending, township_clerk, county_clerk, other_county_clerk, colleague
):
    assert list(namelist_selectors.name_list_review_queue(county_clerk)) == [pending]
    assert list(namelist_selectors.name_list_review_queue(colleague)) == [pending]
    assert list(namelist_selectors.name_list_review_queue(township_clerk)) == []
    assert list(namelist_selectors.name_list_review_queue(other_county_clerk)) == []


# --- public, expiry -------------------------------------------------------------------------


def test_public_list_until_its_publicity_period_ends(
    lilou_record, township_clerk, county_clerk
):
    today = timezone.localdate()
    name_list = publish_list(
        lilou_record, township_clerk, county_clerk, publicity_end=today
    )
    public = namelist_public.name_list_public(lilou_record, today=today)
    assert not public.expired and len(public.rows) == 12
    assert public.published_from == timezone.localdate(lilou_record.publish_at)
    assert (
        namelist_public.name_list_for_download(lilou_record.pk, today=today)
        == name_list
    )

    later = today + timedelta(days=1)
    expired = namelist_public.name_list_public(lilou_record, today=later)
    assert expired.expired and expired.rows is None
    assert expired.published_until == today
    with pytest.raises(NameList.DoesNotExist):
        namelist_public.name_list_for_download(lilou_record.pk, today=later)
    # Staff still see the rows.
    assert len(namelist_selectors.name_list_rows_page(name_list)) == 12


def test_unconfirmed_lists_have_no_download(lilou_record, township_clerk):
    process(lilou_record, township_clerk)
    with pytest.raises(NameList.DoesNotExist):
        namelist_public.name_list_for_download(lilou_record.pk)


# --- processing as a background task, stuck jobs -----------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_lists_are_processed_by_a_task_enqueued_on_commit(
    portal, township_clerk, monkeypatch
):
    """The mapping commits the list in processing and enqueues the task (the
    immediate backend of the test settings runs it at once); the task updates
    rows_done every PROGRESS_EVERY rows and ends in preview, one attempt used."""
    from django_tasks import task_backends

    monkeypatch.setattr(namelist_processing, "PROGRESS_EVERY", 20)
    seen: list[int] = []
    original = namelist_processing._progress

    def spy(pk, run=None):
        update = original(pk, run)

        def record(done):
            seen.append(done)
            update(done)

        return record

    monkeypatch.setattr(namelist_processing, "_progress", spy)
    enqueued = []
    backend = task_backends["default"]
    monkeypatch.setattr(
        backend,
        "enqueue",
        lambda task, args, kwargs, original=backend.enqueue: (
            enqueued.append((task.name, list(args))) or original(task, args, kwargs)
        ),
    )
    record = publish_record(title="李楼街道临时救助名单（大）")
    staged = namelist_staging.name_list_stage_upload(
        record=record, data=list_bytes(70), filename="名单.xlsx", actor=township_clerk
    )
    table = namelist_staging.staged_upload_table(staged)
    started = namelist_processing.name_list_start(
        staged=staged,
        record=record,
        sheet=table.sheet,
        mapping={c.index: c.suggested for c in table.columns},
        mask_names=False,
        publicity_end=None,
        actor=township_clerk,
    )
    assert enqueued == [("process_name_list", [started.pk])]
    started.refresh_from_db()
    assert started.status == Status.PREVIEW and started.row_count == 70
    assert seen == [20, 40, 60, 70]
    assert not namelist_staging.staged_file_exists(staged.token)


def test_nothing_is_processed_before_the_mapping_commits(
    lilou_record, township_clerk, django_capture_on_commit_callbacks
):
    staged = namelist_staging.name_list_stage_upload(
        record=lilou_record,
        data=list_bytes(5),
        filename="名单.xlsx",
        actor=township_clerk,
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        started = namelist_processing.name_list_start(
            staged=staged,
            record=lilou_record,
            sheet=None,
            mapping={1: "name"},
            mask_names=False,
            publicity_end=None,
            actor=township_clerk,
        )
    started.refresh_from_db()
    assert started.status == Status.PROCESSING and len(callbacks) == 1
    callbacks[0]()
    started.refresh_from_db()
    assert started.status == Status.PREVIEW and started.row_count == 5


def test_process_name_lists_requeues_stuck_lists_and_fails_orphans(
    lilou_record, township_clerk, staging, portal
):
    stuck = []
    for title, count in [("甲", 30), ("乙", 20), ("丙", 10)]:
        record = publish_record(title=f"李楼街道名单{title}")
        staged = namelist_staging.name_list_stage_upload(
            record=record,
            data=list_bytes(count),
            filename="名单.xlsx",
            actor=township_clerk,
        )
        stuck.append(
            namelist_processing.name_list_start(
                staged=staged,
                record=record,
                sheet=None,
                mapping={1: "name", 8: "village"},
                mask_names=False,
                publicity_end=None,
                actor=township_clerk,
            )
        )
    # The second one's staged file was lost; the third one's worker died three times.
    namelist_staging.discard_token(stuck[1].report["job"]["token"])
    job = {**stuck[2].report["job"], "attempts": 3, "run": "dead"}
    NameList.objects.filter(pk=stuck[2].pk).update(
        report={**stuck[2].report, "job": job}
    )
    assert (
        namelist_processing.name_list_rescue(older_than=3600).ids == []
    )  # not old enough yet
    NameList.objects.filter(pk__in=[s.pk for s in stuck]).update(
        progress_at=timezone.now() - timedelta(hours=2)
    )
    call_command("process_name_lists")
    finished, orphan, exhausted = (NameList.objects.get(pk=s.pk) for s in stuck)
    assert finished.status == Status.PREVIEW and finished.row_count == 30
    assert orphan.status == Status.FAILED and "请重新上传" in orphan.report["error"]
    assert exhausted.status == Status.FAILED
    assert "后台处理多次中断" in exhausted.report["error"]
    assert staged_files(staging) == []
    # Run again: nothing left to do.
    assert namelist_processing.name_list_rescue(older_than=0).ids == []


def test_a_run_of_a_list_already_being_processed_does_nothing(
    lilou_record, township_clerk
):
    """A duplicate task (rescue and the original both queued) leaves a live run alone;
    a run taken over by a later one stops without touching the list."""
    staged = namelist_staging.name_list_stage_upload(
        record=lilou_record,
        data=list_bytes(5),
        filename="名单.xlsx",
        actor=township_clerk,
    )
    started = namelist_processing.name_list_start(
        staged=staged,
        record=lilou_record,
        sheet=None,
        mapping={1: "name"},
        mask_names=False,
        publicity_end=None,
        actor=township_clerk,
        dispatch=False,
    )
    job = {**started.report["job"], "run": "alive", "attempts": 1}
    NameList.objects.filter(pk=started.pk).update(
        report={**started.report, "job": job}, progress_at=timezone.now()
    )
    assert namelist_processing.name_list_run(started.pk).status == Status.PROCESSING
    assert namelist_processing.name_list_process(started.pk, run="dead").status == (
        Status.PROCESSING
    )
    assert not NameListRow.objects.filter(name_list=started).exists()
    assert namelist_staging.staged_file_exists(staged.token)


# --- audit ---------------------------------------------------------------------------


def test_every_step_is_audited_without_identifiers(
    lilou_record, township_clerk, county_clerk
):
    crowd = people(12)
    publish_list(lilou_record, township_clerk, county_clerk)
    actions = list(
        AuditLogEntry.objects.filter(action__startswith="disclosures.namelist.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "disclosures.namelist.uploaded",
        "disclosures.namelist.started",
        "disclosures.namelist.processed",
        "disclosures.namelist.submitted",
        "disclosures.namelist.confirmed",
    ]
    data = json.dumps(
        list(AuditLogEntry.objects.values_list("data", flat=True)), ensure_ascii=False
    )
    for identifier in demo_namelists.raw_identifiers(crowd):
        assert identifier not in data


# --- demo ------------------------------------------------------------------------------


def test_demo_lists_go_through_the_pipeline_once(seeded_demo):
    """Every demo list is confirmed by a second person, publishes only 第六十一条's
    four columns (no 类别, 备注 or 致困原因 value such as "因病致困"), and is public
    now (the 公示 list of the earlier quarter excepted); seeding twice adds nothing."""
    lists = list(
        NameList.objects.select_related("record", "uploaded_by", "confirmed_by")
    )
    assert len(lists) >= 5
    assert all(n.status == Status.CONFIRMED for n in lists)
    assert all(n.uploaded_by != n.confirmed_by for n in lists)
    assert {(n.uploaded_by.username, n.confirmed_by.username) for n in lists} == {
        ("demo-township", "demo-county"),
        ("demo-county", "demo-city"),
    }
    assert all(n.record.region.code.startswith(LUOLONG) for n in lists)
    lilou = [n for n in lists if n.record.region_id == LILOU]
    assert any(n.mask_names for n in lilou) and any(not n.mask_names for n in lilou)
    assert any(n.report["bad_check_digits_total"] for n in lists)
    assert max(n.row_count for n in lists) > namelist_public.ROWS_PER_PAGE  # paginated
    assert {tuple(n.column_kinds) for n in lists} == {
        ("name", "household_size", "amount", "village")
    }
    text = "".join(all_published_text(n) for n in lists)
    for identifier in demo_namelists.raw_identifiers(demo_namelists.demo_people()):
        assert identifier not in text
    for person in demo_namelists.demo_people():
        for private in (person.category, person.remark, person.reason, person.address):
            assert not private or private not in text, private
    for word in ("因病致困", "残疾", "尿毒症", "刑满释放", "A类", "急难型"):
        assert word not in text
    kinds = {n.public_period_kind for n in lists}
    assert {"publicity", "display"} <= kinds
    assert all(n.public_until is not None for n in lists if not n.standing)
    today = timezone.localdate()
    live = [n for n in lists if n.is_public_on(today)]
    assert len([n for n in live if n.public_period_kind == "display"]) >= 3
    rows = NameListRow.objects.count()
    count = len(lists)
    call_command("seed_demo")
    assert NameList.objects.count() == count and NameListRow.objects.count() == rows


def test_demo_people_carry_valid_check_digits_but_one():
    crowd = demo_namelists.synthetic_people(10, seed="x")
    valid = [
        p.id_number[-1].upper() == gb11643_check_digit(p.id_number[:17]) for p in crowd
    ]
    assert valid.count(False) == 1 and not valid[3]
    assert all(p.id_number.startswith(LUOLONG) for p in crowd)
    assert all(len(p.phone) == 11 and p.phone[0] == "1" for p in crowd)
    assert all(len(p.bank_card) == 19 for p in crowd)
    assert all("村" in p.address for p in crowd)


def test_masking_policy_defaults_when_unset(db):
    assert not MaskingPolicySetting.objects.exists()
    policy = namelist_services.masking_policy(mask_names=True)
    assert (policy.publish_id_number, policy.publish_phone, policy.mask_names) == (
        False,
        False,
        True,
    )


# --- 第六十一条: the published columns ------------------------------------------------------


def test_fifteen_column_dibao_list_publishes_exactly_four_columns(
    lilou_record, township_clerk, county_clerk
):
    """By default the header suggestions publish 姓名, 家庭人口, 保障金额 and 村/社区, and
    nothing of 类别, 备注, 致困原因, 地址, 性别, 年龄 or the identifiers."""
    crowd = people(9, seed="dibao")
    name_list = publish_list(
        lilou_record, township_clerk, county_clerk, data=dibao_bytes()
    )
    assert name_list.columns == ["姓名", "家庭人口", "保障金额", "村/社区"]
    assert name_list.column_kinds == ["name", "household_size", "amount", "village"]
    published = all_published_text(name_list)
    for word in [
        *DIBAO_SENSITIVE,
        "尿毒症",
        "残疾",
        "刑满释放",
        "因病",
        "女",
        "洛阳农商银行",
    ]:
        assert word not in published, word
    for identifier in demo_namelists.raw_identifiers(crowd):
        assert identifier not in published
    summary = namelist_selectors.name_list_summary(name_list)
    dropped = {c["header"]: c["kind"] for c in summary.columns_dropped}
    assert (
        dropped["致困原因"] == "reason"
        and dropped["类别"] == "category"
        and dropped["备注"] == "remark"
    )
    assert len(summary.columns_dropped) == 11
    public = namelist_public.name_list_public(lilou_record)
    assert [len(row.cells) for row in public.rows] == [4] * 9


def test_province_policy_may_publish_category_but_never_remarks(
    lilou_record, township_clerk, province_admin
):
    namelist_services.masking_policy_set(
        publish_id_number=False,
        publish_phone=False,
        publish_category=True,
        actor=province_admin,
    )
    name_list = process(lilou_record, township_clerk, dibao_bytes())
    assert name_list.columns == ["姓名", "家庭人口", "保障金额", "类别", "村/社区"]
    text = all_published_text(name_list)
    assert "A类" in text
    for word in ("尿毒症", "精神残疾", "刑满释放", "因病致困"):
        assert word not in text
    # 类别 "B类（重残）" holds a disability word: the report names the rows.
    summary = namelist_selectors.name_list_summary(name_list)
    [flagged] = summary.sensitive_columns
    assert flagged["header"] == "类别" and flagged["sensitive_label"] == "残疾"
    assert flagged["sensitive_cells"] == 3 and flagged["sensitive_rows"] == [3, 6, 9]
    entry = AuditLogEntry.objects.get(action="disclosures.masking_policy.changed")
    assert (
        entry.data["after"]["publish_category"] is True
        and entry.data["after"]["display_days"] == 365
    )


def test_a_list_holding_a_column_the_rules_no_longer_publish_is_refused(
    pending, county_clerk
):
    """A pending list processed under wider rules (or before the defaults narrowed) cannot be confirmed."""
    NameList.objects.filter(pk=pending.pk).update(
        columns=[*pending.columns, "备注"],
        column_kinds=[*pending.column_kinds, "remark"],
    )
    pending.refresh_from_db()
    with pytest.raises(ValidationError, match="名单中的列“备注”按现行全省规则不公开"):
        namelist_services.name_list_confirm(name_list=pending, actor=county_clerk)
    pending.refresh_from_db()
    assert pending.status == Status.PENDING


def test_a_changed_category_switch_sends_the_list_back(
    pending, county_clerk, province_admin
):
    namelist_services.masking_policy_set(
        publish_id_number=False,
        publish_phone=False,
        publish_category=True,
        actor=province_admin,
    )
    with pytest.raises(ValidationError, match="全省名单脱敏规则在该名单处理之后已调整"):
        namelist_services.name_list_confirm(name_list=pending, actor=county_clerk)


# --- the mapping step: masked samples, sensitive words ------------------------------------------


def test_mapping_table_has_masked_samples_and_sensitive_word_warnings(
    lilou_record, township_clerk
):
    crowd = people(9, seed="dibao")
    staged = namelist_staging.name_list_stage_upload(
        record=lilou_record,
        data=dibao_bytes(),
        filename="低保.xlsx",
        actor=township_clerk,
    )
    table = namelist_staging.staged_upload_table(staged)
    columns = {c.header: c for c in table.columns}
    assert [c.suggested for c in table.columns] == [
        "",
        "name",
        "id_number",
        "",
        "",
        "household_size",
        "amount",
        "category",
        "remark",
        "reason",
        "address",
        "village",
        "phone",
        "bank_card",
        "bank_card",
    ]
    assert len(columns["姓名"].samples) == namelist_staging.SAMPLES_PER_COLUMN
    assert columns["姓名"].samples[0] == mask_name(crowd[0].name)
    first_id = crowd[0].id_number
    assert (
        columns["身份证号"].samples[0] == first_id[0] + "*" * 15 + first_id[-2:].upper()
    )
    assert (
        columns["联系电话"].samples[0]
        == crowd[0].phone[:3] + "****" + crowd[0].phone[-4:]
    )
    assert set(columns["银行卡号"].samples[0]) == {"*"}
    assert columns["地址"].samples[0].endswith(crowd[0].village)
    shown = repr([c.samples for c in table.columns])
    for identifier in demo_namelists.raw_identifiers(crowd):
        assert identifier not in shown
    assert set(columns["备注"].sensitive) == {
        "illness",
        "mental",
        "disability",
        "criminal",
    }
    assert (
        columns["备注"].sensitive_label == "精神或智力状况、残疾、违法犯罪记录、疾病"
    )  # in order of appearance
    assert columns["备注"].sensitive_cells == 9 and columns["备注"].sensitive_rows == [
        3,
        4,
        5,
        6,
        7,
    ]
    assert columns["致困原因"].sensitive == ["illness"]
    assert (
        columns["类别"].sensitive == ["disability"]
        and columns["类别"].sensitive_cells == 3
    )
    assert not columns["姓名"].sensitive and not columns["村/社区"].sensitive
    assert table.rows_scanned == 9 and not table.scan_truncated


def test_mapping_scan_stops_after_its_row_limit(
    lilou_record, township_clerk, monkeypatch
):
    monkeypatch.setattr(namelist_staging, "MAPPING_SCAN_ROWS", 4)
    staged = namelist_staging.name_list_stage_upload(
        record=lilou_record,
        data=dibao_bytes(),
        filename="低保.xlsx",
        actor=township_clerk,
    )
    table = namelist_staging.staged_upload_table(staged)
    assert table.rows_scanned == 4 and table.scan_truncated
    assert next(c for c in table.columns if c.header == "备注").sensitive_cells == 4


# --- no list public forever ---------------------------------------------------------------


def dibao_record(title: str, *, region_code: str = LILOU, **kwargs):
    """A 最低生活保障 审批信息 record: its list is a standing list of current recipients."""
    return publish_record(
        title=title,
        region_code=region_code,
        item_name="审批信息",
        category="最低生活保障",
        **kwargs,
    )


def test_standing_list_is_suggested_from_the_catalog_item(portal):
    assert namelist_processing.standing_list_suggested(
        dibao_record("李楼街道城乡低保对象名单")
    )
    assert namelist_processing.standing_list_suggested(
        publish_record(
            title="李楼街道特困人员名单",
            item_name="审批信息",
            category="特困人员救助供养",
        )
    )
    assert not namelist_processing.standing_list_suggested(
        temporary_record("李楼街道临时救助审批结果")
    )
    review = publish_record(title="李楼街道低保审核对象公示")  # 审核信息, 公示7个工作日
    assert review.publicity_end is not None
    assert not namelist_processing.standing_list_suggested(review)
    item = review.item
    item.time_limit_text = "长期公开"
    item.publicity_amount = None
    review.publicity_end = None
    assert namelist_processing.standing_list_suggested(review)


def test_the_three_ways_a_list_ends(portal, township_clerk, county_clerk):
    """Publicity period → its end; standing → until replaced; otherwise the display period."""
    today = timezone.localdate()
    publicity = publish_list(
        temporary_record("李楼街道临时救助公示"),
        township_clerk,
        county_clerk,
        publicity_end=today + timedelta(days=3),
    )
    display = publish_list(
        temporary_record("李楼街道临时救助审批结果"), township_clerk, county_clerk
    )
    standing = publish_list(
        dibao_record("李楼街道城乡低保对象名单"), township_clerk, county_clerk
    )
    assert (publicity.public_period_kind, publicity.public_until) == (
        "publicity",
        today + timedelta(days=3),
    )
    published = timezone.localdate(display.record.publish_at)
    assert (display.public_period_kind, display.public_until) == (
        "display",
        published + timedelta(days=364),
    )
    assert (standing.public_period_kind, standing.standing, standing.public_until) == (
        "standing",
        True,
        None,
    )
    for name_list, last in [
        (publicity, publicity.public_until),
        (display, display.public_until),
        (standing, today + timedelta(days=3650)),
    ]:
        record = name_list.record
        on_last = namelist_public.name_list_public(record, today=last)
        assert not on_last.expired and len(on_last.rows) == 12
        assert (
            namelist_public.name_list_for_download(record.pk, today=last) == name_list
        )
        if name_list is standing:
            continue
        after = namelist_public.name_list_public(record, today=last + timedelta(days=1))
        assert after.expired and after.rows is None
        assert (after.published_from, after.published_until) == (
            timezone.localdate(record.publish_at),
            last,
        )
        with pytest.raises(NameList.DoesNotExist):
            namelist_public.name_list_for_download(
                record.pk, today=last + timedelta(days=1)
            )
    entry = AuditLogEntry.objects.filter(
        action="disclosures.namelist.confirmed", object_id=str(display.pk)
    ).get()
    assert entry.data["public_until"] == display.public_until.isoformat()


def test_the_display_period_is_the_provinces(
    lilou_record, township_clerk, county_clerk, province_admin
):
    namelist_services.masking_policy_set(
        publish_id_number=False,
        publish_phone=False,
        display_days=30,
        actor=province_admin,
    )
    name_list = publish_list(lilou_record, township_clerk, county_clerk)
    assert name_list.public_until == timezone.localdate(
        lilou_record.publish_at
    ) + timedelta(days=29)
    with pytest.raises(ValidationError):
        namelist_services.masking_policy_set(
            publish_id_number=False,
            publish_phone=False,
            display_days=0,
            actor=province_admin,
        )


def test_a_newer_list_of_the_same_item_and_region_replaces_a_standing_list(
    portal, township_clerk, county_clerk, city_reviewer
):
    today = timezone.localdate()
    older = publish_list(
        dibao_record(
            "李楼街道低保对象名单（三月）", published_on=today - timedelta(days=60)
        ),
        township_clerk,
        county_clerk,
    )
    other_region = publish_list(
        dibao_record(
            "洛龙区低保对象名单",
            region_code=LUOLONG,
            published_on=today - timedelta(days=50),
        ),
        county_clerk,
        city_reviewer,
    )
    assert (
        older.public_until is None
        and namelist_public.name_list_public(
            older.record, today=today + timedelta(days=900)
        ).rows
    )
    newer = publish_list(
        dibao_record(
            "李楼街道低保对象名单（六月）", published_on=today - timedelta(days=2)
        ),
        township_clerk,
        county_clerk,
    )
    older.refresh_from_db()
    other_region.refresh_from_db()
    assert older.public_until == today - timedelta(
        days=1
    )  # gone from today, as the newer one is public
    assert other_region.public_until is None  # another region's list is not replaced
    assert newer.public_until is None
    assert namelist_public.name_list_public(older.record, today=today).expired
    assert namelist_public.name_list_public(
        older.record, today=today - timedelta(days=1)
    ).rows
    with pytest.raises(NameList.DoesNotExist):
        namelist_public.name_list_for_download(older.record.pk, today=today)
    assert namelist_public.name_list_for_download(newer.record.pk, today=today) == newer
    confirmed = AuditLogEntry.objects.filter(
        action="disclosures.namelist.confirmed", object_id=str(newer.pk)
    ).get()
    assert confirmed.data["replaced"] == [older.pk]


def test_a_standing_list_confirmed_after_a_newer_one_is_not_public(
    portal, township_clerk, county_clerk
):
    today = timezone.localdate()
    newer = publish_list(
        dibao_record(
            "李楼街道低保对象名单（六月）",
            published_on=today - timedelta(days=5),
            trigger_days_before=3,
        ),
        township_clerk,
        county_clerk,
    )
    late = publish_list(
        dibao_record(
            "李楼街道低保对象名单（三月）",
            published_on=today - timedelta(days=60),
            trigger_days_before=3,
        ),
        township_clerk,
        county_clerk,
    )
    newer.refresh_from_db()
    assert newer.public_until is None
    assert late.public_until == today - timedelta(days=1)
    assert namelist_public.name_list_public(late.record, today=today).expired


def test_a_standing_list_cannot_have_a_publicity_period(portal, township_clerk):
    record = dibao_record("李楼街道低保对象名单")
    staged = namelist_staging.name_list_stage_upload(
        record=record, data=list_bytes(), filename="名单.xlsx", actor=township_clerk
    )
    with pytest.raises(ValidationError, match="不能同时设为长期公示"):
        namelist_processing.name_list_start(
            staged=staged,
            record=record,
            sheet=None,
            mapping={1: "name"},
            mask_names=False,
            publicity_end=timezone.localdate(),
            standing=True,
            actor=township_clerk,
            dispatch=False,
        )
    started = namelist_processing.name_list_start(
        staged=staged,
        record=record,
        sheet=None,
        mapping={1: "name"},
        mask_names=False,
        publicity_end=None,
        actor=township_clerk,
        dispatch=False,
    )
    assert started.standing  # suggested from the item when not given


def test_sync_with_record_recounts_the_display_period(
    lilou_record, township_clerk, county_clerk
):
    name_list = publish_list(lilou_record, township_clerk, county_clerk)
    later = lilou_record.publish_at + timedelta(days=10)
    DisclosureRecord.objects.filter(pk=lilou_record.pk).update(publish_at=later)
    lilou_record.refresh_from_db()
    synced = namelist_services.name_list_sync_with_record(record=lilou_record)
    assert synced.public_until == timezone.localdate(later) + timedelta(days=364)
    assert AuditLogEntry.objects.filter(
        action="disclosures.namelist.public_until_changed"
    ).exists()
    # A publicity period is the clerk's, and an ended list stays ended.
    NameList.objects.filter(pk=name_list.pk).update(
        public_until=timezone.localdate() - timedelta(days=1)
    )
    assert namelist_services.name_list_sync_with_record(
        record=lilou_record
    ).public_until == timezone.localdate() - timedelta(days=1)


PUBLIC_STATES = [
    # (field values, public on day 0, public on day 1)
    ({"public_until": 0}, True, False),
    ({"public_until": -1}, False, False),
    ({"public_until": None, "standing": True}, True, True),
    ({"public_until": 0, "standing": True}, True, False),
    ({"public_until": None, "publicity_end": 0}, True, False),
    (
        {"public_until": None, "publicity_end": None, "confirmed_days_ago": 364},
        True,
        False,
    ),
    (
        {"public_until": None, "publicity_end": None, "confirmed_days_ago": 365},
        False,
        False,
    ),
    (
        {"public_until": None, "publicity_end": None, "confirmed_days_ago": None},
        False,
        False,
    ),
    ({"public_until": 5, "status": "pending"}, False, False),
]


@pytest.mark.parametrize(("fields", "on_day0", "on_day1"), PUBLIC_STATES)
def test_sql_and_python_agree_on_what_is_public(lilou_record, fields, on_day0, on_day1):
    """`NameList.objects.live` (the public query) and `NameList.is_public_on` (staff pages)."""
    day0 = date(2026, 6, 30)
    values = {"status": "confirmed", "standing": False, "publicity_end": None}
    values.update({k: v for k, v in fields.items() if k != "confirmed_days_ago"})
    for key in ("public_until", "publicity_end"):
        if isinstance(values.get(key), int):
            values[key] = day0 + timedelta(days=values[key])
    ago = fields.get("confirmed_days_ago", 0)
    values["confirmed_at"] = (
        None
        if ago is None
        else timezone.make_aware(
            datetime.combine(day0 - timedelta(days=ago), time_of_day(23, 0))
        )
    )
    name_list = NameList.objects.create(record=lilou_record, region_id=LILOU, **values)
    for day, expected in [(day0, on_day0), (day0 + timedelta(days=1), on_day1)]:
        assert (
            NameList.objects.live(today=day).filter(pk=name_list.pk).exists()
            is expected
        )
        assert name_list.is_public_on(day) is expected


def test_the_data_migration_computes_ends_and_narrows_columns(
    portal, township_clerk, county_clerk
):
    """Lists confirmed before the migration: ends as the service would compute them, and
    类别/备注/地址 columns removed from their masked rows."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "disclosures.migrations.0007_namelist_public_until"
    )
    today = timezone.localdate()
    display = publish_list(
        temporary_record("李楼街道临时救助审批结果"), township_clerk, county_clerk
    )
    old_standing = publish_list(
        dibao_record(
            "李楼街道低保对象名单（一）", published_on=today - timedelta(days=40)
        ),
        township_clerk,
        county_clerk,
    )
    new_standing = publish_list(
        dibao_record(
            "李楼街道低保对象名单（二）", published_on=today - timedelta(days=10)
        ),
        township_clerk,
        county_clerk,
    )
    # As they were before: no end, no standing flag, and the old default columns.
    NameList.objects.update(public_until=None, standing=False)
    NameList.objects.filter(pk=display.pk).update(
        columns=[
            "姓名",
            "家庭住址",
            "家庭人口",
            "救助金额（元）",
            "所属村",
            "救助类别",
            "备注",
        ],
        column_kinds=[
            "name",
            "address",
            "household_size",
            "amount",
            "village",
            "category",
            "remark",
        ],
    )
    for row in NameListRow.objects.filter(name_list=display):
        row.cells = [row.cells[0], "李楼街道李楼村", *row.cells[1:], "A类", "因病致困"]
        row.save()
    migration.narrow_columns(apps, None)
    migration.compute_public_until(apps, None)
    display.refresh_from_db()
    assert display.columns == ["姓名", "家庭人口", "救助金额（元）", "所属村"]
    assert display.column_kinds == ["name", "household_size", "amount", "village"]
    assert "因病致困" not in all_published_text(
        display
    ) and "A类" not in all_published_text(display)
    assert all(
        len(c) == 4
        for c in NameListRow.objects.filter(name_list=display).values_list(
            "cells", flat=True
        )
    )
    assert display.public_until == timezone.localdate(
        display.record.publish_at
    ) + timedelta(days=364)
    old_standing.refresh_from_db()
    new_standing.refresh_from_db()
    assert old_standing.standing and new_standing.standing
    assert new_standing.public_until is None
    assert old_standing.public_until == timezone.localdate(
        new_standing.confirmed_at
    ) - timedelta(days=1)


def test_next_end_tells_the_page_cache_when_rows_disappear(
    portal, township_clerk, county_clerk
):
    today = timezone.localdate()
    assert namelist_public.name_list_next_end(today=today) is None
    publish_list(
        dibao_record("李楼街道低保对象名单"), township_clerk, county_clerk
    )  # standing: no end
    assert namelist_public.name_list_next_end(today=today) is None
    publish_list(
        temporary_record("甲"),
        township_clerk,
        county_clerk,
        publicity_end=today + timedelta(days=9),
    )
    soon = publish_list(
        temporary_record("乙"),
        township_clerk,
        county_clerk,
        publicity_end=today + timedelta(days=2),
    )
    assert (
        namelist_public.name_list_next_end(today=today)
        == soon.public_until
        == today + timedelta(days=2)
    )
    assert namelist_public.name_list_next_end(
        today=today + timedelta(days=3)
    ) == today + timedelta(days=9)
