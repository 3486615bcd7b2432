"""Partnership health: activity rhythm, dormancy early warning, reciprocity and a score.

Input is a partnership's dated record: events of the kinds in :data:`KINDS`
(``letter_of_intent``, ``agreement_signed``, ``agreement_expires``,
``activity``, ``visit``, ``contribution``, ``result``), each with a direction
seen from the local city (``inbound``: the partner comes to, or gives to, the
local city; ``outbound``: the local city goes to, or gives to, the partner;
``None``) and a date with its precision.  A date given only as a year or a
month counts from the *end* of that period (``"2005"`` is 31 December 2005,
``"2025-05"`` is 31 May 2025): the event is only known to have happened by
then.  Everything is computed *as of* a date from the events on or before it,
so the answer is what was knowable on that day.

Days are proleptic Gregorian ordinals (:meth:`datetime.date.toordinal`).
The work is done on numpy arrays for all partnerships at once
(:func:`health_arrays`); :func:`health` is the convenience for one record.

**Activity rhythm.**  *Engagement* events are every kind except
``agreement_expires``.  Let :math:`d_1 < \\dots < d_k` be the distinct days of
a partnership's engagement events and :math:`n = k - 1` its gaps
:math:`\\Delta_i = d_{i+1} - d_i`.  Its expected (mean) gap comes from the
median gap, robust to one long pause: for exponential gaps the mean is
:math:`\\operatorname{med}(\\Delta) / \\ln 2`.  It is shrunk towards a prior
mean gap :math:`g_0` on the log scale with :math:`\\kappa` pseudo-gaps
(normal–normal shrinkage, Gelman et al. 2013, §2.5):

.. math::

    \\hat g = \\operatorname{clip}\\Bigl(\\exp\\frac{n \\log(\\operatorname{med}(\\Delta)
              / \\ln 2) + \\kappa \\log g_0}{n + \\kappa},\\; g_{\\min},\\; g_{\\max}\\Bigr)

so a partnership with few events is judged by the prior, one with many by its
own pace.  Defaults: :math:`g_0 = 180`, :math:`\\kappa = 3`,
:math:`g_{\\min} = 30`, :math:`g_{\\max} = 365` days.

**Dormancy early warning.**  With :math:`s` the days since the last engagement
event (the silence), the state is ``active`` while :math:`s \\le a \\hat g`,
``at_risk`` from :math:`a \\hat g` and ``dormant`` from :math:`b \\hat g`
(:math:`a = 3`, :math:`b = 5.3`).  Under an exponential (Poisson-process)
renewal model with mean gap :math:`\\hat g`, a silence that long has
probability :math:`e^{-3} \\approx 5\\,\\%` resp. :math:`e^{-5.3} \\approx
0.5\\,\\%` if the partnership were still going (Cox & Isham 1980, ch. 4).  The
measured detection delay and false alarms are in ``bench/README.md``.  ``warning_since`` is
the day the silence crossed :math:`a \\hat g`, i.e. :math:`d_k + \\lceil a \\hat g
\\rceil`.  The state is ``ended`` when every signed agreement has expired (at
least one ``agreement_expires`` on or before the as-of date, and no more
``agreement_signed`` than ``agreement_expires`` events) and no engagement
event is dated after the latest expiry :math:`E`: the agreement lapsed with no
renewal and nothing happened since.  Its ``warning_since`` is the earlier of
:math:`E` and the at-risk day.

**Reciprocity** in :math:`[-1, 1]` balances the effort of each side over three
parts :math:`p`: *travel* (``visit``: outbound = local people travel),
*contribution* (``contribution``: outbound = the local city pays or gives) and
*hosting* (``activity`` and ``result`` with a direction: inbound = held in, and
hosted by, the local city).  With :math:`L_p` the local side's and :math:`P_p`
the partner's counts,

.. math::

    r = \\frac{\\sum_p (L_p - P_p)}{\\sum_p (L_p + P_p)}, \\qquad
    r_p = \\frac{L_p - P_p}{L_p + P_p}

so 0 is balanced, +1 means the local city carries everything and the mirror
image of a record (every direction swapped) has :math:`-r`.  Undefined (``None``)
without directional events.

**Health score** :math:`S = 100 \\sum_c w_c x_c` with components
:math:`x_c \\in [0, 1]`:

* ``recency`` :math:`2^{-s / 365}` (halves with every year of silence);
* ``intensity`` :math:`1 - e^{-m / 4}`, :math:`m` engagement events in the
  365 days up to the as-of date;
* ``mutuality`` :math:`1 - e^{-\\min(L, P) / 3}` with :math:`L, P` the pooled
  local and partner counts of the reciprocity parts in the last 3 × 365 days —
  it rises only with exchange that runs both ways;
* ``agreement`` 1 while an agreement is in force (more signings than
  expiries), 0.5 with a letter of intent after the latest expiry (or with no
  expiry), else 0;
* ``breadth`` (optional) the mean share reached over the dimensions given
  (sectors, agencies, kecamatan, groups: reached / total).

Default weights 0.35, 0.25, 0.15, 0.15, 0.10; without breadth the others are
rescaled to sum to 1.  The score is deliberately *absolute*: adding an event
(other than an expiry) never lowers it and time passing without events never
raises it.  The *state* is relative to the partnership's own pace, so a busy
partnership that goes quiet is flagged sooner than a slow one — the two answer
different questions.

References
----------
Gelman, A., Carlin, J. B., Stern, H. S., Dunson, D. B., Vehtari, A., Rubin, D. B.
(2013). *Bayesian Data Analysis*, 3rd ed., CRC Press.

Cox, D. R., Isham, V. (1980). *Point Processes*. Chapman & Hall.

Fader, P. S., Hardie, B. G. S., Lee, K. L. (2005). "Counting your customers the
easy way: an alternative to the Pareto/NBD model". *Marketing Science* 24(2),
275–284 (recency and frequency as the signals of a relationship that stopped).
"""

