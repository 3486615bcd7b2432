"""Reach figures for a region: load the participant summary and populations, call analytics.

The dashboard, its CSV downloads and ``/api/v1/insights/reach/`` all come
from :func:`reach_figures`, which reads the participant summary
(:class:`~kembar.programs.models.ParticipantRollup`), so its cost depends on
the number of (partnership, sector, kind, year) combinations, not on the
number of participant counts.

Populations: districts (kecamatan) from the published series, the latest
observed year not after the end of the period (else the nearest
projection); gender from the region's population by sex; stakeholder groups
from :class:`~kembar.insights.models.ReferencePopulation`, entered by an
administrator with its source, since no official statistic counts them.
Without a reference the group's participants are shown, its representation
ratio is not.

Public figures (``public=True``) count only partnerships shown to the public
and suppress small cells: a district, group, gender or year with 1–4
participants shows no number (UU PDP 27/2022).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet, Sum
from django.utils.translation import gettext as _

from kembar.accounts.models import Role
from kembar.accounts.rules import LOCAL_ROLES, has_role, serves_region
from kembar.analytics.reach import ReachSummary, summary, where_to_act
from kembar.geo.models import Region, RegionLevel, RegionPopulation
from kembar.insights.models import ReferencePopulation
from kembar.partnerships.access import visible_partnerships_q
from kembar.partnerships.models import Partnership
from kembar.programs.models import (
    ActivityKind,
    Gender,
    ParticipantRollup,
    ReachDimension,
    StakeholderGroup,
)

__all__ = [
    "SMALL_CELL",
    "ReachFigures",
    "ReachFilters",
    "district_population",
    "reach_figures",
    "sees_internal_figures",
]

#: Cells with fewer people than this are not shown in public.
SMALL_CELL = 5


@dataclass(frozen=True, slots=True)
class ReachFilters:
    region: str
    partnership: str = ""
    sector: int | None = None
    kind: str = ""
    year_from: int | None = None
    year_to: int | None = None
    demo: bool | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "region": self.region,
            "partnership": self.partnership or None,
            "sector": self.sector,
            "kind": self.kind or None,
            "year_from": self.year_from,
            "year_to": self.year_to,
            "demo": self.demo,
        }


@dataclass
class ReachFigures:
    """Everything the dashboard shows, ready for a template, a CSV or JSON."""

    filters: ReachFilters
    region_name: str
    summary: ReachSummary
    population_year: int | None
    genders: list[dict[str, Any]]
    years: list[dict[str, Any]]
    where_to_act: list[dict[str, Any]]
    includes_demo: bool
    public: bool
    group_population_known: bool
    suppressed: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The API answer: the contract keys first, then the rest of the dashboard."""
        data = self.summary.to_dict()
        if not self.group_population_known:
            # Without a population per group "reached at all" still has a meaning.
            reached = [row for row in data["groups"] if row["participants"]]
            data["coverage"]["groups"] = round(len(reached) / len(data["groups"]), 6)
            data["never_reached"] += [
                {"kind": "group", "kode": row["kode"], "name": row["name"], "population": 0}
                for row in data["groups"]
                if not row["participants"]
            ]
        result: dict[str, Any] = {
            "districts": data["districts"],
            "groups": data["groups"],
            "gini": data["gini"],
            "theil": data["theil"],
            "coverage": data["coverage"],
            "never_reached": data["never_reached"],
            "outside_city": data["outside_city"],
            "gender": self.genders,
            "years": self.years,
            "where_to_act": self.where_to_act,
            "region": {"kode": self.filters.region, "name": self.region_name},
            "population_year": self.population_year,
            "filters": self.filters.as_dict(),
            "includes_demo": self.includes_demo,
            "public": self.public,
        }
        if self.public:
            _suppress(result)
        return result


