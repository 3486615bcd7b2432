"""The health portfolio: every partnership a user may see, as of today, with trend and load.

Each row of :func:`kembar.insights.health.health_figures` gets

- ``trend``: the score now minus the score :data:`TREND_DAYS` days earlier
  (``None`` when either is missing), and ``trend_direction`` (``up``,
  ``down``, ``flat``);
- ``reciprocity_hint``: which side carries more, in words;
- ``capacity_load``: the partnership's share of the local office's capacity
  this year, in percent, from :func:`kembar.insights.capacity.partnership_loads`
  when that module exists (``None`` otherwise, and always for public figures:
  the office's workload is internal).

Sorting adds ``trend`` to :data:`~kembar.insights.health.HEALTH_SORTS`; the
state filter keeps one state (``none``: no dated record).  The counts per
state are taken before the filter.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from kembar.geo.models import Region
from kembar.insights.capacity import partnership_loads
from kembar.insights.health import HEALTH_SORTS, STATE_LABELS, health_figures, reciprocity_hint
from kembar.partnerships.models import Partnership

__all__ = [
    "PORTFOLIO_SORTS",
    "STATE_FILTERS",
    "TREND_DAYS",
    "HealthPortfolio",
    "health_portfolio",
]

#: The trend compares the score with the score this many days earlier.
TREND_DAYS = 90
PORTFOLIO_SORTS = (*HEALTH_SORTS, "trend", "-trend")
#: The states the portfolio can be narrowed to; ``none`` is "no dated record".
STATE_FILTERS = ("active", "at_risk", "dormant", "ended", "none")


@dataclass
class HealthPortfolio:
    """The portfolio table and its summary, ready for a template or a CSV file."""

    as_of: dt.date
    region: str
    local_name: str
    public: bool
    includes_demo: bool
    sort: str
    state: str
    total: int
    counts: list[dict[str, Any]] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)


def _trend(now: float | None, before: float | None) -> float | None:
    return None if now is None or before is None else round(now - before, 1)


def _direction(trend: float | None) -> str:
    if trend is None or trend == 0:
        return "flat"
    return "up" if trend > 0 else "down"


def _sorted(rows: list[dict[str, Any]], sort: str) -> list[dict[str, Any]]:
    """Rows by trend (those without one last, either way); other sorts keep health_figures'."""
    if sort.removeprefix("-") != "trend":
        return rows
    known = [row for row in rows if row["trend"] is not None]
    unknown = [row for row in rows if row["trend"] is None]
    known.sort(key=lambda row: (row["trend"], row["slug"]), reverse=sort.startswith("-"))
    return known + unknown


def _counts(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    counted = Counter(row["state"] or "" for row in rows)
    return [
        {"state": state, "label": str(STATE_LABELS[state]), "count": counted[state]}
        for state in ("active", "at_risk", "dormant", "ended", "")
        if state or counted[state]
    ]


def health_portfolio(
    *,
    partnerships: QuerySet[Partnership],
    region: str,
    public: bool,
    sort: str = "score",
    state: str = "",
    as_of: dt.date | None = None,
) -> HealthPortfolio:
    """The health of ``partnerships`` (those the user may see) of ``region`` as of ``as_of``.

    ``public`` gives the public figures only: no warning date, no
    explanation, no components and no capacity load.
    """
    day = as_of or timezone.localdate()
    sort = sort if sort in PORTFOLIO_SORTS else "score"
    state = state if state in STATE_FILTERS else ""
    chosen = partnerships.filter(local_region_id=region)
    figures = health_figures(
        partnerships=chosen,
        public=public,
        region=region,
        as_of=day,
        sort=sort if sort in HEALTH_SORTS else "score",
        earlier=day - dt.timedelta(TREND_DAYS),
    )
    local_name = Region.objects.filter(kode=region).values_list("name", flat=True).first()
    local = local_name or region
    loads = {} if public else partnership_loads(region, day.year)
    keys = dict(chosen.values_list("slug", "pk"))
    rows = []
    for row in figures.partnerships:
        trend = _trend(row["score"], row.pop("score_earlier"))
        rows.append(
            {
                **row,
                "trend": trend,
                "trend_direction": _direction(trend),
                "reciprocity_hint": reciprocity_hint(row["reciprocity"], local),
                "capacity_load": loads.get(keys[row["slug"]]),
            }
        )
    shown = [row for row in rows if not state or (row["state"] or "none") == state]
    return HealthPortfolio(
        as_of=day,
        region=region,
        local_name=local,
        public=public,
        includes_demo=figures.includes_demo,
        sort=sort,
        state=state,
        total=len(rows),
        counts=_counts(rows),
        rows=_sorted(shown, sort),
    )
