"""A national record on PostgreSQL: the ministry's view, a region's own pages, a new region.

Targets (issue 17, item 6): with 552 regions × 10 partnerships × 40 activities a
year × 10 years (about 2.2 million activities, 50 million participant counts) on
PostgreSQL, the national map and its tables (``/staff/national/``,
``/api/v1/national/regions/``) answer in under 1 s; a region's own pages are no
slower than with that region alone; ``setup_region`` of a new region takes under 10 s.

The script makes the PostgreSQL database ``--database`` (``kembar_bench_national``;
dropped and recreated), migrates it and loads the reference data as any
installation does (``manage.py load_reference``: countries, the world's cities,
every Indonesian region with its population and boundary centroid, the twin-town
network).  Then it writes, in the database and without random numbers (every value
follows from a partnership's place in the national list, so a region's record is
the same whatever else the database holds):

- a local government for every province and kabupaten/kota but ``--new-region``
  (35.78, Kota Surabaya), and ``--partnerships`` partnerships each with one of the
  3,000 most populous cities abroad, a third of them with a documented agreement;
- ``--activities`` activities a year for ``--years`` years up to 2025 per
  partnership, nine in ten held; half the partnerships stop in one of the last
  five years, so that dormant ones exist;
- 26–36 participant counts (``ParticipantCount``: local people by group, gender
  and age band) per held activity, whose sum is the activity's participants; one
  partnership-year in ten has 1–4 people in one count;
- the participant summary (``ParticipantRollup``) summed from the counts.

The two big tables are loaded without their secondary indexes, which are built
afterwards (the usual bulk load), and without per-row foreign-key checks (every
row is made by a join on its parent).  Then it times, in this process: the full
refresh of the national summaries (``national_refresh``) and of one region;
``setup_region`` of the new region; ``--sample``'s own pages (33.74, Kota
Semarang) as its cooperation officer; and the ministry's pages and API.  Pages go
through Django's test client, the whole middleware stack included but no network
(median of ``--runs`` after one warm-up).

With ``--only`` the database (``--database kembar_bench_region``) gets the same
reference data but only the sample region's government and record, the very rows
it has in the national record: the one-region baseline.  ``--json FILE`` writes
the timings; ``--baseline FILE`` (an ``--only`` run's) sets them beside the
region's.  A database is left for a later ``--reuse`` run (which times again
without making the data) and dropped by the next run without it.  Usage::

    python -m bench.national --only --database kembar_bench_region --json region.json
    python -m bench.national --baseline region.json --json national.json
        [--postgres postgres://postgres@127.0.0.1:5432/postgres] [--regions 552]
        [--partnerships 10] [--activities 40] [--years 10] [--runs 7] [--reuse]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

DATABASE = "kembar_bench_national"
POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
TARGET_SECONDS = 1.0
LAST_YEAR = 2025
AS_OF = dt.date(2025, 12, 31)


def _database_url(base: str, database: str) -> str:
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{database}"))


def _recreate(base: str, database: str) -> None:
    parts = urlsplit(base)
    host = ["-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432)]
    user = ["-U", parts.username or "postgres"]
    subprocess.run(["dropdb", *host, *user, "--if-exists", database], check=True)  # noqa: S603,S607
    subprocess.run(["createdb", *host, *user, database], check=True)  # noqa: S603,S607


def _median(function: Callable[[], Any], runs: int, warm_up: bool = True) -> float:
    if warm_up:
        function()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _reference(regions_wanted: int, governed: Callable[[str], bool]) -> list[str]:
    """The reference data as on any installation, and the governments of the regions on Kembar.

    ``manage.py load_reference`` (countries, the world's cities, every Indonesian region with
    its population and boundary centroid, the world twin-town network), then a local
    government for each region ``governed`` says is on Kembar and the code lists the
    activities name.  Returns the provinces and kabupaten/kota by code (the first
    ``regions_wanted`` of them).
    """
    from django.core.management import call_command

    from kembar.accounts.models import Organisation, OrganisationKind
    from kembar.geo.models import Region, RegionLevel
    from kembar.programs.models import GovernmentAffair, Sector

    call_command("load_reference", verbosity=0)
    kodes = list(
        Region.objects.filter(level=RegionLevel.PROVINCE)
        .order_by("kode")
        .values_list("kode", flat=True)
    ) + list(
        Region.objects.filter(level=RegionLevel.REGENCY_CITY)
        .order_by("kode")
        .values_list("kode", flat=True)
    )
    kodes = kodes[:regions_wanted]
    Organisation.objects.bulk_create(
        Organisation(
            slug=f"pemda-{kode}",
            name=f"Pemda {kode}",
            kind=OrganisationKind.LOCAL_GOVERNMENT,
            region_id=kode,
        )
        for kode in kodes
        if governed(kode)
    )
    Sector.objects.get_or_create(
        code=16,
        defaults={"kbli_sections": "P", "name_id": "Jasa Pendidikan", "name_en": "Education"},
    )
    GovernmentAffair.objects.get_or_create(
        code="1.01",
        defaults={
            "group": GovernmentAffair.Group.BASIC_SERVICES,
            "name_id": "Pendidikan",
            "name_en": "Education",
        },
    )
    return kodes


#: The activities, made in the database from each partnership's stable number ``seq`` (its
#: region's place in the national list × partnerships + n), never from database ids or
#: random(), so a region's activities and counts are the same whether the database holds
#: every region or that one alone.  A partnership stops in one of the last five years (half
#: of them) or never; one activity in ten stays planned; one partnership-year in ten has
#: 1-4 people in all.  Activity ``i`` of year ``y`` has ``26 + (7i + y) mod 11`` participant
#: counts when held (COUNTS_SQL), and ``participants_local`` is their sum.
ACTIVITIES_SQL = """
INSERT INTO {activity} (
    reference, partnership_id, kind, title_id, title_en, description_id, description_en,
    agency_id, start_date, end_date, status, cancellation_reason, in_partner_city, sector_id,
    government_affair_id, participants_local, participants_partner, participants_registered,
    is_demo, created_at, updated_at, version
)
SELECT ref.r, p.id, 'training', 'Kegiatan', '', '', '',
       o.id, day.d, day.d, held.status, '', false, %(sector)s, %(affair)s,
       CASE WHEN held.status <> 'completed' THEN 0
            WHEN (s.seq * 31 + y) %% 10 = 0 THEN
                CASE WHEN i = 1 THEN 1 + s.seq %% 4 ELSE 0 END
            ELSE (SELECT sum(1 + j %% 3)::int
                  FROM generate_series(1, 26 + (i * 7 + y) %% 11) j) END,
       0, 0, false, now(), now(), 1
