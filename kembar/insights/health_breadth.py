"""Breadth of a partnership: the sectors, agencies, kecamatan and groups its activities reached.

The fourth input of the health score (:mod:`kembar.analytics.health`,
component ``breadth``).  Each dimension is *reached / total*, counted from the
activities that took place (ongoing or completed, as for the events of
:func:`kembar.insights.health.partnership_events`), dated by their start:

- **sectors**: the activities' sectors against every sector of the
  Input-Output table (the rows of the cross-sector matrix, ``Sector``): a
  partnership run in one sector reaches a small share of what the city's
  economy links;
- **agencies**: the responsible agencies against the agencies (OPD) of the
  partnership's local government;
- **kecamatan**: the kecamatan an activity was held in (a kelurahan counts
  for its kecamatan) against the kecamatan of the local region;
- **groups**: the stakeholder groups of the local people who took part
  (counts above zero) against every group.

A dimension whose total is zero (no agencies or kecamatan loaded) is left
out, and the library then averages the others; with none left the score is
computed without breadth.  Reached keys outside the totals (an agency of
another region) are not counted, so reached never exceeds total.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q

from kembar.accounts.models import Organisation, OrganisationKind
from kembar.geo.models import Region, RegionLevel
from kembar.partnerships.models import Partnership
from kembar.programs.models import (
    Activity,
    ActivityStatus,
    ParticipantCount,
    ParticipantSide,
    Sector,
    StakeholderGroup,
)

__all__ = ["Breadth", "partnership_breadth"]

DIMENSIONS = ("sectors", "agencies", "kecamatan", "groups")


@dataclass
class Breadth:
    """One partnership's reach: for each dimension, the day each key was first reached."""

    totals: dict[str, frozenset[object]]
    first: dict[str, dict[object, dt.date]] = field(default_factory=dict)

    def reach(self, dimension: str, key: object, day: dt.date) -> None:
        if key not in self.totals[dimension]:
            return
        known = self.first.setdefault(dimension, {})
        if key not in known or day < known[key]:
            known[key] = day

    def as_of(self, day: dt.date) -> dict[str, tuple[int, int]] | None:
        """``{dimension: (reached, total)}`` on ``day``, the library's ``breadth`` argument.

        >>> b = Breadth({"sectors": frozenset({1, 2, 3, 4}), "agencies": frozenset()})
        >>> b.reach("sectors", 2, dt.date(2024, 5, 1))
        >>> b.reach("sectors", 9, dt.date(2024, 5, 1))  # not a sector: ignored
        >>> b.as_of(dt.date(2024, 4, 30)), b.as_of(dt.date(2024, 5, 1))
        ({'sectors': (0, 4)}, {'sectors': (1, 4)})
        """
        out = {}
        for dimension in DIMENSIONS:
            total = self.totals.get(dimension, frozenset())
            if total:
                dates = self.first.get(dimension, {}).values()
                out[dimension] = (sum(1 for when in dates if when <= day), len(total))
        return out or None


def _totals(regions: set[str]) -> dict[str, dict[str, frozenset[object]]]:
    sectors = frozenset(Sector.objects.values_list("code", flat=True))
    groups = frozenset(StakeholderGroup.values)
    agencies: dict[str, set[object]] = defaultdict(set)
    for pk, own, parent in Organisation.objects.filter(
        Q(region_id__in=regions) | Q(parent__region_id__in=regions), kind=OrganisationKind.AGENCY
    ).values_list("pk", "region_id", "parent__region_id"):
        agencies[own or parent].add(pk)
    kecamatan: dict[str, set[object]] = defaultdict(set)
    for kode, parent in Region.objects.filter(
        parent_id__in=regions, level=RegionLevel.DISTRICT
    ).values_list("kode", "parent_id"):
        kecamatan[parent].add(kode)
    return {
        region: {
            "sectors": sectors,
            "agencies": frozenset(agencies[region]),
            "kecamatan": frozenset(kecamatan[region]),
            "groups": groups,
        }
        for region in regions
    }


def _kecamatan(kode: str | None, region: str) -> str | None:
    """The kecamatan code of a place in ``region`` (``33.74.01`` for ``33.74.01.1001``)."""
    if not kode or not kode.startswith(region + "."):
        return None
    return ".".join(kode.split(".")[:3])


def partnership_breadth(
    partnerships: Iterable[Partnership], *, demo: bool | None = None
) -> dict[int, Breadth]:
    """The breadth of each partnership (by primary key); four queries and the totals'."""
    rows = list(partnerships)
    regions = {p.local_region_id for p in rows}
    totals = _totals(regions)
    out = {p.pk: Breadth(totals[p.local_region_id]) for p in rows}
    region_of = {p.pk: p.local_region_id for p in rows}
    held = Activity.objects.filter(
        partnership_id__in=out, status__in=(ActivityStatus.ONGOING, ActivityStatus.COMPLETED)
    )
    if demo is not None:
        held = held.filter(is_demo=demo)
    for pid, start, sector, agency, place in held.values_list(
        "partnership_id", "start_date", "sector_id", "agency_id", "place_region_id"
    ):
        breadth = out[pid]
        breadth.reach("sectors", sector, start)
        breadth.reach("agencies", agency, start)
        breadth.reach("kecamatan", _kecamatan(place, region_of[pid]), start)
    counts = (
        ParticipantCount.objects.filter(activity__in=held, side=ParticipantSide.LOCAL, count__gt=0)
        .values_list("activity__partnership_id", "activity__start_date", "group")
        .order_by()  # in no order: the default one joins the kecamatan and sorts every count
    )
    for pid, start, group in counts:
        out[pid].reach("groups", group, start)
    return out
