"""The economy of cooperation: multipliers, regional tables, portfolio impact, cross-sector view.

Loads the data the analytics need and calls them; the pages, the API and the
tests all come through the functions here.

**Tables.**  The national table is BPS's 2020 17-sector input-output table
(domestic transactions at basic prices, million rupiah) read by
:func:`~kembar.insights.io_sources.io_table_read` from
``KEMBAR_DATA_DIR/economy/io-2020-17``.  No open table exists for Jawa Tengah
(33) or Kota Semarang (33.74), so theirs are made from the national one with
location quotients (:func:`kembar.analytics.regional.regional_coefficients`),
judged on gross value added by sector:

- the national measure is the table's own GVA by sector (2020, current prices);
- Jawa Tengah's is its GRDP by 17 sectors at current prices (ADHB) of the year
  of its file closest to 2020 (2020 itself);
- Kota Semarang's file holds 2014–2016 at constant 2010 prices (ADHK) only:
  the year closest to 2020 (2016) is revalued to 2020 prices sector by sector
  with Jawa Tengah's implicit deflators of 2020 (ADHB ÷ ADHK).  Real growth
  from 2016 to 2020 is not added, so the city's size against the nation (which
  FLQ's λ* depends on) is understated by about that growth.

A regional table keeps the national coefficients wherever no regional figure
exists (:func:`regional_table`): output is GRDP over the national GVA-to-output
ratio, compensation of employees and value added per unit of output are the
national ones, and households spend each rupiah of compensation on the sectors
as national households do.  The last one makes the regional induced effect
(Type II) an upper bound: households in a city buy much from elsewhere.

**Impact.**  An activity's economic effects (:class:`~kembar.programs.models.EconomicEffect`)
are final demand ``f`` for the sectors they are attributed to, converted from
rupiah to the table's million rupiah.  Direct output is ``f``, indirect
``(L − I)f``, induced ``(L̄ − L)f`` where ``L̄`` is the inverse of the table
closed for households, restricted to the industries (:func:`impact_decomposition`);
value added multiplies each by the value-added coefficients.

**Cross-sector.**  Activities by partnership × sector and agency × sector, and
the regional plan's priority sectors (:class:`~kembar.insights.models.PrioritySector`)
against the sectors cooperation covers.
"""

from __future__ import annotations

import csv
import functools
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

import numpy as np
import numpy.typing as npt
from django.conf import settings
from django.db.models import Count, F, Sum
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kembar.accounts.regions import user_region
from kembar.analytics.io import IOTable, leontief_inverse, multipliers, technical_coefficients
from kembar.analytics.regional import (
    DEFAULT_DELTA,
    Method,
    RegionalCoefficients,
    regional_coefficients,
)
from kembar.insights.io_sources import Sector as TableSector
from kembar.insights.io_sources import TableFileError, io_table_read
from kembar.insights.models import PrioritySector
from kembar.partnerships.access import staff_partnerships
from kembar.programs.disclosure import withheld_local_counts
from kembar.programs.models import (
    Activity,
    ActivityStatus,
    EconomicEffect,
    EffectKind,
    Sector,
)

__all__ = [
    "DEFAULT_DELTA",
    "DEFAULT_METHOD",
    "METHODS",
    "MULTIPLIER_FIELDS",
    "NATIONAL",
    "REGIONS",
    "CrossSectorFilters",
    "EconomyTable",
    "GrdpSource",
    "ImpactFilters",
    "RegionalMeasure",
    "cross_sector_figures",
    "economy_table",
    "grdp_measure",
    "impact_decomposition",
    "impact_figures",
    "multiplier_figures",
    "regional_table",
]

FloatArray = npt.NDArray[np.float64]
MethodCode = Literal["slq", "cilq", "flq"]

NATIONAL = "national"
METHODS: tuple[MethodCode, ...] = get_args(MethodCode)
DEFAULT_METHOD: MethodCode = "flq"
_METHOD: dict[MethodCode, Method] = {"slq": "SLQ", "cilq": "CILQ", "flq": "FLQ"}
TABLE_DIR = "economy/io-2020-17"
TABLE_YEAR = 2020
#: Rupiah in one unit of the BPS table (juta rupiah).
TABLE_UNIT_IDR = 1_000_000
#: Rupiah in one unit of the GRDP files (miliar rupiah).
GRDP_UNIT_IDR = 1_000_000_000
TABLE_SOURCE = (
    "BPS, Tabel Input-Output Indonesia 2020, transaksi domestik atas dasar harga dasar, "
    "17 produk (juta rupiah)"
)

