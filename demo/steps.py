"""The seed_demo steps in order; later steps build on earlier ones."""

from __future__ import annotations

from . import (
    applications,
    namelists,
    national,
    portal,
    province,
    records,
    users,
    villages,
)

DEMO_STEPS = [
    users.seed,  # accounts, province templates, Luoyang's catalogs, demo-county's localization
    portal.seed,  # every Luoyang county gets a published catalog (public portal)
    villages.seed,  # demo villages (村/社区) under 李楼街道 and two other townships
    records.seed,  # four quarters of records for demo-county and its townships
    namelists.seed,  # synthetic name lists through the real de-identification pipeline
    villages.seed_posting,  # proof of posting (张榜照片) for 李楼街道's earlier quarters
    applications.seed,  # 依申请公开: a dozen applications of 洛龙区 in every state
    province.seed,  # --scale province: every official county and township of Henan
    national.seed,  # --scale national: Henan replicated as 30 synthetic provinces
]


def seed(*, scale: str = "demo", stdout=None) -> None:
    for step in DEMO_STEPS:
        step(scale=scale, stdout=stdout)
