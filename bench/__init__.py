"""Benchmarks for Kembar; results are recorded in bench/README.md."""
