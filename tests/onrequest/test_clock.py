"""The reply clock (第三十、三十二、三十三条) over the official calendar: holidays,
make-up working days (调休) and the pauses, table-driven with hand-counted dates."""

from __future__ import annotations

from datetime import date

import pytest

from catalogs.deadlines import WorkCalendar, compute_due, parse_rule
from onrequest import clock

CAL = WorkCalendar.from_chinesecalendar()
D = date


@pytest.mark.parametrize(
    ("case", "kwargs", "expected"),
    [
        # 春节 2026: 2-15…2-23 off, Saturday 2-14 is a make-up working day.
        ("spring festival", {"received_on": D(2026, 1, 20)}, D(2026, 2, 24)),
        # 国庆 2025: 10-1…10-8 off, Sunday 9-28 and Saturday 10-11 worked.
        ("national day", {"received_on": D(2025, 9, 26)}, D(2025, 10, 30)),
        (
            "corrected: counts again from the corrected application",
            {
                "received_on": D(2025, 9, 26),
                "correction_requested_on": D(2025, 9, 29),
                "corrected_on": D(2025, 10, 9),
            },
            D(2025, 11, 5),
        ),
        (
            "consultation answered after 5 working days, across 清明 2026",
            {
                "received_on": D(2026, 3, 2),
                "pauses": [clock.Pause(D(2026, 3, 9), D(2026, 3, 16))],
            },
            D(2026, 4, 7),
        ),
        (
            "consultation not answered yet: the longest pause (15)",
            {
                "received_on": D(2026, 3, 2),
                "pauses": [clock.Pause(D(2026, 3, 9), None)],
            },
            D(2026, 4, 21),
        ),
        (
            "consultation answered late: at most 15 working days are not counted",
            {
                "received_on": D(2026, 3, 2),
                "pauses": [clock.Pause(D(2026, 3, 9), D(2026, 4, 30))],
            },
            D(2026, 4, 21),
        ),
        (
            "extension of 20 working days, across 春节 and Saturday 2-28 (调休)",
            {"received_on": D(2026, 1, 20), "extension_days": 20},
            D(2026, 3, 23),
        ),
        (
            "correction, consultation and extension together",
            {
                "received_on": D(2025, 9, 26),
                "correction_requested_on": D(2025, 9, 29),
                "corrected_on": D(2025, 10, 9),
                "pauses": [clock.Pause(D(2025, 10, 13), D(2025, 10, 17))],
                "extension_days": 10,
            },
            # 11-5 + 4 (consultation 10-14…10-17) + 10 = 11-25
            D(2025, 11, 25),
        ),
    ],
)
def test_reply_due_dates(case, kwargs, expected):
    result = clock.reply_clock(CAL, **kwargs)
    assert result.due.day == expected, case
    assert result.due.rule.startswith("收到")
    assert not result.due.provisional


def test_reply_due_equals_the_deadline_rule_of_the_engine():
    """The clock without pauses is the `deadline` command's rule 收到申请之日起20个工作日内."""
    rule = parse_rule(clock.REPLY_RULE_WORDING)
    for start in (D(2026, 1, 20), D(2025, 9, 26), D(2024, 12, 31), D(2026, 4, 30)):
        assert (
            clock.reply_clock(CAL, received_on=start).due.day
            == compute_due(rule, start, CAL).due
        )


def test_no_due_date_while_a_correction_is_awaited():
    result = clock.reply_clock(
        CAL, received_on=D(2025, 9, 26), correction_requested_on=D(2025, 9, 29)
    )
    assert result.due.day is None
    assert "补正" in result.due.rule


@pytest.mark.parametrize(
    ("fn", "start", "expected"),
    [
        (clock.correction_request_limit, D(2025, 9, 26), D(2025, 10, 13)),
        (clock.consultation_answer_due, D(2026, 1, 30), D(2026, 2, 27)),
        (clock.archive_due, D(2025, 9, 30), D(2025, 10, 21)),
    ],
)
def test_other_periods(fn, start, expected):
    assert fn(CAL, start).day == expected


def test_year_without_official_data_is_provisional():
    result = clock.reply_clock(CAL, received_on=D(2026, 12, 20))
    assert result.due.provisional
    assert result.due.day.year == 2027
