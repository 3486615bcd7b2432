from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

import kembar
from kembar.analytics.network import build_graph
from kembar.analytics.recommend import METHODS, RecommendWeights, evaluate_recommenders
from kembar.analytics.tests.test_network import CHONGQING, KOBE, LINKS, SEATTLE, TACOMA
from kembar.analytics.tests.test_recommend import EXPECTED
from kembar.insights.management.commands import network_evaluate, network_recommend
from kembar.insights.management.commands.network_evaluate import evaluation_payload
from kembar.insights.network_sources import COLUMNS, LinksFileError, RowProblem, read_links

WORLD = Path(kembar.__file__).parent / "data" / "twin-towns" / "twin_cities_geocoded.csv"
HEADER = ",".join(COLUMNS)


def write_links(path: Path, links: list[tuple[str, str, str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for city1, country1, city2, country2 in links:
            writer.writerow([city1, country1, "", "", city2, country2, "", ""])
    return path


def run(command: str, *args: str) -> tuple[str, str]:
    """Run a command in English, the language of the messages asserted here."""
    out, err = io.StringIO(), io.StringIO()
    with translation.override("en"):
        call_command(command, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def links_file(tmp_path: Path) -> Path:
    return write_links(tmp_path / "links.csv", LINKS)


# --- network_recommend --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "name", "start"),
    [
        (network_recommend.Command, "network_recommend", "Recommend new partner cities"),
        (network_evaluate.Command, "network_evaluate", "Hide a share of the links"),
    ],
)
def test_help_is_translatable_text(command: type, name: str, start: str) -> None:
    with translation.override("en"):
        parser = command().create_parser("manage.py", name)
    assert parser.description is not None
    assert parser.description.startswith(start)
    assert "--links" in parser.format_help()


def test_recommend_prints_exact_json(links_file: Path) -> None:
    out, err = run(
        "network_recommend", "--links", str(links_file), "--city", "semarang, indonesia", "-k", "3"
    )
    expected = {
        "Semarang, Indonesia": [
            {
                "city": "Kobe",
                "country": "Japan",
                "score": round(EXPECTED[KOBE], 6),
                "explanation": "shares 2 partners with Semarang: Brisbane, Fuzhou",
            },
            {
                "city": "Seattle",
                "country": "United States",
                "score": round(EXPECTED[SEATTLE], 6),
                "explanation": "1 of its partners is twinned with Semarang's partners",
            },
            {
                "city": "Tacoma",
                "country": "United States",
                "score": round(EXPECTED[TACOMA], 6),
                "explanation": "shares 1 partner with Semarang: Beihai",
            },
        ]
    }
    assert out == json.dumps(expected, ensure_ascii=False, indent=2) + "\n"
    assert err == ""


def test_recommend_several_cities_from_options_and_a_cities_file(
    links_file: Path, tmp_path: Path
) -> None:
    cities = tmp_path / "cities.csv"
    cities.write_text(
        'city,country\n# Semarang first\nSemarang, Indonesia\n\n"Kobe",Japan\nSeattle\n',
        encoding="utf-8",
    )
    out, _err = run(
        "network_recommend",
        "--links",
        str(links_file),
        "--city",
        "Chongqing, China",
        "--cities-file",
        str(cities),
        "-k",
        "1",
    )
    result = json.loads(out)
    assert list(result) == [
        "Chongqing, China",
        "Semarang, Indonesia",
        "Kobe, Japan",
        "Seattle, United States",
    ]
    assert result["Semarang, Indonesia"] == [
        {
            "city": "Kobe",
            "country": "Japan",
            "score": round(EXPECTED[KOBE], 6),
            "explanation": "shares 2 partners with Semarang: Brisbane, Fuzhou",
        }
    ]
    assert all(len(items) == 1 for items in result.values())
    assert list(result["Chongqing, China"][0]) == ["city", "country", "score", "explanation"]


def test_recommend_as_a_table(links_file: Path) -> None:
    out, _err = run(
        "network_recommend", "--links", str(links_file), "--city", "Semarang", "--format", "table"
    )
    lines = out.splitlines()
    assert lines[0] == "Semarang, Indonesia"
    assert lines[1] == (
        f"   1. Kobe, Japan  {EXPECTED[KOBE]:.3f}  "
        "shares 2 partners with Semarang: Brisbane, Fuzhou"
    )
    assert lines[4].startswith(f"   4. Chongqing, China  {EXPECTED[CHONGQING]:.3f}  ")


def test_unknown_city_is_an_error_with_the_closest_matches(links_file: Path) -> None:
    with pytest.raises(CommandError) as caught:
        run(
            "network_recommend",
            "--links",
            str(links_file),
            "--city",
            "Semarangg, Indonesia",
            "--city",
            "Kobe",
            "--city",
            "Seatle",
        )
    assert str(caught.value) == (
        "unknown city 'Semarangg, Indonesia'; closest: Semarang, Indonesia\n"
        "unknown city 'Seatle'; closest: Seattle, United States"
    )


def test_a_city_is_needed(links_file: Path) -> None:
    with pytest.raises(CommandError, match="Give at least one --city or a --cities-file"):
        run("network_recommend", "--links", str(links_file))
    with pytest.raises(CommandError, match="-k must be at least 1"):
        run("network_recommend", "--links", str(links_file), "--city", "Kobe", "-k", "0")


BAD_ROWS = """\
city1,country1,lat1,lng1,city2,country2,lat2,lng2
Semarang,Indonesia,-6.99,110.4225,Brisbane,Australia,-27.4678,153.0281
Semarang,Indonesia,abc,110.4225,Fuzhou,China,26.0743,119.2964
Kobe,,34.69,135.1956,Brisbane,Australia,,
Kobe,Japan,34.69,135.1956,Fuzhou,China
Kobe,Japan,95,135.1956,Seattle,United States,47.6062,-200
Kobe,Japan,34.69,,Seattle,United States,47.6062,-122.3321

"Bayside, New South Wales",Australia,,,Brisbane,Australia,,
"""


def test_bad_rows_are_reported_by_line_and_skipped(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(BAD_ROWS, encoding="utf-8")
    out, err = run("network_recommend", "--links", str(path), "--city", "Semarang")
    assert err.splitlines() == [
        f"{path}: line 3: column lat1: 'abc' is not a number",
        f"{path}: line 4: column country1 is empty",
        f"{path}: line 5: expected 8 fields as in the header, found 6",
        f"{path}: line 6: column lat1: 95 is not between -90 and 90",
        f"{path}: line 6: column lng2: -200 is not between -180 and 180",
        f"{path}: line 7: column lng1 is empty but lat1 is given",
        f"{path}: 5 bad row(s) skipped, 2 link(s) used",
    ]
    # Brisbane has 2 partners; link ends: Indonesia 1, Australia 3 (one domestic link), of 4.
    w = RecommendWeights()
    score = (
        w.common_partners * math.log(2)
        + w.resource_allocation / 2
        + w.country_ties * math.log1p(4 * 1 / (1 * 3))
        + w.popularity * math.log(2) / math.log(3)
    )
    assert json.loads(out) == {
        "Semarang, Indonesia": [
            {
                "city": "Bayside, New South Wales",
                "country": "Australia",
                "score": round(score, 6),
                "explanation": (
                    "shares 1 partner with Semarang: Brisbane; "
                    "1 link between Indonesia and Australia"
                ),
            }
        ]
    }


def test_read_links_collects_all_problems(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(BAD_ROWS, encoding="utf-8")
    links = read_links(path)
    assert links.rows == 7
    assert [link.city1 for link in links.links] == ["Semarang", "Bayside, New South Wales"]
    assert links.links[0].lat2 == -27.4678
    assert links.links[1].lat1 is None
    assert links.problems[0] == RowProblem(3, "column lat1: 'abc' is not a number")
    assert str(links.problems[0]) == "line 3: column lat1: 'abc' is not a number"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("", "the file is empty, expected a header"),
        (
            "city1,country1,lat1,lng1,city2,country2,lat2\n",
            "line 1: the header lacks column(s) lng2; expected "
            "city1,country1,lat1,lng1,city2,country2,lat2,lng2, found "
            "city1,country1,lat1,lng1,city2,country2,lat2",
        ),
    ],
)
def test_a_wrong_header_refuses_the_file(tmp_path: Path, content: str, problem: str) -> None:
    path = tmp_path / "links.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(LinksFileError) as caught:
        read_links(path)
    assert caught.value.problem == problem
    with pytest.raises(CommandError) as error:
        run("network_recommend", "--links", str(path), "--city", "Semarang")
    assert str(error.value) == f"Links file refused: {path}: {problem}"


def test_a_missing_or_useless_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"Links file refused: .*cannot open the file"):
        run("network_recommend", "--links", str(tmp_path / "none.csv"), "--city", "Semarang")
    path = tmp_path / "header-only.csv"
    path.write_text(HEADER + "\n", encoding="utf-8")
    with pytest.raises(CommandError, match="holds no usable link"):
        run("network_recommend", "--links", str(path), "--city", "Semarang")


def test_semarang_on_the_world_network_gets_ten_new_partners() -> None:
    out, err = run(
        "network_recommend", "--links", str(WORLD), "--city", "Semarang, Indonesia", "-k", "10"
    )
    recommended = json.loads(out)["Semarang, Indonesia"]
    assert len(recommended) == 10
    names = {(item["city"], item["country"]) for item in recommended}
    assert not names & {
        ("Semarang", "Indonesia"),
        ("Brisbane", "Australia"),
        ("Beihai", "China"),
        ("Fuzhou", "China"),
    }
    scores = [item["score"] for item in recommended]
    assert scores == sorted(scores, reverse=True)
    assert all(item["explanation"] for item in recommended)
    # The shipped list has five rows without a country; they are reported, the rest is used.
    assert f"{WORLD}: line 4827: column country2 is empty" in err.splitlines()
    assert err.splitlines()[-1] == f"{WORLD}: 5 bad row(s) skipped, 25912 link(s) used"


# --- network_evaluate ---------------------------------------------------------------------------


def ring_links(count: int) -> list[tuple[str, str, str, str]]:
    links = []
    for i in range(count):
        links += [
            (f"T{i}a", "X", f"T{i}b", "Y"),
            (f"T{i}b", "Y", f"T{i}c", "Z"),
            (f"T{i}a", "X", f"T{i}c", "Z"),
            (f"T{i}c", "Z", f"T{(i + 1) % count}a", "X"),
        ]
    return links


def test_evaluate_prints_the_protocol_and_the_metrics(tmp_path: Path) -> None:
    path = write_links(tmp_path / "ring.csv", ring_links(12))
    out, err = run(
        "network_evaluate",
        "--links",
        str(path),
        "--holdout",
        "0.2",
        "--seed",
        "3",
        "--auc-samples",
        "500",
        "--format",
        "json",
    )
    assert err == ""
    result = json.loads(out)
    evaluation = evaluate_recommenders(
        build_graph(ring_links(12)), holdout=0.2, seed=3, auc_samples=500
    )
    assert result == evaluation_payload(evaluation)
    assert result["protocol"] == {
        "holdout": 0.2,
        "seed": 3,
        "links": 48,
        "hidden": 10,
        "cities_evaluated": evaluation.cities,
        "auc_samples": 500,
        "map_cutoff": 50,
    }
    assert list(result["methods"]) == list(METHODS)
    for scores in result["methods"].values():
        assert list(scores) == ["precision_at_10", "recall_at_50", "map", "auc"]


def test_evaluate_as_csv_and_table(tmp_path: Path) -> None:
    path = write_links(tmp_path / "ring.csv", ring_links(12))
    out, _err = run("network_evaluate", "--links", str(path), "--format", "csv")
    rows = list(csv.reader(out.splitlines()))
    assert rows[0] == ["method", "precision_at_10", "recall_at_50", "map", "auc"]
    assert [row[0] for row in rows[1:]] == list(METHODS)
    out, _err = run("network_evaluate", "--links", str(path), "--format", "table")
    assert out.splitlines()[1:3] == [
        "| method | precision@10 | recall@50 | MAP | AUC |",
        "|---|---|---|---|---|",
    ]


def test_evaluate_refuses_a_bad_holdout(links_file: Path) -> None:
    with pytest.raises(CommandError, match=r"holdout must be between 0 and 1, not 1\.5"):
        run("network_evaluate", "--links", str(links_file), "--holdout", "1.5")


@pytest.mark.slow
def test_kembar_beats_every_baseline_on_the_world_network() -> None:
    out, _err = run("network_evaluate", "--links", str(WORLD), "--holdout", "0.1", "--seed", "42")
    methods = json.loads(out)["methods"]
    for metric in ("precision_at_10", "recall_at_50", "map", "auc"):
        for baseline in ("random", "popularity", "adamic_adar"):
            assert methods["kembar"][metric] > methods[baseline][metric], (metric, baseline)
