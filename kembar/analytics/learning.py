"""Learning measures: how much the cooperation teaches the city and what it changes.

Pure functions over plain rows (no Django): :class:`ActivityRow` for each
completed activity, :class:`LessonRow` for each lesson drawn from one,
:class:`PolicyRow` for each policy adopted.  :func:`learning_measures`
computes, for the rows given:

**Completed activities** :math:`A` (the caller chooses which: a region, a
year, with or without demonstration records).

**Lessons per completed activity**: :math:`\\ell = |L| / |A|` with :math:`L`
the lessons (draft or reviewed) whose source activity is in :math:`A`;
``None`` when :math:`A` is empty.

**Reflections**: every completed activity is in exactly one of three states
on the day ``today``:

- *reflected*: its reflection is ``submitted`` or ``accepted``;
- *due*: not reflected (none yet, or returned for changes) and
  ``today <= end + 30 days`` (the reflection's deadline has not passed);
- *missing*: not reflected and the deadline has passed.

The shares are counts divided by :math:`|A|` (they add up to 1).

**Days to review**: for each *reviewed* lesson of :math:`L`, :math:`d =`
(day the lesson was reviewed) − (end date of its activity), in days.
The median and the 90th percentile of :math:`d`, by linear interpolation
between order statistics (Hyndman & Fan's definition 7, NumPy's default):
with :math:`d_{(1)} \\le \\dots \\le d_{(n)}` and :math:`h = (n - 1) p`,
:math:`Q(p) = d_{(\\lfloor h \\rfloor + 1)} + (h - \\lfloor h \\rfloor)
(d_{(\\lfloor h \\rfloor + 2)} - d_{(\\lfloor h \\rfloor + 1)})`.
``None`` without reviewed lessons.

**Lessons applied**: the lessons of :math:`L` with at least one follow-up,
with their outcome: ``adopted`` when a follow-up ended in a policy, else
``open`` when one is still open, else ``dropped``.  The share applied is
:math:`|L_{applied}| / |L|`.

**Policies adopted** (the caller chooses which: a region, a year): counted
per partnership and per sector.  A policy names at most one partnership
(``""`` when none) but may come from activities and lessons of several
sectors: it counts once in *each* of its sectors (``""`` when none), so the
sector counts may add up to more than the number of policies.

**By year**: the same measures for each year of the activities' end date
(lessons and reflections follow their activity) and of the policies'
adoption date.

Reference: Kolb, D. A. (1984), *Experiential Learning*, the cycle the
follow-up stages follow; Hyndman, R. J. and Fan, Y. (1996), "Sample
quantiles in statistical packages", *The American Statistician* 50(4).

Example
-------
>>> import datetime as dt
>>> activities = [
...     ActivityRow(1, dt.date(2025, 1, 10), "accepted"),
...     ActivityRow(2, dt.date(2025, 3, 1), None),
... ]
>>> lessons = [LessonRow(1, 1, dt.date(2025, 1, 30), "adopted")]
>>> m = learning_measures(activities, lessons, [], today=dt.date(2025, 3, 15))
>>> m.completed, m.lessons, m.lessons_per_activity, m.reflected, m.due, m.missing
(2, 1, 0.5, 1, 1, 0)
>>> m.median_days, m.applied, m.adopted
(20.0, 1, 1)
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from kembar.analytics.exceptions import InvalidInput

__all__ = [
    "REFLECTION_DAYS",
    "ActivityRow",
    "LearningMeasures",
    "LessonRow",
    "PolicyRow",
    "learning_by_year",
    "learning_measures",
    "quantile",
]

#: Days after an activity's end within which its reflection is due.
REFLECTION_DAYS = 30
#: Reflection states that count as reflected.
REFLECTED = frozenset({"submitted", "accepted"})
#: Outcomes of a lesson applied.
OUTCOMES = ("adopted", "open", "dropped")


@dataclass(frozen=True, slots=True)
class ActivityRow:
    """A completed activity: its id, end date and reflection status (``None``: none yet)."""

    activity: int
    end: dt.date
    reflection: str | None = None


@dataclass(frozen=True, slots=True)
class LessonRow:
    """A lesson: its id, its source activity, the day it was reviewed, its follow-up outcome.

    ``reviewed`` is ``None`` for a draft; ``outcome`` is ``None`` when the
    lesson was never applied, else one of ``adopted``, ``open``, ``dropped``.
    """

    lesson: int
    activity: int | None
    reviewed: dt.date | None = None
    outcome: str | None = None


@dataclass(frozen=True, slots=True)
class PolicyRow:
    """A policy adopted: its id, date, partnership (``""``: none) and sectors."""

    policy: int
    adopted: dt.date
    partnership: str = ""
    sectors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LearningMeasures:
    """The measures of one set of rows; see the module docstring for the definitions."""

    completed: int
    lessons: int
    lessons_per_activity: float | None
    reflected: int
    due: int
    missing: int
    reviewed: int
    median_days: float | None
    p90_days: float | None
    applied: int
    adopted: int
    open: int
    dropped: int
    policies: int
    policies_by_partnership: tuple[tuple[str, int], ...] = field(default=())
    policies_by_sector: tuple[tuple[str, int], ...] = field(default=())

    def share(self, count: int) -> float | None:
        """``count`` as a share of the completed activities (``None`` without any).

        >>> LearningMeasures(4, 0, 0.0, 1, 1, 2, 0, None, None, 0, 0, 0, 0, 0).share(1)
        0.25
        """
        return count / self.completed if self.completed else None

    @property
    def applied_share(self) -> float | None:
        return self.applied / self.lessons if self.lessons else None


def quantile(values: Sequence[float], p: float) -> float | None:
    """The ``p``-quantile of ``values`` by linear interpolation (Hyndman & Fan 7).

    >>> quantile([1, 2, 3, 4], 0.5), quantile([10, 20, 30, 40, 100], 0.9)
    (2.5, 76.0)
    >>> quantile([], 0.5) is None
    True
    """
    if not 0 <= p <= 1:
        raise InvalidInput(f"p must lie in [0, 1], not {p}")
    ordered = sorted(values)
    if not ordered:
        return None
    h = (len(ordered) - 1) * p
    low = math.floor(h)
    high = min(low + 1, len(ordered) - 1)
    return float(ordered[low] + (h - low) * (ordered[high] - ordered[low]))


def _reflection_state(row: ActivityRow, today: dt.date) -> str:
    if row.reflection in REFLECTED:
        return "reflected"
    if today <= row.end + dt.timedelta(days=REFLECTION_DAYS):
        return "due"
    return "missing"


def _counted(keys: Iterable[str]) -> tuple[tuple[str, int], ...]:
    """Counts by key, largest first, then by key."""
    return tuple(sorted(Counter(keys).items(), key=lambda item: (-item[1], item[0])))


def learning_measures(
    activities: Iterable[ActivityRow],
    lessons: Iterable[LessonRow],
    policies: Iterable[PolicyRow],
    *,
    today: dt.date,
) -> LearningMeasures:
    """The learning measures of completed ``activities``, their ``lessons`` and ``policies``.

    Lessons whose source activity is not among ``activities`` are left out;
    every policy given counts.  Raises :class:`InvalidInput` for an unknown
    lesson outcome.

    >>> import datetime as dt
    >>> learning_measures([], [], [], today=dt.date(2025, 1, 1)).lessons_per_activity is None
    True
    """
    activity_rows = _unique(activities)
    ends = {row.activity: row.end for row in activity_rows}
    states = Counter(_reflection_state(row, today) for row in activity_rows)
    kept = [row for row in lessons if row.activity in ends]
    days = [
        float((row.reviewed - ends[row.activity]).days)
        for row in kept
        if row.reviewed is not None and row.activity is not None
    ]
    outcomes = Counter(row.outcome for row in kept if row.outcome is not None)
    unknown = set(outcomes) - set(OUTCOMES)
    if unknown:
        raise InvalidInput(f"unknown lesson outcome {sorted(unknown)[0]!r}")
    policy_rows = list(policies)
    completed = len(ends)
    return LearningMeasures(
        completed=completed,
        lessons=len(kept),
        lessons_per_activity=len(kept) / completed if completed else None,
        reflected=states["reflected"],
        due=states["due"],
        missing=states["missing"],
        reviewed=len(days),
        median_days=quantile(days, 0.5),
        p90_days=quantile(days, 0.9),
        applied=sum(outcomes.values()),
        adopted=outcomes["adopted"],
        open=outcomes["open"],
        dropped=outcomes["dropped"],
        policies=len(policy_rows),
        policies_by_partnership=_counted(row.partnership for row in policy_rows),
        policies_by_sector=_counted(
            sector for row in policy_rows for sector in (sorted(set(row.sectors)) or [""])
        ),
    )


def _unique(activities: Iterable[ActivityRow]) -> list[ActivityRow]:
    """One row per activity (the last given wins), so a repeated row never counts twice."""
    return list({row.activity: row for row in activities}.values())


def learning_by_year(
    activities: Iterable[ActivityRow],
    lessons: Iterable[LessonRow],
    policies: Iterable[PolicyRow],
    *,
    today: dt.date,
) -> dict[int, LearningMeasures]:
    """:func:`learning_measures` for each year (activities by end date, policies by adoption).

    >>> import datetime as dt
    >>> rows = [ActivityRow(1, dt.date(2024, 5, 1)), ActivityRow(2, dt.date(2025, 5, 1))]
    >>> policy = PolicyRow(9, dt.date(2025, 6, 1), "Brisbane", ("Education",))
    >>> years = learning_by_year(rows, [], [policy], today=dt.date(2025, 12, 31))
    >>> {year: (m.completed, m.missing, m.policies) for year, m in years.items()}
    {2024: (1, 1, 0), 2025: (1, 1, 1)}
    """
    activity_rows = _unique(activities)
    lesson_rows = list(lessons)
    policy_rows = list(policies)
    years = sorted({row.end.year for row in activity_rows} | {p.adopted.year for p in policy_rows})
    return {
        year: learning_measures(
            [row for row in activity_rows if row.end.year == year],
            lesson_rows,
            [row for row in policy_rows if row.adopted.year == year],
            today=today,
        )
        for year in years
    }
