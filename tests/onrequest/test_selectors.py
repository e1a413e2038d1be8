"""Table 三 of the annual report, counted from applications (`annual_table_three`)."""

from __future__ import annotations

from datetime import date

import pytest

from catalogs.models import AuditLogEntry
from onrequest import services
from onrequest.outcomes import (
    APPLICANT_KIND_KEYS,
    OUTCOME_KEYS,
    ROW_CARRIED_IN,
    ROW_CARRIED_OUT,
    ROW_RECEIVED,
    ROW_TOTAL_HANDLED,
)
from onrequest.selectors import annual_table_three

from .builders import paper_application

pytestmark = pytest.mark.django_db


def _reply(application, clerk, outcome, on):
    services.application_reply(
        application=application,
        outcome=outcome,
        reply_text="见附件。",
        replied_on=on,
        actor=clerk,
    )


def test_table_three_rows_and_columns(county_clerk, make_user):
    """Receipt in the year → 本年新收; received before and open at the start → 上年结转;
    answered in the year → its outcome row; open at the year's end → 结转下年度."""
    org = {
        "applicant_kind": "business",
        "id_type": "credit_code",
        "id_number": "91410300MA000000X1",
    }
    # Received 2024, answered 2025: carried in, disclosed in 2025.
    old = paper_application(county_clerk, date(2024, 12, 20))
    _reply(old, county_clerk, "disclosed", date(2025, 1, 10))
    # Received 2024, answered 2024: neither carried in nor counted in 2025.
    done = paper_application(county_clerk, date(2024, 11, 1))
    _reply(done, county_clerk, "disclosed", date(2024, 11, 20))
    # Received 2025 by a company, partly disclosed in 2025.
    partly = paper_application(county_clerk, date(2025, 3, 3), **org)
    _reply(partly, county_clerk, "partly", date(2025, 3, 20))
    # Received 2025, answered 2026: carried out.
    late = paper_application(county_clerk, date(2025, 12, 29))
    _reply(late, county_clerk, "refused_third_party", date(2026, 1, 15))
    # Received 2025, still open: carried out.
    paper_application(county_clerk, date(2025, 6, 2), **org)
    # Another county: never counted.
    yanshi = make_user("county_clerk", "410307", username="clerk-y")
    paper_application(yanshi, date(2025, 5, 5), region_code="410307")
    # A township of 洛龙区: only with include_subregions.
    lilou = make_user("township_clerk", "410311012", username="clerk-l")
    paper_application(lilou, date(2025, 5, 6), region_code="410311012")

    table = annual_table_three("410311", 2025)

    assert set(table) == {
        ROW_RECEIVED,
        ROW_CARRIED_IN,
        ROW_TOTAL_HANDLED,
        ROW_CARRIED_OUT,
        *OUTCOME_KEYS,
    }
    for counts in table.values():
        assert set(counts) == {*APPLICANT_KIND_KEYS, "total"}
    assert table[ROW_RECEIVED] == {
        **dict.fromkeys(APPLICANT_KIND_KEYS, 0),
        "natural_person": 1,
        "business": 2,
        "total": 3,
    }
    assert table[ROW_CARRIED_IN]["natural_person"] == 1
    assert table[ROW_CARRIED_IN]["total"] == 1
    assert table["disclosed"]["natural_person"] == 1
    assert table["partly"]["business"] == 1
    assert table["refused_third_party"]["total"] == 0
    assert table[ROW_TOTAL_HANDLED]["total"] == 2
    assert table[ROW_TOTAL_HANDLED]["business"] == 1
    assert table[ROW_CARRIED_OUT] == {
        **dict.fromkeys(APPLICANT_KIND_KEYS, 0),
        "natural_person": 1,
        "business": 1,
        "total": 2,
    }

    with_townships = annual_table_three("410311", 2025, include_subregions=True)
    assert with_townships[ROW_RECEIVED]["total"] == 4
    assert (
        annual_table_three("410311", 2026)["refused_third_party"]["natural_person"] == 1
    )
    assert annual_table_three("410311", 2026)[ROW_CARRIED_IN]["total"] == 2


def test_table_three_is_all_zero_without_applications(county_clerk):
    table = annual_table_three("410311", 2025)
    assert all(v == 0 for counts in table.values() for v in counts.values())
    assert not AuditLogEntry.objects.filter(action__startswith="onrequest").exists()


def test_online_applications_not_yet_registered_are_not_counted(county_clerk):
    from catalogs.models import Region

    from .builders import applicant

    services.application_submit(
        region=Region.objects.get(code="410311"), data=applicant()
    )
    table = annual_table_three("410311", date.today().year)
    assert table[ROW_RECEIVED]["total"] == 0
