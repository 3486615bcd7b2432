"""Scale-out on one machine: primary + streaming replica, Redis, two app servers, two workers.

``python -m bench.scaleout [--users 200] [--duration 300] [--kill-at 120] [--down 10]``

1. The PostgreSQL database ``--database`` (default ``kembar_scaleout`` on the local primary)
   gets ``migrate``, ``load_reference``, ``generate_demo --seed 1`` and ``collectstatic``
   (``--reuse`` keeps one prepared before); its streaming replica (``--replica``, set up by
   ``deploy/postgres-replica.sh``) must be answering and in recovery.
2. Redis database ``--redis`` (default ``redis://127.0.0.1:6379/7``, emptied first) holds
   the cache and the task queue.  Two app servers start as ``manage.py serve`` starts one
   (gunicorn, config/gunicorn.conf.py, ``--web-workers`` processes each) on two ports, with
   ``DATABASE_REPLICA_URL`` set, and two task-queue workers (``manage.py run_huey``).
3. locust (bench/locustfile_public.py) runs ``--users`` visitors for ``--duration`` seconds
   over the public pages and API lists, round-robin over both servers, while a client
   enqueues a real background job every ``--job-every`` seconds: the import of a workbook of
   one partnership's 34 activities (1,404 rows; applied once while preparing), checked and
   found unchanged.
4. At ``--kill-at`` seconds one app server (its whole process group: master and workers) and
   one worker get SIGKILL, the worker while it runs a job (``--burst`` jobs are enqueued
   0.5 s before, and the kill waits up to 15 s for the worker's log to show a job started
   and not finished); ``--down`` seconds later both are started again.
5. When the load ends, the jobs get up to ``--drain`` seconds to finish (a job the killed
   worker held is run again when its lease runs out); then jobs enqueued, done, failed and
   unfinished (lost) are counted, with the error rate, p95 and max of the requests, the
   retries the round-robin made, the replica's lag, and how many rows each server returned.

Results are printed and written to ``DIR/results.json`` (``--keep DIR``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import psutil
import psycopg
import redis

ROOT = Path(__file__).resolve().parent.parent
BENCH_USER = "bench-scaleout"
#: Whose activities the jobs import again (34 activities, 1,404 rows on six sheets).
JOB_PARTNERSHIP = "smg-brisbane"
#: The production configuration (config/wsgi.py closes the database pools before forking).
GUNICORN_CONFIG = ROOT / "config" / "gunicorn.conf.py"

PUBLIC = [
    ["/", "/"],
    ["/partnerships/", "/partnerships/"],
    ["/partnerships/{slug}/", "/partnerships/{slug}/"],
    ["/insights/reach/", "/insights/reach/"],
    ["/insights/economy/", "/insights/economy/"],
    ["/insights/network/{city}/", "/insights/network/{city}/"],
    ["/api/v1/partnerships/", "/api/v1/partnerships/"],
    ["/api/v1/activities/", "/api/v1/activities/"],
    ["/api/v1/regions/?level=provinsi", "/api/v1/regions/?level=provinsi"],
    ["/api/v1/cities/?country=ID", "/api/v1/cities/?country=ID"],
]

_FIXTURES = """
import json
from django.conf import settings
from kembar.accounts.models import Organisation, Role, User
from kembar.insights.network import home_city_id
from kembar.partnerships.models import Partnership
organisation = Organisation.objects.filter(
    region_id=settings.KEMBAR_HOME_REGION, kind="local_government").first()
User.objects.get_or_create(username="{user}", defaults={{
    "role": Role.COOPERATION_OFFICER, "organisation": organisation}})
print("FIXTURES=" + json.dumps({{
    "slug": Partnership.objects.filter(is_public=True, activities__isnull=False)
        .order_by("slug").values_list("slug", flat=True).first(),
    "city": home_city_id(),
}}))
"""

_ENQUEUE = """
import io
import time
import zipfile
from kembar.accounts.models import User
from kembar.jobs.services import job_enqueue
user = User.objects.get(username="{user}")
content = open({workbook!r}, "rb").read()
sent = 0
def enqueue():
    # The same values in a file of its own (a zip comment): each job reads and checks every
    # row, as for a file never seen before, and finds them unchanged.
    global sent
    sent += 1
    buffer = io.BytesIO(content)
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.comment = f"{run} job {{sent}}".encode()
    job_enqueue(kind="activity_import", created_by=user, input_data=buffer.getvalue(),
                input_name="scaleout.xlsx", params={{"language": "en", "bench_run": {run!r}}})
    print("ENQUEUED", flush=True)
