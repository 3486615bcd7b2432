"""The learning measures on hand-computed rows, edge cases and the refusals."""

from __future__ import annotations

import datetime as dt

import pytest

from kembar.analytics.exceptions import InvalidInput
from kembar.analytics.learning import (
    ActivityRow,
    LessonRow,
    PolicyRow,
    learning_by_year,
    learning_measures,
    quantile,
)

TODAY = dt.date(2025, 6, 30)
ACTIVITIES = [
    ActivityRow(1, dt.date(2025, 3, 3), "accepted"),
    ActivityRow(2, dt.date(2025, 5, 1), "submitted"),
    ActivityRow(3, dt.date(2025, 6, 10), None),
    ActivityRow(4, dt.date(2025, 4, 1), "returned"),
    ActivityRow(5, dt.date(2025, 5, 31), "returned"),  # deadline 2025-06-30: still due
]
LESSONS = [
    LessonRow(10, 1, dt.date(2025, 3, 13), "adopted"),
    LessonRow(11, 2, dt.date(2025, 5, 31), "dropped"),
    LessonRow(12, 2, None, "open"),
    LessonRow(13, 2, None, None),
    LessonRow(14, 99, dt.date(2025, 1, 1), "adopted"),  # another activity: left out
]
POLICIES = [
    PolicyRow(20, dt.date(2025, 6, 1), "Brisbane", ("Education",)),
    PolicyRow(21, dt.date(2025, 4, 15), "Brisbane", ("Trade", "Education", "Trade")),
    PolicyRow(22, dt.date(2025, 4, 15), "", ()),
]


def test_every_measure_exactly() -> None:
    m = learning_measures(ACTIVITIES, LESSONS, POLICIES, today=TODAY)
    assert (m.completed, m.lessons, m.lessons_per_activity) == (5, 4, 0.8)
    assert (m.reflected, m.due, m.missing) == (2, 2, 1)
    assert (m.reviewed, m.median_days, m.p90_days) == (2, 20.0, 28.0)
    assert (m.applied, m.adopted, m.open, m.dropped, m.applied_share) == (3, 1, 1, 1, 0.75)
    assert m.policies == 3
    assert m.policies_by_partnership == (("Brisbane", 2), ("", 1))
    assert m.policies_by_sector == (("Education", 2), ("", 1), ("Trade", 1))


def test_no_rows_gives_none_not_zero_division() -> None:
    m = learning_measures([], [], [], today=TODAY)
    assert (m.completed, m.lessons_per_activity, m.share(0), m.applied_share) == (
        0,
        None,
        None,
        None,
    )
    assert (m.median_days, m.p90_days, m.policies_by_sector) == (None, None, ())


def test_a_repeated_activity_counts_once() -> None:
    m = learning_measures([ACTIVITIES[0], ACTIVITIES[0]], [], [], today=TODAY)
    assert (m.completed, m.reflected) == (1, 1)


def test_by_year() -> None:
    rows = [*ACTIVITIES, ActivityRow(6, dt.date(2024, 11, 1))]
    lessons = [*LESSONS, LessonRow(15, 6, dt.date(2024, 12, 21), None)]
    years = learning_by_year(rows, lessons, POLICIES, today=TODAY)
    assert sorted(years) == [2024, 2025]
    assert (years[2024].completed, years[2024].lessons, years[2024].median_days) == (1, 1, 50.0)
    assert (years[2024].missing, years[2024].policies) == (1, 0)
    assert (years[2025].completed, years[2025].lessons, years[2025].policies) == (5, 4, 3)


@pytest.mark.parametrize(
    ("values", "p", "expected"),
    [([5], 0.9, 5.0), ([10, 30], 0.5, 20.0), ([10, 30], 0.9, 28.0), ([3, 1, 2], 0.0, 1.0)],
)
def test_quantile(values: list[float], p: float, expected: float) -> None:
    assert quantile(values, p) == expected


def test_refusals() -> None:
    with pytest.raises(InvalidInput, match="p must lie in"):
        quantile([1.0], 1.5)
    with pytest.raises(InvalidInput, match="unknown lesson outcome 'won'"):
        learning_measures(ACTIVITIES, [LessonRow(1, 1, None, "won")], [], today=TODAY)
