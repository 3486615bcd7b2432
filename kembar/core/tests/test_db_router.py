"""Reads go to the replica, writes to the primary, and a client reads what it just wrote.

Most tests run real requests through the test client with reads routed to an alias
(``replica_mirror``) that mirrors the test database, a second connection to it: which
connection ran each query shows where the router sent it.  The last test
needs a real streaming replica (``DATABASE_REPLICA_URL``, set up by
``deploy/postgres-replica.sh``): it pauses the replica's replay, so the replica is behind for
certain, and checks that the client that wrote reads its write while a client that did not
still reads the replica.
"""

from __future__ import annotations

import copy
import http.cookiejar
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dj_database_url
import psycopg
import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kembar.accounts.tests.factories import PASSWORD, UserFactory
from kembar.common import public_cache
from kembar.core.db_router import (
    PIN_COOKIE,
    PrimaryReplicaRouter,
    _replica_has_replayed,
    read_alias,
)

#: The routing tests read through a mirror of the test database, never a real replica: a
#: real one replays the other writes of the server and would end their pins early.
REPLICA = "replica_mirror"
ROUTER_URLS = "kembar.core.tests.db_router_urls"
INTEGRATION_PIN_SECONDS = 4
both_databases = pytest.mark.django_db(databases=[DEFAULT_DB_ALIAS, REPLICA])


@pytest.fixture(scope="module", autouse=True)
def _replica_alias(django_db_setup: None) -> Iterator[None]:
    """A database alias mirroring the test database: a second connection to it."""
    replica = copy.deepcopy(connections[DEFAULT_DB_ALIAS].settings_dict)
    replica["TEST"]["MIRROR"] = DEFAULT_DB_ALIAS
    replica["OPTIONS"].pop("pool", None)
    if connections[DEFAULT_DB_ALIAS].vendor == "sqlite":
        # The in-memory test database is shared between connections with table locks: the
        # replica only reads, so it takes neither the write lock the primary's connection
        # holds for the test (BEGIN IMMEDIATE) nor read locks that would block its writes.
        replica["OPTIONS"].pop("transaction_mode", None)
        replica["OPTIONS"]["init_command"] = "PRAGMA read_uncommitted = 1;"
    connections.settings[REPLICA] = replica
    try:
        yield
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]


@pytest.fixture
def routed(settings: Any) -> Any:
    """Settings with reads going to the replica and a five-second pin.

    Public data last changed a minute ago: a renewal within the pin sends every read to
    the primary (tested below), and the cache, emptied before each test, has no stamp yet.
    """
    settings.KEMBAR_READ_REPLICA = REPLICA
    settings.KEMBAR_REPLICA_PIN_SECONDS = 5
    cache.set(public_cache.GENERATION_KEY, ("router-test", time.time() - 60), timeout=None)
    return settings


class Queries:
    """The SQL each connection ran during a block, and only that."""

    def __init__(self) -> None:
        self._captures = {
            alias: CaptureQueriesContext(connections[alias])
            for alias in (DEFAULT_DB_ALIAS, REPLICA)
        }

    def __enter__(self) -> Queries:
        for capture in self._captures.values():
            capture.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        for capture in self._captures.values():
            capture.__exit__(None, None, None)

    def on(self, alias: str) -> list[str]:
        return [query["sql"] for query in self._captures[alias].captured_queries]


def _table_queries(sqls: list[str], table: str) -> list[str]:
    return [sql.split()[0].upper() for sql in sqls if f'"{table}"' in sql]


# --- routing decisions -----------------------------------------------------------------------


@both_databases
def test_public_read_goes_to_the_replica(routed: Any, client: Client) -> None:
    with Queries() as queries:
        response = client.get("/api/v1/partnerships/")

    assert response.status_code == 200
    assert queries.on(DEFAULT_DB_ALIAS) == []
    assert _table_queries(queries.on(REPLICA), "partnerships_partnership")[0] == "SELECT"
    assert PIN_COOKIE not in response.cookies


@both_databases
@pytest.mark.urls(ROUTER_URLS)
def test_reads_after_a_write_in_the_same_request_go_to_the_primary(
    routed: Any, client: Client
) -> None:
    with Queries() as queries:
        response = client.get("/test-router/read-write-read/")

    assert response.json() == {"before": 0, "after": 1}
    assert _table_queries(queries.on(REPLICA), "auth_group") == ["SELECT"]
    assert _table_queries(queries.on(DEFAULT_DB_ALIAS), "auth_group") == ["INSERT", "SELECT"]
    # The write pins the client: its next request reads from the primary.
    assert response.cookies[PIN_COOKIE]["max-age"] == 5
    assert response.cookies[PIN_COOKIE]["httponly"] is True
    with Queries() as queries:
        again = client.get("/test-router/read/")
    assert again.json() == {"count": 1}
    assert _table_queries(queries.on(REPLICA), "auth_group") == []
    assert _table_queries(queries.on(DEFAULT_DB_ALIAS), "auth_group") == ["SELECT"]