burst_pending = True
while time.time() < {end}:
    if burst_pending and time.time() >= {burst_at}:
        # Just before the kill: enough jobs at once that every worker thread holds one.
        for _ in range({burst}):
            enqueue()
        burst_pending = False
    enqueue()
    time.sleep({every})
"""

_COUNT = """
import json
from collections import Counter
from kembar.jobs.models import Job
jobs = list(
    Job.objects.filter(params__bench_run={run!r}).values_list("state", "attempts", "result")
)
print("JOBS=" + json.dumps({{
    "enqueued": len(jobs),
    "done": sum(state == "done" for state, _a, _r in jobs),
    "failed": sum(state == "failed" for state, _a, _r in jobs),
    "unfinished": sum(state in ("queued", "running") for state, _a, _r in jobs),
    "run_more_than_once": sum(attempts > 1 for _s, attempts, _r in jobs),
    "outcomes": Counter((result or {{}}).get("outcome", "") for _s, _a, result in jobs),
}}))
"""


def _environment(args: argparse.Namespace, workdir: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_SECRET_KEY="bench-only-not-a-secret-" + "x" * 40,
        DATABASE_URL=args.database,
        REDIS_URL=args.redis,
        KEMBAR_VAR_DIR=str(workdir),
        KEMBAR_QUEUE_IMMEDIATE="false",
        KEMBAR_LOG_LEVEL="WARNING",
        KEMBAR_WEB_WORKERS=str(args.web_workers),
        KEMBAR_REPLICA_PIN_SECONDS=str(args.pin_seconds),
    )
    if args.replica:
        env["DATABASE_REPLICA_URL"] = args.replica
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


def _database_name(url: str) -> str:
    return url.rsplit("/", 1)[1].split("?", 1)[0]


def prepare(args: argparse.Namespace, env: dict[str, str], workdir: Path) -> float:
    stamp = workdir / f"prepared-{_database_name(args.database)}"
    if args.reuse and stamp.exists():
        return 0.0
    started = time.perf_counter()
    name = _database_name(args.database)
    server = args.database.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    for step in (
        ["migrate", "--noinput", "-v", "0"],
        ["load_reference", "-v", "0"],
        ["generate_demo", "--seed", "1"],
        ["collectstatic", "--noinput", "-v", "0"],
    ):
        _manage(env, *step)
    _marked(_manage(env, "shell", "-c", _FIXTURES.format(user=BENCH_USER)), "FIXTURES")
    # The jobs import a workbook of real (not demonstration) activities that are already
    # there: one partnership's demonstration records under new references, applied once now.
    demo = workdir / "demo.xlsx"
    _manage(env, "export_activities", "--out", str(demo), "--partnership", JOB_PARTNERSHIP,
            "--demo")
    _as_real_activities(demo, workdir / "scaleout.xlsx")
    _manage(env, "import_activities", str(workdir / "scaleout.xlsx"), "--user", BENCH_USER)
    stamp.write_text(dt.datetime.now(dt.UTC).isoformat())
    return time.perf_counter() - started


def _as_real_activities(demo: Path, out: Path) -> None:
    """The demonstration workbook with references DEMO-… as SCALE-… and titles unmarked."""
    import openpyxl

    book = openpyxl.load_workbook(demo)
    for sheet in book.worksheets:
        for row in sheet.iter_rows(min_row=3):
            first = row[0]
            if isinstance(first.value, str) and first.value.startswith("DEMO-"):
                first.value = "SCALE-" + first.value.removeprefix("DEMO-")
            if sheet.title == "Kegiatan":
                for cell in row[3:5]:  # title_id, title_en
                    if isinstance(cell.value, str) and cell.value.startswith("[DEMO] "):
                        cell.value = cell.value.removeprefix("[DEMO] ")
    book.save(out)


def _healthy(port: int) -> bool:
    try:
        url = f"http://127.0.0.1:{port}/healthz"
        with urllib.request.urlopen(url, timeout=5) as answer:
            return bool(answer.status == 200)
    except (OSError, urllib.error.URLError):
        return False


class Process:
    """A child in its own process group, so that SIGKILL takes its workers with it."""

    def __init__(
        self, name: str, role: str, command: list[str], env: dict[str, str], log: Path,
        sessions: dict[int, str],
    ) -> None:
        self.name, self.role, self.command, self.env, self.log = name, role, command, env, log
        self.sessions = sessions
        self.popen: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.popen = subprocess.Popen(  # noqa: S603
                self.command,
                cwd=ROOT,
                env=self.env,
                stdout=subprocess.DEVNULL,
                stderr=log,
                start_new_session=True,
            )
        self.sessions[self.popen.pid] = self.role

    def signal(self, sig: int) -> None:
        if self.popen is not None and self.popen.poll() is None:
            os.killpg(self.popen.pid, sig)

    def stop(self) -> None:
        self.signal(signal.SIGTERM)
        if self.popen is not None:
            try:
                self.popen.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.signal(signal.SIGKILL)
                self.popen.wait()


def _running_job(log: Path, offset: int, *, wait: float) -> str | None:
    """The job the worker writing ``log`` is running now; waits up to ``wait`` s for one.

    huey logs "Executing …run_job: ID" when a task starts and "…run_job: ID executed"
    when it ends; the kill is meant to land between the two.
    """
    deadline = time.time() + wait
    while True:
        text = log.read_bytes()[offset:].decode(errors="replace")
        started = re.findall(r"Executing kembar\.jobs\.tasks\.run_job: ([0-9a-f-]+)", text)
        running = [task for task in started if f"run_job: {task} executed" not in text]
        if running or time.time() > deadline:
            return running[-1] if running else None
        time.sleep(0.05)


def _wait_healthy(port: int, seconds: float = 300) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        if _healthy(port):
            return time.perf_counter() - started
        time.sleep(0.2)
    raise RuntimeError(f"the app server on port {port} did not answer within {seconds} s")


class LagProbe(threading.Thread):
    """The replica's replay lag, read from the primary every second."""

    def __init__(self, primary: str) -> None:
        super().__init__(daemon=True)
        self.primary = primary
        self.stopped = threading.Event()
        self.max_seconds = 0.0
        self.max_bytes = 0
        self.samples = 0

    def run(self) -> None:
        with psycopg.connect(self.primary, autocommit=True) as conn:
            while not self.stopped.wait(1.0):
                row = conn.execute(
                    "SELECT coalesce(extract(epoch FROM replay_lag), 0),"
                    " coalesce(pg_wal_lsn_diff(sent_lsn, replay_lsn), 0)"
                    " FROM pg_stat_replication ORDER BY replay_lag DESC NULLS LAST LIMIT 1"
                ).fetchone()
                if row is not None:
                    self.samples += 1
                    self.max_seconds = max(self.max_seconds, float(row[0]))
                    self.max_bytes = max(self.max_bytes, int(row[1]))


