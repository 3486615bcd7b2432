"""Fixtures shared by the whole suite."""

from __future__ import annotations

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
