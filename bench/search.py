"""How fast the staff search answers over 100,000 records (target, issue 16: under 200 ms).

``python -m bench.search [--documents 100000] [--runs 3] [--postgres URL]`` makes a
fresh database (SQLite under a temporary folder, or the PostgreSQL database
``kembar_bench_search`` next to URL), migrates it, and indexes ``--documents``
search documents through :func:`kembar.search.engine.index_documents` (so the
FTS5 triggers or the generated tsvector do their real work): bilingual titles
and texts of 8–40 words drawn (seeded) from word lists of municipal cooperation,
a third without English text, facets spread over 17 sectors, 32 government
affairs, 17 SDGs, 40 partner cities, 60 agencies, 15 years and 5 regions.

It then times 50 typical queries (one to three words, Indonesian word forms and
English, a third with a facet filter, a fifth scoped to one region and the
public), each a whole :func:`~kembar.search.engine.search` (hits of the first
page, total and all six facet counts) plus :func:`~kembar.search.engine.who_knows`,
``--runs`` times after one warm-up, and prints the median and 95th percentile.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ID_WORDS = [
    "pelatihan",
    "melatih",
    "dilatih",
    "guru",
    "sekolah",
    "pendidikan",
    "sampah",
    "pengelolaan",
    "limbah",
    "banjir",
    "drainase",
    "pariwisata",
    "wisatawan",
    "budaya",
    "kesenian",
    "perdagangan",
    "ekspor",
    "investasi",
    "usaha",
    "umkm",
    "pasar",
    "pertanian",
    "petani",
    "perikanan",
    "nelayan",
    "kesehatan",
    "puskesmas",
    "transportasi",
    "jalan",
    "perumahan",
    "lingkungan",
    "iklim",
    "energi",
    "bencana",
    "pemuda",
    "perempuan",
    "anak",
    "kemiskinan",
    "pekerjaan",
    "olahraga",
    "pemerintahan",
    "perencanaan",
    "anggaran",
    "kota",
    "kelurahan",
    "kecamatan",
    "pertukaran",
    "kunjungan",
    "kerjasama",
    "beasiswa",
    "bahasa",
    "teknologi",
    "inovasi",
    "layanan",
    "perpustakaan",
    "taman",
    "sungai",
    "pesisir",
    "mangrove",
    "dikembangkan",
    "ditingkatkan",
    "pemberdayaan",
    "keberhasilan",
    "warga",
    "program",
    "kegiatan",
    "delegasi",
    "pameran",
    "festival",
    "seminar",
    "lokakarya",
    "studi",
    "banding",
]
EN_WORDS = [
    "training",
    "teachers",
    "school",
    "education",
    "waste",
    "management",
    "recycling",
    "flood",
    "drainage",
    "tourism",
    "tourists",
    "culture",
    "arts",
    "trade",
    "export",
    "investment",
    "business",
    "market",
    "agriculture",
    "farmers",
    "fisheries",
    "health",
    "clinic",
    "transport",
    "roads",
    "housing",
    "environment",
    "climate",
    "energy",
    "disaster",
    "youth",
    "women",
    "children",
    "poverty",
    "jobs",
    "sport",
    "governance",
    "planning",
    "budget",
    "city",
    "village",
    "exchange",
    "visit",
    "cooperation",
    "scholarship",
    "language",
    "technology",
    "innovation",
    "services",
    "library",
    "park",
    "river",
    "coast",
    "mangrove",
    "developed",
    "improved",
    "empowerment",
    "success",
    "residents",
    "programme",
    "activity",
    "delegation",
    "exhibition",
    "festival",
    "seminar",
    "workshop",
    "study",
]
ROOT = Path(__file__).resolve().parent.parent
FILLER = [
    "dan",
    "untuk",
    "dengan",
    "yang",
    "di",
    "ke",
    "dari",
    "the",
    "and",
    "of",
    "for",
    "with",
    "in",
    "to",
]
QUERIES = [
    "pelatihan guru",
    "waste",
    "sampah",
    "banjir",
    "flood drainage",
    "pariwisata",
    "tourism",
    "umkm ekspor",
    "training",
    "pengelolaan sampah",
    "mangrove",
    "beasiswa",
    "teachers",
    "kesehatan anak",
    "investment",
    "pertanian",
    "fisheries",
    "kunjungan delegasi",
    "smart city",
    "pemberdayaan perempuan",
    "culture festival",
    "energi",
    "climate",
    "jalan transportasi",
    "library",
    "inovasi layanan",
    "pelatihan",
    "studi banding",
    "recycling",
    "youth sport",
]
FACETS = [None, None, {"year": 2021}, {"sector": 3}, {"sdg": 11}, None, {"agency": 7}]


def generate(count: int, seed: int = 16) -> list:
    from kembar.search.engine import Document

    rng = random.Random(seed)
    documents = []
    for number in range(count):
        length = rng.randint(8, 40)
        picks = [rng.randrange(len(ID_WORDS)) for _ in range(length)]
        body_id = " ".join(ID_WORDS[p] if rng.random() > 0.3 else rng.choice(FILLER) for p in picks)
        body_en = (
            " ".join(EN_WORDS[p % len(EN_WORDS)] for p in picks) if rng.random() > 0.33 else ""
        )
        title = picks[:4]
        documents.append(
            Document(
                object_id=number + 1,
                region=rng.choice(["33.74", "33.71", "33.72", "31.71", "35.78"]),
                title_id=" ".join(ID_WORDS[p] for p in title).capitalize(),
                title_en=" ".join(EN_WORDS[p % len(EN_WORDS)] for p in title).capitalize()
                if body_en
                else "",
                body_id=body_id,
                body_en=body_en,
                url=f"/staff/activities/bench-{number}/",
                public=rng.random() < 0.6,
                sector=rng.randint(1, 17),
                urusan=f"{rng.randint(1, 3)}.{rng.randint(1, 32):02d}",
                sdg=[rng.randint(1, 17) for _ in range(rng.randint(0, 3))],
                partner_city=rng.randint(1, 40),
                agency=rng.randint(1, 60),
                year=rng.randint(2011, 2025),
            )
        )
    return documents


def run(documents: int, runs: int) -> dict[str, float]:
    from django.core.management import call_command

    from kembar.search.engine import index_documents, search, who_knows

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    generated = generate(documents)
    for start in range(0, len(generated), 5000):
        index_documents("lesson", generated[start : start + 5000])
    indexed = time.perf_counter() - started
    cases: list[tuple[str, dict[str, int] | None, dict[str, Any]]] = []
    for number in range(50):
        query = QUERIES[number % len(QUERIES)]
        scope: dict[str, Any] = {"region": "33.74", "also_public": True} if number % 5 == 0 else {}
        cases.append((query, FACETS[number % len(FACETS)], scope))
    times, totals = [], []
    for attempt in range(runs + 1):
        for query, facets, scope in cases:
            t0 = time.perf_counter()
            results = search(query, facets=facets, **scope)
            who_knows(query, **scope)
            if attempt:
                times.append((time.perf_counter() - t0) * 1000)
                totals.append(results.total)
    times.sort()
    return {
        "indexed_s": indexed,
        "median_ms": statistics.median(times),
        "p95_ms": times[int(0.95 * (len(times) - 1))],
        "max_ms": times[-1],
        "median_matches": statistics.median(totals),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgres", default="", help="postgres://… of a server to use")
    options, _rest = parser.parse_known_args()
    from django.apps import apps

    if apps.ready:
        # Another benchmark of `python -m bench` set Django up on its own database.
        return subprocess.run(
            [sys.executable, "-m", "bench.search"], check=False, cwd=ROOT
        ).returncode
    folder = Path(tempfile.mkdtemp(prefix="kembar-bench-search-"))
    if options.postgres:
        import psycopg

        with psycopg.connect(options.postgres, autocommit=True) as connection:
            connection.execute("DROP DATABASE IF EXISTS kembar_bench_search")
            connection.execute("CREATE DATABASE kembar_bench_search")
        database = options.postgres.rsplit("/", 1)[0] + "/kembar_bench_search"
    else:
        database = f"sqlite:///{folder / 'bench.sqlite3'}"
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", "bench-only-secret"),
            "DATABASE_URL": database,
            "KEMBAR_VAR_DIR": str(folder),
            "KEMBAR_QUEUE_FILE": str(folder / "queue.sqlite3"),
        }
    )
    import django

    django.setup()
    from django.db import connection as db

    figures = run(options.documents, options.runs)
    print(
        f"search, {options.documents:,} documents, {db.vendor}: indexed in "
        f"{figures['indexed_s']:.1f} s; query median {figures['median_ms']:.1f} ms, "
        f"p95 {figures['p95_ms']:.1f} ms, max {figures['max_ms']:.1f} ms "
        f"(median {figures['median_matches']:,.0f} matches)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
