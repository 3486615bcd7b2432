from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from kembar.analytics.exceptions import InvalidTable
from kembar.analytics.io import multipliers
from kembar.insights.io_sources import (
    FINAL_DEMAND_FILE,
    INPUTS_FILE,
    INTERMEDIATE_FILE,
    SECTORS_FILE,
    Sector,
    TableFileError,
    io_table_read,
)
from kembar.insights.tests.io_tables import (
    BPS_DIR,
    replace_in,
    write_singular,
    write_three_sectors,
)


@pytest.fixture
def bps_copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(BPS_DIR, tmp_path / "io"))


def test_reads_the_bps_table() -> None:
    table, sectors = io_table_read(BPS_DIR)
    assert table.n == len(sectors) == 17
    assert sectors[3] == Sector(4, "D", "Pengadaan Listrik dan Gas", "Electricity and gas supply")
    assert sectors[12].kbli2020_sections == "M,N"
    assert table.label(3) == "4 Electricity and gas supply"
    assert table.output[0] == 2583762278.0
    assert table.primary_inputs[0] == -26795579 + 61233496 + 2050855052
    assert table.compensation[16] == 146174051.0
    assert table.household_consumption[2] == 2269453517.0


def test_three_sectors_with_letter_codes(tmp_path: Path) -> None:
    table, sectors = io_table_read(write_three_sectors(tmp_path / "io"))
    assert [sector.code for sector in sectors] == ["A", "B", "C"]
    np.testing.assert_allclose(
        multipliers(table).output_multiplier, np.array([1210, 1090, 980]) / 543, rtol=1e-14
    )


def test_rows_and_columns_are_matched_by_code(bps_copy: Path) -> None:
    def reverse_rows(path: Path) -> None:
        header, *rows = path.read_text(encoding="utf-8").splitlines()
        path.write_text("\n".join([header, *reversed(rows)]) + "\n", encoding="utf-8")

    for name in (INTERMEDIATE_FILE, FINAL_DEMAND_FILE, INPUTS_FILE):
        reverse_rows(bps_copy / name)
    table, _ = io_table_read(bps_copy)
    expected, _ = io_table_read(BPS_DIR)
    np.testing.assert_array_equal(table.intermediate, expected.intermediate)
    np.testing.assert_array_equal(table.output, expected.output)


def test_byte_order_mark_is_accepted(bps_copy: Path) -> None:
    path = bps_copy / SECTORS_FILE
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert io_table_read(bps_copy)[1][0].code == 1


def test_not_a_directory(tmp_path: Path) -> None:
    with pytest.raises(TableFileError, match=r"/nowhere: not a directory$"):
        io_table_read(tmp_path / "nowhere")


@pytest.mark.parametrize("name", [SECTORS_FILE, INTERMEDIATE_FILE, FINAL_DEMAND_FILE, INPUTS_FILE])
def test_missing_file(bps_copy: Path, name: str) -> None:
    (bps_copy / name).unlink()
    with pytest.raises(TableFileError) as caught:
        io_table_read(bps_copy)
    assert str(caught.value) == f"{bps_copy / name}: the file is missing"
    assert caught.value.path == bps_copy / name


def test_empty_file(bps_copy: Path) -> None:
    (bps_copy / INPUTS_FILE).write_text("", encoding="utf-8")
    with pytest.raises(TableFileError, match=r"inputs_by_industry_17.csv: the file is empty$"):
        io_table_read(bps_copy)


def test_missing_column(bps_copy: Path) -> None:
    replace_in(bps_copy / INPUTS_FILE, ",total_input\n", ",total_inputs\n")
    with pytest.raises(TableFileError) as caught:
        io_table_read(bps_copy)
    assert str(caught.value).startswith(
        f"{bps_copy / INPUTS_FILE}, line 1: missing column total_input; the header is io_code,"
    )
    assert caught.value.line == 1


def test_non_number_names_file_line_and_column(bps_copy: Path) -> None:
    replace_in(bps_copy / FINAL_DEMAND_FILE, ",2269453517,", ",22694x3517,")
    with pytest.raises(TableFileError) as caught:
        io_table_read(bps_copy)
    assert str(caught.value) == (
        f"{bps_copy / FINAL_DEMAND_FILE}, line 4, column household_consumption: "
        "'22694x3517' is not a number"
    )
    assert (caught.value.line, caught.value.column) == (4, "household_consumption")


def test_non_finite_number(bps_copy: Path) -> None:
    replace_in(bps_copy / INTERMEDIATE_FILE, ",338566608,", ",nan,")
    with pytest.raises(TableFileError, match=r"line 5, column 4: 'nan' is not a finite number"):
        io_table_read(bps_copy)


def test_row_with_too_few_cells(bps_copy: Path) -> None:
    replace_in(bps_copy / INPUTS_FILE, ",1540236808\n", "\n")
    with pytest.raises(TableFileError, match=r"line 3: 8 cells, but the header has 9$"):
        io_table_read(bps_copy)


def test_duplicate_sector_code(bps_copy: Path) -> None:
    replace_in(bps_copy / SECTORS_FILE, "\n5,E,", "\n4,E,")
    with pytest.raises(TableFileError) as caught:
        io_table_read(bps_copy)
    assert str(caught.value) == (
        f"{bps_copy / SECTORS_FILE}, line 6, column io_code: duplicate code 4 (first on line 5)"
    )


def test_duplicate_code_in_final_demand(bps_copy: Path) -> None:
    replace_in(bps_copy / FINAL_DEMAND_FILE, "\n5,48194142,", "\n4,48194142,")
    with pytest.raises(TableFileError, match=r"line 6, column io_code: duplicate code 4$"):
        io_table_read(bps_copy)


def test_unknown_code_in_matrix_header(bps_copy: Path) -> None:
    replace_in(bps_copy / INTERMEDIATE_FILE, ",16,17\n", ",16,18\n")
    with pytest.raises(
        TableFileError, match=r"line 1, column 18: column '18' is not a code of sectors_17.csv$"
    ):
        io_table_read(bps_copy)


def test_matrix_of_the_wrong_size(tmp_path: Path) -> None:
    directory = write_three_sectors(tmp_path / "io")
    path = directory / INTERMEDIATE_FILE
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    with pytest.raises(TableFileError) as caught:
        io_table_read(directory)
    assert str(caught.value) == (f"{path}: the matrix is 2×3, but sectors_17.csv lists 3 sectors")


def test_matrix_header_corner(tmp_path: Path) -> None:
    directory = write_three_sectors(tmp_path / "io")
    replace_in(directory / INTERMEDIATE_FILE, "from\\to,", "code,")
    with pytest.raises(TableFileError, match=r"line 1, column 1: the header must start with"):
        io_table_read(directory)


def test_declared_total_disagreeing_with_its_parts(bps_copy: Path) -> None:
    replace_in(bps_copy / INPUTS_FILE, ",2050855052,", ",2060855052,")
    with pytest.raises(TableFileError) as caught:
        io_table_read(bps_copy)
    assert str(caught.value) == (
        f"{bps_copy / INPUTS_FILE}, line 2, column total_primary_input_gva: 2060855052 is not "
        "compensation_of_employees + gross_operating_surplus + net_other_taxes_on_production "
        "(2050855052)"
    )


def test_singular_table_is_an_invalid_table(tmp_path: Path) -> None:
    with pytest.raises(InvalidTable, match=r"^I − A is singular"):
        io_table_read(write_singular(tmp_path / "io"))
