"""Run every benchmark: ``python -m bench`` (``make bench``)."""

import importlib

# http last: it prepares its own database and runs gunicorn, wrk and locust (about 12 min).
BENCHMARKS = [
    "reference_load",
    "io_multipliers",
    "network",
    "reach",
    "registrations",
    "search",
    "http",
]

if __name__ == "__main__":
    for name in BENCHMARKS:
        try:
            module = importlib.import_module(f"bench.{name}")
        except ModuleNotFoundError:
            continue
        module.main()
