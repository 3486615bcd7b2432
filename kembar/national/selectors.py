"""Figures per region for the ministry's view, the API and (later) the governor's view.

Everything here reads the summaries (:mod:`kembar.national.models.summaries`),
the regions and the reports sent: a few queries over at most a few thousand rows,
whatever the size of the record.  Partner flows are counted from the partnerships
themselves (a national record holds a few thousand; grouping them takes
milliseconds).

**Small counts.**  The ministry's view is part of the staff area, but what it
shows is also downloaded (CSV) and answered by the API, and a rate per 10,000
residents times the population gives the count back.  So everywhere in this app
a count of 1–4 participants, and every count that would reveal one (a year that
is the total minus the other years), is ``None`` together with its rate:
:attr:`RegionSummary.participants_withheld` and its year rows say which
(:mod:`kembar.national.refresh`).  No total of participants over regions is
given (it would let a hidden region be worked out).

A row is a regional government: the partnerships whose local region it is.  A
province's row holds the provincial government's own partnerships (sister
provinces); its kabupaten and kota are their own rows.  For the province map
the row also gives ``with_kab_kota`` (the partnerships of the province and its
kabupaten/kota together) and ``kab_kota_without`` (its kabupaten/kota with none).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from kembar.geo.models import Region, RegionLevel
from kembar.national.islands import island_name, island_of
from kembar.national.models import RegionSummary, RegionYearSummary, ReportSubmission
from kembar.national.periods import (
    REPORT_STATUSES,
    latest_due_period,
    report_due_on,
    report_status,
)
from kembar.partnerships.models import Partnership

__all__ = [
    "LEVELS",
    "NationalFigures",
    "country_flows",
    "partner_city_flows",
    "per_10k",
    "region_figures",
    "region_flows",
    "summary_years",
]

#: The API's names of the levels, and the regions' own.
LEVELS = {"province": RegionLevel.PROVINCE, "kab_kota": RegionLevel.REGENCY_CITY}

_COUNTS = ("partnerships", "active", "at_risk", "dormant", "ended", "activities")


def per_10k(participants: int | None, population: int | None) -> float | None:
    """Participants per 10,000 residents, two decimals (None without a count or a population).

    >>> per_10k(42, 1_653_524), per_10k(None, 1000), per_10k(5, None)
    (0.25, None, None)
    """
    if participants is None or not population:
        return None
    return round(participants * 10_000 / population, 2)


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


@dataclass
class NationalFigures:
    """The rows of one level (optionally within one province), now or for one year."""

    level: str
    within: str | None
    year: int | None
    #: The reporting period whose status ``reported`` gives.
    period: int
    #: The day the states are computed for (the oldest of the rows), None without summaries.
    as_of: dt.date | None
    refreshed_at: dt.datetime | None
    includes_demo: bool
    rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def without_partnerships(self) -> list[dict[str, Any]]:
        """The regions with no partnership (in the year: none with a dated record by its end)."""
        return [row for row in self.rows if not row["partnerships"]]

    def totals(self) -> dict[str, int]:
        """Partnerships by state over the rows (no participants: see the module)."""
        sums = {name: sum(row[name] for row in self.rows) for name in _COUNTS}
        sums["regions"] = len(self.rows)
        sums["regions_without"] = len(self.without_partnerships)
        return sums


def _regions(level: str, within: str | None) -> list[dict[str, Any]]:
    regions: Any = Region.objects.filter(level=LEVELS[level])
    if within:
        regions = (
            regions.filter(kode=within) if level == "province" else regions.filter(parent_id=within)
        )
    return list(
        regions.order_by("kode").values(
            "kode", "name", "parent_id", "parent__name", "population", "population_year"
        )
    )


def _summaries(kodes: list[str], year: int | None) -> dict[str, dict[str, Any]]:
    rows: Any
    if year is None:
        rows = RegionSummary.objects.filter(region_id__in=kodes).values()
    else:
        rows = RegionYearSummary.objects.filter(region_id__in=kodes, year=year).values()
    return {row["region_id"]: row for row in rows}


def _province_extras(
    provinces: list[str], year: int | None
) -> tuple[dict[str, int], dict[str, int]]:
    """Per province: partnerships of its kabupaten/kota, and how many of them have none."""
    model: Any = RegionSummary if year is None else RegionYearSummary
    summaries = model.objects.filter(
        region__parent_id__in=provinces, region__level=RegionLevel.REGENCY_CITY
    )
    if year is not None:
        summaries = summaries.filter(year=year)
    partnerships = dict(
        summaries.values("region__parent_id")
        .annotate(n=Sum("partnerships"))
        .values_list("region__parent_id", "n")
        .order_by()
    )
    with_some = dict(
        summaries.filter(partnerships__gt=0)
        .values("region__parent_id")
        .annotate(n=Count("pk"))
        .values_list("region__parent_id", "n")
        .order_by()
    )
    all_kab_kota = dict(
        Region.objects.filter(parent_id__in=provinces, level=RegionLevel.REGENCY_CITY)
        .values("parent_id")
        .annotate(n=Count("pk"))
        .values_list("parent_id", "n")
        .order_by()
    )
    without = {kode: all_kab_kota.get(kode, 0) - with_some.get(kode, 0) for kode in provinces}
    return {kode: int(partnerships.get(kode) or 0) for kode in provinces}, without


def _reports(kodes: list[str], period: int) -> tuple[dict[str, ReportSubmission], set[str]]:
    sent = {
        report.region_id: report
        for report in ReportSubmission.objects.filter(region_id__in=kodes, year=period)
    }
    expected = set(
        RegionYearSummary.objects.filter(
            region_id__in=kodes, year=period, expects_report=True
        ).values_list("region_id", flat=True)
    )
    return sent, expected


def region_figures(
    *,
    level: str = "kab_kota",
    within: str | None = None,
    year: int | None = None,
    today: dt.date | None = None,
) -> NationalFigures:
    """The figures of every region of ``level`` (``province`` or ``kab_kota``).

    ``within`` narrows to one province (its own row at province level, its
    kabupaten/kota at kab/kota level): what a province's page shows.  Without
    ``year`` the figures are as of the summaries' day (participants and
    activities of every year); with it, those of the year (see
    :class:`~kembar.national.models.RegionYearSummary`).  ``reported`` is the
    status of the report for ``year``, or without it for the latest period whose
    report was due by today (:func:`kembar.national.periods.latest_due_period`).
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {sorted(LEVELS)}, not {level!r}")
    day = today or timezone.localdate()
    period = year if year is not None else latest_due_period(day)
    regions = _regions(level, within)
    kodes = [region["kode"] for region in regions]
    summaries = _summaries(kodes, year)
    now = summaries if year is None else _summaries(kodes, None)
    sent, expected = _reports(kodes, period)
    extras: tuple[dict[str, int], dict[str, int]] = ({}, {})
    if level == "province":
        extras = _province_extras(kodes, year)
    rows = []
    for region in regions:
        kode = region["kode"]
        summary = summaries.get(kode, {})
        partnerships = summary.get("partnerships", 0)
        withheld = summary.get("participants_withheld", False)
        participants = None if withheld else summary.get("participants", 0)
        report = sent.get(kode)
        due_on = report.due_on if report else report_due_on(period)
        province = region["parent_id"] or kode
        row: dict[str, Any] = {
            "kode": kode,
            "name": region["name"],
            "province": province,
            "province_name": region["parent__name"] or region["name"],
            "island": island_of(kode),
            "island_name": island_name(island_of(kode)),
            "population": region["population"],
            "population_year": region["population_year"],
            **{name: summary.get(name, 0) for name in _COUNTS},
            "unknown": summary.get("unknown", 0) if year is None else 0,
            "share_active": _share(summary.get("active", 0), partnerships),
            "share_dormant": _share(summary.get("dormant", 0), partnerships),
            "partner_countries": now.get(kode, {}).get("partner_countries", 0),
            "participants": participants,
            "participants_per_10k": per_10k(participants, region["population"]),
            "reported": report_status(
                expected=kode in expected,
                sent_on=report.sent_on if report else None,
                due_on=due_on,
                today=day,
            ),
            "report_sent_on": report.sent_on if report else None,
            "reported_label": "",
            "report_due_on": due_on,
            "includes_demo": summary.get("includes_demo", False),
        }
        if row["reported"]:
            row["reported_label"] = str(REPORT_STATUSES[row["reported"]])
        if level == "province":
            row["with_kab_kota"] = partnerships + extras[0].get(kode, 0)
            row["kab_kota_without"] = extras[1].get(kode, 0)
        rows.append(row)
    stamps = [summary["as_of"] for summary in now.values()]
    refreshed = [summary["refreshed_at"] for summary in now.values()]
    return NationalFigures(
        level=level,
        within=within,
        year=year,
        period=period,
        as_of=min(stamps) if stamps else None,
        refreshed_at=min(refreshed) if refreshed else None,
        includes_demo=any(row["includes_demo"] for row in rows),
        rows=rows,
    )