@both_databases
@pytest.mark.urls(ROUTER_URLS)
def test_reads_inside_a_transaction_go_to_the_primary(
    routed: Any, client: Client
) -> None:
    with Queries() as queries:
        response = client.get("/test-router/atomic/")

    assert response.json() == {"count": 0}
    assert _table_queries(queries.on(REPLICA), "auth_group") == []
    assert _table_queries(queries.on(DEFAULT_DB_ALIAS), "auth_group") == ["SELECT"]
    assert PIN_COOKIE not in response.cookies


@both_databases
@pytest.mark.urls(ROUTER_URLS)
def test_a_post_reads_from_the_primary_and_pins_the_client_for_the_window(
    routed: Any, client: Client
) -> None:
    routed.KEMBAR_REPLICA_PIN_SECONDS = 1

    with Queries() as queries:
        posted = client.post("/test-router/read/")
    assert posted.status_code == 200
    assert _table_queries(queries.on(REPLICA), "auth_group") == []
    assert _table_queries(queries.on(DEFAULT_DB_ALIAS), "auth_group") == ["SELECT"]
    assert posted.cookies[PIN_COOKIE]["max-age"] == 1

    with Queries() as queries:
        client.get("/test-router/read/")
    assert _table_queries(queries.on(REPLICA), "auth_group") == []
    assert _table_queries(queries.on(DEFAULT_DB_ALIAS), "auth_group") == ["SELECT"]

    # The signed pin carries whole seconds: after more than two it has lapsed for certain,
    # even though the test client, unlike a browser, still sends the cookie.
    time.sleep(2.1)
    with Queries() as queries:
        client.get("/test-router/read/")
    assert queries.on(DEFAULT_DB_ALIAS) == []
    assert _table_queries(queries.on(REPLICA), "auth_group") == ["SELECT"]


