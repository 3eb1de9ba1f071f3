"""The desk's own runtime, started and watched: start-up on the embedded default (the Temporal server, the
service, the worker, each step reported), the embedded worker (and switching it on and off), Temporal stopping
and coming back (the runtime's ``RuntimeEvent``s), and the orders stuck on the ledger (asked for every
``STUCK_EVERY`` seconds while the table is live). The part of ``DeskController`` that looks after the machinery
under it; it reports through the controller's signals.
"""

from __future__ import annotations

import logging
import math
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from core.runtime import BootStep, RuntimeEvent, RuntimeState
from core.service_interface import OrderServiceProtocol
from desktop import formatting
from desktop.boot_messages import TeamLedger, boot_failure_message, step_text
from desktop.reports import Message, Severity, WorkerState

if TYPE_CHECKING:
    from desktop.controller import DeskController

log = logging.getLogger(__name__)

BOOT = "boot"  # the command of the start-up, and the source of its messages
SIGN_IN = "sign_in"
WORKER = "worker"  # the command of a worker start or stop
TEMPORAL = "temporal"  # what the runtime's watch reports: Temporal stopped, restarting, back
STUCK = "stuck"  # the count of orders stuck on the ledger, asked for every STUCK_EVERY seconds
STUCK_EVERY = 5.0  # a cheap query (a thread hop, an indexed table that is almost always empty)