FROM {partnership} p
JOIN bench_seq s ON s.pid = p.id
JOIN {organisation} o ON o.slug = 'pemda-' || p.local_region_id
CROSS JOIN generate_series(%(first)s, %(last)s) y
CROSS JOIN generate_series(1, %(per_year)s) i
CROSS JOIN LATERAL (SELECT 'B-' || s.seq || '-' || y || '-' || i AS r) ref
CROSS JOIN LATERAL (SELECT make_date(y, 1, 1) + abs(hashtext(ref.r)) %% 365 AS d) day
CROSS JOIN LATERAL (
    SELECT CASE WHEN abs(hashtext(ref.r || 's')) %% 10 = 0 THEN 'planned' ELSE 'completed' END
        AS status
) held
WHERE (s.seq %% 2 = 0 OR y <= %(last)s - 4 + (s.seq / 2) %% 5)
  AND y = %(year)s
"""

#: The participant counts of one year's held activities: local people by group, gender and
#: age band (a different combination in each row, so the table's unique keys hold), all
#: typed by officers, from outside any kecamatan ("" in the summary: the generated regions
#: have none).  A small activity (1-4 people) has one row.
COUNTS_SQL = """
INSERT INTO {count} (activity_id, side, "group", gender, age_band, home_region_id, count, source)
SELECT a.id, 'local',
       (ARRAY['government', 'business', 'academia', 'students_youth', 'civil_society',
              'community', 'media'])[1 + j %% 7],
       (ARRAY['female', 'male'])[1 + (j / 7) %% 2],
       (ARRAY['0-14', '15-24', '25-44', '45-64', '65+'])[1 + (j / 14) %% 5],
       NULL,
       CASE WHEN a.participants_local <= 4 THEN a.participants_local ELSE 1 + j %% 3 END,
       'officer'
