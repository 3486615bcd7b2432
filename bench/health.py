"""How fast partnership health computes, and how early and how falsely it warns.

Speed (target, issue 15): ``manage.py partnership_health`` for 10,000
partnerships with 1,000,000 dated events under 5 s, reading the CSV included.
A seeded numpy generator writes the file (2000-01-01 to 2025-12-31, a
partnership's share of the events drawn from a gamma distribution, kinds and
directions in fixed proportions, a tenth of the dates given as a year or a
month); the whole command runs in a fresh process (``--runs`` times, median),
then the library alone in process (reading, arrays, one record per
partnership).

Accuracy: a simulation of partnerships that keep going and ones that stop.
Each partnership signs on a day in 2008–2012 and then has engagement events as
a renewal process with its own mean gap (log-uniform 15–400 days); gaps are
exponential (``poisson``) or gamma with shape 0.5 (``bursty``, clustered
events, the harder case).  Half the partnerships stop at a day drawn uniformly
in 2016–2022 (their last event is the last one before it); the others keep
going to the end of 2026.  The warning is computed at every month end from
2014 to 2026 with only the events known by then.  Reported: for partnerships
that stop, the delay from the last activity to the first month end flagged
``at_risk`` (and ``dormant``), median and 90th percentile, and the share never
flagged by 2026; for partnerships that keep going, the share of their month
ends from 2014 flagged (false alarms) and the share ever flagged.  Usage::

    python -m bench.health [--runs 3] [--simulate 4000]
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np

from kembar.analytics.health import (
    KINDS,
    EventArrays,
    describe,
    health_arrays,
    read_events,
)

ROOT = Path(__file__).resolve().parent.parent
AS_OF = date(2025, 12, 31)


def generate(path: Path, partnerships: int, events: int, seed: int = 42) -> None:
    """Write a seeded events file of ``partnerships`` × ``events``."""
    rng = np.random.default_rng(seed)
    share = rng.gamma(2.0, 1.0, partnerships)
    pid = rng.choice(partnerships, events, p=share / share.sum())
    start, end = date(2000, 1, 1).toordinal(), date(2025, 12, 31).toordinal()
    day = rng.integers(start, end + 1, events)
    kind = rng.choice(len(KINDS), events, p=[0.02, 0.03, 0.02, 0.45, 0.2, 0.13, 0.15])
    direction = rng.choice(3, events, p=[0.4, 0.3, 0.3])
    precision = rng.choice(3, events, p=[0.05, 0.05, 0.9])
    texts = {d: date.fromordinal(d).isoformat() for d in np.unique(day).tolist()}
    cut = (4, 7, 10)
    names = [f"p{i:05d}" for i in range(partnerships)]
    directions = ("", "inbound", "outbound")
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["partnership_id", "date", "kind", "direction"])
        writer.writerows(
            (names[p], texts[d][: cut[c]], KINDS[k], directions[r])
            for p, d, k, r, c in zip(
                pid.tolist(),
                day.tolist(),
                kind.tolist(),
                direction.tolist(),
                precision.tolist(),
                strict=True,
            )
        )


def time_command(path: Path, runs: int) -> list[float]:
    """Wall times of the whole command in a fresh process."""
    times = []
    env = {**os.environ, "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", "bench")}
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "partnership_health",
                "--events",
                str(path),
                "--as-of",
                AS_OF.isoformat(),
                "--format",
                "json",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            env=env,
            cwd=ROOT,
        )
        times.append(time.perf_counter() - started)
        assert done.returncode == 0
    return times


def time_library(path: Path, runs: int) -> dict[str, float]:
    """Median seconds of reading, the arrays and the per-partnership records."""
    parts: dict[str, list[float]] = {"read": [], "arrays": [], "records": []}
    for _ in range(runs):
        t0 = time.perf_counter()
        events = read_events(path)
        t1 = time.perf_counter()
        result = health_arrays(events, AS_OF)
        t2 = time.perf_counter()
        for i in result["present"].nonzero()[0]:
            describe(result, int(i), AS_OF).to_dict()
        t3 = time.perf_counter()
        parts["read"].append(t1 - t0)
        parts["arrays"].append(t2 - t1)
        parts["records"].append(t3 - t2)
    return {name: statistics.median(values) for name, values in parts.items()}


def simulate(count: int, shape: float | None, seed: int = 7) -> dict[str, float]:
    """Detection delay and false alarms of the warning on simulated partnerships."""
    rng = np.random.default_rng(seed)
    first = date(2008, 1, 1).toordinal()
    horizon = date(2026, 12, 31).toordinal()
    signed = first + rng.integers(0, 5 * 365, count)
    mean_gap = np.exp(rng.uniform(np.log(15), np.log(400), count))
    stops = rng.random(count) < 0.5
    stop_day = np.where(
        stops,
        rng.integers(date(2016, 1, 1).toordinal(), date(2022, 12, 31).toordinal(), count),
        horizon + 1,
    )
    pids, days = [np.arange(count)], [signed]
    t = signed.astype(np.float64)
    alive = np.ones(count, dtype=bool)
    while alive.any():
        gap = rng.exponential(mean_gap) if shape is None else rng.gamma(shape, mean_gap / shape)
        t = t + np.maximum(1.0, gap)
        alive &= t < stop_day
        pids.append(np.flatnonzero(alive))
        days.append(t[alive].astype(np.int64))
    pid = np.concatenate(pids)
    day = np.concatenate(days)
    kind = np.where(np.arange(pid.size) < count, KINDS.index("agreement_signed"), 3)
    events = EventArrays(
        [str(i) for i in range(count)], pid, day, kind, np.zeros(pid.size, dtype=np.int64)
    )
    last = np.full(count, -1, dtype=np.int64)
    np.maximum.at(last, pid, day)
    month_ends = [
        date(y, m + 1, 1).toordinal() - 1 if m < 12 else date(y, 12, 31).toordinal()
        for y in range(2014, 2027)
        for m in range(1, 13)
    ]
    first_risk = np.full(count, -1, dtype=np.int64)
    first_dormant = np.full(count, -1, dtype=np.int64)
    flagged_months = np.zeros(count)
    ever = np.zeros(count, dtype=bool)
    for month_end in month_ends:
        result = health_arrays(events, date.fromordinal(month_end))
        warned = result["state"] > 0
        after = stops & (month_end > last)
        first_risk = np.where(after & warned & (first_risk < 0), month_end, first_risk)
        first_dormant = np.where(
            after & (result["state"] >= 2) & (first_dormant < 0), month_end, first_dormant
        )
        flagged_months += warned & ~stops
        ever |= warned & ~stops
    detected = stops & (first_risk >= 0)
    delay = (first_risk - last)[detected]
    dormant = stops & (first_dormant >= 0)
    dormant_delay = (first_dormant - last)[dormant]
    keepers = ~stops
    return {
        "stopped": int(stops.sum()),
        "kept": int(keepers.sum()),
        "events": int(pid.size),
        "delay_median": float(np.median(delay)),
        "delay_p90": float(np.percentile(delay, 90)),
        "dormant_median": float(np.median(dormant_delay)),
        "dormant_p90": float(np.percentile(dormant_delay, 90)),
        "missed": float(1 - detected.sum() / stops.sum()),
        "false_month_share": float(
            flagged_months[keepers].sum() / (keepers.sum() * len(month_ends))
        ),
        "ever_flagged": float(ever[keepers].mean()),
        "gap_ratio_median": float(np.median(delay / mean_gap[detected])),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partnerships", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--simulate", type=int, default=4000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.csv"
        started = time.perf_counter()
        generate(path, args.partnerships, args.events)
        print(f"generated {args.events:,} events in {time.perf_counter() - started:.1f} s")
        times = time_command(path, args.runs)
        print(
            "command, fresh process: median "
            f"{statistics.median(times):.2f} s (runs: {', '.join(f'{t:.2f}' for t in times)})"
        )
        tiny = Path(tmp) / "one.csv"
        tiny.write_text("partnership_id,date,kind,direction\np,2020,activity,\n", encoding="utf-8")
        start_up = time_command(tiny, args.runs)
        print(
            "the same command on a one-row file (Django start-up): "
            f"{statistics.median(start_up):.2f} s"
        )
        library = time_library(path, args.runs)
        print(
            "library in process (median): "
            + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in library.items())
            + f", total {sum(library.values()):.2f} s"
        )
    for name, shape in (("poisson", None), ("bursty", 0.5)):
        r = simulate(args.simulate, shape)
        print(
            f"{name}: {r['stopped']} stopped / {r['kept']} kept ({r['events']:,} events); "
            f"at_risk delay median {r['delay_median']:.0f} d, p90 {r['delay_p90']:.0f} d "
            f"(median {r['gap_ratio_median']:.1f} × own mean gap); "
            f"dormant delay median {r['dormant_median']:.0f} d, p90 {r['dormant_p90']:.0f} d; "
            f"stopped never flagged {100 * r['missed']:.1f} %; "
            f"false alarms on kept: {100 * r['false_month_share']:.1f} % of month ends, "
            f"{100 * r['ever_flagged']:.1f} % ever flagged"
        )


if __name__ == "__main__":
    main()
