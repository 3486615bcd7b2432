"""The restore drill: fill an instance, back it up, wipe it, restore it, compare everything.

Each drill runs the real commands in their own processes against a database
of its own (an SQLite file in tmp_path; a PostgreSQL database created and
dropped here), so the test database of the suite is never touched.  Every
table is compared by row count and a digest of its rows, every file byte for
byte.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation

from kembar.core.backups import MANIFEST_NAME, sha256_of

# Fills a freshly migrated database with rows across many tables (users, organisations,
# regions, partnerships and their events, activities, their history) and uploaded files.
_FILL = r"""
import datetime as dt, django
django.setup()
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone
call_command("migrate", verbosity=0)
from kembar.accounts.tests.factories import UserFactory
from kembar.partnerships.models import DocumentKind, PartnershipDocument
from kembar.partnerships.tests.factories import PartnershipEventFactory, PartnershipFactory
from kembar.programs.tests.factories import ActivityFactory

officer = UserFactory.create(username="sari", first_name="Sari", last_name="Wulandari")
UserFactory.create(username="budi")
kind = DocumentKind.objects.create(code="mou", name_id="Nota Kesepahaman", name_en="MoU",
                                   has_validity=True)
partnerships = [PartnershipFactory.create(partner_name=f"Kota Mitra {n} — “kembar”")
                for n in range(3)]
for n, partnership in enumerate(partnerships):
    PartnershipEventFactory.create(partnership=partnership, date=dt.date(2000 + n, 1, 11))
    for _ in range(2):
        ActivityFactory.create(partnership=partnership)
    PartnershipDocument.objects.create(
        partnership=partnership, kind=kind, title=f"MoU {n}", language="id",
        file=ContentFile(bytes(range(256)) * (n + 1) + b"%PDF-1.7", name=f"mou-{n}.pdf"),
        sha256="0" * 64, size_bytes=256 * (n + 1) + 8, uploaded_by=officer,
        uploaded_at=timezone.now())
default_storage.save("documents/2024/perjanjian kerja sama – Brisbane.pdf",
                     ContentFile("Perjanjian ✓\n".encode() * 1000))
