"""How fast a large spreadsheet imports, and how long other writers wait meanwhile.

Target (issue 12): 10,000 activities with 30,000 participant rows validated
and applied on SQLite in under 20 s (2,000 rows/s or more) and re-checked
unchanged in under 3 s; PostgreSQL no slower; another writer never blocked
for more than 1 s.  The floor is what openpyxl in read-only mode needs just
to read the same workbook, timed in the same run.

For each database (a SQLite file, then the PostgreSQL database
``kembar_bench_imports``, dropped and recreated, and dropped at the end) a
fresh process configures Django against it and

1. runs ``migrate`` and creates the reference rows an import needs
   (:func:`bench.reach.bench_reference`: Kota Semarang, its 16 kecamatan, its
   8 partnerships, the 17 sectors, a government affair, the city government
   and its cooperation bureau, an administrator);
2. writes the workbook: the upload template's sheets with ``--activities``
   activities (round robin over the partnerships, kinds, sectors and
   kecamatan) and ``--per-activity`` participant rows each (local people of
   two kecamatan and partner people hosted), the totals adding up;
3. times the floor: ``load_workbook(read_only=True, data_only=True)`` and
   every value of every row of every sheet;
4. times the first import (``activity_import``: read, check every row,
   apply in chunks with history) while a thread writes a session row every
   100 ms through its own connection and records how long each write took;
5. times the re-check of the unchanged file by its values
   (``trust_digest=False``: the SHA-256 shortcut is off), which must change
   nothing, again with the writer running;
6. checks that the participant summary agrees with the counts.

Usage::

    python -m bench.imports [--activities 10000] [--per-activity 3]
        [--postgres postgres://postgres@127.0.0.1:5432/postgres]

``--postgres ""`` measures SQLite only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import platform
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.reach import ROOT, read_kecamatan, read_partnerships

DATABASE = "kembar_bench_imports"
POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
KINDS = ("training", "seminar", "exchange_inbound", "technical_assistance", "expo", "festival")
AGENCY = "bagian-kerja-sama-semarang"


def say(message: str) -> None:
    print(f"  [imports] {message}", file=sys.stderr, flush=True)


# --- The workbook ---------------------------------------------------------------------------


def build_workbook(activities: int, per_activity: int, affair: str) -> bytes:
    """The upload template's data sheets filled with the bench's rows (openpyxl write-only)."""
    from openpyxl import Workbook

    from kembar.programs.spreadsheet import COLUMNS, DATA_SHEETS, INSTRUCTIONS

    partnerships = read_partnerships()
    kecamatan = [kode for kode, _people in read_kecamatan()]
    book = Workbook(write_only=True)
    book.create_sheet(INSTRUCTIONS)
    sheets = {}
    for name in DATA_SHEETS:
        sheet = book.create_sheet(name)
        sheet.append([column.key for column in COLUMNS[name]])
        sheet.append([str(column.label) for column in COLUMNS[name]])
        sheets[name] = sheet
    activity_keys = [column.key for column in COLUMNS["Kegiatan"]]
    participant_keys = [column.key for column in COLUMNS["Peserta"]]
    for number in range(activities):
        reference = f"BENCH-{number:05d}"
        start = dt.date(2016, 1, 1) + dt.timedelta(days=number % 3900)
        rows: list[dict[str, Any]] = []
        for index in range(per_activity):
            partner = index == per_activity - 1 and per_activity > 1
            rows.append(
                {
                    "reference": reference,
                    "side": "partner" if partner else "local",
                    "group": ("government", "academia", "business", "community")[index % 4],
                    "gender": ("female", "male", "unspecified")[index % 3],
                    "age_band": ("25-44", "45-64", "15-24")[index % 3],
                    "home_kecamatan": None
                    if partner
                    else kecamatan[(number + index) % len(kecamatan)],
                    "count": 3 + (number + index) % 17,
                }
            )
        local = sum(row["count"] for row in rows if row["side"] == "local")
        partner_total = sum(row["count"] for row in rows if row["side"] == "partner")
        values = {
            "reference": reference,
            "partnership": partnerships[number % len(partnerships)],
            "kind": KINDS[number % len(KINDS)],
            "title_id": f"Kegiatan uji {number}",
            "title_en": f"Bench activity {number}",
            "agency": AGENCY,
            "start_date": start,
            "end_date": start + dt.timedelta(days=number % 5),
            "status": "completed",
            "place": kecamatan[number % len(kecamatan)],
            "in_partner_city": "no",
            "sector": 1 + number % 17,
            "government_affair": affair,
            "participants_local": local,
            "participants_partner": partner_total,
        }
        sheets["Kegiatan"].append([values.get(key) for key in activity_keys])
        for row in rows:
            sheets["Peserta"].append([row.get(key) for key in participant_keys])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read_floor(content: bytes) -> int:
    """Every value of every row of every sheet, as openpyxl in read-only mode gives them."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    cells = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            cells += sum(1 for value in row if value is not None)
    book.close()
    return cells


