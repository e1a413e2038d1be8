"""Backup and restore: the database and the uploaded files in one tar archive.

`manage.py backup -o DIR_OR_FILE` and `manage.py restore FILE` are thin wrappers
(catalogs/management/commands). An archive holds:

    manifest.json      format and version, when, which database engine, the row
                       count of every table (taken from the same snapshot as the
                       dump), the sha256 of the dump and of every file
    database.pgdump    PostgreSQL: `pg_dump --format=custom` of a snapshot
    database.sqlite3   SQLite: a copy made with SQLite's online backup API
    files/<name>       every file of the default storage (attachments, name-list
                       sources), unless `--no-files`
    private/<name>     every file of the private storage (applicants' files,
                       proof photos), unless `--no-files`; not the staged
                       name-list uploads, which live minutes and hold raw
                       identifiers a backup must not keep

The data of the database cache's table is left out (cached pages are derived;
the table itself is kept, empty). A restore checks the whole archive against its
manifest before it touches anything, goes only into an empty database unless
`--force`, compares the restored row counts with the manifest and finally
forgets every cached public page.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import posixpath
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.cache.backends.db import BaseDatabaseCache
from django.core.files import File
from django.core.files.storage import storages
from django.db import connections, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

FORMAT = "catalog-portal-backup"
VERSION = 1
MANIFEST = "manifest.json"
FILES_PREFIX = "files/"
#: Archive folder of each storage alias that a backup holds.
STORAGE_PREFIXES = {"default": FILES_PREFIX, "private": "private/"}
DUMP_MEMBERS = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass
class Summary:
    path: Path
    engine: str
    tables: int = 0
    rows: int = 0
    files: int = 0
    file_bytes: int = 0
    notes: list[str] = field(default_factory=list)


# --- helpers --------------------------------------------------------------------


def _engine(using: str) -> str:
    vendor = connections[using].vendor
    if vendor not in DUMP_MEMBERS:
        raise BackupError(
            _("不支持的数据库类型“%(vendor)s”：备份和恢复只支持 PostgreSQL 和 SQLite。")
            % {"vendor": vendor}
        )
    return vendor


def cache_tables() -> list[str]:
    """The tables of the configured database caches (their data is not backed up)."""
    tables = []
    for config in settings.CACHES.values():
        backend = import_string(config["BACKEND"])
        if issubclass(backend, BaseDatabaseCache) and config.get("LOCATION"):
            tables.append(config["LOCATION"])
    return sorted(set(tables))


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class _HashingReader:
    """Reads through a file object (forward only) and keeps the sha256 of what was read."""

    closed = False

    def __init__(self, fileobj):
        self.fileobj = fileobj
        self.digest = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def read(self, size: int = -1) -> bytes:
        data = self.fileobj.read(size)
        self.digest.update(data)
        self.size += len(data)
        return data


def _row_counts(cursor, quote, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 (introspected names)
        counts[table] = cursor.fetchone()[0]
    return counts


def _applied_migrations(cursor) -> dict[str, str]:
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    last: dict[str, str] = {}
    for app, name in cursor.fetchall():
        last[app] = name
    return last


def _storage_files(storage, prefix: str = "") -> Iterator[str]:
    """Every file name of a storage, depth first, in a stable order."""
    try:
        directories, files = storage.listdir(prefix)
    except (FileNotFoundError, NotImplementedError):
        return
    for name in sorted(files):
        yield posixpath.join(prefix, name) if prefix else name
    for directory in sorted(directories):
        yield from _storage_files(
            storage, posixpath.join(prefix, directory) if prefix else directory
        )


def _backed_up_files() -> Iterator[tuple[str, object, str]]:
    """(storage alias, storage, name) of every file a backup holds."""
    from disclosures.namelists.staging import STAGING_PREFIX

    for alias in STORAGE_PREFIXES:
        storage = storages[alias]
        for name in _storage_files(storage):
            if alias == "private" and name.startswith(STAGING_PREFIX):
                continue
            yield alias, storage, name


def _entry_member(entry: dict) -> str:
    """The archive member of a manifest file entry (archives before "storage": default)."""
    return STORAGE_PREFIXES[entry.get("storage", "default")] + entry["name"]


def _safe_name(name: str) -> bool:
    parts = name.split("/")
    return (
        bool(name)
        and not name.startswith("/")
        and ".." not in parts
        and "" not in parts
    )


# --- PostgreSQL tools -----------------------------------------------------------


def _server_major(cursor) -> int:
    cursor.execute("SHOW server_version_num")
    return int(cursor.fetchone()[0]) // 10000


def pg_tool(name: str, *, pg_bin: str | None, server_major: int | None) -> str:
    """Path of pg_dump/pg_restore: --pg-bin, $PG_BIN, the server's version, PATH, newest."""
    candidates = []
    for directory in (pg_bin, os.environ.get("PG_BIN")):
        if directory:
            candidates.append(Path(directory) / name)
    if server_major:
        candidates.append(Path(f"/usr/lib/postgresql/{server_major}/bin") / name)
    found = shutil.which(name)
    if found:
        candidates.append(Path(found))
    installed = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: (
            int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0
        ),
        reverse=True,
    )
    candidates.extend(installed)
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    raise BackupError(
        _(
            "找不到 %(tool)s。请安装 PostgreSQL 客户端（版本不低于服务器的 %(major)s），"
            "或用 --pg-bin 指定它所在的目录（例如 /usr/lib/postgresql/15/bin）。"
        )
        % {"tool": name, "major": server_major or "?"}
    )


