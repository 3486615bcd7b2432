"""/readyz: the database, the cache and the task queue each answer, or 503 naming which."""

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
from django.test import Client, override_settings
from huey import RedisHuey

from kembar.core.selectors import cache_status, queue_status

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