#: The keys of each sector's record, as ``manage.py io_multipliers`` prints them.
MULTIPLIER_FIELDS = (
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

_YEAR_COLUMN = re.compile(r"^y(\d{4})$")


# --- Regional measures (GRDP by sector) -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class GrdpSource:
    """A region's GRDP by 17 sectors, as shipped under ``KEMBAR_DATA_DIR``.

    ``basis`` is ``"ADHB"`` (current prices) or ``"ADHK2010"`` (constant 2010
    prices); a file with a ``basis`` column holds both and ``basis`` says which
    to use.  ``deflators_from`` names the region whose ADHB/ADHK ratios of the
    table's year revalue constant-price figures.
    """

    region: str
    name: str
    path: str
    basis: Literal["ADHB", "ADHK2010"]
    deflators_from: str | None = None


REGIONS: dict[str, GrdpSource] = {
    "33": GrdpSource(
        region="33",
        name="Jawa Tengah",
        path="economy/pdrb_jawa_tengah_17sector_2020_2024.csv",
        basis="ADHB",
    ),
    "33.74": GrdpSource(
        region="33.74",
        name="Kota Semarang",
        path="semarang/semarang_pdrb_adhk2010_17sektor_2014_2016.csv",
        basis="ADHK2010",
        deflators_from="33",
    ),
}


@dataclass(frozen=True, slots=True)
class RegionalMeasure:
    """GVA by sector of a region in the table's units (million rupiah of 2020), and its origin."""

    values: FloatArray
    file: str
    year: int
    basis: str
    revalued: bool

    def describe(self) -> str:
        if self.revalued:
            return _(
                "GRDP by 17 sectors of %(year)s at constant 2010 prices (%(file)s), revalued to "
                "%(table_year)s prices with Jawa Tengah's implicit deflators of %(table_year)s "
                "(current ÷ constant prices, by sector); growth after %(year)s is not added"
            ) % {"year": self.year, "file": self.file, "table_year": TABLE_YEAR}
        return _("GRDP by 17 sectors of %(year)s at current prices (%(file)s)") % {
            "year": self.year,
            "file": self.file,
        }


@dataclass(frozen=True, slots=True)
class _GrdpFile:
    path: Path
    #: ``{(basis, year): {KBLI sections: miliar rupiah}}``
    values: dict[tuple[str, int], dict[str, float]]
    #: The file's TOTAL row, if any: ``{(basis, year): (line, miliar rupiah)}``
    totals: dict[tuple[str, int], tuple[int, float]]

    def sectors(self, basis: str, year: int) -> dict[str, float]:
        values = self.values[(basis, year)]
        if (basis, year) in self.totals:
            line, total = self.totals[(basis, year)]
            parts = sum(values.values())
            # Figures are rounded to 0.01 each; 17 of them drift by at most 0.085.
            if abs(parts - total) > 0.1:
                raise TableFileError(
                    self.path,
                    f"the sectors of {year} add up to {parts:.2f}, not {total:.2f}",
                    line=line,
                )
        return values


def _grdp_read(path: Path, default_basis: str) -> _GrdpFile:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            rows = [(reader.line_num, row) for row in reader]
    except FileNotFoundError:
        raise TableFileError(path, "the file is missing") from None
    years = {column: int(match[1]) for column in header if (match := _YEAR_COLUMN.match(column))}
    if "sector_code" not in header or not years:
        raise TableFileError(path, "the header needs sector_code and year columns y2020 …", line=1)
    found: dict[tuple[str, int], dict[str, float]] = defaultdict(dict)
    totals: dict[tuple[str, int], tuple[int, float]] = {}
    for line, row in rows:
        code = "".join((row["sector_code"] or "").split())
        basis = (row.get("basis") or default_basis).strip()
        for column, year in years.items():
            text = (row[column] or "").strip()
            try:
                value = float(text)
            except ValueError:
                raise TableFileError(
                    path, f"{text!r} is not a number", line=line, column=column
                ) from None
            if code == "TOTAL":
                totals[(basis, year)] = (line, value)
            elif code in found[(basis, year)]:
                raise TableFileError(path, f"sector {code} twice", line=line, column="sector_code")
            else:
                found[(basis, year)][code] = value
    return _GrdpFile(path, dict(found), totals)


def _by_sector(path: Path, values: dict[str, float], sectors: Sequence[TableSector]) -> FloatArray:
    result = np.empty(len(sectors))
    for i, sector in enumerate(sectors):
        code = "".join(sector.kbli2020_sections.split())
        if code not in values:
            raise TableFileError(path, f"no figure for KBLI {code} (sector {sector.code})")
        result[i] = values[code]
    return result


def _closest_year(available: Sequence[int]) -> int:
    # The later year wins a tie: it is the more recent economy.
    return min(available, key=lambda year: (abs(year - TABLE_YEAR), -year))


def grdp_measure(
    source: GrdpSource, sectors: Sequence[TableSector], *, data_dir: Path
) -> RegionalMeasure:
    """The region's GVA by sector in million rupiah of :data:`TABLE_YEAR`, for the quotients.

    The year is the one of the file closest to the table's; constant-price
    figures are revalued with the implicit deflators of ``source.deflators_from``.
    """
    path = data_dir / source.path
    grdp = _grdp_read(path, source.basis)
    available = sorted(year for basis, year in grdp.values if basis == source.basis)
    if not available:
        raise TableFileError(path, f"no rows at {source.basis}")
    year = _closest_year(available)
    values = _by_sector(path, grdp.sectors(source.basis, year), sectors)
    revalued = False
    if source.basis != "ADHB":
        if source.deflators_from is None:
            raise TableFileError(path, "constant prices need deflators_from")
        deflator_source = REGIONS[source.deflators_from]
        deflator_path = data_dir / deflator_source.path
        deflators = _grdp_read(deflator_path, deflator_source.basis)
        current = _by_sector(deflator_path, deflators.sectors("ADHB", TABLE_YEAR), sectors)
        constant = _by_sector(deflator_path, deflators.sectors("ADHK", TABLE_YEAR), sectors)
        values = values * current / constant
        revalued = True
    return RegionalMeasure(
        values=values * (GRDP_UNIT_IDR / TABLE_UNIT_IDR),
        file=source.path,
        year=year,
        basis=source.basis,
        revalued=revalued,
    )


# --- Regional tables --------------------------------------------------------------------------


def regional_table(
    national: IOTable,
    regional_value_added: npt.ArrayLike,
    *,
    method: Method = "FLQ",
    delta: float | None = None,
) -> tuple[IOTable, RegionalCoefficients]:
    """A regional table from the national one and the region's value added by sector.

    Parameters
    ----------
    national : IOTable
    regional_value_added : array_like, shape (n,)
        The region's GVA by sector, in the units of the national table.
    method, delta
        As :func:`kembar.analytics.regional.regional_coefficients`; the
        quotients are taken on value added (regional against the table's).

    Returns
    -------
    table : IOTable
        With :math:`A_R = A \\circ \\min(LQ, 1)`, output
        :math:`x_R = \\mathrm{GVA}_R / v` (:math:`v` the national GVA-to-output
        ratios), :math:`Z_R = A_R \\hat{x}_R`, compensation :math:`h_R x_R` and
        value added :math:`v x_R` with the national coefficients, household
        consumption :math:`(c / Σ\\mathrm{CoE}) \\, Σ\\mathrm{CoE}_R` (national
        spending per rupiah of compensation), final demand and primary inputs
        the rest of each row and column.
    coefficients : RegionalCoefficients
        The quotients, method, δ and λ* that made :math:`A_R`.

    Examples
    --------
    >>> national = IOTable(
    ...     intermediate=[[20, 60], [40, 20]], final_demand=[20, 140],
    ...     household_consumption=[10, 90], primary_inputs=[40, 120],
    ...     compensation=[20, 60], value_added=[30, 100], output=[100, 200])
    >>> table, made = regional_table(national, [3, 20], method="SLQ")
    >>> made.quotients[:, 0].round(3)
    array([0.565, 1.13 ])
    >>> table.output
    array([10., 40.])
    >>> technical_coefficients(table).round(3)
    array([[0.113, 0.17 ],
           [0.4  , 0.1  ]])
    """
    national_a = technical_coefficients(national)
    measure = np.asarray(regional_value_added, dtype=np.float64)
    made = regional_coefficients(
        national_a, measure, national.value_added, method=method, delta=delta
    )
    va_ratio = national.value_added / national.output
    output = measure / va_ratio
    z = made.coefficients * output[np.newaxis, :]
    compensation = national.compensation / national.output * output
    consumption = national.household_consumption / national.compensation.sum()
    table = IOTable(
        intermediate=z,
        final_demand=output - z.sum(axis=1),
        household_consumption=consumption * compensation.sum(),
        primary_inputs=output - z.sum(axis=0),
        compensation=compensation,
        value_added=va_ratio * output,
        output=output,
        sectors=national.sectors,
    )
    return table, made


@dataclass(frozen=True, eq=False)
class EconomyTable:
    """A national or regional table with everything needed to say how it was made."""

    region: str
    region_name: str
    table: IOTable
    sectors: tuple[TableSector, ...]
    method: MethodCode | None = None
    delta: float | None = None
    scale: float | None = None
    measure: RegionalMeasure | None = None
    share_of_nation: float | None = None
    unit_idr: int = TABLE_UNIT_IDR
    source: str = TABLE_SOURCE
    year: int = TABLE_YEAR

    def sector_name(self, index: int) -> str:
        sector = self.sectors[index]
        english = (get_language() or "id").startswith("en")
        return sector.name_en if english or not sector.name_id else sector.name_id

    def assumptions(self) -> dict[str, Any]:
        """How the table was made, for the API's ``table`` and the page."""
        notes = [
            _(
                "Leontief model: A = Z x̂⁻¹, L = (I − A)⁻¹; forward linkages from the Ghosh "
                "inverse; key sectors have both normalised linkages above 1."
            ),
            _(
                "Type II income multipliers close the model for households: household income is "
                "the total compensation of employees, spent on the sectors as households spend "
                "in the national table."
            ),
        ]
        regionalisation: dict[str, Any] | None = None
        if self.measure is not None and self.method is not None:
            notes += [
                _(
                    "Regional technical coefficients: the national ones times min(LQ, 1), with "
                    "location quotients (%(method)s) on gross value added by sector: %(measure)s, "
                    "against the national table's value added."
                )
                % {"method": self.method.upper(), "measure": self.measure.describe()},
                _(
                    "Regional output is GRDP divided by the national ratio of value added to "
                    "output; compensation of employees, value added per unit of output and "
                    "household spending per rupiah of compensation are the national "
                    "coefficients (no regional figures exist), so the regional Type II and "
                    "value-added multipliers are approximations; the induced effect is an upper "
                    "bound, since city households buy much from elsewhere."
                ),
            ]
            regionalisation = {
                "method": self.method,
                "delta": self.delta,
                "flegg_lambda": self.scale,
                "measure": "gross value added by 17 sectors",
                "measure_file": self.measure.file,
                "measure_year": self.measure.year,
                "measure_basis": self.measure.basis,
                "revalued_to_table_prices": self.measure.revalued,
                "share_of_nation": self.share_of_nation,
            }
        return {
            "source": self.source,
            "year": self.year,
            "region": {"code": self.region, "name": self.region_name},
            "units": _("million rupiah (juta rupiah) per unit of the table"),
            "unit_idr": self.unit_idr,
            "price_basis": _("basic prices, current prices of %(year)s") % {"year": self.year},
            "household_closure": _(
                "households' income = total compensation of employees; consumption per rupiah "
                "of it as in the national table"
            ),
            "household_income": float(self.table.compensation.sum()),
            "regionalisation": regionalisation,
            "notes": notes,
        }


def _region_name(region: str) -> str:
    return _("Indonesia (national table)") if region == NATIONAL else REGIONS[region].name


@functools.lru_cache(maxsize=4)
def _national(directory: str) -> tuple[IOTable, tuple[TableSector, ...]]:
    table, sectors = io_table_read(Path(directory))
    return table, tuple(sectors)


@functools.lru_cache(maxsize=32)
def _economy_table(
    data_dir: str, region: str, method: MethodCode | None, delta: float | None
) -> EconomyTable:
    national, sectors = _national(str(Path(data_dir) / TABLE_DIR))
    if region == NATIONAL or method is None:
        return EconomyTable(region=NATIONAL, region_name="", table=national, sectors=sectors)
    measure = grdp_measure(REGIONS[region], sectors, data_dir=Path(data_dir))
    table, made = regional_table(national, measure.values, method=_METHOD[method], delta=delta)
    return EconomyTable(
        region=region,
        region_name=REGIONS[region].name,
        table=table,
        sectors=sectors,
        method=method,
        delta=made.delta,
        scale=made.scale,
        measure=measure,
        share_of_nation=float(measure.values.sum() / national.value_added.sum()),
    )


def economy_table(
    region: str = NATIONAL, method: str = DEFAULT_METHOD, delta: float | None = DEFAULT_DELTA
) -> EconomyTable:
    """The table of ``region`` (``"national"``, ``"33"`` or ``"33.74"``), cached in the process.

    ``method`` is ignored for the national table and ``delta`` for SLQ and CILQ:
    the result's ``method`` and ``delta`` say what was used.
    """
    if region != NATIONAL and region not in REGIONS:
        raise ValueError(f"no table for region {region!r}")
    if method not in METHODS:
        raise ValueError(f"method {method!r} is not one of {', '.join(METHODS)}")
    code: MethodCode | None = None if region == NATIONAL else method  # type: ignore[assignment]
    used_delta = None if code != "flq" else float(DEFAULT_DELTA if delta is None else delta)
    table = _economy_table(str(settings.KEMBAR_DATA_DIR), region, code, used_delta)
    if table.region == NATIONAL and not table.region_name:
        # The cached table is language-neutral; its display name is not.
        return EconomyTable(
            region=NATIONAL,
            region_name=_region_name(NATIONAL),
            table=table.table,
            sectors=table.sectors,
        )
    return table


# --- Multipliers ----------------------------------------------------------------------------


def multiplier_figures(table: EconomyTable) -> dict[str, Any]:
    """``{"region", "method", "delta", "table", "sectors"}`` with the command's sector records."""
    result = multipliers(table.table)
    records = []
    for i, sector in enumerate(table.sectors):
        record: dict[str, Any] = {"code": sector.code, "name": table.sector_name(i)}
        for name in MULTIPLIER_FIELDS[2:-1]:
            record[name] = float(getattr(result, name)[i])
        record["key_sector"] = bool(result.key_sector[i])
        records.append(record)
    return {
        "region": table.region,
        "method": table.method,
        "delta": table.delta,
        "table": table.assumptions(),
        "sectors": records,
    }


# --- Impact of the portfolio ----------------------------------------------------------------


def impact_decomposition(table: IOTable, final_demand: npt.ArrayLike) -> dict[str, FloatArray]:
    """Direct, indirect and induced output and value added of a final-demand vector.

    Parameters
    ----------
    table : IOTable
    final_demand : array_like, shape (n,)
        New final demand by sector, in the table's units.

    Returns
    -------
    dict of ndarray, shape (n,)
        ``output_direct`` :math:`f`, ``output_indirect`` :math:`(L - I)f`,
        ``output_induced`` :math:`(\\bar{L}_{nn} - L)f`, and ``value_added_*``
        :math:`\\hat{v}` times each, by the sector that produces.

    Notes
    -----
    :math:`\\bar{L}` inverts the table closed for households: :math:`\\bar{A}`
    adds to :math:`A` the household row :math:`h_R = \\mathrm{CoE}/x` and the
    household column :math:`h_C = c / Σ\\mathrm{CoE}` (the closure of
    :func:`kembar.analytics.io.income_multipliers`); :math:`\\bar{L}_{nn}` is its
    block for the industries, so the induced effect is the extra output of
    industries that households' spending of their extra income calls for.

    References
    ----------
    R. E. Miller and P. D. Blair, *Input-Output Analysis*, 2nd ed. (2009),
    sections 2.5 and 6.2.

    Examples
    --------
    >>> table = IOTable(
    ...     intermediate=[[20, 60], [40, 20]], final_demand=[20, 140],
    ...     household_consumption=[10, 90], primary_inputs=[40, 120],
    ...     compensation=[20, 60], value_added=[30, 100], output=[100, 200])
    >>> effects = impact_decomposition(table, [1, 0])
    >>> effects["output_indirect"].round(3)
    array([0.5  , 0.667])
    >>> effects["output_induced"].round(3)
    array([1.   , 2.111])
    """
    f = np.asarray(final_demand, dtype=np.float64)
    n = table.n
    leontief = leontief_inverse(table)
    closed = np.zeros((n + 1, n + 1))
    closed[:n, :n] = technical_coefficients(table)
    closed[:n, n] = table.household_consumption / table.compensation.sum()
    closed[n, :n] = table.compensation / table.output
    closed_inverse = np.linalg.inv(np.eye(n + 1) - closed)[:n, :n]
    va = table.value_added / table.output
    output = {
        "direct": f,
        "indirect": (leontief - np.eye(n)) @ f,
        "induced": (closed_inverse - leontief) @ f,
    }
    result: dict[str, FloatArray] = {}
    for part, values in output.items():
        result[f"output_{part}"] = values
        result[f"value_added_{part}"] = va * values
    return result


IMPACT_PARTS = ("direct", "indirect", "induced", "total")


def _impact_row(table: EconomyTable, demand: FloatArray) -> dict[str, float]:
    """Totals over sectors of one final-demand vector, in rupiah."""
    parts = impact_decomposition(table.table, demand)
    row = {"final_demand": float(demand.sum()) * table.unit_idr}
    for measure in ("output", "value_added"):
        total = 0.0
        for part in IMPACT_PARTS[:-1]:
            value = float(parts[f"{measure}_{part}"].sum()) * table.unit_idr
            row[f"{measure}_{part}"] = value
            total += value
        row[f"{measure}_total"] = total
    return row


@dataclass(frozen=True, slots=True)
class ImpactFilters:
    region: str = ""
    method: str = DEFAULT_METHOD
    delta: float = DEFAULT_DELTA
    partnership: str = ""
    year: int | None = None
    demo: bool | None = None

    def table_region(self, home: str = "") -> str:
        """The table asked for, else ``home``'s (default: the home region's), else the national."""
        if self.region:
            return self.region
        home = home or settings.KEMBAR_HOME_REGION
        return home if home in REGIONS else NATIONAL

    def as_dict(self) -> dict[str, Any]:
        return {
            "partnership": self.partnership or None,
            "year": self.year,
            "demo": self.demo,
        }


def _visible_partnerships(user: Any, region: str) -> Any:
    return staff_partnerships(user).filter(local_region_id=region)


def impact_figures(
    *, filters: ImpactFilters, user: Any, table: EconomyTable | None = None
) -> dict[str, Any]:
    """The portfolio's direct, indirect and induced output and value added, with its assumptions.

    Effects of activities of the partnerships of ``user``'s own region that they
    may see (:func:`~kembar.accounts.regions.user_region`); the table is the one
    of ``filters``, else the region's own where Kembar has one, else the
    national; ``table`` replaces it (tests inject small ones).
    """
    home = user_region(user)
    if table is None:
        table = economy_table(filters.table_region(home), filters.method, filters.delta)
    effects = EconomicEffect.objects.filter(
        activity__partnership__in=_visible_partnerships(user, home)
    )
    if filters.partnership:
        effects = effects.filter(activity__partnership__slug=filters.partnership)
    if filters.year is not None:
        effects = effects.filter(year=filters.year)
    if filters.demo is not None:
        effects = effects.filter(is_demo=filters.demo)
    grouped = list(
        effects.values(
            "activity__partnership__slug", "activity__partnership__partner_name", "year", "sector"
        )
        .annotate(amount=Sum("amount_idr"), effects=Count("pk"))
        .order_by()
    )
    by_kind = list(
        effects.values("kind").annotate(amount=Sum("amount_idr"), effects=Count("pk")).order_by()
    )
    position = {sector.code: i for i, sector in enumerate(table.sectors)}
    n = table.table.n
    total = np.zeros(n)
    partnerships: dict[str, tuple[str, FloatArray]] = {}
    years: dict[int, FloatArray] = defaultdict(lambda: np.zeros(n))
    untraced = 0.0
    for row in grouped:
        # Rupiah to the table's units (million rupiah for BPS) before the Leontief model.
        amount = float(row["amount"]) / table.unit_idr
        i = position.get(row["sector"])
        if i is None:
            untraced += float(row["amount"])
            continue
        total[i] += amount
        slug = row["activity__partnership__slug"]
        _name, vector = partnerships.setdefault(
            slug, (row["activity__partnership__partner_name"], np.zeros(n))
        )
        vector[i] += amount
        years[row["year"]][i] += amount
    parts = impact_decomposition(table.table, total)
    by_sector = []
    for i, sector in enumerate(table.sectors):
        record: dict[str, Any] = {
            "code": sector.code,
            "name": table.sector_name(i),
            "final_demand": float(total[i]) * table.unit_idr,
        }
        for measure in ("output", "value_added"):
            values = [
                float(parts[f"{measure}_{part}"][i]) * table.unit_idr for part in IMPACT_PARTS[:-1]
            ]
            for part, value in zip(IMPACT_PARTS[:-1], values, strict=True):
                record[f"{measure}_{part}"] = value
            record[f"{measure}_total"] = sum(values)
        by_sector.append(record)
    kinds = dict(EffectKind.choices)
    return {
        "region": table.region,
        "method": table.method,
        "delta": table.delta,
        "table": table.assumptions(),
        "units": "IDR",
        "totals": _impact_row(table, total),
        "by_sector": by_sector,
        "by_partnership": [
            {"slug": slug, "name": name, **_impact_row(table, vector)}
            for slug, (name, vector) in sorted(partnerships.items(), key=lambda item: item[1][0])
        ],
        "by_year": [{"year": year, **_impact_row(table, years[year])} for year in sorted(years)],
        "effects": {
            "count": sum(row["effects"] for row in by_kind),
            "amount_idr": sum(float(row["amount"]) for row in by_kind),
            "untraced_idr": untraced,
            "by_kind": [
                {
                    "kind": row["kind"],
                    "name": str(kinds.get(row["kind"], row["kind"])),
                    "count": row["effects"],
                    "amount_idr": float(row["amount"]),
                }
                for row in sorted(by_kind, key=lambda row: row["kind"])
            ],
        },
        "filters": filters.as_dict(),
        "includes_demo": effects.filter(is_demo=True).exists(),
        "assumptions": _impact_assumptions(table),
    }


def _impact_assumptions(table: EconomyTable) -> list[str]:
    return [
        _(
            "Each effect is new final demand for the products of the sector it is attributed "
            "to, met by producers of %(region)s: the whole amount is the direct effect."
        )
        % {"region": table.region_name or _region_name(table.region)},
        _(
            "Amounts are rupiah of their own year, traced through the %(year)s table at basic "
            "prices without deflating them or removing trade margins and product taxes."
        )
        % {"year": table.year},
        _(
            "Units: rupiah are divided by %(unit)s to give the table's units, and the results "
            "multiplied back; the results are in rupiah."
        )
        % {"unit": f"{table.unit_idr:,}"},
        _(
            "Visitor spending is visitors × days × spending per day, all of it on the sector "
            "chosen for it; export contracts and realised investment count in full in the year "
            "recorded."
        ),
        _(
            "Direct output: f; indirect: (L − I)f; induced: (L̄ − L)f, where L̄ is the inverse "
            "of the table closed for households, restricted to the industries. Value added: "
            "the value-added coefficient (GVA ÷ output) of each sector times its output."
        ),
        _(
            "Only activities of partnerships you may see are counted; effects are as recorded "
            "on the activities, each with its source and confidence."
        ),
    ]


# --- Cross-sector view ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CrossSectorFilters:
    region: str = ""
    year_from: int | None = None
    year_to: int | None = None
    demo: bool | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "region": self.region or settings.KEMBAR_HOME_REGION,
            "year_from": self.year_from,
            "year_to": self.year_to,
            "demo": self.demo,
        }


