"""Reading an input-output table from its four tidy CSV files.

The files are those of the BPS 2020 17-sector release as shipped in
``kembar/data/economy/io-2020-17/``; their names stay the same whatever the
number of sectors, which comes from the sectors file:

``sectors_17.csv``
    ``io_code, kbli2020_sections, name_id, name_en``: one row per sector.
``Z_intermediate_17x17.csv``
    ``from\\to`` then one column per sector code; one row per sector code:
    what the column sector buys from the row sector.
``final_demand_17.csv``
    ``io_code`` and :data:`FINAL_DEMAND_COLUMNS`.
``inputs_by_industry_17.csv``
    ``io_code`` and :data:`INPUT_COLUMNS`.

Rows and columns are matched by sector code, in any order; extra columns are
ignored.  Every declared total is checked against its parts (within
:data:`~kembar.analytics.io.DEFAULT_RTOL`), then :class:`~kembar.analytics.io.IOTable`
checks the accounting identities.  The primary inputs of a column are
``net_taxes_on_products + imported_intermediate_input + total_primary_input_gva``:
in a domestic table imports and product taxes are paid outside the domestic
intermediate flows, and with them every column of the BPS table closes exactly
(``total_input``).  Problems raise :class:`TableFileError`, naming the file, the
line and the column.  No Django here: the command and services call it.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from kembar.analytics.exceptions import InvalidTable
from kembar.analytics.io import DEFAULT_RTOL, IOTable

__all__ = [
    "FINAL_DEMAND_COLUMNS",
    "FINAL_DEMAND_FILE",
    "INPUTS_FILE",
    "INPUT_COLUMNS",
    "INTERMEDIATE_CORNER",
    "INTERMEDIATE_FILE",
    "SECTORS_FILE",
    "SECTOR_COLUMNS",
    "Sector",
    "TableFileError",
    "io_table_read",
]

SECTORS_FILE = "sectors_17.csv"
INTERMEDIATE_FILE = "Z_intermediate_17x17.csv"
FINAL_DEMAND_FILE = "final_demand_17.csv"
INPUTS_FILE = "inputs_by_industry_17.csv"

SECTOR_COLUMNS = ("io_code", "kbli2020_sections", "name_id", "name_en")
INTERMEDIATE_CORNER = "from\\to"
FINAL_DEMAND_PARTS = (
    "household_consumption",
    "npish_consumption",
    "government_consumption",
    "gfcf",
    "change_in_inventories",
    "exports_goods_fob",
    "exports_services",
)
FINAL_DEMAND_COLUMNS = (
    *FINAL_DEMAND_PARTS,
    "total_final_demand",
    "total_intermediate_demand",
    "total_demand",
    "domestic_output_basic_prices",
)
GVA_PARTS = (
    "compensation_of_employees",
    "gross_operating_surplus",
    "net_other_taxes_on_production",
)
INPUT_COLUMNS = (
    "total_intermediate_input_domestic",
    "net_taxes_on_products",
    "imported_intermediate_input",
    *GVA_PARTS,
    "total_primary_input_gva",
    "total_input",
)
PRIMARY_INPUT_PARTS = (
    "net_taxes_on_products",
    "imported_intermediate_input",
    "total_primary_input_gva",
)

Code = int | str
FloatArray = npt.NDArray[np.float64]

_INTEGER = re.compile(r"[+-]?\d+")


class TableFileError(InvalidTable):
    """A file of the table is missing or wrong; ``path``, ``line`` and ``column`` say where."""

    def __init__(
        self, path: Path, message: str, *, line: int | None = None, column: str | None = None
    ) -> None:
        self.path = path
        self.line = line
        self.column = column
        where = str(path)
        if line is not None:
            where += f", line {line}"
        if column is not None:
            where += f", column {column}"
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Sector:
    """One sector of the table, as the sectors file describes it."""

    code: Code
    kbli2020_sections: str
    name_id: str
    name_en: str


def _code(text: str) -> Code:
    text = text.strip()
    return int(text) if _INTEGER.fullmatch(text) else text


@dataclass
class _Rows:
    path: Path
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (line number, cells)

    def index(self, column: str) -> int:
        return self.header.index(column)


def _read_csv(path: Path, required: Sequence[str]) -> _Rows:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            header = [cell.strip() for cell in next(reader, [])]
            rows = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    except FileNotFoundError:
        raise TableFileError(path, "the file is missing") from None
    except UnicodeDecodeError as error:
        raise TableFileError(path, f"not UTF-8 text ({error.reason})") from None
    except csv.Error as error:
        raise TableFileError(path, f"not a valid CSV file ({error})") from None
    if not header:
        raise TableFileError(path, "the file is empty")
    missing = [column for column in required if column not in header]
    if missing:
        raise TableFileError(
            path, f"missing column {', '.join(missing)}; the header is {','.join(header)}", line=1
        )
    seen: set[str] = set()
    for column in header:
        if column in seen and column in required:
            raise TableFileError(path, f"column {column} appears twice", line=1)
        seen.add(column)
    for line, row in rows:
        if len(row) != len(header):
            raise TableFileError(
                path, f"{len(row)} cells, but the header has {len(header)}", line=line
            )
    return _Rows(path, header, rows)


def _number(rows: _Rows, line: int, column: str, text: str) -> float:
    try:
        value = float(text.strip())
    except ValueError:
        raise TableFileError(
            rows.path, f"{text!r} is not a number", line=line, column=column
        ) from None
    if not math.isfinite(value):
        raise TableFileError(
            rows.path, f"{text!r} is not a finite number", line=line, column=column
        )
    return value


def _read_sectors(path: Path) -> list[Sector]:
    rows = _read_csv(path, SECTOR_COLUMNS)
    if not rows.rows:
        raise TableFileError(path, "no sectors")
    sectors: list[Sector] = []
    first_line: dict[Code, int] = {}
    for line, cells in rows.rows:
        values = {column: cells[rows.index(column)].strip() for column in SECTOR_COLUMNS}
        if not values["io_code"]:
            raise TableFileError(path, "the sector code is empty", line=line, column="io_code")
        code = _code(values["io_code"])
        if code in first_line:
            raise TableFileError(
                path,
                f"duplicate code {code} (first on line {first_line[code]})",
                line=line,
                column="io_code",
            )
        first_line[code] = line
        sectors.append(
            Sector(code, values["kbli2020_sections"], values["name_id"], values["name_en"])
        )
    return sectors


def _positions(
    rows: _Rows,
    labels: Iterator[tuple[int, str]],
    sectors: Sequence[Sector],
    *,
    what: str,
    column: str | None,
) -> list[int]:
    """Map each row or column, given as (line, code text), to its sector's position."""
    position = {sector.code: i for i, sector in enumerate(sectors)}
    found: dict[int, int] = {}
    order: list[int] = []
    for line, text in labels:
        code = _code(text)
        where = column if column is not None else text.strip() or "?"
        if code not in position:
            raise TableFileError(
                rows.path,
                f"{what} {text.strip()!r} is not a code of {SECTORS_FILE}",
                line=line,
                column=where,
            )
        if position[code] in found:
            raise TableFileError(rows.path, f"duplicate {what} {code}", line=line, column=where)
        found[position[code]] = line
        order.append(position[code])
    missing = [str(sector.code) for i, sector in enumerate(sectors) if i not in found]
    if missing:
        raise TableFileError(rows.path, f"no {what} for sector {', '.join(missing)}")
    return order


