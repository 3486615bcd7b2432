"""Input-output tables written as the four CSV files, for the reader and command tests."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from kembar.insights.io_sources import (
    FINAL_DEMAND_COLUMNS,
    FINAL_DEMAND_FILE,
    INPUT_COLUMNS,
    INPUTS_FILE,
    INTERMEDIATE_FILE,
    SECTORS_FILE,
)

BPS_DIR = Path(__file__).resolve().parents[2] / "data" / "economy" / "io-2020-17"


def _cell(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _write(path: Path, rows: Sequence[Sequence[object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def write_table(
    directory: Path,
    *,
    codes: Sequence[str],
    intermediate: Sequence[Sequence[float]],
    household: Sequence[float],
    gfcf: Sequence[float],
    imports: Sequence[float],
    compensation: Sequence[float],
    surplus: Sequence[float],
) -> Path:
    """Write a table whose totals are computed from its parts; return ``directory``.

    Output is the row total; the caller makes the columns add up to it too.
    """
    directory.mkdir(parents=True, exist_ok=True)
    z = np.array(intermediate, dtype=float)
    final = np.add(household, gfcf)
    output = z.sum(axis=1) + final
    gva = np.add(compensation, surplus)
    _write(
        directory / SECTORS_FILE,
        [
            ["io_code", "kbli2020_sections", "name_id", "name_en"],
            *([code, code, f"Sektor {code}", f"Sector {code}"] for code in codes),
        ],
    )
    _write(
        directory / INTERMEDIATE_FILE,
        [
            ["from\\to", *codes],
            *([code, *map(_cell, row)] for code, row in zip(codes, z, strict=True)),
        ],
    )
    demand_rows = []
    for i, code in enumerate(codes):
        values = dict.fromkeys(FINAL_DEMAND_COLUMNS, 0.0)
        values.update(
            household_consumption=household[i],
            gfcf=gfcf[i],
            total_final_demand=final[i],
            total_intermediate_demand=z[i].sum(),
            total_demand=output[i],
            domestic_output_basic_prices=output[i],
        )
        demand_rows.append([code, *(_cell(values[name]) for name in FINAL_DEMAND_COLUMNS)])
    _write(directory / FINAL_DEMAND_FILE, [["io_code", *FINAL_DEMAND_COLUMNS], *demand_rows])
    input_rows = []
    for j, code in enumerate(codes):
        values = dict.fromkeys(INPUT_COLUMNS, 0.0)
        values.update(
            total_intermediate_input_domestic=z[:, j].sum(),
            imported_intermediate_input=imports[j],
            compensation_of_employees=compensation[j],
            gross_operating_surplus=surplus[j],
            total_primary_input_gva=gva[j],
            total_input=z[:, j].sum() + imports[j] + gva[j],
        )
        input_rows.append([code, *(_cell(values[name]) for name in INPUT_COLUMNS)])
    _write(directory / INPUTS_FILE, [["io_code", *INPUT_COLUMNS], *input_rows])
    return directory


def write_three_sectors(directory: Path) -> Path:
    """The 3-sector economy of ``kembar/analytics/tests/test_io.py``, sectors A, B and C."""
    return write_table(
        directory,
        codes=["A", "B", "C"],
        intermediate=[[20, 40, 10], [30, 20, 20], [10, 40, 10]],
        household=[22, 55, 33],
        gfcf=[8, 75, 7],
        imports=[10, 20, 10],
        compensation=[20, 60, 30],
        surplus=[10, 20, 20],
    )


def write_singular(directory: Path) -> Path:
    """Two sectors that only supply each other: no final demand, no primary inputs."""
    return write_table(
        directory,
        codes=["1", "2"],
        intermediate=[[50, 50], [50, 50]],
        household=[0, 0],
        gfcf=[0, 0],
        imports=[0, 0],
        compensation=[0, 0],
        surplus=[0, 0],
    )


def replace_in(path: Path, old: str, new: str) -> None:
    """Replace one occurrence of ``old`` in a file (and fail if it is not there once)."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")
