"""Run every benchmark: ``python -m bench`` (``make bench``)."""

import importlib

BENCHMARKS = ["reference_load", "io_multipliers", "network", "reach"]

if __name__ == "__main__":
    for name in BENCHMARKS:
        try:
            module = importlib.import_module(f"bench.{name}")
        except ModuleNotFoundError:
            continue
        module.main()
