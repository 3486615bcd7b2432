from __future__ import annotations

import json
import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kembar.analytics.exceptions import InvalidInput
from kembar.analytics.reach import (
    PER,
    Reach,
    SuggestedKind,
    UnderReached,
    coverage,
    gini,
    never_reached,
    reach_table,
    summary,
    theil,
    where_to_act,
)

F = Fraction

# Three districts of 10,000 / 20,000 / 70,000 residents with 50 / 30 / 20 participants.
PARTICIPANTS = {"33.74.01": 50, "33.74.02": 30, "33.74.03": 20}
POPULATION = {"33.74.01": 10_000, "33.74.02": 20_000, "33.74.03": 70_000}
NAMES = {"33.74.01": "Semarang Tengah", "33.74.02": "Semarang Utara", "33.74.03": "Mijen"}
# s = (1/2, 3/10, 1/5), p = (1/10, 1/5, 7/10).
S = [F(1, 2), F(3, 10), F(1, 5)]
P = [F(1, 10), F(1, 5), F(7, 10)]
# G = ½ Σ_i Σ_j |s_i p_j − s_j p_i|: pairs give 7/100, 33/100, 17/100.
GINI = F(1, 2) * sum(abs(S[i] * P[j] - S[j] * P[i]) for i in range(3) for j in range(3))
THEIL = 0.5 * math.log(5) + 0.3 * math.log(F(3, 2)) + 0.2 * math.log(F(2, 7))


def test_hand_computed_table() -> None:
    table = reach_table(PARTICIPANTS, POPULATION, NAMES)

    assert [unit.code for unit in table] == ["33.74.01", "33.74.02", "33.74.03"]
    assert [unit.name for unit in table] == ["Semarang Tengah", "Semarang Utara", "Mijen"]
    assert [unit.participants for unit in table] == [50, 30, 20]
    assert [unit.population for unit in table] == [10_000.0, 20_000.0, 70_000.0]
    expected_per_10k = [F(50), F(15), F(20, 7)]
    expected_ratio = [F(5), F(3, 2), F(2, 7)]
    for unit, per_10k, s, p, ratio in zip(
        table, expected_per_10k, S, P, expected_ratio, strict=True
    ):
        assert unit.per_10k == pytest.approx(float(per_10k), rel=1e-12)
        assert unit.participant_share == pytest.approx(float(s), rel=1e-12)
        assert unit.population_share == pytest.approx(float(p), rel=1e-12)
        assert unit.representation_ratio == pytest.approx(float(ratio), rel=1e-12)


def test_hand_computed_indices() -> None:
    assert F(57, 100) == GINI
    assert gini(PARTICIPANTS, POPULATION) == pytest.approx(0.57, rel=1e-12)
    assert theil(PARTICIPANTS, POPULATION) == pytest.approx(THEIL, rel=1e-12)
    assert coverage(PARTICIPANTS, POPULATION) == 1.0
    assert never_reached(PARTICIPANTS, POPULATION) == []


def test_gini_is_the_population_weighted_double_sum() -> None:
    # The brief's form: Σ_i Σ_j p_i p_j |r_i − r_j| / (2 r̄), with r per resident.
    rates = [F(50, 10_000), F(30, 20_000), F(20, 70_000)]
    mean = sum(p * r for p, r in zip(P, rates, strict=True))
    double_sum = sum(P[i] * P[j] * abs(rates[i] - rates[j]) for i in range(3) for j in range(3))
    assert double_sum / (2 * mean) == GINI


def test_all_participants_in_one_unit() -> None:
    assert gini({"a": 10}, {"a": 100, "b": 300}) == pytest.approx(0.75, rel=1e-12)
    assert theil({"a": 10}, {"a": 100, "b": 300}) == pytest.approx(math.log(4), rel=1e-12)


def test_never_reached_by_population_then_code() -> None:
    population = {"e": 50, "d": 300, "c": 0, "b": 300, "a": 100, "f": 1_000}
    assert never_reached({"a": 5, "f": 1}, population) == ["b", "d", "e"]


