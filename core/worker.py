"""The Temporal worker: as a process of its own (``order-desk worker``) or embedded in a thread.

The embedded worker runs on its own event loop with its own Client: a temporalio Client is
bound to the loop that made it, so the worker never shares the face's client.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import threading

from temporalio.client import Client
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from activities.legacy import LegacyArguments
from activities.orders import OrderActivities
from core import closed_outside, telemetry
from core.errors import TemporalUnavailable
from core.ledger import Ledger
from core.notify.mail import SmtpConfig
from core.service import OrderService
from core.settings import Settings
from core.temporal_client import connect
from workflows.order_approval import OrderApprovalWorkflow

log = logging.getLogger(__name__)

# Modules the sandbox may use as they are loaded outside it: they are deterministic, and
# re-importing pydantic models for every workflow run is what makes a sandboxed worker slow.
# opentelemetry: the tracing interceptor's workflow half records spans through it, when tracing is on.
# workflows.decision_rules: pure functions of their arguments, so one copy serves every run (the sandbox would import
# it afresh for each).
PASSTHROUGH_MODULES = ("core", "activities", "pydantic", "pydantic_core", "annotated_types", "opentelemetry",
                       "workflows.decision_rules")
# Activities, and local activities, at once per worker. An activity is handed over eagerly, in the reply to the
# workflow task that scheduled it, only while a slot is free; otherwise it costs the Temporal server a dispatch
# through matching, a poll and a write. With 16, under 50 orders in flight, 1.5-1.9 of an order's 3 activities
# went through matching; with 64, none (docs/BENCHMARKS.md). Threads are made only as work needs them.
ACTIVITY_SLOTS = 64


def build_worker(client: Client, settings: Settings,
                 executor: concurrent.futures.Executor | None = None, ledger: Ledger | None = None) -> Worker:
    activities = OrderActivities(
        ledger or Ledger(settings.ledger_url),
        simulate_validation_failures=settings.simulate_validation_failures,
        blocked_items=settings.blocked_items,
        mail=SmtpConfig.of(settings),
    )
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=[OrderApprovalWorkflow],
        activities=[
            activities.validate_order,
            activities.notify_manager,
            activities.process_approved_order,
            activities.process_rejected_order,
            activities.process_expired_order,
            activities.record_order,
        ],
        # Every activity is sync (the ledger's drivers block): a thread for every slot of either kind, so a
        # task never waits in the pool's queue while its start-to-close timeout runs.
        activity_executor=executor or concurrent.futures.ThreadPoolExecutor(max_workers=2 * ACTIVITY_SLOTS),
        max_concurrent_activities=ACTIVITY_SLOTS,
        max_concurrent_local_activities=ACTIVITY_SLOTS,
        interceptors=[LegacyArguments(), *telemetry.current().worker_interceptors],
        workflow_runner=SandboxedWorkflowRunner(
            restrictions=SandboxRestrictions.default.with_passthrough_modules(*PASSTHROUGH_MODULES)),
    )


async def run_worker(settings: Settings, address: str, stop: asyncio.Event | None = None) -> None:
    """Run a worker until ``stop`` is set (or forever), then shut it down gracefully."""
    try:
        client = await connect(settings, address)
    except RuntimeError as err:  # the SDK's refused connection: said in one line, as serve says it
        raise TemporalUnavailable(f"Temporal at {address} does not answer: {err}") from err
    log.info("Worker listening on task queue %r at %s", settings.task_queue, address)
    await work(client, settings, stop or asyncio.Event())
    log.info("Worker stopped")


async def work(client: Client, settings: Settings, stop: asyncio.Event, started: threading.Event | None = None) -> None:
    """Work until ``stop`` is set: the worker, and the sweep that marks the orders Temporal closed outside Order Desk
    (``core.closed_outside``: no activity of theirs runs again to tell the ledger). ``started`` is set once polling."""
    ledger = Ledger(settings.ledger_url)
    try:
        async with build_worker(client, settings, ledger=ledger):
            if started is not None:
                started.set()
            await closed_outside.sweep(OrderService(client, settings, ledger), stop)
    finally:
        ledger.close()


class EmbeddedWorker:
    """A worker in a thread of its own, for the desktop app and ``serve``."""

    def __init__(self, settings: Settings, address: str) -> None:
        self.settings = settings
        self.address = address
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop = asyncio.Event()  # bound to the worker's loop at its first wait
        self._stop_requested = threading.Event()  # a stop that lands before the loop exists
        self._started = threading.Event()
        self.error: BaseException | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, timeout: float = 30.0) -> None:
        """Start the thread and wait until the worker is polling (or raise its start-up error)."""
        if self.running:
            return
        self.error = None
        self._started.clear()
        self._stop = asyncio.Event()
        self._stop_requested.clear()
        self._thread = threading.Thread(target=self._main, name="order-desk-worker", daemon=True)
        self._thread.start()
        if not self._started.wait(timeout):
            raise TimeoutError(f"the embedded worker did not start within {timeout:.0f} s")
        if self.error is not None:
            # The thread is ending (it set the error in its finally): let it, so nobody sees it "running".
            self._thread.join(timeout)
            raise self.error

    async def start_async(self, timeout: float = 30.0) -> None:
        """``start`` without blocking the caller's event loop (the Qt loop, say)."""
        await asyncio.to_thread(self.start, timeout)

    def _main(self) -> None:
        # A plain asyncio loop even under qasync, whose policy would hand this thread a Qt loop.
        loop = asyncio.DefaultEventLoopPolicy().new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._serve())
        except BaseException as err:  # reported to start() or kept for whoever asks
            self.error = err
            log.exception("Embedded worker failed")
        finally:
            self._started.set()
            loop.close()
            self._loop = None

    async def _serve(self) -> None:
        client = await connect(self.settings, self.address)
        if self._stop_requested.is_set():
            self._stop.set()
        await work(client, self.settings, self._stop, self._started)

    def stop(self, timeout: float = 30.0) -> None:
        """Ask the worker to finish its in-flight tasks and wait for the thread to end."""
        thread, stop = self._thread, self._stop
        if thread is None:
            return
        self._stop_requested.set()
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # closed meanwhile: the worker has ended
                loop.call_soon_threadsafe(stop.set)
        thread.join(timeout)
        if not thread.is_alive():  # else it is still finishing its tasks: still running, as ``running`` says
            self._thread = None

    async def stop_async(self, timeout: float = 30.0) -> None:
        await asyncio.to_thread(self.stop, timeout)
