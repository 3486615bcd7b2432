"""Database aliases standing in for a read replica: one that answers, one that cannot be reached.

``MIRROR`` reads the test database through a second connection, as a replica that is
caught up would; ``DOWN`` points where no database answers (a closed port, a missing
file).  Both are marked as mirrors of ``default``, so that the test framework neither
flushes them nor, in a transactional test, opens transactions on them.  Tests naming
``DOWN`` in their ``databases`` must be transactional: a plain test case opens an atomic
block on every database it names, and ``DOWN`` cannot be connected to.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import DEFAULT_DB_ALIAS, connections

MIRROR = "replica_mirror_ok"
DOWN = "replica_down"


def mirror_settings() -> dict[str, Any]:
    """The test database's settings for a second, read-only connection to it."""
    replica = copy.deepcopy(connections[DEFAULT_DB_ALIAS].settings_dict)
    replica["TEST"]["MIRROR"] = DEFAULT_DB_ALIAS
    replica["OPTIONS"].pop("pool", None)
    if connections[DEFAULT_DB_ALIAS].vendor == "sqlite":
        # As in test_db_router.py: the in-memory database is shared with table locks; a
        # reader takes neither the primary's write lock nor read locks that block its writes.
        replica["OPTIONS"].pop("transaction_mode", None)
        replica["OPTIONS"]["init_command"] = "PRAGMA read_uncommitted = 1;"
    return replica


def down_settings(missing_dir: str) -> dict[str, Any]:
    """Settings of the test database's engine that no database answers."""
    replica = mirror_settings()
    if connections[DEFAULT_DB_ALIAS].vendor == "sqlite":
        replica["NAME"] = f"{missing_dir}/no-such-dir/replica.sqlite3"
        replica["OPTIONS"] = {}
    else:
        # Nothing listens on port 1: the connection is refused at once.
        replica.update({"HOST": "127.0.0.1", "PORT": "1"})
    return replica


@pytest.fixture(scope="module")
def replica_aliases(
    django_db_setup: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """Adds ``MIRROR`` and ``DOWN`` to the connections for the tests of a module."""
    missing = str(tmp_path_factory.mktemp("replica-down"))
    connections.settings[MIRROR] = mirror_settings()
    connections.settings[DOWN] = down_settings(missing)
    try:
        yield
    finally:
        for alias in (MIRROR, DOWN):
            connections[alias].close()
            del connections[alias]
            del connections.settings[alias]
