"""How fast the reach dashboard's figures compute over 5 million participant counts.

Target (issue): with 5,000,000 participant rows the dashboard's figures
(:func:`kembar.insights.reach.reach_figures`) compute in under 1 s on
PostgreSQL and under 2 s on SQLite; the same aggregation in DuckDB over the
same data, in the same run, is the floor.

A seeded numpy generator makes the data once: 125,000 activities of the 8
partnerships of Kota Semarang (17 sectors, 11 kinds, 2016–2026) with 40
participant counts each (36 local, 4 partner side; home kecamatan weighted by
population and skewed to the centre, about 6 % of local people from outside the
city).  Then, for each database (a SQLite file, then the PostgreSQL database
``kembar_bench_reach``, dropped and recreated), a fresh process configures
Django against it and

1. runs ``migrate`` and creates the reference rows the figures read, from the
   shipped files (:func:`bench_reference`; ``load_reference`` would add 40 s per
   database of regions, cities and twin towns that no figure reads), an
   administrator and a reference population for each stakeholder group;
2. loads the activities and counts with raw SQL (PostgreSQL ``COPY``; SQLite
   ``executemany`` in one transaction with ``synchronous=OFF`` for the load
   only), then on PostgreSQL ``VACUUM ANALYZE``, as autovacuum would;
3. builds the participant summary with ``rollup_rebuild()`` (the one-off cost
   after a bulk load; on PostgreSQL plus ``ANALYZE`` of the summary);
4. times ``reach_figures`` for the administrator, unfiltered and with the
   busiest partnership, the busiest sector and the years 2020–2023: the median
   of ``--runs`` after one warm-up (the target).  On PostgreSQL a statement is
   cancelled after ``--timeout`` seconds (reported as such), and the figures are
   timed again with ``work_mem`` at 16MB instead of the default 4MB;
5. times the same four tables (participants by home kecamatan, group, gender and
   year, local side) straight from the raw counts in one SQL ``GROUP BY``: what
   the figures would cost without the summary (median of ``--raw-runs``, no
   warm-up: the pages are cached by the load and the summary build).

Finally this process loads the same arrays into an in-memory DuckDB (untimed),
times the same SQL there (median of ``--runs`` after one warm-up) and checks
that DuckDB's totals equal those of ``reach_figures`` and of the raw SQL on
every database and for every filter.  Usage::

    python -m bench.reach [--rows 5000000] [--per-activity 40] [--runs 7] [--raw-runs 3]
        [--timeout 20] [--seed 20261127]
        [--postgres postgres://postgres@127.0.0.1:5432/postgres]

``--postgres ""`` measures SQLite only.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parent.parent
SEMARANG = ROOT / "kembar" / "data" / "semarang"
REGION = "33.74"
DATABASE = "kembar_bench_reach"
POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
TARGET_SECONDS = {"SQLite": 2.0, "PostgreSQL": 1.0}
#: PostgreSQL's work_mem for the second timing (the server default is 4MB).
POSTGRES_WORK_MEM = "16MB"

# The code lists of kembar.programs.models, repeated here so that this process
# needs no Django; the database process checks that they still agree.
KINDS = (
    "exchange_inbound",
    "exchange_outbound",
    "training",
    "scholarship",
    "trade_mission",
    "expo",
    "festival",
    "technical_assistance",
    "joint_project",
    "seminar",
    "other",
)
GROUPS = (
    "government",
    "business",
    "academia",
    "students_youth",
    "civil_society",
    "community",
    "media",
)
GENDERS = ("female", "male", "unspecified")
AGE_BANDS = ("0-14", "15-24", "25-44", "45-64", "65+", "unknown")
SIDES = ("local", "partner")
SECTORS = 17
YEARS = tuple(range(2016, 2027))

GROUP_WEIGHTS = (0.20, 0.20, 0.12, 0.22, 0.10, 0.12, 0.04)
GENDER_WEIGHTS = (0.47, 0.48, 0.05)
AGE_WEIGHTS = (0.03, 0.30, 0.40, 0.20, 0.02, 0.05)
YEAR_WEIGHTS = (8, 9, 10, 11, 4, 5, 9, 11, 12, 13, 8)  # the pandemic dip, 2026 not over
#: People per count row: geometric, larger at festivals and expos.
KIND_P = {"festival": 0.08, "expo": 0.08, "seminar": 0.15}
CENTRE = {"33.74.01", "33.74.02", "33.74.03", "33.74.07", "33.74.08", "33.74.09", "33.74.13"}
OUTSKIRTS = {"33.74.12", "33.74.14", "33.74.15", "33.74.16"}
OUTSIDE_SHARE = 0.06
#: The group populations the bench enters as an administrator would (invented, with a source).
GROUP_POPULATIONS = (40_000, 180_000, 25_000, 420_000, 30_000, 900_000, 5_000)

Array = npt.NDArray[Any]
Totals = dict[str, Any]


# --- The data -------------------------------------------------------------------------------


def read_kecamatan() -> list[tuple[str, int]]:
    """The 16 kecamatan of Kota Semarang and their 2022 population."""
    path = SEMARANG / "semarang_penduduk_per_kecamatan_2012_2022.csv"
    with path.open(encoding="utf-8") as handle:
        return [(row["kode_kemendagri"], int(row["2022"])) for row in csv.DictReader(handle)]


def read_partnerships() -> list[str]:
    """The slugs of the documented partnerships of the region, in file order."""
    with (SEMARANG / "semarang_partnerships.csv").open(encoding="utf-8") as handle:
        return [
            row["partnership_id"]
            for row in csv.DictReader(handle)
            if row["local_region_kode"] == REGION
        ]


def top_k(rng: np.random.Generator, weights: Array, rows: int, k: int) -> Array:
    """``k`` distinct categories per row, drawn with ``weights`` (Gumbel top-k), sorted."""
    log_weights = np.log(weights.ravel() / weights.sum())
    chosen = np.empty((rows, k), dtype=np.int32)
    chunk = 4096
    for start in range(0, rows, chunk):
        size = min(chunk, rows - start)
        keys = rng.gumbel(size=(size, log_weights.size))
        keys += log_weights
        chosen[start : start + size] = np.argpartition(-keys, k - 1, axis=1)[:, :k]
    chosen.sort(axis=1)
    return chosen


def generate(
    *, rows: int, per_activity: int, seed: int, kecamatan: list[tuple[str, int]], partnerships: int
) -> dict[str, Array]:
    """Activities and their participant counts, as arrays of category indices.

    Home index ``len(kecamatan)`` means outside the city (always so for the partner side).
    """
    rng = np.random.default_rng(seed)
    n = rows // per_activity
    partner_rows = per_activity // 10
    local_rows = per_activity - partner_rows

    weights = 1 / np.arange(1, partnerships + 1) ** 0.8
    partnership = rng.choice(partnerships, n, p=weights / weights.sum()).astype(np.int8)
    sector = (rng.choice(SECTORS, n, p=rng.dirichlet(np.full(SECTORS, 1.5))) + 1).astype(np.int8)
    kind = rng.choice(len(KINDS), n, p=rng.dirichlet(np.full(len(KINDS), 2.0))).astype(np.int8)
    year_p = np.array(YEAR_WEIGHTS, dtype=float)
    year = rng.choice(np.array(YEARS), n, p=year_p / year_p.sum())
    start = (year - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    start = start + rng.integers(0, 365, n)
    end = start + rng.integers(0, 6, n)

    population = np.array([people for _, people in kecamatan], dtype=float)
    centre = np.array(
        [3.0 if code in CENTRE else 0.3 if code in OUTSKIRTS else 1.0 for code, _ in kecamatan]
    )
    home = population * centre
    home = np.append(home / home.sum() * (1 - OUTSIDE_SHARE), OUTSIDE_SHARE)
    person = np.multiply.outer(
        np.multiply.outer(np.array(GROUP_WEIGHTS), np.array(GENDER_WEIGHTS)),
        np.array(AGE_WEIGHTS),
    )
    local_shape = (*person.shape, home.size)
    local = top_k(rng, np.multiply.outer(person, home), n, local_rows)
    partner = top_k(rng, person, n, partner_rows)
    l_group, l_gender, l_age, l_home = np.unravel_index(local, local_shape)
    p_group, p_gender, p_age = np.unravel_index(partner, person.shape)

    def rows_of(local_part: Array, partner_part: Array) -> Array:
        return np.concatenate([local_part, partner_part], axis=1).ravel().astype(np.int8)

    activity = np.repeat(np.arange(n, dtype=np.int32), per_activity)
    side = np.tile(np.repeat(np.array([0, 1], dtype=np.int8), [local_rows, partner_rows]), n)
    p_kind = np.array([KIND_P.get(code, 0.35) for code in KINDS])
    count = rng.geometric(p_kind[kind[activity]]).astype(np.int32)
    return {
        "partnership": partnership,
        "sector": sector,
        "kind": kind,
        "start": start,
        "end": end,
        "participants_local": np.bincount(activity, weights=count * (side == 0), minlength=n),
        "participants_partner": np.bincount(activity, weights=count * (side == 1), minlength=n),
        "activity": activity,
        "side": side,
        "group": rows_of(l_group, p_group),
        "gender": rows_of(l_gender, p_gender),
        "age": rows_of(l_age, p_age),
        "home": rows_of(l_home, np.full_like(p_group, len(kecamatan))),
        "count": count,
    }


def scenarios(data: dict[str, Array], partnerships: list[str]) -> list[tuple[str, Any]]:
    """The filters timed: none, the busiest partnership, the busiest sector, four years."""
    busiest = partnerships[int(np.bincount(data["partnership"]).argmax())]
    sector = int(np.bincount(data["sector"]).argmax())
    return [
        ("all", {}),
        (f"partnership {busiest}", {"partnership": busiest}),
        (f"sector {sector}", {"sector": sector}),
        ("years 2020–2023", {"year_from": 2020, "year_to": 2023}),
    ]


# --- The same aggregation in SQL, for every engine --------------------------------------


def aggregation_sql(engine: str, filters: dict[str, Any]) -> tuple[str, list[Any]]:
    """Local participants by home kecamatan, group, gender and year under ``filters``."""
    mark = "?" if engine == "duckdb" else "%s"
    # SQLite keeps dates as ISO text; its Django year function is a Python callback.
    year = (
        "CAST(substr(a.start_date, 1, 4) AS integer)"
        if engine == "sqlite"
        else "CAST(EXTRACT(YEAR FROM a.start_date) AS integer)"
    )
    clauses = ["pc.side = 'local'", f"p.local_region_id = {mark}"]
    params: list[Any] = [REGION]
    if "partnership" in filters:
        clauses.append(f"p.slug = {mark}")
        params.append(filters["partnership"])
    if "sector" in filters:
        clauses.append(f"a.sector_id = {mark}")
        params.append(filters["sector"])
    if "year_from" in filters:
        clauses.append(f"a.start_date >= {mark}")
        params.append(dt.date(filters["year_from"], 1, 1))
    if "year_to" in filters:
        clauses.append(f"a.start_date < {mark}")
        params.append(dt.date(filters["year_to"] + 1, 1, 1))
    if engine == "sqlite":
        params = [value.isoformat() if isinstance(value, dt.date) else value for value in params]
    sql = (
        f'SELECT pc.home_region_id, pc."group", pc.gender, {year}, SUM(pc.count) '  # noqa: S608
        "FROM programs_participantcount pc "
        "JOIN programs_activity a ON a.id = pc.activity_id "
        "JOIN partnerships_partnership p ON p.id = a.partnership_id "
        f"WHERE {' AND '.join(clauses)} GROUP BY 1, 2, 3, 4"
    )
    return sql, params


def totals_of_rows(rows: list[tuple[Any, ...]]) -> Totals:
    """The four tables of the dashboard from (home, group, gender, year, people) rows."""
    totals: Totals = {"districts": {}, "outside": 0, "groups": {}, "genders": {}, "years": {}}
    for home, group, gender, year, people in rows:
        people = int(people)
        if home is None:
            totals["outside"] += people
        else:
            totals["districts"][home] = totals["districts"].get(home, 0) + people
        for table, key in (("groups", group), ("genders", gender), ("years", str(year))):
            totals[table][key] = totals[table].get(key, 0) + people
    return normalised(totals)


def normalised(totals: Totals) -> Totals:
    """Plain ints, no zero cells, keys sorted: comparable across engines."""
    result: Totals = {"outside": int(totals["outside"])}
    for table in ("districts", "groups", "genders", "years"):
        result[table] = {
            key: int(value) for key, value in sorted(totals[table].items()) if int(value)
        }
    return result


def timed(
    function: Callable[[], Any], runs: int, *, warm_up: bool = True
) -> tuple[float, float, Any]:
    """Median and fastest wall time in seconds (after one warm-up), and the last result."""
    result = function() if warm_up else None
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), min(times), result


def duration(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds >= 1 else f"{seconds * 1000:.0f} ms"


def say(message: str) -> None:
    print(f"  [reach] {message}", file=sys.stderr, flush=True)


# --- One database, in its own process ---------------------------------------------------


def database_run(args: argparse.Namespace) -> None:
    """Set up Django against DATABASE_URL, load, build the summary, time; write JSON."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from kembar.programs import models

    assert tuple(models.ActivityKind.values) == KINDS
    assert tuple(models.StakeholderGroup.values) == GROUPS
    assert tuple(models.Gender.values) == GENDERS
    assert tuple(models.AgeBand.values) == AGE_BANDS

    meta = json.loads(Path(args.meta).read_text())
    data = dict(np.load(args.data))
    label = args.database_run
    result: dict[str, Any] = {"database": label, "seconds": {}}
    seconds = result["seconds"]

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    seconds["migrate"] = time.perf_counter() - started
    started = time.perf_counter()
    admin = bench_reference(meta)
    seconds["reference"] = time.perf_counter() - started

    started = time.perf_counter()
    if connection.vendor == "postgresql":
        load_postgresql(data, meta)
        seconds["load"] = time.perf_counter() - started
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE programs_activity")
            cursor.execute("VACUUM ANALYZE programs_participantcount")
            cursor.execute("SHOW server_version")
            result["version"] = f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
        seconds["analyze"] = time.perf_counter() - started
    else:
        load_sqlite(data, meta)
        seconds["load"] = time.perf_counter() - started
        import sqlite3

        result["version"] = f"SQLite {sqlite3.sqlite_version}"
    say(f"{label}: loaded {data['count'].size:,} counts in {seconds['load']:.1f} s")

    from kembar.programs.rollup import rollup_rebuild

    started = time.perf_counter()
    result["rollup_rows"] = rollup_rebuild()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE programs_participantrollup")
    seconds["rollup"] = time.perf_counter() - started
    say(f"{label}: summary of {result['rollup_rows']:,} rows in {seconds['rollup']:.1f} s")

    result["timings"] = time_database(connection, admin, meta, args)
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    Path(args.out).write_text(json.dumps(result, indent=1))


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def bench_reference(meta: dict[str, Any]) -> Any:
    """The reference rows the figures need, from the shipped files; returns an administrator.

    Kota Semarang and its province with their 2025 population by sex, the 16
    kecamatan with the observed populations 2012–2022, the 8 partnerships with
    their countries, the 17 sectors, one government affair, the city government
    and its cooperation bureau; an administrator and a (made-up) reference
    population for each stakeholder group.  ``load_reference`` would add the
    rest of Indonesia and the world (40 s per database) that no figure reads.
    """
    import pycountry

    from kembar.accounts.models import Organisation, Role, User
    from kembar.geo.models import Country, Region, RegionLevel, RegionPopulation
    from kembar.insights.models import ReferencePopulation
    from kembar.partnerships.models import Partnership
    from kembar.programs.models import GovernmentAffair, ReachDimension, Sector

    data = ROOT / "kembar" / "data"
    people = {
        row["kode"]: row
        for row in read_csv(data / "regions-id" / "wilayah_penduduk_2025.csv")
        if row["kode"] in {"33", REGION}
    }
    for row in read_csv(data / "regions-id" / "wilayah_kemendagri_2025.csv"):
        if row["kode"] in people:
            figure = people[row["kode"]]
            Region.objects.create(
                kode=row["kode"],
                name=row["nama"],
                level=row["level"],
                kind=row["jenis"],
                parent_id=row["parent_kode"] or None,
                population_male=int(figure["pria"]),
                population_female=int(figure["wanita"]),
                population=int(figure["total"]),
                population_year=2025,
            )
    series = read_csv(SEMARANG / "semarang_penduduk_per_kecamatan_2012_2022.csv")
    Region.objects.bulk_create(
        Region(
            kode=row["kode_kemendagri"],
            name=row["kecamatan"],
            level=RegionLevel.DISTRICT,
            parent_id=REGION,
            population=int(row["2022"]),
            population_year=2022,
        )
        for row in series
    )
    RegionPopulation.objects.bulk_create(
        RegionPopulation(
            region_id=row["kode_kemendagri"],
            year=int(year),
            kind=RegionPopulation.Kind.OBSERVED,
            population=int(row[year]),
            source="BPS Kota Semarang",
        )
        for row in series
        for year in row
        if year.isdigit()
    )
    rows = [
        row
        for row in read_csv(SEMARANG / "semarang_partnerships.csv")
        if row["local_region_kode"] == REGION
    ]
    assert [row["partnership_id"] for row in rows] == meta["partnerships"]
    for iso2 in sorted({row["partner_country_iso2"] for row in rows}):
        country = pycountry.countries.get(alpha_2=iso2)
        Country.objects.create(
            iso2=iso2,
            iso3=country.alpha_3,
            numeric=country.numeric,
            name_en=country.name,
            name_id=country.name,
        )
    Partnership.objects.bulk_create(
        Partnership(
            slug=row["partnership_id"],
            local_region_id=REGION,
            partner_name=row["partner_city"],
            partner_region_name=row["partner_region"],
            partner_country_id=row["partner_country_iso2"],
            relationship_type=row["relationship_type"],
            documented_status=row["status_as_documented"],
            confidence=row["confidence"],
            is_public=True,
        )
        for row in rows
    )
    Sector.objects.bulk_create(
        Sector(
            code=int(row["io_code"]),
            kbli_sections=row["kbli2020_sections"],
            name_id=row["name_id"],
            name_en=row["name_en"],
        )
        for row in read_csv(data / "economy" / "io-2020-17" / "sectors_17.csv")
    )
    affair = read_csv(data / "government" / "urusan_pemerintahan.csv")[0]
    GovernmentAffair.objects.create(
        code=affair["kode"],
        group=affair["kelompok"],
        name_id=affair["nama_id"],
        name_en=affair["name_en"],
    )
    city = Organisation.objects.create(
        slug="pemkot-semarang",
        name="Pemerintah Kota Semarang",
        kind="local_government",
        region_id=REGION,
    )
    Organisation.objects.create(
        slug="bagian-kerja-sama-semarang",
        name="Bagian Kerja Sama Setda Kota Semarang",
        kind="agency",
        parent=city,
    )
    ReferencePopulation.objects.bulk_create(
        ReferencePopulation(
            region_id=REGION,
            dimension=ReachDimension.GROUP,
            category=group,
            population=people,
            year=2022,
            source="bench/reach.py (invented)",
        )
        for group, people in zip(GROUPS, GROUP_POPULATIONS, strict=True)
    )
    return User.objects.create_user(
        "bench-admin", role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True
    )


