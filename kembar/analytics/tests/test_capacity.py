"""The capacity library on small cases worked out by hand.

The worked example: a cooperation office of 10 staff-days a month and an
agency of 12.  A training (office 2, agency 8 staff-days) and an expo (office
5, agency 10, an event; the office itself is responsible) both run from
30 January to 2 February 2026: four days, two in each month, so half of each
effort falls in January and half in February.

- office: (2 + 5 + 10) × 0.5 = 8.5 staff-days in January and February: 85 % (ok);
- agency: 8 × 0.5 = 4 staff-days: 33.3 %;
- events: 0.5 a month against 2: 25 %;
- APBD: 40 M + 250 M = 290 M of a 1 000 M ceiling: 29 %.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from kembar.analytics.capacity import (
    Capacity,
    Effort,
    Item,
    capacity_loads,
    demand,
    largest_addition,
    level,
    load,
    month_shares,
    scenario_demand,
    worst,
)
from kembar.analytics.exceptions import InvalidInput

EFFORTS = {
    "training": Effort(2, 8, 40e6),
    "expo": Effort(5, 10, 250e6, "event"),
    "exchange_inbound": Effort(6, 8, 75e6, "delegation"),
}
START, END = dt.date(2026, 1, 30), dt.date(2026, 2, 2)
CAPACITY = Capacity(
    office="office",
    staff_days={"office": 10, "disdik": 12},
    budget={"apbd": 1_000e6},
    delegations_per_month=1,
    events_per_month=2,
)


def _worked() -> list[Item]:
    return [Item("training", "disdik", START, END), Item("expo", "office", START, END)]


def test_worked_example() -> None:
    loads = capacity_loads(demand(_worked(), EFFORTS, "office", 2026), CAPACITY)
    office = loads.staff["office"]
    assert [(entry.demand, entry.load, entry.level) for entry in office[:3]] == [
        (8.5, 85.0, "ok"),
        (8.5, 85.0, "ok"),
        (0.0, 0.0, "ok"),
    ]
    assert [round(entry.load or 0, 1) for entry in loads.staff["disdik"][:2]] == [33.3, 33.3]
    assert (loads.budget["apbd"].demand, loads.budget["apbd"].load) == (290e6, 29.0)
    january = loads.hosting[0]
    assert (january.events, january.events_capacity, january.delegations, january.load) == (
        0.5,
        2.0,
        0.0,
        25.0,
    )
    assert loads.level == "ok"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.0, "ok"), (85.0, "ok"), (85.1, "warn"), (100.0, "warn"), (100.1, "over"), (None, None)],
)
def test_levels_at_the_boundaries(value: float | None, expected: str | None) -> None:
    assert level(value) == expected


def test_one_more_staff_day_crosses_85_and_100_percent() -> None:
    asked = demand(_worked(), EFFORTS, "office", 2026)
    asked.staff["office"][0] += 0.1
    assert capacity_loads(asked, CAPACITY).staff["office"][0].level == "warn"
    asked.staff["office"][0] += 1.5  # 10.1 staff-days of 10
    assert capacity_loads(asked, CAPACITY).staff["office"][0].level == "over"
    assert capacity_loads(asked, CAPACITY).level == "over"


def test_no_capacity_and_zero_capacity_never_divide_by_zero() -> None:
    assert load(5.0, None) == load(5.0, None)
    assert (load(5.0, None).load, load(5.0, None).level) == (None, None)
    assert (load(0.0, 0.0).load, load(0.0, 0.0).level) == (0.0, "ok")
    assert (load(5.0, 0.0).load, load(5.0, 0.0).level) == (None, "over")
    loads = capacity_loads(demand(_worked(), EFFORTS, "office", 2026), Capacity("office", {}, {}))
    assert {entry.load for entry in loads.staff["office"]} == {None}
    assert loads.level is None
    with pytest.raises(InvalidInput, match="negative"):
        load(1.0, -1.0)


def test_the_responsible_agency_that_is_the_office_carries_both() -> None:
    asked = demand([Item("training", "office", START, END)], EFFORTS, "office", 2026)
    assert asked.staff["office"][:2].tolist() == [5.0, 5.0]
    assert list(asked.staff) == ["office"]


def test_months_and_years_are_shared_by_days() -> None:
    shares = month_shares(dt.date(2025, 12, 30), dt.date(2026, 1, 2), 2026)
    assert shares.tolist() == [0.5] + [0.0] * 11
    item = Item("training", "disdik", dt.date(2025, 12, 30), dt.date(2026, 1, 2))
    asked = demand([item], EFFORTS, "office", 2026)
    assert asked.staff["office"][0] == 1.0
    assert asked.budget == {}  # its cost counts in 2025, the year it starts
    with pytest.raises(InvalidInput, match="ends"):
        month_shares(dt.date(2026, 2, 1), dt.date(2026, 1, 1), 2026)


def test_own_budget_replaces_the_default_cost_and_abroad_hosts_nothing() -> None:
    items = [
        Item("exchange_inbound", "disdik", START, END, budget={"apbd": 10e6, "partner": 5e6}),
        Item("exchange_inbound", "disdik", START, END, abroad=True),
    ]
    asked = demand(items, EFFORTS, "office", 2026)
    assert asked.budget == {"apbd": 10e6 + 75e6, "partner": 5e6}
    assert asked.delegations[:2].tolist() == [0.5, 0.5]


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(InvalidInput, match="festival"):
        demand([Item("festival", "disdik", START, END)], EFFORTS, "office", 2026)
    with pytest.raises(InvalidInput, match="negative"):
        scenario_demand({"training": -1}, EFFORTS, "office", "disdik")


def test_largest_portfolio_by_hand() -> None:
    """Six trainings a year by Disdik: 1 office-day and 4 Disdik-days a month, 240 M.

    January: office (10 − 8.5) / 1 = 1.5 → 1, Disdik (12 − 4) / 4 = 2;
    other months 10 and 3; APBD (1 000 − 290) / 240 = 2.96 → 2.  K = 1,
    bound by the office's staff-days.
    """
    base = demand(_worked(), EFFORTS, "office", 2026)
    per = scenario_demand({"training": 6}, EFFORTS, "office", "disdik")
    assert per.staff["office"].tolist() == [1.0] * 12
    assert per.staff["disdik"].tolist() == [4.0] * 12
    assert per.budget == {"apbd": 240e6}
    assert largest_addition(base, per, CAPACITY) == (1, ("staff", "office"))
    projected = capacity_loads(base.plus(per), CAPACITY)
    assert projected.staff["office"][0].load == 95.0
    assert projected.staff["office"][0].level == "warn"
    # One partnership more than K takes January over.
    assert capacity_loads(base.plus(per, 2), CAPACITY).staff["office"][0].level == "over"


def test_largest_portfolio_bound_by_hosting_and_unlimited() -> None:
    base = demand(_worked(), EFFORTS, "office", 2026)
    per = scenario_demand({"exchange_inbound": 3}, EFFORTS, None, None)
    # 0.25 delegations a month against 1: (1 − 0) / 0.25 = 4; but APBD:
    # (1 000 − 290) / (3 × 75) = 3.16 → 3 binds first.
    assert largest_addition(base, per, CAPACITY) == (3, ("budget", "apbd"))
    no_ceiling = Capacity("office", {}, {}, delegations_per_month=1)
    assert largest_addition(base, per, no_ceiling) == (4, ("delegations", None))
    unlimited = Capacity("office", {}, {})
    assert largest_addition(base, per, unlimited) == (None, None)


def test_already_over_gives_zero() -> None:
    base = demand(_worked(), EFFORTS, "office", 2026)
    small = Capacity("office", {"office": 5}, {})
    per = scenario_demand({"training": 12}, EFFORTS, "office", None)
    assert largest_addition(base, per, small) == (0, ("staff", "office"))


def test_worst() -> None:
    assert worst(["ok", "over", "warn"]) == "over"
    assert worst([]) is None
    assert np.allclose(month_shares(dt.date(2026, 3, 1), dt.date(2026, 3, 31), 2026).sum(), 1.0)
