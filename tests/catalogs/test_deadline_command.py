"""`manage.py deadline --rule TEXT --start YYYY-MM-DD` (SPEC §9)."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest

from django.core.management import call_command

from catalogs import calendar as calendar_services
from catalogs.selectors import forget_work_calendar

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_calendar():
    forget_work_calendar()
    yield
    forget_work_calendar()


def run(*args) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("deadline", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return exc.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    ("rule", "start", "lines"),
    [
        (
            "制定或获取信息之日起10个工作日内",
            "2025-09-26",
            ["2025-10-16"],
        ),  # SPEC §4 example
        (
            "备案之日起10个工作日内",
            "2024-09-27",
            ["2024-10-16"],
        ),  # make-up Sun 9/29 and Sat 10/12 count
        (
            "制定或修改信息之日起10个工作日内，公示7个工作日",
            "2025-03-03",
            ["2025-03-17", "公示截止 2025-03-25"],
        ),
        ("每季度末", "2023-11-15", ["2024-01-02"]),  # 2023-12-31 is a Sunday, 1/1 元旦
        ("20日内", "2025-09-11", ["2025-10-09"]),  # 10/1 falls in the 国庆 block
        ("依申请公开", "2025-09-26", ["依申请公开"]),
    ],
)
def test_prints_due_date(rule, start, lines):
    code, out, err = run("--rule", rule, "--start", start)
    assert code == 0
    assert out.splitlines() == lines
    assert err == ""


def test_2027_is_provisional_with_a_warning():
    code, out, err = run(
        "--rule", "制定或获取信息之日起10个工作日内", "--start", "2026-12-28"
    )
    assert code == 0
    assert out.splitlines() == ["2027-01-12"]
    assert "警告" in err and "暂定" in err and "尚未录入国务院办公厅" in err


def test_2027_spring_festival_counts_in_the_provisional_calendar():
    """Issue 16: 2027-02-05 (除夕) to 02-08 (正月初三) are rest days by the 2024
    放假办法; without them the answer would be 2027-02-17."""
    code, out, err = run(
        "--rule", "制定或获取信息之日起10个工作日内", "--start", "2027-02-03"
    )
    assert code == 0
    assert out.splitlines() == ["2027-02-19"]
    assert "暂定" in err
    assert "春节4天即农历除夕至正月初三" in err
    assert "未计调休上班日和补休" in err


@pytest.mark.parametrize("rule", ["尽快公开", "及时", "次月10日前", ""])
def test_unreadable_wording_exits_2_with_chinese_message(rule):
    code, out, err = run("--rule", rule, "--start", "2025-09-26")
    assert code == 2
    assert out == ""
    assert "公开时限" in err


def test_bad_start_date_exits_2():
    code, out, err = run("--rule", "每季度末", "--start", "2025/09/26")
    assert code == 2
    assert "无法识别日期“2025/09/26”" in err


def test_follows_calendar_edits(province_admin):
    calendar_services.calendar_day_set(
        day=date(2025, 10, 15), kind="holiday", name="测试", actor=province_admin
    )
    assert (
        run("--rule", "制定或获取信息之日起10个工作日内", "--start", "2025-09-26")[
            1
        ].strip()
        == "2025-10-17"
    )
