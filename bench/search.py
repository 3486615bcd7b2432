"""How fast the staff search answers over 100,000 records (target, issue 16: under 200 ms).

``python -m bench.search [--documents 100000] [--runs 3] [--postgres URL]`` makes a
fresh database (SQLite under a temporary folder, or the PostgreSQL database
``kembar_bench_search`` next to URL), migrates it, and indexes ``--documents``
search documents through :func:`kembar.search.engine.index_documents` (so the
FTS5 triggers or the generated tsvector do their real work): bilingual titles
and texts of 8–40 words drawn (seeded) from a Zipf distribution (exponent 1, as
in natural text) over about 1,500 word pairs: the words of Kembar's own
interface texts by frequency (``bench/search_words.txt``) with the topical words
of municipal cooperation below spread in from rank 12, so a common word
("kota", "kegiatan") is in a quarter to a third of all documents and a topical one
in a few hundred to a few thousand; a third without English text, facets spread
over 17 sectors, 32 government affairs, 17 SDGs, 40 partner cities, 60 agencies,
15 years and 5 regions.

It then times 50 typical queries (one to three words, Indonesian word forms and
English, a third with a facet filter, a fifth scoped to one region and the
public), each what the staff page asks, :func:`~kembar.search.engine.search_with_experts`
(hits of the first page, total, all six facet counts and who knows),
``--runs`` times after one warm-up, and prints the median, 95th percentile and
maximum, and the slowest case.
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
    # Common words of municipal text (a fifth of all documents or more), kept on purpose.
    "kegiatan",
    "kota",
    "kerja sama",
    "mitra kota",
]
FACETS = [None, None, {"year": 2021}, {"sector": 3}, {"sdg": 11}, None, {"agency": 7}]


WORDS_FILE = Path(__file__).resolve().parent / "search_words.txt"
#: Where the topical words go in the ranked vocabulary: from rank 12 every 20 ranks.
TOPICAL_FROM, TOPICAL_EVERY = 12, 20
#: The exponent of the Zipf distribution of words in text (about 1 in natural language).
ZIPF_EXPONENT = 1.0


def vocabulary() -> list[tuple[str, str]]:
    """(Indonesian, English) words by rank: Kembar's interface words, topical ones spread in."""
    ranked = [
        tuple(line.split("\t"))
        for line in WORDS_FILE.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    known = {word for word, _english in ranked}
    topical = [
        (word, EN_WORDS[number % len(EN_WORDS)])
        for number, word in enumerate(ID_WORDS)
        if word not in known  # a word the interface uses often keeps its own rank
    ]
    words = list(ranked)
    for number, pair in enumerate(topical):
        words.insert(TOPICAL_FROM + TOPICAL_EVERY * number, pair)
    return words  # type: ignore[return-value]


def generate(count: int, seed: int = 16) -> list:
    """``count`` documents of 8–40 words drawn (seeded) from a Zipf distribution over the words."""
    from itertools import accumulate

    from kembar.search.engine import Document

    rng = random.Random(seed)
    words = vocabulary()
    ranks = range(len(words))
    weights = list(accumulate(1 / (rank + 1) ** ZIPF_EXPONENT for rank in ranks))
    # Titles leave out the most common (function) words.
    title_ranks = ranks[TOPICAL_FROM:]
    title_weights = list(accumulate(1 / (rank + 1) ** ZIPF_EXPONENT for rank in title_ranks))
    documents = []
    for number in range(count):
        picks = rng.choices(ranks, cum_weights=weights, k=rng.randint(8, 40))
        english = rng.random() > 0.33
        body_en = " ".join(words[p][1] for p in picks) if english else ""
        title = rng.choices(title_ranks, cum_weights=title_weights, k=4)
        documents.append(
            Document(
                object_id=number + 1,
                region=rng.choice(["33.74", "33.71", "33.72", "31.71", "35.78"]),
                title_id=" ".join(words[p][0] for p in title).capitalize(),
                title_en=" ".join(words[p][1] for p in title).capitalize() if english else "",
                body_id=" ".join(words[p][0] for p in picks),
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


def cases() -> list[tuple[str, dict[str, int] | None, dict[str, Any]]]:
    """The 50 timed cases: (query, facet filter, scope)."""
    found: list[tuple[str, dict[str, int] | None, dict[str, Any]]] = []
    for number in range(50):
        query = QUERIES[number % len(QUERIES)]
        scope: dict[str, Any] = {"region": "33.74", "also_public": True} if number % 5 == 0 else {}
        found.append((query, FACETS[number % len(FACETS)], scope))
    return found


def measure(runs: int) -> dict[str, Any]:
    """Time every case ``runs`` times after one warm-up, as the staff page asks."""
    from kembar.search.engine import search_with_experts

    times, totals = [], []
    for attempt in range(runs + 1):
        for query, facets, scope in cases():
            t0 = time.perf_counter()
            results, _experts = search_with_experts(query, facets=facets, **scope)
            if attempt:
                times.append(((time.perf_counter() - t0) * 1000, query, facets, scope))
                totals.append(results.total)
    times.sort(key=lambda item: item[0])
    return {
        "median_ms": statistics.median(item[0] for item in times),
        "p95_ms": times[int(0.95 * (len(times) - 1))][0],
        "max_ms": times[-1][0],
        "slowest": times[-1][1:],
        "median_matches": statistics.median(totals),
        "max_matches": max(totals),
    }


def run(documents: int, runs: int) -> dict[str, Any]:
    from django.core.management import call_command

    from kembar.search.engine import index_documents

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    generated = generate(documents)
    for start in range(0, len(generated), 5000):
        index_documents("lesson", generated[start : start + 5000])
    return {"indexed_s": time.perf_counter() - started, **measure(runs)}


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
        f"(median {figures['median_matches']:,.0f} matches, most {figures['max_matches']:,}; "
        f"slowest: {figures['slowest']})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
