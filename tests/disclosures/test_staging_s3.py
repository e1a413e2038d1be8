"""Staged name-list uploads on S3 (``STORAGE_BACKEND=s3``), against moto's in-process S3.

The private storage is the one `catalog_portal.settings.base` builds from the
environment (read in a subprocess, as a deployment would), pointed at moto's
mock of S3: the raw upload lands under the bucket's private prefix with a
private ACL, the worker reads it through a 0600 temporary copy that is gone
afterwards, processing deletes it, and the expiry sweep deletes an abandoned
one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import boto3
import pytest
from moto import mock_aws

from django.conf import settings as django_settings

from disclosures.models import NameList, NameListRow
from disclosures.namelists import staging as namelist_staging
from tests.builders import list_bytes, people, process

BUCKET = "portal-files"
PREFIX = "private/namelist-staging/"


def _private_storage_from_settings() -> dict:
    """``STORAGES["private"]`` as the production settings build it with STORAGE_BACKEND=s3."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DJANGO_SETTINGS_MODULE": "catalog_portal.settings.base",
        "DJANGO_DEBUG": "1",
        "STORAGE_BACKEND": "s3",
        "AWS_STORAGE_BUCKET_NAME": BUCKET,
    }
    env.pop("AWS_S3_ENDPOINT_URL", None)  # moto answers the default endpoint
    code = (
        "import json, django; django.setup();"
        "from django.conf import settings as s;"
        "print(json.dumps(s.STORAGES['private']))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.fixture
def s3(settings, monkeypatch):
    private = _private_storage_from_settings()
    assert private["BACKEND"] == "storages.backends.s3.S3Storage"
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_S3_ENDPOINT_URL", raising=False)
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        settings.STORAGES = {**settings.STORAGES, "private": private}
        settings.NAME_LIST_STAGING_DIR = None
        yield client


def _keys(client) -> list[str]:
    listed = client.list_objects_v2(Bucket=BUCKET)
    return sorted(o["Key"] for o in listed.get("Contents", []))


def test_a_staged_upload_is_a_private_object_read_through_a_temporary_copy(
    s3, lilou_record, township_clerk
):
    data = list_bytes(5)
    staged = namelist_staging.name_list_stage_upload(
        record=lilou_record, data=data, filename="名单.xlsx", actor=township_clerk
    )
    key = f"{PREFIX}{staged.token}.upload"
    assert key in _keys(s3)
    assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == data
    grants = s3.get_object_acl(Bucket=BUCKET, Key=key)["Grants"]
    assert [g["Permission"] for g in grants] == ["FULL_CONTROL"]  # the owner only
    assert all("URI" not in g["Grantee"] for g in grants)  # no AllUsers grant
    assert namelist_staging.staged_file_exists(staged.token)
    with namelist_staging.staged_local_path(staged.token) as path:
        assert path.read_bytes() == data
        assert oct(path.stat().st_mode & 0o777) == "0o600"
        temporary = path
    assert not temporary.exists()


def test_processing_from_s3_stores_the_masked_rows_and_deletes_the_object(
    s3, lilou_record, township_clerk
):
    crowd = people(8)
    name_list = process(lilou_record, township_clerk, list_bytes(8))
    assert name_list.status == NameList.Status.PREVIEW
    assert NameListRow.objects.filter(name_list=name_list).count() == 8
    names = {
        row[0]
        for row in NameListRow.objects.filter(name_list=name_list).values_list(
            "cells", flat=True
        )
    }
    assert names == {person.name for person in crowd}
    assert [k for k in _keys(s3) if k.startswith(PREFIX)] == []


def test_the_expiry_sweep_deletes_an_abandoned_upload_on_s3(
    s3, lilou_record, township_clerk
):
    staged = namelist_staging.name_list_stage_upload(
        record=lilou_record,
        data=list_bytes(3),
        filename="名单.xlsx",
        actor=township_clerk,
    )
    assert namelist_staging.prune_staging(max_age=3600) == 0
    assert namelist_staging.prune_staging(max_age=3600, now=time.time() + 7200) == 1
    assert not namelist_staging.staged_file_exists(staged.token)
    assert [k for k in _keys(s3) if k.startswith(PREFIX)] == []