default_storage.save("empty.txt", ContentFile(b""))
"""


def _environment(database_url: str, var_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "KEMBAR_VAR_DIR": str(var_dir),
        "KEMBAR_LOG_LEVEL": "WARNING",
    }


def _run(env: dict[str, str], *args: str, script: str = "") -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", script] if script else [sys.executable, "manage.py", *args]
    return subprocess.run(
        command, env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip


def _ok(completed: subprocess.CompletedProcess[str]) -> str:
    assert completed.returncode == 0, completed.stderr[-3000:]
    return completed.stdout


def _digest_rows(rows: list[tuple[Any, ...]]) -> str:
    return hashlib.sha256("\n".join(sorted(repr(row) for row in rows)).encode()).hexdigest()


def _sqlite_tables(path: Path) -> dict[str, tuple[int, str]]:
    with closing(sqlite3.connect(path)) as db:
        names = [
            row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        return {
            name: (len(rows), _digest_rows(rows))
            for name in names
            if (rows := db.execute(f'SELECT * FROM "{name}"').fetchall()) is not None  # noqa: S608
        }


def _postgres_tables(conninfo: str) -> dict[str, tuple[int, str]]:
    with psycopg.connect(conninfo) as db:
        names = [
            row[0]
            for row in db.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
            )
        ]
        tables = {
            name: (len(rows), _digest_rows(rows))
            for name in names
            if (rows := db.execute(f'SELECT * FROM "{name}"').fetchall()) is not None  # noqa: S608
        }
        # The next ids too: a restored instance must not hand out an id twice.
        sequences = db.execute(
            "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
        ).fetchall()
        tables["<sequences>"] = (len(sequences), _digest_rows(sequences))
        return tables


def _files(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _wal_with_other_writes(database: Path) -> bytes:
    """A write-ahead log holding writes (all activities deleted) not yet in the database."""
    with closing(sqlite3.connect(database, isolation_level=None)) as holder:
        holder.execute("PRAGMA journal_mode=WAL")
        holder.execute("PRAGMA wal_autocheckpoint=0")
        holder.execute("DELETE FROM programs_activity")
        return Path(f"{database}-wal").read_bytes()


def _assert_filled(tables: dict[str, tuple[int, str]], files: dict[str, bytes]) -> None:
    """The fill reached many tables and files, so the comparison means something."""
    filled = {name for name, (count, _) in tables.items() if count > 0}
    assert {
        "accounts_user",
        "partnerships_partnership",
        "partnerships_partnershipevent",
        "partnerships_partnershipdocument",
        "programs_activity",
        "django_migrations",
    } <= filled
    assert len(filled) >= 15
    assert tables["programs_activity"][0] == 6
    assert len(files) == 5
    assert files["empty.txt"] == b""


def test_restore_drill_sqlite_round_trips_every_table_and_file(tmp_path: Path) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite drill runs with the suite on SQLite, the PostgreSQL one on it")
    var_dir = tmp_path / "var"
    database = tmp_path / "kembar.sqlite3"
    env = _environment(f"sqlite:///{database}", var_dir)
    _ok(_run(env, script=_FILL))
    before_tables, before_files = _sqlite_tables(database), _files(var_dir / "media")
    _assert_filled(before_tables, before_files)

    backed_up = _ok(_run(env, "backup", "--out", str(tmp_path / "backup")))
    # The command speaks the site's default language, Bahasa Indonesia.
    assert "Basis data " in backed_up
    assert f"dan 5 berkas unggahan ({sum(map(len, before_files.values()))} bita)" in backed_up
    # Wiped as carelessly as by hand: the database file goes, a WAL with other writes stays.
    stale_wal = _wal_with_other_writes(database)
    database.unlink()
    Path(f"{database}-wal").write_bytes(stale_wal)
    shutil.rmtree(var_dir / "media")
    output = _ok(_run(env, "restore", str(tmp_path / "backup"), "--no-input"))

    assert "Basis data sqlite dan 5 berkas unggahan" in output
    assert _sqlite_tables(database) == before_tables
    assert _files(var_dir / "media") == before_files

    # Over the same instance, changed since: refused and untouched, then replaced with --force.
    with closing(sqlite3.connect(database)) as db, db:
        db.execute("DELETE FROM programs_activity")
    (var_dir / "media" / "empty.txt").write_bytes(b"changed after the backup")
    refused = _run(env, "restore", str(tmp_path / "backup"), "--no-input")

    assert refused.returncode == 1
    assert "Tidak ada yang dipulihkan: basis data sudah" in refused.stderr
    assert "penyimpanan default sudah berisi berkas" in refused.stderr
    assert "--force" in refused.stderr
    assert _sqlite_tables(database)["programs_activity"][0] == 0

    output = _ok(_run(env, "restore", str(tmp_path / "backup"), "--force"))

    assert _sqlite_tables(database) == before_tables
    assert _files(var_dir / "media") == before_files
    [aside] = [path for path in var_dir.iterdir() if path.name.startswith("media.before-restore-")]
    assert (aside / "empty.txt").read_bytes() == b"changed after the backup"
    assert str(aside) in output


@pytest.fixture
def postgres_database() -> Iterator[str]:
    """A database of its own on the suite's PostgreSQL server, dropped afterwards."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL drill; DATABASE_URL is not PostgreSQL")
    db = connection.settings_dict
    server = (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}"
    )
    name = f"kembar_restore_drill_{os.getpid()}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_restore_drill_postgresql_round_trips_every_table_and_file(
    tmp_path: Path, postgres_database: str
) -> None:
    var_dir = tmp_path / "var"
    env = _environment(postgres_database, var_dir)
    _ok(_run(env, script=_FILL))
    before_tables, before_files = _postgres_tables(postgres_database), _files(var_dir / "media")
    _assert_filled(before_tables, before_files)

    backed_up = _ok(_run(env, "backup", "--out", str(tmp_path / "backup")))
    # The command speaks the site's default language, Bahasa Indonesia.
    assert "Basis data " in backed_up
    assert f"dan 5 berkas unggahan ({sum(map(len, before_files.values()))} bita)" in backed_up
    with psycopg.connect(postgres_database, autocommit=True) as db:
        db.execute("DROP SCHEMA public CASCADE")
        db.execute("CREATE SCHEMA public")
    shutil.rmtree(var_dir / "media")
    output = _ok(_run(env, "restore", str(tmp_path / "backup"), "--no-input"))

    assert "Basis data postgresql dan 5 berkas unggahan" in output
    assert _postgres_tables(postgres_database) == before_tables
    assert _files(var_dir / "media") == before_files

    # Over the same database, changed since: refused, then replaced with --force.
    with psycopg.connect(postgres_database, autocommit=True) as db:
        db.execute("UPDATE accounts_user SET first_name = 'Changed'")
    refused = _run(env, "restore", str(tmp_path / "backup"), "--no-input")

    assert refused.returncode == 1
    assert "Tidak ada yang dipulihkan: basis data sudah" in refused.stderr
    assert _postgres_tables(postgres_database) != before_tables  # untouched

    _ok(_run(env, "restore", str(tmp_path / "backup"), "--force"))

    assert _postgres_tables(postgres_database) == before_tables
    assert _files(var_dir / "media") == before_files


