from __future__ import annotations

import csv
import warnings
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from kembar.analytics.exceptions import InvalidInput, InvalidTable
from kembar.analytics.io import (
    IOTable,
    ghosh_inverse,
    income_multipliers,
    key_sectors,
    leontief_inverse,
    linkages,
    multipliers,
    output_multipliers,
    technical_coefficients,
    value_added_multipliers,
)

BPS_DIR = Path(__file__).resolve().parents[2] / "data" / "economy" / "io-2020-17"
F = Fraction


def exact(values: list[Any]) -> npt.NDArray[np.float64]:
    return np.array(values, dtype=np.float64)


# A 3-sector economy small enough to invert by hand.  Columns pay, besides the
# intermediate inputs, imports (10, 20, 10) and gross value added (30, 80, 50).
HAND: dict[str, Any] = {
    "intermediate": [[20, 40, 10], [30, 20, 20], [10, 40, 10]],
    "final_demand": [30, 130, 40],
    "household_consumption": [22, 55, 33],
    "primary_inputs": [40, 100, 60],
    "compensation": [20, 60, 30],
    "value_added": [30, 80, 50],
    "output": [100, 200, 100],
}
# det(I − A) = 0.543; L = adj(I − A) / det(I − A).
HAND_A = [
    [F(1, 5), F(1, 5), F(1, 10)],
    [F(3, 10), F(1, 10), F(1, 5)],
    [F(1, 10), F(1, 5), F(1, 10)],
]
HAND_L = [
    [F(770, 543), F(200, 543), F(130, 543)],
    [F(290, 543), F(710, 543), F(190, 543)],
    [F(150, 543), F(180, 543), F(660, 543)],
]
HAND_OUTPUT_MULTIPLIERS = [F(1210, 543), F(1090, 543), F(980, 543)]
# h_R = (0.2, 0.3, 0.3); h_R L = (286, 307, 281) / 543; Type I = h_R L / h_R.
HAND_TYPE1 = [F(1430, 543), F(3070, 1629), F(2810, 1629)]
# h_C = (22, 55, 33) / 110; 1 − h_R L h_C = 248 / 543; Type II = Type I / (248 / 543).
HAND_TYPE2 = [F(715, 124), F(1535, 372), F(1405, 372)]
# v = (0.3, 0.4, 0.5); v L.
HAND_VALUE_ADDED = [F(422, 543), F(434, 543), F(445, 543)]
# sum(L) = 3280 / 543; G = x̂⁻¹ L x̂ sums to 3420 / 543 with row sums (1300, 950, 1170) / 543.
HAND_BACKWARD = [F(363, 328), F(327, 328), F(147, 164)]
HAND_FORWARD = [F(65, 57), F(5, 6), F(39, 38)]


def hand_table(**changes: Any) -> IOTable:
    return IOTable(**{**HAND, **changes})


def test_hand_example_coefficients_and_inverses() -> None:
    table = hand_table()
    np.testing.assert_allclose(technical_coefficients(table), exact(HAND_A), rtol=0, atol=1e-15)
    np.testing.assert_allclose(leontief_inverse(table), exact(HAND_L), rtol=1e-14)
    ghosh = exact(HAND_L) * exact(HAND["output"])[None, :] / exact(HAND["output"])[:, None]
    np.testing.assert_allclose(ghosh_inverse(table), ghosh, rtol=1e-14)


def test_hand_example_multipliers() -> None:
    table = hand_table()
    np.testing.assert_allclose(
        output_multipliers(table), exact(HAND_OUTPUT_MULTIPLIERS), rtol=1e-14
    )
    type1, type2 = income_multipliers(table)
    np.testing.assert_allclose(type1, exact(HAND_TYPE1), rtol=1e-14)
    np.testing.assert_allclose(type2, exact(HAND_TYPE2), rtol=1e-14)
    np.testing.assert_allclose(value_added_multipliers(table), exact(HAND_VALUE_ADDED), rtol=1e-14)
    backward, forward = linkages(table)
    np.testing.assert_allclose(backward, exact(HAND_BACKWARD), rtol=1e-14)
    np.testing.assert_allclose(forward, exact(HAND_FORWARD), rtol=1e-14)
    assert key_sectors(table).tolist() == [True, False, False]


