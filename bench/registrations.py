"""No overbooking: 2,000 registrations for a call with 100 places, through the real API.

``python -m bench.registrations [--people 2000] [--places 100] [--threads 48]
[--postgres URL]`` makes a fresh database (SQLite under a temporary folder, or
the PostgreSQL database ``kembar_bench_reg`` next to URL), creates one published
first-come call, starts gunicorn (4 workers × 4 threads, as production) and sends
every person's two requests (``POST /api/v1/opportunities/{id}/registrations/``,
then ``POST /api/v1/registrations/{id}/confirm/`` with the code) from
``--threads`` concurrent clients; 5 % of the people also try a second
registration with the same address in other letter case, which must be refused.

The code is read the way the resident's mail program would get it: computed
from the registration's one-time secret (pyotp), since the bench's server sends
its mail nowhere.  Rate limits are raised for the run (all clients share one
address).

It then checks, in the database: exactly ``--places`` confirmed, everyone else
waiting, the arrival ranks 1..N without a gap or a repeat, every confirmed rank
below every waiting rank (first come, first served), one registration per
person, and every duplicate refused with 409.  It prints the wall time, the
requests per second and the latency percentiles.  Exit status 1 if a check fails.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _post(url: str, body: dict[str, Any]) -> tuple[int, dict[str, Any], float]:
    data = json.dumps(body).encode()
    request = urllib.request.Request(  # noqa: S310 (a local URL)
        url, data=data, headers={"Content-Type": "application/json"}, method="POST"
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310
            status, text = answer.status, answer.read()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read()
    elapsed = time.perf_counter() - started
    try:
        parsed = json.loads(text or b"{}")
    except ValueError:
        parsed = {"raw": text[:200].decode(errors="replace")}
    return status, parsed, elapsed


def _setup(env: dict[str, str], places: int) -> int:
    """Migrate and create the call, in a child process with the bench's environment."""
    script = f"""
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from kembar.participation.tests.factories import kelurahan, published_call
from kembar.programs.tests.factories import ActivityFactory
kelurahan("33.74.01", name="Pekunden")
call = published_call(ActivityFactory.create(), places={places})
print(call.pk)
"""
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode != 0:
        sys.exit(f"setup failed:\n{done.stderr[-3000:]}")
    return int(done.stdout.strip().splitlines()[-1])


def _code_reader(database: str) -> Any:
    """A function registration id -> current code, reading the database like a mailbox.

    One plain connection under a lock (not Django's per-thread connections, which
    would hold one pooled connection per client thread).
    """
    import pyotp

    if database.startswith("sqlite:"):
        import sqlite3

        connection: Any = sqlite3.connect(
            database.removeprefix("sqlite:///"), check_same_thread=False, timeout=30
        )
        query = "SELECT code_secret, code_sent_at FROM participation_registration WHERE id = ?"
    else:
        import psycopg

        connection = psycopg.connect(database, autocommit=True)
        query = "SELECT code_secret, code_sent_at FROM participation_registration WHERE id = %s"
    lock = threading.Lock()

    def code(pk: int) -> str:
        with lock:
            secret, sent = connection.execute(query, (pk,)).fetchone()
        if isinstance(sent, str):
            sent = datetime.fromisoformat(sent)
        if sent.tzinfo is None:
            sent = sent.replace(tzinfo=UTC)
        return str(pyotp.HOTP(secret, digits=6).at(int(sent.timestamp())))

    return code


