from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.test import Client


@pytest.mark.django_db
def test_healthz_ok(client: Client) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_refuses_post(client: Client) -> None:
    assert client.post("/healthz").status_code == 405


# The app runs in a separate process whose DATABASE_URL points at nothing, so
# the real connection fails; nothing is mocked.
_PROBE = """
import json, django
django.setup()
from django.test import Client
response = Client().get("/healthz")
print(json.dumps({"status": response.status_code, "body": response.json()}))
"""


@pytest.mark.parametrize(
    "database_url",
    [
        "sqlite:////nonexistent-kembar-dir/kembar.sqlite3",
        "postgres://postgres@127.0.0.1:1/kembar_nowhere",
    ],
)
def test_healthz_unreachable_database_is_503(database_url: str, tmp_path: Path) -> None:
    result: Any = _probe(database_url, tmp_path, script=_PROBE)

    assert result["status"] == 503
    assert result["body"]["status"] == "error"
    assert result["body"]["database"] == "unreachable"
    assert "DATABASE_URL" in result["body"]["detail"]


def _probe(database_url: str, var_dir: Path, *, script: str = "") -> dict[str, object]:
    """The health answer of an app run in its own process against ``database_url``."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "KEMBAR_VAR_DIR": str(var_dir),
        "KEMBAR_LOG_LEVEL": "CRITICAL",
    }
    completed = subprocess.run(
        [sys.executable, "-c", script or _TIMED_PROBE],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    result: dict[str, object] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


_TIMED_PROBE = """
import json, time, django
django.setup()
from django.test import Client
from django.urls import get_resolver
get_resolver().url_patterns  # import every view first: only the database check is timed
started = time.monotonic()
response = Client().get("/healthz")
print(json.dumps({"status": response.status_code, "body": response.json(),
                  "seconds": time.monotonic() - started}))
"""


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Path:
    """A migrated-looking SQLite file in WAL mode, as ``make run`` leaves it."""
    path = tmp_path / "kembar.sqlite3"
    with closing(sqlite3.connect(path, isolation_level=None)) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE django_migrations (id INTEGER PRIMARY KEY, app TEXT)")
        db.execute("INSERT INTO django_migrations (app) VALUES ('core')")
    return path


def test_healthz_sqlite_file_answers(sqlite_file: Path, tmp_path: Path) -> None:
    result = _probe(f"sqlite:///{sqlite_file}", tmp_path)

    assert result["status"] == 200
    assert result["body"] == {"status": "ok", "database": "ok"}


def test_healthz_sqlite_file_removed_is_503_and_not_recreated(
    sqlite_file: Path, tmp_path: Path
) -> None:
    sqlite_file.unlink()

    result = _probe(f"sqlite:///{sqlite_file}", tmp_path)

    assert result["status"] == 503
    assert result["body"]["database"] == "unreachable"  # type: ignore[index]
    # Django's connection would have created an empty file that answers SELECT 1.
    assert not sqlite_file.exists()


@pytest.mark.parametrize("journal", ["wal", "delete"])
def test_healthz_sqlite_locked_is_503_within_two_seconds(
    sqlite_file: Path, tmp_path: Path, journal: str
) -> None:
    holder = sqlite3.connect(sqlite_file, isolation_level=None)
    try:
        holder.execute(f"PRAGMA journal_mode={journal}")
        # In WAL mode readers pass a writer; exclusive locking mode shuts them out.
        holder.execute("PRAGMA locking_mode=EXCLUSIVE")
        holder.execute("BEGIN EXCLUSIVE")
        holder.execute("INSERT INTO django_migrations (app) VALUES ('lock')")

        result = _probe(f"sqlite:///{sqlite_file}", tmp_path)
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    assert result["status"] == 503
    assert result["body"]["database"] == "unreachable"  # type: ignore[index]
    assert float(result["seconds"]) < 2.0  # type: ignore[arg-type]


@pytest.mark.django_db(transaction=True)
def test_healthz_postgresql_locked_is_503_within_two_seconds(client: Client) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL statement timeout; DATABASE_URL is not PostgreSQL")
    holder = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with holder.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute("LOCK TABLE django_migrations IN ACCESS EXCLUSIVE MODE")
            started = time.monotonic()
            response = client.get("/healthz")
            elapsed = time.monotonic() - started
            cursor.execute("ROLLBACK")
    finally:
        holder.close()

    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"
    assert elapsed < 2.0
