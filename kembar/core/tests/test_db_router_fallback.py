"""A read replica that cannot be reached: reads go to the primary, and back once it answers.

The replica is an alias no database answers (``replica_aliases.DOWN``); the requests are
real, through the test client, and which connection ran the query shows where it went.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from kembar.common import public_cache
from kembar.core.tests.replica_aliases import (  # noqa: F401 (a fixture, used by name)
    DOWN,
    MIRROR,
    mirror_settings,
    replica_aliases,
)

# Transactional: a plain test case would open a transaction on the replica it cannot reach.
pytestmark = [
    pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, DOWN, MIRROR]),
    pytest.mark.usefixtures("replica_aliases"),
    pytest.mark.urls("kembar.core.tests.db_router_urls"),
]
# A view that only reads (test_db_router.py's), and is neither cached nor throttled.
READ = "/test-router/read/"
TABLE = '"auth_group"'


@pytest.fixture
def routed_to_down(settings: Any) -> Any:
    """Reads routed to the unreachable replica; public data last changed a minute ago."""
    settings.KEMBAR_READ_REPLICA = DOWN
    settings.KEMBAR_REPLICA_PIN_SECONDS = 5
    settings.KEMBAR_REPLICA_RETRY_SECONDS = 60
    cache.set(public_cache.GENERATION_KEY, ("fallback-test", time.time() - 60), timeout=None)
    return settings


def _reads(alias: str, client: Client) -> tuple[int, list[str]]:
    """The status of a read, and its queries of the table on ``alias``."""
    with CaptureQueriesContext(connections[alias]) as captured:
        response = client.get(READ)
    return response.status_code, [q["sql"] for q in captured if TABLE in q["sql"]]


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage().split(":")[0]
        for record in caplog.records
        if record.name == "kembar.core.db_router"
    ]


def test_reads_fall_back_to_the_primary_and_the_replica_is_not_retried_at_once(
    routed_to_down: Any, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="kembar.core.db_router")
    routed_to_down.KEMBAR_REPLICA_RETRY_SECONDS = 0  # whatever an earlier test left
    first = _reads(DEFAULT_DB_ALIAS, client)
    routed_to_down.KEMBAR_REPLICA_RETRY_SECONDS = 60
    second = _reads(DEFAULT_DB_ALIAS, client)

    assert first[0] == second[0] == 200
    assert len(first[1]) == len(second[1]) == 1
    assert first[1][0].startswith("SELECT")
    # One failed connection, then the primary for KEMBAR_REPLICA_RETRY_SECONDS: no wait for
    # a dead server on every request.
    assert _warnings(caplog) == [
        f"read replica {DOWN} is unreachable, reading from the primary for 0.0 s"
    ]
    assert connections[DOWN].connection is None


def test_reads_return_to_the_replica_once_it_answers(routed_to_down: Any, client: Client) -> None:
    routed_to_down.KEMBAR_REPLICA_RETRY_SECONDS = 0
    assert _reads(DEFAULT_DB_ALIAS, client)[0] == 200

    # The replica comes back (here: the alias now reaches the test database).
    connections[DOWN].close()
    saved = dict(connections[DOWN].settings_dict)
    connections[DOWN].settings_dict.update(mirror_settings())
    try:
        with CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_primary:
            status, on_replica = _reads(DOWN, client)
    finally:
        connections[DOWN].close()
        connections[DOWN].settings_dict.clear()
        connections[DOWN].settings_dict.update(saved)

    assert status == 200
    assert len(on_replica) == 1
    assert [q["sql"] for q in on_primary if TABLE in q["sql"]] == []


def test_with_the_cache_unreachable_reads_go_to_the_primary_and_the_site_serves(
    settings: Any, client: Client
) -> None:
    settings.KEMBAR_READ_REPLICA = MIRROR  # a replica that answers
    unreachable = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }

    with (
        override_settings(CACHES=unreachable),
        CaptureQueriesContext(connections[MIRROR]) as on_replica,
    ):
        status, on_primary = _reads(DEFAULT_DB_ALIAS, client)

    # Without the data generation the replica may hold older public data than the cache
    # last announced: the primary answers.
    assert status == 200
    assert len(on_primary) == 1
    assert [q["sql"] for q in on_replica if TABLE in q["sql"]] == []
