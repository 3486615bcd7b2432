from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction

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