from __future__ import annotations

import calendar
import csv
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal, NamedTuple

import numpy as np
import numpy.typing as npt

from kembar.analytics.exceptions import InvalidInput

__all__ = [
    "COLUMNS",
    "DIRECTIONS",
    "KINDS",
    "STATES",
    "WEIGHTS",
    "Event",
    "EventArrays",
    "EventFileError",
    "Health",
    "RhythmParameters",
    "describe",
    "health",
    "health_arrays",
    "monthly",
    "parse_date",
    "read_events",
]

KINDS = (
    "letter_of_intent",
    "agreement_signed",
    "agreement_expires",
    "activity",
    "visit",
    "contribution",
    "result",
)
DIRECTIONS = (None, "inbound", "outbound")
STATES = ("active", "at_risk", "dormant", "ended")
COLUMNS = ("partnership_id", "date", "kind", "direction")

#: Default weights of the score's components.
WEIGHTS: Mapping[str, float] = {
    "recency": 0.35,
    "intensity": 0.25,
    "mutuality": 0.15,
    "agreement": 0.15,
    "breadth": 0.10,
}

_KIND = {kind: code for code, kind in enumerate(KINDS)}
_LOI, _SIGNED, _EXPIRES, _ACTIVITY, _VISIT, _CONTRIBUTION, _RESULT = range(7)
_DIRECTION = {"": 0, "inbound": 1, "outbound": 2}
_YEAR = 365
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
Precision = Literal["year", "month", "day"]


@dataclass(frozen=True)
class RhythmParameters:
    """Parameters of the rhythm model and the warning (see the module docstring).

    Attributes
    ----------
    prior_gap : float
        :math:`g_0`, the expected gap in days of a partnership with no history.
    prior_weight : float
        :math:`\\kappa`, how many gaps the prior is worth.
    floor, ceiling : float
        :math:`g_{\\min}, g_{\\max}` in days.
    at_risk, dormant : float
        :math:`a, b`, the silence in multiples of the expected gap.
    """

    prior_gap: float = 180.0
    prior_weight: float = 3.0
    floor: float = 30.0
    ceiling: float = 365.0
    at_risk: float = 3.0
    dormant: float = 5.3


