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
and protect small cells (UU PDP 27/2022), with
:func:`kembar.analytics.disclosure.suppress_margins`:

- The districts (with "outside the city" as one more cell), groups, genders
  and years are four one-way tables of the same local participants; they add
  up to the same total, which is published as ``total``.  A total of 1–4
  hides everything, zeros included.
- In each table a cell of 1–4 people is hidden, and so many more non-zero
  cells (the smallest first) that no hidden cell can be recomputed from the
  total: at least two hidden cells holding at least 5 people together, and
  more than one person per hidden cell.  A table that cannot be protected so
  is hidden whole, zeros included.
- Zeros are shown (they describe nobody).  A hidden cell is therefore
  "someone, not shown", and coverage and the never-reached list, which count
  hidden cells as reached, reveal nothing more than the table does.
- Every other figure (participant shares, representation ratios, Gini,
  Theil, coverage, never reached, where to act) is computed from a stand-in
  table made of published information only: shown cells as they are, the
  remainder (total minus shown cells, which anyone can compute) spread evenly
  over the hidden cells (:func:`~kembar.analytics.disclosure.stand_in`).  So
  none of them lets a hidden cell be recomputed; for the same reason they may
  differ slightly from the staff figures.  A hidden cell's own rate, shares,
  ratio and gap are not shown, and where-to-act suggestions name kinds of
  activity without their participant counts.  A table hidden whole gives no
  derived figure at all.

Known limit: the tables are protected within one answer.  Answers for two
different filters (say two periods that overlap) can still be subtracted
from each other; this is the classic differencing problem of flexible
tables (Hundepool et al., *Statistical Disclosure Control*, 2012, ch. 4).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet, Sum
from django.utils.translation import gettext as _

from kembar.accounts.models import Role
from kembar.accounts.rules import LOCAL_ROLES, has_role, serves_region
from kembar.analytics.disclosure import (
    THRESHOLD,
    MarginsSuppression,
    stand_in,
    suppress_margins,
)
from kembar.analytics.reach import ReachSummary, summary, where_to_act
from kembar.geo.models import Region, RegionLevel, RegionPopulation
from kembar.insights.models import ReferencePopulation
from kembar.partnerships.access import listed_partnerships, listed_partnerships_through
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
    "reach_visibility",
    "sees_internal_figures",
]

#: Cells with fewer people than this are not shown in public.
SMALL_CELL = THRESHOLD


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
    total: int
    #: What the public may not see (None for staff figures).
    protection: MarginsSuppression | None = None

    def as_dict(self) -> dict[str, Any]:
        """The API answer: the contract keys first, then the rest of the dashboard."""
        data = self.summary.to_dict()
        protection = self.protection
        hidden_groups = protection.withheld["groups"] if protection else frozenset()
        if not self.group_population_known and not (
            protection and "groups" in protection.fully_withheld
        ):
            # Without a population per group "reached at all" still has a meaning.
            reached = [row for row in data["groups"] if row["participants"]]
            data["coverage"]["groups"] = round(len(reached) / len(data["groups"]), 6)
            data["never_reached"] += [
                {"kind": "group", "kode": row["kode"], "name": row["name"], "population": 0}
                for row in data["groups"]
                if not row["participants"] and row["kode"] not in hidden_groups
            ]
        result: dict[str, Any] = {
            "districts": data["districts"],
            "groups": data["groups"],
            "gini": data["gini"],
            "theil": data["theil"],
            "coverage": data["coverage"],
            "never_reached": data["never_reached"],
            "outside_city": data["outside_city"],
            "total": self.total,
            "gender": self.genders,
            "years": self.years,
            "where_to_act": self.where_to_act,
            "region": {"kode": self.filters.region, "name": self.region_name},
            "population_year": self.population_year,
            "filters": self.filters.as_dict(),
            "includes_demo": self.includes_demo,
            "public": self.public,
        }
        if protection is not None:
            _suppress(result, protection)
        return result


#: The key of "outside the city" in the districts table given to the suppression.
OUTSIDE = ""

#: The figures of a row that describe a hidden cell.
_CELL_FIGURES = ("participants", "per_10k", "participant_share", "representation_ratio", "share")


