"""``order-desk serve`` (and ``order-desk worker``) as real subprocesses on the benchmark's Temporal server."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

import core
from core.settings import Settings
from tests.helpers import free_port

START_TIMEOUT = 60.0
CHECKOUT = Path(core.__file__).resolve().parents[1]


def app_env(settings: Settings, address: str) -> dict[str, str]:
    """The environment of an ``order-desk`` subprocess on the benchmark's server, queue and data dir, and no
    ``ORDER_DESK_*`` of the developer's shell."""
    return {
        **{name: value for name, value in os.environ.items() if not name.startswith("ORDER_DESK_")},
        "ORDER_DESK_TEMPORAL_ADDRESS": address,
        "ORDER_DESK_TASK_QUEUE": settings.task_queue,
        "ORDER_DESK_DATA_DIR": str(settings.data_dir),
        "ORDER_DESK_APPROVAL_REMINDER": "off",
        "PYTHONPATH": str(CHECKOUT),  # the code this benchmark runs, even from a copy of the checkout
    }


class WorkerProcess:
    """``python -m core.cli worker``: the scale-out deployment's worker, beside ``serve --no-worker``."""

    def __init__(self, settings: Settings, address: str, log: Path) -> None:
        self._env = app_env(settings, address)
        self._log = log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def start(self) -> None:
        with open(self._log, "ab") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "core.cli", "worker"], env=self._env,
                                            cwd=self._log.parent, stdin=subprocess.DEVNULL, stdout=log,
                                            stderr=subprocess.STDOUT)

    def stop(self) -> None:
        _stop(self.process)
        self.process = None


class ServeProcess:
    """``python -m core.cli serve`` with ``ORDER_DESK_TEMPORAL_ADDRESS`` set; its own worker unless
    ``with_worker`` is off. Its output (uvicorn's access log included, as in production) goes to a file."""

    def __init__(self, settings: Settings, address: str, with_worker: bool, log: Path,
                 env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._log = log
        self._command = [sys.executable, "-m", "core.cli", "serve", "--port", str(self.port)]
        if not with_worker:
            self._command.append("--no-worker")
        self._env = {**app_env(settings, address), **(env or {})}
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    async def start(self) -> None:
        with open(self._log, "ab") as log:
            # cwd: the data dir, so no .env of the checkout changes what is measured.
            self.process = subprocess.Popen(self._command, env=self._env, cwd=self._log.parent,
                                            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        process = self.process

        def exited() -> str | None:
            code = process.poll()
            return None if code is None else f"order-desk serve exited with {code}; see {self._log}"

        if not await _healthy(self.base_url, exited):
            self.stop()
            raise TimeoutError(f"order-desk serve did not answer within {START_TIMEOUT:.0f} s; see {self._log}")

    def stop(self) -> None:
        _stop(self.process)
        self.process = None


def _stop(process: subprocess.Popen[bytes] | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class SeedPeerProcess:
    """``bench._seed_peer``: the seed's API under uvicorn and its worker, two processes, as its README runs them."""

    def __init__(self, address: str, task_queue: str, directory: Path) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._directory = directory
        self._env = {**os.environ, "PYTHONPATH": str(CHECKOUT)}
        self._api = [sys.executable, "-m", "bench._seed_peer", "api", address, task_queue, str(self.port)]
        self._worker = [sys.executable, "-m", "bench._seed_peer", "worker", address, task_queue]
        self.process: subprocess.Popen[bytes] | None = None
        self.worker: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    @property
    def worker_pid(self) -> int | None:
        return self.worker.pid if self.worker else None

    async def start(self) -> None:
        with open(self._directory / "seed-worker.log", "ab") as log:
            self.worker = subprocess.Popen(self._worker, env=self._env, cwd=self._directory, stdin=subprocess.DEVNULL,
                                           stdout=log, stderr=subprocess.STDOUT)
        with open(self._directory / "seed-api.log", "ab") as log:
            self.process = subprocess.Popen(self._api, env=self._env, cwd=self._directory, stdin=subprocess.DEVNULL,
                                            stdout=log, stderr=subprocess.STDOUT)
        processes = (self.process, self.worker)

        def exited() -> str | None:
            gone = any(process.poll() is not None for process in processes)
            return f"the seed peer exited; see {self._directory}/seed-*.log" if gone else None

        if not await _healthy(self.base_url, exited):
            self.stop()
            raise TimeoutError(f"the seed peer did not answer within {START_TIMEOUT:.0f} s")

    def stop(self) -> None:
        _stop(self.process)
        _stop(self.worker)
        self.process = self.worker = None


async def _healthy(base_url: str, exited: Callable[[], str | None]) -> bool:
    """Poll ``/healthz`` until it answers 200 (True) or START_TIMEOUT passes (False); a process that ``exited``
    says so at once, as a RuntimeError with its words."""
    deadline = time.monotonic() + START_TIMEOUT
    async with httpx.AsyncClient(base_url=base_url) as http:
        while time.monotonic() < deadline:
            why = exited()
            if why:
                raise RuntimeError(why)
            try:
                if (await http.get("/healthz")).status_code == 200:
                    return True
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    return False
