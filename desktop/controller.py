"""The desk's work, apart from its widgets: start-up, signing in to a team server and out, the live orders, the
selected order's details, Temporal's state while the desk runs, and every command a person gives (create,
decide, export, run the worker, close).

``DeskController`` owns the service, typed as ``OrderServiceProtocol``: the local ``OrderService`` of its runtime
(the embedded default), or, signed in, an ``HttpOrderService`` of the team server's REST API; the rest of the
desk cannot tell them apart. It also owns the runtime, the refresher, the local changes and the orders model, and
the ``Session`` (who sits here, and what they may do). It builds no widgets and reads none: the window tells it
what the person did (``create``, ``decide``, ``sign_in``, ``set_current``…) and shows what it reports through its
signals. Every command runs through one ``CommandRunner``: busy, await, error to message, done. A token the
server refuses, on any call, asks the person to sign in again (``signInRequired``), keeping everything else.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from core.errors import Forbidden, InvalidTransition, OrderDeskError
from core.http_service import HttpOrderService
from core.models import (
    Action,
    Actor,
    BulkOutcome,
    OrderDetails,
    OrderFilter,
    OrderRequest,
    OrderStatus,
    OrderSummary,
    Permission,
)
from core.remote.errors import SignInRequired
from core.runtime import BootStep, DeskRuntime, RuntimeEvent, RuntimeState
from core.service_interface import OrderServiceProtocol
from core.settings import Settings
from desktop import formatting
from desktop.boot_messages import boot_failure_message, step_text
from desktop.command_runner import CommandRunner
from desktop.export import export_orders
from desktop.local_changes import LocalChanges, newer
from desktop.orders_model import OrdersModel
from desktop.outcomes import decided_text, tally_text
from desktop.refresher import RESYNC_INTERVAL, OrdersRefresher
from desktop.refusals import refusal_text
from desktop.reports import Message, Severity, WorkerState
from desktop.session import ServerLogin, Session, local_session, server_session
from desktop.sign_in_text import AGAIN, FIRST_ASK, SESSION_ONLY, SIGNED_IN, SIGNED_OUT, SIGNING_IN, sign_in_error, tr
from desktop.tokens import TokenStore
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
    SIGN_IN = "sign_in"
    SHUTDOWN = "shutdown"


REFRESH = "refresh"  # the poll's messages: no command of a person's
TEMPORAL = "temporal"  # what the runtime's watch reports: Temporal stopped, restarting, back
STUCK = "stuck"  # the count of orders stuck on the ledger, asked for every STUCK_EVERY seconds
STUCK_EVERY = 5.0  # a cheap query (a thread hop, an indexed table that is almost always empty)


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
    temporalChanged = Signal(object)  # RuntimeEvent: Temporal stopped, is restarting, is back
    stuckChanged = Signal(list)  # IDs of the orders whose ledger write keeps failing
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
    sessionChanged = Signal(object)  # Session: who sits here now, and where
    signInRequired = Signal(str, str)  # the server's URL, why its token no longer works ("" when none was given)
    signInFailed = Signal(str)  # why signing in failed, for the connect dialog
    signedIn = Signal(str, bool)  # the server's URL, whether the token is in the keyring (False: this session only)
    signedOut = Signal(str)  # the server's URL

    def __init__(self, settings: Settings, runtime: DeskRuntime, *, tokens: TokenStore | None = None,
                 login: ServerLogin | None = None, refresh_interval: float = RESYNC_INTERVAL, follow: bool = True,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.runtime = runtime
        self.tokens = tokens or TokenStore()
        self.session = local_session(settings)
        self.login = login  # the team server to sign in to, or signed in to; None on the embedded default
        self.service: OrderServiceProtocol | None = None
        self.local = LocalChanges()
        self.model = OrdersModel(self)
        self.refresher = OrdersRefresher(self.local, refresh_interval, follow=follow, parent=self)
        self.refresher.refreshed.connect(self._on_refreshed)
        self.refresher.changed.connect(self._on_changed)
        self.refresher.alive.connect(self._on_alive)
        self.refresher.failed.connect(self._on_refresh_failed)
        self.refresher.refused.connect(self._token_refused)
        self.refresher.pendingArrived.connect(self._on_pending_arrived)
        self._commands = CommandRunner(self.busyChanged.emit, self.message.emit)
        self._view = PENDING_VIEW
        self._current: str | None = None
        self._detail_request = 0
        self._detail_basis: tuple[str, OrderStatus, datetime | None] | None = None
        self._stuck_asked = -math.inf
        self._closing = False
        runtime.listen(self._on_runtime)

    # ---- state --------------------------------------------------------------------------------

    @property
    def actor(self) -> Actor:
        return self.session.actor

    @property
    def signed_in(self) -> bool:
        """On a team server (or on the way to one): no Temporal, worker or database of the desk's own."""
        return self.login is not None

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
    def temporal_down(self) -> bool:
        """The runtime's watch saw Temporal stop, and it is not back yet."""
        state = self.runtime.state
        return state is not None and not state.up

    @property
    def worker_switchable(self) -> bool:
        return self.ready and not self.signed_in and self.runtime.with_worker and not self.busy(Command.WORKER)

    def may(self, action: Action, order: OrderSummary) -> bool:
        """Whether the service would let this person take ``action`` on ``order`` as it is now."""
        return self.session.allows(action, order)

    def workflow_url(self, order_id: str) -> str | None:
        """The order's workflow in a Temporal Web UI: where the team server says (once its details were read), or
        the embedded server's or ``ORDER_DESK_TEMPORAL_UI_URL``."""
        if isinstance(self.service, HttpOrderService):
            return self.service.workflow_url(order_id)
        return None if self.signed_in else self.settings.workflow_url(order_id)

    # ---- start-up -----------------------------------------------------------------------------

    def start(self) -> None:
        """Boot (or retry) in the background: signed in, the team server; else the embedded server if there is
        one, the service, the worker."""
        if self._closing or self.busy(Command.BOOT) or self.busy(Command.SIGN_IN):
            return
        if self.login is not None:
            if self.login.token is None:
                self.signInRequired.emit(self.login.url, tr(FIRST_ASK).format(url=self.login.url))
            else:
                self.sign_in(self.login.url, self.login.token, from_dialog=False)
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
        if self.signed_in:  # signed in while the embedded default was still starting
            self._run(Command.SIGN_IN, "Stopping the embedded runtime", self.runtime.stop(), self._failure(
                Command.SIGN_IN, "{error}"))
            return
        self.service = service
        self.progressChanged.emit(None, None, None)
        self.serverChanged.emit(self.address, True)
        self.messageCleared.emit(Command.BOOT)
        self._report_worker()
        self.readyChanged.emit(True)
        self.refresher.start(service)
        log.info("Ready: Temporal at %s, worker %s", self.address, "running" if self.worker_running else "not running")

    # ---- a team server ----------------------------------------------------------------------------

    def sign_in(self, url: str, token: str, *, from_dialog: bool = True) -> None:
        """Sign in to the team server at ``url`` with a personal token: once ``GET /me`` accepts it, the desk works
        through the server alone (the embedded runtime, if running, stops) and keeps the token in the keyring."""
        if self._closing or self.busy(Command.SIGN_IN):
            return
        self.progressChanged.emit(tr(SIGNING_IN).format(url=url), None, None)
        self._commands.run(Command.SIGN_IN, f"Signing in to {url}", self._connect(url, token),
                           lambda err: self._sign_in_failed(url, err, from_dialog), self._signed_in,
                           after=lambda: self.progressChanged.emit(None, None, None))

    async def _connect(self, url: str, token: str) -> tuple[HttpOrderService, Session, str]:
        service = HttpOrderService(url, token, self.settings.server_ca)
        try:
            me = await service.me()
        except BaseException:
            await service.aclose()
            raise
        await self._drop_service()
        return service, server_session(me, service.url), token

    async def _drop_service(self) -> None:
        """Stop what serves the desk now: the refresher, and the team server's client or the embedded runtime."""
        service, self.service = self.service, None
        if service is not None:
            self.readyChanged.emit(False)
        await self.refresher.stop()
        if isinstance(service, HttpOrderService):
            await service.aclose()
        elif self.runtime.service is not None:
            await self.runtime.stop()
            self.workerChanged.emit(WorkerState.NOT_EMBEDDED, self.settings.task_queue, "")

    def _signed_in(self, result: tuple[HttpOrderService, Session, str]) -> None:
        service, session, token = result
        if session.server != self.session.server:  # another server's orders: nothing of the last one stays
            self.model.apply([])
            self.local.clear()
        self.login = ServerLogin(service.url, token)
        self.session = session
        self.service = service
        persistent = self.tokens.put(service.url, token)
        self.sessionChanged.emit(session)
        self.signedIn.emit(service.url, persistent)
        self.messageCleared.emit(Command.BOOT)
        text = tr(SIGNED_IN).format(url=service.url, name=session.actor.name)
        if not persistent:
            text = f"{text} {tr(SESSION_ONLY)}"
        self.message.emit(Message(text, Severity.SUCCESS if persistent else Severity.INFO, Command.SIGN_IN))
        self.readyChanged.emit(True)
        self.refresher.start(service)
        log.info("Signed in to %s as %s (%s)", service.url, session.actor.name, session.actor.role or "no role")

    def _sign_in_failed(self, url: str, err: Exception, from_dialog: bool) -> Message | None:
        text = sign_in_error(err)
        if from_dialog:
            self.signInFailed.emit(text)
            return None
        if isinstance(err, SignInRequired):
            self.signInRequired.emit(url, text)
            return None
        return Message(text, Severity.ERROR, Command.BOOT, retry=True)

    def sign_out(self) -> None:
        """Forget the token on this computer and go back to the embedded default."""
        login = self.login
        if login is None or self._closing or self.busy(Command.SIGN_IN):
            return
        self.tokens.forget(login.url)
        self.login = None

        def signed_out(_: None) -> None:
            self.session = local_session(self.settings)
            self.model.apply([])
            self.local.clear()
            self.sessionChanged.emit(self.session)
            self.signedOut.emit(login.url)
            self.message.emit(Message(tr(SIGNED_OUT).format(url=login.url), Severity.INFO, Command.SIGN_IN))
            self.start()

        self._commands.run(Command.SIGN_IN, "Signing out", self._drop_service(),
                           self._failure(Command.SIGN_IN, "{error}"), signed_out)

    def _token_refused(self, err: SignInRequired) -> None:
        """The server no longer takes the token (revoked, rotated): ask for a new one; the form, the view and the
        table stay as they are, and a command can be sent again once signed in."""
        if self.login is None or self._closing:
            return
        why = sign_in_error(err)
        self.message.emit(Message(tr(AGAIN).format(url=self.login.url, why=why), Severity.WARNING, Command.SIGN_IN))
        self.refreshFailed.emit()
        self.signInRequired.emit(self.login.url, why)

    def _run(self, command: str, what: str, call: Awaitable[object], failed: Callable[[Exception], Message | None],
             done: Callable[[object], None] = lambda _: None, after: Callable[[], None] = lambda: None) -> None:
        """``CommandRunner.run``, where a refused token asks the person to sign in again, whatever the command."""

        def failure(err: Exception) -> Message | None:
            if isinstance(err, SignInRequired):
                self._token_refused(err)
                return None
            return failed(err)

        self._commands.run(command, what, call, failure, done, after)

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
        """A whole list of the view: the model becomes exactly it."""
        self.model.apply(orders, moment)
        self.messageCleared.emit(REFRESH)
        self._on_alive(moment)
        self._follow_current()

    def _on_changed(self, shown: list[OrderSummary], gone: list[OrderSummary]) -> None:
        """Changes from the feed: each order the view shows is put in or updated, each that left it taken out;
        never back to an older state than the row has (a list may already have been ahead of the feed)."""
        for order in shown:
            known = self.model.summary(order.order_id)
            if known is None or newer(order, known):
                self.model.upsert(order)
        self.model.discard([order.order_id for order in gone
                            if (known := self.model.summary(order.order_id)) is not None and newer(order, known)])
        self._follow_current()

    def _on_alive(self, moment: datetime) -> None:
        """The table is current as of ``moment``; chores that follow the refreshes ride along."""
        self.refreshed.emit(moment)
        self._report_worker()
        if time.monotonic() - self._stuck_asked >= STUCK_EVERY:
            self._count_stuck()

    def _count_stuck(self) -> None:
        service = self.service
        if service is None or self._closing or self.busy(STUCK):
            return
        self._stuck_asked = time.monotonic()
        self._commands.run(STUCK, "Listing the orders stuck on the ledger", service.stuck_orders(),
                           lambda _err: None,  # logged; asked again a few seconds later
                           lambda stuck: self.stuckChanged.emit([order.order_id for order in stuck]))

    def _on_refresh_failed(self, error: str) -> None:
        self.refreshFailed.emit()
        text = self.tr("Refreshing the orders failed: {error}. Retrying…").format(error=error)
        self.message.emit(Message(text, Severity.WARNING, REFRESH, background=True))

    def _on_pending_arrived(self, orders: list[OrderSummary]) -> None:
        if Permission.APPROVE in self.session.may:  # a clerk cannot approve: nothing to announce
            mine = [order for order in orders if order.created_by != self.actor.name]
            if mine:
                self.pendingArrived.emit(mine)

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
        self._run(Command.DETAILS, f"Loading the details of {order_id}", service.details(order_id),
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
        self._run(Command.CREATE, "Creating an order", self._create(service, request),
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
        self._run(Command.DECISION, f"Deciding {order_id}",
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

        self._run(Command.DECISION, f"The {action.value} of {len(order_ids)} orders",
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
        self._run(Command.EXPORT, f"Exporting to {path}", export_orders(service, where, path, progressed),
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
        if self.busy(Command.WORKER) or self.signed_in:
            return  # a start or stop is under way (it reports when done), or the server runs the workers
        worker, error = self.runtime.worker, ""
        if self.temporal_down and self.runtime.worker_wanted:
            state = WorkerState.WAITING  # stopped with Temporal (or about to be): never "running" meanwhile
        elif self.worker_running:
            state = WorkerState.RUNNING
        elif worker is not None and worker.error is not None:
            state, error = WorkerState.FAILED, str(worker.error)
        elif not self.runtime.with_worker:
            state = WorkerState.NOT_EMBEDDED
        else:
            state = WorkerState.STOPPED
        self.workerChanged.emit(state, self.settings.task_queue, error)

    # ---- Temporal's state ----------------------------------------------------------------------

    def _on_runtime(self, event: RuntimeEvent) -> None:
        """The runtime's watch saw Temporal stop or come back. Meanwhile commands fail with their own messages
        (the table keeps listing the ledger); once it is back, the worker runs again and the table catches up."""
        if self._closing or self.signed_in:
            return
        self.temporalChanged.emit(event)
        self.serverChanged.emit(event.address, event.state.up)
        self._report_worker()
        if event.state.up:
            self.message.emit(Message(self.tr("Temporal at {address} is back: orders can be created and decided "
                                              "again.").format(address=event.address), Severity.SUCCESS, TEMPORAL,
                                      background=True))
            self.refresh_now()
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
        self.message.emit(Message(text, Severity.WARNING, TEMPORAL, background=event.state is RuntimeState.FAILED))

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
        if isinstance(self.service, HttpOrderService):
            await self.service.aclose()

    def _stopped(self) -> None:
        self.service = None
        log.info("Closed: the worker and the embedded server have stopped")
        self.closed.emit()

    @staticmethod
    def _failure(source: Command, text: str, **fields: object) -> Callable[[Exception], Message]:
        """A failure as an error in the message line: ``text`` with the error as ``{error}``."""
        return lambda err: Message(text.format(error=err, **fields), Severity.ERROR, source)
