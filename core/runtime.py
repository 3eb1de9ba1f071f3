"""What a face needs running: the embedded server (on the embedded default), the service, a worker — and, once
they run, a watch over Temporal that brings them back when it dies.

The desktop app and ``serve`` both start through here, so they start, and recover, the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from core import machinery
from core.embedded_server import EmbeddedServer, ForeignServer
from core.settings import Settings

if TYPE_CHECKING:
    from core.service import OrderService
    from core.worker import EmbeddedWorker

log = logging.getLogger(__name__)

EXIT_POLL = 0.5  # seconds between looks at our server's process: a crash is seen within this
HEALTH_INTERVAL = 1.0  # seconds between health checks of a Temporal we did not start ...
OWN_HEALTH_INTERVAL = 3.0  # ... and of our own server, whose exit EXIT_POLL sees: these only find it hung (idle CPU)
HEALTH_FAILURES = 3  # checks in a row that must fail (2 s each at most) before a live server counts as gone
FIRST_RETRY = 0.5  # seconds before the second attempt to bring Temporal back; doubled after each failure ...
LAST_RETRY = 5.0  # ... up to this


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


class RuntimeState(StrEnum):
    """Temporal as the runtime's watch last saw it, after start-up; each face words it in its own language."""

    RUNNING = "running"  # it answers, and the embedded worker (if wanted) runs
    TEMPORAL_STOPPED = "temporal_stopped"  # it stopped answering and is not ours to restart: waiting for it
    RESTARTING = "restarting"  # our embedded server died or hung: starting it again on its data file
    FAILED = "failed"  # an attempt to bring it back failed; the next one follows after ``retry_in`` seconds
    RESTARTED = "restarted"  # it answers again and the embedded worker (if wanted) runs again

    @property
    def up(self) -> bool:
        return self in (RuntimeState.RUNNING, RuntimeState.RESTARTED)


@dataclass(frozen=True)
class RuntimeEvent:
    """One change of ``RuntimeState``: ``error`` says why it went down or why an attempt failed."""

    state: RuntimeState
    address: str
    error: str = ""
    attempt: int = 0
    retry_in: float | None = None


Listener = Callable[[RuntimeEvent], None]


def backoff() -> Iterator[float]:
    """Seconds to wait after each failed attempt: 0.5, 1, 2, 4, then 5 for ever (a freed port, a busy disk)."""
    delay = FIRST_RETRY
    while True:
        yield delay
        delay = min(2 * delay, LAST_RETRY)


@functools.cache
def _freeze_start_up() -> None:
    """What start-up built (the SDK, SQLAlchemy, Qt, the app's modules) lives as long as the face: frozen,
    it is out of every later full garbage collection, which otherwise walks all of it while holding the
    GIL — pauses of 130-340 ms in the Qt loop and in serve's replies. Once per process, so what a retried
    start left behind is still collected."""
    gc.freeze()


