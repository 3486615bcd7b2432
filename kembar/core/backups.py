"""Back up and restore an instance: its database, its uploaded files and their checksums.

A backup is a directory::

    manifest.json          what is in it: engine, applied migrations, each file's SHA-256
    database.sqlite3       SQLite, copied with SQLite's online backup API
    database.pgdump        or PostgreSQL, ``pg_dump --format=custom``
    files/<storage>/...    every file of each file-system storage (uploaded documents)

The backup is written to a sibling directory and renamed into place only when
complete, so a directory named ``--out`` is never half written.  A restore
checks every file against the manifest before it touches anything, and
refuses to replace a database that holds tables or a storage that holds files
unless told to (``force``); files it replaces are moved aside, not deleted.

The manifest is not signed: it proves the backup is complete and unchanged
since it was written (disk or copy errors, a partial transfer), not that
nobody rewrote it.  Keep backups where only operators can write.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.recorder import MigrationRecorder
from django.utils.translation import gettext as _

__all__ = [
    "MANIFEST_NAME",
    "BackupError",
    "BackupSummary",
    "RestoreSummary",
    "backup_create",
    "backup_restore",
    "backup_verify",
    "database_tables",
    "file_storages",
]

MANIFEST_NAME = "manifest.json"
FORMAT_VERSION = 1
_SQLITE_FILE = "database.sqlite3"
_PGDUMP_FILE = "database.pgdump"
_CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup cannot be made, or a backup cannot (or may not) be restored."""


class RestoreRefused(BackupError):
    """The target holds data and ``force`` was not given; nothing was changed."""


@dataclass(frozen=True, slots=True)
class BackupSummary:
    directory: Path
    engine: str
    database_bytes: int
    #: Uploaded files (all file-system storages) and their size.
    files: int
    bytes: int


@dataclass(frozen=True, slots=True)
class RestoreSummary:
    engine: str
    files: int
    bytes: int
    moved_aside: tuple[Path, ...]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _engine(using: str) -> str:
    vendor = connections[using].vendor
    if vendor not in {"sqlite", "postgresql"}:
        raise BackupError(
            _("Backups support SQLite and PostgreSQL, not %(vendor)s.") % {"vendor": vendor}
        )
    return vendor


def file_storages() -> dict[str, Path]:
    """Each storage whose files live on this machine's disk, by its name in ``STORAGES``.

    Static files are left out: ``collectstatic`` makes them again from the code.
    """
    found: dict[str, Path] = {}
    storages: dict[str, dict[str, Any]] = settings.STORAGES
    for name, config in storages.items():
        if name == "staticfiles":
            continue
        if config.get("BACKEND") != "django.core.files.storage.FileSystemStorage":
            continue
        location = config.get("OPTIONS", {}).get("location") or settings.MEDIA_ROOT
        found[name] = Path(location)
    return found


def _walk(root: Path) -> Iterator[Path]:
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path


def database_tables(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """The tables of the database (empty for a database nothing was loaded into)."""
    connection = connections[using]
    if connection.vendor == "sqlite" and not Path(connection.settings_dict["NAME"]).exists():
        return []  # Django's connection would create the file.
    with connection.cursor() as cursor:
        return sorted(connection.introspection.table_names(cursor))


def _applied_migrations(using: str) -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connections[using]).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


# --- PostgreSQL client programs ------------------------------------------------------------


def _pg_environment(using: str) -> dict[str, str]:
    """libpq's variables for the connection: no password on a command line."""
    db = connections[using].settings_dict
    env = dict(os.environ)
    for variable, value in (
        ("PGHOST", db.get("HOST")),
        ("PGPORT", db.get("PORT")),
        ("PGUSER", db.get("USER")),
        ("PGPASSWORD", db.get("PASSWORD")),
        ("PGDATABASE", db.get("NAME")),
        ("PGSSLMODE", db.get("OPTIONS", {}).get("sslmode")),
    ):
        if value:
            env[variable] = str(value)
    return env


def _run_client(command: list[str], *, using: str) -> None:
    try:
        completed = subprocess.run(  # noqa: S603 - fixed program names, no shell
            command, env=_pg_environment(using), capture_output=True, text=True, check=False
        )
    except FileNotFoundError as exc:
        raise BackupError(
            _("%(program)s is not installed; install the PostgreSQL client programs.")
            % {"program": command[0]}
        ) from exc
    if completed.returncode != 0:
        raise BackupError(
            _("%(program)s failed: %(error)s")
            % {"program": command[0], "error": completed.stderr.strip()[-2000:]}
        )


