"""The city's carrying capacity: staff-days, budget and hosting against what is planned.

A city enters what it can carry in a year: staff-days per month for
cooperation work in each organisation (the cooperation office and the
agencies), a budget ceiling per funding source, and how many delegations and
events it can host per month.  Each activity kind has a default effort: the
staff-days of the cooperation office (:math:`o_k`) and of the responsible
agency (:math:`a_k`) per activity, a default cost, and whether the city hosts
a delegation or an event with it.

**Staff effort** of an activity :math:`i` of kind :math:`k` running from
:math:`s_i` to :math:`e_i` (both included, :math:`D_i = e_i - s_i + 1` days)
is spread over the months it spans in proportion to its days in each month:
with :math:`d_{im}` its days in month :math:`m`,

.. math::

    E^{\\text{office}}_{m} = \\sum_i o_{k_i} \\frac{d_{im}}{D_i}, \\qquad
    E^{g}_{m} = \\sum_{i: g_i = g} a_{k_i} \\frac{d_{im}}{D_i}

(the cooperation office carries :math:`o_k` of every activity, the responsible
agency :math:`g_i` carries :math:`a_k`; when the agency is the office itself,
both add to it).  The **load** of organisation :math:`g` in month :math:`m`
is :math:`L^g_m = 100\\,E^g_m / C^g` with :math:`C^g` its staff-days per month.

**Budget** per source :math:`f` for the year: :math:`L^f = 100 \\sum_i c_{if} /
B^f` with :math:`B^f` the ceiling; :math:`c_{if}` is the activity's budgeted
amount from source :math:`f` if it has any budget, else the kind's default
cost counted under ``apbd``.  An activity's cost counts in full in the year
it starts (the year whose budget pays for it).

**Hosting** per month: a hosted delegation or event counts as one, spread
over the months it spans like the effort (so an event of 10 days with 4 in
March counts 0.4 in March); an activity held in the partner city hosts
nothing.  The month's load is the larger of :math:`100\\,H^{del}_m / C^{del}`
and :math:`100\\,H^{ev}_m / C^{ev}`.

**Levels**: ``ok`` at most 85 %, ``warn`` above 85 %, ``over`` above 100 %.
**No capacity entered** (``None``): the load is ``None`` and the level
``None``; that resource never limits.  **Zero capacity** entered: the load
is 0 without demand, else ``None`` with level ``over`` (the city can carry
none of it; no division by zero).

**Scenario.**  A new partnership with :math:`n_k` activities of kind
:math:`k` a year adds, each month, :math:`\\delta^{\\text{office}} = \\sum_k
n_k o_k / 12`, :math:`\\delta^{g} = \\sum_k n_k a_k / 12` to its agency,
:math:`\\sum_k n_k c_k` to ``apbd`` and :math:`\\sum_k n_k / 12` hosted
delegations or events.  The largest number of such partnerships the city can
add is

.. math::

    K = \\min_{r, m:\\ \\delta_r > 0} \\Bigl\\lfloor \\frac{C_r - E_{rm}}{\\delta_r}
    \\Bigr\\rfloor^{+}

over every resource :math:`r` with capacity entered and every month, the
resource attaining the minimum *binding*; :math:`K` is ``None``
(unlimited) when no limited resource is used.

Reference: the utilisation (load) ratio and headroom of capacity planning,
e.g. Slack, Brandon-Jones & Johnston, *Operations Management*, 10th ed.
(2022), ch. 11 "Capacity management".
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from kembar.analytics.exceptions import InvalidInput

__all__ = [
    "APBD",
    "OVER",
    "WARN",
    "Capacity",
    "CapacityLoads",
    "Demand",
    "Effort",
    "HostingLoad",
    "Item",
    "Load",
    "Resource",
    "capacity_loads",
    "demand",
    "largest_addition",
    "level",
    "load",
    "month_shares",
    "scenario_demand",
    "worst",
]

#: Above this percentage a load warns; above :data:`OVER` it is over capacity.
WARN = 85.0
OVER = 100.0
#: The source a kind's default cost is counted under.
APBD = "apbd"
HOSTING = ("none", "delegation", "event")
_ORDER = {"ok": 0, "warn": 1, "over": 2}
#: Tolerance for floating-point sums (staff-days are entered to one decimal).
_EPS = 1e-9

#: A resource: ``("staff", organisation)``, ``("budget", source)``,
#: ``("delegations", None)`` or ``("events", None)``.
Resource = tuple[str, Hashable]


@dataclass(frozen=True, slots=True)
class Effort:
    """What one activity of a kind takes: staff-days, a default cost, what the city hosts."""

    office_days: float
    agency_days: float
    cost_idr: float
    hosting: str = "none"


@dataclass(frozen=True, slots=True)
class Item:
    """One activity: its kind, responsible agency, dates and budget by source (if any)."""

    kind: str
    agency: Hashable
    start: dt.date
    end: dt.date
    budget: Mapping[str, float] = field(default_factory=dict)
    abroad: bool = False
    partnership: Hashable = None


@dataclass(frozen=True, slots=True)
class Capacity:
    """What the city can carry in a year; ``None`` means not entered (no limit checked)."""

    office: Hashable
    staff_days: Mapping[Hashable, float]
    budget: Mapping[str, float]
    delegations_per_month: float | None = None
    events_per_month: float | None = None


@dataclass(slots=True)
class Demand:
    """What is asked of the city in a year: staff-days and hosting by month, money by source."""

    staff: dict[Hashable, np.ndarray] = field(default_factory=dict)
    budget: dict[str, float] = field(default_factory=dict)
    delegations: np.ndarray = field(default_factory=lambda: np.zeros(12))
    events: np.ndarray = field(default_factory=lambda: np.zeros(12))

    def plus(self, other: Demand, times: int = 1) -> Demand:
        """This demand with ``times`` × ``other`` added (neither is changed)."""
        staff = {key: value.copy() for key, value in self.staff.items()}
        for key, value in other.staff.items():
            staff[key] = staff.get(key, np.zeros(12)) + times * value
        budget = dict(self.budget)
        for source, amount in other.budget.items():
            budget[source] = budget.get(source, 0.0) + times * amount
        return Demand(
            staff=staff,
            budget=budget,
            delegations=self.delegations + times * other.delegations,
            events=self.events + times * other.events,
        )


@dataclass(frozen=True, slots=True)
class Load:
    """Demand against capacity: ``load`` in percent and its level (both None if not entered)."""

    demand: float
    capacity: float | None
    load: float | None
    level: str | None


@dataclass(frozen=True, slots=True)
class HostingLoad:
    month: int
    delegations: float
    delegations_capacity: float | None
    events: float
    events_capacity: float | None
    load: float | None
    level: str | None


@dataclass(frozen=True, slots=True)
class CapacityLoads:
    """The loads of a year: 12 months per organisation, the year per source, hosting by month."""

    staff: dict[Hashable, list[Load]]
    budget: dict[str, Load]
    hosting: list[HostingLoad]

    @property
    def level(self) -> str | None:
        """The worst level of every load."""
        levels = [entry.level for months in self.staff.values() for entry in months]
        levels += [entry.level for entry in self.budget.values()]
        levels += [entry.level for entry in self.hosting]
        return worst(levels)


def level(value: float | None) -> str | None:
    """``ok`` up to 85 %, ``warn`` above 85 %, ``over`` above 100 %; None stays None.

    >>> level(85.0), level(85.01), level(100.0), level(100.01), level(None)
    ('ok', 'warn', 'warn', 'over', None)
    """
    if value is None:
        return None
    if value > OVER + _EPS:
        return "over"
    if value > WARN + _EPS:
        return "warn"
    return "ok"


def worst(levels: Iterable[str | None]) -> str | None:
    """The worst of some levels (``over`` > ``warn`` > ``ok``); None if none is known.

    >>> worst(["ok", None, "warn"]), worst([None])
    ('warn', None)
    """
    known = [entry for entry in levels if entry is not None]
    return max(known, key=_ORDER.__getitem__) if known else None


def load(demand: float, capacity: float | None) -> Load:
    """Demand as a percentage of capacity, with the explicit cases of none and zero.

    >>> load(8.5, 10.0)
    Load(demand=8.5, capacity=10.0, load=85.0, level='ok')
    >>> load(3.0, None).load is None, load(0.0, 0.0).load, load(1.0, 0.0).level
    (True, 0.0, 'over')
    """
    if capacity is None:
        return Load(demand, None, None, None)
    if capacity < 0:
        raise InvalidInput(f"capacity must not be negative, got {capacity}")
    if capacity == 0:
        return Load(demand, 0.0, 0.0, "ok") if demand <= _EPS else Load(demand, 0.0, None, "over")
    value = round(100.0 * demand / capacity, 6)
    return Load(demand, capacity, value, level(value))


def month_shares(start: dt.date, end: dt.date, year: int) -> np.ndarray:
    """The share of an activity's days that falls in each month of ``year`` (12 values).

    >>> month_shares(dt.date(2026, 1, 30), dt.date(2026, 2, 2), 2026)[:3].tolist()
    [0.5, 0.5, 0.0]
    >>> month_shares(dt.date(2025, 12, 31), dt.date(2026, 1, 1), 2026)[:2].tolist()
    [0.5, 0.0]
    """
    if end < start:
        raise InvalidInput(f"the activity ends ({end}) before it starts ({start})")
    total = (end - start).days + 1
    shares = np.zeros(12)
    for month in range(1, 13):
        first = dt.date(year, month, 1)
        last = dt.date(year, month, calendar.monthrange(year, month)[1])
        days = (min(end, last) - max(start, first)).days + 1
        if days > 0:
            shares[month - 1] = days / total
    return shares


def _effort(efforts: Mapping[str, Effort], kind: str) -> Effort:
    try:
        return efforts[kind]
    except KeyError:
        raise InvalidInput(f"no effort is given for the activity kind {kind!r}") from None


def demand(
    items: Iterable[Item], efforts: Mapping[str, Effort], office: Hashable, year: int
) -> Demand:
    """What ``items`` ask of the city in ``year`` (see the module's formulas).

    Two activities of a 10-day office, both spanning 30 January–2 February:
    a training (2 office-days, 8 of Disdik) and an expo (5 and 10, an event).

    >>> efforts = {"training": Effort(2, 8, 40e6), "expo": Effort(5, 10, 250e6, "event")}
    >>> span = dict(start=dt.date(2026, 1, 30), end=dt.date(2026, 2, 2))
    >>> asked = demand([Item("training", "disdik", **span), Item("expo", "office", **span)],
    ...                efforts, "office", 2026)
    >>> asked.staff["office"][:2].tolist(), asked.staff["disdik"][:2].tolist()
    ([8.5, 8.5], [4.0, 4.0])
    >>> asked.budget, asked.events[:2].tolist()
    ({'apbd': 290000000.0}, [0.5, 0.5])
    """
    asked = Demand()
    for item in items:
        effort = _effort(efforts, item.kind)
        shares = month_shares(item.start, item.end, year)
        for organisation, days in ((office, effort.office_days), (item.agency, effort.agency_days)):
            if organisation is not None and days:
                asked.staff.setdefault(organisation, np.zeros(12))
                asked.staff[organisation] += days * shares
        if not item.abroad and effort.hosting == "delegation":
            asked.delegations += shares
        elif not item.abroad and effort.hosting == "event":
            asked.events += shares
        if item.start.year == year:
            costs = item.budget if item.budget else {APBD: effort.cost_idr}
            for source, amount in costs.items():
                asked.budget[source] = asked.budget.get(source, 0.0) + float(amount)
    return asked


def scenario_demand(
    mix: Mapping[str, int], efforts: Mapping[str, Effort], office: Hashable, agency: Hashable
) -> Demand:
    """What one new partnership with ``mix`` (kind → activities a year) asks, spread evenly.

    >>> efforts = {"training": Effort(2, 8, 40e6), "expo": Effort(5, 10, 250e6, "event")}
    >>> per = scenario_demand({"training": 3, "expo": 1}, efforts, "office", "disdik")
    >>> per.staff["office"][:1].round(4).tolist(), per.staff["disdik"][:1].round(4).tolist()
    ([0.9167], [2.8333])
    >>> per.budget
    {'apbd': 370000000.0}
    """
    asked = Demand()
    for kind, count in mix.items():
        if count < 0:
            raise InvalidInput(f"the count of {kind!r} must not be negative, got {count}")
        if not count:
            continue
        effort = _effort(efforts, kind)
        monthly = np.full(12, count / 12)
        for organisation, days in ((office, effort.office_days), (agency, effort.agency_days)):
            if organisation is not None and days:
                asked.staff.setdefault(organisation, np.zeros(12))
                asked.staff[organisation] += days * monthly
        if effort.hosting == "delegation":
            asked.delegations += monthly
        elif effort.hosting == "event":
            asked.events += monthly
        asked.budget[APBD] = asked.budget.get(APBD, 0.0) + count * effort.cost_idr
    return asked


def capacity_loads(asked: Demand, capacity: Capacity) -> CapacityLoads:
    """The loads of ``asked`` against ``capacity``: by organisation, source and hosting month.

    >>> efforts = {"training": Effort(2, 8, 40e6)}
    >>> span = dict(start=dt.date(2026, 1, 30), end=dt.date(2026, 2, 2))
    >>> asked = demand([Item("training", "disdik", **span)], efforts, "office", 2026)
    >>> loads = capacity_loads(asked, Capacity("office", {"office": 10, "disdik": 8}, {}))
    >>> loads.staff["office"][0].load, loads.staff["disdik"][0].level, loads.level
    (10.0, 'ok', 'ok')
    """
    staff = {}
    for organisation in [
        *capacity.staff_days,
        *(k for k in asked.staff if k not in capacity.staff_days),
    ]:
        months = asked.staff.get(organisation, np.zeros(12))
        entered = capacity.staff_days.get(organisation)
        staff[organisation] = [_load(value, entered) for value in months]
    budget = {
        source: load(asked.budget.get(source, 0.0), capacity.budget.get(source))
        for source in [*capacity.budget, *(s for s in asked.budget if s not in capacity.budget)]
    }
    hosting = []
    for month in range(12):
        delegations = load(float(asked.delegations[month]), _float(capacity.delegations_per_month))
        events = load(float(asked.events[month]), _float(capacity.events_per_month))
        both = [value for value in (delegations.load, events.load) if value is not None]
        hosting.append(
            HostingLoad(
                month=month + 1,
                delegations=round(delegations.demand, 6),
                delegations_capacity=delegations.capacity,
                events=round(events.demand, 6),
                events_capacity=events.capacity,
                load=max(both) if both else None,
                level=worst([delegations.level, events.level]),
            )
        )
    return CapacityLoads(staff=staff, budget=budget, hosting=hosting)


def _float(value: float | None) -> float | None:
    return None if value is None else float(value)


def _load(value: float, capacity: float | None) -> Load:
    return load(round(float(value), 6), _float(capacity))


def _limits(
    asked: Demand, capacity: Capacity
) -> Iterable[tuple[Resource, np.ndarray, float | None]]:
    """Each resource with its monthly (or yearly, for money) demand and its capacity."""
    for organisation, months in asked.staff.items():
        yield ("staff", organisation), months, _float(capacity.staff_days.get(organisation))
    for source, amount in asked.budget.items():
        yield ("budget", source), np.array([amount]), _float(capacity.budget.get(source))
    yield ("delegations", None), asked.delegations, _float(capacity.delegations_per_month)
    yield ("events", None), asked.events, _float(capacity.events_per_month)


def largest_addition(
    base: Demand, per_partnership: Demand, capacity: Capacity
) -> tuple[int | None, Resource | None]:
    """How many partnerships like ``per_partnership`` fit on top of ``base``, and what binds.

    ``(None, None)`` when nothing it uses is limited.  A resource already over
    capacity in a month the new partnership would also use gives 0.

    Office of 10 staff-days a month with 4 used; each new partnership asks
    0.5 office-days a month (six 1-day activities a year):

    >>> efforts = {"seminar": Effort(1, 0, 0)}
    >>> base = scenario_demand({"seminar": 48}, efforts, "office", None)
    >>> per = scenario_demand({"seminar": 6}, efforts, "office", None)
    >>> largest_addition(base, per, Capacity("office", {"office": 10}, {}))
    (12, ('staff', 'office'))
    """
    best: int | None = None
    binding: Resource | None = None
    base_by = {resource: months for resource, months, _ in _limits(base, capacity)}
    for resource, extra, entered in _limits(per_partnership, capacity):
        if entered is None:
            continue
        used = base_by.get(resource, np.zeros(len(extra)))
        for month in range(len(extra)):
            if extra[month] <= _EPS:
                continue
            room = (entered - used[month]) / extra[month]
            fits = max(0, math.floor(room + _EPS))
            if best is None or fits < best:
                best, binding = fits, resource
    return best, binding
