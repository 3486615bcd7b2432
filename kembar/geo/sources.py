"""Read and check the geographic reference files shipped in ``kembar/data``.

Every reader returns plain dataclasses and raises
:class:`~kembar.geo.errors.ReferenceDataError` naming the file, the line and
the problem.  Nothing here touches the database: the loader reads and checks
everything first and only then writes, so a bad file changes nothing.
"""

from __future__ import annotations

import csv
import gettext
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pycountry

from kembar.geo.errors import ReferenceDataError

__all__ = [
    "CountryRow",
    "PopulationFigure",
    "RegionRow",
    "read_centroids",
    "read_countries",
    "read_csv",
    "read_region_areas",
    "read_region_populations",
    "read_regions",
    "read_series_by_year",
    "repaired_code",
]

LEVELS = ("provinsi", "kabupaten_kota", "kecamatan", "desa_kelurahan")
_CODE_PATTERNS = {
    "provinsi": re.compile(r"^\d{2}$"),
    "kabupaten_kota": re.compile(r"^\d{2}\.\d{2}$"),
    "kecamatan": re.compile(r"^\d{2}\.\d{2}\.\d{2}$"),
    "desa_kelurahan": re.compile(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$"),
}
_KINDS = {
    "provinsi": {""},
    "kabupaten_kota": {"kabupaten", "kota"},
    "kecamatan": {""},
    "desa_kelurahan": {"desa", "kelurahan"},
}


def read_header(path: Path) -> list[str]:
    """The column names of a CSV file."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), None)
    except FileNotFoundError:
        raise ReferenceDataError(path, "file not found") from None
    except (csv.Error, UnicodeDecodeError) as exc:
        raise ReferenceDataError(path, f"unreadable header: {exc}", line=1) from None
    if header is None:
        raise ReferenceDataError(path, "file is empty, expected a header", line=1)
    return [name.strip() for name in header]


def read_csv(path: Path, columns: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield ``(line, row)`` from a UTF-8 CSV whose header holds ``columns``.

    Extra columns are allowed, in any order (a later file may add some);
    missing ones are not.  ``line`` is the line where the row starts (the
    header is line 1; a quoted field may span lines).  Blank lines are
    skipped, a byte-order mark is ignored, and fields are stripped.
    """
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except FileNotFoundError:
        raise ReferenceDataError(path, "file not found") from None
    with handle:
        reader = csv.reader(handle)
        try:
            header = [name.strip() for name in next(reader)]
        except StopIteration:
            raise ReferenceDataError(path, "file is empty, expected a header", line=1) from None
        except (csv.Error, UnicodeDecodeError) as exc:
            raise ReferenceDataError(path, f"unreadable header: {exc}", line=1) from None
        missing = [name for name in columns if name not in header]
        if missing:
            raise ReferenceDataError(
                path,
                f"header lacks column(s) {', '.join(missing)}; found {', '.join(header)}",
                line=1,
            )
        previous_end = reader.line_num
        while True:
            line = previous_end + 1
            try:
                fields = next(reader)
            except StopIteration:
                return
            except (csv.Error, UnicodeDecodeError) as exc:
                raise ReferenceDataError(path, f"not valid CSV: {exc}", line=line) from None
            previous_end = reader.line_num
            if not fields:
                continue
            if len(fields) != len(header):
                raise ReferenceDataError(
                    path,
                    f"expected {len(header)} fields as in the header, found {len(fields)}",
                    line=line,
                )
            yield line, dict(zip(header, (field.strip() for field in fields), strict=True))


def _int(path: Path, line: int, column: str, value: str, *, minimum: int = 0) -> int:
    try:
        number = int(value)
    except ValueError:
        raise ReferenceDataError(
            path, f"column {column}: {value!r} is not a whole number", line=line
        ) from None
    if number < minimum:
        raise ReferenceDataError(path, f"column {column}: {number} is below {minimum}", line=line)
    return number


def _float(path: Path, line: int, column: str, value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise ReferenceDataError(
            path, f"column {column}: {value!r} is not a number", line=line
        ) from None
    if not number >= 0 or number == float("inf"):
        raise ReferenceDataError(
            path, f"column {column}: {value!r} must be a finite number ≥ 0", line=line
        )
    return number


# --- Countries -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CountryRow:
    iso2: str
    iso3: str
    numeric: str
    name_en: str
    name_id: str


# Names the interface shows instead of ISO's formal ones ("Korea, Republic of").
_COMMON_NAMES_EN = {
    "BO": "Bolivia",
    "BN": "Brunei",
    "CD": "DR Congo",
    "FM": "Micronesia",
    "IR": "Iran",
    "KP": "North Korea",
    "KR": "South Korea",
    "LA": "Laos",
    "MD": "Moldova",
    "PS": "Palestine",
    "RU": "Russia",
    "SY": "Syria",
    "TW": "Taiwan",
    "TZ": "Tanzania",
    "VE": "Venezuela",
    "VN": "Vietnam",
}


# Indonesian official short names where the iso-codes translation differs: the usage of
# Kementerian Luar Negeri (Tiongkok since Keppres 12/2014; Prancis as KBBI spells it; the short
# name rather than ISO's "Iran, Republik Islam"), and never a name that denies a state
# (Timor-Leste, not the province name "Timor Timur"; Taiwan, not "Provinsi China").
_OFFICIAL_NAMES_ID = {
    "AE": "Persatuan Emirat Arab",
    "BO": "Bolivia",
    "BQ": "Bonaire, Sint Eustatius dan Saba",
    "CD": "Republik Demokratik Kongo",
    "CG": "Kongo",
    "CN": "Tiongkok",
    "CX": "Pulau Christmas",
    "CZ": "Ceko",
    "ET": "Etiopia",
    "FM": "Mikronesia",
    "FR": "Prancis",
    "GF": "Guyana Prancis",
    "IR": "Iran",
    "LA": "Laos",
    "MD": "Moldova",
    "MF": "Saint Martin (wilayah Prancis)",
    "MO": "Makau",
    "PF": "Polinesia Prancis",
    "PS": "Palestina",
    "RU": "Rusia",
    "TF": "Wilayah Selatan Prancis",
    "TL": "Timor-Leste",
    "TW": "Taiwan",
    "VA": "Takhta Suci (Vatikan)",
    "VE": "Venezuela",
}


def read_countries() -> list[CountryRow]:
    """Countries of ISO 3166-1 from pycountry, named in English and Indonesian.

    Indonesian names come from the iso-codes translations that pycountry
    ships, corrected to official Indonesian usage (:data:`_OFFICIAL_NAMES_ID`).
    Kosovo, which ISO has not coded but GeoNames and the twin-town lists use,
    is added with its user-assigned code ``XK``.
    """
    translation = gettext.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=["id"], fallback=True
    )
    rows = []
    for country in pycountry.countries:
        common = getattr(country, "common_name", None)
        name_en = _COMMON_NAMES_EN.get(country.alpha_2, common or country.name)
        name_id = translation.gettext(common or country.name)
        if name_id == (common or country.name):
            name_id = translation.gettext(country.name)
        name_id = _OFFICIAL_NAMES_ID.get(country.alpha_2, name_id)
        rows.append(CountryRow(country.alpha_2, country.alpha_3, country.numeric, name_en, name_id))
    rows.append(CountryRow("XK", "XKX", "", "Kosovo", "Kosovo"))
    return rows


# --- Indonesian regions ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RegionRow:
    kode: str
    name: str
    level: str
    parent: str | None
    kind: str


def read_regions(path: Path) -> list[RegionRow]:
    """Regions from ``wilayah_kemendagri_*.csv`` (``kode,nama,level,parent_kode,jenis``).

    Checks each code against its level, that every parent exists at the level
    above, and that no code repeats.  Rows come back parents first.
    """
    rows: dict[str, RegionRow] = {}
    lines: dict[str, int] = {}
    for line, raw in read_csv(path, ("kode", "nama", "level", "parent_kode", "jenis")):
        kode, level = raw["kode"], raw["level"]
        if level not in _CODE_PATTERNS:
            raise ReferenceDataError(
                path, f"column level: {level!r} is not one of {', '.join(LEVELS)}", line=line
            )
        if not _CODE_PATTERNS[level].match(kode):
            raise ReferenceDataError(
                path, f"column kode: {kode!r} is not a code of level {level}", line=line
            )
        if kode in rows:
            raise ReferenceDataError(
                path, f"column kode: {kode} repeats line {lines[kode]}", line=line
            )
        if not raw["nama"]:
            raise ReferenceDataError(path, "column nama is empty", line=line)
        parent = raw["parent_kode"] or None
        expected_parent = kode.rsplit(".", 1)[0] if "." in kode else None
        if parent != expected_parent:
            raise ReferenceDataError(
                path,
                f"column parent_kode: {parent!r} should be {expected_parent!r} for {kode}",
                line=line,
            )
        kind = raw["jenis"]
        if kind not in _KINDS[level]:
            raise ReferenceDataError(
                path, f"column jenis: {kind!r} is not allowed for level {level}", line=line
            )
        rows[kode] = RegionRow(kode, raw["nama"], level, parent, kind)
        lines[kode] = line
    for kode, row in rows.items():
        if row.parent is not None and row.parent not in rows:
            raise ReferenceDataError(
                path,
                f"column parent_kode: {row.parent} is not a region in this file",
                line=lines[kode],
            )
    return sorted(rows.values(), key=lambda row: (LEVELS.index(row.level), row.kode))


@dataclass(frozen=True, slots=True)
class PopulationFigure:
    kode: str
    male: int
    female: int
    total: int


def read_region_populations(path: Path, known: set[str]) -> list[PopulationFigure]:
    """Population by sex (``kode,nama,pria,wanita,total``) for regions in ``known``.

    The national row (code ``0``) is skipped; any other unknown code is an error.
    """
    figures = []
    for line, raw in read_csv(path, ("kode", "nama", "pria", "wanita", "total")):
        kode = raw["kode"]
        if kode == "0":
            continue
        if kode not in known:
            raise ReferenceDataError(
                path, f"column kode: {kode!r} is not a known region", line=line
            )
        figures.append(
            PopulationFigure(
                kode,
                _int(path, line, "pria", raw["pria"]),
                _int(path, line, "wanita", raw["wanita"]),
                _int(path, line, "total", raw["total"]),
            )
        )
    return figures


def repaired_code(kode: str, name: str, names: Mapping[str, str]) -> str | None:
    """The region code a spreadsheet turned into a number, if the name confirms it.

    Opening a code list in a spreadsheet turns ``11.10`` into ``11.1`` and
    ``31`` into ``31.0``.  Such a code is restored only when the region at the
    restored code has the same name, so a real error is never papered over.

    >>> repaired_code("11.1", "Kabupaten Aceh Singkil", {"11.10": "Kabupaten Aceh Singkil"})
    '11.10'
    >>> repaired_code("31.0", "DKI Jakarta", {"31": "Daerah Khusus Ibukota Jakarta"}) is None
    True
    """
    candidates = []
    if re.fullmatch(r"\d{2}\.0", kode):
        candidates.append(kode[:2])
    if re.fullmatch(r"\d{2}(\.\d{2})*\.\d", kode):
        candidates.append(kode + "0")
    for candidate in candidates:
        if names.get(candidate, "").casefold() == name.casefold():
            return candidate
    return None


def read_region_areas(
    path: Path,
    names: Mapping[str, str],
    *,
    kode_column: str = "kode",
    name_column: str = "nama",
    area_column: str = "luas_km2",
    repairs: list[str] | None = None,
) -> dict[str, float]:
    """Area in km² per region code; ``names`` maps every known code to its name.

    A code mangled by a spreadsheet is restored when the name confirms it
    (see :func:`repaired_code`) and the repair is appended to ``repairs`` so
    the loader reports it; any other unknown code is an error.
    """
    areas = {}
    for line, raw in read_csv(path, (kode_column, area_column)):
        kode = raw[kode_column]
        if kode not in names:
            fixed = repaired_code(kode, raw.get(name_column, ""), names)
            if fixed is None:
                raise ReferenceDataError(
                    path, f"column {kode_column}: {kode!r} is not a known region", line=line
                )
            if repairs is not None:
                repairs.append(f"{path.name}, line {line}: code {kode} read as {fixed}")
            kode = fixed
        areas[kode] = _float(path, line, area_column, raw[area_column])
    return areas


def read_series_by_year(
    path: Path, known: set[str], *, kode_column: str = "kode_kemendagri"
) -> tuple[dict[str, dict[int, int]], dict[int, str]]:
    """A wide table of one figure per region (rows) and year (columns named ``YYYY``).

    Returns the series and, per year, a note when the whole column repeats an
    earlier one: a copy error in the source that is shown as published and
    flagged, never corrected.
    """
    series: dict[str, dict[int, int]] = {}
    years = [name for name in read_header(path) if re.fullmatch(r"\d{4}", name)]
    if not years:
        raise ReferenceDataError(path, "header has no year columns (YYYY)", line=1)
    for line, raw in read_csv(path, (kode_column, *years)):
        kode = raw[kode_column]
        if kode not in known:
            raise ReferenceDataError(
                path, f"column {kode_column}: {kode!r} is not a known region", line=line
            )
        series[kode] = {int(year): _int(path, line, year, raw[year]) for year in years}
    notes: dict[int, str] = {}
    year_numbers = [int(year) for year in years]
    for position, year in enumerate(year_numbers):
        for earlier in year_numbers[:position]:
            if series and all(values[year] == values[earlier] for values in series.values()):
                notes[year] = (
                    f"As published: every figure for {year} repeats {earlier} "
                    "in the source (a likely copy error)."
                )
                break
    return series, notes


def read_centroids(path: Path, known: set[str]) -> dict[str, tuple[float, float]]:
    """``(lat, lng)`` per region code from a boundary GeoJSON's ``centroid_*`` properties."""
    try:
        collection = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReferenceDataError(path, "file not found") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        raise ReferenceDataError(path, f"not valid JSON: {exc}", line=line) from None
    features = collection.get("features") if isinstance(collection, dict) else None
    if not isinstance(features, list):
        raise ReferenceDataError(path, "not a GeoJSON FeatureCollection (no features list)")
    centroids = {}
    for number, feature in enumerate(features, start=1):
        properties = feature.get("properties") or {}
        kode = properties.get("kode")
        where = f"feature {number} ({kode!r})"
        if kode not in known:
            raise ReferenceDataError(path, f"{where}: kode is not a known region")
        try:
            lat, lng = float(properties["centroid_lat"]), float(properties["centroid_lng"])
        except (KeyError, TypeError, ValueError):
            raise ReferenceDataError(path, f"{where}: centroid_lat/centroid_lng missing") from None
        if not (-90 <= lat <= 90 and -180 <= lng <= 180):
            raise ReferenceDataError(path, f"{where}: centroid {lat}, {lng} is out of range")
        centroids[kode] = (lat, lng)
    return centroids