# --- Backup ----------------------------------------------------------------------------------


def _dump_database(*, using: str, engine: str, folder: Path) -> str:
    if engine == "sqlite":
        source = Path(connections[using].settings_dict["NAME"])
        if not source.is_file():
            raise BackupError(_("The database file %(path)s does not exist.") % {"path": source})
        target = folder / _SQLITE_FILE
        src = sqlite3.connect(source, timeout=20)
        dst = sqlite3.connect(target)
        try:
            # A consistent copy while the application keeps reading and writing.
            src.backup(dst)
            # One self-contained file, whatever journal mode the live database uses.
            dst.execute("PRAGMA journal_mode=DELETE")
            healthy = dst.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        finally:
            src.close()
            dst.close()
        if not healthy:
            raise BackupError(_("The copy of the database failed SQLite's quick check."))
        return _SQLITE_FILE
    target = folder / _PGDUMP_FILE
    connections[using].close()
    _run_client(
        ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}"],
        using=using,
    )
    return _PGDUMP_FILE


def backup_create(*, out: Path, using: str = DEFAULT_DB_ALIAS) -> BackupSummary:
    """Write a complete backup of the database and the uploaded files to ``out``.

    ``out`` must not exist or be an empty directory.
    """
    engine = _engine(using)
    out = out.resolve()
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise BackupError(
            _("%(path)s already exists and is not an empty directory; choose a new one.")
            % {"path": out}
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    try:
        database_file = _dump_database(using=using, engine=engine, folder=partial)
        storages: dict[str, str] = {}
        for name, location in file_storages().items():
            storages[name] = f"files/{name}"
            for path in _walk(location):
                copy = partial / "files" / name / path.relative_to(location)
                copy.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, copy)
        files: dict[str, dict[str, Any]] = {
            path.relative_to(partial).as_posix(): {
                "sha256": sha256_of(path),
                "bytes": path.stat().st_size,
            }
            for path in _walk(partial)
        }
        manifest = {
            "format": FORMAT_VERSION,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "engine": engine,
            "database": database_file,
            "migrations": _applied_migrations(using),
            "storages": storages,
            "files": files,
        }
        (partial / MANIFEST_NAME).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
        if out.exists():
            out.rmdir()
        partial.rename(out)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    uploaded = [entry for name, entry in files.items() if name != database_file]
    return BackupSummary(
        directory=out,
        engine=engine,
        database_bytes=int(files[database_file]["bytes"]),
        files=len(uploaded),
        bytes=sum(int(entry["bytes"]) for entry in uploaded),
    )


# --- Verify ----------------------------------------------------------------------------------


def _inside(name: str) -> bool:
    """True for a plain relative path that stays inside the backup directory."""
    parts = name.split("/")
    return bool(name) and not name.startswith("/") and ".." not in parts and "" not in parts


def backup_verify(directory: Path) -> dict[str, Any]:
    """The backup's manifest, once every file it lists is there, whole and unchanged.

    Raises :class:`BackupError` naming the missing, changed or unexpected files.
    """
    manifest_path = directory / MANIFEST_NAME
    if not directory.is_dir():
        raise BackupError(_("%(path)s is not a directory.") % {"path": directory})
    try:
        manifest = json.loads(manifest_path.read_text())
    except FileNotFoundError as exc:
        raise BackupError(
            _("%(path)s has no %(manifest)s: it is not a Kembar backup, or it is incomplete.")
            % {"path": directory, "manifest": MANIFEST_NAME}
        ) from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(
            _("The backup's manifest is damaged: %(error)s") % {"error": exc}
        ) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_VERSION:
        raise BackupError(
            _("The backup's manifest has an unknown format; expected format %(format)s.")
            % {"format": FORMAT_VERSION}
        )
    listed: dict[str, dict[str, Any]] = manifest.get("files", {})
    outside = [name for name in listed if not _inside(name)]
    if outside:
        raise BackupError(
            _("The backup's manifest names files outside the backup: %(files)s")
            % {"files": ", ".join(sorted(outside))}
        )
    missing, changed = [], []
    for name, entry in sorted(listed.items()):
        path = directory / name
        if not path.is_file():
            missing.append(name)
        elif path.stat().st_size != entry["bytes"] or sha256_of(path) != entry["sha256"]:
            changed.append(name)
    present = {path.relative_to(directory).as_posix() for path in _walk(directory)}
    unexpected = sorted(present - set(listed) - {MANIFEST_NAME})
    if manifest.get("database") not in listed:
        missing.append(str(manifest.get("database")))
    problems = []
    if missing:
        problems.append(_("missing: %(files)s") % {"files": ", ".join(missing)})
    if changed:
        problems.append(
            _("changed since the backup was made: %(files)s") % {"files": ", ".join(changed)}
        )
    if unexpected:
        problems.append(_("not part of the backup: %(files)s") % {"files": ", ".join(unexpected)})
    if problems:
        raise BackupError(
            _("The backup in %(path)s fails its checksums (%(problems)s). Nothing was restored.")
            % {"path": directory, "problems": "; ".join(problems)}
        )
    return manifest