def _read_intermediate(path: Path, sectors: Sequence[Sector]) -> FloatArray:
    rows = _read_csv(path, ())
    n = len(sectors)
    if rows.header[0] != INTERMEDIATE_CORNER:
        raise TableFileError(
            path, f"the header must start with {INTERMEDIATE_CORNER}", line=1, column="1"
        )
    if len(rows.header) - 1 != n or len(rows.rows) != n:
        raise TableFileError(
            path,
            f"the matrix is {len(rows.rows)}×{len(rows.header) - 1}, but {SECTORS_FILE} "
            f"lists {n} sectors",
        )
    columns = _positions(
        rows, ((1, text) for text in rows.header[1:]), sectors, what="column", column=None
    )
    lines = _positions(
        rows,
        ((line, cells[0]) for line, cells in rows.rows),
        sectors,
        what="row",
        column=INTERMEDIATE_CORNER,
    )
    matrix = np.empty((n, n))
    for (line, cells), i in zip(rows.rows, lines, strict=True):
        for header, text, j in zip(rows.header[1:], cells[1:], columns, strict=True):
            matrix[i, j] = _number(rows, line, header, text)
    return matrix


def _read_by_sector(
    path: Path, columns: Sequence[str], sectors: Sequence[Sector]
) -> tuple[dict[str, FloatArray], list[int]]:
    """The columns as arrays in sector order, and the line of each sector."""
    rows = _read_csv(path, ("io_code", *columns))
    if len(rows.rows) != len(sectors):
        raise TableFileError(
            path, f"{len(rows.rows)} rows, but {SECTORS_FILE} lists {len(sectors)} sectors"
        )
    code_index = rows.index("io_code")
    order = _positions(
        rows,
        ((line, cells[code_index]) for line, cells in rows.rows),
        sectors,
        what="code",
        column="io_code",
    )
    values = {column: np.empty(len(sectors)) for column in columns}
    lines = [0] * len(sectors)
    for (line, cells), i in zip(rows.rows, order, strict=True):
        lines[i] = line
        for column in columns:
            values[column][i] = _number(rows, line, column, cells[rows.index(column)])
    return values, lines


