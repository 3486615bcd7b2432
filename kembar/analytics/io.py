"""Input-output multipliers: how far a rupiah of final demand travels.

An input-output table records, for one year, what every sector buys from every
other (the intermediate matrix ``Z``), what it sells to final users (households,
government, investment, exports) and what it pays outside the domestic
intermediate flows (imports, taxes, wages, profits).  From it the Leontief model
derives how much output, income and value added one unit of final demand for a
sector sets going in the whole economy.

:class:`IOTable` holds a table and checks it on construction; the functions
below each compute one family of results, and :func:`multipliers` computes them
all from a single Leontief inverse.  Sectors are numbered 0 … n−1 in arrays;
messages name them by the labels given to the table, or 1-based otherwise.

The accounting identities checked are those of a domestic table at basic prices
(BPS's "transaksi domestik atas dasar harga dasar"):

* row ``i``:    ``Σ_j Z_ij + final demand_i = x_i``
* column ``j``: ``Σ_i Z_ij + primary inputs_j = x_j``

where the *primary inputs* of a column are everything it pays besides domestic
intermediate inputs.  In a domestic table that includes imported intermediate
inputs and net taxes on products as well as gross value added; in the BPS 2020
table, ``net_taxes_on_products + imported_intermediate_input +
total_primary_input_gva = total_input − total_intermediate_input_domestic``
exactly, for every sector.  Gross value added alone does not close the column.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from kembar.analytics.exceptions import InvalidInput, InvalidTable

__all__ = [
    "DEFAULT_RTOL",
    "IOTable",
    "Multipliers",
    "ghosh_inverse",
    "income_multipliers",
    "key_sectors",
    "leontief_inverse",
    "linkages",
    "multipliers",
    "output_multipliers",
    "technical_coefficients",
    "value_added_multipliers",
]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

#: Relative tolerance of the accounting identities: published tables are rounded
#: to whole units (million rupiah for BPS), far below one part in a million of output.
DEFAULT_RTOL = 1e-6

# An eigenvalue of A this close to 1 makes I − A singular for all practical purposes:
# the Leontief inverse would carry entries of order 1e9 and no meaningful digits.
_SINGULAR_GAP = 1e-9

_VECTORS = (
    "final_demand",
    "household_consumption",
    "primary_inputs",
    "compensation",
    "value_added",
    "output",
)


def _number(value: float) -> str:
    return f"{value:.12g}"


def _readonly(array: FloatArray) -> FloatArray:
    array.setflags(write=False)
    return array


class IOTable:
    """A checked input-output table of ``n`` sectors (all flows in one currency unit).

    Parameters
    ----------
    intermediate : array_like, shape (n, n)
        ``Z``: ``Z[i, j]`` is what sector ``j`` buys from sector ``i`` (domestic
        intermediate use).
    final_demand : array_like, shape (n,)
        Total final demand for each sector's output (consumption, investment,
        inventories, exports).
    household_consumption : array_like, shape (n,)
        The household consumption part of final demand.
    primary_inputs : array_like, shape (n,)
        Everything column ``j`` pays besides domestic intermediate inputs: imported
        inputs, net taxes on products and gross value added.
    compensation : array_like, shape (n,)
        Compensation of employees paid by each sector.
    value_added : array_like, shape (n,)
        Gross value added (GVA) of each sector.
    output : array_like, shape (n,)
        Total output ``x``.
    sectors : sequence of str, optional
        Labels used in messages, e.g. ``"4 Electricity and gas supply"``.
    rtol : float
        Relative tolerance of the accounting identities.

    Raises
    ------
    InvalidTable
        If shapes disagree, a number is not finite, a flow in ``Z`` is negative, an
        output is not positive, a row or column identity fails by more than ``rtol``
        of the output, or the table is not productive (see Notes).  The message
        names the row, column or sector and the numbers.

    Notes
    -----
    Productive means that :math:`I - A` is invertible and :math:`ρ(A) < 1`, which
    for a non-negative :math:`A` is the Hawkins–Simon condition: every final demand
    can be met by non-negative outputs.  When every column of :math:`A` sums to
    less than one (every sector has positive primary inputs) this follows from
    :math:`ρ(A) ≤ \\max_j Σ_i a_{ij}`; otherwise the eigenvalues are computed.

    References
    ----------
    D. Hawkins and H. A. Simon, "Note: Some Conditions of Macroeconomic Stability",
    Econometrica 17(3/4), 245–248 (1949).

    Examples
    --------
    >>> table = IOTable(
    ...     intermediate=[[20, 60], [40, 20]], final_demand=[20, 140],
    ...     household_consumption=[10, 90], primary_inputs=[40, 120],
    ...     compensation=[20, 60], value_added=[30, 100], output=[100, 200])
    >>> table.n
    2
    >>> try:
    ...     IOTable(
    ...         intermediate=[[20, 60], [40, 20]], final_demand=[20, 130],
    ...         household_consumption=[10, 90], primary_inputs=[40, 120],
    ...         compensation=[20, 60], value_added=[30, 100], output=[100, 200])
    ... except InvalidTable as error:
    ...     print(error)
    row 2: intermediate demand 60 + final demand 130 = 190, but output is 200 (...)
    """

    __slots__ = ("n", "rtol", "sectors", "intermediate", *_VECTORS)

    n: int
    rtol: float
    sectors: tuple[str, ...] | None
    intermediate: FloatArray
    final_demand: FloatArray
    household_consumption: FloatArray
    primary_inputs: FloatArray
    compensation: FloatArray
    value_added: FloatArray
    output: FloatArray

    def __init__(
        self,
        *,
        intermediate: npt.ArrayLike,
        final_demand: npt.ArrayLike,
        household_consumption: npt.ArrayLike,
        primary_inputs: npt.ArrayLike,
        compensation: npt.ArrayLike,
        value_added: npt.ArrayLike,
        output: npt.ArrayLike,
        sectors: Sequence[str] | None = None,
        rtol: float = DEFAULT_RTOL,
    ) -> None:
        z = np.array(intermediate, dtype=np.float64)
        if z.ndim != 2 or z.shape[0] != z.shape[1] or z.shape[0] == 0:
            raise InvalidTable(
                f"the intermediate matrix must be square with at least one sector; "
                f"got shape {z.shape}"
            )
        n = z.shape[0]
        given = {
            "final_demand": final_demand,
            "household_consumption": household_consumption,
            "primary_inputs": primary_inputs,
            "compensation": compensation,
            "value_added": value_added,
            "output": output,
        }
        vectors = {}
        for name, value in given.items():
            vector = np.array(value, dtype=np.float64)
            if vector.shape != (n,):
                raise InvalidTable(
                    f"{name} must have one entry per sector ({n}); got shape {vector.shape}"
                )
            vectors[name] = _readonly(vector)
        labels = None if sectors is None else tuple(str(label) for label in sectors)
        if labels is not None and len(labels) != n:
            raise InvalidTable(f"{len(labels)} sector labels for {n} sectors")
        if not (math.isfinite(rtol) and rtol >= 0):
            raise InvalidInput(f"rtol {rtol!r} must be a non-negative number")
        for name, value in (
            ("n", n),
            ("rtol", float(rtol)),
            ("sectors", labels),
            ("intermediate", _readonly(z)),
            *vectors.items(),
        ):
            object.__setattr__(self, name, value)
        self._check_numbers()
        self._check_identities()
        self._check_productive()

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"IOTable is read-only; cannot set {name}")

    def __repr__(self) -> str:
        return f"<IOTable of {self.n} sectors>"

    def label(self, index: int) -> str:
        """The sector's label for messages: its given label, or its 1-based number."""
        return self.sectors[index] if self.sectors is not None else str(index + 1)

    def _check_numbers(self) -> None:
        cells = np.argwhere(~np.isfinite(self.intermediate))
        if cells.size:
            i, j = (int(k) for k in cells[0])
            raise InvalidTable(
                f"intermediate flow from row {self.label(i)} to column {self.label(j)} "
                f"is {float(self.intermediate[i, j])}, not a finite number"
            )
        for name in _VECTORS:
            vector: FloatArray = getattr(self, name)
            entries = np.flatnonzero(~np.isfinite(vector))
            if entries.size:
                i = int(entries[0])
                raise InvalidTable(
                    f"{name} of sector {self.label(i)} is {float(vector[i])}, not a finite number"
                )
        negative = np.argwhere(self.intermediate < 0)
        if negative.size:
            i, j = (int(k) for k in negative[0])
            raise InvalidTable(
                f"intermediate flow from row {self.label(i)} to column {self.label(j)} "
                f"is {_number(self.intermediate[i, j])}; flows must be non-negative"
            )
        bad = np.flatnonzero(self.output <= 0)
        if bad.size:
            i = int(bad[0])
            raise InvalidTable(
                f"output of sector {self.label(i)} is {_number(self.output[i])}; "
                "every sector needs a positive output"
            )

    def _check_identities(self) -> None:
        x = self.output
        checks = (
            (
                "row",
                self.intermediate.sum(axis=1),
                "intermediate demand",
                self.final_demand,
                "final demand",
            ),
            (
                "column",
                self.intermediate.sum(axis=0),
                "intermediate inputs",
                self.primary_inputs,
                "primary inputs",
            ),
        )
        for axis, flows, flows_name, rest, rest_name in checks:
            gap = np.abs(flows + rest - x) / x
            broken = np.flatnonzero(gap > self.rtol)
            if broken.size:
                i = int(broken[np.argmax(gap[broken])])
                raise InvalidTable(
                    f"{axis} {self.label(i)}: {flows_name} {_number(flows[i])} + "
                    f"{rest_name} {_number(rest[i])} = {_number(flows[i] + rest[i])}, but output "
                    f"is {_number(x[i])} (relative gap {gap[i]:.2g} > tolerance {self.rtol:g})"
                )

    def _check_productive(self) -> None:
        column_sums = self.intermediate.sum(axis=0) / self.output
        if column_sums.max() < 1 - _SINGULAR_GAP:
            return
        eigenvalues = np.linalg.eigvals(technical_coefficients(self))
        radius = float(np.abs(eigenvalues).max())
        exhausted = ", ".join(
            f"{self.label(int(j))} ({column_sums[j]:.6g})"
            for j in np.flatnonzero(column_sums >= 1 - _SINGULAR_GAP)
        )
        reason = (
            f"columns whose intermediate inputs take up all of their output "
            f"(Σ_i a_ij ≥ 1): {exhausted}"
        )
        if np.abs(1 - eigenvalues).min() <= _SINGULAR_GAP:
            raise InvalidTable(
                f"I − A is singular: A has the eigenvalue 1 (spectral radius "
                f"{radius:.6g}), so no Leontief inverse exists; {reason}"
            )
        if radius >= 1:
            raise InvalidTable(
                f"the table is not productive: the spectral radius of A is {radius:.6g} ≥ 1 "
                f"(Hawkins–Simon fails); {reason}"
            )


