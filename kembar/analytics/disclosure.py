"""Statistical disclosure control: which counts of people may be published.

A count of 1–4 people in a published table can point at a person (UU PDP
No. 27/2022 on personal data; the same rule of five as most statistical
offices).  Hiding such a *primary* cell is not enough when the table also
shows its total: the total minus the shown cells gives the hidden one back.
*Complementary* suppression hides further cells so that no hidden cell can be
recomputed from what is shown.

Two shapes are handled:

* :func:`suppress_margins`: one or more one-way tables (*margins*) of the same
  people, all adding up to the same total, such as participants by gender, by
  age band and by home district;
* :func:`suppress_table`: a two-way table with its row, column and grand
  totals.

:func:`audit_table` computes, for every hidden entry of a two-way table, the
range of values an attacker who knows the rules can still give it;
:func:`suppress_table` uses it to check its own result, and :func:`stand_in`
gives a table made only of published information, from which derived figures
(shares, indices) can be computed without revealing a hidden cell.

Conventions, the same in every function:

* Counts are whole numbers ≥ 0; anything else raises
  :class:`~kembar.analytics.exceptions.InvalidInput` naming the key, and
  margins that do not add up raise
  :class:`~kembar.analytics.exceptions.InconsistentMargins`.
* A zero is always shown when any part of the table is shown: it describes
  nobody.  A hidden cell is therefore known to be at least 1, which the rules
  take into account.  Only when a whole table is withheld (its total is below
  the threshold, or nothing else can protect a cell) are zeros hidden too.
* Ties between candidate complementary cells go to the one given first, so the
  same table always gets the same pattern.

References
----------
A. Hundepool, J. Domingo-Ferrer, L. Franconi, S. Giessing, E. Schulte
Nordholt, K. Spicer and P.-P. de Wolf, *Statistical Disclosure Control*,
Wiley, 2012, chapter 4 (magnitude and frequency tables: threshold rule,
secondary suppression, auditing by linear programming).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import linprog

from kembar.analytics.exceptions import InconsistentMargins, InvalidInput

__all__ = [
    "THRESHOLD",
    "MarginsSuppression",
    "TableSuppression",
    "audit_table",
    "stand_in",
    "suppress_margins",
    "suppress_table",
]

#: Counts from 1 to ``THRESHOLD - 1`` are not published.
THRESHOLD = 5


def _count(where: str, key: object, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput(
            f"{where}: the count of {key!r} must be a whole number ≥ 0; got {value!r}"
        )
    return value


def _threshold(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInput(f"threshold must be a whole number ≥ 1; got {value!r}")
    return value


def _small(value: int, threshold: int) -> bool:
    return 0 < value < threshold


def _hidden_enough(values: Sequence[int], threshold: int) -> bool:
    """Whether hidden cells whose sum is known keep every one of them unknown.

    Each hidden cell is ≥ 1, so ``k`` cells summing to ``s`` leave each one in
    ``[1, s − k + 1]``: more than one value when ``s > k``.  Asking also for
    ``s ≥ threshold`` keeps the hidden cells together a group of at least
    ``threshold`` people.
    """
    return len(values) >= 2 and sum(values) >= max(threshold, len(values) + 1)


def _protect_line(counts: Sequence[int], threshold: int) -> tuple[set[int], bool]:
    """Positions to hide in a one-way table whose total is shown, and whether it all goes."""
    hidden = {i for i, n in enumerate(counts) if _small(n, threshold)}
    if not hidden:
        return set(), False
    candidates = sorted((n, i) for i, n in enumerate(counts) if n > 0 and i not in hidden)
    while not _hidden_enough([counts[i] for i in hidden], threshold):
        if not candidates:
            return set(range(len(counts))), True
        hidden.add(candidates.pop(0)[1])
    return hidden, False


@dataclass(frozen=True)
class MarginsSuppression:
    """What :func:`suppress_margins` hides.

    Attributes
    ----------
    total : int
        The common total of the margins.
    total_withheld : bool
        Whether the total is hidden (it is below the threshold).
    withheld : mapping of str to frozenset
        For each margin, the keys whose counts are hidden.
    fully_withheld : frozenset of str
        The margins hidden entirely, zeros included.
    """

    total: int
    total_withheld: bool
    withheld: Mapping[str, frozenset[Hashable]]
    fully_withheld: frozenset[str] = frozenset()

    def is_withheld(self, margin: str, key: Hashable) -> bool:
        """Whether the count of ``key`` in ``margin`` is hidden."""
        return key in self.withheld.get(margin, frozenset())

    def published(self, margin: str, counts: Mapping[Any, int]) -> dict[Any, int | None]:
        """``counts`` with hidden ones replaced by ``None``."""
        return {key: None if self.is_withheld(margin, key) else n for key, n in counts.items()}


def suppress_margins(
    margins: Mapping[str, Mapping[Any, int]],
    *,
    total: int | None = None,
    threshold: int = THRESHOLD,
) -> MarginsSuppression:
    """Hide small counts in one-way tables of the same people, and what would reveal them.

    Parameters
    ----------
    margins : mapping of str to mapping
        Each margin maps a category to a count of people; every margin adds up
        to the same total (the margins are one-way views of one group of
        people, e.g. by gender and by age band).
    total : int, optional
        The total the margins add up to; it is needed when there is no margin,
        and checked when there is.
    threshold : int
        Counts from 1 to ``threshold − 1`` are hidden (default 5).

    Returns
    -------
    MarginsSuppression

    Raises
    ------
    InvalidInput
        If a count is not a whole number ≥ 0, or ``threshold`` is not ≥ 1.
    InconsistentMargins
        If a margin does not add up to the total (or to the others).

    Notes
    -----
    The rule:

    1. A total below the threshold (but not 0) hides the total and every cell
       of every margin, zeros included: too few people to break down.
    2. Otherwise the total is shown, and each margin is protected on its own,
       since the total is its only link to the others.  Cells with
       :math:`0 < n < t` are hidden (primary suppression).  While the hidden
       cells :math:`H` of a margin do not satisfy

       .. math::

           |H| \\ge 2 \\quad\\text{and}\\quad \\sum_{h \\in H} n_h \\ge \\max(t, |H| + 1)

       the smallest shown non-zero cell is hidden too (complementary
       suppression).  One hidden cell would be the total minus the shown
       ones; ``k`` hidden cells, each known to be ≥ 1, summing to ``k`` would
       each be 1.  Under the rule each hidden cell keeps at least two possible
       values and the hidden cells hold at least ``t`` people together.
    3. If no non-zero cell is left to hide, the whole margin is withheld,
       zeros included.

    Examples
    --------
    >>> result = suppress_margins(
    ...     {"gender": {"female": 3, "male": 9}, "age": {"15-24": 8, "25-44": 4, "65+": 0}}
    ... )
    >>> result.total, result.total_withheld
    (12, False)
    >>> sorted(result.withheld["gender"]), sorted(result.withheld["age"])
    (['female', 'male'], ['15-24', '25-44'])
    >>> result.published("age", {"15-24": 8, "25-44": 4, "65+": 0})
    {'15-24': None, '25-44': None, '65+': 0}
    >>> suppress_margins({"side": {"local": 3}}).total_withheld
    True
    """
    threshold = _threshold(threshold)
    checked: dict[str, list[tuple[Any, int]]] = {}
    for name, counts in margins.items():
        checked[name] = [(key, _count(name, key, n)) for key, n in counts.items()]
    sums = {name: sum(n for _, n in items) for name, items in checked.items()}
    if total is None:
        total = next(iter(sums.values()), 0)
    total = _count("total", "total", total)
    for name, value in sums.items():
        if value != total:
            raise InconsistentMargins(f"margin {name!r} adds up to {value}, not to {total}")
    if _small(total, threshold):
        return MarginsSuppression(
            total=total,
            total_withheld=True,
            withheld={name: frozenset(key for key, _ in items) for name, items in checked.items()},
            fully_withheld=frozenset(checked),
        )
    withheld: dict[str, frozenset[Hashable]] = {}
    whole: set[str] = set()
    for name, items in checked.items():
        positions, everything = _protect_line([n for _, n in items], threshold)
        withheld[name] = frozenset(items[i][0] for i in positions)
        if everything:
            whole.add(name)
    return MarginsSuppression(
        total=total, total_withheld=False, withheld=withheld, fully_withheld=frozenset(whole)
    )


def stand_in(counts: Mapping[Any, int], withheld: Iterable[Hashable], total: int) -> dict[Any, int]:
    """A table made of published information only: hidden cells share what is left evenly.

    Shown cells keep their counts; the remainder ``total − Σ shown`` (which
    anyone can compute) is split among the hidden cells as evenly as whole
    numbers allow, the first ones in ``counts`` order getting one more.  A
    figure derived from this table (a share, a concentration index, a gap to
    a fair share) reveals nothing the published cells do not.

    Examples
    --------
    >>> stand_in({"a": 3, "b": 9, "c": 20, "d": 0}, {"a", "b"}, 32)
    {'a': 6, 'b': 6, 'c': 20, 'd': 0}
    >>> stand_in({"a": 1, "b": 2, "c": 4}, {"a", "b", "c"}, 7)
    {'a': 3, 'b': 2, 'c': 2}
    """
    withheld = set(withheld)
    hidden = [key for key in counts if key in withheld]
    remainder = total - sum(n for key, n in counts.items() if key not in hidden)
    if remainder < 0:
        raise InconsistentMargins(f"the shown cells add up to more than the total {total}")
    share, extra = divmod(remainder, len(hidden)) if hidden else (0, 0)
    result = dict(counts)
    for position, key in enumerate(hidden):
        result[key] = share + (1 if position < extra else 0)
    return result


# --- Two-way tables -------------------------------------------------------------------------

#: An entry of a two-way table: ``("cell", row, column)``, ``("row", row)`` for a
#: row total, ``("column", column)`` for a column total, ``("total",)``.
Entry = tuple[Any, ...]


@dataclass(frozen=True)
class TableSuppression:
    """What :func:`suppress_table` hides.

    Attributes
    ----------
    withheld : frozenset of Entry
        Hidden entries: ``("cell", row, column)``, ``("row", row)``,
        ``("column", column)`` and ``("total",)``.
    fully_withheld : bool
        Whether the whole table is hidden, zeros included.
    """

    withheld: frozenset[Entry] = field(default_factory=frozenset)
    fully_withheld: bool = False

    def is_withheld(self, entry: Entry) -> bool:
        return entry in self.withheld


@dataclass
class _Grid:
    """A two-way table with its margins as an ``(I + 1) × (J + 1)`` array.

    The last row holds the column totals, the last column the row totals.
    """

    rows: list[Any]
    columns: list[Any]
    values: np.ndarray[Any, np.dtype[np.int64]]

    @classmethod
    def of(cls, cells: Mapping[tuple[Any, Any], int]) -> _Grid:
        rows: list[Any] = []
        columns: list[Any] = []
        for key in cells:
            if not (isinstance(key, tuple) and len(key) == 2):
                raise InvalidInput(f"keys must be (row, column) pairs; got {key!r}")
            if key[0] not in rows:
                rows.append(key[0])
            if key[1] not in columns:
                columns.append(key[1])
        values = np.zeros((len(rows) + 1, len(columns) + 1), dtype=np.int64)
        for (row, column), n in cells.items():
            values[rows.index(row), columns.index(column)] = _count("table", (row, column), n)
        values[:-1, -1] = values[:-1, :-1].sum(axis=1)
        values[-1, :] = values[:-1, :].sum(axis=0)
        return cls(rows, columns, values)

    @property
    def shape(self) -> tuple[int, int]:
        return (len(self.rows) + 1, len(self.columns) + 1)

    def lines(self) -> list[list[tuple[int, int]]]:
        """Every row and column of the grid, its total (the sum of the others) last."""
        height, width = self.shape
        return [[(i, j) for j in range(width)] for i in range(height)] + [
            [(i, j) for i in range(height)] for j in range(width)
        ]

    def entry(self, position: tuple[int, int]) -> Entry:
        i, j = position
        last_row, last_column = i == len(self.rows), j == len(self.columns)
        if last_row and last_column:
            return ("total",)
        if last_column:
            return ("row", self.rows[i])
        if last_row:
            return ("column", self.columns[j])
        return ("cell", self.rows[i], self.columns[j])

    def position(self, entry: Entry) -> tuple[int, int]:
        kind = entry[0]
        if kind == "total":
            return (len(self.rows), len(self.columns))
        if kind == "row":
            return (self.rows.index(entry[1]), len(self.columns))
        if kind == "column":
            return (len(self.rows), self.columns.index(entry[1]))
        return (self.rows.index(entry[1]), self.columns.index(entry[2]))


def _intervals(
    grid: _Grid, hidden: set[tuple[int, int]], lower: int
) -> dict[tuple[int, int], tuple[float, float]]:
    """Smallest and largest value of each hidden entry given everything shown (LP)."""
    order = sorted(hidden)
    index = {position: k for k, position in enumerate(order)}
    equations, right = [], []
    for line in grid.lines():
        if not any(position in hidden for position in line):
            continue
        *parts, total = line
        row = np.zeros(len(order))
        constant = 0.0
        for position, sign in [(p, 1.0) for p in parts] + [(total, -1.0)]:
            if position in hidden:
                row[index[position]] += sign
            else:
                constant -= sign * float(grid.values[position])
        equations.append(row)
        right.append(constant)
    a_eq = np.array(equations)
    b_eq = np.array(right)
    bounds = [(lower, None)] * len(order)
    result: dict[tuple[int, int], tuple[float, float]] = {}
    for position in order:
        objective = np.zeros(len(order))
        objective[index[position]] = 1.0
        low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        top = math.inf if high.status == 3 else -float(high.fun)  # status 3: unbounded
        result[position] = (float(low.fun), top)
    return result


def audit_table(
    cells: Mapping[tuple[Any, Any], int], withheld: Iterable[Entry]
) -> dict[Entry, tuple[float, float]]:
    """The range each hidden entry can take, given the shown entries and the table's sums.

    Every hidden entry is taken to be ≥ 1 (zeros are shown), as an attacker
    who knows the rules would.  The ranges are those of the linear relaxation;
    the sums of a two-way table form a totally unimodular system, so their
    ends are whole numbers.  An entry is disclosed when its range is one
    number.

    Examples
    --------
    >>> cells = {("a", "x"): 3, ("a", "y"): 7, ("b", "x"): 6, ("b", "y"): 8}
    >>> audit_table(cells, [("cell", "a", "x")])
    {('cell', 'a', 'x'): (3.0, 3.0)}
    >>> hidden = [("cell", "a", "x"), ("cell", "a", "y"), ("cell", "b", "x"), ("cell", "b", "y")]
    >>> audit_table(cells, hidden)[("cell", "a", "x")]
    (1.0, 8.0)
    """
    grid = _Grid.of(cells)
    hidden = {grid.position(entry) for entry in withheld}
    if not hidden:
        return {}
    return {grid.entry(p): bounds for p, bounds in _intervals(grid, hidden, 1).items()}


class _Exhausted(Exception):
    """Nothing is left to hide that would protect a line: the whole table goes."""


def _line_fix(
    grid: _Grid, line: list[tuple[int, int]], hidden: set[tuple[int, int]], threshold: int
) -> tuple[int, int] | None:
    """The entry of ``line`` to hide next, or ``None`` when the line is safe."""
    *parts, total = line
    shown_total = total not in hidden
    inner = [int(grid.values[p]) for p in parts if p in hidden]
    count = len(inner) + (0 if shown_total else 1)
    if count == 0:
        return None
    if count >= 2 and (not shown_total or _hidden_enough(inner, threshold)):
        return None
    candidate = _next_to_hide(grid, parts, hidden)
    if candidate is not None:
        return candidate
    if shown_total and grid.values[total] > 0:
        return total
    raise _Exhausted


def _next_to_hide(
    grid: _Grid, positions: Iterable[tuple[int, int]], hidden: set[tuple[int, int]]
) -> tuple[int, int] | None:
    candidates = [
        (int(grid.values[p]), p) for p in positions if p not in hidden and grid.values[p] > 0
    ]
    return min(candidates)[1] if candidates else None


def _protect_lines(grid: _Grid, hidden: set[tuple[int, int]], threshold: int) -> None:
    """Hide entries until every line satisfies step 3 of :func:`suppress_table`."""
    changed = True
    while changed:
        changed = False
        for line in grid.lines():
            fix = _line_fix(grid, line, hidden, threshold)
            while fix is not None:
                hidden.add(fix)
                changed = True
                fix = _line_fix(grid, line, hidden, threshold)


def suppress_table(
    cells: Mapping[tuple[Any, Any], int], *, threshold: int = THRESHOLD
) -> TableSuppression:
    """Hide small counts in a two-way table with its totals, and what would reveal them.

    Parameters
    ----------
    cells : mapping of (row, column) to int
        Counts of people; a missing pair of a row and a column is 0.  The row,
        column and grand totals are their sums and are published with them.
    threshold : int
        Counts (cells and totals) from 1 to ``threshold − 1`` are hidden.

    Returns
    -------
    TableSuppression

    Raises
    ------
    InvalidInput
        If a count is not a whole number ≥ 0, a key is not a pair, or
        ``threshold`` is not ≥ 1.

    Notes
    -----
    The rule, on the table bordered by its totals, where each row and each
    column (a *line*) says that its cells add up to its total:

    1. A grand total below the threshold (but not 0) hides the whole table.
    2. Cells and totals with :math:`0 < n < t` are hidden.
    3. Every line with a hidden entry needs at least two, and, when its total
       is shown, hidden cells that satisfy the one-way rule of
       :func:`suppress_margins`; otherwise its smallest shown non-zero cell is
       hidden, or else its total.
    4. The result is audited (:func:`audit_table`); a hidden entry still
       determined (for example by a chain of lines) gets the smallest shown
       non-zero cell of its row or column hidden as well, and the steps
       repeat.  When nothing is left to hide, the whole table is withheld.

    Examples
    --------
    >>> cells = {("girls", "2023"): 2, ("girls", "2024"): 9, ("boys", "2023"): 6,
    ...          ("boys", "2024"): 12}
    >>> sorted(suppress_table(cells).withheld)
    [('cell', 'boys', '2023'), ('cell', 'boys', '2024'), ('cell', 'girls', '2023'),
     ('cell', 'girls', '2024')]
    """
    threshold = _threshold(threshold)
    grid = _Grid.of(cells)
    height, width = grid.shape
    everything = frozenset(grid.entry((i, j)) for i in range(height) for j in range(width))
    if _small(int(grid.values[-1, -1]), threshold):
        return TableSuppression(withheld=everything, fully_withheld=True)
    hidden = {
        (i, j)
        for i in range(height)
        for j in range(width)
        if _small(int(grid.values[i, j]), threshold)
    }
    try:
        while hidden:
            _protect_lines(grid, hidden, threshold)
            intervals = _intervals(grid, hidden, 1)
            pinned = [p for p, (low, high) in intervals.items() if high - low < 0.5]
            if not pinned:
                break
            i, j = pinned[0]
            crossing = [(i, k) for k in range(width - 1)] + [(k, j) for k in range(height - 1)]
            complement = _next_to_hide(grid, crossing, hidden)
            if complement is None:
                raise _Exhausted
            hidden.add(complement)
    except _Exhausted:
        return TableSuppression(withheld=everything, fully_withheld=True)
    return TableSuppression(withheld=frozenset(grid.entry(p) for p in hidden))
