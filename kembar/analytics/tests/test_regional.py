from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from kembar.analytics.exceptions import InvalidInput
from kembar.analytics.regional import (
    DEFAULT_DELTA,
    cross_industry_location_quotients,
    flegg_location_quotients,
    flegg_scale,
    regional_coefficients,
    simple_location_quotients,
)

DATA = Path(__file__).resolve().parents[2] / "data" / "economy"

# A nation of 1000 (200, 300, 500 by sector) and a region of 100 (40, 30, 30).
NATIONAL = [200, 300, 500]
REGIONAL = [40, 30, 30]
# SLQ_i = (RE_i / 100) / (NE_i / 1000).
SLQ = [2.0, 1.0, 0.6]
# CILQ_ij = SLQ_i / SLQ_j, SLQ_i on the diagonal.
CILQ = [[2.0, 2.0, 10 / 3], [0.5, 1.0, 5 / 3], [0.3, 0.6, 0.6]]
# λ* = log2(1 + 100/1000) ** 0.3 = 0.1375035237499349 ** 0.3.
SCALE = 0.1375035237499349**0.3
A = [[0.2, 0.3, 0.1], [0.1, 0.2, 0.3], [0.2, 0.1, 0.1]]


def test_simple_location_quotients() -> None:
    np.testing.assert_allclose(simple_location_quotients(REGIONAL, NATIONAL), SLQ, rtol=1e-15)


def test_cross_industry_location_quotients() -> None:
    np.testing.assert_allclose(
        cross_industry_location_quotients(REGIONAL, NATIONAL), CILQ, rtol=1e-15
    )


def test_flegg_scale_and_quotients() -> None:
    assert math.log2(1.1) == pytest.approx(0.1375035237499349, rel=1e-15)
    assert flegg_scale(REGIONAL, NATIONAL, delta=0.3) == pytest.approx(SCALE, rel=1e-15)
    assert round(SCALE, 6) == 0.551435
    np.testing.assert_allclose(
        flegg_location_quotients(REGIONAL, NATIONAL, delta=0.3),
        SCALE * np.array(CILQ),
        rtol=1e-15,
    )
    # δ = 0 gives λ* = 1: FLQ is CILQ.
    np.testing.assert_allclose(
        flegg_location_quotients(REGIONAL, NATIONAL, delta=0.0), CILQ, rtol=1e-15
    )


@pytest.mark.parametrize(
    ("method", "delta", "expected"),
    [
        # Row i scaled by min(SLQ_i, 1): only row 3 (0.6) shrinks.
        ("SLQ", None, [[0.2, 0.3, 0.1], [0.1, 0.2, 0.3], [0.12, 0.06, 0.06]]),
        # min(CILQ_ij, 1): row 2 column 1 halves, row 3 by 0.3, 0.6, 0.6.
        ("CILQ", None, [[0.2, 0.3, 0.1], [0.05, 0.2, 0.3], [0.06, 0.06, 0.06]]),
        (
            "FLQ",
            0.3,
            [
                [0.2, 0.3, 0.1],
                [0.1 * 0.5 * SCALE, 0.2 * SCALE, 0.3 * 5 / 3 * SCALE],
                [0.2 * 0.3 * SCALE, 0.1 * 0.6 * SCALE, 0.1 * 0.6 * SCALE],
            ],
        ),
    ],
)
def test_regional_coefficients(
    method: Any, delta: float | None, expected: list[list[float]]
) -> None:
    result = regional_coefficients(A, REGIONAL, NATIONAL, method=method, delta=delta)
    np.testing.assert_allclose(result.coefficients, expected, rtol=1e-14)
    assert result.method == method
    assert result.delta == delta
    assert result.scale == (None if delta is None else pytest.approx(SCALE, rel=1e-15))
    assert not result.coefficients.flags.writeable


def test_flq_is_the_default_with_flegg_delta() -> None:
    result = regional_coefficients(A, REGIONAL, NATIONAL)
    assert (result.method, result.delta) == ("FLQ", DEFAULT_DELTA) == ("FLQ", 0.3)


