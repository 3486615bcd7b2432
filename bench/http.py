"""HTTP throughput of what the public sees, and staff page latency, under gunicorn.

``python -m bench.http [--duration 15] [--rounds 3] [--connections 32] [--redis URL]
[--keep DIR] [--reuse]``

1. A fresh database (SQLite under a work folder, or ``--database URL``) gets
   ``migrate``, ``load_reference``, ``generate_demo --seed 1`` and
   ``collectstatic``; ``--reuse`` keeps one prepared before.
2. gunicorn starts with the production settings plus one trivial JSON view
   (``bench.settings``: config.settings and ``/bench/trivial/``), exactly as
   ``manage.py serve`` starts it (config/gunicorn.conf.py, warm-up included),
   with an empty page cache.  Start-up is the time until the port answers.
3. The first request to each URL after start-up is timed (nothing cached yet:
   this is what the first visitor waits).
4. ``wrk -c 32 -t 2 -d 15s`` runs on the trivial view and on every public page
   and public API list, one after the other in the same run, the trivial view
   again after each URL; each URL gets its requests per second and the ratio
   to the mean of the two trivial runs around it (target ≥ 50 %).  This is
   done ``--rounds`` times over all URLs; a URL's ratio is the median of its
   rounds, since on a shared machine one 15-second run can land in a moment
   when others' work takes the cores (the anchor alone moved 3× within a run).
5. The same answers are also timed inside one process, without HTTP, wrk or
   other processes (``bench.http_inprocess``): CPU microseconds per request of
   a cache hit against the trivial view, a number the machine's other load
   hardly moves.
6. locust, headless, 8 signed-in staff users waiting 1–3 s between pages,
   for ``--staff-seconds`` (default 60); p95 over all staff pages (target < 150 ms).

Results are printed and written to ``DIR/results.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WRK = shutil.which("wrk") or "/usr/bin/wrk"

PUBLIC_PAGES = [
    "/",
    "/partnerships/",
    "/partnerships/{slug}/",
    "/insights/reach/",
    "/insights/economy/",
    "/insights/network/",
    "/insights/network/{city}/",
]
PUBLIC_API = [
    "/api/v1/partnerships/",
    "/api/v1/activities/",
    "/api/v1/regions/",
    "/api/v1/cities/",
    "/api/v1/insights/reach/",
]
STAFF_PAGES = [
    "/staff/",
    "/staff/partnerships/{slug}/",
    "/staff/activities/",
    "/staff/activities/{activity}/",
    "/staff/insights/reach/",
    "/staff/insights/economy/",
    "/staff/insights/network/",
]

_SESSIONS_SCRIPT = """
import json
from django.conf import settings
from django.test import Client
from kembar.accounts.middleware import LAST_SEEN, SECOND_FACTOR, SIGNED_IN_AT
from kembar.accounts.models import Organisation, Role, User
from django.utils import timezone
organisation = Organisation.objects.filter(
    region_id=settings.KEMBAR_HOME_REGION, kind="local_government").first()
cookies = []
for number in range({users}):
    user, _ = User.objects.get_or_create(
        username=f"bench-officer-{{number}}",
        defaults={{"role": Role.COOPERATION_OFFICER, "organisation": organisation}})
    client = Client()
    client.force_login(user)
    session = client.session
    now = timezone.now().timestamp()
    session[SIGNED_IN_AT] = now
    session[LAST_SEEN] = now
    session[SECOND_FACTOR] = True
    session.save()
    cookies.append(session.session_key)
