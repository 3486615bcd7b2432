"""What of an activity's participants may be shown to whom (UU PDP No. 27/2022).

Staff of the partnership's own region and administrators
(``programs.view_participant_breakdown``, the same people who read trip
reports) see the full breakdown: group × gender × age band × home kecamatan,
by side.  Everyone else (the public, staff of other regions, partner
counterparts) sees :func:`participant_summary` only: one-way tables of all
the activity's participants by side, gender, age band, group and home
kecamatan, protected with
:func:`kembar.analytics.disclosure.suppress_margins`:

- the tables add up to the activity's total, which is shown unless it is
  1–4 (then every count is hidden and the tables are withheld whole);
- in each table, counts of 1–4 are hidden, with enough other non-zero counts
  that none can be worked out from the total (at least two hidden, holding
  at least 5 people together); a table that cannot be protected so is
  withheld whole;
- a table lists the categories with people in them (zeros are not listed);
  a withheld table lists nothing, so that not even which categories are
  non-zero shows.

A breakdown that does not add up to the totals (an activity reported before
the checks, or whose breakdown is not recorded yet) gives the side table only.

Indicators counted in people (unit ``orang``, ``people`` …) carry the same
kind of figures: their actual value per period is the total, each
disaggregation dimension one table, protected the same way; a dimension that
does not add up to the actual value is not shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.utils.translation import gettext as _

from kembar.analytics.disclosure import MarginsSuppression, suppress_margins
from kembar.partnerships.models import Partnership
from kembar.programs.models import (
    Activity,
    AgeBand,
    Gender,
    ParticipantCount,
    ParticipantSide,
    StakeholderGroup,
)

__all__ = [
    "MARGINS",
    "PEOPLE_UNITS",
    "breakdown_partnerships",
    "hidden_people_actuals",
    "participant_summary",
    "participant_totals",
    "participant_totals_listed",
    "protect_people_indicators",
    "sees_participant_breakdown",
    "withheld_local_counts",
]

#: The one-way tables of :func:`participant_summary`, in order.
MARGINS = ("side", "gender", "age_band", "group", "home_region")

#: Indicator units that count people (compared in lower case).
PEOPLE_UNITS = frozenset(
    {"orang", "people", "person", "persons", "peserta", "participants", "jiwa", "pelajar"}
)


def sees_participant_breakdown(user: Any, activity: Activity) -> bool:
    """Whether ``user`` may see the exact breakdown of ``activity``'s participants."""
    return bool(user is not None and user.has_perm("programs.view_participant_breakdown", activity))


def _margins(activity: Activity) -> tuple[dict[str, dict[Any, int]], int]:
    """The one-way tables and their total."""
    side = {
        ParticipantSide.LOCAL.value: activity.participants_local,
        ParticipantSide.PARTNER.value: activity.participants_partner,
    }
    total = sum(side.values())
    tables: dict[str, dict[Any, int]] = {name: {} for name in MARGINS[1:]}
    for row in activity.participant_counts.all():
        for name, key in (
            ("gender", row.gender),
            ("age_band", row.age_band),
            ("group", row.group),
            ("home_region", row.home_region_id),
        ):
            tables[name][key] = tables[name].get(key, 0) + row.count
    margins: dict[str, dict[Any, int]] = {"side": side}
    if total > 0 and sum(tables["gender"].values()) == total:
        margins |= tables
    return margins, total


def _ordered(name: str, counts: dict[Any, int]) -> list[Any]:
    orders = {
        "side": ParticipantSide.values,
        "gender": Gender.values,
        "age_band": AgeBand.values,
        "group": StakeholderGroup.values,
    }
    if name in orders:
        return [key for key in orders[name] if key in counts]
    return sorted(counts, key=lambda key: (key is None, key or ""))


def participant_summary(activity: Activity, *, exact: bool) -> dict[str, Any]:
    """The activity's participants as one-way tables; protected unless ``exact``.

    The shape: ``{"total": int | None, "withheld": [table names], "side": [cell],
    "gender": [cell], "age_band": [cell], "group": [cell], "home_region": [cell]}``
    with ``cell = {"code", "name", "count": int | None, "suppressed": bool}``;
    ``code`` of ``home_region`` is a kecamatan code, or null for people from
    outside the city (partner people included).
    """
    margins, total = _margins(activity)
    protection = None if exact else suppress_margins(margins, total=total)
    labels: dict[str, dict[Any, str]] = {
        "side": {key: str(label) for key, label in ParticipantSide.choices},
        "gender": {key: str(label) for key, label in Gender.choices},
        "age_band": {key: str(label) for key, label in AgeBand.choices},
        "group": {key: str(label) for key, label in StakeholderGroup.choices},
        "home_region": {
            row.home_region_id: row.home_region.name
            for row in activity.participant_counts.all()
            if row.home_region is not None
        }
        | {None: _("outside the city")},
    }
    result: dict[str, Any] = {
        "total": None if protection and protection.total_withheld else total,
        "withheld": sorted(protection.fully_withheld) if protection else [],
    }
    for name in MARGINS:
        counts = margins.get(name, {})
        if protection and name in protection.fully_withheld:
            result[name] = []
            continue
        cells = []
        for key in _ordered(name, counts):
            if name != "side" and not counts[key]:
                continue
            hidden = bool(protection and protection.is_withheld(name, key))
            cells.append(
                {
                    "code": key,
                    "name": labels[name].get(key, str(key)),
                    "count": None if hidden else counts[key],
                    "suppressed": hidden,
                }
            )
        result[name] = cells
    return result