def test_zero_population_unit_is_kept_but_left_out_of_the_indices() -> None:
    participants = {"a": 50, "b": 30, "c": 20, "industrial": 7}
    population = {"a": 10_000, "b": 20_000, "c": 70_000, "industrial": 0, "empty": 0}

    table = {unit.code: unit for unit in reach_table(participants, population)}

    assert table["industrial"] == Reach(
        code="industrial",
        name="industrial",
        participants=7,
        population=0.0,
        per_10k=None,
        participant_share=7 / 107,
        population_share=0.0,
        representation_ratio=None,
    )
    assert table["empty"].per_10k is None
    assert table["empty"].representation_ratio is None
    assert gini(participants, population) == pytest.approx(0.57, rel=1e-12)
    assert theil(participants, population) == pytest.approx(THEIL, rel=1e-12)
    assert coverage(participants, population) == 1.0
    assert never_reached(participants, population) == []


def test_nobody_took_part() -> None:
    population = {"a": 100, "b": 200}

    assert gini({}, population) is None
    assert theil({"a": 0, "b": 0}, population) is None
    assert coverage({}, population) == 0.0
    assert never_reached({}, population) == ["b", "a"]
    assert [
        (u.participant_share, u.population_share, u.representation_ratio, u.per_10k)
        for u in reach_table({}, population)
    ] == [(None, 1 / 3, None, 0.0), (None, 2 / 3, None, 0.0)]


def test_participants_only_in_zero_population_units() -> None:
    assert gini({"a": 5}, {"a": 0, "b": 100}) is None
    assert theil({"a": 5}, {"a": 0, "b": 100}) is None
    assert coverage({"a": 5}, {"a": 0, "b": 100}) == 0.0


@pytest.mark.parametrize(
    ("participants", "population"),
    [({}, {}), ({"a": 3}, {"a": 0}), ({"a": 0}, {"a": 0, "b": 0.0})],
)
def test_no_residents_anywhere(participants: dict[str, int], population: dict[str, float]) -> None:
    assert gini(participants, population) is None
    assert theil(participants, population) is None
    assert coverage(participants, population) is None
    assert never_reached(participants, population) == []
    assert all(unit.population_share is None for unit in reach_table(participants, population))


def test_empty_table() -> None:
    assert reach_table({}, {}) == []
    result = summary({}, {}, {}, {})
    assert result.to_dict() == {
        "districts": [],
        "groups": [],
        "gini": None,
        "theil": None,
        "coverage": {"districts": None, "groups": None},
        "never_reached": [],
        "outside_city": 0,
    }


@pytest.mark.parametrize(
    ("participants", "population", "message"),
    [
        ({"a": -1}, {"a": 100}, r"participants of 'a' is negative: -1"),
        ({"a": 1}, {"a": -100}, r"population of 'a' is negative: -100"),
        ({"a": 1}, {"a": math.nan}, r"population of 'a' must be a finite number; got nan"),
        ({"a": 1}, {"a": math.inf}, r"population of 'a' must be a finite number; got inf"),
        ({"a": math.nan}, {"a": 100}, r"participants of 'a' must be a whole number; got nan"),
        ({"a": 2.5}, {"a": 100}, r"participants of 'a' must be a whole number; got 2.5"),
        ({"a": True}, {"a": 100}, r"participants of 'a' must be a whole number; got True"),
        ({"a": 1}, {"a": "100"}, r"population of 'a' must be a finite number; got '100'"),
        (
            {"a": 1, "zz": 2, "outside": 3},
            {"a": 100},
            r"participants in units without a population: 'outside', 'zz' \(",
        ),
    ],
)
def test_invalid_input_names_the_key(
    participants: dict[str, float], population: dict[str, float], message: str
) -> None:
    for function in (reach_table, gini, theil, coverage, never_reached):
        with pytest.raises(InvalidInput, match=message):
            function(participants, population)  # type: ignore[arg-type]


def test_whole_floats_are_counts() -> None:
    assert reach_table({"a": 3.0}, {"a": 10}) == reach_table({"a": 3}, {"a": 10})  # type: ignore[dict-item]