class Event(NamedTuple):
    """One dated event of a partnership; ``day`` is the *effective* date (end of period)."""

    kind: str
    day: date
    direction: str | None = None


def parse_date(text: str) -> date:
    """The effective date of ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``: the end of the period.

    >>> parse_date("2005"), parse_date("2024-02"), parse_date("1993-01-11")
    (datetime.date(2005, 12, 31), datetime.date(2024, 2, 29), datetime.date(1993, 1, 11))
    >>> parse_date("2024-13")
    Traceback (most recent call last):
    ...
    kembar.analytics.exceptions.InvalidInput: not a date YYYY, YYYY-MM or YYYY-MM-DD: '2024-13'
    """
    try:
        if len(text) == 4 and text.isdigit():
            return date(int(text), 12, 31)
        if len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit():
            year, month = int(text[:4]), int(text[5:])
            return date(year, month, calendar.monthrange(year, month)[1])
        if len(text) == 10:
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise InvalidInput(f"not a date YYYY, YYYY-MM or YYYY-MM-DD: {text!r}")


@dataclass
class EventArrays:
    """Events of many partnerships as parallel arrays (one entry per event).

    ``partnership`` indexes ``ids``; ``day`` is an ordinal; ``kind`` indexes
    :data:`KINDS`; ``direction`` is 0 (none), 1 (inbound) or 2 (outbound).
    """

    ids: list[str]
    partnership: IntArray
    day: IntArray
    kind: IntArray
    direction: IntArray


class EventFileError(InvalidInput):
    """A bad row in an events file: ``line`` (1 = header), ``column`` and ``problem``.

    ``problem`` is one of ``header``, ``columns``, ``empty_id``, ``date``,
    ``kind``, ``direction``; ``value`` is the offending text.
    """

    def __init__(self, line: int, column: str, problem: str, value: str) -> None:
        super().__init__(f"line {line}, column {column}: {problem} {value!r}")
        self.line, self.column, self.problem, self.value = line, column, problem, value


def _first_bad(codes: IntArray) -> int | None:
    bad = np.flatnonzero(codes < 0)
    return int(bad[0]) if bad.size else None


def _columns(text: str) -> tuple[list[str], list[str], list[str], list[str]]:
    """The four columns of an events file; raises :class:`EventFileError` on a bad width.

    A file without quotes and with exactly four fields on every line is split
    directly (several times faster than :mod:`csv` on a million rows); any
    other file goes through :mod:`csv`.
    """
    text = text.replace("\r\n", "\n").rstrip("\n")
    header, _, body = text.partition("\n")
    if [h.strip() for h in next(csv.reader([header]), [])] != list(COLUMNS):
        raise EventFileError(1, "header", "header", header)
    if not body:
        return [], [], [], []
    lines = body.split("\n")
    if '"' not in body and all(line.count(",") == 3 for line in lines):
        flat = body.replace("\n", ",").split(",")
        return flat[0::4], flat[1::4], flat[2::4], flat[3::4]
    rows = list(csv.reader(lines))
    for index, row in enumerate(rows):
        if len(row) != 4:
            raise EventFileError(index + 2, "-", "columns", lines[index])
    return (
        [row[0] for row in rows],
        [row[1] for row in rows],
        [row[2] for row in rows],
        [row[3] for row in rows],
    )