def activity_columns(data: dict[str, Array], meta: dict[str, Any]) -> list[list[Any]]:
    """The columns of programs_activity, in ``ACTIVITY_COLUMNS`` order."""
    from kembar.accounts.models import Organisation
    from kembar.partnerships.models import Partnership
    from kembar.programs.models import GovernmentAffair

    ids = dict(Partnership.objects.filter(local_region_id=REGION).values_list("slug", "pk"))
    partnership_ids = np.array([ids[slug] for slug in meta["partnerships"]])
    agency = Organisation.objects.get(slug="bagian-kerja-sama-semarang").pk
    affair = GovernmentAffair.objects.order_by("code").values_list("code", flat=True)[0]
    n = data["kind"].size
    number = range(1, n + 1)
    kinds = np.array(KINDS, dtype=object)[data["kind"]]
    start = data["start"].astype(str).tolist()
    return [
        list(number),
        [f"BENCH-{i:06d}" for i in number],
        partnership_ids[data["partnership"]].tolist(),
        kinds.tolist(),
        [f"Kegiatan bench {i}" for i in number],
        [""] * n,
        [""] * n,
        [""] * n,
        [agency] * n,
        start,
        data["end"].astype(str).tolist(),
        ["planned" if day >= "2026-11-27" else "completed" for day in start],
        [""] * n,
        (kinds == "exchange_outbound").tolist(),
        data["sector"].tolist(),
        [affair] * n,
        data["participants_local"].astype(np.int64).tolist(),
        data["participants_partner"].astype(np.int64).tolist(),
        [False] * n,
        ["2026-11-27 00:00:00"] * n,
        ["2026-11-27 00:00:00"] * n,
    ]


