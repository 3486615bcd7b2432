"""``manage.py serve`` (what ``make run`` ends with): gunicorn and the worker, side by side.

The command runs in its own process with the production settings against a copy of the
test database (SQLite) or the test database itself (PostgreSQL), as ``make run`` runs it.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

# A transaction of its own would keep the in-memory SQLite database from being copied.
pytestmark = pytest.mark.django_db(transaction=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _database_url(tmp_path: Path) -> str:
    """A database the child process can open, with every table of the test database."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        copy = tmp_path / "kembar.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(copy) as target:
            connection.connection.backup(target)
        return f"sqlite:///{copy}"
    return (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 (our own server)
            return int(answer.status), dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return int(error.code), dict(error.headers), error.read()


def _children(pid: int) -> dict[str, int]:
    """The child processes of ``pid`` by what they run: ``gunicorn`` or ``run_huey``."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent != pid:
            continue
        for name in ("gunicorn", "run_huey"):
            if name in command:
                found[name] = int(entry.name)
    return found


@pytest.fixture
def served(tmp_path: Path) -> Iterator[dict[str, Any]]:
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": _database_url(tmp_path),
        "KEMBAR_VAR_DIR": str(tmp_path / "var"),
        "KEMBAR_PLAIN_STATIC": "true",
        "KEMBAR_QUEUE_IMMEDIATE": "false",
        "KEMBAR_WEB_WORKERS": "1",
        "KEMBAR_WEB_THREADS": "2",
        "KEMBAR_DB_POOL_MAX": "0",
        "KEMBAR_LOG_LEVEL": "WARNING",
        "PORT": str(port),
    }
    env.pop("REDIS_URL", None)
    log = (tmp_path / "serve.log").open("w+")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "serve"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            status, _headers, _body = _get(f"{base}/readyz")
            if status == 200:
                break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            log.seek(0)
            pytest.fail(f"serve did not become ready:\n{log.read()[-3000:]}")
        time.sleep(0.3)
    try:
        yield {"process": process, "base": base, "log": log}
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def test_serve_answers_with_gunicorn_and_its_worker_and_stops_on_sigterm(
    served: dict[str, Any],
) -> None:
    process = served["process"]
    status, headers, body = _get(f"{served['base']}/readyz")

    assert status == 200
    assert json.loads(body) == {"status": "ok", "database": "ok", "cache": "ok", "queue": "ok"}
    assert headers["Server"] == "gunicorn"
    assert set(_children(process.pid)) == {"gunicorn", "run_huey"}

    process.send_signal(signal.SIGTERM)

    assert process.wait(timeout=60) == 0
    served["log"].seek(0)
    assert served["log"].read().rstrip().endswith("Dihentikan.")


def test_serve_stops_everything_and_says_so_when_its_worker_dies(
    served: dict[str, Any],
) -> None:
    process = served["process"]
    children = _children(process.pid)

    os.kill(children["run_huey"], signal.SIGKILL)

    assert process.wait(timeout=60) == 128 + signal.SIGKILL
    served["log"].seek(0)
    assert "Pekerja antrean tugas berhenti (status keluar -9)" in served["log"].read()
    with pytest.raises(OSError):
        _get(f"{served['base']}/healthz")