# --- Restore ---------------------------------------------------------------------------------


def restore_obstacles(*, manifest: dict[str, Any], using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """What the restore would replace: a database with tables, storages with files."""
    obstacles = []
    tables = database_tables(using)
    if tables:
        obstacles.append(_("the database already has %(count)s tables") % {"count": len(tables)})
    for name, location in file_storages().items():
        if name in manifest.get("storages", {}) and any(_walk(location)):
            obstacles.append(
                _("the storage %(name)s already has files in %(path)s")
                % {"name": name, "path": location}
            )
    return obstacles


def _load_database(*, using: str, engine: str, dump: Path) -> None:
    connection = connections[using]
    connection.close()
    if engine == "sqlite":
        target = Path(connection.settings_dict["NAME"])
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            # A journal left from a deleted database would be replayed into the new one.
            for suffix in ("-wal", "-shm", "-journal"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
        src = sqlite3.connect(f"{dump.resolve().as_uri()}?mode=ro", uri=True)
        dst = sqlite3.connect(target, timeout=20)
        try:
            # Page by page into the live file, under SQLite's own locks: other
            # connections see the old database or the restored one, never a mix.
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=WAL")
        finally:
            src.close()
            dst.close()
        return
    _run_client(
        [
            "pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
            "--single-transaction", "--exit-on-error",
            f"--dbname={connection.settings_dict['NAME']}", str(dump),
        ],
        using=using,
    )  # fmt: skip


def backup_restore(
    *, directory: Path, force: bool = False, using: str = DEFAULT_DB_ALIAS
) -> RestoreSummary:
    """Put the database and the files of the backup in ``directory`` back.

    Checks the whole backup first; refuses (:class:`RestoreRefused`) to replace
    data unless ``force``.  Files a storage held are moved to
    ``<location>.before-restore-<time>``.
    """
    directory = directory.resolve()
    manifest = backup_verify(directory)
    engine = _engine(using)
    if manifest["engine"] != engine:
        raise BackupError(
            _("This backup is of a %(backup)s database; this instance uses %(target)s.")
            % {"backup": manifest["engine"], "target": engine}
        )
    obstacles = restore_obstacles(manifest=manifest, using=using)
    if obstacles and not force:
        raise RestoreRefused(
            _(
                "Nothing was restored: %(obstacles)s. Restore into an empty database, or give "
                "--force to replace what is there."
            )
            % {"obstacles": "; ".join(obstacles)}
        )
    _load_database(using=using, engine=engine, dump=directory / manifest["database"])

    storages = file_storages()
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    moved: list[Path] = []
    count = size = 0
    for name, folder in manifest.get("storages", {}).items():
        if name not in storages:
            raise BackupError(
                _(
                    "The backup has files of the storage %(name)s, which this instance does not "
                    "have; the database was restored, the files were not."
                )
                % {"name": name}
            )
        location = storages[name]
        if any(_walk(location)):
            aside = location.with_name(f"{location.name}.before-restore-{stamp}")
            location.rename(aside)
            moved.append(aside)
        prefix = f"{folder}/"
        for relative, entry in manifest["files"].items():
            if not relative.startswith(prefix):
                continue
            target = location / relative[len(prefix) :]
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(directory / relative, target)
            count += 1
            size += int(entry["bytes"])
    return RestoreSummary(engine=engine, files=count, bytes=size, moved_aside=tuple(moved))
