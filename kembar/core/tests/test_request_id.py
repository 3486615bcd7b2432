"""Every response and every log record of a request carry its id; access lines hold no
personal data."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from pythonjsonlogger.json import JsonFormatter

from kembar.accounts.tests.factories import UserFactory
from kembar.common.request_id import RequestIdFilter, current_request_id, valid_request_id

PROXY = "10.0.0.7"
GENERATED = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """What the root logger writes, formatted as in production (KEMBAR_LOG_FORMAT=json)."""
    logging_config: dict[str, Any] = settings.LOGGING
    options = {k: v for k, v in logging_config["formatters"]["json"].items() if k != "()"}
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter(**options))
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield stream
    finally:
        root.removeHandler(handler)


def _records(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.mark.django_db
def test_each_response_gets_a_new_id(client: Client) -> None:
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]

    assert GENERATED.fullmatch(first)
    assert GENERATED.fullmatch(second)
    assert first != second
    assert current_request_id() == "-"  # nothing leaks out of the request


@pytest.mark.django_db
def test_an_id_from_a_client_is_not_trusted(client: Client, settings: Any) -> None:
    settings.KEMBAR_TRUSTED_PROXIES = [PROXY]

    response = client.get("/healthz", HTTP_X_REQUEST_ID="chosen-by-client-0001")

    assert response["X-Request-ID"] != "chosen-by-client-0001"
    assert GENERATED.fullmatch(response["X-Request-ID"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    "given",
    ["0f8fad5b-d9cb-469f-a165-70867728950e", "4a9c3e1b2d7f48e6a0b5c8d9e1f2a3b4", "lb-1.req:42"],
)
def test_an_id_from_a_trusted_proxy_is_kept(client: Client, settings: Any, given: str) -> None:
    settings.KEMBAR_TRUSTED_PROXIES = [PROXY]

    response = client.get("/healthz", HTTP_X_REQUEST_ID=given, REMOTE_ADDR=PROXY)

    assert response["X-Request-ID"] == given


@pytest.mark.django_db
@pytest.mark.parametrize(
    "given",
    ["a" * 65, "two words", "line\nbreak", "-starts-with-a-dash", 'quote"d', "ünïcode", ""],
)
def test_a_malformed_id_even_from_a_trusted_proxy_is_replaced(
    client: Client, settings: Any, given: str
) -> None:
    settings.KEMBAR_TRUSTED_PROXIES = [PROXY]

    response = client.get("/healthz", HTTP_X_REQUEST_ID=given, REMOTE_ADDR=PROXY)

    assert GENERATED.fullmatch(response["X-Request-ID"])
    assert not valid_request_id(given)


@pytest.mark.django_db
def test_access_line_has_no_query_string_and_the_request_id(
    client: Client, json_log: io.StringIO
) -> None:
    response = client.get("/healthz?email=siti@example.org&name=Siti")

    [access] = [r for r in _records(json_log) if r["logger"] == "kembar.access"]
    assert {k: access[k] for k in ("level", "method", "path", "status", "user", "request_id")} == {
        "level": "INFO",
        "method": "GET",
        "path": "/healthz",
        "status": 200,
        "user": "anonymous",
        "request_id": response["X-Request-ID"],
    }
    assert access["message"].startswith("GET /healthz 200 ")
    assert isinstance(access["duration_ms"], float)
    assert "siti" not in json_log.getvalue().lower()


@pytest.mark.django_db
def test_access_line_names_the_user_by_id_only(client: Client, json_log: io.StringIO) -> None:
    user = UserFactory.create(username="sari", first_name="Sari", email="sari@example.org")
    client.force_login(user)

    client.get("/notifications/")

    [access] = [r for r in _records(json_log) if r["logger"] == "kembar.access"]
    assert access["user"] == str(user.pk)
    assert "sari" not in json_log.getvalue().lower()


@pytest.mark.django_db
@pytest.mark.urls("kembar.core.tests.error_urls")
def test_every_record_of_a_failing_request_has_its_id(json_log: io.StringIO) -> None:
    response = Client(raise_request_exception=False).get("/test-crash/")

    records = _records(json_log)
    assert {(r["logger"], r["level"]) for r in records} >= {
        ("django.request", "ERROR"),
        ("kembar.access", "INFO"),
    }
    assert {r["request_id"] for r in records} == {response["X-Request-ID"]}


_JSON_PROBE = """
import django
django.setup()
from django.test import Client
response = Client().get("/healthz?q=private")
print(response["X-Request-ID"])
"""


def test_production_logs_are_json_lines_with_the_request_id(tmp_path: Any) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'missing.sqlite3'}",
        "KEMBAR_VAR_DIR": str(tmp_path),
        "KEMBAR_LOG_FORMAT": "json",
        "KEMBAR_LOG_LEVEL": "INFO",
    }
    completed = subprocess.run(
        [sys.executable, "-c", _JSON_PROBE], env=env, cwd=settings.BASE_DIR,
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    request_id = completed.stdout.strip()
    records = [json.loads(line) for line in completed.stderr.splitlines()]

    [access] = [r for r in records if r["logger"] == "kembar.access"]
    assert access["request_id"] == request_id
    assert access["path"] == "/healthz"
    assert access["status"] == 503  # no database file: the health check says so
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+\+00:00", access["time"])
    # The database error logged inside the request carries the same id.
    assert {r["request_id"] for r in records if r["level"] == "ERROR"} == {request_id}
    assert "private" not in completed.stderr


def test_the_worker_logs_through_the_same_handler_once() -> None:
    """run_huey adds a plain handler of its own to "huey" unless LOGGING gave it one."""
    huey = logging.getLogger("huey")

    # (pytest adds its own capturing handlers; LOGGING's console handler is the one filtered.)
    console = [h for h in huey.handlers if any(isinstance(f, RequestIdFilter) for f in h.filters)]
    assert len(console) == 1
    assert console[0] in logging.getLogger().handlers
    assert huey.propagate is False
