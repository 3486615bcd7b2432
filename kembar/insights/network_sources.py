"""Read a twin-town links file for the network commands.

The file is a UTF-8 CSV with the header ``city1,country1,lat1,lng1,city2,
country2,lat2,lng2`` (the shipped ``kembar/data/twin-towns`` list; extra
columns are ignored).  A file whose header lacks a column, or that cannot be
read, is refused (:class:`LinksFileError`).  A bad row is skipped and
reported with its line number, and the rest is used: all problems of the
file are collected, so that whoever keeps the list can fix them at once.
Coordinates may be empty (the link then has no distance); where given they
must be numbers in range.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx

from kembar.analytics.network import Link, build_graph, parse_city

__all__ = [
    "COLUMNS",
    "LinksFile",
    "LinksFileError",
    "RowProblem",
    "read_city_list",
    "read_links",
]

COLUMNS = ("city1", "country1", "lat1", "lng1", "city2", "country2", "lat2", "lng2")
_RANGES = {"lat": 90.0, "lng": 180.0}


class LinksFileError(Exception):
    """The file cannot be used at all: missing, unreadable, or a wrong header."""

    def __init__(self, path: Path, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}")


@dataclass(frozen=True, slots=True)
class RowProblem:
    """Why the row starting at ``line`` (the header is line 1) was skipped."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(slots=True)
class LinksFile:
    """The good links of a file and the problems of its bad rows."""

    path: Path
    links: list[Link] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    rows: int = 0

    def graph(self) -> nx.Graph:
        """The twin-city graph of the good links."""
        return build_graph(self.links)


def _coordinate(column: str, value: str, problems: list[str]) -> float | None:
    if value == "":
        return None
    try:
        number = float(value)
    except ValueError:
        problems.append(f"column {column}: {value!r} is not a number")
        return None
    limit = _RANGES[column[:3]]
    if not math.isfinite(number):
        problems.append(f"column {column}: {value!r} is not a finite number")
    elif not -limit <= number <= limit:
        problems.append(f"column {column}: {value} is not between {-limit:g} and {limit:g}")
    return number


def _link(row: dict[str, str]) -> tuple[Link | None, list[str]]:
    problems: list[str] = []
    for column in ("city1", "country1", "city2", "country2"):
        if not row[column]:
            problems.append(f"column {column} is empty")
    coordinates: dict[str, float | None] = {}
    for end in ("1", "2"):
        lat_column, lng_column = f"lat{end}", f"lng{end}"
        lat = _coordinate(lat_column, row[lat_column], problems)
        lng = _coordinate(lng_column, row[lng_column], problems)
        if (row[lat_column] == "") != (row[lng_column] == ""):
            empty, given = (
                (lat_column, lng_column) if row[lat_column] == "" else (lng_column, lat_column)
            )
            problems.append(f"column {empty} is empty but {given} is given")
        coordinates[lat_column], coordinates[lng_column] = lat, lng
    if problems:
        return None, problems
    link = Link(
        row["city1"],
        row["country1"],
        row["city2"],
        row["country2"],
        coordinates["lat1"],
        coordinates["lng1"],
        coordinates["lat2"],
        coordinates["lng2"],
    )
    return link, []


def read_links(path: Path) -> LinksFile:
    """The links of a twin-town CSV file, with the problems of its bad rows.

    Raises
    ------
    LinksFileError
        If the file is missing, empty, not UTF-8 CSV, or its header lacks a
        column of :data:`COLUMNS`.
    """
    result = LinksFile(path=path)
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise LinksFileError(path, f"cannot open the file: {exc.strerror or exc}") from None
    with handle:
        reader = csv.reader(handle)
        try:
            header = [name.strip() for name in next(reader)]
        except StopIteration:
            raise LinksFileError(path, "the file is empty, expected a header") from None
        except (csv.Error, UnicodeDecodeError) as exc:
            raise LinksFileError(path, f"line 1: unreadable header: {exc}") from None
        missing = [name for name in COLUMNS if name not in header]
        if missing:
            raise LinksFileError(
                path,
                f"line 1: the header lacks column(s) {', '.join(missing)}; expected "
                f"{','.join(COLUMNS)}, found {','.join(header)}",
            )
        previous_end = reader.line_num
        while True:
            line = previous_end + 1
            try:
                fields = next(reader)
            except StopIteration:
                break
            except UnicodeDecodeError:
                raise LinksFileError(path, f"line {line}: the file is not UTF-8") from None
            except csv.Error as exc:
                previous_end = reader.line_num
                result.rows += 1
                result.problems.append(RowProblem(line, f"not valid CSV: {exc}"))
                continue
            previous_end = reader.line_num
            if not any(field.strip() for field in fields):
                continue
            result.rows += 1
            if len(fields) != len(header):
                result.problems.append(
                    RowProblem(
                        line,
                        f"expected {len(header)} fields as in the header, found {len(fields)}",
                    )
                )
                continue
            row = dict(zip(header, (value.strip() for value in fields), strict=True))
            link, problems = _link(row)
            if link is None:
                result.problems.extend(RowProblem(line, problem) for problem in problems)
            else:
                result.links.append(link)
    return result


def read_city_list(path: Path) -> list[str]:
    """The cities of a text or CSV file, one ``"Name, Country"`` per line.

    Blank lines, lines starting with ``#`` and a header line ``city,country``
    are skipped; CSV quoting is understood (``"Bayside, New South Wales",
    Australia``).

    Raises
    ------
    LinksFileError
        If the file cannot be read.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise LinksFileError(path, f"cannot read the file: {exc}") from None
    cities = []
    for fields in csv.reader(text.splitlines()):
        parts = [part.strip() for part in fields if part.strip()]
        if not parts or parts[0].startswith("#"):
            continue
        if [part.casefold() for part in parts] == ["city", "country"]:
            continue
        name, country = parse_city(", ".join(parts))
        cities.append(name if country is None else f"{name}, {country}")
    return cities
