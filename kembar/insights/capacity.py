"""The city's carrying capacity from the database: loads, a scenario, the check of one activity.

Loads the capacity plan of a region and year (``CapacityPlan`` with its staff
and budget ceilings), the default effort of each activity kind and the
activities that use the capacity, and hands them to
:mod:`kembar.analytics.capacity`, which holds the formulas.

**Counted activities**: those of the region's partnerships
(``partnership.local_region_id == region``) dated within the year (they
overlap it), planned or ongoing, and also completed ones: they used the
capacity too.  Cancelled activities never count, nor demonstration records
(``is_demo``): a made-up activity must not fill a real office's months.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from django.contrib import messages
from django.db.models import Prefetch, QuerySet
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from kembar.accounts.models import Organisation, Role
from kembar.accounts.rules import has_role, serves_region
from kembar.analytics import capacity as analytics
from kembar.analytics.capacity import (
    OVER,
    WARN,
    Capacity,
    CapacityLoads,
    Demand,
    Effort,
    HostingLoad,
    Item,
    Load,
)
from kembar.insights.models import ActivityKindEffort, CapacityPlan
from kembar.partnerships.models import Partnership
from kembar.programs.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    BudgetLine,
    FundingSource,
    MoneyKind,
)

__all__ = [
    "COUNTED_STATUSES",
    "ActivityCheck",
    "CheckMonth",
    "activity_capacity_check",
    "capacity_figures",
    "capacity_gate",
    "capacity_notice",
    "capacity_plan",
    "capacity_scenario",
    "demo_activities_left_out",
    "partnership_loads",
    "sees_capacity",
]

COUNTED_STATUSES = (ActivityStatus.PLANNED, ActivityStatus.ONGOING, ActivityStatus.COMPLETED)
CENT = Decimal("0.01")


class ActivityLike(Protocol):
    """An activity, saved or as a form gives it (``ActivityData``)."""

    partnership: Partnership
    kind: str
    agency: Organisation
    start_date: dt.date
    end_date: dt.date
    status: str
    in_partner_city: bool


def sees_capacity(user: Any, region: str) -> bool:
    """Administrators; cooperation officers and leadership of ``region``."""
    if has_role(user, Role.ADMINISTRATOR):
        return True
    return has_role(user, Role.COOPERATION_OFFICER, Role.LEADERSHIP) and serves_region(user, region)


def capacity_plan(region: str, year: int) -> CapacityPlan | None:
    """The region's plan for the year, with its staff and budget ceilings."""
    return (
        CapacityPlan.objects.filter(region_id=region, year=year)
        .select_related("cooperation_office")
        .prefetch_related("staff__organisation", "budget")
        .first()
    )


def kind_efforts() -> dict[str, Effort]:
    """The effort of every kind; a kind an administrator removed takes nothing."""
    efforts = {kind: Effort(0.0, 0.0, 0.0) for kind in ActivityKind.values}
    for row in ActivityKindEffort.objects.all():
        efforts[row.kind] = Effort(
            float(row.office_days), float(row.agency_days), float(row.cost_idr), row.hosting
        )
    return efforts


def _capacity(plan: CapacityPlan) -> Capacity:
    return Capacity(
        office=plan.cooperation_office_id,
        staff_days={
            row.organisation_id: float(row.staff_days_per_month) for row in plan.staff.all()
        },
        budget={row.source: float(row.amount_idr) for row in plan.budget.all()},
        delegations_per_month=_float(plan.delegations_per_month),
        events_per_month=_float(plan.events_per_month),
    )


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _of_year(region: str, year: int) -> QuerySet[Activity]:
    """The region's activities of the kinds of status that count, running during ``year``."""
    return Activity.objects.filter(
        partnership__local_region_id=region,
        status__in=COUNTED_STATUSES,
        start_date__lte=dt.date(year, 12, 31),
        end_date__gte=dt.date(year, 1, 1),
    )


def counted_activities(region: str, year: int) -> QuerySet[Activity]:
    """The activities that use the region's capacity in ``year`` (see the module)."""
    budgets = BudgetLine.objects.filter(kind=MoneyKind.BUDGET)
    return (
        _of_year(region, year)
        .filter(is_demo=False)
        .select_related("partnership", "agency")
        .prefetch_related(Prefetch("budget_lines", queryset=budgets, to_attr="budgets"))
        .order_by("start_date", "pk")
    )


def demo_activities_left_out(region: str, year: int) -> int:
    """How many demonstration activities :func:`counted_activities` leaves out of ``year``."""
    return _of_year(region, year).filter(is_demo=True).count()