def read_events(path: Path | str) -> EventArrays:
    """Read a CSV file with the columns :data:`COLUMNS` into :class:`EventArrays`.

    Rows are validated column by column; the first bad row raises
    :class:`EventFileError` with its line number (the header is line 1; a
    quoted field may not span lines in this format).
    """
    with open(path, encoding="utf-8-sig", newline="") as handle:
        text = handle.read()
    pids, dates, kinds, directions = _columns(text)
    ids: dict[str, int] = {}
    for pid in pids:
        if pid not in ids:
            ids[pid] = len(ids)
    partnership = np.fromiter(map(ids.__getitem__, pids), dtype=np.int64, count=len(pids))
    if "" in ids:
        partnership[partnership == ids[""]] = -1
    if (bad := _first_bad(partnership)) is not None:
        raise EventFileError(bad + 2, "partnership_id", "empty_id", pids[bad])
    ordinals: dict[str, int] = {}
    for text in set(dates):
        try:
            ordinals[text] = parse_date(text).toordinal()
        except InvalidInput:
            ordinals[text] = -1
    day = np.fromiter(map(ordinals.__getitem__, dates), dtype=np.int64, count=len(dates))
    if (bad := _first_bad(day)) is not None:
        raise EventFileError(bad + 2, "date", "date", dates[bad])
    kind_codes = {k: _KIND.get(k, -1) for k in set(kinds)}
    kind = np.fromiter(map(kind_codes.__getitem__, kinds), dtype=np.int64, count=len(kinds))
    if (bad := _first_bad(kind)) is not None:
        raise EventFileError(bad + 2, "kind", "kind", kinds[bad])
    direction_codes = {d: _DIRECTION.get(d, -1) for d in set(directions)}
    direction = np.fromiter(
        map(direction_codes.__getitem__, directions), dtype=np.int64, count=len(directions)
    )
    if (bad := _first_bad(direction)) is not None:
        raise EventFileError(bad + 2, "direction", "direction", directions[bad])
    return EventArrays(list(ids), partnership, day, kind, direction)