def test_summary_and_its_json() -> None:
    result = summary(
        {**PARTICIPANTS, "33.74.04": 0},
        {**POPULATION, "33.74.04": 5_000, "33.74.05": 5_000},
        {"government": 60, "students_youth": 40},
        {"government": 5_000, "students_youth": 50_000, "business": 20_000},
        district_names={**NAMES, "33.74.05": "Tugu"},
        group_names={"government": "Pemerintah"},
        outside_city=4,
    )

    assert result.gini is not None
    assert result.coverage_districts == 3 / 5
    assert result.coverage_groups == 2 / 3
    assert result.never_reached_districts == ("33.74.04", "33.74.05")
    assert result.never_reached_groups == ("business",)
    assert result.outside_city == 4
    data = result.to_dict()
    assert json.loads(json.dumps(data, allow_nan=False)) == data
    assert list(data) == [
        "districts",
        "groups",
        "gini",
        "theil",
        "coverage",
        "never_reached",
        "outside_city",
    ]
    assert data["districts"][0] == {
        "kode": "33.74.01",
        "name": "Semarang Tengah",
        "participants": 50,
        "population": 10_000,
        "per_10k": 50.0,
        "participant_share": 0.5,
        "population_share": round(10_000 / 110_000, 6),
        "representation_ratio": 5.5,
    }
    assert data["districts"][2]["per_10k"] == round(20 / 7, 6)
    assert data["groups"][0]["kode"] == "business"
    assert data["groups"][0]["representation_ratio"] == 0.0
    assert data["coverage"] == {"districts": 0.6, "groups": round(2 / 3, 6)}
    assert data["never_reached"] == [
        {"kind": "district", "kode": "33.74.04", "name": "33.74.04", "population": 5_000},
        {"kind": "district", "kode": "33.74.05", "name": "Tugu", "population": 5_000},
        {"kind": "group", "kode": "business", "name": "business", "population": 20_000},
    ]
    assert data["outside_city"] == 4


def test_summary_refuses_a_bad_outside_count() -> None:
    with pytest.raises(InvalidInput, match="participants of 'outside_city' is negative"):
        summary({}, {}, {}, {}, outside_city=-1)


def test_fractional_population_in_json() -> None:
    unit = reach_table({"a": 1}, {"a": 2.5})[0]
    assert unit.to_dict()["population"] == 2.5
    assert unit.to_dict()["per_10k"] == 4_000.0


# where_to_act: four districts (C and D under-reached) and four groups.
ACT_DISTRICTS = {"33.74.01": 50, "33.74.02": 30, "33.74.03": 20, "33.74.04": 0}
ACT_POPULATION = {"33.74.01": 10_000, "33.74.02": 20_000, "33.74.03": 70_000, "33.74.04": 20_000}
ACT_GROUPS = {"government": 60, "students": 30, "business": 10, "civil": 0}
ACT_GROUP_POPULATION = {
    "government": 5_000,
    "students": 50_000,
    "business": 20_000,
    "civil": 25_000,
}
DISTRICT_ACTIVITY = {
    ("seminar", "33.74.01"): 30,
    ("exchange", "33.74.01"): 20,
    ("exchange", "33.74.02"): 20,
    ("expo", "33.74.02"): 10,
    ("expo", "33.74.03"): 20,
}
GROUP_ACTIVITY = {
    ("seminar", "government"): 40,
    ("exchange", "government"): 20,
    ("exchange", "students"): 25,
    ("expo", "students"): 5,
    ("expo", "business"): 10,
}
GROUP_ELSEWHERE = {
    ("exchange", "civil"): 40,
    ("festival", "civil"): 70,
    ("seminar", "civil"): 40,
    ("expo", "civil"): 5,
    ("festival", "students"): 0,
    ("festival", "farmers"): 9,
}