ACTIVITY_COLUMNS = (
    "id, reference, partnership_id, kind, title_id, title_en, description_id, description_en, "
    "agency_id, start_date, end_date, status, cancellation_reason, in_partner_city, sector_id, "
    "government_affair_id, participants_local, participants_partner, is_demo, created_at, "
    "updated_at"
)
COUNT_COLUMNS = 'activity_id, side, "group", gender, age_band, home_region_id, count'


def count_chunks(
    data: dict[str, Array], meta: dict[str, Any], size: int = 500_000
) -> Iterator[tuple[list[int], list[tuple[str, ...]], list[int]]]:
    """Activity ids, (side, group, gender, age band, home) labels and counts, by chunks."""
    homes = [*meta["kecamatan"], None]
    labels = [
        (side, group, gender, age, home)
        for side in SIDES
        for group in GROUPS
        for gender in GENDERS
        for age in AGE_BANDS
        for home in homes
    ]
    combo = (
        (
            (data["side"].astype(np.int32) * len(GROUPS) + data["group"]) * len(GENDERS)
            + data["gender"]
        )
        * len(AGE_BANDS)
        + data["age"]
    ) * len(homes) + data["home"]
    for start in range(0, combo.size, size):
        part = slice(start, start + size)
        yield (
            (data["activity"][part] + 1).tolist(),
            [labels[i] for i in combo[part].tolist()],
            data["count"][part].tolist(),
        )