@dataclass(frozen=True, eq=False)
class Multipliers:
    """Every multiplier of one table, one array entry per sector.

    Attributes
    ----------
    sectors : tuple of str or None
        The table's sector labels.
    output_multiplier : ndarray
        Column sums of the Leontief inverse (:func:`output_multipliers`).
    income_effect : ndarray
        Compensation of employees per unit of final demand, :math:`h_R L`
        (the "simple" income multiplier).
    income_multiplier_type1, income_multiplier_type2 : ndarray
        Type I and Type II income multipliers (:func:`income_multipliers`).
    value_added_coefficient : ndarray
        Direct value added per unit of output, :math:`v_j = \\mathrm{GVA}_j / x_j`.
    value_added_multiplier : ndarray
        Value added in the whole economy per unit of final demand, :math:`vL`
        (:func:`value_added_multipliers`).
    value_added_multiplier_type1 : ndarray
        :math:`(vL)_j / v_j`: total over direct value added.
    backward_linkage, forward_linkage : ndarray
        Normalised Rasmussen–Hirschman linkages (:func:`linkages`).
    key_sector : ndarray of bool
        Both linkages above 1 (:func:`key_sectors`).
    household_income : float
        The household income the Type II closure divided consumption by.
    """

    sectors: tuple[str, ...] | None
    output_multiplier: FloatArray
    income_effect: FloatArray
    income_multiplier_type1: FloatArray
    income_multiplier_type2: FloatArray
    value_added_coefficient: FloatArray
    value_added_multiplier: FloatArray
    value_added_multiplier_type1: FloatArray
    backward_linkage: FloatArray
    forward_linkage: FloatArray
    key_sector: BoolArray
    household_income: float