# --- Checks before anything is touched (in process: nothing reaches the database) ---------


@pytest.fixture
def small_backup(tmp_path: Path) -> Path:
    """A backup directory as `backup` writes it, of a tiny SQLite database and two files."""
    folder = tmp_path / "backup"
    (folder / "files" / "default" / "documents").mkdir(parents=True)
    with closing(sqlite3.connect(folder / "database.sqlite3")) as db, db:
        db.execute("CREATE TABLE t (x INTEGER)")
    (folder / "files" / "default" / "documents" / "a.pdf").write_bytes(b"%PDF-1.7 a")
    (folder / "files" / "default" / "b.txt").write_bytes(b"b")
    files = {
        path.relative_to(folder).as_posix(): {
            "sha256": sha256_of(path),
            "bytes": path.stat().st_size,
        }
        for path in folder.rglob("*")
        if path.is_file()
    }
    manifest = {
        "format": 1,
        "created_at": "2026-12-05T10:00:00+00:00",
        "engine": connection.vendor,
        "database": "database.sqlite3",
        "migrations": {},
        "storages": {"default": "files/default"},
        "files": files,
    }
    (folder / MANIFEST_NAME).write_text(json.dumps(manifest))
    return folder


def _restore_error(folder: Path) -> str:
    with translation.override("en"), pytest.raises(CommandError) as caught:
        call_command("restore", str(folder), "--no-input")
    return str(caught.value)


def test_restore_refuses_a_changed_file(small_backup: Path) -> None:
    (small_backup / "files" / "default" / "b.txt").write_bytes(b"c")

    message = _restore_error(small_backup)

    assert message == (
        f"The backup in {small_backup} fails its checksums (changed since the backup was "
        "made: files/default/b.txt). Nothing was restored."
    )


def test_restore_refuses_a_missing_and_an_unexpected_file(small_backup: Path) -> None:
    (small_backup / "files" / "default" / "documents" / "a.pdf").unlink()
    (small_backup / "files" / "default" / "c.txt").write_bytes(b"c")

    message = _restore_error(small_backup)

    assert message == (
        f"The backup in {small_backup} fails its checksums (missing: "
        "files/default/documents/a.pdf; not part of the backup: files/default/c.txt). "
        "Nothing was restored."
    )


def test_restore_refuses_a_backup_without_manifest(small_backup: Path) -> None:
    (small_backup / MANIFEST_NAME).unlink()

    message = _restore_error(small_backup)

    assert message == (
        f"{small_backup} has no manifest.json: it is not a Kembar backup, or it is incomplete."
    )


def test_restore_refuses_a_manifest_pointing_outside(small_backup: Path) -> None:
    manifest = json.loads((small_backup / MANIFEST_NAME).read_text())
    manifest["files"]["files/default/../../../../etc/passwd"] = {"sha256": "0", "bytes": 1}
    (small_backup / MANIFEST_NAME).write_text(json.dumps(manifest))

    message = _restore_error(small_backup)

    assert message == (
        "The backup's manifest names files outside the backup: files/default/../../../../etc/passwd"
    )


def test_backup_refuses_a_directory_that_holds_files(tmp_path: Path) -> None:
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "keep.txt").write_text("keep")

    with translation.override("en"), pytest.raises(CommandError) as caught:
        call_command("backup", "--out", str(tmp_path / "old"))

    assert str(caught.value) == (
        f"{tmp_path / 'old'} already exists and is not an empty directory; choose a new one."
    )
    assert (tmp_path / "old" / "keep.txt").read_text() == "keep"