def _pg_env(using: str) -> dict[str, str]:
    db = connections[using].settings_dict
    env = dict(os.environ)
    for key, value in (
        ("PGHOST", db.get("HOST")),
        ("PGPORT", db.get("PORT")),
        ("PGUSER", db.get("USER")),
        ("PGPASSWORD", db.get("PASSWORD")),
        ("PGDATABASE", db.get("NAME")),
        ("PGSSLMODE", (db.get("OPTIONS") or {}).get("sslmode")),
    ):
        if value:
            env[key] = str(value)
    return env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(
            _("%(what)s失败（退出码 %(code)s）：%(stderr)s")
            % {
                "what": what,
                "code": result.returncode,
                "stderr": result.stderr.strip()[-2000:],
            }
        )


# --- backup ---------------------------------------------------------------------


def _dump_postgresql(
    using: str, target: Path, *, pg_bin: str | None, skip_data: list[str]
) -> dict:
    """pg_dump of one exported snapshot; the row counts come from the same snapshot."""
    connection = connections[using]
    if connection.in_atomic_block:
        raise BackupError(_("备份不能在一个未提交的数据库事务中运行。"))
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        tables = connection.introspection.table_names(cursor)
        counts = _row_counts(
            cursor, connection.ops.quote_name, [t for t in tables if t not in skip_data]
        )
        migrations = _applied_migrations(cursor)
        major = _server_major(cursor)
        command = [
            pg_tool("pg_dump", pg_bin=pg_bin, server_major=major),
            "--format=custom",
            f"--snapshot={snapshot}",
            f"--file={target}",
        ]
        command += [
            f"--exclude-table-data={table}" for table in skip_data if table in tables
        ]
        # The transaction exporting the snapshot stays open until pg_dump is done.
        _run(command, _pg_env(using), _("pg_dump 导出数据库"))
    return {"tables": counts, "migrations": migrations, "server_version": major}


def _dump_sqlite(using: str, target: Path, *, skip_data: list[str]) -> dict:
    """A consistent copy through SQLite's backup API, cache rows removed, one file."""
    connection = connections[using]
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        cursor = copy.cursor()
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
        tables = [row[0] for row in cursor.fetchall()]
        quote = connection.ops.quote_name
        for table in skip_data:
            if table in tables:
                cursor.execute(f"DELETE FROM {quote(table)}")  # noqa: S608
        copy.commit()
        counts = _row_counts(cursor, quote, [t for t in tables if t not in skip_data])
        migrations = (
            _applied_migrations(cursor) if "django_migrations" in tables else {}
        )
        # A single self-contained file (no -wal beside it), compacted.
        cursor.execute("PRAGMA journal_mode=DELETE").fetchall()
        cursor.close()
        copy.execute("VACUUM")
    finally:
        copy.close()
    return {
        "tables": counts,
        "migrations": migrations,
        "server_version": sqlite3.sqlite_version,
    }