def technical_coefficients(table: IOTable) -> FloatArray:
    """The technical (input) coefficients ``A``: inputs per unit of the buyer's output.

    Parameters
    ----------
    table : IOTable

    Returns
    -------
    ndarray, shape (n, n)
        :math:`A = Z\\hat{x}^{-1}`, i.e. :math:`a_{ij} = z_{ij} / x_j`.

    References
    ----------
    R. E. Miller and P. D. Blair, *Input-Output Analysis: Foundations and
    Extensions*, 2nd ed., Cambridge University Press (2009), eq. (2.4).

    Examples
    --------
    >>> table = IOTable(
    ...     intermediate=[[20, 60], [40, 20]], final_demand=[20, 140],
    ...     household_consumption=[10, 90], primary_inputs=[40, 120],
    ...     compensation=[20, 60], value_added=[30, 100], output=[100, 200])
    >>> technical_coefficients(table)
    array([[0.2, 0.3],
           [0.4, 0.1]])
    """
    coefficients: FloatArray = table.intermediate / table.output[np.newaxis, :]
    return coefficients


def _leontief(table: IOTable) -> FloatArray:
    identity = np.eye(table.n)
    # IOTable has checked that ρ(A) < 1, so I − A is invertible.
    return np.asarray(np.linalg.inv(identity - technical_coefficients(table)), dtype=np.float64)