def _check_total(
    path: Path, lines: Sequence[int], column: str, total: FloatArray, parts: FloatArray, sum_of: str
) -> None:
    gap = np.abs(total - parts)
    scale = np.maximum(np.abs(total), np.abs(parts))
    broken = np.flatnonzero(gap > DEFAULT_RTOL * np.maximum(scale, 1.0))
    if broken.size:
        i = int(broken[0])
        raise TableFileError(
            path,
            f"{total[i]:.12g} is not {sum_of} ({parts[i]:.12g})",
            line=lines[i],
            column=column,
        )


def io_table_read(directory: Path) -> tuple[IOTable, list[Sector]]:
    """Read and check the input-output table in ``directory``.

    Returns the table (sectors labelled ``"<code> <name_en>"`` in its messages) and
    the sectors in the order of the sectors file.  Raises :class:`TableFileError`
    for a problem in a file and :class:`~kembar.analytics.exceptions.InvalidTable`
    when the table as a whole fails (an accounting identity, productivity).
    """
    if not directory.is_dir():
        raise TableFileError(directory, "not a directory")
    sectors = _read_sectors(directory / SECTORS_FILE)
    z = _read_intermediate(directory / INTERMEDIATE_FILE, sectors)
    demand_path, inputs_path = directory / FINAL_DEMAND_FILE, directory / INPUTS_FILE
    demand, demand_lines = _read_by_sector(demand_path, FINAL_DEMAND_COLUMNS, sectors)
    inputs, input_lines = _read_by_sector(inputs_path, INPUT_COLUMNS, sectors)

    def parts(values: dict[str, FloatArray], names: Sequence[str]) -> FloatArray:
        return np.sum([values[name] for name in names], axis=0)

    checks = (
        (demand_path, demand_lines, "total_final_demand", demand["total_final_demand"],
         parts(demand, FINAL_DEMAND_PARTS), f"the sum of {', '.join(FINAL_DEMAND_PARTS)}"),
        (demand_path, demand_lines, "total_intermediate_demand",
         demand["total_intermediate_demand"], z.sum(axis=1),
         f"the row sum of {INTERMEDIATE_FILE}"),
        (demand_path, demand_lines, "total_demand", demand["total_demand"],
         parts(demand, ("total_intermediate_demand", "total_final_demand")),
         "total_intermediate_demand + total_final_demand"),
        (inputs_path, input_lines, "total_intermediate_input_domestic",
         inputs["total_intermediate_input_domestic"], z.sum(axis=0),
         f"the column sum of {INTERMEDIATE_FILE}"),
        (inputs_path, input_lines, "total_primary_input_gva", inputs["total_primary_input_gva"],
         parts(inputs, GVA_PARTS), " + ".join(GVA_PARTS)),
        (inputs_path, input_lines, "total_input", inputs["total_input"],
         parts(inputs, ("total_intermediate_input_domestic", *PRIMARY_INPUT_PARTS)),
         " + ".join(("total_intermediate_input_domestic", *PRIMARY_INPUT_PARTS))),
        (inputs_path, input_lines, "total_input", inputs["total_input"],
         demand["domestic_output_basic_prices"],
         f"domestic_output_basic_prices of {FINAL_DEMAND_FILE}"),
    )  # fmt: skip
    for check in checks:
        _check_total(*check)
    table = IOTable(
        intermediate=z,
        final_demand=demand["total_final_demand"],
        household_consumption=demand["household_consumption"],
        primary_inputs=parts(inputs, PRIMARY_INPUT_PARTS),
        compensation=inputs["compensation_of_employees"],
        value_added=inputs["total_primary_input_gva"],
        output=demand["domestic_output_basic_prices"],
        sectors=[f"{sector.code} {sector.name_en}" for sector in sectors],
    )
    return table, sectors
