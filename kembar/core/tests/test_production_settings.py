"""Production settings: a secret key is required, and `check --deploy` passes with the
environment docs/operations.md gives."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

from django.conf import settings

#: The production environment of docs/operations.md (values made up, same shape).
PRODUCTION = {
    "DJANGO_SECRET_KEY": "Zq1vH8r3T0mYc5Kx9LwPe2NbUd7Gs4Jf6Aa0Ri3Ok8Xl1Ct5Vy9Bh2Mn7Qp4Ew6Fz",
    "DJANGO_ALLOWED_HOSTS": "kembar.semarangkota.go.id",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://kembar.semarangkota.go.id",
    "KEMBAR_HTTPS": "true",
    "KEMBAR_TRUSTED_PROXIES": "127.0.0.1",
    "DATABASE_URL": "postgres://kembar@127.0.0.1:5432/kembar",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "KEMBAR_LOG_FORMAT": "json",
}
#: Deliberate, and explained in docs/operations.md: HSTS for subdomains and the preload list
#: are decisions for whoever runs the whole domain (a city's other services share it).
DOCUMENTED_WARNINGS = {"security.W005", "security.W021"}


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args], env=env, cwd=settings.BASE_DIR,
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def _base_environment(tmp_path: Path) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "KEMBAR_", "DATABASE_URL", "REDIS_URL"))
    }
    return {**env, "KEMBAR_VAR_DIR": str(tmp_path)}


def test_check_deploy_passes_with_the_documented_production_environment(tmp_path: Path) -> None:
    completed = _run({**_base_environment(tmp_path), **PRODUCTION}, "check", "--deploy")
    output = completed.stdout + completed.stderr

    assert completed.returncode == 0, output
    assert set(re.findall(r"\((\w+\.[EW]\d+)\)", output)) == DOCUMENTED_WARNINGS
    assert "System check identified 2 issues (0 silenced)." in output


def test_check_deploy_without_https_names_what_is_missing(tmp_path: Path) -> None:
    env = {**_base_environment(tmp_path), **PRODUCTION, "KEMBAR_HTTPS": "false"}

    output = _run(env, "check", "--deploy").stderr

    assert {"security.W004", "security.W008", "security.W012", "security.W016"} <= set(
        re.findall(r"\((\w+\.[EW]\d+)\)", output)
    )


def test_a_secret_key_is_required(tmp_path: Path) -> None:
    env = {**_base_environment(tmp_path), "KEMBAR_SECRET_KEY_FILE": str(tmp_path / "none")}

    completed = _run(env, "check")

    assert completed.returncode == 1
    assert (
        "django.core.exceptions.ImproperlyConfigured: No secret key: set DJANGO_SECRET_KEY, or "
        f"KEMBAR_SECRET_KEY_FILE to a file holding one (now {tmp_path / 'none'}, which is "
        "missing or empty)."
    ) in completed.stderr
    assert not (tmp_path / "none").exists()  # never made up


def test_the_secret_key_is_read_from_the_key_file(tmp_path: Path) -> None:
    (tmp_path / "secret_key").write_text("from-the-file-0123456789\n")
    env = {**_base_environment(tmp_path)}  # KEMBAR_SECRET_KEY_FILE defaults to var/secret_key

    completed = _run(
        env,
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.SECRET_KEY)",
    )

    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "from-the-file-0123456789"


_PROBE = """
import json, django
django.setup()
from django.test import Client
client = Client(HTTP_HOST="kembar.semarangkota.go.id", HTTP_X_FORWARDED_PROTO="https")
print(json.dumps({path: [client.get(path).status_code, Client().get(path).status_code]
                  for path in ("/healthz", "/readyz")}))
"""


def test_probes_with_the_documented_headers_answer_in_production(tmp_path: Path) -> None:
    """As docs/operations.md tells a monitor to ask: the site's host, and https from the proxy."""
    database = tmp_path / "kembar.sqlite3"
    with closing(sqlite3.connect(database)) as db, db:
        db.execute("CREATE TABLE django_migrations (id INTEGER PRIMARY KEY, app TEXT)")
    env = {
        **_base_environment(tmp_path),
        **PRODUCTION,
        "DATABASE_URL": f"sqlite:///{database}",
        "REDIS_URL": "redis://127.0.0.1:6379/13",
        "KEMBAR_CACHE_PREFIX": "kembar-test-probes",
        "KEMBAR_QUEUE_NAME": "kembar-test-probes",
        "KEMBAR_LOG_LEVEL": "CRITICAL",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "KEMBAR_PLAIN_STATIC": "true",  # no collectstatic here; the error page links static files
    }
    completed = subprocess.run(
        [sys.executable, "-c", _PROBE], env=env, cwd=settings.BASE_DIR,
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip

    # With the headers: answered; without (a bare request to the port): refused (400, the
    # host is not allowed), never served over plain http.
    assert json.loads(completed.stdout.strip().splitlines()[-1]) == {
        "/healthz": [200, 400],
        "/readyz": [200, 400],
    }
