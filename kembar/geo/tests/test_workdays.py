"""Deadlines in working days skip Indonesian public holidays and joint leave (cuti bersama)."""

from __future__ import annotations

import datetime as dt

import pytest

from kembar.common.calendar import IndonesianDaysOff, add_working_days
from kembar.geo.models import CalendarDay
from kembar.geo.workdays import working_days_after

# 2026: Isra Mikraj 16 Jan; Imlek 17 Feb (cuti bersama 16 Feb); Nyepi 19 Mar (cuti bersama
# 18 Mar); Idul Fitri 21-22 Mar, a weekend (cuti bersama 20, 23, 24 Mar); Good Friday 3 Apr;
# Labour Day 1 May; Ascension 14 May (cuti bersama 15 May).
IDUL_FITRI_2026 = [dt.date(2026, 3, day) for day in (18, 19, 20, 23, 24)]


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        # The council's 45 working days across Nyepi and Idul Fitri 2026: seven weekdays
        # off (18, 19, 20, 23, 24 March, 3 April, 1 May), so 13 May instead of 4 May.
        (dt.date(2026, 3, 2), 45, dt.date(2026, 5, 13)),
        # From 1 January 2026: 1 and 16 January, 16 and 17 February are days off.
        (dt.date(2026, 1, 1), 45, dt.date(2026, 3, 10)),
        # A week before Idul Fitri: the five days off push a five-day span by a week.
        (dt.date(2026, 3, 16), 5, dt.date(2026, 3, 30)),
        # 2025: Idul Fitri 31 March and 1 April, cuti bersama 2, 3, 4 and 7 April.
        (dt.date(2025, 3, 28), 1, dt.date(2025, 4, 8)),
    ],
)
def test_working_days_skip_holidays_and_joint_leave(
    start: dt.date, days: int, due: dt.date
) -> None:
    assert add_working_days(start, days, holidays=IndonesianDaysOff()) == due


def test_every_idul_fitri_2026_day_off_is_known() -> None:
    days_off = IndonesianDaysOff()
    assert [day for day in IDUL_FITRI_2026 if day in days_off] == IDUL_FITRI_2026
    assert dt.date(2026, 3, 25) not in days_off


@pytest.mark.django_db
def test_the_administrators_corrections_count() -> None:
    assert working_days_after(dt.date(2026, 3, 2), 45) == dt.date(2026, 5, 13)
    # A revised decree moves a joint leave day: 20 March worked, 12 May off instead.
    CalendarDay.objects.create(
        date=dt.date(2026, 3, 20),
        kind=CalendarDay.Kind.WORKING_DAY,
        name_id="Cuti bersama dibatalkan",
        source="SKB revisi (uji)",
    )
    CalendarDay.objects.create(
        date=dt.date(2026, 5, 12),
        kind=CalendarDay.Kind.JOINT_LEAVE,
        name_id="Cuti bersama pengganti",
        source="SKB revisi (uji)",
    )
    assert working_days_after(dt.date(2026, 3, 2), 45) == dt.date(2026, 5, 13)
    CalendarDay.objects.filter(date=dt.date(2026, 5, 12)).delete()
    assert working_days_after(dt.date(2026, 3, 2), 45) == dt.date(2026, 5, 12)
