"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from django.core.management import call_command


@pytest.fixture(scope="session")
def reference_db(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[None]:
    """The full shipped reference data, loaded once into the test database.

    Tests that ask for it see real regions, cities, the twin-town network and
    Semarang's partnerships; each test still runs in its own transaction.
    """
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        call_command("load_reference", verbosity=0)
    yield


#: The streaming replica's address when the run has one (kembar/core/tests/test_db_router.py).
REPLICA_URL_KEY = "KEMBAR_TEST_REPLICA_URL"


@pytest.fixture(scope="session", autouse=True)
def _replica_address_kept_from_children() -> None:
    """Processes the tests start read the test database only, never the replica's copy.

    ``DATABASE_REPLICA_URL`` names the replica's database as the run was given it, not the
    test database pytest-django makes; a server started by a test would read another
    database there.  The settings have read it by now; the router's integration test
    finds it under ``KEMBAR_TEST_REPLICA_URL``.
    """
    url = os.environ.pop("DATABASE_REPLICA_URL", "")
    if url:
        os.environ[REPLICA_URL_KEY] = url


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the tests on the full reference data last.

    The reference data is committed to the test database once; tests before
    it (including pytest-django's transactional ones, which it orders after
    the others) then never see it, and build exactly the rows they assert on.
    """
    items.sort(key=lambda item: "reference_db" in getattr(item, "fixturenames", ()))


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in the site's default language, whatever the one before it used."""
    from django.utils import translation

    translation.activate("id")
    yield
    translation.activate("id")


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """Each test starts with an empty cache: API rate counts (throttles) do not carry over."""
    from django.core.cache import cache

    cache.clear()
    yield