def _cpu_role(cmdline: str, session: int, database: str, sessions: dict[int, str]) -> str | None:
    """Which part of the deployment a process is (others on the machine are not counted)."""
    if session in sessions:  # app servers, workers, locust: started here, each its own session
        return sessions[session]
    if cmdline.startswith("redis-server"):
        return "redis"
    if cmdline.startswith("postgres: ") and f" {database} " in cmdline:
        return "postgres_replica" if "/replica:" in cmdline else "postgres_primary"
    if cmdline.startswith("postgres: ") and any(
        part in cmdline for part in ("walsender", "walreceiver", "startup recovering")
    ):
        return "replication"
    return None


class CpuProbe(threading.Thread):
    """CPU seconds used by each part, sampled every two seconds from every process.

    Database backends count when they serve the bench database (other users of the same
    PostgreSQL server are left out); a process that ends loses at most its last two seconds.
    """

    def __init__(self, database: str, sessions: dict[int, str]) -> None:
        super().__init__(daemon=True)
        self.database = database
        self.sessions = sessions
        self.stopped = threading.Event()
        self.used: dict[int, tuple[str, float]] = {}
        self.start_machine = psutil.cpu_times()
        self.start_used: dict[int, float] = {}

    def _sample(self, first: bool = False) -> None:
        for process in psutil.process_iter(["pid", "cmdline", "cpu_times"]):
            try:
                cmdline = " ".join(process.info["cmdline"] or [])
                times = process.info["cpu_times"]
                session = os.getsid(process.pid)
            except (psutil.Error, TypeError, OSError):
                continue
            role = _cpu_role(cmdline, session, self.database, self.sessions)
            if role is None or times is None:
                continue
            seconds = float(times.user + times.system)
            if first:
                self.start_used[process.pid] = seconds
            self.used[process.pid] = (role, seconds)

    def run(self) -> None:
        self._sample(first=True)
        while not self.stopped.wait(2.0):
            self._sample()

    def totals(self) -> dict[str, float]:
        self._sample()
        totals: dict[str, float] = {}
        for pid, (role, seconds) in self.used.items():
            totals[role] = totals.get(role, 0.0) + seconds - self.start_used.get(pid, 0.0)
        end = psutil.cpu_times()
        busy = (end.user + end.system + end.nice + end.irq + end.softirq) - (
            self.start_machine.user + self.start_machine.system + self.start_machine.nice
            + self.start_machine.irq + self.start_machine.softirq
        )
        totals["whole_machine"] = busy
        return {role: round(value, 1) for role, value in sorted(totals.items())}


