from __future__ import annotations

from pathlib import Path

import pytest

from kembar.geo.errors import ReferenceDataError
from kembar.geo.sources import (
    read_centroids,
    read_countries,
    read_region_areas,
    read_region_populations,
    read_regions,
    read_series_by_year,
)

HEADER = "kode,nama,level,parent_kode,jenis\n"
GOOD = (
    "33,Jawa Tengah,provinsi,,\n"
    "33.74,Kota Semarang,kabupaten_kota,33,kota\n"
    "33.74.01,Semarang Tengah,kecamatan,33.74,\n"
    "33.74.01.1001,Miroto,desa_kelurahan,33.74.01,kelurahan\n"
)


def write(tmp_path: Path, text: str, name: str = "wilayah.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_regions_read_parents_first(tmp_path: Path) -> None:
    province_last = "".join(GOOD.splitlines(keepends=True)[1:] + GOOD.splitlines(keepends=True)[:1])
    rows = read_regions(write(tmp_path, HEADER + province_last))

    assert [row.kode for row in rows] == ["33", "33.74", "33.74.01", "33.74.01.1001"]
    assert rows[1].kind == "kota"
    assert rows[3].parent == "33.74.01"


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        (
            HEADER + GOOD + "33.74.01,Lagi,kecamatan,33.74,\n",
            6,
            "column kode: 33.74.01 repeats line 4",
        ),
        (
            HEADER + "33,Jawa Tengah,provinsi,,\n33.7,X,kabupaten_kota,33,kota\n",
            3,
            "column kode: '33.7' is not a code of level kabupaten_kota",
        ),
        (HEADER + "33,Jawa Tengah,province,,\n", 2, "column level: 'province' is not one of"),
        (
            HEADER + "33,Jawa Tengah,provinsi,,\n33.74,K,kabupaten_kota,34,kota\n",
            3,
            "column parent_kode: '34' should be '33' for 33.74",
        ),
        (
            HEADER + "33.74,K,kabupaten_kota,33,kota\n",
            2,
            "column parent_kode: 33 is not a region in this file",
        ),
        (
            HEADER + "33,Jawa Tengah,provinsi,,\n33.74,K,kabupaten_kota,33,kecamatan\n",
            3,
            "column jenis: 'kecamatan' is not allowed for level kabupaten_kota",
        ),
        (HEADER + "33,Jawa Tengah,provinsi\n", 2, "expected 5 fields as in the header, found 3"),
        (HEADER + "33,,provinsi,,\n", 2, "column nama is empty"),
        ("kode,name,level,parent_kode,jenis\n", 1, "header lacks column(s) nama"),
        ("", 1, "file is empty"),
    ],
)
def test_regions_errors_name_file_line_and_problem(
    tmp_path: Path, text: str, line: int, problem: str
) -> None:
    path = write(tmp_path, text)

    with pytest.raises(ReferenceDataError) as caught:
        read_regions(path)

    assert caught.value.line == line
    assert caught.value.path == path
    assert problem in caught.value.problem
    assert str(caught.value).startswith(f"wilayah.csv, line {line}: ")


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ReferenceDataError, match=r"^nothing\.csv: file not found"):
        read_regions(tmp_path / "nothing.csv")


def test_populations_skip_the_national_row_and_check_numbers(tmp_path: Path) -> None:
    header = "kode,nama,pria,wanita,total\n"
    good = write(tmp_path, header + "0,INDONESIA,3,4,7\n33,Jawa Tengah,1,2,3\n", "p.csv")
    figures = read_region_populations(good, {"33"})
    assert [(f.kode, f.male, f.female, f.total) for f in figures] == [("33", 1, 2, 3)]

    bad = write(tmp_path, header + "33,Jawa Tengah,1,-2,3\n", "p.csv")
    with pytest.raises(ReferenceDataError, match=r"p\.csv, line 2: column wanita: -2 is below 0"):
        read_region_populations(bad, {"33"})

    unknown = write(tmp_path, header + "33,Jawa Tengah,1,2,3\n99,X,1,1,2\n", "p.csv")
    with pytest.raises(ReferenceDataError, match=r"line 3: column kode: '99' is not a known"):
        read_region_populations(unknown, {"33"})


def test_areas_refuse_text_and_negative(tmp_path: Path) -> None:
    header = "kode,nama,luas_km2\n"
    assert read_region_areas(write(tmp_path, header + "33,J,32800.69\n"), {"33": "J"}) == {
        "33": 32800.69
    }
    for value, message in (
        ("abc", "'abc' is not a number"),
        ("-1", "'-1' must be a finite number"),
    ):
        with pytest.raises(ReferenceDataError, match=f"line 2: column luas_km2: {message}"):
            read_region_areas(write(tmp_path, header + f"33,J,{value}\n"), {"33": "J"})


def test_series_flags_a_year_that_repeats_an_earlier_one(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "kode_kemendagri,kecamatan,2012,2013,2014\n"
        "33.74.01,Semarang Tengah,71674,71200,71674\n"
        "33.74.02,Semarang Utara,127921,128026,127921\n",
    )

    series, notes = read_series_by_year(path, {"33.74.01", "33.74.02"})

    assert series["33.74.01"] == {2012: 71674, 2013: 71200, 2014: 71674}
    assert list(notes) == [2014]
    assert "repeats 2012" in notes[2014]


def test_centroids_checked(tmp_path: Path) -> None:
    good = write(
        tmp_path,
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":'
        '{"kode":"33","centroid_lat":-7.1,"centroid_lng":110.2},"geometry":null}]}',
        "b.geojson",
    )
    assert read_centroids(good, {"33"}) == {"33": (-7.1, 110.2)}
    broken = write(tmp_path, '{"type":"FeatureCollection","features":[', "b.geojson")
    with pytest.raises(ReferenceDataError, match=r"b\.geojson, line 1: not valid JSON"):
        read_centroids(broken, {"33"})


def test_countries_have_indonesian_names_and_kosovo() -> None:
    countries = {row.iso2: row for row in read_countries()}

    assert len(countries) == 250
    assert (countries["CN"].name_en, countries["CN"].name_id) == ("China", "Tiongkok")
    assert (countries["KR"].name_en, countries["KR"].name_id) == ("South Korea", "Korea Selatan")
    assert countries["DE"].name_id == "Jerman"
    assert countries["XK"].iso3 == "XKX"


def test_areas_restore_codes_a_spreadsheet_mangled_and_report_them(tmp_path: Path) -> None:
    names = {"11.10": "Kabupaten Aceh Singkil", "31": "DKI Jakarta", "11.01": "Aceh Selatan"}
    path = write(
        tmp_path,
        "kode,nama,luas_km2\n11.1,Kabupaten Aceh Singkil,1851.615\n31.0,DKI Jakarta,661.53\n",
        "luas.csv",
    )
    repairs: list[str] = []

    areas = read_region_areas(path, names, repairs=repairs)

    assert areas == {"11.10": 1851.615, "31": 661.53}
    assert repairs == [
        "luas.csv, line 2: code 11.1 read as 11.10",
        "luas.csv, line 3: code 31.0 read as 31",
    ]
    wrong_name = write(tmp_path, "kode,nama,luas_km2\n11.1,Somewhere Else,1.0\n", "luas.csv")
    with pytest.raises(ReferenceDataError, match=r"line 2: column kode: '11\.1' is not a known"):
        read_region_areas(wrong_name, names)
