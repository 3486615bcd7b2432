"""Deadlines in working days on Indonesia's calendar, with the administrator's corrections."""

from __future__ import annotations

import datetime as dt

from kembar.common.calendar import IndonesianDaysOff, add_working_days
from kembar.geo.models import CalendarDay

__all__ = ["days_off", "working_days_after"]


def days_off() -> IndonesianDaysOff:
    """Public holidays and joint leave days, corrected by the rows of :class:`CalendarDay`."""
    overrides = {
        day: kind != CalendarDay.Kind.WORKING_DAY
        for day, kind in CalendarDay.objects.values_list("date", "kind")
    }
    return IndonesianDaysOff(overrides=overrides)


def working_days_after(start: dt.date, days: int) -> dt.date:
    """The date ``days`` working days after ``start``, skipping weekends and days off.

    ``start`` does not count (a deadline runs from the day after a letter arrives).
    """
    return add_working_days(start, days, holidays=days_off())
