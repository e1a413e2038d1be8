"""`manage.py backup` / `manage.py restore` round trips (issue 13).

Each round trip seeds a fresh database through the real commands (seed_demo plus
a published record with a docx attachment), backs it up, restores the archive
into a new empty database with an empty file storage, and compares the two:
the row count of every table, the uploaded files byte for byte, and a checksum
of the public pages (home, a region page, a catalog page, a record page and its
attachment) rendered from each database.

The PostgreSQL round trip runs in the PostgreSQL leg of CI (`postgres` marker;
pg_dump/pg_restore of the server's version); the SQLite one (the backup API,
for `make run` installations) uses SQLite files and runs in both legs.
"""

from __future__ import annotations

import hashlib
import json
import re
import tarfile
from pathlib import Path

import pytest

from django.core.management import call_command
from django.core.management.base import CommandError

from .serving import fresh_database, manage, portal_env, seed, table_counts

REGION = "410311"

RENDER = """
import hashlib, json, re
from django.test import Client
from django.test.utils import setup_test_environment

setup_test_environment()
client = Client()
pages = {}
for path in PATHS:
    response = client.get(path)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    # Per-response tokens, if a page ever carries one, are not content.
    body = re.sub(rb'(nonce|csrfmiddlewaretoken" value)="[^"]*"', b"", body)
    pages[path] = [response.status_code, hashlib.sha256(body).hexdigest(), TITLE.encode() in body]
print("PAGES", json.dumps(pages))
"""
TITLE = "部署测试：临时救助发放情况说明"


def _env(database_url: str, media: Path, **extra: str) -> dict[str, str]:
    # Demo settings: debug on (no collectstatic), file storage under `media`.
    return portal_env(
        database_url, media, settings_module="catalog_portal.settings.demo", **extra
    )


def _render(database_url: str, media: Path, paths: list[str]) -> dict[str, list]:
    script = f"PATHS = {paths!r}\nTITLE = {TITLE!r}\n" + RENDER
    # No cache: every page rendered from the database.
    out = manage(
        "shell",
        "-v0",
        "-c",
        script,
        env=_env(database_url, media, CACHE_URL="dummy://"),
    ).stdout
    return json.loads(re.search(r"^PAGES (.*)$", out, re.M).group(1))


