"""/readyz: the database, the cache and the task queue each answer, or 503 naming which.

With a read replica, it is reported too, and only degrades the answer (still 200).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import dj_database_url
import psycopg
import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.test import Client, override_settings
from huey import RedisHuey

from kembar.core.selectors import cache_status, queue_status, ready
from kembar.core.tests.replica_aliases import (  # noqa: F401 (a fixture, used by name)
    DOWN,
    MIRROR,
    mirror_settings,
    replica_aliases,
)

# Nothing listens on port 1: connections are refused at once; the timeouts bound the rest.
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"
_TIMEOUTS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
REDIS = "redis://127.0.0.1:6379/13"


def _redis_cache(location: str) -> dict[str, Any]:
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": location,
            "KEY_PREFIX": "kembar-test-readyz",
            "OPTIONS": _TIMEOUTS,
        }
    }


@pytest.mark.django_db
def test_readyz_ok(client: Client) -> None:
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok", "queue": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_refuses_post(client: Client) -> None:
    assert client.post("/readyz").status_code == 405


@pytest.mark.django_db
def test_readyz_with_the_cache_unreachable_is_503(client: Client) -> None:
    with override_settings(CACHES=_redis_cache(UNREACHABLE_REDIS)):
        started = time.monotonic()
        response = client.get("/readyz")
        elapsed = time.monotonic() - started

    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "database": "ok",
        "cache": "error: ConnectionError",
        "queue": "ok",
    }
    assert "127.0.0.1" not in response.content.decode()  # no hosts or ports to the public
    assert elapsed < 5


def test_cache_status_with_redis_running() -> None:
    with override_settings(CACHES=_redis_cache(REDIS)):
        assert cache_status() == "ok"


def test_queue_status_with_redis_running_and_unreachable() -> None:
    assert queue_status(RedisHuey("kembar-test-readyz", url=REDIS)) == "ok"
    assert (
        queue_status(RedisHuey("kembar-test-readyz", url=UNREACHABLE_REDIS))
        == "error: ConnectionError"
    )


def test_queue_status_with_the_embedded_queue(tmp_path: Path) -> None:
    from huey import SqliteHuey

    assert queue_status(SqliteHuey("kembar-test", filename=str(tmp_path / "q.sqlite3"))) == "ok"


_PROBE = """
import json, django
django.setup()
from django.test import Client
response = Client().get("/readyz")
print(json.dumps({"status": response.status_code, "body": response.json()}))
"""


def test_readyz_with_redis_down_in_production_settings(tmp_path: Path) -> None:
    """The real settings with REDIS_URL pointing at nothing: cache and queue both fail."""
    database = tmp_path / "kembar.sqlite3"
    with closing(sqlite3.connect(database)) as db, db:
        db.execute("CREATE TABLE django_migrations (id INTEGER PRIMARY KEY, app TEXT)")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{database}",
        "REDIS_URL": UNREACHABLE_REDIS,
        "KEMBAR_QUEUE_IMMEDIATE": "false",
        "KEMBAR_VAR_DIR": str(tmp_path),
        "KEMBAR_LOG_LEVEL": "CRITICAL",
    }
    completed = subprocess.run(
        [sys.executable, "-c", _PROBE], env=env, cwd=settings.BASE_DIR,
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    result = json.loads(completed.stdout.strip().splitlines()[-1])

    assert result == {
        "status": 503,
        "body": {
            "status": "error",
            "database": "ok",
            "cache": "error: ConnectionError",
            "queue": "error: ConnectionError",
        },
    }


# --- the read replica --------------------------------------------------------------------


@pytest.mark.django_db(databases=[DEFAULT_DB_ALIAS, MIRROR])
@pytest.mark.usefixtures("replica_aliases")
def test_readyz_reports_a_replica_that_answers(settings: Any, client: Client) -> None:
    settings.KEMBAR_READ_REPLICA = MIRROR

    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "queue": "ok",
        "replica": "ok",
    }


# Transactional: a plain test case would open a transaction on the replica it cannot reach.
@pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, DOWN])
@pytest.mark.usefixtures("replica_aliases")
def test_readyz_with_the_replica_unreachable_is_degraded_not_503(
    settings: Any, client: Client
) -> None:
    settings.KEMBAR_READ_REPLICA = DOWN

    started = time.monotonic()
    response = client.get("/readyz")
    elapsed = time.monotonic() - started

    # Reads fall back to the primary (test_db_router_fallback.py): the instance still serves.
    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "database": "ok",
        "cache": "ok",
        "queue": "ok",
        "replica": "error: unreachable",
    }
    assert elapsed < 5


@pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, DOWN])
@pytest.mark.usefixtures("replica_aliases")
def test_readyz_with_the_cache_down_is_503_whatever_the_replica(
    settings: Any, client: Client
) -> None:
    settings.KEMBAR_READ_REPLICA = DOWN

    with override_settings(CACHES=_redis_cache(UNREACHABLE_REDIS)):
        response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert response.json()["replica"] == "error: unreachable"


@pytest.mark.parametrize(
    ("checks", "expected"),
    [
        ({"database": "ok", "cache": "ok", "queue": "ok"}, "ok"),
        ({"database": "ok", "cache": "ok", "queue": "ok", "replica": "ok"}, "ok"),
        ({"database": "ok", "cache": "ok", "queue": "ok", "replica": "error: lagging"}, "degraded"),
        ({"database": "ok", "cache": "error: x", "queue": "ok", "replica": "ok"}, "error"),
        ({"database": "ok", "cache": "error: x", "queue": "ok", "replica": "error: x"}, "error"),
    ],
)
def test_ready_weighs_only_the_replica_as_degrading(checks: dict[str, str], expected: str) -> None:
    assert ready(checks) == expected


# --- a real streaming replica (deploy/postgres-replica.sh) ---------------------------------

REAL = "replica_real"
#: conftest.py moves DATABASE_REPLICA_URL here, out of the reach of the processes tests start.
REPLICA_URL_KEY = "KEMBAR_TEST_REPLICA_URL"


@pytest.fixture(scope="module")
def real_replica(django_db_setup: None) -> Iterator[dict[str, Any]]:
    """The test database on the streaming replica, as the alias ``REAL``; skips without one."""
    url = os.environ.get(REPLICA_URL_KEY, "")
    if not url:
        pytest.skip(f"no streaming replica: set {REPLICA_URL_KEY} (deploy/postgres-replica.sh)")
    if connections[DEFAULT_DB_ALIAS].vendor != "postgresql":
        pytest.skip("a streaming replica needs PostgreSQL; DATABASE_URL is not PostgreSQL")
    parsed = dj_database_url.parse(url)
    replica = {
        **mirror_settings(),
        **{key: parsed.get(key) or "" for key in ("USER", "PASSWORD", "HOST", "PORT")},
    }
    conninfo = _conninfo(replica, "postgres")
    try:
        with psycopg.connect(conninfo, connect_timeout=3, autocommit=True) as conn:
            in_recovery = conn.execute("SELECT pg_is_in_recovery()").fetchone()
    except psycopg.OperationalError as error:
        pytest.skip(f"{REPLICA_URL_KEY} does not answer: {error}")
    if in_recovery != (True,):
        pytest.skip(f"{REPLICA_URL_KEY} is not a standby (pg_is_in_recovery() is false)")
    connections.settings[REAL] = replica
    try:
        yield replica
    finally:
        connections[REAL].close()
        del connections[REAL]
        del connections.settings[REAL]


def _conninfo(db: dict[str, Any], name: str) -> str:
    return (
        f"postgresql://{db['USER'] or 'postgres'}:{db['PASSWORD'] or ''}@"
        f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
    )


def _replica_check(client: Client, want: str, seconds: float = 20) -> tuple[int, dict[str, str]]:
    """/readyz until its ``replica`` says ``want`` (replication takes a moment either way)."""
    deadline = time.monotonic() + seconds
    while True:
        response = client.get("/readyz")
        body = response.json()
        if body["replica"] == want or time.monotonic() > deadline:
            return response.status_code, body
        time.sleep(0.2)


@pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REAL])
def test_readyz_reports_the_real_replica_lagging_while_its_replay_is_paused(
    real_replica: dict[str, Any], settings: Any, client: Client
) -> None:
    settings.KEMBAR_READ_REPLICA = REAL
    settings.KEMBAR_REPLICA_MAX_LAG_SECONDS = 1
    primary = connections[DEFAULT_DB_ALIAS].settings_dict
    assert _replica_check(client, "ok") == (
        200,
        {"status": "ok", "database": "ok", "cache": "ok", "queue": "ok", "replica": "ok"},
    )

    with psycopg.connect(_conninfo(real_replica, "postgres"), autocommit=True) as standby:
        standby.execute("SELECT pg_wal_replay_pause()")
        try:
            # A commit the replica receives but does not replay: from now on it falls behind.
            with psycopg.connect(_conninfo(primary, "postgres"), autocommit=True) as writer:
                writer.execute("CREATE TABLE kembar_readyz_lag_probe (x integer)")
                writer.execute("DROP TABLE kembar_readyz_lag_probe")

            status, body = _replica_check(client, "error: lagging")
        finally:
            standby.execute("SELECT pg_wal_replay_resume()")

    assert (status, body) == (
        200,
        {
            "status": "degraded",
            "database": "ok",
            "cache": "ok",
            "queue": "ok",
            "replica": "error: lagging",
        },
    )
    # Caught up again once replay resumes.
    assert _replica_check(client, "ok")[1]["status"] == "ok"