def summary_years() -> list[int]:
    """The years the summaries have rows for, latest first."""
    return list(
        RegionYearSummary.objects.order_by("-year").values_list("year", flat=True).distinct()
    )


# --- Partner flows ---------------------------------------------------------------------------


def _flow_partnerships(level: str | None, within: str | None) -> Any:
    partnerships = Partnership.objects.all()
    if level is not None:
        partnerships = partnerships.filter(local_region__level=LEVELS[level])
    if within:
        partnerships = partnerships.filter(
            Q(local_region_id=within) | Q(local_region__parent_id=within)
        )
    return partnerships


def region_flows(*, level: str | None = None, within: str | None = None) -> list[dict[str, Any]]:
    """Partnerships by region and partner country: ``region``, ``country``, ``partnerships``."""
    rows = (
        _flow_partnerships(level, within)
        .values("local_region_id", "local_region__name", "partner_country_id")
        .annotate(partnerships=Count("pk"))
        .order_by("local_region_id", "partner_country_id")
    )
    names = _country_names({row["partner_country_id"] for row in rows})
    return [
        {
            "region": row["local_region_id"],
            "region_name": row["local_region__name"],
            "country": row["partner_country_id"],
            "country_name": names.get(row["partner_country_id"], row["partner_country_id"]),
            "partnerships": row["partnerships"],
        }
        for row in rows
    ]