class DeskRuntime:
    """Starts the parts, watches Temporal while they run, stops them all.

    The watch notices our embedded server's exit within ``EXIT_POLL`` seconds, and any Temporal that fails
    ``HEALTH_FAILURES`` health checks in a row. Ours it restarts on the same data file, with backoff; one we
    reused or were pointed at it waits for. Meanwhile the embedded worker is stopped, so nobody reports it
    running, and once Temporal answers again a new worker (with a new client) takes over. The service keeps its
    client: the SDK reconnects it to the same address by itself. Listeners hear each ``RuntimeEvent``."""

    def __init__(self, settings: Settings, with_worker: bool = True) -> None:
        self.settings = settings
        self.with_worker = with_worker
        self.server: EmbeddedServer | None = EmbeddedServer(settings) if settings.embedded else None
        self.worker: EmbeddedWorker | None = None
        self.service: OrderService | None = None
        self.state: RuntimeState | None = None  # None until started
        self._listeners: list[Listener] = [_log_event]
        self._worker_wanted = with_worker
        self._worker_lock = asyncio.Lock()
        self._leaving: list[EmbeddedWorker] = []  # workers of a server that died, finishing in their own threads
        self._watch: asyncio.Task[None] | None = None
        self._watching = False

    @property
    def address(self) -> str:
        return self.server.address if self.server else self.settings.temporal_address

    @property
    def worker_wanted(self) -> bool:
        """Whether the embedded worker should run: what the runtime brings back once Temporal is back."""
        return self._worker_wanted

    def listen(self, listener: Listener) -> None:
        """Call ``listener`` with every ``RuntimeEvent``, on the loop that started the runtime."""
        self._listeners.append(listener)

    async def ledger_has_users(self) -> bool:
        """Whether the configured ledger holds users (``core.users.ledger_has_users``), asked in a thread: a desk
        then refuses to act on it locally, under an identity its settings merely claim."""
        await machinery.imported("core.users")  # off the Qt thread (core.machinery)
        from core.users import ledger_has_users

        return await asyncio.to_thread(ledger_has_users, self.settings.ledger_url)

    async def start(self, progress: Progress = log_progress) -> OrderService:
        """Start what is missing, then watch it; on failure, stop what was started and re-raise."""
        try:
            if self.server is not None:
                progress(BootStep.STARTING_SERVER, self.server.address)
                await self.server.start()
            await machinery.imported()  # imported meanwhile, while the server's process booted
            from core.service import OrderService

            progress(BootStep.CONNECTING, self.address)
            self.service = await OrderService.connect(self.settings, self.address)
            if self.with_worker:
                progress(BootStep.STARTING_WORKER, self.address)
                await self.start_worker()
            _freeze_start_up()
            progress(BootStep.READY, self.address)
            self.state = RuntimeState.RUNNING
            self._watching = True
            self._watch = asyncio.ensure_future(self._watch_temporal(self.service))
            self._watch.add_done_callback(_log_crash)
            return self.service
        except BaseException:
            await self.stop()
            raise

    async def start_worker(self) -> None:
        """Start the embedded worker (a person's wish: it is also started again after Temporal comes back)."""
        self._worker_wanted = True
        async with self._worker_lock:
            await self._start_worker()

    async def stop_worker(self) -> None:
        """Stop the embedded worker (a person's wish: it stays stopped after Temporal comes back)."""
        self._worker_wanted = False
        async with self._worker_lock:
            await self._stop_worker()

    async def _start_worker(self) -> None:
        if self.worker is None:
            from core.worker import EmbeddedWorker

            self.worker = EmbeddedWorker(self.settings, self.address)
        await self.worker.start_async()

    async def _stop_worker(self) -> None:
        if self.worker is not None:
            await self.worker.stop_async()

    async def stop(self) -> None:
        await self._stop_watching()
        async with self._worker_lock:
            await self._stop_worker()
        leaving, self._leaving = self._leaving, []
        for worker in leaving:
            await worker.stop_async()
        self.worker = None
        service, self.service = self.service, None
        if service is not None:
            service.close()
        self.state = None
        if self.server is not None:
            await asyncio.to_thread(self.server.stop)  # waits for the process: keep the caller's loop free

    async def _stop_watching(self) -> None:
        task, self._watch = self._watch, None
        self._watching = False  # a cancellation can be lost in 3.11's wait primitives; the flag cannot
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    # ---- the watch ----------------------------------------------------------------------------

    def _report(self, state: RuntimeState, error: str = "", attempt: int = 0, retry_in: float | None = None) -> None:
        self.state = state
        event = RuntimeEvent(state, self.address, error, attempt, retry_in)
        for listener in self._listeners:
            try:
                listener(event)
            except Exception:  # a face's bug must not end the watch
                log.exception("A listener failed on %s", event)

    async def _watch_temporal(self, service: OrderService) -> None:
        while self._watching:
            why = await self._gone(service)
            if why is not None:
                await self._bring_back(service, why)

    async def _gone(self, service: OrderService) -> str | None:
        """Wait until Temporal is gone and say why; None when the watch is stopping."""
        interval = OWN_HEALTH_INTERVAL if self._our_server() is not None else HEALTH_INTERVAL
        failures, next_check = 0, time.monotonic() + interval
        while self._watching:
            await asyncio.sleep(EXIT_POLL)
            process = self.server.process if self.server is not None else None
            if process is not None and process.poll() is not None:
                return f"the embedded Temporal server exited with code {process.returncode}"
            if time.monotonic() >= next_check:
                failures = 0 if await service.healthy() else failures + 1
                if failures >= HEALTH_FAILURES:
                    return f"no answer to {failures} health checks in a row"
                next_check = time.monotonic() + interval
        return None

    async def _bring_back(self, service: OrderService, why: str) -> None:
        """Stop the worker; restart our server, or wait for one that is not ours; start a new worker. Each attempt
        first asks whether Temporal answers, so a worker that fails to start never costs a live server its life,
        and a server that dies again meanwhile is restarted again."""
        ours = self._our_server()
        # Nothing is sent until the server is back and known to be ours: another data directory's server may take
        # the port (refused by the attempts below) and run what is sent there. A call fails at once, saying why.
        unavailable = f"Temporal at {self.address} is not available ({why}); waiting for it to come back"
        service.suspended = unavailable
        self._report(RuntimeState.RESTARTING if ours is not None else RuntimeState.TEMPORAL_STOPPED, why, attempt=1)
        try:
            if ours is not None:  # gone first (SIGKILL after 1 s if it hangs): the worker's goodbyes to it fail fast
                await asyncio.to_thread(ours.stop, 1.0)
            async with self._worker_lock:
                await self._drop_worker()
        except Exception:  # the attempts below bring Temporal back all the same (and so lift the suspension)
            log.exception("Stopping what ran on the lost Temporal failed")
        for attempt, delay in enumerate(backoff(), start=1):
            if not self._watching:
                return
            try:
                await self._attempt(service)
            except Exception as err:
                foreign = isinstance(err, ForeignServer)
                if foreign:
                    service.suspended = str(err)
                elif service.suspended is not None:  # not a worker that failed to start on a server found ours
                    service.suspended = unavailable
                if foreign or self._our_server() is not None:
                    self._report(RuntimeState.FAILED, str(err) or type(err).__name__, attempt, delay)
                await asyncio.sleep(delay)
                if self._our_server() is not None:
                    self._report(RuntimeState.RESTARTING, why, attempt + 1)
                continue
            self._report(RuntimeState.RESTARTED)
            return

    def _our_server(self) -> EmbeddedServer | None:
        """The embedded server if we started it, and so may restart it; not one we found running and reused."""
        return self.server if self.server is not None and not self.server.reused else None

    async def _attempt(self, service: OrderService) -> None:
        ours = self._our_server()
        if ours is not None and (ours.process is None or ours.process.poll() is not None):
            answers = False  # ours, and gone: no need to ask
        else:
            answers = await service.healthy()
            if answers and ours is None and self.server is not None:
                await self.server.check_ours()  # the one we reused, back: not another data directory's meanwhile
        if not answers:
            if ours is None:
                raise ConnectionError(f"Temporal at {self.address} does not answer")
            await asyncio.to_thread(ours.stop, 1.0)  # hung rather than gone: SIGKILL after 1 s
            await ours.start()  # from this (the face's) thread: the parent-death signal follows it
        service.suspended = None  # back and ours: the service may use it, whether or not a worker starts now
        async with self._worker_lock:
            if self._worker_wanted:
                await self._start_worker()

    async def _drop_worker(self) -> None:
        """Tell the worker to stop and forget it; a new one, with a new client, starts once Temporal is back. The old
        one stops polling at once, but what it still holds (a task's completion, which the SDK retries for seconds)
        is better delivered to the restarted server than waited for: it finishes in its own thread, and ``stop``
        waits for it."""
        worker, self.worker = self.worker, None
        if worker is not None:
            await worker.stop_async(timeout=0)
            if worker.running:
                self._leaving.append(worker)


def _log_event(event: RuntimeEvent) -> None:
    if event.state is RuntimeState.FAILED:
        log.warning("Temporal at %s is still down (attempt %d: %s); next attempt in %.1f s",
                    event.address, event.attempt, event.error, event.retry_in)
    elif event.state.up:
        log.info("Temporal at %s is back", event.address)
    elif event.attempt == 1:  # a further attempt's failure is logged above
        log.warning("Temporal at %s: %s (%s)", event.address, event.state.value.replace("_", " "), event.error)


def _log_crash(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("The watch over Temporal ended", exc_info=task.exception())