def _item(activity: Any, budgets: Iterable[BudgetLine] | None = None) -> Item:
    budget: dict[str, float] = defaultdict(float)
    for line in getattr(activity, "budgets", ()) if budgets is None else budgets:
        budget[line.source] += float(line.amount_idr)
    return Item(
        kind=activity.kind,
        agency=activity.agency.pk,
        start=activity.start_date,
        end=activity.end_date,
        budget=dict(budget),
        abroad=bool(activity.in_partner_city),
        partnership=activity.partnership.pk,
    )


@dataclass(frozen=True, slots=True)
class _Year:
    """One region and year loaded: plan, efforts, counted activities and their demand."""

    plan: CapacityPlan | None
    efforts: dict[str, Effort]
    activities: list[Activity]
    demand: Demand
    #: Whether the saved version of the extra activity was counted (and left out for it).
    replaced: bool

    @property
    def capacity(self) -> Capacity | None:
        return None if self.plan is None else _capacity(self.plan)


def _year(region: str, year: int, extra: ActivityLike | None = None, skip: Any = None) -> _Year:
    plan = capacity_plan(region, year)
    efforts = kind_efforts()
    counted = list(counted_activities(region, year))
    activities = [activity for activity in counted if skip is None or activity.pk != skip]
    saved = [activity for activity in counted if skip is not None and activity.pk == skip]
    items = [_item(activity) for activity in activities]
    if extra is not None:
        # A changed activity keeps the budget recorded for it; a new one has none yet.
        items.append(_item(extra, getattr(saved[0], "budgets", None) if saved else None))
    office = plan.cooperation_office_id if plan else None
    asked = analytics.demand(items, efforts, office, year)
    return _Year(plan, efforts, activities, asked, replaced=bool(saved))