def _rows_returned(url: str, name: str) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT tup_returned + tup_fetched FROM pg_stat_database WHERE datname = %s", [name]
        ).fetchone()
    return int(row[0]) if row else 0


def _locust_stats(prefix: Path) -> dict[str, Any]:
    import csv

    with (prefix.parent / f"{prefix.name}_stats.csv").open() as stats:
        rows = list(csv.DictReader(stats))
    pages = {}
    for row in rows:
        pages[row["Name"]] = {
            "requests": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "median_ms": float(row["Median Response Time"]),
            "p95_ms": float(row["95%"]),
            "max_ms": float(row["Max Response Time"]),
            "rps": float(row["Requests/s"]),
        }
    return pages


def _p95_windows(prefix: Path, kill_at: float, started: float) -> dict[str, float]:
    """Largest rolling p95 (locust's last-10-second window) before, around and after the kill."""
    import csv

    before, around, after = 0.0, 0.0, 0.0
    with (prefix.parent / f"{prefix.name}_stats_history.csv").open() as history:
        for row in csv.DictReader(history):
            if row["Name"] != "Aggregated" or row["95%"] in ("N/A", ""):
                continue
            second = float(row["Timestamp"]) - started
            p95 = float(row["95%"])
            if second < kill_at:
                before = max(before, p95)
            elif second < kill_at + 60:
                around = max(around, p95)
            else:
                after = max(after, p95)
    return {"before_kill": before, "kill_to_plus_60s": around, "after": after}