def test_where_to_act_exact_ranking() -> None:
    reach = summary(
        ACT_DISTRICTS,
        ACT_POPULATION,
        ACT_GROUPS,
        ACT_GROUP_POPULATION,
        district_names={"33.74.03": "Mijen", "33.74.04": "Tugu"},
    )

    gaps = where_to_act(
        reach,
        district_activity=DISTRICT_ACTIVITY,
        group_activity=GROUP_ACTIVITY,
        group_elsewhere=GROUP_ELSEWHERE,
    )

    # Districts: C = 100 × 7/12 − 20 = 115/3, D = 100 × 1/6 − 0 = 50/3.
    # Groups:    civil 25 − 0, students 50 − 30, business 20 − 10.
    assert [(gap.kind, gap.code) for gap in gaps] == [
        ("district", "33.74.03"),
        ("group", "civil"),
        ("group", "students"),
        ("district", "33.74.04"),
        ("group", "business"),
    ]
    mijen, civil, students, tugu, business = gaps
    assert mijen.name == "Mijen"
    assert mijen.missing_participants == pytest.approx(115 / 3, rel=1e-12)
    assert mijen.representation_ratio == pytest.approx(float(F(20, 100) / F(7, 12)), rel=1e-12)
    # Weights against Mijen's 70,000: 1/7 for 10,000, 2/7 for 20,000.
    assert [s.activity_kind for s in mijen.suggested_kinds] == ["exchange", "seminar", "expo"]
    assert [s.participants for s in mijen.suggested_kinds] == pytest.approx(
        [20 / 7 + 40 / 7, 30 / 7, 20 / 7], rel=1e-12
    )
    # Against Tugu's 20,000: 1/2, 1, 2/7; Mijen's expo counts now, at 2/7.
    assert tugu.name == "Tugu"
    assert tugu.representation_ratio == 0.0
    assert tugu.missing_participants == pytest.approx(50 / 3, rel=1e-12)
    assert [s.activity_kind for s in tugu.suggested_kinds] == ["exchange", "expo", "seminar"]
    assert [s.participants for s in tugu.suggested_kinds] == pytest.approx(
        [30, 10 + 40 / 7, 15], rel=1e-12
    )
    # Civil society: from elsewhere, the 40-40 tie by name; the fourth kind cut by top=3.
    assert civil == UnderReached(
        code="civil",
        name="civil",
        kind="group",
        representation_ratio=0.0,
        missing_participants=25.0,
        suggested_kinds=(
            SuggestedKind("festival", 70),
            SuggestedKind("exchange", 40),
            SuggestedKind("seminar", 40),
        ),
    )
    # Students: nobody elsewhere, so the kinds that reached them here.
    assert students.missing_participants == pytest.approx(20, rel=1e-12)
    assert students.representation_ratio == pytest.approx(0.6, rel=1e-12)
    assert students.suggested_kinds == (SuggestedKind("exchange", 25), SuggestedKind("expo", 5))
    assert business.suggested_kinds == (SuggestedKind("expo", 10),)
    assert json.dumps(civil.to_dict()) == json.dumps(
        {
            "kind": "group",
            "kode": "civil",
            "name": "civil",
            "representation_ratio": 0.0,
            "missing_participants": 25.0,
            "suggested_kinds": [
                {"activity_kind": "festival", "participants": 70},
                {"activity_kind": "exchange", "participants": 40},
                {"activity_kind": "seminar", "participants": 40},
            ],
        }
    )


def test_where_to_act_without_activity_data_and_top() -> None:
    reach = summary(ACT_DISTRICTS, ACT_POPULATION, ACT_GROUPS, ACT_GROUP_POPULATION)

    gaps = where_to_act(reach)
    assert [gap.code for gap in gaps] == ["33.74.03", "civil", "students", "33.74.04", "business"]
    assert all(gap.suggested_kinds == () for gap in gaps)
    one = where_to_act(reach, district_activity=DISTRICT_ACTIVITY, top=1)
    assert [s.activity_kind for s in one[0].suggested_kinds] == ["exchange"]


def test_where_to_act_nothing_to_do() -> None:
    assert where_to_act(summary({"a": 1, "b": 2}, {"a": 10, "b": 20}, {}, {})) == []
    assert where_to_act(summary({}, {"a": 10}, {}, {})) == []


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"district_activity": {("expo", "33.74.99"): 1}}, "unit '33.74.99', which is not in"),
        ({"group_activity": {("expo", "farmers"): 1}}, "unit 'farmers', which is not in"),
        ({"group_elsewhere": {("expo", "civil"): -2}}, "is negative: -2"),
        ({"district_activity": {"expo": 1}}, r"\(activity kind, unit code\) pairs; got 'expo'"),
        ({"top": -1}, "top must be a whole number"),
    ],
)
def test_where_to_act_refuses(arguments: dict[str, object], message: str) -> None:
    reach = summary(ACT_DISTRICTS, ACT_POPULATION, ACT_GROUPS, ACT_GROUP_POPULATION)
    with pytest.raises(InvalidInput, match=message):
        where_to_act(reach, **arguments)  # type: ignore[arg-type]