def _output_path(output: Path) -> Path:
    if output.is_dir() or str(output).endswith(os.sep):
        output.mkdir(parents=True, exist_ok=True)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        output = output / f"portal-backup-{stamp}.tar"
    if output.exists():
        raise BackupError(
            _(
                "备份文件“%(path)s”已存在：请换一个文件名，或指定一个目录（自动按时间命名）。"
            )
            % {"path": output}
        )
    if not output.parent.is_dir():
        raise BackupError(
            _("目录“%(path)s”不存在：请先创建它。") % {"path": output.parent}
        )
    return output


def backup(
    output: Path | str,
    *,
    include_files: bool = True,
    pg_bin: str | None = None,
    using: str = "default",
) -> Summary:
    """Write one archive (see the module docstring); return what it holds.

    `output` is a file name or a directory (then `portal-backup-YYYYmmdd-HHMMSS.tar`
    inside it). The archive is written beside its final name and renamed when
    complete, so a failed backup never leaves a file that looks finished.
    """
    path = _output_path(Path(output))
    engine = _engine(using)
    skip_data = cache_tables()
    work = Path(tempfile.mkdtemp(prefix="portal-backup-", dir=path.parent))
    partial = path.with_name(f".{path.name}.partial")
    try:
        dump = work / DUMP_MEMBERS[engine]
        if engine == "postgresql":
            database = _dump_postgresql(using, dump, pg_bin=pg_bin, skip_data=skip_data)
        else:
            database = _dump_sqlite(using, dump, skip_data=skip_data)
        summary = Summary(
            path=path,
            engine=engine,
            tables=len(database["tables"]),
            rows=sum(database["tables"].values()),
        )
        files = []
        with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as tar:
            tar.add(dump, arcname=dump.name)
            if include_files:
                for alias, storage, name in _backed_up_files():
                    info = tarfile.TarInfo(STORAGE_PREFIXES[alias] + name)
                    info.size = storage.size(name)
                    info.mtime = int(timezone.now().timestamp())
                    with storage.open(name, "rb") as fh:
                        reader = _HashingReader(fh)
                        tar.addfile(info, reader)
                    files.append(
                        {
                            "storage": alias,
                            "name": name,
                            "size": info.size,
                            "sha256": reader.digest.hexdigest(),
                        }
                    )
                    summary.files += 1
                    summary.file_bytes += info.size
            manifest = {
                "format": FORMAT,
                "version": VERSION,
                "created_at": timezone.now().isoformat(),
                "engine": engine,
                "server_version": database["server_version"],
                "database": {
                    "member": dump.name,
                    "sha256": _sha256_file(dump),
                    "size": dump.stat().st_size,
                },
                "tables": database["tables"],
                "cache_tables": skip_data,
                "migrations": database["migrations"],
                "files_included": include_files,
                "files": files,
            }
            data = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int(timezone.now().timestamp())
            tar.addfile(info, io.BytesIO(data))
        os.replace(partial, path)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if partial.exists():
            partial.unlink()
    return summary


# --- restore --------------------------------------------------------------------


def read_manifest(tar: tarfile.TarFile, path: Path) -> dict:
    try:
        member = tar.getmember(MANIFEST)
        manifest = json.loads(tar.extractfile(member).read().decode("utf-8"))
    except (KeyError, AttributeError, ValueError):
        raise BackupError(
            _(
                "“%(path)s”里没有有效的备份清单（manifest.json）：它不是本系统 backup 命令生成的备份。"
            )
            % {"path": path}
        ) from None
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupError(
            _(
                "“%(path)s”的格式或版本（%(version)s）无法识别：请使用本系统 backup 命令生成的备份。"
            )
            % {"path": path, "version": manifest.get("version")}
        )
    return manifest