def _percent(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _money(value: float | None) -> str | None:
    return None if value is None else str(Decimal(str(value)).quantize(CENT))


def _organisation_rows(
    loads: CapacityLoads, plan: CapacityPlan | None, year: int
) -> list[dict[str, Any]]:
    office = plan.cooperation_office_id if plan else None
    entered: dict[Hashable, Decimal] = (
        {row.organisation_id: row.staff_days_per_month for row in plan.staff.all()} if plan else {}
    )
    names = Organisation.objects.in_bulk(list(loads.staff))
    rows = []
    for pk, months in loads.staff.items():
        organisation = names[pk]
        capacity = entered.get(pk)
        rows.append(
            {
                "slug": organisation.slug,
                "name": organisation.name,
                "is_cooperation_office": pk == office,
                "staff_days_per_month": None if capacity is None else float(capacity),
                "months": [
                    {
                        "month": f"{year}-{number:02d}",
                        "staff_days": round(entry.demand, 2),
                        "load": _percent(entry.load),
                        "level": entry.level,
                    }
                    for number, entry in enumerate(months, start=1)
                ],
            }
        )
    rows.sort(key=lambda row: (not row["is_cooperation_office"], row["name"]))
    return rows


def _budget_rows(loads: CapacityLoads) -> list[dict[str, Any]]:
    order = {source: index for index, source in enumerate(FundingSource.values)}
    return [
        {
            "source": source,
            "ceiling_idr": _money(entry.capacity),
            "planned_idr": _money(entry.demand),
            "load": _percent(entry.load),
            "level": entry.level,
        }
        for source, entry in sorted(loads.budget.items(), key=lambda pair: order.get(pair[0], 99))
    ]


def _hosting_rows(hosting: list[HostingLoad], year: int) -> list[dict[str, Any]]:
    return [
        {
            "month": f"{year}-{entry.month:02d}",
            "delegations": round(entry.delegations, 2),
            "delegations_capacity": entry.delegations_capacity,
            "events": round(entry.events, 2),
            "events_capacity": entry.events_capacity,
            "load": _percent(entry.load),
            "level": entry.level,
        }
        for entry in hosting
    ]


def _annual_staff_days(plan: CapacityPlan | None) -> float | None:
    """12 × the staff-days per month of every organisation; None without a plan or any entry."""
    if plan is None:
        return None
    total = sum(float(row.staff_days_per_month) for row in plan.staff.all())
    return 12 * total if plan.staff.all() else None


def _partnership_days(loaded: _Year, year: int) -> dict[int, float]:
    """Staff-days (office and agency) of each partnership's activities in the year."""
    days: dict[int, float] = defaultdict(float)
    for activity in loaded.activities:
        effort = loaded.efforts[activity.kind]
        share = float(analytics.month_shares(activity.start_date, activity.end_date, year).sum())
        days[activity.partnership_id] += (effort.office_days + effort.agency_days) * share
    return days


def _share(days: float, annual: float | None) -> float | None:
    if annual is None:
        return None
    return analytics.load(days, annual).load


def capacity_figures(region: str, year: int, extra: ActivityLike | None = None) -> dict[str, Any]:
    """The figures of ``/api/v1/insights/capacity/`` and the staff page (see its serializer).

    ``extra``, an activity not saved yet (or a changed one: its saved version,
    same ``pk``, is left out), is counted as if it were planned.
    """
    loaded = _year(region, year, extra, skip=getattr(extra, "pk", None))
    capacity = loaded.capacity or Capacity(None, {}, {})
    loads = analytics.capacity_loads(loaded.demand, capacity)
    annual = _annual_staff_days(loaded.plan)
    days = _partnership_days(loaded, year)
    partnerships = Partnership.objects.filter(pk__in=list(days)).order_by("partner_name")
    return {
        "region": region,
        "year": year,
        "thresholds": {"warn": int(WARN), "over": int(OVER)},
        "organisations": _organisation_rows(loads, loaded.plan, year),
        "budget": _budget_rows(loads),
        "hosting": _hosting_rows(loads.hosting, year),
        "partnerships": [
            {
                "slug": partnership.slug,
                "name": partnership.partner_name,
                "staff_days": round(days[partnership.pk], 2),
                "load": _percent(_share(days[partnership.pk], annual)),
            }
            for partnership in partnerships
        ],
    }


def partnership_loads(region: str, year: int) -> dict[int, float | None]:
    """Each partnership's staff-days in ``year`` as a percent of the region's annual capacity.

    The annual capacity is the sum over organisations of 12 × staff-days per
    month.  Every partnership of the region is listed (0.0 without counted
    activities); every value is None when no capacity is entered for the year.
    """
    loaded = _year(region, year)
    annual = _annual_staff_days(loaded.plan)
    days = _partnership_days(loaded, year)
    pks = Partnership.objects.filter(local_region_id=region).values_list("pk", flat=True)
    return {pk: _percent(_share(days.get(pk, 0.0), annual)) for pk in pks}


# --- Scenario ------------------------------------------------------------------------------


def capacity_scenario(
    region: str, year: int, mix: Mapping[str, int], agency: Organisation | None
) -> dict[str, Any] | None:
    """One more partnership with ``mix`` (kind → count a year): loads, the largest portfolio.

    ``agency`` carries the agency staff-days (the cooperation office when
    None).  None when no plan is entered for the year.
    """
    loaded = _year(region, year)
    capacity = loaded.capacity
    if capacity is None:
        return None
    agency_pk = agency.pk if agency is not None else capacity.office
    per = analytics.scenario_demand(mix, loaded.efforts, capacity.office, agency_pk)
    now = analytics.capacity_loads(loaded.demand, capacity)
    projected = analytics.capacity_loads(loaded.demand.plus(per), capacity)
    most, binding = analytics.largest_addition(loaded.demand, per, capacity)
    current = len({activity.partnership_id for activity in loaded.activities})
    return {
        "resources": _resource_rows(now, projected, per),
        "max_new": most,
        "binding": binding,
        "current_partnerships": current,
        "portfolio": None if most is None else current + most,
        "level": projected.level,
    }


def _peak(entries: Iterable[Load | HostingLoad]) -> Load | HostingLoad | None:
    known = [entry for entry in entries if entry.load is not None or entry.level is not None]
    if not known:
        return None
    return max(known, key=lambda entry: (entry.load is None, entry.load or 0.0))


def _resource_rows(
    now: CapacityLoads, projected: CapacityLoads, per: Demand
) -> list[dict[str, Any]]:
    """Per resource the new partnership uses: the peak load now and with it."""
    names = Organisation.objects.in_bulk(list(per.staff))
    rows: list[dict[str, Any]] = []
    for pk in per.staff:
        rows.append(
            {
                "resource": ("staff", pk),
                "name": names[pk].name,
                "now": _peak(now.staff.get(pk, [])),
                "projected": _peak(projected.staff[pk]),
            }
        )
    for source in per.budget:
        rows.append(
            {
                "resource": ("budget", source),
                "name": source,
                "now": now.budget.get(source),
                "projected": projected.budget[source],
            }
        )
    if per.delegations.any() or per.events.any():
        rows.append(
            {
                "resource": ("hosting", None),
                "name": "hosting",
                "now": _peak(now.hosting),
                "projected": _peak(projected.hosting),
            }
        )
    return rows


# --- One activity ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CheckMonth:
    """One month an activity spans: the office's, the agency's and hosting's load with it."""

    month: dt.date
    office: Load | None
    agency: Load | None
    hosting: HostingLoad


@dataclass(frozen=True, slots=True)
class ActivityCheck:
    """What an activity does to the capacity of the months it spans."""

    months: list[CheckMonth]
    counted: bool
    level: str | None
    office_name: str
    agency_name: str


def activity_capacity_check(
    activity: ActivityLike, *, pk: int | None = None
) -> ActivityCheck | None:
    """The loads, with ``activity`` included, of the months it spans; None without a plan.

    ``pk`` (default: the activity's own) names its saved version: if that is
    counted, it is replaced by ``activity`` rather than counted twice, and
    ``counted`` says so.  An activity spanning two years is checked against
    each year's plan; a year without a plan is left out.
    """
    pk = pk if pk is not None else getattr(activity, "pk", None)
    region = activity.partnership.local_region_id
    months: list[CheckMonth] = []
    counted = False
    office_name = ""
    for year in range(activity.start_date.year, activity.end_date.year + 1):
        loaded = _year(region, year, activity, skip=pk)
        capacity = loaded.capacity
        if capacity is None or loaded.plan is None:
            continue
        counted = counted or loaded.replaced
        office_name = loaded.plan.cooperation_office.name
        loads = analytics.capacity_loads(loaded.demand, capacity)
        shares = analytics.month_shares(activity.start_date, activity.end_date, year)
        for index in range(12):
            if shares[index] > 0:
                months.append(
                    CheckMonth(
                        month=dt.date(year, index + 1, 1),
                        office=_month(loads, capacity.office, index),
                        agency=_month(loads, activity.agency.pk, index),
                        hosting=loads.hosting[index],
                    )
                )
    if not months:
        return None
    levels = [
        level
        for month in months
        for level in (
            month.office.level if month.office else None,
            month.agency.level if month.agency else None,
            month.hosting.level,
        )
    ]
    return ActivityCheck(
        months=months,
        counted=counted,
        level=analytics.worst(levels),
        office_name=office_name,
        agency_name=activity.agency.name,
    )


def _month(loads: CapacityLoads, organisation: Hashable, index: int) -> Load | None:
    months = loads.staff.get(organisation)
    return None if months is None else months[index]


# --- The warning before an activity is approved ----------------------------------------------


def check_summary(check: ActivityCheck) -> str:
    """The highest load of the office, the agency and hosting, in words, for a message."""
    parts = []
    for name, pick in (
        (check.office_name, lambda month: month.office),
        (check.agency_name, lambda month: month.agency),
        (_("hosting"), lambda month: month.hosting),
    ):
        known = [(pick(month), month.month) for month in check.months if pick(month) is not None]
        known = [(entry, month) for entry, month in known if entry.load is not None]
        if not known:
            continue
        entry, month = max(known, key=lambda pair: pair[0].load or 0.0)
        parts.append(
            _("%(name)s %(load)s %% in %(month)s")
            % {
                "name": name,
                "load": number_format(entry.load, 0),
                "month": date_format(month, "F Y"),
            }
        )
    return "; ".join(dict.fromkeys(parts))


def capacity_gate(form: Any) -> ActivityCheck | None:
    """The capacity check of what a valid, posted activity form would save as planned.

    Over capacity (above 100 %) without ``confirm_over_capacity`` ticked adds
    an error to the form, so that it is shown again (400) with the figures.
    None when the form is not posted and valid, the activity is not planned,
    or no capacity plan covers its dates (then nothing warns).
    """
    if not form.is_bound or not form.is_valid():
        return None
    data = form.data_for_service()
    if data.status != ActivityStatus.PLANNED:
        return None
    instance = getattr(form, "instance", None)
    check = activity_capacity_check(data, pk=instance.pk if instance is not None else None)
    if check and check.level == "over" and not form.cleaned_data.get("confirm_over_capacity"):
        form.add_error(
            "confirm_over_capacity",
            _(
                "This activity takes the city over its capacity (%(figures)s). Tick the box to "
                "save it all the same."
            )
            % {"figures": check_summary(check)},
        )
    return check


def capacity_notice(request: Any, check: ActivityCheck | None) -> None:
    """After saving: a warning message when the saved activity is near or over capacity."""
    if check is None or check.level not in ("warn", "over"):
        return
    text = (
        _("Saved although it exceeds the capacity: %(figures)s.")
        if check.level == "over"
        else _("Near capacity (above 85 %%): %(figures)s.")
    )
    messages.warning(request, text % {"figures": check_summary(check)})