def _country_names(codes: set[str]) -> dict[str, str]:
    from kembar.geo.models import Country

    return {country.iso2: country.name for country in Country.objects.filter(iso2__in=codes)}


def country_flows(*, level: str | None = None, within: str | None = None) -> list[dict[str, Any]]:
    """Per partner country: partnerships and the regions that have them, most first."""
    partnerships: dict[str, int] = defaultdict(int)
    regions: dict[str, set[str]] = defaultdict(set)
    names: dict[str, str] = {}
    for row in region_flows(level=level, within=within):
        partnerships[row["country"]] += row["partnerships"]
        regions[row["country"]].add(row["region"])
        names[row["country"]] = row["country_name"]
    return sorted(
        (
            {
                "country": code,
                "country_name": names[code],
                "partnerships": partnerships[code],
                "regions": len(regions[code]),
            }
            for code in partnerships
        ),
        key=lambda row: (-row["partnerships"], row["country_name"]),
    )


def partner_city_flows(
    *, level: str | None = None, within: str | None = None
) -> list[dict[str, Any]]:
    """Lines for the map: from each region to each partner city (with coordinates on both ends)."""
    rows = (
        _flow_partnerships(level, within)
        .filter(
            partner_city__isnull=False,
            local_region__latitude__isnull=False,
            local_region__longitude__isnull=False,
        )
        .values(
            "local_region_id",
            "local_region__latitude",
            "local_region__longitude",
            "partner_city_id",
            "partner_city__name",
            "partner_city__latitude",
            "partner_city__longitude",
            "partner_country_id",
        )
        .annotate(partnerships=Count("pk"))
        .order_by("local_region_id", "partner_city_id")
    )
    return [
        {
            "region": row["local_region_id"],
            "from": [row["local_region__latitude"], row["local_region__longitude"]],
            "city": row["partner_city__name"],
            "country": row["partner_country_id"],
            "to": [row["partner_city__latitude"], row["partner_city__longitude"]],
            "partnerships": row["partnerships"],
        }
        for row in rows
    ]