def _member_digest(
    tar: tarfile.TarFile, name: str, path: Path, *, copy_to: Path | None = None
) -> str:
    try:
        member = tar.getmember(name)
    except KeyError:
        raise BackupError(
            _("备份“%(path)s”不完整：缺少“%(name)s”。") % {"path": path, "name": name}
        ) from None
    if not member.isfile():
        raise BackupError(
            _("备份“%(path)s”中的“%(name)s”不是普通文件。")
            % {"path": path, "name": name}
        )
    digest = hashlib.sha256()
    source = tar.extractfile(member)
    out = open(copy_to, "wb") if copy_to else None
    try:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            if out:
                out.write(chunk)
    finally:
        if out:
            out.close()
    return digest.hexdigest()


def _verify_archive(
    tar: tarfile.TarFile, manifest: dict, path: Path, dump_copy: Path
) -> None:
    """Every member against the manifest, before anything is restored."""
    database = manifest["database"]
    if (
        _member_digest(tar, database["member"], path, copy_to=dump_copy)
        != database["sha256"]
    ):
        raise BackupError(
            _("备份“%(path)s”中的数据库文件校验和不符：文件已损坏或被改动，不能恢复。")
            % {"path": path}
        )
    for entry in manifest["files"]:
        if not _safe_name(entry["name"]):
            raise BackupError(
                _("备份“%(path)s”中有不安全的文件名“%(name)s”，不能恢复。")
                % {"path": path, "name": entry["name"]}
            )
        if entry.get("storage", "default") not in STORAGE_PREFIXES:
            raise BackupError(
                _("备份“%(path)s”中的文件“%(name)s”属于未知的存储，不能恢复。")
                % {"path": path, "name": entry["name"]}
            )
        if _member_digest(tar, _entry_member(entry), path) != entry["sha256"]:
            raise BackupError(
                _(
                    "备份“%(path)s”中的文件“%(name)s”校验和不符：文件已损坏或被改动，不能恢复。"
                )
                % {"path": path, "name": entry["name"]}
            )


def _non_empty(using: str) -> list[str]:
    connection = connections[using]
    with connection.cursor() as cursor:
        return connection.introspection.table_names(cursor)


def _restore_postgresql(
    using: str, dump: Path, *, force: bool, pg_bin: str | None
) -> None:
    connection = connections[using]
    with connection.cursor() as cursor:
        major = _server_major(cursor)
    connection.close()
    command = [
        pg_tool("pg_restore", pg_bin=pg_bin, server_major=major),
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
        f"--dbname={connection.settings_dict['NAME']}",
    ]
    if force:
        command += ["--clean", "--if-exists"]
    _run(command + [str(dump)], _pg_env(using), _("pg_restore 恢复数据库"))


def _restore_sqlite(using: str, dump: Path) -> None:
    connection = connections[using]
    connection.close()
    connection.ensure_connection()
    source = sqlite3.connect(dump)
    try:
        source.backup(connection.connection)
    finally:
        source.close()
    connection.close()


def _restore_files(
    manifest: dict, tar: tarfile.TarFile, path: Path, *, force: bool
) -> tuple[int, int]:
    count = size = 0
    for entry in manifest["files"]:
        name = entry["name"]
        storage = storages[entry.get("storage", "default")]
        if storage.exists(name):
            with storage.open(name, "rb") as fh:
                existing = hashlib.sha256()
                while chunk := fh.read(CHUNK):
                    existing.update(chunk)
            if existing.hexdigest() == entry["sha256"]:
                continue
            if not force:
                raise BackupError(
                    _(
                        "文件存储中已有一个内容不同的“%(name)s”。如确定要用备份覆盖，请加 --force。"
                    )
                    % {"name": name}
                )
            storage.delete(name)
        reader = _HashingReader(tar.extractfile(tar.getmember(_entry_member(entry))))
        content = File(reader, name=posixpath.basename(name))
        content.size = entry["size"]
        saved = storage.save(name, content)
        if saved != name or reader.digest.hexdigest() != entry["sha256"]:
            raise BackupError(
                _("文件“%(name)s”未能按原名恢复（存为“%(saved)s”）。")
                % {"name": name, "saved": saved}
            )
        count += 1
        size += entry["size"]
    return count, size