FROM {activity} a
CROSS JOIN LATERAL generate_series(
    1,
    CASE WHEN a.participants_local <= 4 THEN 1
         ELSE 26 + (split_part(a.reference, '-', 4)::int * 7
                    + extract(year FROM a.start_date)::int) %% 11 END
) j
WHERE a.participants_local > 0 AND a.reference LIKE 'B-%%'
  AND a.start_date BETWEEN make_date(%(year)s, 1, 1) AND make_date(%(year)s, 12, 31)
"""

#: The participant summary, summed from the counts the way ``kembar.programs.rollup`` does
#: (local side, by each dimension), in one pass over the counts.
ROLLUP_SQL = """
INSERT INTO {rollup} (
    local_region_id, partnership_id, sector_id, kind, year, is_demo, dimension, category,
    participants
)
SELECT region, pid, sector, kind, y, demo,
       CASE WHEN GROUPING("group") = 0 THEN 'group'
            WHEN GROUPING(gender) = 0 THEN 'gender'
            WHEN GROUPING(age_band) = 0 THEN 'age_band'
            ELSE 'district' END,
       COALESCE("group", gender, age_band, home, ''),
       sum(n)
FROM (
    SELECT p.local_region_id AS region, a.partnership_id AS pid, a.sector_id AS sector,
           a.kind, extract(year FROM a.start_date)::int AS y, a.is_demo AS demo,
           c."group", c.gender, c.age_band, COALESCE(c.home_region_id, '') AS home,
           c.count AS n
    FROM {count} c
    JOIN {activity} a ON a.id = c.activity_id
    JOIN {partnership} p ON p.id = a.partnership_id
    WHERE c.side = 'local'
) rows
GROUP BY GROUPING SETS (
    (region, pid, sector, kind, y, demo, "group"),
    (region, pid, sector, kind, y, demo, gender),
    (region, pid, sector, kind, y, demo, age_band),
    (region, pid, sector, kind, y, demo, home)
)
"""


TOTAL_SQL = "SELECT count(*), COALESCE(sum(count), 0) FROM {count}"


def _without_indexes(table: str) -> list[str]:
    """Drop ``table``'s secondary indexes for a bulk load; returns the statements that remake them.

    The standard way to load tens of millions of rows: one sorted index build after the load
    instead of one index update per row.  The primary key stays.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexname, i.indexdef, c.conname FROM pg_indexes i"
            " LEFT JOIN pg_constraint c ON c.conname = i.indexname"
            " WHERE i.tablename = %s AND c.contype IS DISTINCT FROM 'p'",
            [table],
        )
        found = cursor.fetchall()
        remake = []
        for name, definition, constraint in found:
            if constraint:
                cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{constraint}"')
                remake.append(
                    f'ALTER TABLE "{table}" ADD CONSTRAINT "{constraint}"'
                    f' UNIQUE USING INDEX "{name}"'
                )
                remake.insert(0, definition)
            else:
                cursor.execute(f'DROP INDEX "{name}"')
                remake.insert(0, definition)
    return remake


