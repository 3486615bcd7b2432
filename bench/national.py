"""How fast the ministry's view answers over a national record, and what its summaries cost.

Target (issue 17, item 6): with 552 regions × 10 partnerships × 40 activities a
year × 10 years (2,208,000 activities) on PostgreSQL, the national map and its
tables (``/staff/national/``, ``/api/v1/national/regions/``) answer in under 1 s.

The script makes the PostgreSQL database ``kembar_bench_national`` (dropped and
recreated), migrates it and writes, with a seeded numpy generator:

- the 38 provinces and 514 kabupaten/kota of the shipped Kemendagri file with
  their populations and the centroids of the shipped boundaries (no kecamatan:
  nothing here reads them), a local government per region, 60 countries and
  3,000 partner cities;
- ``--partnerships`` partnerships per region, a third of them with a documented
  agreement event; ``--activities`` activities a year for ``--years`` years up to
  2025 per partnership (made by one ``INSERT … SELECT`` in the database), nine in
  ten held; half the partnerships stop in one of the last five years, so that
  dormant ones exist;
- the participant summary (``ParticipantRollup``) those activities would have,
  by gender, group, age band and home kecamatan ("" for all), per partnership and
  year; one partnership-year in ten has 1–4 people.

Then it times, in this process: the full refresh of every region
(``national_refresh``), the refresh of one region (median of ``--runs``), and
the answers through Django's test client as a ministry user, the whole
middleware stack included but no network (median of ``--runs`` after one
warm-up): the map page, its CSV, the province map, the reports page, a region's
comparison, the regions API (both levels, one page of 500) and the flows API.
The database is left for a later ``--reuse`` run (which times again without
making the data) and dropped by the next run without it.  Usage::

    python -m bench.national [--postgres postgres://postgres@127.0.0.1:5432/postgres]
        [--regions 552] [--partnerships 10] [--activities 40] [--years 10] [--runs 7]
        [--reuse]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
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

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "kembar_bench_national"
POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
TARGET_SECONDS = 1.0
LAST_YEAR = 2025
AS_OF = dt.date(2025, 12, 31)


def _database_url(base: str) -> str:
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{DATABASE}"))


def _recreate(base: str) -> None:
    parts = urlsplit(base)
    host = ["-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432)]
    user = ["-U", parts.username or "postgres"]
    subprocess.run(["dropdb", *host, *user, "--if-exists", DATABASE], check=True)  # noqa: S603,S607
    subprocess.run(["createdb", *host, *user, DATABASE], check=True)  # noqa: S603,S607


def _median(function: Callable[[], Any], runs: int, warm_up: bool = True) -> float:
    if warm_up:
        function()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _reference(rng: np.random.Generator, regions_wanted: int) -> list[str]:
    """Regions with populations and centroids, governments, countries, cities, code lists."""
    from kembar.accounts.models import Organisation, OrganisationKind
    from kembar.geo.models import City, CityOrigin, Country, Region, RegionLevel
    from kembar.programs.models import GovernmentAffair, Sector

    centroids: dict[str, tuple[float, float]] = {}
    for name in ("indonesia_provinsi", "indonesia_kabupaten_kota"):
        path = ROOT / "kembar" / "data" / "boundaries" / f"{name}.geojson"
        for feature in json.loads(path.read_text())["features"]:
            properties = feature["properties"]
            centroids[properties["kode"]] = (properties["centroid_lat"], properties["centroid_lng"])
    path = ROOT / "kembar" / "data" / "regions-id" / "wilayah_penduduk_2025.csv"
    with path.open(encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["kode"] != "0"]
    provinces = [row for row in rows if "." not in row["kode"]]
    kab_kota = [row for row in rows if "." in row["kode"]][
        : max(0, regions_wanted - len(provinces))
    ]
    for level, items in ((RegionLevel.PROVINCE, provinces), (RegionLevel.REGENCY_CITY, kab_kota)):
        Region.objects.bulk_create(
            Region(
                kode=row["kode"],
                name=row["nama"],
                level=level,
                parent_id=row["kode"].split(".")[0] if "." in row["kode"] else None,
                population=int(row["total"]),
                population_year=2025,
                latitude=centroids.get(row["kode"], (None, None))[0],
                longitude=centroids.get(row["kode"], (None, None))[1],
            )
            for row in items
        )
    kodes = [row["kode"] for row in provinces + kab_kota]
    Organisation.objects.bulk_create(
        Organisation(
            slug=f"pemda-{kode}",
            name=f"Pemda {kode}",
            kind=OrganisationKind.LOCAL_GOVERNMENT,
            region_id=kode,
        )
        for kode in kodes
    )
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    countries = [letters[i // 26] + letters[i % 26] for i in range(60)]
    Country.objects.bulk_create(
        Country(iso2=code, iso3=code + "X", name_en=f"Country {code}", name_id=f"Negara {code}")
        for code in countries
    )
    City.objects.bulk_create(
        City(
            id=1_000_000 + i,
            geonameid=1_000_000 + i,
            origin=CityOrigin.GEONAMES,
            name=f"City {i}",
            country_id=countries[i % len(countries)],
            latitude=float(rng.uniform(-50, 60)),
            longitude=float(rng.uniform(-170, 170)),
            population=int(rng.integers(50_000, 5_000_000)),
        )
        for i in range(3000)
    )
    Sector.objects.create(
        code=16, kbli_sections="P", name_id="Jasa Pendidikan", name_en="Education"
    )
    GovernmentAffair.objects.create(
        code="1.01",
        group=GovernmentAffair.Group.BASIC_SERVICES,
        name_id="Pendidikan",
        name_en="Education",
    )
    return kodes


#: The activities, made in the database: a partnership stops in one of the last five years
#: (half of them) or never; one partnership-year in ten has 1-4 people in all.
ACTIVITIES_SQL = """
INSERT INTO {activity} (
    reference, partnership_id, kind, title_id, title_en, description_id, description_en,
    agency_id, start_date, end_date, status, cancellation_reason, in_partner_city, sector_id,
    government_affair_id, participants_local, participants_partner, participants_registered,
    is_demo, created_at, updated_at, version
)
SELECT 'B-' || p.id || '-' || y || '-' || i, p.id, 'training', 'Kegiatan', '', '', '',
       o.id, day.d, day.d,
       CASE WHEN random() < 0.9 THEN 'completed' ELSE 'planned' END, '', false, %(sector)s,
       %(affair)s,
       CASE WHEN (p.id * 31 + y) %% 10 = 0 THEN CASE WHEN i = 1 THEN 1 + p.id %% 4 ELSE 0 END
            ELSE 5 + floor(random() * 55)::int END,
       0, 0, false, now(), now(), 1
