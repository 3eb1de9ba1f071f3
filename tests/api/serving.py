"""``order-desk serve`` as a subprocess, for the tests that drive it over real HTTP: its environment, launching
it, and stopping it. The fixture ``served`` (in ``tests/api/conftest.py``) is one on the embedded default."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.helpers import free_port

ORDER_DESK = Path(sys.executable).parent / "order-desk"
START_TIMEOUT = 90.0
STOP_TIMEOUT = 10.0


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def children(self) -> list[int]:
        pids: list[int] = []
        for task in Path(f"/proc/{self.process.pid}/task").iterdir():
            pids += [int(pid) for pid in (task / "children").read_text().split()]
        return pids

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def clean_env(**overrides: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("ORDER_DESK_")}
    env.update(overrides)
    return env


def embedded_env(data_dir: Path, **overrides: str) -> dict[str, str]:
    """The embedded default with its data in ``data_dir`` and the Temporal server's ports free."""
    return clean_env(ORDER_DESK_DATA_DIR=str(data_dir), ORDER_DESK_EMBEDDED_PORT=str(free_port()),
                     ORDER_DESK_EMBEDDED_UI_PORT=str(free_port()), **overrides)


def launch(cwd: Path, env: dict[str, str], port: int, log: Path) -> Served:
    """``order-desk serve --port port``, everything it prints appended to ``log``."""
    with open(log, "ab") as out:
        process = subprocess.Popen([str(ORDER_DESK), "serve", "--port", str(port)], cwd=cwd, env=env,
                                   stdout=out, stderr=subprocess.STDOUT)
    return Served(process, f"http://localhost:{port}", log)


def kill(served: Served) -> None:
    if served.process.poll() is None:
        served.process.kill()
        served.process.wait()
