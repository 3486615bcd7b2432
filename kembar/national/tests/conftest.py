"""Fixtures of the national tests: the small record of :mod:`.record`, as of its day."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from kembar.national.refresh import national_refresh
from kembar.national.tests.record import AS_OF, Record, build_record


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> dt.date:
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: AS_OF)
    return AS_OF


@pytest.fixture
def record(today: dt.date, db: Any) -> Record:
    """The record with its national summaries computed."""
    made = build_record()
    national_refresh()
    # The record's own writes wait for a commit that never comes (the test's transaction is
    # rolled back); dropped, so that a test sees only the callbacks of the writes it makes.
    connection.run_on_commit.clear()
    return made