def leontief_inverse(table: IOTable) -> FloatArray:
    """The Leontief inverse ``L``: total output needed per unit of final demand.

    Parameters
    ----------
    table : IOTable

    Returns
    -------
    ndarray, shape (n, n)
        :math:`L = (I - A)^{-1}`; :math:`l_{ij}` is the output of sector ``i``
        needed, directly and indirectly, to deliver one unit of sector ``j``'s
        output to final demand.  :math:`x = Lf`.

    Notes
    -----
    :class:`IOTable` refuses singular and unproductive tables, so the inverse
    exists and is non-negative.

    References
    ----------
    W. Leontief, "Quantitative Input and Output Relations in the Economic System of
    the United States", Review of Economics and Statistics 18(3), 105–125 (1936);
    Miller and Blair (2009), eq. (2.11).

    Examples
    --------
    >>> table = IOTable(
    ...     intermediate=[[20, 60], [40, 20]], final_demand=[20, 140],
    ...     household_consumption=[10, 90], primary_inputs=[40, 120],
    ...     compensation=[20, 60], value_added=[30, 100], output=[100, 200])
    >>> leontief_inverse(table)
    array([[1.5  , 0.5  ],
           [0.667, 1.333]])
    """
    return _leontief(table)


def ghosh_inverse(table: IOTable) -> FloatArray:
    """The Ghosh inverse ``G``: total output enabled per unit of primary input.

    Parameters
    ----------
    table : IOTable

    Returns
    -------
    ndarray, shape (n, n)
        :math:`G = (I - B)^{-1}` with the allocation coefficients
        :math:`B = \\hat{x}^{-1}Z`.  Computed as :math:`G = \\hat{x}^{-1}L\\hat{x}`,
        which is the same matrix (B and A are similar) without a second inversion.

    References
    ----------
    A. Ghosh, "Input-Output Approach in an Allocation System", Economica 25(97),
    58–64 (1958); Miller and Blair (2009), eq. (12.10).

    Examples
    --------
    >>> table = IOTable(
    ...     intermediate=[[20, 60], [40, 20]], final_demand=[20, 140],
    ...     household_consumption=[10, 90], primary_inputs=[40, 120],
    ...     compensation=[20, 60], value_added=[30, 100], output=[100, 200])
    >>> ghosh_inverse(table)
    array([[1.5  , 1.   ],
           [0.333, 1.333]])
    """
    return _ghosh(table, _leontief(table))


