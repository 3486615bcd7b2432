"""A region beside the regions most like it: population, GRDP per capita, island group.

**Similar** means, among the regions of the same level (kabupaten/kota with
kabupaten/kota, provinces with provinces), the smallest distance

.. math::

    d = |\\ln P - \\ln P_0| + [\\text{other island group}]
        + |\\ln g - \\ln g_0| \\;\\text{(only where both have } g \\text{ on the same basis)}

with :math:`P` the population and :math:`g` the GRDP per capita: a region twice
as large is as far as one on another island group.  Regions without a population
are not compared.

**GRDP per capita** only where Kembar ships the region's GRDP
(:data:`kembar.insights.economy.REGIONS`: Jawa Tengah at current prices
2020–2024, Kota Semarang at constant 2010 prices 2014–2016): the sum of the 17
sectors of the latest year of the file, in rupiah, divided by the region's
population (of its own year, which may differ).  Elsewhere it is "not
available"; two figures on different price bases are shown but never compared.
"""

from __future__ import annotations

import csv
import functools
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from kembar.geo.models import Region, RegionLevel
from kembar.insights.economy import GRDP_UNIT_IDR, REGIONS
from kembar.national.selectors import region_figures

__all__ = ["Comparison", "Grdp", "grdp_of", "similar_regions"]

#: How many similar regions are shown.
SIMILAR = 5


@dataclass(frozen=True)
class Grdp:
    """A region's GRDP (sum of the 17 sectors) of one year, in rupiah."""

    year: int
    basis: str
    rupiah: float
    file: str


@functools.lru_cache(maxsize=16)
def _grdp_file(path: Path, basis: str) -> Grdp | None:
    totals: dict[int, float] = {}
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            for row in csv.DictReader(handle):
                # A file with a basis column holds both price bases; one without, the source's.
                row_basis = (row.get("basis") or "").strip()
                if row_basis and row_basis != basis:
                    continue
                if (row.get("sector_code") or "").strip().upper() == "TOTAL":
                    continue
                for column, text in row.items():
                    if column and column.startswith("y") and column[1:].isdigit() and text:
                        totals[int(column[1:])] = totals.get(int(column[1:]), 0.0) + float(text)
    except (FileNotFoundError, ValueError):
        return None
    if not totals:
        return None
    year = max(totals)
    return Grdp(year=year, basis=basis, rupiah=totals[year] * GRDP_UNIT_IDR, file=path.name)


def grdp_of(kode: str) -> Grdp | None:
    """The shipped GRDP of region ``kode`` (its latest year), None where Kembar has none."""
    source = REGIONS.get(kode)
    if source is None:
        return None
    return _grdp_file(Path(settings.KEMBAR_DATA_DIR) / source.path, source.basis)


def _per_capita(kode: str, population: int | None) -> dict[str, Any] | None:
    grdp = grdp_of(kode)
    if grdp is None or not population:
        return None
    return {
        "value": round(grdp.rupiah / population),
        "year": grdp.year,
        "basis": grdp.basis,
        "file": grdp.file,
    }


def _distance(row: dict[str, Any], base: dict[str, Any]) -> float:
    distance = abs(math.log(row["population"]) - math.log(base["population"]))
    distance += 0.0 if row["island"] == base["island"] else 1.0
    mine, theirs = base["grdp_per_capita"], row["grdp_per_capita"]
    if mine and theirs and mine["basis"] == theirs["basis"]:
        distance += abs(math.log(theirs["value"]) - math.log(mine["value"]))
    return round(distance, 4)


@dataclass
class Comparison:
    region: dict[str, Any]
    similar: list[dict[str, Any]]

    @property
    def rows(self) -> list[dict[str, Any]]:
        """The region first, then the similar ones (the table and its CSV)."""
        return [self.region, *self.similar]


def similar_regions(kode: str, *, count: int = SIMILAR) -> Comparison | None:
    """Region ``kode`` (a province or kabupaten/kota) and the ``count`` regions most like it."""
    region = Region.objects.filter(kode=kode).values("level").first()
    if region is None:
        return None
    if region["level"] == RegionLevel.PROVINCE:
        level = "province"
    elif region["level"] == RegionLevel.REGENCY_CITY:
        level = "kab_kota"
    else:
        return None
    rows = region_figures(level=level).rows
    for row in rows:
        row["grdp_per_capita"] = _per_capita(row["kode"], row["population"])
    base = next(row for row in rows if row["kode"] == kode)
    base["distance"] = 0.0
    if not base["population"]:
        return Comparison(region=base, similar=[])
    candidates = [row for row in rows if row["kode"] != kode and row["population"]]
    for row in candidates:
        row["distance"] = _distance(row, base)
    candidates.sort(key=lambda row: (row["distance"], row["kode"]))
    return Comparison(region=base, similar=candidates[:count])
