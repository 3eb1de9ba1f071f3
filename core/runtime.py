"""What a face needs running: the embedded server (on the embedded default), the service, a worker.

The desktop app and ``serve`` both start through here, so they start the same way.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import logging
from collections.abc import Callable
from enum import StrEnum

from core.embedded_server import EmbeddedServer
from core.service import OrderService
from core.settings import Settings
from core.worker import EmbeddedWorker

log = logging.getLogger(__name__)



class BootStep(StrEnum):
    """A step of start-up, reported with the address it concerns; each face words it in its own language."""

    STARTING_SERVER = "starting_server"
    CONNECTING = "connecting"
    STARTING_WORKER = "starting_worker"
    READY = "ready"


STEP_TEXT = {
    BootStep.STARTING_SERVER: "Starting the embedded Temporal server on {address}…",
    BootStep.CONNECTING: "Connecting to Temporal at {address}…",
    BootStep.STARTING_WORKER: "Starting the embedded worker…",
    BootStep.READY: "Ready: Temporal at {address}",
}

Progress = Callable[[BootStep, str], None]  # the step, the Temporal address


def log_progress(step: BootStep, address: str) -> None:
    log.info(STEP_TEXT[step].format(address=address))


@functools.cache
def _freeze_start_up() -> None:
    """What start-up built (the SDK, SQLAlchemy, Qt, the app's modules) lives as long as the face: frozen,
    it is out of every later full garbage collection, which otherwise walks all of it while holding the
    GIL — pauses of 130-340 ms in the Qt loop and in serve's replies. Once per process, so what a retried
    start left behind is still collected."""
    gc.freeze()


class DeskRuntime:
    def __init__(self, settings: Settings, with_worker: bool = True) -> None:
        self.settings = settings
        self.with_worker = with_worker
        self.server: EmbeddedServer | None = EmbeddedServer(settings) if settings.embedded else None
        self.worker: EmbeddedWorker | None = None
        self.service: OrderService | None = None

    @property
    def address(self) -> str:
        return self.server.address if self.server else self.settings.temporal_address

    async def start(self, progress: Progress = log_progress) -> OrderService:
        """Start what is missing; on failure, stop what was started and re-raise."""
        try:
            if self.server is not None:
                progress(BootStep.STARTING_SERVER, self.server.address)
                await self.server.start()
            progress(BootStep.CONNECTING, self.address)
            self.service = await OrderService.connect(self.settings, self.address)
            if self.with_worker:
                progress(BootStep.STARTING_WORKER, self.address)
                await self.start_worker()
            _freeze_start_up()
            progress(BootStep.READY, self.address)
            return self.service
        except BaseException:
            await self.stop()
            raise

    async def start_worker(self) -> None:
        if self.worker is None:
            self.worker = EmbeddedWorker(self.settings, self.address)
        await self.worker.start_async()

    async def stop_worker(self) -> None:
        if self.worker is not None:
            await self.worker.stop_async()

    async def stop(self) -> None:
        await self.stop_worker()
        self.worker = None
        self.service = None
        if self.server is not None:
            await asyncio.to_thread(self.server.stop)  # waits for the process: keep the caller's loop free
