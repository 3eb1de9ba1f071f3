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

Three parts of its work live in modules of their own and report through its signals: signing in and out
(``desktop.sign_in``), the selected order's details (``desktop.detail_loader``), and the worker, Temporal's state
and the stuck orders (``desktop.runtime_watch``).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from core.errors import ErrorCode
from core.models import (
    Action,
    Actor,
    OrderFilter,
    OrderRequest,
    OrderStatus,
    OrderSummary,
    Permission,
)
from core.remote.errors import SignInRequired
from core.runtime import DeskRuntime
from core.service_interface import OrderServiceProtocol
from core.settings import Settings
from desktop import formatting
from desktop.command_runner import CommandRunner
from desktop.deciding import Deciding
from desktop.detail_loader import DetailLoader
from desktop.export import export_orders
from desktop.local_changes import LocalChanges, newer
from desktop.orders_model import OrdersModel
from desktop.refresher import RESYNC_INTERVAL, OrdersRefresher
from desktop.reports import Message, Severity
from desktop.review_count import ReviewCount
from desktop.runtime_watch import RuntimeWatch
from desktop.session import ServerLogin, Session, local_session
from desktop.sign_in import TeamSignIn
from desktop.sign_in_text import FIRST_ASK, tr
from desktop.tokens import TokenStore
from desktop.views import PENDING_VIEW, OrderView

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
    bulkStarted = Signal(object, list)  # Action, (order ID, item) of every order it goes to ("": not in the table)
    bulkLanded = Signal(object, str)  # BulkOutcome, why it was refused ("" when it was not)
    exported = Signal(object)  # the Path written
    pendingArrived = Signal(list)  # OrderSummary awaiting this person's approval, new since the last poll
    closed = Signal()  # the worker and the embedded server have stopped
    sessionChanged = Signal(object)  # Session: who sits here now, and where
    signInRequired = Signal(str, str)  # the server's URL, why its token no longer works ("" when none was given)
    signInFailed = Signal(str)  # why signing in failed, for the connect dialog
    signedIn = Signal(str, bool)  # the server's URL, whether the token is in the keyring (False: this session only)
    signedOut = Signal(str)  # the server's URL
    reviewCountChanged = Signal(object)  # int: the orders this person may sign next; None: not known (yet)

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
        self.refresher.pendingArrived.connect(self._on_pending_arrived)
        self.commands = CommandRunner(self.busyChanged.emit, self.message.emit)
        self.details = DetailLoader(self.model, lambda: self.service, self.run, self)
        self.details.currentChanged.connect(self.currentChanged)
        self.details.detailsLoaded.connect(self.detailsLoaded)
        self.details.detailsFailed.connect(self.detailsFailed)
        self.details.ahead.connect(lambda details: self.learn(details.order_id, details.status, details.updated_at))
        self.review = ReviewCount(lambda: self.service, self.run, self.busy, self)
        self.review.changed.connect(self.reviewCountChanged)
        self.sessionChanged.connect(self._for_reviewer)
        self._for_reviewer(self.session)
        self.watch = RuntimeWatch(self)
        self._deciding = Deciding(self)
        self._team = TeamSignIn(self)
        self.refresher.refused.connect(self._team.token_refused)
        self._view = PENDING_VIEW
        self._closing = False
        runtime.listen(self.watch.on_runtime)

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
        return self.commands.busy(command)

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
        """Whether the service would let this person take ``action`` on ``order`` as it is now: its status, their
        role against the step it awaits, four-eyes (and, once its details are loaded, the steps they signed)."""
        details = self.details.known(order.order_id)
        return self.session.allows(action, order, details.steps if details is not None else None)

    def approve_refusal(self, order: OrderSummary) -> ErrorCode | None:
        """Why this person may not approve ``order`` though its status allows it (the approve tooltip says it)."""
        details = self.details.known(order.order_id)
        return self.session.approve_refusal(order, details.steps if details is not None else None)

    @property
    def default_currency(self) -> str:
        """The currency the form offers: the team server's when signed in (``GET /me``), else the settings'; empty
        when a server does not say (the person types one)."""
        return self.session.currency or ""

    def view_filter(self, view: OrderView, q: str | None) -> OrderFilter:
        """What ``view`` lists with the search ``q``, for the person at the desk (File → Export writes it)."""
        return view.filter(q, self.session.reviewer)

    def workflow_url(self, order_id: str) -> str | None:
        """The order's workflow in a Temporal Web UI: where the team server says (once its details were read), or
        the embedded server's or ``ORDER_DESK_TEMPORAL_UI_URL``."""
        if not self.signed_in:
            return self.settings.workflow_url(order_id)
        from core.http_service import HttpOrderService  # loaded by the sign-in; never on the embedded default

        return self.service.workflow_url(order_id) if isinstance(self.service, HttpOrderService) else None

    # ---- start-up -----------------------------------------------------------------------------

    def start(self) -> None:
        """Boot (or retry) in the background: signed in, the team server; else the embedded server if there is
        one, the service, the worker."""
        if self._closing or self.busy(Command.BOOT) or self.busy(Command.SIGN_IN):
            return
        self.tokens.detect_in_background()
        if self.login is None:
            self.watch.boot()
        elif self.login.token is None:
            self.signInRequired.emit(self.login.url, tr(FIRST_ASK).format(url=self.login.url))
        else:
            self.sign_in(self.login.url, self.login.token, from_dialog=False)

    # ---- a team server ----------------------------------------------------------------------------

    def sign_in(self, url: str, token: str, *, from_dialog: bool = True) -> None:
        """Sign in to the team server at ``url`` with a personal token (``desktop.sign_in``)."""
        self._team.sign_in(url, token, from_dialog=from_dialog)

    def sign_out(self) -> None:
        """Forget the token on this computer and go back to the embedded default."""
        self._team.sign_out()

    def forget_orders(self) -> None:
        """Another server's orders, or none: nothing of the last one's stays in the table."""
        self.model.apply([])
        self.local.clear()

    def run(self, command: str, what: str, call: Awaitable[object], failed: Callable[[Exception], Message | None],
             done: Callable[[object], None] = lambda _: None, after: Callable[[], None] = lambda: None) -> None:
        """``CommandRunner.run``, where a refused token asks the person to sign in again, whatever the command."""

        def failure(err: Exception) -> Message | None:
            if isinstance(err, SignInRequired):
                self._team.token_refused(err)
                return None
            return failed(err)

        self.commands.run(command, what, call, failure, done, after)

    # ---- the live list ------------------------------------------------------------------------

    def set_view(self, view: OrderView) -> None:
        """The table's tab: the model keeps only what the view holds, and the next poll asks for the view."""
        if view == self._view:
            return
        self._view = view
        self.refresher.set_view(view)
        self.model.retain(view.status_set)
        if view.review:  # at once: only what this person may sign; the list follows
            self.model.discard([order_id for order_id in self.model.order_ids()
                                if not self.refresher.shows(self.model.summary(order_id))])  # type: ignore[arg-type]
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
        self.review.ask()

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
        self.review.ask()

    def _for_reviewer(self, session: Session) -> None:
        """Who sits here changed: the review view and its count are theirs now."""
        self.refresher.set_reviewer(session.reviewer)
        self.review.set_reviewer(session.reviewer)

    def _on_alive(self, moment: datetime) -> None:
        """The table is current as of ``moment``; chores that follow the refreshes ride along."""
        self.refreshed.emit(moment)
        self.watch.alive()

    def _on_refresh_failed(self, error: str) -> None:
        self.refreshFailed.emit()
        text = self.tr("Refreshing the orders failed: {error}. Retrying…").format(error=error)
        self.message.emit(Message(text, Severity.WARNING, REFRESH, background=True))

    def _on_pending_arrived(self, orders: list[OrderSummary]) -> None:
        if Permission.APPROVE in self.session.may:  # a clerk cannot approve: nothing to announce
            mine = [order for order in orders if order.created_by != self.actor.name]
            if mine:
                self.pendingArrived.emit(mine)

    # ---- the current order's details --------------------------------------------------------------

    def set_current(self, order_id: str | None) -> None:
        """The order whose details the window shows (the table's current one), or None."""
        self.details.set_current(order_id)

    def _follow_current(self) -> None:
        """After the model changed: the actions follow, and the details if the current order moved on."""
        self.ordersChanged.emit()
        self.details.follow()

    # ---- commands -----------------------------------------------------------------------------

    def create(self, request: OrderRequest) -> None:
        """Start the order; once created it is shown and reported (``created``) before a poll lists it."""
        service = self.service
        if service is None or self._closing:
            return
        self.run(Command.CREATE, "Creating an order", self._create(service, request),
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
            order=order.order_id, quantity=formatting.number(order.quantity), item=formatting.isolated(order.item))
        self.message.emit(Message(text, Severity.SUCCESS, Command.CREATE))

    def decide(self, action: Action, order_ids: list[str], reason: str = "") -> None:
        """One order: decided at once; several: each outcome reported as it lands (``desktop.deciding``)."""
        self._deciding.decide(action, order_ids, reason)

    def learn(self, order_id: str, status: OrderStatus, updated_at: datetime | None = None) -> None:
        """A status learnt here (from a decision or the workflow itself): shown now, kept over older polls."""
        order = self.model.summary(order_id)
        if order is None or order.status == status:
            return
        order = order.model_copy(update={"status": status, "updated_at": updated_at or datetime.now(UTC)})
        self.local.record(order)
        self.model.upsert(order)
        self._follow_current()

    @property
    def view(self) -> OrderView:
        return self._view

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
        self.run(Command.EXPORT, f"Exporting to {path}", export_orders(service, where, path, progressed),
                           self._failure(Command.EXPORT, self.tr("The export failed, nothing was written to {path}: "
                                                                 "{error}"), path=path),
                           written, after=lambda: self.progressChanged.emit(None, None, None))

    def run_worker(self, run: bool) -> None:
        """Start or stop the embedded worker; the status bar follows it through ``workerChanged``."""
        self.watch.run_worker(run)

    def shutdown(self) -> None:
        """Stop polling, the start-up if still running, any decisions or export under way, the worker and the
        embedded server; then report ``closed``, whatever failed on the way."""
        if self._closing:
            return
        self._closing = True
        self.readyChanged.emit(False)
        self.progressChanged.emit(self.tr("Stopping the worker and the Temporal server…"), None, None)
        self.commands.run(Command.SHUTDOWN, "Stopping the desk", self._stop_all(), lambda _err: None,
                           after=self._stopped)

    async def _stop_all(self) -> None:
        await self.refresher.stop()
        await self.commands.cancel_all()
        await self.runtime.stop()
        close = getattr(self.service, "aclose", None)  # a team server's client; the runtime closed the rest
        if close is not None:
            await close()
        await self._team.close_refused()

    def _stopped(self) -> None:
        self.service = None
        log.info("Closed: %s", "the team server's client is closed" if self.signed_in
                 else "the worker and the embedded server have stopped")
        self.closed.emit()

    @staticmethod
    def _failure(source: Command, text: str, **fields: object) -> Callable[[Exception], Message]:
        """A failure as an error in the message line: ``text`` with the error as ``{error}``."""
        return lambda err: Message(text.format(error=err, **fields), Severity.ERROR, source)