def _suppress(result: dict[str, Any]) -> None:
    """Blank the numbers of small cells (1–4 people) and what would reveal them."""
    for table in ("districts", "groups", "gender", "years"):
        for row in result[table]:
            if 0 < (row.get("participants") or 0) < SMALL_CELL:
                row["participants"] = None
                row["suppressed"] = True
                for name in ("per_10k", "participant_share", "representation_ratio", "share"):
                    if name in row:
                        row[name] = None
    if 0 < (result["outside_city"] or 0) < SMALL_CELL:
        result["outside_city"] = None


def _visible_rollup(*, public: bool, user: Any) -> QuerySet[ParticipantRollup]:
    """Summary rows of the partnerships the public (or ``user``) may see."""
    if public:
        return ParticipantRollup.objects.filter(partnership__is_public=True)
    return ParticipantRollup.objects.filter(
        partnership__in=Partnership.objects.filter(
            visible_partnerships_q(user, include_public=True)
        ).values("pk")
    )


def _rollup(filters: ReachFilters, *, public: bool, user: Any) -> QuerySet[ParticipantRollup]:
    rows = _visible_rollup(public=public, user=user).filter(local_region_id=filters.region)
    if filters.partnership:
        rows = rows.filter(partnership__slug=filters.partnership)
    if filters.sector is not None:
        rows = rows.filter(sector_id=filters.sector)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.year_from is not None:
        rows = rows.filter(year__gte=filters.year_from)
    if filters.year_to is not None:
        rows = rows.filter(year__lte=filters.year_to)
    if filters.demo is not None:
        rows = rows.filter(is_demo=filters.demo)
    return rows


def sees_internal_figures(user: Any, region: str) -> bool:
    """Whether ``user`` gets the staff figures of ``region`` (else the public ones)."""
    if has_role(user, Role.ADMINISTRATOR):
        return True
    return has_role(user, *LOCAL_ROLES) and serves_region(user, region)


def district_population(region: str, year: int | None) -> tuple[dict[str, int], int | None]:
    """Residents by kecamatan: the latest observed figure not after ``year``, else the nearest.

    Returns the populations and the year they are for (None when there is none).
    """
    figures = RegionPopulation.objects.filter(
        region__parent_id=region, region__level=RegionLevel.DISTRICT
    ).values_list("region_id", "year", "kind", "population")
    by_year: dict[int, dict[str, int]] = defaultdict(dict)
    observed: set[int] = set()
    for kode, figure_year, kind, population in figures:
        if kind == RegionPopulation.Kind.OBSERVED:
            observed.add(figure_year)
            by_year[figure_year][kode] = population
        else:
            by_year.setdefault(figure_year, {}).setdefault(kode, population)
    if not by_year:
        return {}, None
    wanted = year if year is not None else max(observed or by_year)
    earlier = [y for y in observed if y <= wanted]
    chosen = max(earlier) if earlier else min(by_year, key=lambda y: (abs(y - wanted), y))
    return by_year[chosen], chosen