def _verify_counts(using: str, manifest: dict) -> None:
    connection = connections[using]
    with connection.cursor() as cursor:
        present = set(connection.introspection.table_names(cursor))
        missing = sorted(set(manifest["tables"]) - present)
        counts = _row_counts(
            cursor,
            connection.ops.quote_name,
            [t for t in manifest["tables"] if t in present],
        )
    wrong = [
        f"{table}: {counts.get(table, 0)} ≠ {expected}"
        for table, expected in sorted(manifest["tables"].items())
        if table not in missing and counts.get(table) != expected
    ]
    if missing or wrong:
        raise BackupError(
            _(
                "恢复后的数据与备份清单不符（缺少的表：%(missing)s；行数不符：%(wrong)s）。请检查数据库后重新恢复。"
            )
            % {"missing": "、".join(missing) or "无", "wrong": "；".join(wrong) or "无"}
        )


def restore(
    archive: Path | str,
    *,
    force: bool = False,
    include_files: bool = True,
    pg_bin: str | None = None,
    using: str = "default",
) -> Summary:
    """Restore an archive of `backup()` into the configured database and file storage.

    The target database must be empty (no tables) unless `force`: then
    PostgreSQL objects of the dump are dropped and recreated (`pg_restore
    --clean`), a SQLite database is overwritten page by page.
    """
    from catalog_portal.scaleout import ensure_cache_tables

    path = Path(archive)
    if not path.is_file():
        raise BackupError(_("备份文件“%(path)s”不存在。") % {"path": path})
    engine = _engine(using)
    try:
        tar = tarfile.open(path, "r:*")
    except (tarfile.TarError, OSError):
        raise BackupError(
            _("“%(path)s”不是有效的备份文件（tar 格式）。") % {"path": path}
        ) from None
    work = Path(tempfile.mkdtemp(prefix="portal-restore-"))
    try:
        with tar:
            manifest = read_manifest(tar, path)
            if manifest["engine"] != engine:
                raise BackupError(
                    _(
                        "这是 %(source)s 数据库的备份，不能恢复到 %(target)s 数据库。请把 DATABASE_URL 指向一个 %(source)s 数据库。"
                    )
                    % {"source": manifest["engine"], "target": engine}
                )
            existing = _non_empty(using)
            if existing and not force:
                raise BackupError(
                    _(
                        "恢复目标数据库不是空的（已有 %(count)s 张表，例如 %(example)s）。"
                        "请恢复到一个新建的空数据库；如确定要覆盖现有数据，请加 --force。"
                    )
                    % {"count": len(existing), "example": existing[0]}
                )
            dump = work / manifest["database"]["member"]
            _verify_archive(tar, manifest, path, dump)
            if engine == "postgresql":
                _restore_postgresql(using, dump, force=force, pg_bin=pg_bin)
            else:
                _restore_sqlite(using, dump)
            _verify_counts(using, manifest)
            summary = Summary(
                path=path,
                engine=engine,
                tables=len(manifest["tables"]),
                rows=sum(manifest["tables"].values()),
            )
            if include_files:
                summary.files, summary.file_bytes = _restore_files(
                    manifest, tar, path, force=force
                )
            elif manifest["files"]:
                summary.notes.append(
                    _("按 --no-files 的要求，没有恢复备份中的 %(count)s 个文件。")
                    % {"count": len(manifest["files"])}
                )
            if not manifest.get("files_included", True):
                summary.notes.append(
                    _(
                        "这份备份不含上传的文件（备份时用了 --no-files），请另行恢复文件存储。"
                    )
                )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    # The target's cache table (its name may differ from the source's), and no
    # page cached before the restore is served after it.
    ensure_cache_tables(using=using, verbosity=0)
    from disclosures.public import cache as page_cache

    page_cache.invalidate()
    return summary