def load_sqlite(data: dict[str, Array], meta: dict[str, Any]) -> None:
    from django.db import connection, transaction

    activities = activity_columns(data, meta)
    connection.ensure_connection()
    raw = connection.connection
    raw.execute("PRAGMA synchronous=OFF")
    try:
        with transaction.atomic():
            raw.executemany(
                f"INSERT INTO programs_activity ({ACTIVITY_COLUMNS}) "  # noqa: S608
                f"VALUES ({', '.join('?' * len(activities))})",
                zip(*activities, strict=True),
            )
            for ids, labels, counts in count_chunks(data, meta):
                raw.executemany(
                    f"INSERT INTO programs_participantcount ({COUNT_COLUMNS}) "  # noqa: S608
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    ((a, *label, c) for a, label, c in zip(ids, labels, counts, strict=True)),
                )
    finally:
        raw.execute("PRAGMA synchronous=NORMAL")


def copy_text(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value)


def load_postgresql(data: dict[str, Array], meta: dict[str, Any]) -> None:
    from django.db import connection, transaction

    activities = activity_columns(data, meta)
    connection.ensure_connection()
    with transaction.atomic(), connection.connection.cursor() as cursor:
        with cursor.copy(f"COPY programs_activity ({ACTIVITY_COLUMNS}) FROM STDIN") as copy:
            copy.write(
                "".join(
                    "\t".join(map(copy_text, row)) + "\n" for row in zip(*activities, strict=True)
                )
            )
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('programs_activity', 'id'), "
            "(SELECT max(id) FROM programs_activity))"
        )
        with cursor.copy(f"COPY programs_participantcount ({COUNT_COLUMNS}) FROM STDIN") as copy:
            for ids, labels, counts in count_chunks(data, meta):
                middles = {label: "\t".join(map(copy_text, label)) for label in set(labels)}
                copy.write(
                    "".join(
                        f"{a}\t{middles[label]}\t{c}\n"
                        for a, label, c in zip(ids, labels, counts, strict=True)
                    )
                )