def _files(media: Path) -> dict[str, str]:
    return {
        str(path.relative_to(media)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(media.rglob("*"))
        if path.is_file()
    }


def _tampered_copy(archive: Path, target: Path) -> None:
    """The archive with one byte of an uploaded file's content changed."""
    data = bytearray(archive.read_bytes())
    with tarfile.open(archive) as tar:
        member = next(m for m in tar.getmembers() if m.name.startswith("files/"))
    data[member.offset_data + member.size // 2] ^= 0xFF
    target.write_bytes(bytes(data))


def _round_trip(tmp_path: Path, engine: str) -> dict:
    """Seed, back up, restore into an empty database; compare. Returns what later checks need."""
    with fresh_database(tmp_path, "source", engine) as source_url:
        source_media = tmp_path / "source-media"
        source_env = _env(source_url, source_media)
        seeded = seed(source_env)
        paths = [
            "/",
            f"/r/{REGION}/",
            f"/r/{REGION}/social-assistance/",
            f"/records/{seeded.record}/",
            f"/records/{seeded.record}/attachments/{seeded.attachment}/",
        ]
        source_pages = _render(source_url, source_media, paths)
        assert all(status == 200 for status, _sha, _title in source_pages.values()), (
            source_pages
        )
        assert source_pages[f"/records/{seeded.record}/"][2], (
            "the record page shows the record"
        )
        source_files = _files(source_media)
        # The demo's record attachment; the 依申请公开 letters and notices are in
        # private storage (STORAGES["private"]), never under MEDIA_ROOT.
        assert any(name.startswith("attachments/") for name in source_files)
        assert not any(name.startswith("onrequest/") for name in source_files)
        assert all(name.endswith(".docx") for name in source_files), source_files

        backups = tmp_path / "backups"
        backups.mkdir()
        out = manage("backup", "-o", str(backups), env=source_env).stdout
        (archive,) = backups.glob("portal-backup-*.tar")
        assert str(archive) in out
        with tarfile.open(archive) as tar:
            manifest = json.loads(tar.extractfile("manifest.json").read())
            names = set(tar.getnames())
        assert manifest["engine"] == engine
        assert manifest["tables"]["disclosures_disclosurerecord"] > 0
        assert "portal_cache" not in manifest["tables"]
        source_private = _files(source_media.with_name("source-media-private"))
        # The letters of 依申请公开 are backed up from the private storage.
        assert any(name.startswith("onrequest/") for name in source_private)
        assert not any(name.startswith("namelist-staging/") for name in source_private)
        default_entries = [e for e in manifest["files"] if e["storage"] == "default"]
        private_entries = [e for e in manifest["files"] if e["storage"] == "private"]
        assert [entry["name"] for entry in default_entries] == list(source_files)
        assert {entry["name"] for entry in private_entries} == set(source_private)
        assert names == {
            "manifest.json",
            manifest["database"]["member"],
            *(f"files/{n}" for n in source_files),
            *(f"private/{n}" for n in source_private),
        }

        with fresh_database(tmp_path, "restored", engine) as target_url:
            target_media = tmp_path / "target-media"
            target_env = _env(target_url, target_media)
            result = manage("restore", str(archive), env=target_env)
            assert "与备份清单一致" in result.stdout

            assert table_counts(target_url) == table_counts(source_url)
            assert _files(target_media) == source_files
            assert (
                _files(target_media.with_name("target-media-private")) == source_private
            )
            assert _render(target_url, target_media, paths) == source_pages

            # A second restore into the now non-empty database is refused.
            again = manage("restore", str(archive), env=target_env, check=False)
            assert again.returncode != 0
            assert (
                "恢复目标数据库不是空的" in again.stderr and "--force" in again.stderr
            )

            # A damaged archive is refused before anything is restored.
            tampered = tmp_path / "tampered.tar"
            _tampered_copy(archive, tampered)
            with fresh_database(tmp_path, "untouched", engine) as empty_url:
                refused = manage(
                    "restore",
                    str(tampered),
                    env=_env(empty_url, tmp_path / "m3"),
                    check=False,
                )
                assert refused.returncode != 0
                assert "校验和不符" in refused.stderr
                assert table_counts(empty_url) == {}
            return {
                "archive": archive,
                "target_env": target_env,
                "target_url": target_url,
                "source_url": source_url,
            }


def test_sqlite_backup_restores_into_an_empty_database_with_the_same_pages(tmp_path):
    result = _round_trip(tmp_path, "sqlite")
    # --force overwrites a non-empty SQLite database with the backup.
    forced = manage(
        "restore",
        str(result["archive"]),
        "--force",
        env=result["target_env"],
        check=False,
    )
    assert forced.returncode == 0, forced.stderr


@pytest.mark.postgres
def test_postgresql_backup_restores_into_an_empty_database_with_the_same_pages(
    tmp_path,
):
    result = _round_trip(tmp_path, "postgresql")
    # A PostgreSQL backup cannot go into SQLite: refused with the reason.
    wrong = manage(
        "restore",
        str(result["archive"]),
        env=_env(f"sqlite:///{tmp_path / 'wrong.sqlite3'}", tmp_path / "m4"),
        check=False,
    )
    assert wrong.returncode != 0
    assert "不能恢复到 sqlite 数据库" in wrong.stderr


def test_restore_explains_a_missing_or_foreign_file(tmp_path):
    """Refused before the database is touched, with the reason in Chinese."""
    with pytest.raises(CommandError, match="备份文件“.*nope.tar”不存在"):
        call_command("restore", str(tmp_path / "nope.tar"))
    foreign = tmp_path / "foreign.tar"
    with tarfile.open(foreign, "w") as tar:
        tar.add(__file__, arcname="something.py")
    with pytest.raises(CommandError, match="没有有效的备份清单（manifest.json）"):
        call_command("restore", str(foreign))
    not_tar = tmp_path / "notes.txt"
    not_tar.write_text("不是备份")
    with pytest.raises(CommandError, match="不是有效的备份文件"):
        call_command("restore", str(not_tar))


def test_backup_refuses_to_overwrite_or_write_into_a_missing_directory(tmp_path):
    existing = tmp_path / "old.tar"
    existing.write_bytes(b"x")
    with pytest.raises(CommandError, match="已存在"):
        call_command("backup", "-o", str(existing))
    with pytest.raises(CommandError, match="目录“.*missing”不存在"):
        call_command("backup", "-o", str(tmp_path / "missing" / "b.tar"))
    assert existing.read_bytes() == b"x"