def _record(
    kodes: list[str], only: str | None, new_region: str | None, args: argparse.Namespace
) -> dict[str, int]:
    """Partnerships (a third with a signed agreement), their activities, counts and summary.

    ``kodes`` is the national list; with ``only`` just that region gets a record, with the
    very partnerships, activities and counts it has in the national record.
    """
    from django.db import connection

    from kembar.accounts.models import Organisation
    from kembar.geo.models import City
    from kembar.partnerships.models import Partnership, PartnershipEvent
    from kembar.programs.models import Activity, ParticipantCount, ParticipantRollup

    # The partner cities: the 3,000 most populous cities abroad.
    cities = list(
        City.objects.exclude(country_id="ID")
        .order_by("-population", "id")
        .values_list("id", "country_id")[:3000]
    )
    statuses = ["active", "dormant", "listed_only", "agreement_signed"]
    chosen = [
        (index, kode)
        for index, kode in enumerate(kodes)
        if kode != new_region and (only is None or kode == only)
    ]
    Partnership.objects.bulk_create(
        (
            Partnership(
                slug=f"p-{kode.replace('.', '-')}-{n}",
                local_region_id=kode,
                partner_city_id=cities[(index * 7 + n * 13) % len(cities)][0],
                partner_country_id=cities[(index * 7 + n * 13) % len(cities)][1],
                partner_name=f"Partner {n}",
                relationship_type="sister_city",
                documented_status=statuses[n % len(statuses)],
                confidence="documented",
                is_public=True,
            )
            for index, kode in chosen
            for n in range(args.partnerships)
        ),
        batch_size=2000,
    )
    seq_of = {
        f"p-{kode.replace('.', '-')}-{n}": index * args.partnerships + n
        for index, kode in chosen
        for n in range(args.partnerships)
    }
    pids = dict(Partnership.objects.values_list("slug", "pk"))
    first_year = LAST_YEAR - args.years + 1
    PartnershipEvent.objects.bulk_create(
        (
            PartnershipEvent(
                partnership_id=pids[slug],
                date=dt.date(first_year - 1, 6, 1),
                date_precision="day",
                kind="agreement_signed",
            )
            for slug, seq in seq_of.items()
            if seq % 3 == 0
        ),
        batch_size=5000,
    )
    tables = {
        "activity": Activity._meta.db_table,
        "partnership": Partnership._meta.db_table,
        "organisation": Organisation._meta.db_table,
        "count": ParticipantCount._meta.db_table,
        "rollup": ParticipantRollup._meta.db_table,
    }
    parameters: dict[str, Any] = {
        "sector": 16,
        "affair": "1.01",
        "first": first_year,
        "last": LAST_YEAR,
        "per_year": args.activities,
    }
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET work_mem = '256MB'")
        # Foreign keys hold by construction (every row is made by a join on its parent), so
        # the load skips the per-row checks; the constraints stay declared.
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("CREATE TEMPORARY TABLE bench_seq (pid bigint PRIMARY KEY, seq int)")
        cursor.executemany(
            "INSERT INTO bench_seq VALUES (%s, %s)",
            [(pids[slug], seq) for slug, seq in seq_of.items()],
        )
        remake = _without_indexes(tables["activity"]) + _without_indexes(tables["count"])
        for year in range(first_year, LAST_YEAR + 1):
            started = time.perf_counter()
            parameters["year"] = year
            cursor.execute(ACTIVITIES_SQL.format(**tables), parameters)
            activities = cursor.rowcount
            cursor.execute(COUNTS_SQL.format(**tables), parameters)
            counts = cursor.rowcount
            print(
                f"  {year}: {activities:,} activities, {counts:,} participant counts"
                f" ({time.perf_counter() - started:.0f} s)",
                flush=True,
            )
        started = time.perf_counter()
        for statement in remake:
            cursor.execute(statement)
        print(f"  indexes: {time.perf_counter() - started:.0f} s", flush=True)
        started = time.perf_counter()
        cursor.execute(f"ANALYZE {tables['activity']}")
        cursor.execute(f"ANALYZE {tables['count']}")
        cursor.execute(ROLLUP_SQL.format(**tables))
        cursor.execute("SET session_replication_role = origin")
        cursor.execute(TOTAL_SQL.format(**tables))
        counts, people = cursor.fetchone()
        print(f"  summary: {time.perf_counter() - started:.0f} s", flush=True)
        cursor.execute("VACUUM ANALYZE")
    return {
        "partnerships": Partnership.objects.count(),
        "activities": Activity.objects.count(),
        "participant_counts": counts,
        "participants": people,
        "summary_rows": ParticipantRollup.objects.count(),
    }