def figures_totals(figures: Any) -> Totals:
    """The four tables of what reach_figures returned."""
    return normalised(
        {
            "districts": {unit.code: unit.participants for unit in figures.summary.districts},
            "outside": figures.summary.outside_city,
            "groups": {unit.code: unit.participants for unit in figures.summary.groups},
            "genders": {row["code"]: row["participants"] for row in figures.genders},
            "years": {str(row["year"]): row["participants"] for row in figures.years},
        }
    )


def time_database(
    connection: Any, admin: Any, meta: dict[str, Any], args: argparse.Namespace
) -> list[dict[str, Any]]:
    """Time reach_figures and the raw SQL per scenario; check that they agree.

    On PostgreSQL each statement is cancelled after ``--timeout`` seconds (a
    scenario that hits it is reported as timed out, not run again), and
    reach_figures is timed a second time with ``work_mem`` at
    ``POSTGRES_WORK_MEM`` instead of the server's default.
    """
    from django.db import OperationalError

    from kembar.insights.reach import ReachFilters, reach_figures

    engine = connection.vendor

    def session(setting: str) -> None:
        if engine == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(setting)

    timings = []
    for label, filters in meta["scenarios"]:

        def figures(filters: dict[str, Any] = filters) -> Any:
            return reach_figures(
                filters=ReachFilters(region=REGION, **filters), user=admin, public=False
            )

        def raw(filters: dict[str, Any] = filters) -> Totals:
            sql, params = aggregation_sql(engine, filters)
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return totals_of_rows(cursor.fetchall())

        timing: dict[str, Any] = {"scenario": label, "reach": None}
        results = []
        session(f"SET statement_timeout = {int(args.timeout * 1000)}")
        try:
            *timing["reach"], result = timed(figures, args.runs)
            results.append(result)
        except OperationalError as exc:  # cancelled by statement_timeout
            say(f"{meta['label']}, {label}: reach_figures cancelled after {args.timeout} s: {exc}")
        finally:
            session("SET statement_timeout = 0")
        if engine == "postgresql":
            session(f"SET work_mem = '{POSTGRES_WORK_MEM}'")
            *timing["reach_work_mem"], result = timed(figures, args.runs)
            results.append(result)
            session("RESET work_mem")
        *timing["raw"], timing["totals"] = timed(raw, args.raw_runs, warm_up=False)
        for result in results:
            assert figures_totals(result) == timing["totals"], label
        reach = duration(timing["reach"][0]) if timing["reach"] else "timed out"
        say(f"{meta['label']}, {label}: {reach}, raw SQL {duration(timing['raw'][0])}")
        timings.append(timing)
    return timings


