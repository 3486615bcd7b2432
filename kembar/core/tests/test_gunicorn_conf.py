"""config/gunicorn.conf.py: each gunicorn master on a machine gets a control socket of its own.

gunicorn's default control socket path is one per user; two masters (two ``manage.py
serve`` on two ports, as bench/scaleout.py runs them) took it from each other.
"""

from __future__ import annotations

import os
import runpy
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from gunicorn.ctl.client import ControlClient

CONF = Path(settings.BASE_DIR) / "config" / "gunicorn.conf.py"
_OURS = ("PORT", "KEMBAR_BIND", "KEMBAR_VAR_DIR", "KEMBAR_GUNICORN_CONTROL_SOCKET")


def _conf(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict[str, Any]:
    """The configuration's values as gunicorn reads them, in this environment."""
    for name in _OURS:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONF))


def test_two_ports_get_two_control_sockets_under_var(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    first = _conf(monkeypatch, PORT="8001", KEMBAR_VAR_DIR=str(tmp_path))
    second = _conf(monkeypatch, PORT="8002", KEMBAR_VAR_DIR=str(tmp_path))

    assert first["control_socket"] == str(tmp_path / "gunicorn-127.0.0.1-8001.ctl")
    assert second["control_socket"] == str(tmp_path / "gunicorn-127.0.0.1-8002.ctl")
    assert first["control_socket_disable"] is second["control_socket_disable"] is False


@pytest.mark.parametrize(
    ("bind", "name"),
    [
        ("0.0.0.0:8000", "gunicorn-0.0.0.0-8000.ctl"),
        ("[::1]:8000", "gunicorn-1-8000.ctl"),
        ("unix:/run/kembar/web.sock", "gunicorn-run-kembar-web.sock.ctl"),
    ],
)
def test_the_socket_is_named_by_the_address_bound(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, bind: str, name: str
) -> None:
    conf = _conf(monkeypatch, KEMBAR_BIND=bind, KEMBAR_VAR_DIR=str(tmp_path))

    assert conf["control_socket"] == str(tmp_path / name)


def test_var_defaults_to_the_project_var(monkeypatch: pytest.MonkeyPatch) -> None:
    conf = _conf(monkeypatch)

    assert conf["control_socket"] == str(
        Path(settings.BASE_DIR) / "var" / "gunicorn-127.0.0.1-8000.ctl"
    )


def test_the_socket_can_be_placed_or_turned_off(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    placed = _conf(monkeypatch, KEMBAR_GUNICORN_CONTROL_SOCKET=str(tmp_path / "web.ctl"))
    off = _conf(monkeypatch, KEMBAR_GUNICORN_CONTROL_SOCKET="off")

    assert (placed["control_socket"], placed["control_socket_disable"]) == (
        str(tmp_path / "web.ctl"),
        False,
    )
    assert off["control_socket_disable"] is True


# --- two real masters ------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(path: Path, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while not path.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"no control socket {path}:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)


@pytest.fixture
def two_masters(tmp_path: Path) -> Iterator[dict[int, subprocess.Popen[bytes]]]:
    """Two gunicorn masters with the real configuration, one worker each, sharing var/."""
    base = {
        **{key: value for key, value in os.environ.items() if key not in _OURS},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'kembar.sqlite3'}",
        "KEMBAR_VAR_DIR": str(tmp_path / "var"),
        "KEMBAR_WARM_UP": "0",
        "KEMBAR_WEB_WORKERS": "1",
        "KEMBAR_WEB_THREADS": "1",
        "KEMBAR_LOG_LEVEL": "WARNING",
    }
    base.pop("REDIS_URL", None)
    masters: dict[int, subprocess.Popen[bytes]] = {}
    try:
        for port in (_free_port(), _free_port()):
            log = tmp_path / f"gunicorn-{port}.log"
            masters[port] = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "--config", str(CONF)],
                cwd=settings.BASE_DIR,
                env={**base, "PORT": str(port)},
                stdout=log.open("w"),
                stderr=subprocess.STDOUT,
            )
            _wait_for(tmp_path / "var" / f"gunicorn-127.0.0.1-{port}.ctl", masters[port], log)
        yield masters
    finally:
        for process in masters.values():
            if process.poll() is None:
                process.kill()
                process.wait()


def test_two_masters_on_one_machine_each_keep_their_control_socket(
    tmp_path: Path, two_masters: dict[int, subprocess.Popen[bytes]]
) -> None:
    sockets = {port: tmp_path / "var" / f"gunicorn-127.0.0.1-{port}.ctl" for port in two_masters}

    for port, path in sockets.items():
        with ControlClient(str(path), timeout=10) as client:
            listeners = client.send_command("show listeners")
        assert [entry["address"] for entry in listeners["listeners"]] == [
            f"http://127.0.0.1:{port}"
        ]

    # The first one stops: it removes its own socket, and the second keeps answering on its.
    first, second = list(two_masters)
    two_masters[first].send_signal(signal.SIGTERM)
    assert two_masters[first].wait(timeout=40) == 0

    assert not sockets[first].exists()
    with ControlClient(str(sockets[second]), timeout=10) as client:
        listeners = client.send_command("show listeners")
    assert [entry["address"] for entry in listeners["listeners"]] == [f"http://127.0.0.1:{second}"]