def breakdown_partnerships(user: Any, partnerships: Iterable[Partnership]) -> set[int]:
    """The keys of those ``partnerships`` whose participants' breakdown ``user`` sees.

    Fetch ``partnerships`` with their ``local_region``.
    """
    # The rule is declared on activities; all of a partnership's get the same answer.
    return {
        partnership.pk
        for partnership in partnerships
        if sees_participant_breakdown(user, Activity(partnership=partnership))
    }


def participant_totals(activity: Activity, *, exact: bool) -> tuple[int | None, int | None]:
    """Local and partner participants as the API gives them: the side table of the summary.

    None where not shown.  Without ``exact``, ``activity.participant_counts``
    should be prefetched (with ``home_region``).
    """
    if exact:
        return activity.participants_local, activity.participants_partner
    sides = {
        cell["code"]: cell["count"] for cell in participant_summary(activity, exact=False)["side"]
    }
    return sides.get(ParticipantSide.LOCAL.value), sides.get(ParticipantSide.PARTNER.value)


def participant_totals_listed(
    user: Any, activities: Iterable[Activity]
) -> list[tuple[Activity, int | None, int | None]]:
    """Each activity of a list with its local and partner participants as ``user`` may see them.

    Exact where ``user`` sees the breakdown, otherwise as the API gives them
    (:func:`participant_totals`); the breakdowns needed are fetched in one query.
    """
    rows = list(activities)
    exact = {activity.pk for activity in rows if sees_participant_breakdown(user, activity)}
    prefetch_related_objects(
        [activity for activity in rows if activity.pk not in exact],
        Prefetch(
            "participant_counts", queryset=ParticipantCount.objects.select_related("home_region")
        ),
    )
    return [
        (activity, *participant_totals(activity, exact=activity.pk in exact)) for activity in rows
    ]


def withheld_local_counts(user: Any, activities: QuerySet[Activity]) -> list[Activity]:
    """The activities whose local participants ``user`` does not see (null in the API).

    A figure that adds up activities, one of them among these, is withheld too:
    every figure shown is then a sum of counts the API shows, and none hidden
    there can be worked out from it.
    """
    partnerships = Partnership.objects.filter(
        pk__in=activities.values("partnership_id")
    ).select_related("local_region")
    exact = breakdown_partnerships(user, partnerships)
    protected = [partnership.pk for partnership in partnerships if partnership.pk not in exact]
    if not protected:
        return []
    rows = participant_totals_listed(
        user,
        activities.filter(partnership__in=protected).select_related(
            "partnership__local_region", "agency"
        ),
    )
    return [activity for activity, local, _partner in rows if local is None]


def hidden_people_actuals(activity: Activity) -> set[int]:
    """The indicator periods whose actual value someone without the breakdown does not see.

    Those of indicators counted in people, hidden exactly as
    :func:`protect_people_indicators` hides them in the API.
    """
    periods: dict[int, dict[str, Any]] = {}
    results: list[dict[str, Any]] = []
    for result in activity.results.all():
        indicators = []
        for indicator in result.indicators.all():
            shown = []
            for period in indicator.periods.all():
                figures = {
                    "actual": period.actual,
                    "disaggregation": [
                        {
                            "dimension": part.dimension,
                            "category": part.category,
                            "actual": part.actual,
                        }
                        for part in period.disaggregations.all()
                    ],
                }
                if period.actual is not None:
                    periods[period.pk] = figures
                shown.append(figures)
            indicators.append({"unit": indicator.unit, "periods": shown})
        results.append({"indicators": indicators})
    protect_people_indicators(results)
    return {pk for pk, figures in periods.items() if figures["actual"] is None}


def _whole(value: Any) -> int | None:
    """A count from a decimal string or number, or None when it is not a whole number ≥ 0."""
    if value is None:
        return None
    number = Decimal(str(value))
    if number < 0 or number != number.to_integral_value():
        return None
    return int(number)


def protect_people_indicators(results: list[dict[str, Any]]) -> None:
    """Hide small counts of people in serialized results (in place); see the module."""
    for result in results:
        for indicator in result.get("indicators", []):
            if str(indicator.get("unit", "")).strip().lower() not in PEOPLE_UNITS:
                continue
            for period in indicator.get("periods", []):
                _protect_period(period)


def _protect_period(period: dict[str, Any]) -> None:
    total = _whole(period.get("actual"))
    parts = period.get("disaggregation", [])
    if total is None:
        period["disaggregation"] = []  # not a count: nothing to protect it against
        return
    tables: dict[str, dict[str, int]] = {}
    rejected: set[str] = set()
    for part in parts:
        value = _whole(part["actual"])
        if value is None:
            rejected.add(part["dimension"])
            continue
        table = tables.setdefault(part["dimension"], {})
        table[part["category"]] = table.get(part["category"], 0) + value
    for dimension, table in tables.items():
        if sum(table.values()) != total:
            rejected.add(dimension)
    protection: MarginsSuppression = suppress_margins(
        {name: table for name, table in tables.items() if name not in rejected}, total=total
    )
    if protection.total_withheld:
        period["actual"] = None
    kept = []
    for part in parts:
        dimension = part["dimension"]
        if dimension in rejected or dimension in protection.fully_withheld:
            continue
        if protection.is_withheld(dimension, part["category"]):
            part = {**part, "actual": None}
        kept.append(part)
    period["disaggregation"] = kept
