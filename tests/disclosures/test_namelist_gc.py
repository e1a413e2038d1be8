"""The name-list task keeps the cyclic collector off the worker's older objects only while
it processes (`processing._young_garbage_only`): afterwards, success or failure, the
collector's settings are what they were and nothing stays frozen, so a long-running worker
keeps no garbage."""

from __future__ import annotations

import gc

import pytest

from disclosures.models import NameList
from disclosures.namelists import processing as namelist_processing
from tests.builders import list_bytes, process

pytestmark = pytest.mark.usefixtures("staging")


@pytest.fixture
def collector():
    before = gc.get_threshold()
    gc.unfreeze()
    yield before
    gc.set_threshold(*before)
    gc.unfreeze()


def test_processing_freezes_the_old_objects_only_while_it_runs(
    collector, lilou_record, township_clerk, monkeypatch
):
    seen = {}
    original = namelist_processing._store_rows

    def store(pk, rows):
        seen["frozen"] = gc.get_freeze_count()
        seen["threshold"] = gc.get_threshold()
        return original(pk, rows)

    monkeypatch.setattr(namelist_processing, "_store_rows", store)
    name_list = process(lilou_record, township_clerk, list_bytes(6))
    assert name_list.status == NameList.Status.PREVIEW
    assert seen["frozen"] > 0 and seen["threshold"][0] >= 50_000
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == collector


def test_a_failed_list_leaves_the_collector_as_it_was(
    collector, lilou_record, township_clerk, monkeypatch
):
    def explode(pk, rows):
        raise RuntimeError("boom")

    monkeypatch.setattr(namelist_processing, "_store_rows", explode)
    name_list = process(lilou_record, township_clerk, list_bytes(6))
    assert name_list.status == NameList.Status.FAILED
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == collector
