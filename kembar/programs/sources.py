"""Read and check the code lists activities are classified by."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kembar.geo.errors import ReferenceDataError
from kembar.geo.sources import read_csv

__all__ = ["CODELIST_FILES", "Codelists", "codelists_read"]

CODELIST_FILES = {
    "sectors": "economy/io-2020-17/sectors_17.csv",
    "affairs": "government/urusan_pemerintahan.csv",
    "sdg_goals": "codelists/UNSDG-Goals.xml",
    "sdg_goal_names_id": "codelists/sdg_goals_id.csv",
    "sdg_targets": "codelists/UNSDG-Targets.xml",
    "sdg_target_names_id": "codelists/sdg_targets_id.csv",
    "standard_indicators": "programs/standard_indicators.csv",
}
_KBLI = re.compile(r"^[A-U](,[A-U])*$")
_AFFAIR = re.compile(r"^[1-3]\.\d{2}$")
_TARGET = re.compile(r"^(\d{1,2})\.([0-9]{1,2}|[a-z])$")
_LEVELS = {"output", "outcome", "impact"}
_BOOLEANS = {"true": True, "false": False}
_GROUPS = {"wajib_pelayanan_dasar", "wajib_non_pelayanan_dasar", "pilihan"}


@dataclass
class Codelists:
    sectors: dict[int, dict[str, Any]] = field(default_factory=dict)
    affairs: dict[str, dict[str, Any]] = field(default_factory=dict)
    goals: dict[int, dict[str, Any]] = field(default_factory=dict)
    targets: dict[str, dict[str, Any]] = field(default_factory=dict)
    indicators: dict[str, dict[str, Any]] = field(default_factory=dict)


def _iati_items(path: Path) -> list[tuple[str, str]]:
    """``(code, English name)`` of each item of an IATI code list file."""
    try:
        root = ET.parse(path).getroot()  # noqa: S314 - shipped, trusted code list
    except FileNotFoundError:
        raise ReferenceDataError(path, "file not found") from None
    except ET.ParseError as exc:
        raise ReferenceDataError(path, f"not valid XML: {exc}", line=exc.position[0]) from None
    items = []
    for number, item in enumerate(root.iter("codelist-item"), start=1):
        code = (item.findtext("code") or "").strip()
        english = [
            (narrative.text or "").strip()
            for narrative in item.iter("narrative")
            if narrative.get("{http://www.w3.org/XML/1998/namespace}lang") in (None, "en")
        ]
        if not code or not english or not english[0]:
            raise ReferenceDataError(path, f"codelist-item {number}: code or English name missing")
        items.append((code, english[0]))
    return items


def codelists_read(data_dir: Path) -> Codelists:
    paths = {name: data_dir / relative for name, relative in CODELIST_FILES.items()}
    lists = Codelists()
    for line, raw in read_csv(
        paths["sectors"], ("io_code", "kbli2020_sections", "name_id", "name_en")
    ):
        if not raw["io_code"].isdigit() or not _KBLI.match(
            raw["kbli2020_sections"].replace(" ", "")
        ):
            raise ReferenceDataError(
                paths["sectors"],
                "columns io_code / kbli2020_sections are not a code and sections",
                line=line,
            )
        io_code = int(raw["io_code"])
        lists.sectors[io_code] = {
            "code": io_code,
            "kbli_sections": raw["kbli2020_sections"].replace(" ", ""),
            "name_id": raw["name_id"],
            "name_en": raw["name_en"],
        }
    for line, raw in read_csv(paths["affairs"], ("kode", "kelompok", "nama_id", "name_en")):
        if not _AFFAIR.match(raw["kode"]) or raw["kelompok"] not in _GROUPS:
            raise ReferenceDataError(
                paths["affairs"],
                f"columns kode / kelompok: {raw['kode']!r} {raw['kelompok']!r}",
                line=line,
            )
        lists.affairs[raw["kode"]] = {
            "code": raw["kode"],
            "group": raw["kelompok"],
            "name_id": raw["nama_id"],
            "name_en": raw["name_en"],
        }
    names_id = {
        raw["code"]: raw["name_id"]
        for _line, raw in read_csv(paths["sdg_goal_names_id"], ("code", "name_id"))
    }
    for code, name in _iati_items(paths["sdg_goals"]):
        if not code.isdigit():
            raise ReferenceDataError(paths["sdg_goals"], f"goal code {code!r} is not a number")
        lists.goals[int(code)] = {
            "code": int(code),
            "name_en": name,
            "name_id": names_id.get(code, ""),
        }
    target_names_id = {
        raw["code"]: raw["name_id"]
        for _line, raw in read_csv(paths["sdg_target_names_id"], ("code", "name_id"))
    }
    for order, (code, name) in enumerate(_iati_items(paths["sdg_targets"]), start=1):
        match = _TARGET.match(code)
        if match is None or int(match.group(1)) not in lists.goals:
            raise ReferenceDataError(
                paths["sdg_targets"], f"target code {code!r} does not name a known goal"
            )
        lists.targets[code] = {
            "code": code,
            "goal_id": int(match.group(1)),
            "order": order,
            "name_en": name,
            "name_id": target_names_id.get(code, ""),
        }
    columns = ("code", "level", "name_id", "name_en", "unit_id", "unit_en", "higher_is_better")
    for line, raw in read_csv(paths["standard_indicators"], columns):
        if raw["level"] not in _LEVELS or raw["higher_is_better"] not in _BOOLEANS:
            raise ReferenceDataError(
                paths["standard_indicators"],
                f"columns level / higher_is_better: {raw['level']!r} {raw['higher_is_better']!r}",
                line=line,
            )
        if raw["code"] in lists.indicators:
            raise ReferenceDataError(
                paths["standard_indicators"], f"code {raw['code']!r} appears twice", line=line
            )
        lists.indicators[raw["code"]] = {
            **{name: raw[name] for name in columns[:-1]},
            "higher_is_better": _BOOLEANS[raw["higher_is_better"]],
        }
    return lists
