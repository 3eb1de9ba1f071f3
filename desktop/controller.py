"""The desk's work, apart from its widgets: start-up, the live orders, the selected order's details, and every
command a person gives (create, decide, export, run the worker, close).

``DeskController`` owns the runtime and the service (typed as ``OrderServiceProtocol``, so an HTTP client of
the REST API can stand in for the local service), the refresher, the local changes and the orders model. It
builds no widgets and reads none: the window tells it what the person did (``create``, ``decide``,
``set_current``…) and shows what it reports through its signals. Every command runs through one
``CommandRunner``: busy, await, error to message, done.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from core.errors import Forbidden, InvalidTransition, OrderDeskError
from core.models import (
    Action,
    BulkOutcome,
    OrderDetails,
    OrderFilter,
    OrderRequest,
    OrderStatus,
    OrderSummary,
    Role,
)
from core.runtime import BootStep, DeskRuntime
from core.service_interface import OrderServiceProtocol
from core.settings import Settings
from desktop import formatting
from desktop.boot_messages import boot_failure_message, step_text
from desktop.command_runner import CommandRunner
from desktop.export import export_orders
from desktop.identity import desk_actor
from desktop.local_changes import LocalChanges
from desktop.orders_model import OrdersModel
from desktop.outcomes import decided_text, tally_text
from desktop.refresher import OrdersRefresher
from desktop.refusals import refusal_text
from desktop.reports import Message, Severity, WorkerState
from desktop.views import PENDING_VIEW, STATUS_RANK, OrderView

log = logging.getLogger(__name__)


class Command(StrEnum):
    """What the desk is busy with; also the source of the messages each command shows."""

    BOOT = "boot"
    CREATE = "create"
    DECISION = "decision"
    DETAILS = "details"
    EXPORT = "export"
    WORKER = "worker"
    SHUTDOWN = "shutdown"


REFRESH = "refresh"  # the poll's messages: no command of a person's


def _basis(order: OrderSummary) -> tuple[str, OrderStatus, datetime | None]:
    """What the details shown were loaded for: they are loaded again when any of it moves on."""
    return order.order_id, order.status, order.updated_at


class DeskController(QObject):
    readyChanged = Signal(bool)  # the service is there and the desk is not closing
    busyChanged = Signal(str, bool)  # Command, busy
    message = Signal(object)  # Message for the message line
    messageCleared = Signal(str)  # the source whose message is no longer true
    progressChanged = Signal(object, object, object)  # text (None: idle), done, total (None: unknown)
    serverChanged = Signal(str, bool)  # the Temporal address, connected
    workerChanged = Signal(object, str, str)  # WorkerState, task queue, error
    refreshed = Signal(object)  # the datetime of the poll the model now shows
    refreshFailed = Signal()
    ordersChanged = Signal()  # statuses in the model changed: what may be decided follows
    viewChanged = Signal(object)  # the OrderView the controller switched to (to show a created order)
    currentChanged = Signal(object)  # the OrderSummary the details show at once, or None
    detailsLoaded = Signal(object)  # OrderDetails of the current order
    detailsFailed = Signal(str)  # why the current order's details could not be loaded
    created = Signal(object)  # OrderSummary of the order just created, already in the model
    bulkStarted = Signal(object, list)  # Action, the OrderSummary of every order it goes to
    bulkLanded = Signal(object, str)  # BulkOutcome, why it was refused ("" when it was not)
    exported = Signal(object)  # the Path written
    pendingArrived = Signal(list)  # OrderSummary awaiting this person's approval, new since the last poll
    closed = Signal()  # the worker and the embedded server have stopped

    def __init__(self, settings: Settings, runtime: DeskRuntime, *, refresh_interval: float = 1.0,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.runtime = runtime
        self.actor = desk_actor(settings)
        self.service: OrderServiceProtocol | None = None
        self.local = LocalChanges()
        self.model = OrdersModel(self)
        self.refresher = OrdersRefresher(self.local, refresh_interval, parent=self)
        self.refresher.refreshed.connect(self._on_refreshed)
        self.refresher.failed.connect(self._on_refresh_failed)
        self.refresher.pendingArrived.connect(self._on_pending_arrived)
        self._commands = CommandRunner(self.busyChanged.emit, self.message.emit)
        self._view = PENDING_VIEW
        self._current: str | None = None
        self._detail_request = 0
        self._detail_basis: tuple[str, OrderStatus, datetime | None] | None = None
        self._closing = False

    # ---- state --------------------------------------------------------------------------------

    @property
    def address(self) -> str:
        return self.runtime.address

    @property
    def ready(self) -> bool:
        return self.service is not None and not self._closing

    @property
    def closing(self) -> bool:
        return self._closing

    def busy(self, command: Command) -> bool:
        return self._commands.busy(command)

    @property
    def can_decide(self) -> bool:
        return self.ready and not self.busy(Command.DECISION)

    @property
    def worker_running(self) -> bool:
        worker = self.runtime.worker
        return worker is not None and worker.running

    @property
    def worker_switchable(self) -> bool:
        return self.ready and self.runtime.with_worker and not self.busy(Command.WORKER)

    # ---- start-up -----------------------------------------------------------------------------

    def start(self) -> None:
        """Boot (or retry) in the background: the embedded server if there is one, the service, the worker."""
        if self._closing or self.busy(Command.BOOT):
            return
        self._commands.run(Command.BOOT, "Start-up", self._boot(), self._boot_failed, self._booted)

    async def _boot(self) -> OrderServiceProtocol:
        self._boot_step(self.tr("Starting…"))
        return self.runtime.service or await self.runtime.start(progress=self._on_step)

    def _on_step(self, step: BootStep, address: str) -> None:
        self._boot_step(step_text(step, address))

    def _boot_step(self, text: str) -> None:
        self.progressChanged.emit(text, None, None)
        self.message.emit(Message(text, Severity.INFO, Command.BOOT))

    def _boot_failed(self, err: Exception) -> Message:
        """Whatever stopped the start, the person gets a message that says what to do, and a Retry."""
        self.progressChanged.emit(None, None, None)
        self.serverChanged.emit(self.address, False)
        return Message(boot_failure_message(self.settings, self.address, err), Severity.ERROR, Command.BOOT,
                       retry=True)

    def _booted(self, service: OrderServiceProtocol) -> None:
        self.service = service
        self.progressChanged.emit(None, None, None)
        self.serverChanged.emit(self.address, True)
        self.messageCleared.emit(Command.BOOT)
        self._report_worker()
        self.readyChanged.emit(True)
        self.refresher.start(service)
        log.info("Ready: Temporal at %s, worker %s", self.address, "running" if self.worker_running else "not running")

    # ---- the live list ------------------------------------------------------------------------

    def set_view(self, view: OrderView) -> None:
        """The table's tab: the model keeps only what the view holds, and the next poll asks for the view."""
        if view == self._view:
            return
        self._view = view
        self.model.retain(view.status_set)
        self.refresher.set_view(view)
        self.viewChanged.emit(view)

    def set_query(self, text: str) -> None:
        self.refresher.set_query(text)

    def refresh_now(self) -> None:
        self.refresher.refresh_now()

    def _on_refreshed(self, orders: list[OrderSummary], moment: datetime) -> None:
        self.model.apply(orders, moment)
        self.refreshed.emit(moment)
        self.messageCleared.emit(REFRESH)
        self._report_worker()
        self._follow_current()

    def _on_refresh_failed(self, error: str) -> None:
        self.refreshFailed.emit()
        text = self.tr("Refreshing the orders failed: {error}. Retrying…").format(error=error)
        self.message.emit(Message(text, Severity.WARNING, REFRESH, background=True))

    def _on_pending_arrived(self, orders: list[OrderSummary]) -> None:
        if self.actor.role is not Role.CLERK:  # a clerk cannot approve: nothing to announce
            self.pendingArrived.emit([order for order in orders if order.created_by != self.actor.name])

    def _learn(self, order_id: str, status: OrderStatus, updated_at: datetime | None = None) -> None:
        """A status learnt here (from a decision or the workflow itself): shown now, kept over older polls."""
        order = self.model.summary(order_id)
        if order is None or order.status == status:
            return
        order = order.model_copy(update={"status": status, "updated_at": updated_at or datetime.now(UTC)})
        self.local.record(order)
        self.model.upsert(order)
        self._follow_current()

    # ---- the current order's details --------------------------------------------------------------

    def set_current(self, order_id: str | None) -> None:
        """The order whose details the window shows (the table's current one), or None."""
        self._current = order_id or None
        self._show(self.model.summary(order_id) if order_id else None)

    def _show(self, order: OrderSummary | None) -> None:
        self.currentChanged.emit(order)
        if order is None:
            self._detail_basis = None
        else:
            self._load_details(order)

    def _follow_current(self) -> None:
        """After the model changed: the actions follow, and the details if the current order moved on."""
        self.ordersChanged.emit()
        order = self.model.summary(self._current) if self._current else None
        if order is not None and self._detail_basis != _basis(order):
            self._show(order)

    def _load_details(self, order: OrderSummary) -> None:
        service = self.service
        if service is None:
            return
        self._detail_request += 1
        self._detail_basis = _basis(order)
        request, order_id = self._detail_request, order.order_id
        self._commands.run(Command.DETAILS, f"Loading the details of {order_id}", service.details(order_id),
                           lambda err: self._details_failed(order_id, request, err),
                           lambda details: self._details_loaded(details, request))

    def _latest(self, order_id: str, request: int) -> bool:
        """Whether the selection has stayed put since this request was made."""
        return request == self._detail_request and order_id == self._current

    def _details_failed(self, order_id: str, request: int, err: Exception) -> None:
        if self._latest(order_id, request):
            self.detailsFailed.emit(str(err) or type(err).__name__)  # in the detail pane, not the message line

    def _details_loaded(self, details: OrderDetails, request: int) -> None:
        if not self._latest(details.order_id, request):
            return
        self.detailsLoaded.emit(details)
        known = self.model.status_of(details.order_id)
        if known is not None and STATUS_RANK[details.status] > STATUS_RANK[known]:
            # The workflow itself is ahead of the list's index: show what it says now.
            self._learn(details.order_id, details.status, details.updated_at)

    # ---- commands -----------------------------------------------------------------------------

    def create(self, request: OrderRequest) -> None:
        """Start the order; once created it is shown and reported (``created``) before a poll lists it."""
        service = self.service
        if service is None or self._closing:
            return
        self._commands.run(Command.CREATE, "Creating an order", self._create(service, request),
                           self._failure(Command.CREATE, self.tr("The order was not created: {error}")), self._created)

    async def _create(self, service: OrderServiceProtocol, request: OrderRequest) -> OrderSummary:
        return await service.summary(await service.create_order(request, self.actor))

    def _created(self, order: OrderSummary) -> None:
        self.local.record(order)
        if not self._view.includes(order.status):
            self.set_view(PENDING_VIEW)
        self.model.upsert(order)
        self.created.emit(order)
        text = self.tr("Created order {order}: {quantity} × {item}").format(
            order=order.order_id, quantity=formatting.number(order.quantity), item=order.item)
        self.message.emit(Message(text, Severity.SUCCESS, Command.CREATE))

    def decide(self, action: Action, order_ids: list[str], reason: str = "") -> None:
        """One order: decided at once. Several: through ``decide_many`` (the service's bound on calls in flight),
        each outcome reported as it lands. The service decides, per order, whether it is allowed."""
        service = self.service
        if service is None or not self.can_decide or not order_ids:
            return
        if len(order_ids) > 1:
            self._decide_many(service, action, order_ids, reason or None)
            return
        [order_id] = order_ids
        self._commands.run(Command.DECISION, f"Deciding {order_id}",
                           service.decide(order_id, action, self.actor, reason or None),
                           lambda err: self._refused(action, order_id, err),
                           lambda status: self._decided(order_id, status))

    def _refused(self, action: Action, order_id: str, err: Exception) -> Message:
        if not isinstance(err, OrderDeskError):
            return self._failure(Command.DECISION, self.tr("Could not decide on {order}: {error}"), order=order_id)(err)
        current = getattr(err, "current_status", None)
        if current is not None:
            self._learn(order_id, current)
        severity = Severity.WARNING if isinstance(err, InvalidTransition | Forbidden) else Severity.ERROR
        return Message(f"{order_id}: {refusal_text(action, err.code, current, str(err))}", severity,
                       Command.DECISION)

    def _decided(self, order_id: str, status: OrderStatus) -> None:
        self._learn(order_id, status)
        self.message.emit(Message(decided_text(order_id, status), Severity.SUCCESS, Command.DECISION))

    def _decide_many(self, service: OrderServiceProtocol, action: Action, order_ids: list[str],
                     reason: str | None) -> None:
        orders = [order for order_id in order_ids if (order := self.model.summary(order_id)) is not None]
        self.bulkStarted.emit(action, orders)

        def landed(outcome: BulkOutcome) -> None:
            why = "" if outcome.ok else refusal_text(action, outcome.code, outcome.status, outcome.error)
            self.bulkLanded.emit(outcome, why)
            if outcome.status is not None:
                self._learn(outcome.order_id, outcome.status)

        def tally(outcomes: list[BulkOutcome]) -> None:
            refused = sum(not outcome.ok for outcome in outcomes)
            self.message.emit(Message(tally_text(action, len(outcomes) - refused, refused),
                                      Severity.WARNING if refused else Severity.SUCCESS, Command.DECISION))

        self._commands.run(Command.DECISION, f"The {action.value} of {len(order_ids)} orders",
                           service.decide_many(order_ids, action, self.actor, reason, progress=landed),
                           self._failure(Command.DECISION, self.tr("The decisions could not all be sent: {error}")),
                           tally)

    def export(self, path: Path, where: OrderFilter) -> None:
        """Write every order matching ``where`` to ``path`` as CSV, with its progress in the status bar."""
        service = self.service
        if service is None or self._closing or self.busy(Command.EXPORT):
            return

        def progressed(done: int, total: int) -> None:
            self.progressChanged.emit(self.tr("Exporting orders: {done} of {total}…").format(
                done=formatting.number(done), total=formatting.number(total)), done, total)

        def written(count: int) -> None:
            self.exported.emit(path)
            self.message.emit(Message(self.tr("Exported {count} orders to {path}.").format(
                count=formatting.number(count), path=path), Severity.SUCCESS, Command.EXPORT))

        self.progressChanged.emit(self.tr("Exporting orders…"), None, None)
        self._commands.run(Command.EXPORT, f"Exporting to {path}", export_orders(service, where, path, progressed),
                           self._failure(Command.EXPORT, self.tr("The export failed, nothing was written to {path}: "
                                                                 "{error}"), path=path),
                           written, after=lambda: self.progressChanged.emit(None, None, None))

    def run_worker(self, run: bool) -> None:
        """Start or stop the embedded worker; the status bar follows it through ``workerChanged``."""
        if not self.worker_switchable:
            return
        self.workerChanged.emit(WorkerState.STARTING if run else WorkerState.STOPPING, "", "")
        if run:
            call, what, failed = (self.runtime.start_worker(), "Worker start",
                                  self.tr("Could not start the embedded worker: {error}"))
        else:
            call, what, failed = (self.runtime.stop_worker(), "Worker stop",
                                  self.tr("Could not stop the embedded worker: {error}"))
        self._commands.run(Command.WORKER, what, call, self._failure(Command.WORKER, failed),
                           lambda _: self.messageCleared.emit(Command.WORKER), after=self._report_worker)

    def _report_worker(self) -> None:
        if self.busy(Command.WORKER):
            return  # a start or stop is under way: it reports when done
        worker, error = self.runtime.worker, ""
        if self.worker_running:
            state = WorkerState.RUNNING
        elif worker is not None and worker.error is not None:
            state, error = WorkerState.FAILED, str(worker.error)
        elif not self.runtime.with_worker:
            state = WorkerState.NOT_EMBEDDED
        else:
            state = WorkerState.STOPPED
        self.workerChanged.emit(state, self.settings.task_queue, error)

    def shutdown(self) -> None:
        """Stop polling, the start-up if still running, any decisions or export under way, the worker and the
        embedded server; then report ``closed``, whatever failed on the way."""
        if self._closing:
            return
        self._closing = True
        self.readyChanged.emit(False)
        self.progressChanged.emit(self.tr("Stopping the worker and the Temporal server…"), None, None)
        self._commands.run(Command.SHUTDOWN, "Stopping the desk", self._stop_all(), lambda _err: None,
                           after=self._stopped)

    async def _stop_all(self) -> None:
        await self.refresher.stop()
        await self._commands.cancel_all()
        await self.runtime.stop()

    def _stopped(self) -> None:
        self.service = None
        log.info("Closed: the worker and the embedded server have stopped")
        self.closed.emit()

    @staticmethod
    def _failure(source: Command, text: str, **fields: object) -> Callable[[Exception], Message]:
        """A failure as an error in the message line: ``text`` with the error as ``{error}``."""
        return lambda err: Message(text.format(error=err, **fields), Severity.ERROR, source)
