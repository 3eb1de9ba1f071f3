"""``order-desk gui`` closes cleanly on SIGTERM and SIGINT: the worker and the embedded server stop, exit code 0."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import free_port

BOOT_SECONDS = 60
CLOSE_SECONDS = 15


def command() -> list[str]:
    script = Path(sys.executable).parent / "order-desk"
    return [str(script), "gui"] if script.is_file() else [sys.executable, "-m", "core.cli", "gui"]


def environment(tmp_path: Path) -> dict[str, str]:
    """The desk on the embedded default, offscreen, with nothing of the developer's own configuration."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("ORDER_DESK_")}
    env.update({
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),  # QSettings: never the person's own
        "ORDER_DESK_DATA_DIR": str(tmp_path / "data"),
        "ORDER_DESK_EMBEDDED_PORT": str(free_port()),
        "ORDER_DESK_EMBEDDED_UI_PORT": str(free_port()),
        "ORDER_DESK_ACTOR": "signal-tester",
        "ORDER_DESK_LANGUAGE": "en",
    })
    return env


def children(pid: int) -> dict[int, str]:
    """The child processes of ``pid``, with their command lines."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            if parent == pid:
                found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
    return found


def wait_for_line(process: subprocess.Popen[bytes], log: Path, text: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while text not in log.read_text(errors="replace"):
        assert process.poll() is None, f"the desk exited with {process.returncode}:\n{log.read_text()}"
        assert time.monotonic() < deadline, f"no {text!r} within {seconds} s:\n{log.read_text()}"
        time.sleep(0.1)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_closes_the_desk_cleanly(tmp_path: Path, signum: signal.Signals) -> None:
    log = tmp_path / "desk.log"
    with log.open("wb") as output:
        process = subprocess.Popen(command(), cwd=tmp_path, env=environment(tmp_path), stdin=subprocess.DEVNULL,
                                   stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for_line(process, log, "Ready: Temporal at", BOOT_SECONDS)
        servers = [pid for pid, line in children(process.pid).items() if "temporal" in line and "start-dev" in line]
        assert len(servers) == 1, children(process.pid)

        process.send_signal(signum)

        assert process.wait(CLOSE_SECONDS) == 0, log.read_text()
        assert "Closed: the worker and the embedded server have stopped" in log.read_text()
        assert not Path(f"/proc/{servers[0]}").exists()  # stopped and reaped by the desk, not left to the kernel
        assert "Traceback" not in log.read_text()
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
