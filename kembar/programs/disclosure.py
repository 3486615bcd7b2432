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
the checks, or whose breakdown is not recorded yet) gives the side and source
tables only.

People are counted by officers (``participants_local``,
``participants_partner``, typed) or by Kembar from the registrations checked
in (``participants_registered``, local people); the counts of both sources
are people who took part, so the tables and their total hold both.  The side
table (local, partner) and the source table (typed by officers, counted from
registrations) cross: their cells are sums of the three cells local typed,
local registered and partner, and the four would give those three back.  So
the three are protected as one table (:func:`participant_figures`, the API's
``participants_local``, ``participants_registered``, ``participants_partner``)
and a cell of the side or source table is shown only when it is a sum of
shown cells, or holds every hidden one (then it is the total minus the shown
ones): a hidden count is never the difference of two shown figures.

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
    CountSource,
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
    "participant_figures",
    "participant_summary",
    "participant_totals",
    "participant_totals_listed",
    "protect_people_indicators",
    "sees_participant_breakdown",
    "withheld_local_counts",
]

#: The one-way tables of :func:`participant_summary`, in order.
MARGINS = ("side", "source", "gender", "age_band", "group", "home_region")
#: The tables made of the cells of the "who counted whom" table (see the module).
_CROSSED = ("side", "source")
#: Each cell of a crossed table as a sum of cells of the "who counted whom" table.
_PARTS: dict[str, dict[str, tuple[str, ...]]] = {
    "side": {
        ParticipantSide.LOCAL.value: ("participants_local", "participants_registered"),
        ParticipantSide.PARTNER.value: ("participants_partner",),
    },
    "source": {
        CountSource.OFFICER.value: ("participants_local", "participants_partner"),
        CountSource.REGISTRATIONS.value: ("participants_registered",),
    },
}
#: The "who counted whom" table: the activity's totals, each a field of the activity.
_WHO = "who"

#: Indicator units that count people (compared in lower case).
PEOPLE_UNITS = frozenset(
    {"orang", "people", "person", "persons", "peserta", "participants", "jiwa", "pelajar"}
)


def sees_participant_breakdown(user: Any, activity: Activity) -> bool:
    """Whether ``user`` may see the exact breakdown of ``activity``'s participants."""
    return bool(user is not None and user.has_perm("programs.view_participant_breakdown", activity))


def _who(activity: Activity) -> dict[str, int]:
    """Local people typed by officers, local people counted from registrations, partner people."""
    return {
        "participants_local": activity.participants_local,
        "participants_registered": activity.participants_registered,
        "participants_partner": activity.participants_partner,
    }


def _margins(activity: Activity) -> tuple[dict[str, dict[Any, int]], int]:
    """The "who counted whom" table, the one-way tables of the counts, and their total.

    The counts of both sources are summed; they give tables only when they
    add up to the total of the three totals.
    """
    who = _who(activity)
    total = sum(who.values())
    tables: dict[str, dict[Any, int]] = {name: {} for name in MARGINS if name not in _CROSSED}
    for row in activity.participant_counts.all():
        for name, key in (
            ("gender", row.gender),
            ("age_band", row.age_band),
            ("group", row.group),
            ("home_region", row.home_region_id),
        ):
            tables[name][key] = tables[name].get(key, 0) + row.count
    margins: dict[str, dict[Any, int]] = {_WHO: who}
    if total > 0 and sum(tables["gender"].values()) == total:
        margins |= tables
    return margins, total


def _crossed_hidden(parts: tuple[str, ...], hidden: frozenset[Any]) -> bool:
    """Whether a sum of ``parts`` of the "who" table would show something hidden there.

    It would unless it holds none of the hidden cells (a sum of shown ones)
    or all of them (the total minus the shown ones).
    """
    held = hidden.intersection(parts)
    return bool(held) and held != hidden


def participant_figures(activity: Activity, *, exact: bool) -> dict[str, int | None]:
    """The activity's three totals as the API gives them: None where not shown.

    ``participants_local`` and ``participants_partner`` (typed by officers)
    and ``participants_registered`` (counted from registrations checked in),
    protected as one table (see the module); exact for who sees the breakdown.
    """
    who = _who(activity)
    if exact:
        return dict(who)
    protection = suppress_margins({_WHO: who})
    return {
        name: None if protection.is_withheld(_WHO, name) else count for name, count in who.items()
    }


def _ordered(name: str, counts: dict[Any, int]) -> list[Any]:
    orders = {
        "side": ParticipantSide.values,
        "source": CountSource.values,
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
    "source": [cell], "gender": [cell], "age_band": [cell], "group": [cell],
    "home_region": [cell]}`` with ``cell = {"code", "name", "count": int | None,
    "suppressed": bool}``; ``code`` of ``home_region`` is a kecamatan code, or
    null for people from outside the city (partner people included).  The
    side and source tables list both their cells, zeros too; ``source`` is
    ``officer`` (local and partner people typed by officers) and
    ``registrations`` (local people counted from registrations checked in).
    """
    margins, total = _margins(activity)
    protection = None if exact else suppress_margins(margins, total=total)
    who_hidden = protection.withheld.get(_WHO, frozenset()) if protection else frozenset()
    for name in _CROSSED:
        margins[name] = {
            key: sum(margins[_WHO][part] for part in parts) for key, parts in _PARTS[name].items()
        }
    withheld = set(protection.fully_withheld) if protection else set()
    if _WHO in withheld:
        withheld |= set(_CROSSED)
    withheld.discard(_WHO)
    labels: dict[str, dict[Any, str]] = {
        "side": {key: str(label) for key, label in ParticipantSide.choices},
        "source": {
            CountSource.OFFICER.value: _("typed by officers"),
            CountSource.REGISTRATIONS.value: _("counted from registrations checked in"),
        },
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
        "withheld": sorted(withheld),
    }
    for name in MARGINS:
        counts = margins.get(name, {})
        if name in withheld:
            result[name] = []
            continue
        cells = []
        for key in _ordered(name, counts):
            if name not in _CROSSED and not counts[key]:
                continue
            if name in _CROSSED:
                hidden = _crossed_hidden(_PARTS[name][key], who_hidden)
            else:
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
    """Local and partner people who took part: the side table of the summary.

    Local people of both sources (typed by officers and counted from
    registrations checked in).  None where not shown.  Without ``exact``,
    ``activity.participant_counts`` should be prefetched (with ``home_region``).
    """
    if exact:
        local = activity.participants_local + activity.participants_registered
        return local, activity.participants_partner
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
