"""``manage.py serve``: the web server and the task-queue worker, side by side (``make run``).

Starts gunicorn (config/gunicorn.conf.py) and ``manage.py run_huey`` as child processes,
passes SIGINT and SIGTERM on to both, and stops when either ends: the other is stopped
too, and the exit status says which one died and how.  A supervisor (systemd, a
container runtime) restarts the whole; in production each runs as its own unit instead
(docs/operations.md).  ``--dev`` runs Django's auto-reloading development server in place
of gunicorn (``make dev``).

Before starting, the public cache's data stamp is renewed, so that pages rendered by the
previous code and templates are never served by the new ones.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kembar.common.public_cache import bump

#: How long the children get to stop after SIGTERM before they are killed.
STOP_SECONDS = 35


class Command(BaseCommand):
    help = "Serve Kembar (gunicorn, or runserver with --dev) with its task-queue worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dev", action="store_true", help="auto-reloading development server instead"
        )
        parser.add_argument(
            "--no-worker", action="store_true", help="the web server only, no task-queue worker"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        base = Path(settings.BASE_DIR)
        port = os.environ.get("PORT", "8000")
        if options["dev"]:
            web = [sys.executable, str(base / "manage.py"), "runserver", f"127.0.0.1:{port}"]
        else:
            web = [
                sys.executable,
                "-m",
                "gunicorn",
                "--config",
                str(base / "config" / "gunicorn.conf.py"),
            ]
        children = {_("web server"): web}
        if not options["no_worker"]:
            children[_("task-queue worker")] = [sys.executable, str(base / "manage.py"), "run_huey"]
        bump()
        status = self._supervise(children, cwd=base)
        if status:
            raise CommandError(_("Kembar stopped: see the message above."), returncode=status)

    def _supervise(self, commands: dict[str, list[str]], *, cwd: Path) -> int:
        processes = {
            name: subprocess.Popen(command, cwd=cwd)  # noqa: S603 (our own interpreter)
            for name, command in commands.items()
        }
        stopping: list[int] = []

        def forward(signum: int, _frame: FrameType | None) -> None:
            stopping.append(signum)
            for process in processes.values():
                if process.poll() is None:
                    process.send_signal(signum)

        previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            while True:
                for name, process in processes.items():
                    code = process.poll()
                    if code is not None:
                        return self._stop_rest(name, code, processes, bool(stopping))
                time.sleep(0.2)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _stop_rest(
        self, ended: str, code: int, processes: dict[str, subprocess.Popen[bytes]], asked: bool
    ) -> int:
        if not asked:
            self.stderr.write(
                _("The %(process)s stopped (exit status %(code)s); stopping the rest. "
                  "Its log above says why.") % {"process": ended, "code": code}
            )
        for process in processes.values():
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + STOP_SECONDS
        for process in processes.values():
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if asked:
            self.stdout.write(_("Stopped."))
            return 0
        # Killed by a signal (negative code): the shell's convention, 128 + the signal number.
        return 128 - code if code < 0 else code or 1