def test_multipliers_carries_everything_once() -> None:
    result = multipliers(hand_table())
    np.testing.assert_allclose(result.output_multiplier, exact(HAND_OUTPUT_MULTIPLIERS), rtol=1e-14)
    np.testing.assert_allclose(result.income_effect, exact([F(286, 543), F(307, 543), F(281, 543)]))
    np.testing.assert_allclose(result.income_multiplier_type1, exact(HAND_TYPE1), rtol=1e-14)
    np.testing.assert_allclose(result.income_multiplier_type2, exact(HAND_TYPE2), rtol=1e-14)
    np.testing.assert_allclose(result.value_added_coefficient, [0.3, 0.4, 0.5], rtol=1e-15)
    np.testing.assert_allclose(result.value_added_multiplier, exact(HAND_VALUE_ADDED), rtol=1e-14)
    np.testing.assert_allclose(
        result.value_added_multiplier_type1,
        exact([F(4220, 1629), F(1085, 543), F(890, 543)]),
        rtol=1e-14,
    )
    np.testing.assert_allclose(result.backward_linkage, exact(HAND_BACKWARD), rtol=1e-14)
    np.testing.assert_allclose(result.forward_linkage, exact(HAND_FORWARD), rtol=1e-14)
    assert result.key_sector.tolist() == [True, False, False]
    assert result.household_income == 110.0
    assert result.sectors is None
    with pytest.raises(ValueError, match="read-only"):
        result.output_multiplier[0] = 0.0


def test_type2_with_a_given_household_income() -> None:
    # h_C = (22, 55, 33) / 220 halves h_R L h_C = 295 / 543, so 1 − it = 395.5 / 543.
    _, type2 = income_multipliers(hand_table(), household_income=220.0)
    np.testing.assert_allclose(type2, exact(HAND_TYPE1) * 543 / 395.5, rtol=1e-14)
    result = multipliers(hand_table(), household_income=220.0)
    assert result.household_income == 220.0


def test_type2_equals_the_closed_model_inverted_in_full() -> None:
    table = hand_table()
    a = technical_coefficients(table)
    closed = np.zeros((4, 4))
    closed[:3, :3] = a
    closed[:3, 3] = exact(HAND["household_consumption"]) / 110
    closed[3, :3] = exact(HAND["compensation"]) / exact(HAND["output"])
    inverse = np.linalg.inv(np.eye(4) - closed)
    _, type2 = income_multipliers(table)
    np.testing.assert_allclose(type2, inverse[3, :3] / closed[3, :3], rtol=1e-13)


@pytest.mark.parametrize("household_income", [0.0, -5.0, float("nan")])
def test_household_income_must_be_positive(household_income: float) -> None:
    with pytest.raises(InvalidInput, match="household_income"):
        income_multipliers(hand_table(), household_income=household_income)


def test_closed_model_that_spends_more_than_it_earns_is_refused() -> None:
    with pytest.raises(InvalidTable, match=r"closing the model for households is not productive"):
        income_multipliers(hand_table(), household_income=40.0)


def test_sector_without_compensation_has_no_income_multiplier() -> None:
    table = hand_table(compensation=[20, 0, 30], sectors=["A farms", "B mills", "C shops"])
    with pytest.raises(InvalidTable, match="sector B mills pays compensation of employees 0"):
        multipliers(table)


def test_singular_table() -> None:
    # No final demand and no primary inputs: A's columns sum to 1, I − A is singular.
    with pytest.raises(InvalidTable, match=r"I − A is singular") as caught:
        IOTable(
            intermediate=[[50, 50], [50, 50]],
            final_demand=[0, 0],
            household_consumption=[0, 0],
            primary_inputs=[0, 0],
            compensation=[0, 0],
            value_added=[0, 0],
            output=[100, 100],
        )
    assert "columns whose intermediate inputs take up all of their output" in str(caught.value)
    assert "1 (1), 2 (1)" in str(caught.value)


def test_unproductive_table() -> None:
    # A = [[0.5, 0.6], [0.6, 0.5]] has spectral radius 1.1; the identities hold
    # only with negative final demand and negative primary inputs.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(InvalidTable) as caught:
            IOTable(
                intermediate=[[50, 60], [60, 50]],
                final_demand=[-10, -10],
                household_consumption=[0, 0],
                primary_inputs=[-10, -10],
                compensation=[1, 1],
                value_added=[-10, -10],
                output=[100, 100],
                sectors=["1 Farms", "2 Mills"],
            )
    assert str(caught.value) == (
        "the table is not productive: the spectral radius of A is 1.1 ≥ 1 (Hawkins–Simon fails); "
        "columns whose intermediate inputs take up all of their output (Σ_i a_ij ≥ 1): "
        "1 Farms (1.1), 2 Mills (1.1)"
    )