def _checks(env: dict[str, str], people: int, places: int) -> dict[str, Any]:
    os.environ.update(env)
    import django

    django.setup()
    from django.db.models import Count

    from kembar.participation.models import Registration

    rows = list(Registration.objects.values_list("status", "rank", "resident_id"))
    confirmed = [rank for status, rank, _resident in rows if status == "confirmed"]
    waiting = [rank for status, rank, _resident in rows if status == "waiting"]
    ranks = sorted(rank for _status, rank, _resident in rows if rank is not None)
    per_resident = (
        Registration.objects.values("resident_id").annotate(n=Count("pk")).filter(n__gt=1).count()
    )
    return {
        "registrations": len(rows),
        "confirmed": len(confirmed),
        "waiting": len(waiting),
        "other": len(rows) - len(confirmed) - len(waiting),
        "ranks_1_to_n": ranks == list(range(1, people + 1)),
        "first_come_first_served": bool(confirmed and waiting) and max(confirmed) < min(waiting),
        "residents_with_two": per_resident,
        "ok": len(confirmed) == places
        and len(waiting) == people - places
        and ranks == list(range(1, people + 1))
        and max(confirmed) < min(waiting)
        and per_resident == 0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--places", type=int, default=100)
    parser.add_argument("--threads", type=int, default=48)
    parser.add_argument("--postgres", default="", help="postgres://… of a server to use")
    options = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="kembar-bench-reg-"))
    if options.postgres:
        import psycopg

        with psycopg.connect(options.postgres, autocommit=True) as connection:
            connection.execute("DROP DATABASE IF EXISTS kembar_bench_reg")
            connection.execute("CREATE DATABASE kembar_bench_reg")
        database = options.postgres.rsplit("/", 1)[0] + "/kembar_bench_reg"
    else:
        database = f"sqlite:///{folder / 'bench.sqlite3'}"
    port = _free_port()
    env = dict(os.environ) | {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_SECRET_KEY": "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "DATABASE_URL": database,
        "KEMBAR_VAR_DIR": str(folder),
        "KEMBAR_QUEUE_FILE": str(folder / "queue.sqlite3"),
        "KEMBAR_QUEUE_IMMEDIATE": "true",
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "KEMBAR_REGISTRATION_PER_ADDRESS_HOUR": "1000000",
        "KEMBAR_API_RATE_ADDRESS": "1000000/minute",
        "DJANGO_DEBUG": "false",
    }
    call = _setup(env, options.places)
    server = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--workers",
            "4",
            "--threads",
            "4",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _attempt in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)  # noqa: S310
                break
            except OSError:
                time.sleep(0.2)
        code_of = _code_reader(database)
        latencies: list[float] = []
        refusals: dict[int, int] = {}
        duplicates_refused = 0

        def one(number: int) -> None:
            nonlocal duplicates_refused
            email = f"warga{number}@example.test"
            body = {
                "email": email,
                "name": f"Warga {number}",
                "home_kelurahan": "33.74.01.1001",
                "group": "community",
                "consents": ["taking_part"],
            }
            status, answer, elapsed = _post(
                f"{base}/api/v1/opportunities/{call}/registrations/", body
            )
            latencies.append(elapsed)
            if status != 201:
                refusals[status] = refusals.get(status, 0) + 1
                return
            status, answer, elapsed = _post(
                f"{base}/api/v1/registrations/{answer['id']}/confirm/",
                {"code": code_of(answer["id"])},
            )
            latencies.append(elapsed)
            if status != 200:
                refusals[status] = refusals.get(status, 0) + 1
            if number % 20 == 0:  # the same person again, in other letter case
                status, _answer, elapsed = _post(
                    f"{base}/api/v1/opportunities/{call}/registrations/",
                    body | {"email": email.upper()},
                )
                latencies.append(elapsed)
                if status == 409:
                    duplicates_refused += 1

        started = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(options.threads) as pool:
            list(pool.map(one, range(options.people)))
        wall = time.perf_counter() - started
        results = _checks(env, options.people, options.places)
        cuts = statistics.quantiles(latencies, n=100)
        report = {
            "database": "PostgreSQL" if options.postgres else "SQLite",
            "people": options.people,
            "places": options.places,
            "requests": len(latencies),
            "wall_seconds": round(wall, 1),
            "requests_per_second": round(len(latencies) / wall, 1),
            "latency_ms": {
                "p50": round(cuts[49] * 1000),
                "p95": round(cuts[94] * 1000),
                "p99": round(cuts[98] * 1000),
                "max": round(max(latencies) * 1000),
            },
            "refused_unexpectedly": refusals,
            "duplicates_tried": len(range(0, options.people, 20)),
            "duplicates_refused": duplicates_refused,
            **results,
        }
        report["ok"] = (
            results["ok"]
            and not refusals
            and duplicates_refused == report["duplicates_tried"]
            and wall <= 60
        )
        print(json.dumps(report, indent=2))
        return 0 if report["ok"] else 1
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    sys.exit(main())