#: A region's own pages, as its cooperation officer opens them ({slug}: its partnership with
#: the most activities, {activity}: that partnership's latest held activity).
REGION_PATHS = (
    "/staff/",
    "/staff/partnerships/{slug}/",
    "/staff/activities/",
    "/staff/activities/{activity}/",
    "/staff/activities/{activity}/participants/",
    "/staff/insights/reach/",
    "/staff/insights/health/",
    "/staff/insights/capacity/?year=2025",
    "/api/v1/activities/?partnership={slug}",
    "/api/v1/insights/reach/?region={kode}",
    "/api/v1/insights/health/?region={kode}",
)

#: The ministry's pages ({kode}: the sample region).
NATIONAL_PATHS = (
    "/staff/national/",
    "/staff/national/?download=regions",
    "/staff/national/?level=province&metric=with_kab_kota",
    "/staff/national/?year=2024",
    "/staff/national/reports/",
    "/staff/national/regions/{kode}/",
    "/api/v1/national/regions/?level=kab_kota&page_size=500",
    "/api/v1/national/regions/?level=province",
    "/api/v1/national/flows/?page_size=500",
)


def _time_pages(client: Any, paths: list[str], runs: int) -> list[tuple[str, float]]:
    results = []
    for path in paths:

        def get(path: str = path) -> None:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)

        results.append((f"GET {path}", _median(get, runs)))
    return results