def _ghosh(table: IOTable, leontief: FloatArray) -> FloatArray:
    x = table.output
    ghosh: FloatArray = leontief * x[np.newaxis, :] / x[:, np.newaxis]
    return ghosh


def output_multipliers(table: IOTable) -> FloatArray:
    """Output multipliers: total output in the economy per unit of final demand.

    Parameters
    ----------
    table : IOTable

    Returns
    -------
    ndarray, shape (n,)
        Column sums of the Leontief inverse, :math:`m_j = Σ_i l_{ij}`.

    References
    ----------
    Miller and Blair (2009), section 6.2.1 ("simple output multipliers").

    Examples
    --------
    >>> table = IOTable(
    ...     intermediate=[[20, 60], [40, 20]], final_demand=[20, 140],
    ...     household_consumption=[10, 90], primary_inputs=[40, 120],
    ...     compensation=[20, 60], value_added=[30, 100], output=[100, 200])
    >>> output_multipliers(table)
    array([2.167, 1.833])
    """
    column_sums: FloatArray = _leontief(table).sum(axis=0)
    return column_sums


def _income(
    table: IOTable, leontief: FloatArray, household_income: float | None
) -> tuple[FloatArray, FloatArray, FloatArray, float]:
    unpaid = np.flatnonzero(table.compensation <= 0)
    if unpaid.size:
        i = int(unpaid[0])
        raise InvalidTable(
            f"sector {table.label(i)} pays compensation of employees "
            f"{_number(table.compensation[i])}; income multipliers (income effect over "
            "direct income) need a positive amount"
        )
    if household_income is None:
        income = float(table.compensation.sum())
    elif math.isfinite(household_income) and household_income > 0:
        income = float(household_income)
    else:
        raise InvalidInput(f"household_income {household_income!r} must be a positive number")
    labour = table.compensation / table.output
    effect: FloatArray = labour @ leontief
    type1: FloatArray = effect / labour
    spending = table.household_consumption / income
    # The Schur complement of I − A in the closed (n+1)×(n+1) system; the closed
    # system is productive exactly when it is positive (both blocks are M-matrices).
    complement = 1.0 - float(effect @ spending)
    if complement <= _SINGULAR_GAP:
        raise InvalidTable(
            f"closing the model for households is not productive: each unit of household "
            f"income comes back as {1 - complement:.6g} ≥ 1 units of income through "
            f"consumption (household consumption {_number(table.household_consumption.sum())}"
            f" over household income {_number(income)}); pass a larger household_income"
        )
    type2: FloatArray = type1 / complement
    return effect, type1, type2, income