def test_productive_despite_a_column_above_one() -> None:
    # Column 1 sums to 1.1 but ρ(A) ≈ 0.72 < 1: the eigenvalue test decides.
    table = IOTable(
        intermediate=[[10, 10], [100, 10]],
        final_demand=[80, -10],
        household_consumption=[0, 0],
        primary_inputs=[-10, 80],
        compensation=[1, 1],
        value_added=[-10, 80],
        output=[100, 100],
    )
    np.testing.assert_allclose(
        leontief_inverse(table), np.linalg.inv(np.eye(2) - [[0.1, 0.1], [1.0, 0.1]])
    )


def test_negative_flow_names_row_and_column() -> None:
    z = [[20, 40, 10], [30, 20, -20], [10, 40, 10]]
    with pytest.raises(
        InvalidTable, match=r"^intermediate flow from row 2 to column 3 is -20; flows must be"
    ):
        hand_table(intermediate=z)


def test_broken_row_identity_names_the_row_and_numbers() -> None:
    with pytest.raises(InvalidTable) as caught:
        hand_table(final_demand=[30, 131, 40], sectors=["1 Farms", "2 Mills", "3 Shops"])
    assert str(caught.value) == (
        "row 2 Mills: intermediate demand 70 + final demand 131 = 201, but output is 200 "
        "(relative gap 0.005 > tolerance 1e-06)"
    )


def test_broken_column_identity_names_the_column() -> None:
    message = r"^column 3: intermediate inputs 40 \+ primary inputs 61 = 101, but output is 100"
    with pytest.raises(InvalidTable, match=message):
        hand_table(primary_inputs=[40, 100, 61])


def test_identity_within_tolerance_passes() -> None:
    hand_table(final_demand=[30, 130.0001, 40])
    with pytest.raises(InvalidTable, match="row 2"):
        hand_table(final_demand=[30, 130.0001, 40], rtol=1e-7)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"intermediate": [[1, 2, 3], [4, 5, 6]]}, r"must be square .* got shape \(2, 3\)"),
        ({"intermediate": [1, 2, 3]}, r"must be square .* got shape \(3,\)"),
        ({"intermediate": np.zeros((0, 0))}, "at least one sector"),
        ({"final_demand": [30, 130]}, r"final_demand must have one entry per sector \(3\)"),
        ({"output": [[100, 200, 100]]}, r"output must have one entry per sector \(3\); got shape"),
        ({"sectors": ["a", "b"]}, "2 sector labels for 3 sectors"),
    ],
)
def test_wrong_shapes(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidTable, match=message):
        hand_table(**changes)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"intermediate": [[20, 40, 10], [30, np.nan, 20], [10, 40, 10]]},
            "intermediate flow from row 2 to column 2 is nan, not a finite number",
        ),
        ({"compensation": [20, 60, np.inf]}, "compensation of sector 3 is inf, not a finite"),
        ({"output": [100, 0, 100]}, "output of sector 2 is 0; every sector needs a positive"),
    ],
)
def test_bad_numbers(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidTable, match=message):
        hand_table(**changes)


def test_table_arrays_are_read_only() -> None:
    table = hand_table()
    with pytest.raises(ValueError, match="read-only"):
        table.intermediate[0, 0] = 1.0


# The BPS 2020 table, against pymrio -----------------------------------------------------


def _columns(path: Path) -> dict[str, npt.NDArray[np.float64]]:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return {name: np.array([float(row[name]) for row in rows]) for name in rows[0]}


@pytest.fixture(scope="module")
def bps() -> IOTable:
    z = np.loadtxt(BPS_DIR / "Z_intermediate_17x17.csv", delimiter=",", skiprows=1)[:, 1:]
    demand = _columns(BPS_DIR / "final_demand_17.csv")
    inputs = _columns(BPS_DIR / "inputs_by_industry_17.csv")
    return IOTable(
        intermediate=z,
        final_demand=demand["total_final_demand"],
        household_consumption=demand["household_consumption"],
        # Everything a column pays besides domestic intermediate inputs.
        primary_inputs=inputs["net_taxes_on_products"]
        + inputs["imported_intermediate_input"]
        + inputs["total_primary_input_gva"],
        compensation=inputs["compensation_of_employees"],
        value_added=inputs["total_primary_input_gva"],
        output=demand["domestic_output_basic_prices"],
    )


