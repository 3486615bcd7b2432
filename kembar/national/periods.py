"""Reporting periods of the implementation report to the Minister (PP 28/2018 Pasal 43).

Pasal 43 asks the regional head to report the implementation of cooperation with
regional governments abroad to the Minister of Home Affairs; the project's design
notes, its glossary and the lifecycle data give no date for it.  Kembar assumes what other
annual reports of regional government do (the LPPD of PP 13/2019: three months
after the year): the period is a calendar year and its report is due on
31 March of the next year.  An operator changes the day with
``KEMBAR_NATIONAL_REPORT_DUE`` (``MM-DD``, default ``03-31``); a recorded report
keeps the deadline it was recorded under.

A report's status for a period:

- ``on_time``: sent on or before the deadline;
- ``late``: sent after it;
- ``missing``: expected, not sent, and the deadline has passed;
- ``pending``: expected, not sent, the deadline still ahead;
- ``None``: nothing expected (no partnership that had not ended and no activity
  in the year) and nothing sent.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

__all__ = [
    "REPORT_STATUSES",
    "latest_due_period",
    "report_due_on",
    "report_status",
]

#: The statuses in words (``None`` has no entry: nothing is expected).
REPORT_STATUSES: dict[str, Promise] = {
    "on_time": _("on time"),
    "late": _("late"),
    "missing": _("missing"),
    "pending": _("not yet due"),
}


def _due_month_day() -> tuple[int, int]:
    text = str(getattr(settings, "KEMBAR_NATIONAL_REPORT_DUE", "03-31"))
    try:
        month, day = (int(part) for part in text.split("-"))
        dt.date(2001, month, day)  # a day every year has (not 29 February)
    except ValueError:
        raise ImproperlyConfigured(
            f"KEMBAR_NATIONAL_REPORT_DUE must be MM-DD, e.g. 03-31, not {text!r}"
        ) from None
    return month, day


def report_due_on(year: int) -> dt.date:
    """The deadline of the report for ``year``: the due day of the next year.

    >>> report_due_on(2024)
    datetime.date(2025, 3, 31)
    """
    month, day = _due_month_day()
    return dt.date(year + 1, month, day)


def latest_due_period(today: dt.date) -> int:
    """The latest period whose report was due by ``today``.

    >>> latest_due_period(dt.date(2025, 3, 31)), latest_due_period(dt.date(2025, 3, 30))
    (2024, 2023)
    """
    year = today.year - 1
    return year if report_due_on(year) <= today else year - 1


def report_status(
    *, expected: bool, sent_on: dt.date | None, due_on: dt.date, today: dt.date
) -> str | None:
    """The status of one region's report for one period (see the module).

    >>> due = dt.date(2025, 3, 31)
    >>> report_status(expected=True, sent_on=dt.date(2025, 3, 31), due_on=due, today=due)
    'on_time'
    >>> report_status(expected=False, sent_on=dt.date(2025, 4, 1), due_on=due, today=due)
    'late'
    >>> report_status(expected=True, sent_on=None, due_on=due, today=dt.date(2025, 4, 1))
    'missing'
    >>> report_status(expected=True, sent_on=None, due_on=due, today=due)
    'pending'
    >>> report_status(expected=False, sent_on=None, due_on=due, today=dt.date(2026, 1, 1)) is None
    True
    """
    if sent_on is not None:
        return "on_time" if sent_on <= due_on else "late"
    if not expected:
        return None
    return "missing" if today > due_on else "pending"