def reach_figures(*, filters: ReachFilters, user: Any = None, public: bool = False) -> ReachFigures:
    """The reach of the activities ``filters`` select, for ``user`` (or the public)."""
    region = Region.objects.filter(kode=filters.region).first()
    rows = _rollup(filters, public=public, user=user)
    # One pass over the summary; everything below is summed from these few thousand cells.
    cells = list(
        rows.values("kind", "year", "is_demo", "dimension", "category")
        .annotate(total=Sum("participants"))
        .order_by()
    )
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_kind: dict[str, dict[tuple[str, str], int]] = defaultdict(lambda: defaultdict(int))
    by_year: dict[int, int] = defaultdict(int)
    for cell in cells:
        totals[cell["dimension"]][cell["category"]] += cell["total"]
        by_kind[cell["dimension"]][(cell["kind"], cell["category"])] += cell["total"]
        if cell["dimension"] == ReachDimension.DISTRICT:
            by_year[cell["year"]] += cell["total"]
    districts = dict(totals[ReachDimension.DISTRICT])
    outside = districts.pop("", 0)

    population, population_year = district_population(filters.region, filters.year_to)
    district_names = dict(
        Region.objects.filter(parent_id=filters.region, level=RegionLevel.DISTRICT).values_list(
            "kode", "name"
        )
    )
    for kode in district_names:
        population.setdefault(kode, 0)
    unknown = set(districts) - set(population)
    for kode in unknown:  # a home kecamatan with no published population
        population[kode] = 0

    references = dict(
        ReferencePopulation.objects.filter(
            region_id=filters.region, dimension=ReachDimension.GROUP
        ).values_list("category", "population")
    )
    group_population = {code: references.get(code, 0) for code in StakeholderGroup.values}
    group_names = {code: str(label) for code, label in StakeholderGroup.choices}
    result = summary(
        districts,
        population,
        dict(totals[ReachDimension.GROUP]),
        group_population,
        district_names=district_names,
        group_names=group_names,
        outside_city=outside,
    )

    district_activity = {
        key: total
        for key, total in by_kind[ReachDimension.DISTRICT].items()
        if key[1] in population
    }
    group_activity = dict(by_kind[ReachDimension.GROUP])
    # "Elsewhere" is every group count outside the selection: all of them minus the selection's.
    everywhere = _visible_rollup(public=public, user=user).filter(dimension=ReachDimension.GROUP)
    group_elsewhere = {
        (item["kind"], item["category"]): item["total"]
        - group_activity.get((item["kind"], item["category"]), 0)
        for item in everywhere.values("kind", "category")
        .annotate(total=Sum("participants"))
        .order_by()
    }
    kind_names = dict(ActivityKind.choices)
    actions = []
    for unit in where_to_act(
        result,
        district_activity=district_activity,
        group_activity=group_activity,
        group_elsewhere=group_elsewhere,
    ):
        if unit.kind == "group" and not references.get(unit.code):
            continue  # no population to say a group is under-reached
        item = unit.to_dict()
        for suggestion in item["suggested_kinds"]:
            suggestion["name"] = str(kind_names.get(suggestion["activity_kind"], ""))
        actions.append(item)

    genders = _genders(dict(totals[ReachDimension.GENDER]), region)
    years = [{"year": year, "participants": by_year[year]} for year in sorted(by_year)]
    return ReachFigures(
        filters=filters,
        region_name=region.name if region else filters.region,
        summary=result,
        population_year=population_year,
        genders=genders,
        years=years,
        where_to_act=actions,
        includes_demo=any(cell["is_demo"] for cell in cells),
        public=public,
        group_population_known=bool(references),
    )


def _genders(counts: dict[str, int], region: Region | None) -> list[dict[str, Any]]:
    """Participants by gender against the region's residents by sex."""
    residents: dict[str, int | None] = {
        Gender.FEMALE.value: region.population_female if region else None,
        Gender.MALE.value: region.population_male if region else None,
    }
    stated = sum(counts.get(code, 0) for code in residents)
    people = sum(value or 0 for value in residents.values())
    rows = []
    for code, label in Gender.choices:
        participants = counts.get(code, 0)
        population = residents.get(code)
        share = participants / stated if stated and code in residents else None
        population_share = population / people if population and people else None
        rows.append(
            {
                "code": code,
                "name": str(label),
                "participants": participants,
                "share": round(share, 6) if share is not None else None,
                "population": population,
                "population_share": (
                    round(population_share, 6) if population_share is not None else None
                ),
                "representation_ratio": (
                    round(share / population_share, 6)
                    if share is not None and population_share
                    else None
                ),
            }
        )
    return rows


def reach_filters_label(filters: ReachFilters) -> str:
    """A one-line description of the filters, for a CSV header or a caption."""
    parts = [filters.region]
    if filters.partnership:
        parts.append(_("partnership %(slug)s") % {"slug": filters.partnership})
    if filters.sector is not None:
        parts.append(_("sector %(code)s") % {"code": filters.sector})
    if filters.kind:
        parts.append(str(dict(ActivityKind.choices).get(filters.kind, filters.kind)))
    if filters.year_from or filters.year_to:
        parts.append(f"{filters.year_from or '…'}–{filters.year_to or '…'}")
    return ", ".join(parts)
