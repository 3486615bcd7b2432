"""How fast the twin-city network loads and recommends, and how well it predicts.

Measures, on the shipped world twin-town list: reading the file and building
the graph, preparing the recommender, the top 10 for one city (median of many
runs, for Semarang and for the best-connected city), 1,000 cities from a
cities file (in process, and as the whole ``manage.py network_recommend``
command in a fresh process), and the whole evaluation (holdout 0.1, seed 42),
whose table it prints.  Targets: one city under 50 ms, 1,000 cities under
30 s, the evaluation under 60 s.  Usage::

    python -m bench.network [--links FILE] [--repeat 200]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from kembar.analytics.network import city_label
from kembar.analytics.recommend import METHODS, Recommender, evaluate_recommenders
from kembar.insights.network_sources import read_city_list, read_links

ROOT = Path(__file__).resolve().parent.parent
WORLD = ROOT / "kembar" / "data" / "twin-towns" / "twin_cities_geocoded.csv"


def median_ms(recommender: Recommender, city: str, repeat: int) -> float:
    """Median wall time of one top-10 recommendation, in milliseconds."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        recommender.recommend(city, k=10)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--links", type=Path, default=WORLD, help="links CSV (default: world)")
    parser.add_argument("--repeat", type=int, default=200, help="runs per one-city median")
    args = parser.parse_args()

    started = time.perf_counter()
    links = read_links(args.links)
    graph = links.graph()
    load = time.perf_counter() - started
    started = time.perf_counter()
    recommender = Recommender(graph)
    prepare = time.perf_counter() - started

    hub = max(graph.degree, key=lambda item: (item[1], item[0]))[0]
    semarang = median_ms(recommender, "Semarang, Indonesia", args.repeat)
    busiest = median_ms(recommender, city_label(hub), args.repeat)

    rng = np.random.default_rng(42)
    sample = [recommender.nodes[i] for i in rng.choice(recommender.size, 1000, replace=False)]
    with tempfile.TemporaryDirectory() as folder:
        cities_file = Path(folder) / "cities.csv"
        with cities_file.open("w", encoding="utf-8") as handle:
            for name, country in sample:
                handle.write(f'"{name}","{country}"\n')
        started = time.perf_counter()
        for city in read_city_list(cities_file):
            recommender.recommend(city, k=10)
        thousand = time.perf_counter() - started
        started = time.perf_counter()
        subprocess.run(  # noqa: S603 - our own interpreter and manage.py
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "network_recommend",
                "--links",
                str(args.links),
                "--cities-file",
                str(cities_file),
                "-k",
                "10",
                "--format",
                "json",
            ],
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        command = time.perf_counter() - started

    started = time.perf_counter()
    evaluation = evaluate_recommenders(graph, holdout=0.1, seed=42)
    evaluate = time.perf_counter() - started

    print(
        f"{graph.number_of_nodes():,} cities, {graph.number_of_edges():,} links "
        f"({len(links.problems)} bad rows skipped); busiest: {city_label(hub)} "
        f"({graph.degree[hub]} partners)"
    )
    print(
        "| load file + graph | prepare recommender | top 10, Semarang (median) "
        "| top 10, busiest city (median) | 1,000 cities in process | 1,000 cities, command "
        "| whole evaluation |"
    )
    print("|---|---|---|---|---|---|---|")
    print(
        f"| {load:.2f} s | {prepare:.2f} s | {semarang:.1f} ms | {busiest:.1f} ms "
        f"| {thousand:.1f} s | {command:.1f} s | {evaluate:.1f} s |"
    )
    print()
    print(
        f"Evaluation: holdout {evaluation.holdout}, seed {evaluation.seed}, "
        f"{evaluation.hidden:,} of {evaluation.links:,} links hidden, "
        f"{evaluation.cities:,} cities evaluated, {evaluation.auc_samples:,} AUC samples."
    )
    print("| method | precision@10 | recall@50 | MAP@50 | AUC |")
    print("|---|---|---|---|---|")
    for method in METHODS:
        scores = evaluation.methods[method]
        print(
            f"| {method} | {scores.precision_at_10:.4f} | {scores.recall_at_50:.4f} "
            f"| {scores.map:.4f} | {scores.auc:.4f} |"
        )


if __name__ == "__main__":
    main()