@both_databases
@pytest.mark.urls(ROUTER_URLS)
def test_after_public_data_changed_everyone_reads_the_primary_for_the_window(
    routed: Any, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    routed.KEMBAR_REPLICA_PIN_SECONDS = 1
    with django_capture_on_commit_callbacks(execute=True):
        public_cache.bump()  # what a change to a partnership, activity, ... does after commit

    with Queries() as queries:
        response = client.get("/test-router/read/")
    assert _table_queries(queries.on(REPLICA), "auth_group") == []
    assert _table_queries(queries.on(DEFAULT_DB_ALIAS), "auth_group") == ["SELECT"]
    # Reading from the primary pins nobody.
    assert PIN_COOKIE not in response.cookies

    time.sleep(1.1)
    with Queries() as queries:
        client.get("/test-router/read/")
    assert queries.on(DEFAULT_DB_ALIAS) == []
    assert _table_queries(queries.on(REPLICA), "auth_group") == ["SELECT"]


@both_databases
@pytest.mark.urls(ROUTER_URLS)
def test_a_forged_pin_cookie_is_ignored(routed: Any, client: Client) -> None:
    client.cookies[PIN_COOKIE] = "1:forged:signature"

    with Queries() as queries:
        client.get("/test-router/read/")

    assert queries.on(DEFAULT_DB_ALIAS) == []
    assert _table_queries(queries.on(REPLICA), "auth_group") == ["SELECT"]


@both_databases
@pytest.mark.urls(ROUTER_URLS)
def test_an_api_client_without_cookies_is_pinned_by_its_authorization(
    routed: Any,
) -> None:
    writer = Client(HTTP_AUTHORIZATION="Token writer-0123")
    writer.post("/test-router/read/")

    with Queries() as queries:
        Client(HTTP_AUTHORIZATION="Token writer-0123").get("/test-router/read/")
        Client(HTTP_AUTHORIZATION="Token someone-else").get("/test-router/read/")

    assert _table_queries(queries.on(DEFAULT_DB_ALIAS), "auth_group") == ["SELECT"]
    assert _table_queries(queries.on(REPLICA), "auth_group") == ["SELECT"]


@both_databases
@pytest.mark.urls(ROUTER_URLS)
def test_without_a_replica_nothing_changes(settings: Any, client: Client) -> None:
    settings.KEMBAR_READ_REPLICA = ""

    with Queries() as queries:
        response = client.get("/test-router/read-write-read/")

    assert response.json() == {"before": 0, "after": 1}
    assert queries.on(REPLICA) == []
    assert _table_queries(queries.on(DEFAULT_DB_ALIAS), "auth_group") == [
        "SELECT",
        "INSERT",
        "SELECT",
    ]
    assert PIN_COOKIE not in response.cookies


@both_databases
def test_outside_a_request_everything_uses_the_primary(routed: Any) -> None:
    with Queries() as queries:
        Group.objects.create(name="router-command")
        count = Group.objects.count()

    assert count == 1
    assert read_alias() == DEFAULT_DB_ALIAS
    assert queries.on(REPLICA) == []


@pytest.mark.parametrize(
    ("alias", "allowed"), [(DEFAULT_DB_ALIAS, True), (REPLICA, False)]
)
def test_migrations_run_on_the_primary_only(alias: str, allowed: bool) -> None:
    assert PrimaryReplicaRouter().allow_migrate(alias, "partnerships") is allowed


# --- a real replica ------------------------------------------------------------------------


def _real_replica() -> dict[str, Any]:
    # conftest.py moves DATABASE_REPLICA_URL here, out of the reach of the processes tests start.
    url = os.environ.get("KEMBAR_TEST_REPLICA_URL") or os.environ.get("DATABASE_REPLICA_URL", "")
    if not url:
        pytest.skip("no streaming replica: set DATABASE_REPLICA_URL (deploy/postgres-replica.sh)")
    if connections[DEFAULT_DB_ALIAS].vendor != "postgresql":
        pytest.skip("a streaming replica needs PostgreSQL; DATABASE_URL is not PostgreSQL")
    replica: dict[str, Any] = dict(dj_database_url.parse(url))
    try:
        with psycopg.connect(**_conninfo(replica, "postgres"), connect_timeout=3) as conn:
            in_recovery = conn.execute("SELECT pg_is_in_recovery()").fetchone()
    except psycopg.OperationalError as error:
        pytest.skip(f"DATABASE_REPLICA_URL does not answer: {error}")
    if in_recovery != (True,):
        pytest.skip("DATABASE_REPLICA_URL is not a standby (pg_is_in_recovery() is false)")
    return replica


def _conninfo(db: dict[str, Any], name: str) -> dict[str, Any]:
    return {
        "dbname": name,
        "user": db.get("USER") or "postgres",
        "password": db.get("PASSWORD") or None,
        "host": db.get("HOST") or "127.0.0.1",
        "port": db.get("PORT") or 5432,
        "autocommit": True,
    }


def _url(db: dict[str, Any], name: str) -> str:
    info = _conninfo(db, name)
    return (
        f"postgres://{info['user']}:{info['password'] or ''}@{info['host']}:{info['port']}/{name}"
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _call(
    opener: urllib.request.OpenerDirector, request: urllib.request.Request
) -> tuple[int, Any]:
    try:
        with opener.open(request, timeout=30) as response:
            return int(response.status), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return int(error.code), json.loads(error.read())


@pytest.fixture
def replica_server(tmp_path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    replica = _real_replica()
    primary = connections[DEFAULT_DB_ALIAS].settings_dict
    name = primary["NAME"]
    port = _free_port()
    env = {
        **{key: value for key, value in os.environ.items() if key != "REDIS_URL"},
        "DATABASE_URL": _url(primary, name),
        "DATABASE_REPLICA_URL": _url(replica, name),
        "KEMBAR_REPLICA_PIN_SECONDS": str(INTEGRATION_PIN_SECONDS),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "KEMBAR_PLAIN_STATIC": "true",
        "KEMBAR_VAR_DIR": str(tmp_path),
        "KEMBAR_LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", "--skip-checks",
         f"127.0.0.1:{port}"],
        cwd=django_settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=5).close()  # noqa: S310
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.2)
        # The server's first request started its data generation: every read goes to the
        # primary until that is older than the pin.
        time.sleep(INTEGRATION_PIN_SECONDS + 0.1)
        yield base, replica
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_a_client_reads_its_write_while_the_real_replica_is_behind(
    replica_server: tuple[str, dict[str, Any]], settings: Any
) -> None:
    base, replica = replica_server
    settings.KEMBAR_READ_REPLICA = "replica"  # the real one, DATABASE_REPLICA_URL
    UserFactory.create(username="siti")
    name = connections[DEFAULT_DB_ALIAS].settings_dict["NAME"]
    with psycopg.connect(**_conninfo(replica, name)) as standby:
        standby.execute("SELECT pg_wal_replay_pause()")
        try:
            writer = urllib.request.build_opener(
                urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
            )
            other = urllib.request.build_opener()
            status, body = _call(
                writer,
                urllib.request.Request(  # noqa: S310 (our own server)
                    f"{base}/api/v1/auth/token/",
                    data=json.dumps({"username": "siti", "password": PASSWORD}).encode(),
                    headers={"Content-Type": "application/json"},
                    method="POST",
                ),
            )
            assert status == 200
            me = urllib.request.Request(  # noqa: S310 (our own server)
                f"{base}/api/v1/auth/me/",
                headers={"Authorization": f"Token {body['token']}", "Accept-Language": "en"},
            )

            # Someone else's read goes to the replica, which has not replayed the token yet ...
            assert _call(other, me) == (403, {"detail": "Invalid token."})
            # ... while the client that wrote it reads from the primary.
            status, who = _call(writer, me)
            assert (status, who["username"]) == (200, "siti")
            paused_at = time.time()
            assert not _replica_has_replayed(paused_at)
        finally:
            standby.execute("SELECT pg_wal_replay_resume()")

        # Once the replica has caught up, everyone reads the token there, and a pin ends
        # as soon as the replica has replayed a commit made after the write it protects.
        deadline = time.monotonic() + 10
        while _call(other, me)[0] != 200:
            assert time.monotonic() < deadline, "the replica did not catch up within 10 s"
            time.sleep(0.1)
        UserFactory.create(username="budi")
        while not _replica_has_replayed(paused_at):
            assert time.monotonic() < deadline, "the replica did not replay within 10 s"
            time.sleep(0.1)