# --- DuckDB, the floor ---------------------------------------------------------------------


def duckdb_floor(
    data: dict[str, Array], meta: dict[str, Any], runs: int
) -> tuple[str, list[dict[str, Any]]]:
    """Load the same arrays into DuckDB (untimed) and time the same SQL per scenario."""
    import duckdb
    import pandas as pd

    homes = meta["kecamatan"]
    outside = len(homes)
    frames = {
        "partnership_frame": pd.DataFrame(
            {
                "id": np.arange(1, len(meta["partnerships"]) + 1),
                "slug": meta["partnerships"],
                "local_region_id": REGION,
            }
        ),
        "activity_frame": pd.DataFrame(
            {
                "id": np.arange(1, data["kind"].size + 1),
                "partnership_id": data["partnership"].astype(np.int64) + 1,
                "sector_id": data["sector"],
                "kind": pd.Categorical.from_codes(data["kind"], KINDS),
                "start_date": data["start"],
            }
        ),
        "count_frame": pd.DataFrame(
            {
                "activity_id": data["activity"] + 1,
                "side": pd.Categorical.from_codes(data["side"], SIDES),
                "group": pd.Categorical.from_codes(data["group"], GROUPS),
                "gender": pd.Categorical.from_codes(data["gender"], GENDERS),
                "age_band": pd.Categorical.from_codes(data["age"], AGE_BANDS),
                "home_region_id": pd.Categorical.from_codes(
                    np.where(data["home"] == outside, -1, data["home"]), homes
                ),
                "count": data["count"],
            }
        ),
    }
    con = duckdb.connect()
    for name, frame in frames.items():
        con.register(name, frame)
    # Plain columns as the databases have them (VARCHAR, not pandas' categoricals as ENUM).
    con.execute(
        "CREATE TABLE partnerships_partnership AS SELECT id::BIGINT AS id, slug::VARCHAR AS "
        "slug, local_region_id::VARCHAR AS local_region_id FROM partnership_frame"
    )
    con.execute(
        "CREATE TABLE programs_activity AS SELECT id::BIGINT AS id, partnership_id::BIGINT AS "
        "partnership_id, sector_id::SMALLINT AS sector_id, kind::VARCHAR AS kind, "
        "start_date::DATE AS start_date FROM activity_frame"
    )
    con.execute(
        "CREATE TABLE programs_participantcount AS SELECT activity_id::BIGINT AS activity_id, "
        'side::VARCHAR AS side, "group"::VARCHAR AS "group", gender::VARCHAR AS gender, '
        "age_band::VARCHAR AS age_band, home_region_id::VARCHAR AS home_region_id, "
        "count::INTEGER AS count FROM count_frame"
    )
    for name in frames:
        con.unregister(name)
    del frames

    timings = []
    for label, filters in meta["scenarios"]:

        def aggregate(filters: dict[str, Any] = filters) -> Totals:
            sql, params = aggregation_sql("duckdb", filters)
            return totals_of_rows(con.execute(sql, params).fetchall())

        median, fastest, totals = timed(aggregate, runs)
        timings.append({"scenario": label, "duckdb": [median, fastest], "totals": totals})
    version = f"DuckDB {duckdb.__version__}"
    con.close()
    return version, timings


