"""Applications for the annual-report tests, as the on-request workflow leaves them
(registered with a receipt date; answered with an outcome and a reply date).

Built directly as rows: the tests count them, they do not exercise the workflow
(tests/onrequest does that).
"""

from __future__ import annotations

import itertools
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from onrequest.models import Application
from onrequest.outcomes import APPLICANT_KIND_KEYS, OUTCOME_KEYS

_numbers = itertools.count(1)


def application(
    region_code: str,
    *,
    kind: str = "natural_person",
    received: date | None,
    replied: date | None = None,
    outcome: str = "",
) -> Application:
    n = next(_numbers)
    submitted = received or date(2025, 6, 1)
    return Application.objects.create(
        code=f"T{n:08d}",
        check_hash="x",
        region_id=region_code,
        applicant_kind=kind,
        applicant_name="测试申请人",
        id_type="other",
        id_number="-",
        phone="-",
        description="申请公开2025年低保资金发放情况",
        submitted_at=datetime.combine(
            submitted, time(9), tzinfo=ZoneInfo("Asia/Shanghai")
        ),
        received_on=received,
        outcome=outcome if replied else "",
        replied_on=replied,
        status="archived" if replied else "processing",
    )


def a_year_of_applications(region_code: str, year: int = 2025) -> list[Application]:
    """Every applicant kind and every outcome at least once in `year`, plus
    applications carried in from the year before (answered in `year` or still
    open), carried out to the next (received in December, answered in January),
    one received in the year before and answered then, one never registered (no
    receipt date) and one received the next year (all three counted nowhere)."""
    made = []
    kinds = itertools.cycle(APPLICANT_KIND_KEYS)
    for index, outcome in enumerate(OUTCOME_KEYS):
        month = 1 + index % 11
        made.append(
            application(
                region_code,
                kind=next(kinds),
                received=date(year, month, 3),
                replied=date(year, month, 20),
                outcome=outcome,
            )
        )
    # Extra disclosed ones, so some cells are above 1.
    for kind in ("natural_person", "natural_person", "business"):
        made.append(
            application(
                region_code,
                kind=kind,
                received=date(year, 3, 10),
                replied=date(year, 4, 1),
                outcome="disclosed",
            )
        )
    # Carried in: received last December, answered in January / still open.
    made.append(
        application(
            region_code,
            kind="research",
            received=date(year - 1, 12, 20),
            replied=date(year, 1, 10),
            outcome="partly",
        )
    )
    made.append(
        application(region_code, kind="natural_person", received=date(year - 1, 12, 28))
    )
    # Carried out: received this December, answered next January.
    made.append(
        application(
            region_code,
            kind="legal_service",
            received=date(year, 12, 22),
            replied=date(year + 1, 1, 8),
            outcome="disclosed",
        )
    )
    # Neither: an earlier year entirely; never registered.
    made.append(
        application(
            region_code,
            kind="natural_person",
            received=date(year - 1, 5, 5),
            replied=date(year - 1, 5, 20),
            outcome="disclosed",
        )
    )
    made.append(application(region_code, kind="natural_person", received=None))
    # Received next year, still open: not carried out of this one.
    made.append(
        application(region_code, kind="natural_person", received=date(year + 1, 1, 5))
    )
    return made
