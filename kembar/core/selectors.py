from __future__ import annotations

import logging
import sqlite3
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from redis.exceptions import RedisError

if TYPE_CHECKING:
    from huey import Huey

logger = logging.getLogger(__name__)

#: How long the health check waits for the database before calling it down.
#: A monitor polls every few seconds; a check that waits as long as a request
#: would (20 s on SQLite) tells it nothing in time.
HEALTH_TIMEOUT_SECONDS = 1.0

# A real table, so that the query reads the database file or the server's
# catalogue: ``SELECT 1`` answers without touching either.
_PROBE_SQL = "SELECT COUNT(*) FROM django_migrations"


def database_status(
    alias: str = DEFAULT_DB_ALIAS, *, timeout: float = HEALTH_TIMEOUT_SECONDS
) -> bool:
    """True if the database answers a query on a real table within ``timeout`` seconds."""
    connection = connections[alias]
    try:
        if connection.vendor == "sqlite" and not connection.is_in_memory_db():  # type: ignore[attr-defined]
            return _sqlite_file_answers(Path(connection.settings_dict["NAME"]), timeout)
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # Bounds lock waits too, e.g. behind an ACCESS EXCLUSIVE lock.
                cursor.execute("SET LOCAL statement_timeout = %s", [int(timeout * 1000)])
            cursor.execute(_PROBE_SQL)
            cursor.fetchone()
    except DatabaseError:
        logger.exception("database %s is unreachable", alias)
        return False
    return True


def _sqlite_file_answers(path: Path, timeout: float) -> bool:
    """Query the SQLite file read-only with a short busy timeout.

    A separate connection: Django's would create a missing file (an empty
    database that answers ``SELECT 1`` happily), and its connection setup
    waits the full request timeout behind a lock before any query runs.
    """
    if not path.is_file():
        logger.error("database file %s does not exist", path)
        return False
    try:
        probe = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=timeout)
        try:
            probe.execute(_PROBE_SQL).fetchone()
        finally:
            probe.close()
    except sqlite3.Error:
        logger.exception("database file %s does not answer", path)
        return False
    return True


#: A readiness check reports "ok" or "error: <kind of error>"; what went wrong in detail (hosts,
#: ports, paths) goes to the log only, since the endpoint is public.
OK = "ok"
# What a cache or queue backend raises when its server or file is unreachable: Redis'
# errors, the SQLite queue's and the file cache's, and socket errors underneath them.
_BACKEND_ERRORS = (RedisError, sqlite3.Error, OSError)


def _failure(what: str, exc: BaseException) -> str:
    logger.error("%s is not ready: %s", what, exc)
    return f"error: {type(exc).__name__}"


def cache_status(alias: str = "default") -> str:
    """``"ok"`` if the cache stores a value and gives it back, else the kind of error."""
    cache = caches[alias]
    key = f"kembar:readyz:{uuid.uuid4().hex}"
    try:
        cache.set(key, OK, timeout=10)
        answer = cache.get(key)
        cache.delete(key)
    except _BACKEND_ERRORS as exc:
        return _failure(f"cache {alias}", exc)
    if answer != OK:
        logger.error("cache %s did not give back the value it was given", alias)
        return "error: value not kept"
    return OK


def queue_status(huey: Huey | None = None) -> str:
    """``"ok"`` if the task queue's storage answers (nothing is enqueued), else the error."""
    if huey is None:
        from huey.contrib.djhuey import HUEY

        huey = HUEY
    try:
        huey.storage.queue_size()
    except _BACKEND_ERRORS as exc:
        return _failure("task queue", exc)
    return OK


# How far the replica is behind the primary, in seconds, as the replica alone can tell.
# Streaming and caught up with what it received: 0.  Otherwise (replay behind what arrived,
# or no WAL receiver, so that nothing arrives) the time since the last transaction it
# replayed was committed: on a quiet primary that overstates the lag of a replica that lost
# its stream, which is what should be reported.  On a server that is not a standby: 0.
_REPLICA_LAG_SQL = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()
         AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver) THEN 0
    ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp())
END
"""


def replica_lag_seconds(alias: str, *, timeout: float = HEALTH_TIMEOUT_SECONDS) -> float | None:
    """How many seconds the read replica ``alias`` is behind (PostgreSQL); None if unknown."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return None
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = %s", [int(timeout * 1000)])
        cursor.execute(_REPLICA_LAG_SQL)
        row = cursor.fetchone()
    return None if row is None or row[0] is None else float(row[0])


def replica_status(alias: str, *, max_lag: float, timeout: float = HEALTH_TIMEOUT_SECONDS) -> str:
    """``"ok"``, ``"error: unreachable"`` or ``"error: lagging"`` (more than ``max_lag`` s)."""
    if not database_status(alias, timeout=timeout):
        return "error: unreachable"
    try:
        lag = replica_lag_seconds(alias, timeout=timeout)
    except DatabaseError:
        logger.exception("read replica %s did not tell its lag", alias)
        return "error: unreachable"
    if lag is not None and lag > max_lag:
        logger.error("read replica %s is %.1f s behind (limit %s s)", alias, lag, max_lag)
        return "error: lagging"
    return OK


def readiness() -> dict[str, str]:
    """Each dependency a request or a job needs, ``"ok"`` or the kind of error.

    With a read replica configured, ``"replica"`` too: see :func:`ready` for what it weighs.
    """
    checks = {
        "database": OK if database_status() else "error: unreachable",
        "cache": cache_status(),
        "queue": queue_status(),
    }
    replica = str(getattr(settings, "KEMBAR_READ_REPLICA", "") or "")
    if replica:
        checks["replica"] = replica_status(
            replica, max_lag=float(settings.KEMBAR_REPLICA_MAX_LAG_SECONDS)
        )
    return checks


#: Checks whose failure leaves the instance serving, with less: reads fall back to the
#: primary when the replica is unreachable (kembar.core.db_router), and a lagging replica
#: still serves (each client's own writes are read from the primary).
DEGRADING = frozenset({"replica"})


def ready(checks: dict[str, str]) -> str:
    """``"ok"``, ``"degraded"`` (only a :data:`DEGRADING` check failed) or ``"error"``."""
    failed = {name for name, value in checks.items() if value != OK}
    if not failed:
        return OK
    return "degraded" if failed <= DEGRADING else "error"