def _sql(client: Any, paths: list[str], runs: int) -> dict[str, tuple[int, float]]:
    """Per page: its number of queries and the median of their summed time (Django's log)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    result = {}
    for path in paths:
        counts, times = [], []
        for _ in range(runs):
            with CaptureQueriesContext(connection) as log:
                client.get(path)
            counts.append(len(log.captured_queries))
            times.append(sum(float(query["time"]) for query in log.captured_queries))
        result[f"GET {path}"] = (max(counts), statistics.median(times))
    return result


def _print(results: list[tuple[str, float]], baseline: dict[str, float] | None = None) -> None:
    width = max(len(label) for label, _ in results)
    for label, seconds in results:
        line = f"{label:<{width}}  {seconds * 1000:7.1f} ms"
        if baseline is not None and label in baseline:
            ratio = seconds / baseline[label]
            line += f"  one region {baseline[label] * 1000:7.1f} ms  ×{ratio:.2f}"
        else:
            line += "  ok" if seconds < TARGET_SECONDS else "  OVER"
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default=POSTGRES)
    parser.add_argument("--database", default=DATABASE)
    parser.add_argument("--regions", type=int, default=552)
    parser.add_argument("--partnerships", type=int, default=10)
    parser.add_argument("--activities", type=int, default=40)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--sample", default="33.74", help="the region whose own pages are timed")
    parser.add_argument(
        "--only", action="store_true", help="give only the sample region a record (the baseline)"
    )
    parser.add_argument(
        "--new-region",
        default="35.78",
        help="a region left out of the record and then set up with setup_region (timed)",
    )
    parser.add_argument("--json", type=Path, help="write the timings to this file")
    parser.add_argument("--baseline", type=Path, help="timings of an --only run to compare with")
    parser.add_argument(
        "--reuse", action="store_true", help="time the database an earlier run left (no new data)"
    )
    args = parser.parse_args()

    if not args.reuse:
        _recreate(args.postgres, args.database)
    os.environ["DATABASE_URL"] = _database_url(args.postgres, args.database)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "kembar-bench-only-not-a-secret")
    os.environ["KEMBAR_QUEUE_IMMEDIATE"] = "true"
    os.environ["KEMBAR_PLAIN_STATIC"] = "true"  # no collectstatic manifest needed
    import django

    django.setup()
    logging.getLogger("kembar.access").setLevel(logging.WARNING)
    from django.core.management import call_command
    from django.db.models import Count
    from django.test import Client
    from django.utils import timezone

    from kembar.accounts.models import Organisation, Role, User
    from kembar.accounts.region_setup import setup_region
    from kembar.geo.models import Region
    from kembar.national.refresh import LEVELS, national_refresh, regions_refresh
    from kembar.national.selectors import region_figures
    from kembar.partnerships.models import Partnership
    from kembar.programs.models import Activity

    timezone.localdate = lambda *a, **k: AS_OF  # type: ignore[assignment]
    sample = args.sample
    if not args.reuse and args.regions < 552:
        print("a smaller record: the sample and the new region must be among its regions")
    new_region = None if args.only else args.new_region
    if sample == new_region:
        parser.error("--sample and --new-region must differ")
    started = time.perf_counter()
    if args.reuse:
        kodes = list(Region.objects.filter(level__in=LEVELS).values_list("kode", flat=True))
        User.objects.filter(username__in=["kemendagri", "bench-officer"]).delete()
        sizes = {
            "partnerships": Partnership.objects.count(),
            "activities": Activity.objects.count(),
        }
    else:
        call_command("migrate", verbosity=0)
        kodes = _reference(
            args.regions,
            lambda kode: kode != new_region and (not args.only or kode == sample),
        )
        sizes = _record(kodes, sample if args.only else None, new_region, args)
    print(
        f"record: {len(kodes)} regions, "
        + ", ".join(f"{value:,} {key.replace('_', ' ')}" for key, value in sizes.items())
        + f" ({time.perf_counter() - started:.0f} s)",
        flush=True,
    )
    results: dict[str, Any] = {"sizes": sizes, "region": {}, "national": {}}

    started = time.perf_counter()
    national_refresh(today=AS_OF)
    results["full_refresh_s"] = full = time.perf_counter() - started
    one = _median(lambda: regions_refresh([sample], today=AS_OF), args.runs, warm_up=False)
    results["one_region_refresh_s"] = one
    print(f"full refresh: {full:.1f} s; one region ({sample}): {one * 1000:.0f} ms")

    if new_region and new_region in kodes and not args.reuse:
        setup = setup_region(new_region)
        results["setup_region_s"] = setup.seconds
        print(
            f"setup_region {new_region}: {setup.seconds:.2f} s, "
            f"{len(setup.created)} organisations made, "
            f"{setup.national_record.created} partnerships of its starting record "
            f"({setup.national_seconds:.2f} s of it)"
        )

    # The sample region's own pages, as its cooperation officer.
    busiest = (
        Partnership.objects.filter(local_region_id=sample)
        .annotate(n=Count("activities"))
        .order_by("-n", "slug")
        .first()
    )
    assert busiest is not None, f"{sample} has no partnership"
    activity = (
        Activity.objects.filter(partnership=busiest, participants_local__gt=4)
        .order_by("-start_date", "reference")
        .first()
    )
    assert activity is not None
    officer = User.objects.create(
        username="bench-officer",
        role=Role.COOPERATION_OFFICER,
        organisation=Organisation.objects.get(slug=f"pemda-{sample}"),
    )
    client = Client()
    client.force_login(officer)
    values = {"slug": busiest.slug, "activity": activity.reference, "kode": sample}
    region = _time_pages(client, [path.format(**values) for path in REGION_PATHS], args.runs)
    results["region"] = dict(region)
    baseline = None
    if args.baseline:
        baseline = json.loads(args.baseline.read_text())["region"]
    print(f"{sample}'s own pages, as its cooperation officer:")
    _print(region, baseline)
    sql = _sql(client, [path.format(**values) for path in REGION_PATHS], args.runs)
    results["region_sql"] = sql
    sql_baseline = json.loads(args.baseline.read_text()).get("region_sql") if args.baseline else {}
    print("their SQL (queries, summed time):")
    for label, (queries, seconds) in sql.items():
        line = f"{label:<60}  {queries:3d} queries {seconds * 1000:7.1f} ms"
        if label in (sql_baseline or {}):
            before = sql_baseline[label]
            line += f"  one region {before[0]:3d} queries {before[1] * 1000:7.1f} ms"
        print(line)

    if not args.only:
        ministry = User.objects.create(username="kemendagri", role=Role.MINISTRY)
        client = Client()
        client.force_login(ministry)
        national = [
            (
                "region_figures(level=kab_kota)",
                _median(lambda: region_figures(level="kab_kota"), args.runs),
            )
        ]
        national += _time_pages(client, [p.format(kode=sample) for p in NATIONAL_PATHS], args.runs)
        results["national"] = dict(national)
        print("the ministry's view:")
        _print(national)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str) + "\n")


if __name__ == "__main__":
    main()