FROM {partnership} p
JOIN {organisation} o ON o.region_id = p.local_region_id
CROSS JOIN generate_series(%(first)s, %(last)s) y
CROSS JOIN generate_series(1, %(per_year)s) i
CROSS JOIN LATERAL (SELECT make_date(y, 1, 1) + floor(random() * 365)::int AS d) day
WHERE p.id %% 2 = 0 OR y <= %(last)s - 4 + (p.id / 2) %% 5
"""

#: The participant summary those activities have (what the services would have written).
ROLLUP_SQL = """
WITH totals AS (
    SELECT p.local_region_id AS region, a.partnership_id AS pid,
           extract(year FROM a.start_date)::int AS y, sum(a.participants_local) AS n
    FROM {activity} a JOIN {partnership} p ON p.id = a.partnership_id
    GROUP BY 1, 2, 3
), cells AS (
    SELECT region, pid, y, 'gender' AS dimension, 'female' AS category, n / 2 AS n FROM totals
    UNION ALL SELECT region, pid, y, 'gender', 'male', n - n / 2 FROM totals
    UNION ALL SELECT region, pid, y, 'group', 'community', n FROM totals
    UNION ALL SELECT region, pid, y, 'age_band', 'unknown', n FROM totals
    UNION ALL SELECT region, pid, y, 'district', '', n FROM totals
)
INSERT INTO {rollup} (
    local_region_id, partnership_id, sector_id, kind, year, is_demo, dimension, category,
    participants
)
SELECT region, pid, %(sector)s, 'training', y, false, dimension, category, n
FROM cells WHERE n > 0
"""


def _record(kodes: list[str], args: argparse.Namespace) -> dict[str, int]:
    """Partnerships (a third with a signed agreement), their activities and the summary."""
    from django.db import connection

    from kembar.accounts.models import Organisation
    from kembar.geo.models import City
    from kembar.partnerships.models import Partnership, PartnershipEvent
    from kembar.programs.models import Activity, ParticipantRollup

    cities = list(City.objects.values_list("id", "country_id"))
    statuses = ["active", "dormant", "listed_only", "agreement_signed"]
    Partnership.objects.bulk_create(
        (
            Partnership(
                slug=f"p-{kode}-{n}",
                local_region_id=kode,
                partner_city_id=cities[(index * 7 + n * 13) % len(cities)][0],
                partner_country_id=cities[(index * 7 + n * 13) % len(cities)][1],
                partner_name=f"Partner {n}",
                relationship_type="sister_city",
                documented_status=statuses[n % len(statuses)],
                confidence="documented",
                is_public=True,
            )
            for index, kode in enumerate(kodes)
            for n in range(args.partnerships)
        ),
        batch_size=2000,
    )
    first_year = LAST_YEAR - args.years + 1
    PartnershipEvent.objects.bulk_create(
        (
            PartnershipEvent(
                partnership_id=pk,
                date=dt.date(first_year - 1, 6, 1),
                date_precision="day",
                kind="agreement_signed",
            )
            for pk in Partnership.objects.order_by("pk").values_list("pk", flat=True)[::3]
        ),
        batch_size=5000,
    )
    tables = {
        "activity": Activity._meta.db_table,
        "partnership": Partnership._meta.db_table,
        "organisation": Organisation._meta.db_table,
        "rollup": ParticipantRollup._meta.db_table,
    }
    parameters = {
        "sector": 16,
        "affair": "1.01",
        "first": first_year,
        "last": LAST_YEAR,
        "per_year": args.activities,
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [args.seed / 2**32])
        cursor.execute(ACTIVITIES_SQL.format(**tables), parameters)
        cursor.execute(ROLLUP_SQL.format(**tables), parameters)
        cursor.execute("VACUUM ANALYZE")
    return {
        "partnerships": Partnership.objects.count(),
        "activities": Activity.objects.count(),
        "summary_rows": ParticipantRollup.objects.count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default=POSTGRES)
    parser.add_argument("--regions", type=int, default=552)
    parser.add_argument("--partnerships", type=int, default=10)
    parser.add_argument("--activities", type=int, default=40)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--seed", type=int, default=20261206)
    parser.add_argument(
        "--reuse", action="store_true", help="time the database an earlier run left (no new data)"
    )
    args = parser.parse_args()

    if not args.reuse:
        _recreate(args.postgres)
    os.environ["DATABASE_URL"] = _database_url(args.postgres)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "kembar-bench-only-not-a-secret")
    os.environ["KEMBAR_QUEUE_IMMEDIATE"] = "true"
    os.environ["KEMBAR_PLAIN_STATIC"] = "true"  # no collectstatic manifest needed
    import django

    django.setup()
    logging.getLogger("kembar.access").setLevel(logging.WARNING)
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from kembar.accounts.models import Role, User
    from kembar.national.refresh import national_refresh, regions_refresh
    from kembar.national.selectors import region_figures

    timezone.localdate = lambda *a, **k: AS_OF  # type: ignore[assignment]
    rng = np.random.default_rng(args.seed)
    started = time.perf_counter()
    if args.reuse:
        from kembar.geo.models import Region
        from kembar.national.refresh import LEVELS

        kodes = list(Region.objects.filter(level__in=LEVELS).values_list("kode", flat=True))
        User.objects.filter(username="kemendagri").delete()
        sizes = {"partnerships": 0, "activities": 0, "summary_rows": 0}
    else:
        call_command("migrate", verbosity=0)
        kodes = _reference(rng, args.regions)
        sizes = _record(kodes, args)
    print(
        f"record: {len(kodes)} regions, {sizes['partnerships']:,} partnerships, "
        f"{sizes['activities']:,} activities, {sizes['summary_rows']:,} participant summary rows "
        f"({time.perf_counter() - started:.0f} s)"
    )

    started = time.perf_counter()
    national_refresh(today=AS_OF)
    full = time.perf_counter() - started
    sample = "33.74" if "33.74" in kodes else kodes[-1]
    one = _median(lambda: regions_refresh([sample], today=AS_OF), args.runs, warm_up=False)
    print(f"full refresh: {full:.1f} s; one region ({sample}): {one * 1000:.0f} ms")

    user = User.objects.create(username="kemendagri", role=Role.MINISTRY)
    client = Client()
    client.force_login(user)
    results: list[tuple[str, float]] = [
        (
            "region_figures(level=kab_kota)",
            _median(lambda: region_figures(level="kab_kota"), args.runs),
        )
    ]
    for path in (
        "/staff/national/",
        "/staff/national/?download=regions",
        "/staff/national/?level=province&metric=with_kab_kota",
        "/staff/national/?year=2024",
        "/staff/national/reports/",
        f"/staff/national/regions/{sample}/",
        "/api/v1/national/regions/?level=kab_kota&page_size=500",
        "/api/v1/national/regions/?level=province",
        "/api/v1/national/flows/?page_size=500",
    ):
        label = f"GET {path}"

        def get(path: str = path) -> None:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)

        results.append((label, _median(get, args.runs)))
    buffer = io.StringIO()
    width = max(len(label) for label, _ in results)
    for label, seconds in results:
        mark = "ok" if seconds < TARGET_SECONDS else "OVER"
        buffer.write(f"{label:<{width}}  {seconds * 1000:7.1f} ms  {mark}\n")
    print(buffer.getvalue(), end="")


if __name__ == "__main__":
    main()