# Property-based tests.
codes = st.from_regex(r"33\.74\.[0-9]{2}", fullmatch=True)
units = st.dictionaries(
    codes,
    st.tuples(st.integers(0, 10**6), st.integers(0, 10**7)),
    min_size=1,
    max_size=16,
)


def split(data: dict[str, tuple[int, int]]) -> tuple[dict[str, int], dict[str, int]]:
    return {k: c for k, (c, _n) in data.items()}, {k: n for k, (_c, n) in data.items()}


@given(units)
def test_indices_are_bounded_or_undefined(data: dict[str, tuple[int, int]]) -> None:
    participants, population = split(data)
    g, t = gini(participants, population), theil(participants, population)
    reached = sum(c for c, n in data.values() if n > 0)
    assert (g is None) == (t is None) == (reached == 0)
    if g is not None and t is not None:
        assert 0.0 <= g <= 1.0
        assert t >= 0.0
        smallest = min(n for c, n in data.values() if n > 0) / sum(n for _c, n in data.values())
        assert g <= 1 - smallest + 1e-12
    share = coverage(participants, population)
    assert share is None or 0.0 <= share <= 1.0


@given(units)
def test_gini_matches_the_double_sum(data: dict[str, tuple[int, int]]) -> None:
    participants, population = split(data)
    inhabited = [(F(c), F(n)) for c, n in data.values() if n > 0]
    total, residents = sum(c for c, _n in inhabited), sum(n for _c, n in inhabited)
    if total == 0:
        return
    rates = [c / n for c, n in inhabited]
    shares = [n / residents for _c, n in inhabited]
    mean = total / residents
    exact = sum(
        p * q * abs(r - s)
        for p, r in zip(shares, rates, strict=True)
        for q, s in zip(shares, rates, strict=True)
    ) / (2 * mean)
    assert gini(participants, population) == pytest.approx(float(exact), rel=1e-9, abs=1e-12)


@given(
    st.dictionaries(codes, st.integers(1, 10**6), min_size=1, max_size=16),
    st.integers(1, 1_000),
)
def test_equal_rates_give_zero(population: dict[str, int], rate: int) -> None:
    participants = {code: rate * n for code, n in population.items()}
    assert gini(participants, population) == pytest.approx(0.0, abs=1e-12)
    assert theil(participants, population) == pytest.approx(0.0, abs=1e-12)
    assert all(
        unit.representation_ratio == pytest.approx(1.0, rel=1e-12)
        for unit in reach_table(participants, population)
    )


@given(st.data(), units)
def test_order_of_units_does_not_matter(
    data: st.DataObject, table: dict[str, tuple[int, int]]
) -> None:
    shuffled = dict(data.draw(st.permutations(list(table.items()))))
    for function in (gini, theil, coverage, never_reached, reach_table):
        assert function(*split(shuffled)) == function(*split(table))


@given(units, st.integers(1, 1_000), st.floats(1e-3, 1e3))
def test_scaling_leaves_the_indices_unchanged(
    data: dict[str, tuple[int, int]], factor: int, population_factor: float
) -> None:
    participants, population = split(data)
    scaled_participants = {k: factor * c for k, c in participants.items()}
    scaled_population = {k: population_factor * n for k, n in population.items()}
    for function in (gini, theil):
        expected = function(participants, population)
        for scaled in (
            function(scaled_participants, population),
            function(participants, scaled_population),
            function(scaled_participants, scaled_population),
        ):
            if expected is None:
                assert scaled is None
            else:
                assert scaled == pytest.approx(expected, rel=1e-9, abs=1e-12)


@given(units)
def test_shares_add_up_and_gaps_are_positive(data: dict[str, tuple[int, int]]) -> None:
    participants, population = split(data)
    table = reach_table(participants, population)
    if sum(participants.values()):
        assert math.fsum(u.participant_share or 0.0 for u in table) == pytest.approx(1.0)
    if sum(population.values()):
        assert math.fsum(u.population_share or 0.0 for u in table) == pytest.approx(1.0)
    for unit in table:
        if unit.per_10k is not None:
            assert unit.per_10k == pytest.approx(PER * unit.participants / unit.population)
    gaps = where_to_act(summary(participants, population, {}, {}))
    assert all(gap.missing_participants > 0 and gap.representation_ratio < 1 for gap in gaps)
    missing = [gap.missing_participants for gap in gaps]
    assert missing == sorted(missing, reverse=True)
