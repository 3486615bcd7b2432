"""How long the reference load takes, first and again, on SQLite and PostgreSQL.

Each measurement runs ``manage.py`` in a fresh process against a fresh
database, exactly as ``make run`` does, and reports wall time and peak memory
(max RSS of the child).  Usage::

    python -m bench.reference_load [--postgres postgres://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manage(env: dict[str, str], *args: str) -> tuple[float, float]:
    """Run a manage.py command; return (seconds, peak RSS of the child in MB)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, max(peak, before) / 1024


def run(label: str, env: dict[str, str]) -> None:
    migrate, _ = manage(env, "migrate", "--noinput", "-v0")
    first, first_mb = manage(env, "load_reference")
    again, _ = manage(env, "load_reference")
    forced, _ = manage(env, "load_reference", "--force")
    print(
        f"| {label} | {migrate:.1f} s | {first:.1f} s | {first_mb:.0f} MB | {again:.1f} s "
        f"| {forced:.1f} s |"
    )


#: The settings require a secret key; a benchmark's throw-away instance gets this one.
BENCH_KEY = {"DJANGO_SECRET_KEY": "bench-only-not-a-secret-" + "x" * 40}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", help="server URL whose database kembar_bench is recreated")
    args = parser.parse_args()
    print("| database | migrate | first load | peak memory | unchanged | forced compare |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as var:
        env = {**os.environ, "KEMBAR_VAR_DIR": var, "DATABASE_URL": "", **BENCH_KEY}
        run("SQLite", env)
    if args.postgres:
        base = args.postgres.rsplit("/", 1)[0]
        for statement in ("DROP DATABASE IF EXISTS kembar_bench", "CREATE DATABASE kembar_bench"):
            subprocess.run(  # noqa: S603
                ["psql", args.postgres, "-qc", statement],  # noqa: S607
                check=True,
            )
        with tempfile.TemporaryDirectory() as var:
            env = {
                **os.environ,
                "KEMBAR_VAR_DIR": var,
                "DATABASE_URL": f"{base}/kembar_bench",
                **BENCH_KEY,
            }
            run("PostgreSQL", env)


if __name__ == "__main__":
    main()
