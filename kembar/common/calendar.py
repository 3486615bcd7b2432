"""Working-day arithmetic for legal deadlines (the council's 45 working days).

Days off in Indonesia are the national public holidays (hari libur nasional)
and the joint leave days (cuti bersama) that a yearly joint decree of three
ministers (SKB 3 Menteri) sets for the civil service.  Both come from the
``holidays`` package (``country_holidays("ID")``, categories ``public`` and
``government``), which follows each year's decree; corrections (a revised
decree, a day added or moved) are passed in as overrides, which the
application keeps in a table an administrator edits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Container, Mapping

import holidays

__all__ = ["IndonesianDaysOff", "add_working_days"]


class IndonesianDaysOff(Container[dt.date]):
    """The days off in Indonesia, as a container of dates for :func:`add_working_days`.

    ``overrides`` maps a date to ``True`` (a day off the package does not
    know) or ``False`` (a working day after all: a holiday the decree removed
    or moved).  Years are looked up when first asked for.

    >>> days_off = IndonesianDaysOff()
    >>> dt.date(2026, 3, 20) in days_off  # cuti bersama Idul Fitri 1447 H
    True
    >>> dt.date(2026, 3, 20) in IndonesianDaysOff(overrides={dt.date(2026, 3, 20): False})
    False
    """

    def __init__(self, *, overrides: Mapping[dt.date, bool] | None = None) -> None:
        self._overrides = dict(overrides or {})
        self._years: dict[int, frozenset[dt.date]] = {}

    def _year(self, year: int) -> frozenset[dt.date]:
        if year not in self._years:
            days = holidays.country_holidays(
                "ID", years=year, categories=(holidays.PUBLIC, holidays.GOVERNMENT)
            )
            self._years[year] = frozenset(days)
        return self._years[year]

    def __contains__(self, day: object) -> bool:
        if not isinstance(day, dt.date):
            return False
        if day in self._overrides:
            return self._overrides[day]
        return day in self._year(day.year)


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