# --- Orchestration ---------------------------------------------------------------------------


def recreate_database(server: str, *, drop_only: bool = False) -> str | None:
    """Drop and create DATABASE on ``server``; its URL, or None when the server is not there."""
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


def run_database(
    label: str, env: dict[str, str], folder: Path, args: argparse.Namespace
) -> dict[str, Any]:
    out = folder / f"{label}.json"
    subprocess.run(  # noqa: S603 - our own interpreter and module
        [
            sys.executable,
            "-m",
            "bench.reach",
            "--database-run",
            label,
            "--data",
            str(folder / "data.npz"),
            "--meta",
            str(folder / "meta.json"),
            "--out",
            str(out),
            "--runs",
            str(args.runs),
            "--raw-runs",
            str(args.raw_runs),
            "--timeout",
            str(args.timeout),
        ],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        check=True,
    )
    result: dict[str, Any] = json.loads(out.read_text())
    return result


def report(
    args: argparse.Namespace,
    generated: float,
    results: list[dict[str, Any]],
    duck_version: str,
    duck: list[dict[str, Any]],
) -> None:
    activities = args.rows // args.per_activity
    print(
        f"Reach dashboard: {activities:,} activities, {activities * args.per_activity:,} "
        f"participant counts (seed {args.seed}, generated in {generated:.1f} s); "
        f"{', '.join(r['version'] for r in results)}, {duck_version}"
    )
    print(
        "| database | migrate | reference rows | load (raw SQL) | VACUUM ANALYZE "
        "| rollup_rebuild | summary rows | peak memory |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        s = r["seconds"]
        analyze = f"{s['analyze']:.1f} s" if "analyze" in s else "–"
        print(
            f"| {r['database']} | {s['migrate']:.1f} s | {s['reference']:.1f} s "
            f"| {s['load']:.1f} s | {analyze} | {s['rollup']:.1f} s | {r['rollup_rows']:,} "
            f"| {r['peak_mb']:.0f} MB |"
        )
    print()
    print(
        f"Median (fastest) of {args.runs} runs after a warm-up; raw SQL: {args.raw_runs} runs; "
        f"DuckDB over the same rows; PostgreSQL statements cancelled after {args.timeout:.0f} s."
    )
    print(
        f"| database | filters | reach_figures | reach_figures, work_mem {POSTGRES_WORK_MEM} "
        "| raw SQL | DuckDB raw | reach_figures / DuckDB | raw SQL / DuckDB |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        for timing, floor in zip(r["timings"], duck, strict=True):
            ducked = floor["duckdb"]
            cells = []
            for name in ("reach", "reach_work_mem", "raw"):
                if name not in timing:
                    cells.append("–")
                elif timing[name] is None:
                    cells.append(f"> {args.timeout:.0f} s (cancelled)")
                else:
                    cells.append(f"{duration(timing[name][0])} ({duration(timing[name][1])})")
            reach = timing["reach"]
            ratio = f"{reach[0] / ducked[0]:.1f}" if reach else f"> {args.timeout / ducked[0]:.0f}"
            print(
                f"| {r['database']} | {timing['scenario']} | {' | '.join(cells)} "
                f"| {duration(ducked[0])} ({duration(ducked[1])}) "
                f"| {ratio} | {timing['raw'][0] / ducked[0]:.1f} |"
            )
    for r in results:
        target = TARGET_SECONDS[r["database"]]
        medians = [t["reach"][0] if t["reach"] else None for t in r["timings"]]
        if None in medians:
            verdict = f"MISSED (cancelled after {args.timeout:.0f} s)"
        else:
            worst = max(m for m in medians if m is not None)
            verdict = f"{'met' if worst < target else 'MISSED'} (slowest median {duration(worst)})"
        line = f"{r['database']}: target {target:.0f} s for the dashboard's figures: {verdict}"
        if "reach_work_mem" in r["timings"][0]:
            worst = max(t["reach_work_mem"][0] for t in r["timings"])
            line += f"; with work_mem {POSTGRES_WORK_MEM}, slowest median {duration(worst)}"
        print(f"{line}.")
    print(
        "DuckDB's participants by home kecamatan, group, gender and year equal reach_figures' "
        f"and raw SQL's on {' and '.join(r['database'] for r in results)} for every filter."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--per-activity", type=int, default=40)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--raw-runs", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=20.0, help="PostgreSQL statement limit")
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument("--postgres", default=POSTGRES, help='server URL ("" for SQLite only)')
    parser.add_argument("--database-run", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--meta", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args, _ = parser.parse_known_args()
    if args.database_run:
        database_run(args)
        return

    kecamatan = read_kecamatan()
    partnerships = read_partnerships()
    started = time.perf_counter()
    data = generate(
        rows=args.rows,
        per_activity=args.per_activity,
        seed=args.seed,
        kecamatan=kecamatan,
        partnerships=len(partnerships),
    )
    generated = time.perf_counter() - started
    results = []
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        np.savez(folder / "data.npz", **data)
        meta = {
            "kecamatan": [code for code, _ in kecamatan],
            "partnerships": partnerships,
            "scenarios": scenarios(data, partnerships),
        }
        for label in ("SQLite", "PostgreSQL"):
            env = {
                **os.environ,
                "KEMBAR_VAR_DIR": str(folder / label),
                "DATABASE_URL": "",
                "DJANGO_SECRET_KEY": "bench-only-not-a-secret-" + "x" * 40,
            }
            if label == "PostgreSQL":
                url = recreate_database(args.postgres) if args.postgres else None
                if url is None:
                    continue
                env["DATABASE_URL"] = url
            (folder / "meta.json").write_text(json.dumps({**meta, "label": label}))
            results.append(run_database(label, env, folder, args))
            if label == "PostgreSQL":
                recreate_database(args.postgres, drop_only=True)
    duck_version, duck = duckdb_floor(data, meta, args.runs)
    for r in results:
        for timing, floor in zip(r["timings"], duck, strict=True):
            assert timing["totals"] == floor["totals"], (r["database"], timing["scenario"])
    report(args, generated, results, duck_version, duck)


if __name__ == "__main__":
    main()
