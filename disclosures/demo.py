"""Demo data of the disclosures app. Each area contributes one module, run in order;
a module that does not exist yet is skipped."""

from __future__ import annotations

import importlib

DEMO_MODULES = [
    "disclosures.demo_portal",  # every Luoyang county gets a published catalog (public portal)
    "disclosures.demo_records",  # four quarters of records for demo-county and its townships
    "disclosures.demo_namelists",  # synthetic name lists through the real de-identification pipeline
    "disclosures.demo_province",  # --scale province: every official county and township of Henan
    "disclosures.demo_national",  # --scale national: Henan replicated as 30 synthetic provinces
]


def seed(*, scale: str = "demo", stdout=None) -> None:
    for name in DEMO_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        module.seed(scale=scale, stdout=stdout)
