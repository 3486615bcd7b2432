"""Working-day arithmetic for legal deadlines (the council's 45 working days)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Container

__all__ = ["add_working_days"]


def add_working_days(
    start: dt.date, days: int, *, holidays: Container[dt.date] = frozenset()
) -> dt.date:
    """The date ``days`` working days after ``start`` (Monday to Friday, minus holidays).

    ``start`` itself does not count, as a deadline runs from the day after a
    letter is received.

    >>> add_working_days(dt.date(2026, 11, 27), 1)  # a Friday
    datetime.date(2026, 11, 30)
    >>> add_working_days(dt.date(2026, 1, 1), 45)
    datetime.date(2026, 3, 5)
    """
    if days < 0:
        raise ValueError(f"days must be 0 or more, not {days}")
    current = start
    remaining = days
    while remaining:
        current += dt.timedelta(days=1)
        if current.weekday() < 5 and current not in holidays:
            remaining -= 1
    return current