class RuntimeWatch(QObject):
    def __init__(self, desk: DeskController) -> None:
        super().__init__(desk)
        self.desk = desk
        self._stuck_asked = -math.inf

    # ---- start-up --------------------------------------------------------------------------------

    def boot(self) -> None:
        """Start the embedded server if there is one, the service and the worker, in the background; unless the
        ledger holds users (a team's): then nothing starts, and the person is asked to sign in to the team server."""
        self.desk.commands.run(BOOT, "Start-up", self._boot(), self._boot_failed, self._booted)

    async def _boot(self) -> OrderServiceProtocol:
        self._boot_step(self.tr("Starting…"))
        runtime = self.desk.runtime
        if runtime.service is not None:
            return runtime.service
        if await runtime.ledger_has_users():
            raise TeamLedger("the ledger has users: a team server's, to sign in to")
        return await runtime.start(progress=self._on_step)

    def _on_step(self, step: BootStep, address: str) -> None:
        self._boot_step(step_text(step, address))

    def _boot_step(self, text: str) -> None:
        self.desk.progressChanged.emit(text, None, None)
        self.desk.message.emit(Message(text, Severity.INFO, BOOT))

    def _boot_failed(self, err: Exception) -> Message:
        """Whatever stopped the start, the person gets a message that says what to do, and a Retry."""
        desk = self.desk
        desk.progressChanged.emit(None, None, None)
        text = boot_failure_message(desk.settings, desk.address, err)
        if isinstance(err, TeamLedger):  # identity from a verified token, never from a claim, once users exist
            log.warning("The ledger has users: not starting on it; asking to sign in to the team server instead")
            desk.signInRequired.emit("", text)
            return Message(text, Severity.WARNING, BOOT)
        desk.serverChanged.emit(desk.address, False)
        return Message(text, Severity.ERROR, BOOT, retry=True)

    def _booted(self, service: OrderServiceProtocol) -> None:
        desk = self.desk
        if desk.signed_in:  # signed in while the embedded default was still starting
            desk.run(SIGN_IN, "Stopping the embedded runtime", desk.runtime.stop(),
                     lambda err: Message(str(err), Severity.ERROR, SIGN_IN))
            return
        desk.service = service
        desk.progressChanged.emit(None, None, None)
        desk.serverChanged.emit(desk.address, True)
        desk.messageCleared.emit(BOOT)
        self.report_worker()
        desk.readyChanged.emit(True)
        desk.refresher.start(service)
        log.info("Ready: Temporal at %s, worker %s", desk.address, "running" if desk.worker_running else "not running")

    # ---- the embedded worker ---------------------------------------------------------------------

    def run_worker(self, run: bool) -> None:
        """Start or stop the embedded worker; the status bar follows it through ``workerChanged``."""
        desk = self.desk
        if not desk.worker_switchable:
            return
        desk.workerChanged.emit(WorkerState.STARTING if run else WorkerState.STOPPING, "", "")
        if run:
            call, what, failed = (desk.runtime.start_worker(), "Worker start",
                                  self.tr("Could not start the embedded worker: {error}"))
        else:
            call, what, failed = (desk.runtime.stop_worker(), "Worker stop",
                                  self.tr("Could not stop the embedded worker: {error}"))
        desk.commands.run(WORKER, what, call, lambda err: Message(failed.format(error=err), Severity.ERROR, WORKER),
                          lambda _: desk.messageCleared.emit(WORKER), after=self.report_worker)

    def report_worker(self) -> None:
        desk = self.desk
        if desk.busy(WORKER) or desk.signed_in:
            return  # a start or stop is under way (it reports when done), or the server runs the workers
        worker, error = desk.runtime.worker, ""
        if desk.temporal_down and desk.runtime.worker_wanted:
            state = WorkerState.WAITING  # stopped with Temporal (or about to be): never "running" meanwhile
        elif desk.worker_running:
            state = WorkerState.RUNNING
        elif worker is not None and worker.error is not None:
            state, error = WorkerState.FAILED, str(worker.error)
        elif not desk.runtime.with_worker:
            state = WorkerState.NOT_EMBEDDED
        else:
            state = WorkerState.STOPPED
        desk.workerChanged.emit(state, desk.settings.task_queue, error)

    # ---- orders stuck on the ledger --------------------------------------------------------------

    def alive(self) -> None:
        """The table is current: the chores that ride along with the refreshes."""
        self.report_worker()
        if time.monotonic() - self._stuck_asked >= STUCK_EVERY:
            self._count_stuck()

    def _count_stuck(self) -> None:
        desk = self.desk
        service = desk.service
        if service is None or desk.closing or desk.busy(STUCK):
            return
        self._stuck_asked = time.monotonic()
        desk.commands.run(STUCK, "Listing the orders stuck on the ledger", service.stuck_orders(),
                          lambda _err: None,  # logged; asked again a few seconds later
                          lambda stuck: desk.stuckChanged.emit([order.order_id for order in stuck]))

    # ---- Temporal's state ------------------------------------------------------------------------

    def on_runtime(self, event: RuntimeEvent) -> None:
        """The runtime's watch saw Temporal stop or come back. Meanwhile commands fail with their own messages
        (the table keeps listing the ledger); once it is back, the worker runs again and the table catches up."""
        desk = self.desk
        if desk.closing or desk.signed_in:
            return
        desk.temporalChanged.emit(event)
        desk.serverChanged.emit(event.address, event.state.up)
        self.report_worker()
        if event.state.up:
            desk.message.emit(Message(self.tr("Temporal at {address} is back: orders can be created and decided "
                                              "again.").format(address=event.address), Severity.SUCCESS, TEMPORAL,
                                      background=True))
            desk.refresh_now()
            return
        if event.state is RuntimeState.FAILED:
            text = self.tr("Temporal could not be restarted yet: {error}. Trying again in {seconds} s.").format(
                error=event.error, seconds=formatting.number(math.ceil(event.retry_in or 0)))
        elif event.state is RuntimeState.RESTARTING and event.attempt == 1:
            text = self.tr("The embedded Temporal server stopped ({error}). Restarting it; until it is back, "
                           "orders cannot be created or decided.").format(error=event.error)
        elif event.state is RuntimeState.TEMPORAL_STOPPED:
            text = self.tr("Temporal at {address} stopped answering ({error}). Waiting for it; until it is back, "
                           "orders cannot be created or decided.").format(address=event.address, error=event.error)
        else:
            return  # a further attempt: the status bar says so already
        # That it stopped is news worth hiding an older message for; how each attempt fares is not, nor is its return.
        desk.message.emit(Message(text, Severity.WARNING, TEMPORAL, background=event.state is RuntimeState.FAILED))