@pytest.fixture(scope="module")
def reference(bps: IOTable) -> dict[str, npt.NDArray[np.float64]]:
    """The same quantities computed with pymrio's iomath, step by step."""
    iomath = pytest.importorskip("pymrio.tools.iomath")
    n = bps.n
    z, x = np.array(bps.intermediate), np.array(bps.output)
    a = iomath.calc_A(z, x)
    leontief = iomath.calc_L(a)
    labour = iomath.calc_S(np.array(bps.compensation)[None, :], x)
    gva = iomath.calc_S(np.array(bps.value_added)[None, :], x)
    closed_z = np.zeros((n + 1, n + 1))
    closed_z[:n, :n] = z
    closed_z[:n, n] = bps.household_consumption
    closed_z[n, :n] = bps.compensation
    closed_x = np.append(x, bps.compensation.sum())
    closed_l = iomath.calc_L(iomath.calc_A(closed_z, closed_x))
    ghosh = iomath.calc_G(iomath.calc_B(z, x))
    return {
        "A": a,
        "L": leontief,
        "output": iomath.calc_M(np.ones((1, n)), leontief)[0],
        "type1": (iomath.calc_M(labour, leontief) / labour)[0],
        "type2": closed_l[n, :n] / labour[0],
        "value_added": iomath.calc_M(gva, leontief)[0],
        "backward": n * leontief.sum(axis=0) / leontief.sum(),
        "forward": n * ghosh.sum(axis=1) / ghosh.sum(),
    }


def test_bps_identities_hold_with_imports_and_taxes_as_primary_inputs(bps: IOTable) -> None:
    assert bps.n == 17
    gap = bps.intermediate.sum(axis=0) + bps.primary_inputs - bps.output
    assert np.abs(gap).max() == 0.0
    # Gross value added alone does not close a column of a domestic table.
    with pytest.raises(InvalidTable, match=r"^column 3: .*relative gap 0.11 "):
        IOTable(
            intermediate=bps.intermediate,
            final_demand=bps.final_demand,
            household_consumption=bps.household_consumption,
            primary_inputs=bps.value_added,
            compensation=bps.compensation,
            value_added=bps.value_added,
            output=bps.output,
        )


def test_bps_agrees_with_pymrio(bps: IOTable, reference: dict[str, Any]) -> None:
    result = multipliers(bps)
    np.testing.assert_allclose(technical_coefficients(bps), reference["A"], rtol=1e-12)
    np.testing.assert_allclose(leontief_inverse(bps), reference["L"], rtol=1e-9)
    np.testing.assert_allclose(result.output_multiplier, reference["output"], rtol=1e-9)
    np.testing.assert_allclose(result.income_multiplier_type1, reference["type1"], rtol=1e-9)
    np.testing.assert_allclose(result.income_multiplier_type2, reference["type2"], rtol=1e-9)
    np.testing.assert_allclose(result.value_added_multiplier, reference["value_added"], rtol=1e-9)
    np.testing.assert_allclose(result.backward_linkage, reference["backward"], rtol=1e-9)
    np.testing.assert_allclose(result.forward_linkage, reference["forward"], rtol=1e-9)


def test_bps_output_multipliers_run_from_agriculture_to_electricity(bps: IOTable) -> None:
    result = multipliers(bps)
    m = result.output_multiplier
    assert (int(m.argmin()) + 1, round(float(m.min()), 4)) == (1, 1.2943)
    assert (int(m.argmax()) + 1, round(float(m.max()), 4)) == (4, 2.6672)
    assert np.round(m, 4).tolist() == [
        1.2943, 1.5095, 1.7831, 2.6672, 1.5426, 1.8175, 1.4333, 1.7915, 1.8359,
        1.5838, 1.3263, 1.3753, 1.6454, 1.7805, 1.448, 1.9349, 1.6954,
    ]  # fmt: skip
    assert round(float(result.income_multiplier_type1[3]), 4) == 5.1116
    assert round(float(result.income_multiplier_type2[3]), 4) == 9.6134
    assert round(float(result.value_added_multiplier[0]), 4) == 0.9702
    # Electricity and gas (4) and transportation and storage (8).
    assert (np.flatnonzero(result.key_sector) + 1).tolist() == [4, 8]
