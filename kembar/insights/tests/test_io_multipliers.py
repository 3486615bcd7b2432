from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from kembar.insights.io_sources import FINAL_DEMAND_FILE, INPUTS_FILE
from kembar.insights.management.commands.io_multipliers import Command
from kembar.insights.tests.io_tables import (
    BPS_DIR,
    replace_in,
    write_singular,
    write_three_sectors,
)

KEYS = [
    "code",
    "name",
    "output_multiplier",
    "income_multiplier_type1",
    "income_multiplier_type2",
    "value_added_multiplier",
    "backward_linkage",
    "forward_linkage",
    "key_sector",
]


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("io_multipliers", *args, stdout=out)
    return out.getvalue()


def rounded(record: dict[str, Any]) -> dict[str, Any]:
    return {
        key: round(value, 4) if isinstance(value, float) else value for key, value in record.items()
    }


def test_bps_json() -> None:
    document = json.loads(run("--table", str(BPS_DIR)))
    assert list(document) == ["table", "method", "sectors"]
    assert document["table"] == str(BPS_DIR)
    assert document["method"]["type2_household_income"] == "compensation_of_employees"
    assert document["method"]["household_income"] == 5810802524.0
    sectors = document["sectors"]
    assert len(sectors) == 17
    assert all(list(record) == KEYS for record in sectors)
    assert rounded(sectors[0]) == {
        "code": 1,
        "name": "Pertanian, Kehutanan, dan Perikanan",
        "output_multiplier": 1.2943,
        "income_multiplier_type1": 1.2167,
        "income_multiplier_type2": 2.2883,
        "value_added_multiplier": 0.9702,
        "backward_linkage": 0.773,
        "forward_linkage": 1.2106,
        "key_sector": False,
    }
    assert rounded(sectors[3]) == {
        "code": 4,
        "name": "Pengadaan Listrik dan Gas",
        "output_multiplier": 2.6672,
        "income_multiplier_type1": 5.1116,
        "income_multiplier_type2": 9.6134,
        "value_added_multiplier": 0.9036,
        "backward_linkage": 1.5929,
        "forward_linkage": 1.6215,
        "key_sector": True,
    }
    assert [record["code"] for record in sectors if record["key_sector"]] == [4, 8]
    multipliers = [record["output_multiplier"] for record in sectors]
    assert (round(min(multipliers), 2), round(max(multipliers), 2)) == (1.29, 2.67)


def test_english_names() -> None:
    document = json.loads(run("--table", str(BPS_DIR), "--language", "en"))
    assert document["sectors"][3]["name"] == "Electricity and gas supply"


def test_bps_csv() -> None:
    rows = list(csv.reader(io.StringIO(run("--table", str(BPS_DIR), "--format", "csv"))))
    assert rows[0] == KEYS
    assert len(rows) == 18
    assert rows[4][:2] == ["4", "Pengadaan Listrik dan Gas"]
    assert round(float(rows[4][2]), 4) == 2.6672
    assert rows[4][8] == "true"
    assert rows[1][8] == "false"
    assert rows[13][:2] == ["13", "Jasa Perusahaan"]


def test_json_and_csv_carry_the_same_numbers() -> None:
    records = json.loads(run("--table", str(BPS_DIR)))["sectors"]
    rows = list(csv.DictReader(io.StringIO(run("--table", str(BPS_DIR), "--format", "csv"))))
    for record, row in zip(records, rows, strict=True):
        assert float(row["forward_linkage"]) == record["forward_linkage"]
        assert float(row["income_multiplier_type2"]) == record["income_multiplier_type2"]


def test_any_number_of_sectors(tmp_path: Path) -> None:
    directory = write_three_sectors(tmp_path / "io")
    sectors = json.loads(run("--table", str(directory)))["sectors"]
    assert [(record["code"], record["name"]) for record in sectors] == [
        ("A", "Sektor A"),
        ("B", "Sektor B"),
        ("C", "Sektor C"),
    ]
    # The hand-computed values of kembar/analytics/tests/test_io.py.
    assert [record["output_multiplier"] for record in sectors] == pytest.approx(
        [1210 / 543, 1090 / 543, 980 / 543], rel=1e-14
    )
    assert [record["income_multiplier_type2"] for record in sectors] == pytest.approx(
        [715 / 124, 1535 / 372, 1405 / 372], rel=1e-14
    )
    assert [record["key_sector"] for record in sectors] == [True, False, False]
    rows = list(csv.reader(io.StringIO(run("--table", str(directory), "--format", "csv"))))
    assert [row[0] for row in rows] == ["code", "A", "B", "C"]


def test_non_number_cell(tmp_path: Path) -> None:
    directory = Path(shutil.copytree(BPS_DIR, tmp_path / "io"))
    replace_in(directory / FINAL_DEMAND_FILE, ",2269453517,", ",22694x3517,")
    with pytest.raises(CommandError) as caught:
        run("--table", str(directory))
    assert str(caught.value) == (
        f"{directory / FINAL_DEMAND_FILE}, line 4, column household_consumption: "
        "'22694x3517' is not a number"
    )


def test_missing_file(tmp_path: Path) -> None:
    directory = Path(shutil.copytree(BPS_DIR, tmp_path / "io"))
    (directory / INPUTS_FILE).unlink()
    with pytest.raises(CommandError) as caught:
        run("--table", str(directory))
    assert str(caught.value) == f"{directory / INPUTS_FILE}: the file is missing"


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(CommandError) as caught:
        run("--table", str(tmp_path / "nowhere"))
    assert str(caught.value) == f"{tmp_path / 'nowhere'}: not a directory"


def test_singular_matrix(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"^I − A is singular: A has the eigenvalue 1"):
        run("--table", str(write_singular(tmp_path / "io")))


def test_output_that_does_not_add_up(tmp_path: Path) -> None:
    directory = Path(shutil.copytree(BPS_DIR, tmp_path / "io"))
    # Output of sector 9 raised by 10 billion in both files: its inputs no longer add up.
    replace_in(
        directory / FINAL_DEMAND_FILE, ",1187564957,1187564957\n", ",1187564957,1197564957\n"
    )
    replace_in(directory / INPUTS_FILE, ",521257226,1187564957\n", ",521257226,1197564957\n")
    with pytest.raises(CommandError) as caught:
        run("--table", str(directory))
    assert str(caught.value) == (
        f"{directory / INPUTS_FILE}, line 10, column total_input: 1197564957 is not "
        "total_intermediate_input_domestic + net_taxes_on_products + imported_intermediate_input"
        " + total_primary_input_gva (1187564957)"
    )


def test_help_is_translatable() -> None:
    with translation.override("en"):
        english = Command().create_parser("manage.py", "io_multipliers").description
    with translation.override("id"):
        indonesian = Command().create_parser("manage.py", "io_multipliers").description
    assert (english or "").startswith("Print the output, income (Type I and II)")
    assert (indonesian or "").startswith("Cetak pengganda output, pendapatan (Tipe I dan II)")