@dataclass
class Health:
    """The health of one partnership as of a date.

    Attributes
    ----------
    state : str
        One of :data:`STATES`.
    warning_since : date or None
        When the warning (``at_risk``, ``dormant`` or ``ended``) started.
    score : float
        0–100, one decimal.
    reciprocity : float or None
        In [−1, 1]; ``None`` without directional events.
    reciprocity_parts : dict
        Per part (``travel``, ``contribution``, ``hosting``): ``local``,
        ``partner`` counts and ``index`` (or ``None``).
    components : dict
        Per component: ``value`` in [0, 1], ``weight`` and ``points``
        (100 × weight × value); breadth only when given.
    reason : str
        ``recent_activity``, ``no_activity_since`` or ``agreement_expired``.
    params : dict
        The figures behind the reason (JSON-ready: dates as ISO strings).
    explanation : str
        The reason as an English sentence.
    """

    state: str
    warning_since: date | None
    score: float
    reciprocity: float | None
    reciprocity_parts: dict[str, dict[str, Any]] = field(default_factory=dict)
    components: dict[str, dict[str, float]] = field(default_factory=dict)
    reason: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    explanation: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (dates as ISO strings)."""
        return {
            "state": self.state,
            "warning_since": self.warning_since.isoformat() if self.warning_since else None,
            "score": self.score,
            "reciprocity": self.reciprocity,
            "reciprocity_parts": self.reciprocity_parts,
            "components": self.components,
            "explanation": {"reason": self.reason, "params": self.params, "text": self.explanation},
        }


def _group_median(group: IntArray, values: FloatArray, n: int) -> FloatArray:
    """Median of ``values`` per group 0..n−1 (NaN for empty groups)."""
    out = np.full(n, np.nan)
    if values.size == 0:
        return out
    order = np.lexsort((values, group))
    g, v = group[order], values[order]
    counts = np.bincount(g, minlength=n)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    has = counts > 0
    lo = starts[has] + (counts[has] - 1) // 2
    hi = starts[has] + counts[has] // 2
    out[has] = (v[lo] + v[hi]) / 2
    return out


def _ratio(numerator: FloatArray, denominator: FloatArray) -> FloatArray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, numerator / np.maximum(denominator, 1), np.nan)


def health_arrays(
    events: EventArrays,
    as_of: date,
    breadth: FloatArray | None = None,
    parameters: RhythmParameters | None = None,
    weights: Mapping[str, float] = WEIGHTS,
) -> dict[str, Any]:
    """Health of every partnership in ``events`` as of ``as_of``, vectorised.

    Parameters
    ----------
    events : EventArrays
        All events; those dated after ``as_of`` are ignored.
    as_of : date
    breadth : array of float, optional
        Per partnership (indexing ``events.ids``) the breadth in [0, 1], NaN
        where unknown (its weight then goes to the other components).
    parameters : RhythmParameters, optional
    weights : mapping
        Weights of the components (see :data:`WEIGHTS`).

    Returns
    -------
    dict of arrays, one entry per partnership: ``present`` (has an event on or
    before ``as_of``), ``state`` (index into :data:`STATES`), ``warning_since``
    and ``last_engagement`` and ``expired_on`` (ordinals, −1 for none),
    ``expected_gap``, ``silence``, ``gaps``, ``score``, ``reciprocity``, the
    component values (``recency`` …, ``breadth``) and the weights used
    (``w_recency`` …), and ``local_<part>`` / ``partner_<part>`` counts.
    """
    p = parameters or RhythmParameters()
    n = len(events.ids)
    today = as_of.toordinal()
    keep = events.day <= today
    pid, day, kind, dirn = (
        events.partnership[keep],
        events.day[keep],
        events.kind[keep],
        events.direction[keep],
    )
    present = np.bincount(pid, minlength=n) > 0

    # Rhythm: distinct engagement days per partnership, their gaps, the shrunk median.
    engaged = kind != _EXPIRES
    key = np.sort(pid[engaged] * np.int64(4_000_000) + day[engaged])
    key = key[np.concatenate(([True], key[1:] != key[:-1]))] if key.size else key
    e_pid, e_day = key // 4_000_000, key % 4_000_000
    same = e_pid[1:] == e_pid[:-1]
    gaps = (e_day[1:] - e_day[:-1])[same].astype(np.float64)
    gap_pid = e_pid[1:][same]
    n_gaps = np.bincount(gap_pid, minlength=n).astype(np.float64)
    median = _group_median(gap_pid, gaps, n)
    log_mean = np.where(
        n_gaps > 0, np.log(np.where(np.isnan(median), 1.0, median) / math.log(2)), 0.0
    )
    shrunk = np.exp(
        (n_gaps * log_mean + p.prior_weight * math.log(p.prior_gap)) / (n_gaps + p.prior_weight)
    )
    expected = np.clip(shrunk, p.floor, p.ceiling)
    last = np.full(n, -1, dtype=np.int64)
    np.maximum.at(last, e_pid, e_day)
    silence = np.where(last >= 0, today - last, 0)
    at_risk_day = np.where(last >= 0, last + np.ceil(p.at_risk * expected).astype(np.int64), -1)
    state = np.where(
        silence > p.dormant * expected, 2, np.where(silence > p.at_risk * expected, 1, 0)
    )
    warning = np.where(state > 0, at_risk_day, -1)

    # Ended: every signed agreement has expired and nothing happened after the latest expiry.
    signed = np.bincount(pid[kind == _SIGNED], minlength=n)
    expiries = np.bincount(pid[kind == _EXPIRES], minlength=n)
    expired_on = np.full(n, -1, dtype=np.int64)
    np.maximum.at(expired_on, pid[kind == _EXPIRES], day[kind == _EXPIRES])
    ended = (expiries > 0) & (signed <= expiries) & (last <= expired_on)
    state = np.where(ended, 3, state)
    ended_since = np.where(at_risk_day >= 0, np.minimum(at_risk_day, expired_on), expired_on)
    warning = np.where(ended, ended_since, warning)

    # Reciprocity parts.
    out: dict[str, Any] = {"ids": events.ids, "present": present}
    window3 = day > today - 3 * _YEAR
    local_total = np.zeros(n)
    partner_total = np.zeros(n)
    local_recent = np.zeros(n)
    partner_recent = np.zeros(n)
    parts = {
        "travel": (kind == _VISIT, 2),
        "contribution": (kind == _CONTRIBUTION, 2),
        "hosting": ((kind == _ACTIVITY) | (kind == _RESULT), 1),
    }
    for part, (mask, local_direction) in parts.items():
        local_mask = mask & (dirn == local_direction)
        partner_mask = mask & (dirn == 3 - local_direction)
        local = np.bincount(pid[local_mask], minlength=n).astype(np.float64)
        partner = np.bincount(pid[partner_mask], minlength=n).astype(np.float64)
        out[f"local_{part}"], out[f"partner_{part}"] = local, partner
        local_total += local
        partner_total += partner
        local_recent += np.bincount(pid[local_mask & window3], minlength=n)
        partner_recent += np.bincount(pid[partner_mask & window3], minlength=n)
    reciprocity = _ratio(local_total - partner_total, local_total + partner_total)

    # Score components.
    recent = np.bincount(pid[engaged & (day > today - _YEAR)], minlength=n)
    loi_after = np.zeros(n, dtype=bool)
    loi_after[pid[(kind == _LOI) & (day > expired_on[pid])]] = True
    values = {
        "recency": np.where(last >= 0, np.exp2(-silence / _YEAR), 0.0),
        "intensity": 1 - np.exp(-recent / 4),
        "mutuality": 1 - np.exp(-np.minimum(local_recent, partner_recent) / 3),
        "agreement": np.where(signed > expiries, 1.0, np.where(loi_after, 0.5, 0.0)),
        "breadth": np.full(n, np.nan) if breadth is None else np.asarray(breadth, dtype=float),
    }
    has_breadth = ~np.isnan(values["breadth"])
    total_weight = sum(weights.values()) - np.where(has_breadth, 0.0, weights["breadth"])
    score = np.zeros(n)
    for name, value in values.items():
        weight = weights[name] / total_weight
        if name == "breadth":
            weight = np.where(has_breadth, weight, 0.0)
        out[name], out[f"w_{name}"] = value, weight
        score += weight * np.nan_to_num(value)
        out[f"w_{name}"] = np.broadcast_to(weight, (n,))
    out.update(
        state=state,
        warning_since=warning,
        at_risk_after=np.ceil(p.at_risk * expected).astype(np.int64),
        dormant_after=np.ceil(p.dormant * expected).astype(np.int64),
        last_engagement=last,
        expired_on=expired_on,
        expected_gap=expected,
        silence=silence,
        gaps=n_gaps.astype(np.int64),
        score=np.round(100 * score, 1),
        reciprocity=reciprocity,
    )
    return out


def _day(ordinal: int) -> date | None:
    return date.fromordinal(ordinal) if ordinal > 0 else None


def _number(value: float) -> float | None:
    return None if math.isnan(value) else round(float(value), 4)


def describe(result: Mapping[str, Any], i: int, as_of: date) -> Health:
    """The :class:`Health` of partnership ``i`` from :func:`health_arrays`' ``result``."""
    state = STATES[int(result["state"][i])]
    last = _day(int(result["last_engagement"][i]))
    params: dict[str, Any] = {
        "last_activity": last.isoformat() if last else None,
        "silence_days": int(result["silence"][i]),
        "expected_gap_days": round(float(result["expected_gap"][i]), 1),
        "gaps": int(result["gaps"][i]),
        "at_risk_after_days": int(result["at_risk_after"][i]),
        "dormant_after_days": int(result["dormant_after"][i]),
    }
    if state == "ended":
        expired = date.fromordinal(int(result["expired_on"][i]))
        reason = "agreement_expired"
        params["expired_on"] = expired.isoformat()
        text = (
            f"The agreement expired on {expired.isoformat()} without renewal and nothing "
            "has happened since."
        )
    elif state == "active":
        reason = "recent_activity"
        text = (
            f"Last activity {params['silence_days']} days ago; at risk after "
            f"{params['at_risk_after_days']} days without activity, from its usual gap of "
            f"{params['expected_gap_days']:g} days."
        )
    else:
        reason = "no_activity_since"
        limit = "at_risk_after_days" if state == "at_risk" else "dormant_after_days"
        text = (
            f"No activity since {params['last_activity']} ({params['silence_days']} days), "
            f"longer than the {params[limit]} days that its usual gap of "
            f"{params['expected_gap_days']:g} days allows."
        )
    parts: dict[str, dict[str, Any]] = {}
    for part in ("travel", "contribution", "hosting"):
        local, partner = float(result[f"local_{part}"][i]), float(result[f"partner_{part}"][i])
        index = (local - partner) / (local + partner) if local + partner else None
        parts[part] = {
            "local": int(local),
            "partner": int(partner),
            "index": None if index is None else round(index, 4),
        }
    components = {}
    for name in WEIGHTS:
        value, weight = float(result[name][i]), float(result[f"w_{name}"][i])
        if not math.isnan(value):
            components[name] = {
                "value": round(value, 4),
                "weight": round(weight, 4),
                "points": round(100 * weight * value, 2),
            }
    return Health(
        state=state,
        warning_since=_day(int(result["warning_since"][i])),
        score=float(result["score"][i]),
        reciprocity=_number(float(result["reciprocity"][i])),
        reciprocity_parts=parts,
        components=components,
        reason=reason,
        params=params,
        explanation=text,
    )