def income_multipliers(
    table: IOTable, *, household_income: float | None = None
) -> tuple[FloatArray, FloatArray]:
    """Type I and Type II income multipliers.

    Parameters
    ----------
    table : IOTable
    household_income : float, optional
        Total household income that household consumption is spent out of.
        Default: the total compensation of employees (see Notes).

    Returns
    -------
    type1, type2 : ndarray, shape (n,)
        Household income generated in the whole economy per unit of income paid
        directly by sector ``j``, without (Type I) and with (Type II) the spending
        of that income by households.

    Raises
    ------
    InvalidTable
        If a sector pays no compensation of employees (its ratio is undefined), or
        if the model closed for households is not productive.

    Notes
    -----
    With the labour-input coefficients :math:`h_R = \\mathrm{CoE}_j / x_j`:

    .. math::

        \\text{Type I}_j = \\frac{(h_R L)_j}{h_{R,j}}, \\qquad
        \\text{Type II}_j = \\frac{\\bar{l}_{n+1,j}}{h_{R,j}}

    where :math:`\\bar{L} = (I - \\bar{A})^{-1}` is the inverse of the table closed
    for households: :math:`\\bar{A}` adds to :math:`A` the household row
    :math:`h_R` and the household column :math:`h_C = c / Y_h` (household
    consumption over household income :math:`Y_h`).  By the block inverse,
    :math:`\\bar{l}_{n+1,j} = (h_R L)_j / (1 - h_R L h_C)`, so Type II is Type I
    divided by the same number for every sector; it is computed that way, which
    avoids inverting the (n+1)×(n+1) system and is equal to it to rounding.

    The default :math:`Y_h` is the total compensation of employees: the household
    row records exactly that income, so the closed table is in the units of its
    own flows (Miller and Blair's closure).  A table that records self-employed
    income as operating surplus (as BPS's does: households spend 1.43 rupiah of
    domestic products per rupiah of compensation in 2020) makes the induced
    effect large; pass the households' total income from a social accounting
    matrix as ``household_income`` to temper it.

    References
    ----------
    Miller and Blair (2009), sections 2.5 and 6.3.

    Examples
    --------
    >>> table = IOTable(
    ...     intermediate=[[20, 60], [40, 20]], final_demand=[20, 140],
    ...     household_consumption=[10, 90], primary_inputs=[40, 120],
    ...     compensation=[20, 60], value_added=[30, 100], output=[100, 200])
    >>> type1, type2 = income_multipliers(table)
    >>> type1
    array([2.5  , 1.667])
    >>> type2
    array([6.667, 4.444])
    """
    _, type1, type2, _ = _income(table, _leontief(table), household_income)
    return type1, type2


