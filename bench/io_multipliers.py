"""How long every input-output multiplier takes on a 185-sector table, against pymrio.

A random but productive table is generated from a seed (185 sectors, the size of
BPS's most detailed Input-Output table), then timed, in the same process:

* Kembar, from arrays: ``IOTable(...)`` (shape, number, sign, identity and
  productivity checks) and ``multipliers(table)`` (A, L, output, Type I and II
  income, value-added multipliers, Rasmussen–Hirschman linkages, key sectors);
* Kembar, ``multipliers(table)`` on an already checked table;
* pymrio 0.7 ``iomath`` on numpy arrays, what pymrio itself provides: ``calc_A``,
  ``calc_L``, ``calc_S`` and ``calc_M`` for compensation of employees and GVA
  (output multipliers as ``calc_M`` of a row of ones);
* pymrio, everything Kembar computes: the above plus Type II from ``calc_A`` and
  ``calc_L`` on the table closed for households ((n+1)×(n+1)), and the Ghosh
  inverse from ``calc_B`` and ``calc_G(B, L, x)`` for forward linkages.

Each is the median of ``--runs`` runs after one warm-up.  The results of the
last two are compared number by number.  Usage::

    python -m bench.io_multipliers [--sectors 185] [--runs 25] [--seed 20261127]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from kembar.analytics.io import IOTable, multipliers

FloatArray = npt.NDArray[np.float64]
TARGET_MS = 50.0


def random_table(n: int, seed: int) -> dict[str, FloatArray]:
    """A productive table: every column of A sums to between 0.25 and 0.75."""
    rng = np.random.default_rng(seed)
    a = rng.lognormal(size=(n, n)) * (rng.random((n, n)) < 0.6)
    a *= rng.uniform(0.25, 0.75, n) / a.sum(axis=0)
    output = np.linalg.solve(np.eye(n) - a, rng.uniform(1e3, 1e5, n))
    z = a * output[np.newaxis, :]
    final = output - z.sum(axis=1)
    primary = output - z.sum(axis=0)
    gva = primary * rng.uniform(0.6, 0.9, n)
    return {
        "intermediate": z,
        "final_demand": final,
        "household_consumption": final * rng.uniform(0.2, 0.6, n),
        "primary_inputs": primary,
        "compensation": gva * rng.uniform(0.3, 0.6, n),
        "value_added": gva,
        "output": output,
    }


def pymrio_core(iomath: Any, t: dict[str, FloatArray]) -> dict[str, FloatArray]:
    """What pymrio computes: A, L and the multipliers M = S L of its extensions."""
    a = iomath.calc_A(t["intermediate"], t["output"])
    leontief = iomath.calc_L(a)
    extensions = np.vstack([t["output"], t["compensation"], t["value_added"]])
    s = iomath.calc_S(extensions, t["output"])  # output's own row gives S = 1: output multipliers
    m = iomath.calc_M(s, leontief)
    return {
        "L": leontief,
        "output_multiplier": m[0],
        "income_multiplier_type1": m[1] / s[1],
        "value_added_multiplier": m[2],
    }


def pymrio_all(iomath: Any, t: dict[str, FloatArray]) -> dict[str, FloatArray]:
    """Everything Kembar computes, from pymrio's pieces and numpy sums."""
    n = t["output"].size
    result = pymrio_core(iomath, t)
    leontief = result["L"]
    closed_z = np.zeros((n + 1, n + 1))
    closed_z[:n, :n] = t["intermediate"]
    closed_z[:n, n] = t["household_consumption"]
    closed_z[n, :n] = t["compensation"]
    closed_x = np.append(t["output"], t["compensation"].sum())
    closed_l = iomath.calc_L(iomath.calc_A(closed_z, closed_x))
    result["income_multiplier_type2"] = closed_l[n, :n] / (t["compensation"] / t["output"])
    ghosh = iomath.calc_G(iomath.calc_B(t["intermediate"], t["output"]), L=leontief, x=t["output"])
    result["backward_linkage"] = n * leontief.sum(axis=0) / leontief.sum()
    result["forward_linkage"] = n * ghosh.sum(axis=1) / ghosh.sum()
    return result


def timed(function: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median and minimum wall time in milliseconds, after one warm-up run."""
    function()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sectors", type=int, default=185)
    parser.add_argument("--runs", type=int, default=25)
    parser.add_argument("--seed", type=int, default=20261127)
    args, _ = parser.parse_known_args()
    t = random_table(args.sectors, args.seed)
    table = IOTable(**t)
    try:
        from pymrio.tools import iomath
    except ModuleNotFoundError:
        iomath = None
    candidates: list[tuple[str, Callable[[], object]]] = [
        ("Kembar: IOTable checks + multipliers", lambda: multipliers(IOTable(**t))),
        ("Kembar: multipliers of a checked table", lambda: multipliers(table)),
    ]
    if iomath is not None:
        candidates += [
            ("pymrio: A, L, M (CoE, GVA, output)", lambda: pymrio_core(iomath, t)),
            ("pymrio + numpy: all of Kembar's results", lambda: pymrio_all(iomath, t)),
        ]
    rows = [(label, *timed(function, args.runs)) for label, function in candidates]
    print(f"Input-output multipliers, {args.sectors} sectors, median of {args.runs} runs")
    print("| computation | median | fastest |")
    print("|---|---|---|")
    for label, median, fastest in rows:
        print(f"| {label} | {median:.2f} ms | {fastest:.2f} ms |")
    kembar_ms = rows[0][1]
    verdict = "met" if kembar_ms < TARGET_MS else "MISSED"
    print(f"Target {TARGET_MS:.0f} ms for all multipliers: {verdict} ({kembar_ms:.2f} ms).")
    if iomath is not None:
        ours = multipliers(table)
        theirs = pymrio_all(iomath, t)
        worst = max(
            float(np.max(np.abs(getattr(ours, name) / theirs[name] - 1)))
            for name in theirs
            if name != "L"
        )
        key = (theirs["backward_linkage"] > 1) & (theirs["forward_linkage"] > 1)
        same_keys = bool((key == ours.key_sector).all())
        print(
            f"Agreement with pymrio: largest relative difference {worst:.1e} over output, "
            f"Type I and II income, value-added multipliers and both linkages; "
            f"key sectors {'identical' if same_keys else 'DIFFERENT'} ({int(key.sum())})."
        )


if __name__ == "__main__":
    main()