@dataclass
class _Row:
    key: str
    name: str
    cells: dict[int, dict[str, Any]] = field(default_factory=dict)


def _matrix(
    rows: list[dict[str, Any]], key: str, name: str, codes: list[int]
) -> list[dict[str, Any]]:
    found: dict[str, _Row] = {}
    for row in rows:
        entry = found.setdefault(row[key], _Row(row[key], row[name]))
        entry.cells[row["sector_code"]] = row
    result = []
    for entry in sorted(found.values(), key=lambda item: item.name):
        cells = [
            {
                "sector": code,
                "activities": entry.cells.get(code, {}).get("activities", 0),
                "participants": entry.cells.get(code, {}).get("participants") or 0,
            }
            for code in codes
        ]
        result.append(
            {
                "slug": entry.key,
                "name": entry.name,
                "cells": cells,
                "activities": sum(cell["activities"] for cell in cells),
                "participants": sum(cell["participants"] for cell in cells),
                "sectors_covered": sum(1 for cell in cells if cell["activities"]),
            }
        )
    return result


def _withhold(rows: list[dict[str, Any]], hidden: set[tuple[str, int]]) -> None:
    """Null the participants of the matrix cells in ``hidden`` (row slug, sector) and their rows."""
    for row in rows:
        for cell in row["cells"]:
            if (row["slug"], cell["sector"]) in hidden:
                cell["participants"] = None
        if any(cell["participants"] is None for cell in row["cells"]):
            row["participants"] = None