def _value_added(table: IOTable, leontief: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    coefficient = table.value_added / table.output
    total: FloatArray = coefficient @ leontief
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(coefficient != 0, total / coefficient, np.nan).astype(np.float64)
    return coefficient, total, ratio


def value_added_multipliers(table: IOTable) -> FloatArray:
    """Value-added multipliers: GVA generated in the whole economy per unit of final demand.

    Parameters
    ----------
    table : IOTable

    Returns
    -------
    ndarray, shape (n,)
        Column sums of :math:`\\hat{v}L`, i.e. :math:`vL`, with the value-added
        coefficients :math:`v_j = \\mathrm{GVA}_j / x_j`.

    Notes
    -----
    Three numbers describe value added, and :func:`multipliers` returns them all:
    the direct effect :math:`v_j` (value added in sector ``j`` itself per unit of
    its output), the total effect :math:`(vL)_j` returned here (in a domestic
    table at most 1: the rest of a unit of final demand leaks to imports and
    taxes), and the Type I ratio :math:`(vL)_j / v_j` (``nan`` where :math:`v_j = 0`).

    References
    ----------
    Miller and Blair (2009), section 6.3 (income and value-added multipliers).

    Examples
    --------
    >>> table = IOTable(
    ...     intermediate=[[20, 60], [40, 20]], final_demand=[20, 140],
    ...     household_consumption=[10, 90], primary_inputs=[40, 120],
    ...     compensation=[20, 60], value_added=[30, 100], output=[100, 200])
    >>> value_added_multipliers(table)
    array([0.783, 0.817])
    """
    return _value_added(table, _leontief(table))[1]


def _linkages(table: IOTable, leontief: FloatArray) -> tuple[FloatArray, FloatArray]:
    n = table.n
    backward: FloatArray = n * leontief.sum(axis=0) / leontief.sum()
    ghosh = _ghosh(table, leontief)
    forward: FloatArray = n * ghosh.sum(axis=1) / ghosh.sum()
    return backward, forward


def linkages(table: IOTable) -> tuple[FloatArray, FloatArray]:
    """Normalised backward and forward linkages (Rasmussen–Hirschman).

    Parameters
    ----------
    table : IOTable

    Returns
    -------
    backward, forward : ndarray, shape (n,)
        Above 1 when a sector pulls (backward) or pushes (forward) more than the
        average sector.

    Notes
    -----
    Backward linkages come from the Leontief inverse, forward linkages from the
    Ghosh inverse :math:`G` (:func:`ghosh_inverse`), as Miller and Blair
    recommend over row sums of :math:`L`:

    .. math::

        BL_j = \\frac{n \\sum_i l_{ij}}{\\sum_{i,j} l_{ij}}, \\qquad
        FL_i = \\frac{n \\sum_j g_{ij}}{\\sum_{i,j} g_{ij}}

    References
    ----------
    P. N. Rasmussen, *Studies in Inter-Sectoral Relations*, Einar Harcks (1956);
    A. O. Hirschman, *The Strategy of Economic Development*, Yale (1958);
    Miller and Blair (2009), section 12.2.

    Examples
    --------
    >>> table = IOTable(
    ...     intermediate=[[20, 60], [40, 20]], final_demand=[20, 140],
    ...     household_consumption=[10, 90], primary_inputs=[40, 120],
    ...     compensation=[20, 60], value_added=[30, 100], output=[100, 200])
    >>> backward, forward = linkages(table)
    >>> backward
    array([1.083, 0.917])
    >>> forward
    array([1.2, 0.8])
    """
    return _linkages(table, _leontief(table))


def key_sectors(table: IOTable) -> BoolArray:
    """Key sectors: both normalised linkages above 1.

    Parameters
    ----------
    table : IOTable

    Returns
    -------
    ndarray of bool, shape (n,)
        :math:`BL_j > 1 \\wedge FL_j > 1` (see :func:`linkages`).

    References
    ----------
    Hirschman (1958); Miller and Blair (2009), section 12.2.4.

    Examples
    --------
    >>> table = IOTable(
    ...     intermediate=[[20, 60], [40, 20]], final_demand=[20, 140],
    ...     household_consumption=[10, 90], primary_inputs=[40, 120],
    ...     compensation=[20, 60], value_added=[30, 100], output=[100, 200])
    >>> key_sectors(table)
    array([ True, False])
    """
    backward, forward = linkages(table)
    key: BoolArray = (backward > 1) & (forward > 1)
    return key


def multipliers(table: IOTable, *, household_income: float | None = None) -> Multipliers:
    """All multipliers and linkages of a table, from one Leontief inverse.

    Parameters
    ----------
    table : IOTable
    household_income : float, optional
        Passed to the Type II closure (see :func:`income_multipliers`).

    Returns
    -------
    Multipliers
        Read-only arrays, one entry per sector.

    Raises
    ------
    InvalidTable
        As :func:`income_multipliers`.

    Notes
    -----
    :math:`A = Z\\hat{x}^{-1}`, :math:`L = (I - A)^{-1}`, output multipliers
    :math:`\\mathbf{1}^\\top L`, income multipliers from :math:`h_R L`, value added
    :math:`vL`, backward linkages from :math:`L` and forward linkages from
    :math:`G = \\hat{x}^{-1}L\\hat{x}`; one matrix inversion in all.

    References
    ----------
    Miller and Blair (2009), chapters 2, 6 and 12.

    Examples
    --------
    >>> table = IOTable(
    ...     intermediate=[[20, 60], [40, 20]], final_demand=[20, 140],
    ...     household_consumption=[10, 90], primary_inputs=[40, 120],
    ...     compensation=[20, 60], value_added=[30, 100], output=[100, 200])
    >>> result = multipliers(table)
    >>> result.output_multiplier
    array([2.167, 1.833])
    >>> result.income_multiplier_type2
    array([6.667, 4.444])
    """
    leontief = _leontief(table)
    income_effect, type1, type2, income = _income(table, leontief, household_income)
    va_coefficient, va_total, va_ratio = _value_added(table, leontief)
    backward, forward = _linkages(table, leontief)
    arrays = {
        "output_multiplier": leontief.sum(axis=0),
        "income_effect": income_effect,
        "income_multiplier_type1": type1,
        "income_multiplier_type2": type2,
        "value_added_coefficient": va_coefficient,
        "value_added_multiplier": va_total,
        "value_added_multiplier_type1": va_ratio,
        "backward_linkage": backward,
        "forward_linkage": forward,
    }
    key = (backward > 1) & (forward > 1)
    key.setflags(write=False)
    return Multipliers(
        sectors=table.sectors,
        key_sector=key,
        household_income=income,
        **{name: _readonly(np.asarray(value, dtype=np.float64)) for name, value in arrays.items()},
    )
