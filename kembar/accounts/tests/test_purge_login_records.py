from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

pytestmark = pytest.mark.django_db


def records(days_ago: int) -> None:
    moment = timezone.now() - dt.timedelta(days=days_ago)
    common = {"username": f"u{days_ago}", "ip_address": "203.0.113.7"}
    rows = [
        AccessAttempt.objects.create(**common, failures_since_start=1),
        AccessLog.objects.create(**common),
        AccessFailureLog.objects.create(**common),
    ]
    for row in rows:
        type(row).objects.filter(pk=row.pk).update(attempt_time=moment)


def remaining() -> list[int]:
    return [m.objects.count() for m in (AccessAttempt, AccessLog, AccessFailureLog)]


def purge(*args: str) -> str:
    out = StringIO()
    call_command("purge_login_records", *args, stdout=out)
    return out.getvalue()


def test_purge_keeps_the_retention_period_and_is_idempotent() -> None:
    records(days_ago=120)
    records(days_ago=91)
    records(days_ago=89)

    first = purge()
    second = purge()

    assert first == (
        "Deleted sign-in records older than 90 days: 2 attempts, 2 sign-in logs, 2 failure logs.\n"
    )
    assert second == (
        "Deleted sign-in records older than 90 days: 0 attempts, 0 sign-in logs, 0 failure logs.\n"
    )
    assert remaining() == [1, 1, 1]
    assert AccessLog.objects.get().username == "u89"


def test_purge_days_option_and_setting(settings: Any) -> None:
    records(days_ago=40)
    records(days_ago=10)
    settings.KEMBAR_LOGIN_RECORD_DAYS = 30

    purge()
    assert remaining() == [1, 1, 1]
    purge("--days", "5")
    assert remaining() == [0, 0, 0]


def test_purge_refuses_zero_days() -> None:
    records(days_ago=1)

    with (
        translation.override("en"),
        pytest.raises(CommandError, match=r"Keep sign-in records for at least one day\."),
    ):
        purge("--days", "0")

    assert remaining() == [1, 1, 1]