def _steady_state(
    prefix: Path, before: dict[str, float], after: dict[str, float], start: float, end: float
) -> dict[str, Any]:
    """CPU milliseconds per request of each part between two moments, from locust's counts."""
    import csv

    counts: list[tuple[float, int]] = []
    with (prefix.parent / f"{prefix.name}_stats_history.csv").open() as history:
        for row in csv.DictReader(history):
            if row["Name"] == "Aggregated":
                counts.append((float(row["Timestamp"]), int(row["Total Request Count"])))

    def count_at(moment: float) -> int:
        earlier = [count for stamp, count in counts if stamp <= moment]
        return earlier[-1] if earlier else 0

    requests = count_at(end) - count_at(start)
    seconds = end - start
    return {
        "seconds": round(seconds, 1),
        "requests": requests,
        "requests_per_s": round(requests / seconds, 1) if seconds else 0.0,
        "cpu_ms_per_request": {
            role: round(1000 * (after.get(role, 0.0) - before.get(role, 0.0)) / requests, 2)
            for role in after
        }
        if requests
        else {},
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    workdir = Path(args.keep or tempfile.mkdtemp(prefix="kembar-scaleout-"))
    workdir.mkdir(parents=True, exist_ok=True)
    env = _environment(args, workdir)
    run_id = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    name = _database_name(args.database)

    if args.replica:
        with psycopg.connect(args.replica, autocommit=True, connect_timeout=5) as conn:
            row = conn.execute("SELECT pg_is_in_recovery()").fetchone()
            if row is None or row[0] is not True:
                raise SystemExit(f"{args.replica} is not a standby (deploy/postgres-replica.sh)")
    prepared = prepare(args, env, workdir)
    fixtures = _marked(_manage(env, "shell", "-c", _FIXTURES.format(user=BENCH_USER)), "FIXTURES")
    workbook = workdir / "scaleout.xlsx"
    paths = [[n.format(**fixtures), p.format(**fixtures)] for n, p in PUBLIC]
    redis.Redis.from_url(args.redis).flushdb()

    ports = [args.port, args.port + 1]
    sessions: dict[int, str] = {}
    servers = [
        Process(
            f"app server {index + 1}",
            "app_servers",
            [sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONFIG)],
            {**env, "PORT": str(port)},
            workdir / f"server-{index + 1}.log",
            sessions,
        )
        for index, port in enumerate(ports)
    ]
    workers = [
        Process(
            f"worker {index + 1}",
            "workers",
            [sys.executable, str(ROOT / "manage.py"), "run_huey"],
            env,
            workdir / f"worker-{index + 1}.log",
            sessions,
        )
        for index in range(2)
    ]
    children = [*servers, *workers]
    results: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": f"{os.cpu_count()} cores, {platform.python_version()}",
        "load_average_before": os.getloadavg(),
        "prepare_seconds": round(prepared, 1),
        "users": args.users,
        "duration_s": args.duration,
        "web_workers_per_server": args.web_workers,
        "pin_seconds": args.pin_seconds,
        "job_every_s": args.job_every,
        "replica": bool(args.replica),
    }
    lag = LagProbe(args.database.rsplit("/", 1)[0] + "/postgres")
    cpu = CpuProbe(name, sessions)
    enqueuer: subprocess.Popen[str] | None = None
    try:
        for child in children:
            child.start()
        results["start_seconds"] = [round(_wait_healthy(port), 1) for port in ports]
        reads_before = {
            "primary": _rows_returned(args.database, name),
            "replica": _rows_returned(args.replica, name) if args.replica else 0,
        }
        lag.start()
        cpu.start()
        prefix = workdir / "locust"
        locust_env = {
            **env,
            "KEMBAR_BENCH_HOSTS": ",".join(f"http://127.0.0.1:{port}" for port in ports),
            "KEMBAR_BENCH_PATHS": json.dumps(paths),
            "KEMBAR_BENCH_WAIT": args.wait,
            "KEMBAR_BENCH_FAILOVER_OUT": str(workdir / "retries.json"),
        }
        started = time.time()
        locust = subprocess.Popen(  # noqa: S603
            [
                sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile_public.py"),
                "--headless", "--users", str(args.users), "--spawn-rate", str(args.spawn_rate),
                "--run-time", f"{args.duration}s", "--csv", str(prefix), "--only-summary",
                "--loglevel", "WARNING", "--stop-timeout", "30",
            ],
            cwd=ROOT,
            env=locust_env,
            stdout=subprocess.DEVNULL,
            stderr=(workdir / "locust.log").open("wb"),
            start_new_session=True,
        )
        sessions[locust.pid] = "load_generator"
        enqueuer = subprocess.Popen(  # noqa: S603
            [
                sys.executable, str(ROOT / "manage.py"), "shell", "-c",
                _ENQUEUE.format(
                    user=BENCH_USER, workbook=str(workbook), end=started + args.duration,
                    every=args.job_every, run=run_id, burst=args.burst,
                    burst_at=started + args.kill_at - 0.5,
                ),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=(workdir / "enqueuer.log").open("wb"),
            text=True,
        )
        log_offset = workers[0].log.stat().st_size
        time.sleep(max(0.0, started + args.kill_at - time.time()))
        held = _running_job(workers[0].log, log_offset, wait=15.0)
        killed_at = time.time() - started
        servers[0].signal(signal.SIGKILL)
        workers[0].signal(signal.SIGKILL)
        time.sleep(args.down)
        servers[0].start()
        workers[0].start()
        results["kill"] = {
            "at_s": round(killed_at, 1),
            "worker_was_running_job": held,
            "down_s": args.down,
            "restart_to_healthy_s": round(_wait_healthy(ports[0]), 1),
        }
        # Steady state, for the cost per request: from 20 s after the restart to the end.
        steady_from = time.time() + 20
        steady_cpu: dict[str, float] | None = None
        while locust.poll() is None:
            if steady_cpu is None and time.time() >= steady_from:
                steady_cpu = cpu.totals()
            time.sleep(0.5)
        steady_to = time.time()
        assert enqueuer.stdout is not None
        results["jobs_enqueued_by_client"] = enqueuer.stdout.read().count("ENQUEUED")
        enqueuer.wait()
        lag.stopped.set()
        cpu.stopped.set()
        results["cpu_seconds"] = cpu.totals()
        if steady_cpu is not None:
            results["steady_state"] = _steady_state(
                prefix, steady_cpu, results["cpu_seconds"], steady_from, steady_to
            )
        results["load_average_end"] = os.getloadavg()

        drain_started = time.perf_counter()
        count = _COUNT.format(run=run_id)
        while True:
            jobs = _marked(_manage(env, "shell", "-c", count), "JOBS")
            if jobs["unfinished"] == 0 or time.perf_counter() - drain_started > args.drain:
                break
            time.sleep(5)
        jobs["drain_seconds"] = round(time.perf_counter() - drain_started, 1)
        jobs["lost"] = jobs["enqueued"] - jobs["done"] - jobs["failed"]
        results["jobs"] = jobs
        results["requests"] = _locust_stats(prefix)
        results["p95_windows_ms"] = _p95_windows(prefix, killed_at, started)
        retries = workdir / "retries.json"
        results["round_robin"] = json.loads(retries.read_text()) if retries.exists() else {}
        results["replica_lag"] = {
            "max_seconds": round(lag.max_seconds, 3),
            "max_bytes": lag.max_bytes,
            "samples": lag.samples,
        }
        results["rows_returned"] = {
            "primary": _rows_returned(args.database, name) - reads_before["primary"],
            "replica": (
                _rows_returned(args.replica, name) - reads_before["replica"] if args.replica else 0
            ),
        }
    finally:
        lag.stopped.set()
        cpu.stopped.set()
        if enqueuer is not None and enqueuer.poll() is None:
            enqueuer.terminate()
        for child in children:
            child.stop()
    (workdir / "results.json").write_text(json.dumps(results, indent=2))
    results["workdir"] = str(workdir)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--spawn-rate", type=float, default=20)
    parser.add_argument("--duration", type=int, default=300, help="seconds of load")
    parser.add_argument("--kill-at", type=float, default=120, help="seconds into the load")
    parser.add_argument("--down", type=float, default=10, help="seconds before the restart")
    parser.add_argument("--job-every", type=float, default=10.0, help="seconds between jobs")
    parser.add_argument(
        "--burst", type=int, default=12, help="jobs enqueued at once just before the kill"
    )
    parser.add_argument(
        "--pin-seconds", type=int, default=5, help="KEMBAR_REPLICA_PIN_SECONDS (> the lag)"
    )
    parser.add_argument("--drain", type=float, default=240, help="seconds the jobs may take")
    parser.add_argument("--wait", default="2,8", help="visitor pause, seconds low,high")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn workers per server")
    parser.add_argument("--port", type=int, default=8101, help="first app server (and +1)")
    parser.add_argument(
        "--database", default="postgres://postgres@127.0.0.1:5432/kembar_scaleout"
    )
    parser.add_argument(
        "--replica",
        default="postgres://postgres@127.0.0.1:5433/kembar_scaleout",
        help="the streaming replica of the same database ('' for none)",
    )
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/7")
    parser.add_argument("--reuse", action="store_true", help="keep a database prepared before")
    parser.add_argument("--keep", help="work folder (kept); default a new temporary one")
    results = run(parser.parse_args())
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
