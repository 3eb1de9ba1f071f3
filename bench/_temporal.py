"""The one fresh Temporal dev server a benchmark run uses, the settings of each path, and a worker of any
shape in a thread of its own (as the app's ``EmbeddedWorker`` runs the app's worker)."""

from __future__ import annotations

import asyncio
import compileall
import threading
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from temporalio.client import Client
from temporalio.worker import Worker

from core.embedded_server import EmbeddedServer
from core.settings import Settings
from core.temporal_client import connect
from tests.helpers import free_port

ROOT = Path(__file__).resolve().parent.parent


def bench_settings(data_dir: Path, address: str = "", **overrides: Any) -> Settings:
    """Settings that no ``ORDER_DESK_*`` of the developer's shell or ``.env`` can change: no reminder timer,
    no identities, no encryption, the ledger in ``data_dir``, a task queue of its own."""
    values: dict[str, Any] = {
        "temporal_address": address, "task_queue": f"bench-{uuid.uuid4().hex[:12]}", "data_dir": data_dir,
        "embedded_port": free_port(), "embedded_ui_port": free_port(), "database_url": None,
        "approval_reminder": None, "approval_deadline": None, "simulate_validation_failures": 0,
        "blocked_items": [], "api_token": None, "tokens_file": None, "roles": {}, "actor": None,
        "payload_encryption_key": None,
    }
    return Settings(_env_file=None, **{**values, **overrides})


def metrics_url(server: EmbeddedServer) -> str:
    return f"http://{server.HOST}:{server.settings.embedded_metrics_port}/metrics"


def current_bytecode() -> None:
    """Bring the workflow's ``.pyc`` up to date. The workflow sandbox imports the workflow modules afresh for every
    workflow run; where their bytecode is older than the source and Python may not rewrite it
    (``PYTHONDONTWRITEBYTECODE``, set on the benchmark host, after any edit) it compiles the source every time:
    about 10 ms of the worker's CPU per order that an install (or the bundle) never pays (docs/BENCHMARKS.md)."""
    for package in ("workflows", "bench"):  # bench: the raw path's workflow runs in the sandbox too
        compileall.compile_dir(ROOT / package, quiet=1)


@asynccontextmanager
async def fresh_server(data_dir: Path) -> AsyncIterator[EmbeddedServer]:
    """A new embedded dev server on free ports (its metrics too) with its database in ``data_dir``; the workflow's
    bytecode made current first, so the figures are those of an install."""
    current_bytecode()
    server = EmbeddedServer(bench_settings(data_dir, embedded_metrics_port=free_port()))
    await server.start()
    try:
        yield server
    finally:
        await asyncio.to_thread(server.stop)


WorkerFactory = Callable[[Client], Worker]


class ThreadedWorker:
    """Any worker on its own loop, thread and client: the app's ``EmbeddedWorker`` arrangement, so the raw
    baseline's worker shares the process with the clients exactly as the app's does."""

    def __init__(self, settings: Settings, address: str, factory: WorkerFactory) -> None:
        self._settings = settings
        self._address = address
        self._factory = factory
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._main, name="bench-worker", daemon=True)

    def start(self, timeout: float = 30.0) -> None:
        self._thread.start()
        if not self._ready.wait(timeout):
            raise TimeoutError("the benchmark's worker did not start")
        if self._error is not None:
            raise self._error

    def stop(self, timeout: float = 30.0) -> None:
        if self._loop is not None and self._stop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout)

    def _main(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._serve())
        except BaseException as err:  # reported to start()
            self._error = err
        finally:
            self._ready.set()
            loop.close()

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        client = await connect(self._settings, self._address)
        async with self._factory(client):
            self._ready.set()
            await self._stop.wait()
