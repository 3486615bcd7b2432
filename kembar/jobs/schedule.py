"""Periodic schedules in the site's time zone.

Huey runs its clock in UTC (``HUEY["utc"]``); an office thinks in local
hours, so a daily task is written as "07:00 in ``TIME_ZONE``" (Asia/Jakarta
by default) and this module turns each UTC minute into local time before it
is compared with the crontab.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.conf import settings
from huey import crontab

__all__ = ["local_crontab"]


def local_crontab(
    *, minute: str = "*", hour: str = "*", day: str = "*", day_of_week: str = "*"
) -> Callable[[dt.datetime], bool]:
    """A huey schedule that matches the crontab fields in ``settings.TIME_ZONE``.

    The function receives the naive UTC minute huey checks, as huey's own
    ``crontab`` does.  ``local_crontab(hour="7", minute="0")`` runs at 07:00
    WIB, which is 00:00 UTC:

    >>> import datetime as dt
    >>> daily = local_crontab(hour="7", minute="0")
    >>> daily(dt.datetime(2026, 1, 5, 0, 0)), daily(dt.datetime(2026, 1, 5, 7, 0))
    (True, False)
    """
    matches = crontab(minute=minute, hour=hour, day=day, day_of_week=day_of_week, strict=True)

    def validate(timestamp: dt.datetime) -> bool:
        local = timestamp.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(settings.TIME_ZONE))
        return bool(matches(local.replace(tzinfo=None)))

    validate.crontab = {  # type: ignore[attr-defined]
        "minute": minute,
        "hour": hour,
        "day": day,
        "day_of_week": day_of_week,
        "time_zone": settings.TIME_ZONE,
    }
    return validate
