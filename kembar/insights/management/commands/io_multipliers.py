"""``manage.py io_multipliers --table DIR``: multipliers and linkages of an input-output table.

Reads the four CSV files of :mod:`kembar.insights.io_sources` from DIR (and from
nowhere else), computes :func:`kembar.analytics.io.multipliers` and prints one
record per sector, as JSON (``{"table", "method", "sectors": [...]}``) or CSV.
Sector names are ``name_id`` by default and ``name_en`` with ``--language en``.
Type II income multipliers close the model with household income equal to the
total compensation of employees (see :func:`kembar.analytics.io.income_multipliers`).
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext_lazy as _

from kembar.analytics.exceptions import InvalidTable
from kembar.analytics.io import Multipliers, multipliers
from kembar.common.tabular import csv_writer
from kembar.insights.io_sources import Sector, io_table_read

#: The keys of each sector's record, in the order of the CSV columns.
FIELDS = (
    "code",
    "name",
    "output_multiplier",
    "income_multiplier_type1",
    "income_multiplier_type2",
    "value_added_multiplier",
    "backward_linkage",
    "forward_linkage",
    "key_sector",
)


def _records(result: Multipliers, sectors: list[Sector], *, language: str) -> list[dict[str, Any]]:
    records = []
    for i, sector in enumerate(sectors):
        record: dict[str, Any] = {
            "code": sector.code,
            "name": sector.name_en if language == "en" else sector.name_id,
        }
        for name in FIELDS[2:-1]:
            record[name] = float(getattr(result, name)[i])
        record["key_sector"] = bool(result.key_sector[i])
        records.append(record)
    return records


def _csv(records: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv_writer(buffer, lineterminator="\n")
    writer.writerow(FIELDS)
    for record in records:
        writer.writerow(
            [
                ("true" if value else "false") if isinstance(value, bool) else value
                for value in (record[name] for name in FIELDS)
            ]
        )
    return buffer.getvalue()


HELP = _(
    "Print the output, income (Type I and II) and value-added multipliers and the backward "
    "and forward linkages of each sector of the input-output table in a directory."
)
TABLE_HELP = _(
    "directory holding sectors_17.csv, Z_intermediate_17x17.csv, final_demand_17.csv and "
    "inputs_by_industry_17.csv (any number of sectors); the table is read from there only"
)
FORMAT_HELP = _("output format (default: json)")
LANGUAGE_HELP = _("language of the sector names: id for name_id, en for name_en (default: id)")


class Command(BaseCommand):
    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # argparse needs str, not lazy strings: translate when the parser is built.
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.description = str(HELP)
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--table",
            type=Path,
            required=True,
            metavar="DIR",
            help=str(TABLE_HELP),
        )
        parser.add_argument(
            "--format",
            choices=["json", "csv"],
            default="json",
            help=str(FORMAT_HELP),
        )
        parser.add_argument(
            "--language",
            choices=["id", "en"],
            default="id",
            help=str(LANGUAGE_HELP),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["table"]
        try:
            table, sectors = io_table_read(directory)
            result = multipliers(table)
        except InvalidTable as error:
            raise CommandError(str(error)) from error
        records = _records(result, sectors, language=options["language"])
        if options["format"] == "csv":
            self.stdout.write(_csv(records), ending="")
            return
        document = {
            "table": str(directory),
            "method": {
                "leontief_inverse": "L = (I - A)^-1 with A = Z diag(x)^-1",
                "type2_household_income": "compensation_of_employees",
                "household_income": result.household_income,
                "linkages": "Rasmussen-Hirschman, normalised; forward from the Ghosh inverse",
            },
            "sectors": records,
        }
        self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))
