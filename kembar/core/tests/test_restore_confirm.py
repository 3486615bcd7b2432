"""``manage.py restore`` at a terminal: over data already there, it asks before replacing it.

The real command runs in its own process with a pseudo-terminal as its standard input (the
question is asked only at a terminal), against an SQLite database and ``var/`` of its own:
the suite's database is never touched.  The expected texts are looked up in the catalogue
the command uses, in the site's default language.
"""

from __future__ import annotations

import json
import os
import pty
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from kembar.core.backups import MANIFEST_NAME, sha256_of


def _tables(database: Path) -> list[str]:
    with closing(sqlite3.connect(database)) as db:
        return [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]


@pytest.fixture
def instance(tmp_path: Path) -> dict[str, Path]:
    """A backup (one table, one file) and an instance whose database already has a table."""
    backup = tmp_path / "backup"
    (backup / "files" / "default").mkdir(parents=True)
    with closing(sqlite3.connect(backup / "database.sqlite3")) as db, db:
        db.execute("CREATE TABLE from_backup (x INTEGER)")
    (backup / "files" / "default" / "a.txt").write_bytes(b"from the backup")
    files = {
        path.relative_to(backup).as_posix(): {
            "sha256": sha256_of(path),
            "bytes": path.stat().st_size,
        }
        for path in backup.rglob("*")
        if path.is_file()
    }
    (backup / MANIFEST_NAME).write_text(
        json.dumps(
            {
                "format": 1,
                "created_at": "2026-12-05T10:00:00+00:00",
                "engine": "sqlite",
                "database": "database.sqlite3",
                "migrations": {},
                "storages": {"default": "files/default"},
                "files": files,
            }
        )
    )
    database = tmp_path / "kembar.sqlite3"
    with closing(sqlite3.connect(database)) as db, db:
        db.execute("CREATE TABLE already_here (x INTEGER)")
    return {"backup": backup, "database": database, "var": tmp_path / "var"}


def _restore_at_a_terminal(
    instance: dict[str, Path], typed: bytes
) -> subprocess.CompletedProcess[str]:
    """``manage.py restore BACKUP`` with ``typed`` waiting at its terminal."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{instance['database']}",
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "KEMBAR_VAR_DIR": str(instance["var"]),
        "KEMBAR_LOG_LEVEL": "WARNING",
    }
    terminal, child_end = pty.openpty()
    try:
        os.write(terminal, typed)  # kept by the terminal until the command reads it
        completed = subprocess.run(
            [sys.executable, "manage.py", "restore", str(instance["backup"])],
            stdin=child_end, capture_output=True, text=True, env=env, cwd=settings.BASE_DIR,
            timeout=120, check=False,
        )  # fmt: skip
    finally:
        os.close(child_end)
        os.close(terminal)
    return completed


def _in_the_site_language(message: str, **values: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return gettext(message) % values if values else gettext(message)


def _question() -> str:
    return _in_the_site_language(
        "This replaces what is there (%(obstacles)s). Type yes to go on: ",
        obstacles=_in_the_site_language("the database already has %(count)s tables", count="1"),
    )


@pytest.mark.parametrize("typed", [b"no\n", b"\n", b"\x04"], ids=["no", "enter", "ctrl-d"])
def test_anything_but_yes_restores_nothing(instance: dict[str, Path], typed: bytes) -> None:
    completed = _restore_at_a_terminal(instance, typed)

    assert completed.returncode == 1
    assert _question() in completed.stdout
    assert completed.stderr == (
        "CommandError: " + _in_the_site_language("Not confirmed: nothing was restored.") + "\n"
    )
    assert _tables(instance["database"]) == ["already_here"]
    assert not (instance["var"] / "media").exists()


@pytest.mark.parametrize("typed", [b"yes\n", b" YA \n"], ids=["yes", "ya"])
def test_yes_restores(instance: dict[str, Path], typed: bytes) -> None:
    completed = _restore_at_a_terminal(instance, typed)

    assert completed.returncode == 0, completed.stderr[-3000:]
    assert _question() in completed.stdout
    assert _in_the_site_language(
        "Restored the %(engine)s database and %(files)s uploaded files (%(bytes)s bytes).",
        engine="sqlite", files="1", bytes="15",
    ) in completed.stdout  # fmt: skip
    assert _tables(instance["database"]) == ["from_backup"]
    assert (instance["var"] / "media" / "a.txt").read_bytes() == b"from the backup"