# --- The concurrent writer ------------------------------------------------------------------


def writer_run(args: argparse.Namespace) -> None:
    """Another writer, in its own process: a session row every 100 ms until ``--stop`` exists."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.contrib.sessions.models import Session
    from django.db import DatabaseError, transaction
    from django.utils import timezone

    tag = secrets.token_hex(6)
    stop = Path(args.stop)
    waits: list[float] = []
    errors: list[str] = []
    Session.objects.filter(session_key__startswith="bench-").count()  # connect before timing
    Path(args.out + ".ready").write_text("ready")
    number = 0
    while not stop.exists():
        number += 1
        started = time.perf_counter()
        try:
            with transaction.atomic():
                Session.objects.create(
                    session_key=f"bench-{tag}-{number}",
                    session_data="x",
                    expire_date=timezone.now(),
                )
        except DatabaseError as error:
            errors.append(str(error))
        waits.append(time.perf_counter() - started)
        time.sleep(0.1)
    Path(args.out).write_text(json.dumps({"waits": waits, "errors": errors}))


def with_writer(function: Any, folder: Path) -> tuple[Any, float, dict[str, Any]]:
    """Run ``function`` while another process writes; (its result, seconds, the writer's waits)."""
    out, stop = folder / f"writer-{secrets.token_hex(4)}.json", folder / "stop"
    stop.unlink(missing_ok=True)
    writer = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "bench.imports", "--writer", "--out", str(out), "--stop", str(stop)],
        cwd=ROOT,
        env=os.environ.copy(),
    )
    ready = Path(str(out) + ".ready")
    while not ready.exists():
        time.sleep(0.05)
    time.sleep(0.3)
    started = time.perf_counter()
    result = function()
    seconds = time.perf_counter() - started
    stop.write_text("stop")
    writer.wait(timeout=60)
    found = json.loads(out.read_text())
    waits = sorted(found["waits"])
    return (
        result,
        seconds,
        {
            "writes": len(waits),
            "longest": waits[-1] if waits else None,
            "p95": waits[int(0.95 * (len(waits) - 1))] if waits else None,
            "errors": found["errors"][:3],
        },
    )


# --- One database, in its own process -------------------------------------------------------