print("SESSIONS=" + json.dumps(cookies))
"""

_INPROCESS_SCRIPT = """
import json
from bench.http_inprocess import measure
print("INPROCESS=" + json.dumps(measure({paths!r}, {count})))
"""

_FIXTURES_SCRIPT = """
import json
from kembar.insights.network import home_city_id
from kembar.partnerships.models import Partnership
from kembar.programs.models import Activity
print("FIXTURES=" + json.dumps({
    "slug": Partnership.objects.filter(is_public=True).order_by("slug").values_list(
        "slug", flat=True).first(),
    "city": home_city_id(),
    "activity": Activity.objects.order_by("reference").values_list(
        "reference", flat=True).first(),
}))
"""


def _environment(workdir: Path, port: int, database: str, redis_url: str = "") -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        KEMBAR_VAR_DIR=str(workdir),
        DJANGO_SETTINGS_MODULE="bench.settings",
        DJANGO_SECRET_KEY="bench-only-not-a-secret-" + "x" * 40,
        DATABASE_URL=database,
        PORT=str(port),
        KEMBAR_QUEUE_IMMEDIATE="false",
    )
    env.pop("DJANGO_DEBUG", None)
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def _manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


def _marked(output: str, marker: str) -> Any:
    for line in output.splitlines():
        if line.startswith(marker + "="):
            return json.loads(line.split("=", 1)[1])
    raise RuntimeError(f"no {marker} in: {output[-500:]}")


def prepare(env: dict[str, str], workdir: Path, *, reuse: bool) -> float:
    """Fill a fresh database (or reuse one prepared before); returns the seconds it took."""
    stamp = workdir / "prepared"
    if reuse and stamp.exists():
        return 0.0
    started = time.perf_counter()
    _manage(env, "migrate", "--noinput", "-v", "0")
    _manage(env, "load_reference", "-v", "0")
    _manage(env, "generate_demo", "--seed", "1")
    _manage(env, "collectstatic", "--noinput", "-v", "0")
    stamp.write_text(dt.datetime.now(dt.UTC).isoformat())
    return time.perf_counter() - started


def _get(url: str, *, cookie: str = "") -> tuple[int, float, int]:
    request = urllib.request.Request(url)  # noqa: S310 (our own local server)
    if cookie:
        request.add_header("Cookie", cookie)
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310
            size = len(answer.read())
            status = answer.status
    except urllib.error.HTTPError as error:
        size, status = len(error.read()), error.code
    return status, time.perf_counter() - started, size


def start_server(
    env: dict[str, str], workdir: Path, port: int
) -> tuple[subprocess.Popen[bytes], float]:
    """gunicorn as ``manage.py serve`` starts it; returns it and the seconds until it answers."""
    shutil.rmtree(workdir / "cache", ignore_errors=True)
    log = (workdir / "gunicorn.log").open("wb")
    started = time.perf_counter()
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "config" / "gunicorn.conf.py")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,  # the access log: a line per request
        stderr=log,
    )
    deadline = started + 300
    while time.perf_counter() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn stopped; see {workdir / 'gunicorn.log'}")
        try:
            if _get(f"http://127.0.0.1:{port}/bench/trivial/")[0] == 200:
                return server, time.perf_counter() - started
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer within 300 s")


def wrk(url: str, *, connections: int, threads: int, seconds: int) -> dict[str, Any]:
    output = subprocess.run(  # noqa: S603
        [WRK, f"-c{connections}", f"-t{threads}", f"-d{seconds}s", "--latency", url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    p99 = re.search(r"\s99%\s+([\d.]+)(us|ms|s)", output)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    return {
        "rps": float(rate.group(1)) if rate else 0.0,
        "non_2xx": int(errors.group(1)) if errors else 0,
        "p99_ms": float(p99.group(1)) * scale[p99.group(2)] if p99 else None,
    }


def staff_load(
    env: dict[str, str], port: int, paths: list[str], *, users: int, seconds: int, workdir: Path
) -> dict[str, Any]:
    script = _SESSIONS_SCRIPT.format(users=users)
    sessions = _marked(_manage(env, "shell", "-c", script), "SESSIONS")
    prefix = workdir / "staff"
    locust_env = dict(
        env,
        KEMBAR_BENCH_SESSIONS=json.dumps(sessions),
        KEMBAR_BENCH_STAFF_PATHS=json.dumps(paths),
    )
    subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(ROOT / "bench" / "http_staff.py"),
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(users),
            "--run-time",
            f"{seconds}s",
            "--host",
            f"http://127.0.0.1:{port}",
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=locust_env,
        check=False,
        capture_output=True,
    )
    rows = (prefix.parent / f"{prefix.name}_stats.csv").read_text().splitlines()
    header = rows[0].split(",")
    result: dict[str, Any] = {"pages": {}}
    for line in rows[1:]:
        values = dict(zip(header, line.split(","), strict=False))
        entry = {
            "requests": int(values["Request Count"]),
            "failures": int(values["Failure Count"]),
            "median_ms": float(values["50%"]),
            "p95_ms": float(values["95%"]),
            "max_ms": float(values["Max Response Time"]),
        }
        if values["Name"] == "Aggregated":
            result["all"] = entry
        else:
            result["pages"][values["Name"]] = entry
    return result


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=15, help="seconds of wrk per URL")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="wrk's threads")
    parser.add_argument("--rounds", type=int, default=3, help="runs of every URL (median)")
    parser.add_argument("--redis", default="", help="REDIS_URL for cache and queue (emptied)")
    parser.add_argument("--inprocess", type=int, default=2000, help="requests per URL timed")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--keep", type=Path, default=None, help="work folder (kept)")
    parser.add_argument("--reuse", action="store_true", help="reuse the database in --keep")
    parser.add_argument("--database", default="", help="DATABASE_URL (default: SQLite)")
    parser.add_argument("--staff-users", type=int, default=8)
    parser.add_argument("--staff-seconds", type=int, default=60)
    parser.add_argument("--only", default="", help="comma-separated URL substrings to run")
    args = parser.parse_args(argv)

    workdir = args.keep or Path(tempfile.mkdtemp(prefix="kembar-bench-http-"))
    workdir.mkdir(parents=True, exist_ok=True)
    env = _environment(workdir, args.port, args.database, args.redis)
    if args.redis:
        import redis

        redis.Redis.from_url(args.redis).flushdb()
    prepared = prepare(env, workdir, reuse=args.reuse)
    fixtures = _marked(_manage(env, "shell", "-c", _FIXTURES_SCRIPT), "FIXTURES")
    base = f"http://127.0.0.1:{args.port}"
    public = [path.format(**fixtures) for path in PUBLIC_PAGES + PUBLIC_API]
    if args.only:
        public = [path for path in public if any(part in path for part in args.only.split(","))]
    staff = [path.format(**fixtures) for path in STAFF_PAGES]

    server, startup = start_server(env, workdir, args.port)
    try:
        first = {path: _get(base + path) for path in ["/bench/trivial/", *public]}
        results: dict[str, Any] = {
            "date": dt.datetime.now(dt.UTC).date().isoformat(),
            "machine": f"{os.cpu_count()} cores, Python {platform.python_version()}",
            "load_before": os.getloadavg(),
            "prepare_seconds": round(prepared, 1),
            "startup_seconds": round(startup, 2),
            "first_request": {
                path: {"status": status, "seconds": round(seconds, 3), "bytes": size}
                for path, (status, seconds, size) in first.items()
            },
            "wrk": {},
        }

        def measure(path: str) -> dict[str, Any]:
            numbers = wrk(
                base + path,
                connections=args.connections,
                threads=args.threads,
                seconds=args.duration,
            )
            print(f"{path:40} {numbers['rps']:9.1f} req/s", flush=True)
            return numbers

        # The trivial view runs before the first URL and after each one: a URL's ratio is to
        # the mean of the two anchor runs around it, so a machine whose load drifts (others'
        # jobs) moves both alike; the whole is repeated and each URL keeps its median round.
        anchors = [measure("/bench/trivial/")]
        rounds: dict[str, list[dict[str, Any]]] = {path: [] for path in public}
        for _round in range(args.rounds):
            for path in public:
                numbers = measure(path)
                anchors.append(measure("/bench/trivial/"))
                around = (anchors[-2]["rps"] + anchors[-1]["rps"]) / 2 or 1.0
                numbers["anchor_rps"] = round(around, 1)
                numbers["ratio"] = round(numbers["rps"] / around, 3)
                rounds[path].append(numbers)
        for path, runs in rounds.items():
            ordered = sorted(runs, key=lambda run: run["ratio"])
            median = dict(ordered[len(ordered) // 2])
            median["ratios"] = [run["ratio"] for run in runs]
            results["wrk"][path] = median
        trivial = dict(anchors[0])
        trivial["rps"] = round(sum(run["rps"] for run in anchors) / len(anchors), 1)
        trivial["anchor_rps"] = trivial["rps"]
        trivial["ratio"] = 1.0
        trivial["runs"] = [run["rps"] for run in anchors]
        results["inprocess"] = _marked(
            _manage(
                env,
                "shell",
                "-c",
                _INPROCESS_SCRIPT.format(paths=["/bench/trivial/", *public], count=args.inprocess),
            ),
            "INPROCESS",
        )
        results["wrk"] = {"/bench/trivial/": trivial, **results["wrk"]}
        if args.staff_seconds > 0:
            results["staff"] = staff_load(
                env,
                args.port,
                staff,
                users=args.staff_users,
                seconds=args.staff_seconds,
                workdir=workdir,
            )
        results["load_after"] = os.getloadavg()
    finally:
        server.terminate()
        server.wait(timeout=60)

    (workdir / "results.json").write_text(json.dumps(results, indent=2))
    _report(results)
    return results


def _report(results: dict[str, Any]) -> None:
    print(f"\nstart-up {results['startup_seconds']} s; load average {results['load_before']}")
    print(
        f"{'URL':40} {'first (s)':>9} {'req/s':>9} {'anchor':>9} {'ratio':>7} {'p99 ms':>8} "
        f"{'non-2xx':>8}"
    )
    for path, numbers in results["wrk"].items():
        first = results["first_request"][path]["seconds"]
        print(
            f"{path:40} {first:9.3f} {numbers['rps']:9.1f} {numbers['anchor_rps']:9.1f} "
            f"{numbers['ratio']:7.1%} {numbers['p99_ms'] or 0:8.1f} {numbers['non_2xx']:8d} "
            f"{' '.join(f'{ratio:.0%}' for ratio in numbers.get('ratios', []))}"
        )
    inprocess = results.get("inprocess", {})
    if inprocess:
        anchor = inprocess["/bench/trivial/"]["cpu_us"]
        print(f"\nin one process, CPU per request (trivial view {anchor:.0f} us):")
        for path, numbers in inprocess.items():
            print(
                f"  {path:38} {numbers['cpu_us']:7.0f} us  {numbers['x_cache']:5} "
                f"ratio {anchor / numbers['cpu_us']:6.1%}"
            )
    staff = results.get("staff")
    if staff and "all" in staff:
        print(f"\nstaff pages, {len(staff['pages'])} kinds: p95 {staff['all']['p95_ms']} ms")
        for name, numbers in staff["pages"].items():
            print(
                f"  {name:38} n={numbers['requests']:4d} p50 {numbers['median_ms']:6.0f} ms "
                f"p95 {numbers['p95_ms']:6.0f} ms failures {numbers['failures']}"
            )


if __name__ == "__main__":
    main()
