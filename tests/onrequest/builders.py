"""Applications built through the real services (tests of the on-request workflow)."""

from __future__ import annotations

from datetime import date

from catalogs.models import Region
from disclosures.deidentify.identifiers import gb11643_check_digit
from onrequest import services


def id_number(body: str = "41030319800101123") -> str:
    """A resident ID number with a valid check digit (synthetic)."""
    return body + gb11643_check_digit(body)


def applicant(**overrides) -> dict:
    data = {
        "applicant_kind": "natural_person",
        "applicant_name": "王测试",
        "id_type": "resident_id",
        "id_number": id_number(),
        "phone": "13812345678",
        "email": "",
        "address": "洛阳市洛龙区开元大道1号",
        "postcode": "471000",
        "description": "2025年洛龙区临时救助资金使用情况",
        "form": "paper",
        "delivery": "post",
    }
    data.update(overrides)
    return data


def paper_application(
    clerk, received_on: date, region_code: str = "410311", **overrides
):
    """A paper application registered by ``clerk`` on ``received_on``."""
    return services.application_submit(
        region=Region.objects.get(code=region_code),
        data=applicant(**overrides),
        channel="paper",
        received_on=received_on,
        actor=clerk,
    ).application