def _suppress(result: dict[str, Any], protection: MarginsSuppression) -> None:
    """Blank what the protection hides, and every figure of a hidden cell (see the module)."""
    keys = {"districts": "kode", "groups": "kode", "gender": "code", "years": "year"}
    for table, key in keys.items():
        for row in result[table]:
            if protection.is_withheld(table, row[key]):
                row["suppressed"] = True
                for name in _CELL_FIGURES:
                    if name in row:
                        row[name] = None
    if protection.is_withheld("districts", OUTSIDE):
        result["outside_city"] = None
    if protection.total_withheld:
        result["total"] = None
    if "districts" in protection.fully_withheld:
        result["gini"] = result["theil"] = result["coverage"]["districts"] = None
    if "groups" in protection.fully_withheld:
        result["coverage"]["groups"] = None
    hidden = {
        "district": protection.withheld["districts"],
        "group": protection.withheld["groups"],
    }
    result["never_reached"] = [
        unit for unit in result["never_reached"] if unit["kode"] not in hidden[unit["kind"]]
    ]
    actions = []
    for unit in result["where_to_act"]:
        tables = {"district": "districts", "group": "groups"}
        if tables[unit["kind"]] in protection.fully_withheld:
            continue
        if unit["kode"] in hidden[unit["kind"]]:
            unit["suppressed"] = True
            unit["representation_ratio"] = unit["missing_participants"] = None
        for suggestion in unit["suggested_kinds"]:
            suggestion["participants"] = None
        actions.append(unit)
    result["where_to_act"] = actions


def _visible_rollup(*, public: bool, user: Any) -> QuerySet[ParticipantRollup]:
    """Summary rows of the partnerships the public (or ``user``) may see."""
    if public and not has_role(user, Role.PARTNER_COUNTERPART):
        return ParticipantRollup.objects.filter(partnership__is_public=True)
    # A partner counterpart's figures are of their own partnerships only (public or
    # not, as the rules let them see those), on every page; small cells stay suppressed.
    return ParticipantRollup.objects.filter(listed_partnerships_through(user))


def reach_visibility(*, public: bool, user: Any, region: str | None = None) -> tuple[Any, ...]:
    """What the figures of :func:`reach_figures` depend on besides the data and the filters.

    The partnerships whose summary rows the figures count, as a key for a cache of
    figures computed once for every user who may see the same.  The figures of a
    ``region`` read only its rows, so only its partnerships are in the key: the key
    costs the same on an installation of 552 regions as on one.
    """
    if public and not has_role(user, Role.PARTNER_COUNTERPART):
        return ("public",)
    partnerships = listed_partnerships(user)
    if region is not None:
        partnerships = partnerships.filter(local_region_id=region)
    return tuple(partnerships.order_by("pk").values_list("pk", flat=True))


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
    margins: dict[str, dict[Any, int]] = {
        "districts": {**{kode: districts.get(kode, 0) for kode in population}, OUTSIDE: outside},
        "groups": {code: totals[ReachDimension.GROUP].get(code, 0) for code in group_population},
        "gender": {code: totals[ReachDimension.GENDER].get(code, 0) for code in Gender.values},
        "years": {year: by_year[year] for year in sorted(by_year)},
    }
    total = sum(margins["districts"].values())
    protection = suppress_margins(margins, total=total) if public else None
    if protection is not None:
        # Everything below is computed from published information only (see the module).
        margins = {
            name: stand_in(counts, protection.withheld[name], total)
            for name, counts in margins.items()
        }
    basis_districts = dict(margins["districts"])
    result = summary(
        {kode: n for kode, n in basis_districts.items() if kode != OUTSIDE and n},
        population,
        {code: n for code, n in margins["groups"].items() if n},
        group_population,
        district_names=district_names,
        group_names=group_names,
        outside_city=basis_districts[OUTSIDE],
    )

    district_activity = {
        key: total
        for key, total in by_kind[ReachDimension.DISTRICT].items()
        if key[1] in population
    }
    group_activity = dict(by_kind[ReachDimension.GROUP])
    # "Elsewhere" is every group count of the region outside the selection (other years,
    # sectors, kinds, partnerships): the region's minus the selection's.  Other regions'
    # records are not read, so the page costs the same on an installation of 552 regions
    # as on one (bench/national.py).
    everywhere = _visible_rollup(public=public, user=user).filter(
        local_region_id=filters.region, dimension=ReachDimension.GROUP
    )
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

    genders = _genders(margins["gender"], region)
    years = [{"year": year, "participants": n} for year, n in margins["years"].items()]
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
        total=total,
        protection=protection,
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
