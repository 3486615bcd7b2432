"""The server keeps a bounded number of database connections and reuses them.

``make run`` on PostgreSQL once kept an idle connection for nearly every
request thread (9 per 20 requests) until the server refused new ones.  The
server here is the one ``make run`` starts, in its own process with the
production settings, against the test database.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

POOL_MAX = 3
APPLICATION_NAME = "kembar-pool-test"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (our own server)
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def _server_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
            [APPLICATION_NAME],
        )
        return int(cursor.fetchone()[0])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    if connection.vendor != "postgresql":
        pytest.skip("counts PostgreSQL server connections; DATABASE_URL is not PostgreSQL")
    db = connection.settings_dict
    url = (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "KEMBAR_PLAIN_STATIC": "true",
        "KEMBAR_VAR_DIR": str(tmp_path),
        "KEMBAR_DB_POOL_MAX": str(POOL_MAX),
        "KEMBAR_LOG_LEVEL": "WARNING",
        # libpq names the server's connections, so that only they are counted.
        "PGAPPNAME": APPLICATION_NAME,
    }
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", "--skip-checks",
         f"127.0.0.1:{port}"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _get(f"{base}/healthz")
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.django_db(transaction=True)
def test_server_connections_stay_bounded_and_are_reused(server: str) -> None:
    paths = ["/healthz", "/api/v1/regions/?level=provinsi", "/api/v1/lifecycle/"] * 10

    with ThreadPoolExecutor(max_workers=8) as executor:
        first = list(executor.map(lambda path: _get(server + path), paths))
    after_first = _server_connections()
    with ThreadPoolExecutor(max_workers=8) as executor:
        second = list(executor.map(lambda path: _get(server + path), paths))
    after_second = _server_connections()

    assert set(first) | set(second) <= {200, 401, 403}
    assert 1 <= after_first <= POOL_MAX
    assert 1 <= after_second <= POOL_MAX