def _breadth_value(breadth: Mapping[str, tuple[int, int]]) -> float:
    shares = []
    for dimension, (reached, total) in breadth.items():
        if total <= 0 or not 0 <= reached <= total:
            raise InvalidInput(f"breadth {dimension}: need 0 <= reached <= total, total > 0")
        shares.append(reached / total)
    return sum(shares) / len(shares) if shares else math.nan


def _arrays(events: Iterable[Event]) -> EventArrays:
    rows = list(events)
    for event in rows:
        if event.kind not in _KIND:
            raise InvalidInput(f"unknown kind {event.kind!r}")
        if event.direction not in DIRECTIONS:
            raise InvalidInput(f"unknown direction {event.direction!r}")
    return EventArrays(
        ["p"],
        np.zeros(len(rows), dtype=np.int64),
        np.array([e.day.toordinal() for e in rows], dtype=np.int64),
        np.array([_KIND[e.kind] for e in rows], dtype=np.int64),
        np.array([_DIRECTION[e.direction or ""] for e in rows], dtype=np.int64),
    )


def health(
    events: Sequence[Event],
    as_of: date,
    breadth: Mapping[str, tuple[int, int]] | None = None,
    parameters: RhythmParameters | None = None,
) -> Health | None:
    """Health of one partnership as of ``as_of`` (``None`` if no event is on or before it).

    ``breadth`` maps a dimension (``sectors``, ``agencies``, ``kecamatan``,
    ``groups``) to ``(reached, total)``.

    >>> record = [
    ...     Event("agreement_signed", date(2020, 1, 1)),
    ...     Event("visit", date(2020, 6, 1), "outbound"),
    ...     Event("visit", date(2021, 1, 1), "inbound"),
    ...     Event("contribution", date(2021, 1, 1), "inbound"),
    ... ]
    >>> h = health(record, date(2021, 3, 1))
    >>> h.state, h.reciprocity, h.score
    ('active', -0.3333, 70.8)
    >>> later = health(record, date(2023, 1, 1))
    >>> later.state, later.warning_since, later.reason
    ('at_risk', datetime.date(2022, 9, 23), 'no_activity_since')
    """
    arrays = _arrays(events)
    value = None if breadth is None else np.array([_breadth_value(breadth)])
    result = health_arrays(arrays, as_of, value, parameters)
    if not result["present"][0]:
        return None
    return describe(result, 0, as_of)


def monthly(
    events: Sequence[Event], months: Sequence[date], parameters: RhythmParameters | None = None
) -> list[tuple[date, Health | None]]:
    """Health at each date of ``months`` (e.g. month ends): the partnership's history."""
    return [(month, health(events, month, parameters=parameters)) for month in months]