def test_absent_buying_sector() -> None:
    # Sector 3 absent from the region: its column keeps the national coefficients.
    result = regional_coefficients(A, [50, 50, 0], NATIONAL, method="CILQ")
    assert result.quotients[0, 2] == math.inf
    assert result.quotients[2, 2] == 0.0
    np.testing.assert_allclose(result.coefficients[:, 2], [0.1, 0.3, 0.0])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"method": "AFLQ"}, "method 'AFLQ' is not one of SLQ, CILQ, FLQ"),
        ({"method": "SLQ", "delta": 0.3}, "delta applies to FLQ only, not SLQ"),
        ({"delta": 1.0}, r"delta 1.0 must be in \[0, 1\)"),
        ({"delta": -0.1}, r"delta -0.1 must be in \[0, 1\)"),
        ({"regional": [40, 30]}, "must be vectors of the same length"),
        ({"regional": [40, -30, 30]}, "regional measure of sector 2 is -30"),
        ({"national": [200, 0, 500]}, "national measure of sector 2 is 0"),
        ({"regional": [0, 0, 0]}, "the regional measures sum to zero"),
        ({"regional": [400, 300, 500]}, r"the region \(1200\) is larger than the nation \(1000\)"),
        ({"regional": [40, math.nan, 30]}, "regional measure of sector 2 is nan"),
        ({"coefficients": [[0.2, 0.3], [0.1, 0.2]]}, r"coefficients must be 3×3"),
    ],
)
def test_invalid_arguments(kwargs: dict[str, Any], message: str) -> None:
    arguments: dict[str, Any] = {
        "coefficients": A,
        "regional": REGIONAL,
        "national": NATIONAL,
        **kwargs,
    }
    with pytest.raises(InvalidInput, match=message):
        regional_coefficients(
            arguments.pop("coefficients"), arguments.pop("regional"), arguments.pop("national"),
            **arguments,
        )  # fmt: skip


def test_central_java_from_the_national_table() -> None:
    """Regionalise the BPS 2020 table with Central Java's GRDP of 2020 (current prices)."""
    directory = DATA / "io-2020-17"
    with (directory / "sectors_17.csv").open(encoding="utf-8") as handle:
        sections = [row["kbli2020_sections"] for row in csv.DictReader(handle)]
    with (directory / "inputs_by_industry_17.csv").open(encoding="utf-8") as handle:
        inputs = list(csv.DictReader(handle))
    with (DATA / "pdrb_jawa_tengah_17sector_2020_2024.csv").open(encoding="utf-8") as handle:
        grdp = {
            row["sector_code"]: float(row["y2020"])
            for row in csv.DictReader(handle)
            if row["basis"] == "ADHB"
        }
    national = np.array([float(row["total_primary_input_gva"]) for row in inputs]) / 1000
    regional = np.array([grdp[section] for section in sections])  # billion rupiah, as national
    assert regional.sum() == 1347224.0
    z = np.loadtxt(directory / "Z_intermediate_17x17.csv", delimiter=",", skiprows=1)[:, 1:]
    with (directory / "final_demand_17.csv").open(encoding="utf-8") as handle:
        output = np.array(
            [float(row["domestic_output_basic_prices"]) for row in csv.DictReader(handle)]
        )
    national_a = z / output
    result = regional_coefficients(national_a, regional, national, method="FLQ", delta=0.3)
    # RE/NE = 1,347,224 / 15,049,222 billion rupiah = 0.0895.
    assert round(result.scale or 0, 4) == 0.5342
    assert (result.coefficients <= national_a).all()
    national_m = np.linalg.inv(np.eye(17) - national_a).sum(axis=0)
    regional_m = np.linalg.inv(np.eye(17) - result.coefficients).sum(axis=0)
    assert (regional_m < national_m).all()
    # Electricity and gas: 2.6672 for Indonesia, 1.4157 for Central Java (little of it there).
    assert (round(float(national_m[3]), 4), round(float(regional_m[3]), 4)) == (2.6672, 1.4157)