def database_run(args: argparse.Namespace) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench.reach import bench_reference
    from kembar.programs.models import Activity, GovernmentAffair, ImportBatch, ParticipantCount
    from kembar.programs.rollup import rollup_differences
    from kembar.programs.spreadsheet import activity_import

    label = args.database_run
    result: dict[str, Any] = {"database": label, "seconds": {}}
    seconds = result["seconds"]
    call_command("migrate", interactive=False, verbosity=0)
    admin = bench_reference({"partnerships": read_partnerships()})
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            result["version"] = f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
    else:
        import sqlite3

        result["version"] = f"SQLite {sqlite3.sqlite_version}"
    affair = GovernmentAffair.objects.get().code

    started = time.perf_counter()
    content = build_workbook(args.activities, args.per_activity, affair)
    seconds["build workbook"] = time.perf_counter() - started
    result["bytes"] = len(content)
    result["rows"] = args.activities * (1 + args.per_activity)
    say(f"{label}: workbook of {len(content):,} bytes in {seconds['build workbook']:.1f} s")

    started = time.perf_counter()
    result["cells"] = read_floor(content)
    seconds["floor: openpyxl read-only"] = time.perf_counter() - started

    stages: dict[str, float] = {}

    def progress(stage: str, done: int, total: int) -> None:
        stages.setdefault(stage, time.perf_counter())

    def first() -> Any:
        stages["start"] = time.perf_counter()
        imported = activity_import(
            actor=admin, filename="bench.xlsx", content=content, progress=progress
        )
        stages["end"] = time.perf_counter()
        return imported

    folder = Path(args.out).parent
    report, seconds["first import"], result["writer first"] = with_writer(first, folder)
    seconds["  read and check"] = stages["applying"] - stages["start"]
    seconds["  apply (chunks)"] = stages["end"] - stages["applying"]
    assert report.outcome == ImportBatch.Outcome.APPLIED, report.problems[:5]
    assert Activity.objects.count() == args.activities
    assert ParticipantCount.objects.count() == args.activities * args.per_activity
    say(f"{label}: first import {seconds['first import']:.1f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    def again() -> Any:
        return activity_import(
            actor=admin, filename="bench.xlsx", content=content, trust_digest=False
        )

    histories = Activity.history.count()
    report, seconds["re-check unchanged"], result["writer re-check"] = with_writer(again, folder)
    assert report.outcome == ImportBatch.Outcome.UNCHANGED, report.problems[:5]
    assert report.changed == 0 and Activity.history.count() == histories
    say(f"{label}: re-check {seconds['re-check unchanged']:.1f} s")
    result["rollup in step"] = rollup_differences() == []
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    Path(args.out).write_text(json.dumps(result, indent=1, default=str))


def recreate_database(server: str, *, drop_only: bool = False) -> str | None:
    import psycopg

    try:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
            if not drop_only:
                admin.execute(f"CREATE DATABASE {DATABASE}")
    except psycopg.OperationalError as exc:
        print(f"PostgreSQL at {server} not reachable, not measured: {exc}")
        return None
    return f"{server.rsplit('/', 1)[0]}/{DATABASE}"


def run_database(label: str, env: dict[str, str], folder: Path, args: argparse.Namespace) -> Any:
    out = folder / f"{label}.json"
    subprocess.run(  # noqa: S603 - our own interpreter and module
        [
            sys.executable,
            "-m",
            "bench.imports",
            "--database-run",
            label,
            "--out",
            str(out),
            "--activities",
            str(args.activities),
            "--per-activity",
            str(args.per_activity),
        ],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        check=True,
    )
    return json.loads(out.read_text())


def report(results: list[dict[str, Any]]) -> None:
    print(f"\n{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"load average after: {os.getloadavg()}")
    for result in results:
        rows = result["rows"]
        print(
            f"\n{result['database']} ({result['version']}), {rows:,} data rows, "
            f"{result['bytes']:,} bytes, peak {result['peak_mb']:.0f} MB"
        )
        for name, value in result["seconds"].items():
            rate = f"  ({rows / value:,.0f} rows/s)" if name.startswith(("first", "re-")) else ""
            print(f"  {name:28} {value:7.2f} s{rate}")
        for name in ("writer first", "writer re-check"):
            writer = result[name]
            print(
                f"  {name}: {writer['writes']} writes, longest {writer['longest']:.3f} s, "
                f"p95 {writer['p95']:.3f} s, errors {writer['errors']}"
            )
        print(f"  summary in step: {result['rollup in step']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--activities", type=int, default=10_000)
    parser.add_argument("--per-activity", type=int, default=3)
    parser.add_argument("--postgres", default=POSTGRES)
    parser.add_argument("--database-run", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--writer", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--stop", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.writer:
        writer_run(args)
        return
    if args.database_run:
        database_run(args)
        return
    results = []
    with tempfile.TemporaryDirectory(prefix="kembar-bench-imports-") as folder:
        env = {
            **os.environ,
            "KEMBAR_VAR_DIR": folder,
            "KEMBAR_PLAIN_STATIC": "true",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(40),
        }
        env.pop("REDIS_URL", None)
        sqlite = {**env, "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3"}
        results.append(run_database("SQLite", sqlite, Path(folder), args))
        if args.postgres:
            url = recreate_database(args.postgres)
            if url is not None:
                try:
                    results.append(
                        run_database("PostgreSQL", {**env, "DATABASE_URL": url}, Path(folder), args)
                    )
                finally:
                    recreate_database(args.postgres, drop_only=True)
    report(results)


if __name__ == "__main__":
    main()