def cross_sector_figures(*, filters: CrossSectorFilters, user: Any) -> dict[str, Any]:
    """Activities by partnership × sector and agency × sector, against the plan's priorities.

    Activities of the partnerships of the region of ``filters`` (else the user's
    own region) that ``user`` may see, cancelled ones left out; participants are
    local people who took part.  Participants
    of partnerships whose breakdown ``user`` may not see are as the API gives
    them: a figure that would include a count hidden there is null.
    """
    region = filters.region or user_region(user)
    activities = Activity.objects.filter(
        partnership__in=_visible_partnerships(user, region)
    ).exclude(status=ActivityStatus.CANCELLED)
    if filters.year_from is not None:
        activities = activities.filter(start_date__year__gte=filters.year_from)
    if filters.year_to is not None:
        activities = activities.filter(start_date__year__lte=filters.year_to)
    if filters.demo is not None:
        activities = activities.filter(is_demo=filters.demo)
    sectors = list(Sector.objects.order_by("code"))
    codes = [sector.code for sector in sectors]
    # Local people of both sources: typed by officers, counted from registrations checked in.
    counted = {
        "activities": Count("pk"),
        "participants": Sum(F("participants_local") + F("participants_registered")),
    }
    by_partnership = list(
        activities.values(
            slug=F("partnership__slug"),
            label=F("partnership__partner_name"),
            sector_code=F("sector_id"),
        )
        .annotate(**counted)
        .order_by()
    )
    by_agency = list(
        activities.values(
            slug=F("agency__slug"),
            label=F("agency__name"),
            sector_code=F("sector_id"),
        )
        .annotate(**counted)
        .order_by()
    )
    agencies_per_cell = {
        (row["slug"], row["sector_code"]): row["agencies"]
        for row in activities.values(slug=F("partnership__slug"), sector_code=F("sector_id"))
        .annotate(agencies=Count("agency", distinct=True))
        .order_by()
    }
    partnership_rows = _matrix(by_partnership, "slug", "label", codes)
    for row in partnership_rows:
        for cell in row["cells"]:
            cell["agencies"] = agencies_per_cell.get((row["slug"], cell["sector"]), 0)
    sector_totals: dict[int, dict[str, int]] = defaultdict(
        lambda: {"activities": 0, "participants": 0}
    )
    for row in by_partnership:
        sector_totals[row["sector_code"]]["activities"] += row["activities"]
        sector_totals[row["sector_code"]]["participants"] += row["participants"] or 0
    plans: dict[int, list[str]] = defaultdict(list)
    for entry in PrioritySector.objects.filter(region_id=region).order_by("plan"):
        plans[entry.sector_id].append(entry.plan)
    sector_rows = []
    for sector in sectors:
        priority = sector.code in plans
        active = sector_totals[sector.code]["activities"] > 0
        status = (
            ("covered" if active else "gap")
            if priority
            else ("outside_priorities" if active else "none")
        )
        sector_rows.append(
            {
                "code": sector.code,
                "name": sector.name,
                "kbli": sector.kbli_sections,
                "priority": priority,
                "plans": plans.get(sector.code, []),
                "activities": sector_totals[sector.code]["activities"],
                "participants": sector_totals[sector.code]["participants"],
                "status": status,
            }
        )
    agency_rows = _matrix(by_agency, "slug", "label", codes)
    withheld = withheld_local_counts(user, activities)
    _withhold(partnership_rows, {(item.partnership.slug, item.sector_id) for item in withheld})
    _withhold(agency_rows, {(item.agency.slug, item.sector_id) for item in withheld})
    withheld_sectors = {item.sector_id for item in withheld}
    for sector_row in sector_rows:
        if sector_row["code"] in withheld_sectors:
            sector_row["participants"] = None
    return {
        "region": region,
        "sectors": sector_rows,
        "partnerships": partnership_rows,
        "agencies": agency_rows,
        "priorities": {
            "plans": sorted({plan for names in plans.values() for plan in names}),
            "gaps": [row["code"] for row in sector_rows if row["status"] == "gap"],
            "covered": [row["code"] for row in sector_rows if row["status"] == "covered"],
            "outside_priorities": [
                row["code"] for row in sector_rows if row["status"] == "outside_priorities"
            ],
        },
        "filters": {**filters.as_dict(), "region": region},
        "includes_demo": activities.filter(is_demo=True).exists(),
        "participants_withheld": bool(withheld),
    }
