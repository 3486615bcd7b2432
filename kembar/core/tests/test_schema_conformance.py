"""The API answers as its OpenAPI schema says: ``schemathesis run`` with every check.

Schemathesis (the command line, as a reviewer runs it) fuzzes every operation
of ``/api/schema/`` on a live server with the shipped Semarang record, once
anonymously and once with an administrator's token, and checks status codes,
content types, headers and bodies against the schema, that schema-valid input
is accepted and invalid input refused, and that authentication is not ignored.
``schemathesis.toml`` beside this file says where stored data decides validity.
Runs on whichever database the suite runs on (SQLite, PostgreSQL in CI).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from pytest_django.live_server_helper import LiveServer

from kembar.accounts.models import Role
from kembar.accounts.tests.factories import PASSWORD, UserFactory, standard_organisations
from kembar.partnerships.tests.seeding import semarang_record_load
from kembar.programs.tests.factories import ActivityFactory

CONFIG = Path(__file__).with_name("schemathesis.toml")
#: Test cases per operation and phase; with the fixed seed a run takes about a minute.
MAX_EXAMPLES = 6


def _schemathesis() -> str:
    found = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
    assert found, "schemathesis is a dev dependency: pip install -e '.[dev]'"
    return found


@pytest.fixture
def seeded(transactional_db: None, settings: Any) -> str:
    """The Semarang record, an activity and an administrator; returns the administrator's token."""
    # Fuzzing sends thousands of requests from one address; the rates are tested elsewhere.
    settings.KEMBAR_API_RATES = {}
    orgs = standard_organisations()
    semarang_record_load()
    ActivityFactory.create()
    UserFactory.create(
        username="admin", role=Role.ADMINISTRATOR, organisation=orgs.semarang, is_staff=True
    )
    response = Client().post("/api/v1/auth/token/", {"username": "admin", "password": PASSWORD})
    assert response.status_code == 200, response.content
    return str(response.json()["token"])


@pytest.mark.parametrize("who", ["anonymous", "administrator"])
def test_api_answers_as_its_schema_says(
    who: str, seeded: str, live_server: LiveServer, tmp_path: Path
) -> None:
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG.read_text())
    if who == "administrator":
        # Given as the schema's security scheme, not as a plain header, so that the
        # check that authentication is not ignored can leave it out.
        with config.open("a") as toml:
            toml.write(f'\n[auth.openapi.knoxApiToken]\napi_key = "Token {seeded}"\n')
    command = [
        _schemathesis(),
        "--config-file", str(config),
        "--no-color",
        "run", f"{live_server.url}/api/schema/",
        "--checks", "all",
        "--max-examples", str(MAX_EXAMPLES),
        "--seed", "20261205",
        "--workers", "1",
        "--generation-database", "none",
        "--request-timeout", "30",
    ]  # fmt: skip
    if who == "administrator":
        # Signing out would revoke the token halfway through the run.
        command += ["--exclude-path-regex", "/logout"]

    # A guard against a hung run, not a speed target: on PostgreSQL with a loaded machine the
    # administrator's run over every operation (the knowledge API added nine) passed 600 s.
    completed = subprocess.run(
        command, cwd=tmp_path, capture_output=True, text=True, timeout=1800, check=False
    )

    report = completed.stdout[-25000:]
    assert completed.returncode == 0, report
