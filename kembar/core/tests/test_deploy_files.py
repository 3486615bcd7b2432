"""The deployment files in deploy/ name files, commands and settings that exist.

They cannot run here (no systemd, no container engine), so what can drift is checked:
every path they copy or start, every command they run, every setting they set.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.core.management import get_commands

ROOT = Path(settings.BASE_DIR)
DEPLOY = ROOT / "deploy"


def test_containerfile_copies_paths_that_exist() -> None:
    text = (DEPLOY / "Containerfile").read_text()
    sources = [
        source
        for line in re.findall(r"^COPY (.+)$", text, flags=re.MULTILINE)
        for source in line.split()[:-1]
    ]

    assert sources == [
        "requirements.lock", "pyproject.toml", "manage.py", "LICENSE", "NOTICE", "README.md",
        "config", "kembar", "docs",
    ]  # fmt: skip
    assert [source for source in sources if not (ROOT / source).exists()] == []


def test_units_start_what_exists() -> None:
    web = (DEPLOY / "systemd" / "kembar-web.service").read_text()
    worker = (DEPLOY / "systemd" / "kembar-worker.service").read_text()

    assert "--config /opt/kembar/config/gunicorn.conf.py" in web
    assert (ROOT / "config" / "gunicorn.conf.py").is_file()
    assert "manage.py run_huey" in worker
    assert "run_huey" in get_commands()
    assert "KillSignal=SIGINT" in worker  # huey's graceful stop; TERM interrupts jobs


def test_environment_example_sets_only_settings_that_are_read() -> None:
    example = (DEPLOY / "systemd" / "kembar.env.example").read_text()
    names = re.findall(r"^([A-Z_]+)=", example, flags=re.MULTILINE)
    read = (ROOT / "config" / "settings.py").read_text()

    assert "DJANGO_SECRET_KEY" in names
    assert [name for name in names if f'"{name}"' not in read] == []
