"""The main window: wires the order form, the orders table and the detail pane to the service.

It receives its runtime (and so its service) from outside. Start-up runs in ``boot()`` after the
window shows; every call to the service is an async slot that disables its control, awaits the
call, turns an ``OrderDeskError`` into a message in the window and re-enables in ``finally``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QPoint, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QSplitter, QToolBar, QVBoxLayout, QWidget
from qasync import asyncSlot

from core.errors import Forbidden, InvalidTransition, OrderDeskError, TemporalUnavailable
from core.models import Action, OrderRequest, OrderStatus, OrderSummary, Role
from core.runtime import DeskRuntime
from core.service import OrderService
from core.settings import Settings
from desktop.decision_actions import DecisionActions
from desktop.detail_pane import DetailPane
from desktop.identity import describe, desk_actor
from desktop.local_changes import LocalChanges
from desktop.message_bar import MessageBar, Severity
from desktop.notifier import PendingNotifier
from desktop.order_form import OrderForm
from desktop.orders_model import OrdersModel
from desktop.orders_table import OrdersTable
from desktop.reason_dialog import ReasonDialog
from desktop.refresher import OrdersRefresher
from desktop.resources import icon
from desktop.status_bar import DeskStatusBar
from desktop.views import PENDING_VIEW, STATUS_RANK, STATUS_TEXT, VIEWS, OrderView
from desktop.window_state import WindowState

log = logging.getLogger(__name__)


def boot_failure_message(settings: Settings, address: str, err: BaseException) -> str:
    """Say what failed and what a person can do about it."""
    detail = (str(err) or type(err).__name__).rstrip(".")
    if settings.embedded:
        return (f"The embedded Temporal server could not start on {address}: {detail}. "
                f"Fix the cause (or set ORDER_DESK_TEMPORAL_ADDRESS to a running server) and press Retry.")
    if not isinstance(err, TemporalUnavailable):  # its message already names the address
        detail = f"Temporal at {address} could not be reached: {detail}"
    return (f"{detail}. Check that the server is running and that ORDER_DESK_TEMPORAL_ADDRESS is right, "
            f"then press Retry.")


class MainWindow(QMainWindow):
    closed = Signal()  # after the worker and the embedded server have stopped

    def __init__(self, settings: Settings, runtime: DeskRuntime, store: QSettings, *,
                 refresh_interval: float = 1.0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle("Order Desk")
        self.setWindowIcon(icon("app"))
        self.settings = settings
        self.runtime = runtime
        self.actor = desk_actor(settings)
        self.service: OrderService | None = None
        self._state = WindowState(store)
        self._boot_task: asyncio.Task[None] | None = None
        self._shutdown_task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._deciding = False
        self._worker_busy = False
        self._closing_done = False
        self._detail_request = 0
        self._detail_basis: tuple[str, OrderStatus, datetime | None] | None = None

        self.local = LocalChanges()
        self.model = OrdersModel(self)
        self.refresher = OrdersRefresher(self.local, refresh_interval, parent=self)
        self.messages = MessageBar(self)
        self.form = OrderForm(self)
        self.table = OrdersTable(self.model, self)
        self.detail = DetailPane(settings.workflow_url, self)
        self.status = DeskStatusBar(self)
        self.decisions = DecisionActions(self)
        self.notifier = PendingNotifier(icon("app"), self)
        self.setStatusBar(self.status)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([840, 440])
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.addWidget(self.messages)
        layout.addWidget(self.form)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self._build_actions()
        self._connect()

        self.status.set_actor(describe(self.actor))
        self.status.set_server(f"Temporal: {runtime.address or 'not configured'}")
        self.status.set_worker("not started")
        screen = QGuiApplication.primaryScreen().availableGeometry()
        self.resize(min(1320, int(screen.width() * 0.95)), min(760, int(screen.height() * 0.9)))
        saved_view = self._state.restore(self, self.splitter, self.table.view.horizontalHeader())
        self.table.set_view(saved_view or PENDING_VIEW)
        self._set_ready(False)

    # ---- construction -----------------------------------------------------------------------

    def _build_actions(self) -> None:
        self.refresh_action = self._action("refreshAction", "&Refresh now", "F5", self.refresher.refresh_now,
                                           icon("refresh"))
        self.new_order_action = self._action("newOrderAction", "&New order", "Ctrl+N", self._focus_form)
        self.find_action = self._action("findAction", "&Find", "Ctrl+F", self._focus_search)
        self.copy_id_action = self._action("copyIdAction", "Copy order &ID", None, self._copy_order_id)
        self.web_ui_action = self._action("webUiAction", "Open in Temporal &Web UI", "Ctrl+Shift+W",
                                          self.detail.open_workflow, icon("web-ui"))
        self.quit_action = self._action("quitAction", "&Quit", QKeySequence.StandardKey.Quit, self.close)
        self.worker_action = QAction(icon("worker"), "Run embedded &worker", self)
        self.worker_action.setObjectName("workerToggle")
        self.worker_action.setCheckable(True)
        self.worker_action.setEnabled(False)
        self.worker_action.toggled.connect(self._toggle_worker)

        menus = self.menuBar()
        file_menu = menus.addMenu("&File")
        file_menu.addAction(self.quit_action)
        orders_menu = menus.addMenu("&Orders")
        orders_menu.addAction(self.new_order_action)
        orders_menu.addSeparator()
        orders_menu.addActions(list(self.decisions.actions.values()))
        orders_menu.addSeparator()
        orders_menu.addAction(self.copy_id_action)
        orders_menu.addAction(self.web_ui_action)
        view_menu = menus.addMenu("&View")
        view_menu.addAction(self.refresh_action)
        view_menu.addAction(self.find_action)
        view_menu.addSeparator()
        for number, view in enumerate(VIEWS, start=1):
            view_menu.addAction(self._action(f"view{view.title}Action", view.title, f"Ctrl+{number}",
                                             lambda view=view: self.table.set_view(view)))
        worker_menu = menus.addMenu("&Worker")
        worker_menu.addAction(self.worker_action)

        toolbar = QToolBar("Decisions", self)
        toolbar.setObjectName("decisionToolbar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.addActions(list(self.decisions.actions.values()))
        toolbar.addSeparator()
        toolbar.addAction(self.refresh_action)
        self.toolbar = toolbar
        self.addToolBar(toolbar)

    def _action(self, name: str, text: str, shortcut: str | QKeySequence.StandardKey | None, slot: Any,
                action_icon: Any = None) -> QAction:
        action = QAction(text, self) if action_icon is None else QAction(action_icon, text, self)
        action.setObjectName(name)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _connect(self) -> None:
        self.form.submitted.connect(self._create)
        self.table.currentOrderChanged.connect(self._on_current_changed)
        self.table.viewChanged.connect(self._on_view_changed)
        self.table.contextMenuRequested.connect(self._show_context_menu)
        self.decisions[Action.APPROVE].triggered.connect(self._approve)
        self.decisions[Action.REJECT].triggered.connect(self._ask_reject_reason)
        self.decisions[Action.CANCEL].triggered.connect(self._cancel)
        self.refresher.refreshed.connect(self._on_refreshed)
        self.refresher.failed.connect(self._on_refresh_failed)
        self.refresher.pendingArrived.connect(self._on_pending_arrived)
        self.messages.retryRequested.connect(self.start)
        self.notifier.activated.connect(self._bring_to_front)

    # ---- start-up ---------------------------------------------------------------------------

    def start(self) -> None:
        """Boot (or retry) in the background; the window stays responsive meanwhile."""
        if self._shutdown_task is None and (self._boot_task is None or self._boot_task.done()):
            self._boot_task = asyncio.ensure_future(self.boot())

    async def boot(self) -> None:
        self.messages.clear(source="boot")
        self._on_progress("Starting…")
        try:
            service = self.runtime.service or await self.runtime.start(progress=self._on_progress)
        except Exception as err:  # whatever stopped the start, the person gets a message and a Retry
            log.warning("Start-up failed: %s", err, exc_info=not isinstance(err, OrderDeskError))
            self.status.set_progress(None)
            self.status.set_server(f"Temporal: {self.runtime.address or 'not configured'} (not connected)")
            self.messages.show_message(boot_failure_message(self.settings, self.runtime.address, err),
                                       Severity.ERROR, source="boot", retry=True)
            return
        self.service = service
        self.status.set_progress(None)
        self.status.set_server(f"Temporal: {self.runtime.address}")
        self.messages.clear(source="boot")
        self._update_worker_state()
        self._set_ready(True)
        self.refresher.set_view(self.table.current_view)
        self.refresher.start(service)

    def _on_progress(self, text: str) -> None:
        self.status.set_progress(text)
        self.messages.show_message(text, Severity.INFO, source="boot")

    @property
    def ready(self) -> bool:
        return self.service is not None and self._shutdown_task is None

    def _set_ready(self, ready: bool) -> None:
        self.form.setEnabled(ready)
        self.refresh_action.setEnabled(ready)
        self.worker_action.setEnabled(ready and self.runtime.with_worker)
        self._update_actions()

    # ---- the table --------------------------------------------------------------------------

    def _on_refreshed(self, orders: list[OrderSummary], moment: datetime) -> None:
        self.model.apply(orders, moment)
        self.status.set_refreshed(moment)
        self.messages.clear(source="refresh")
        self._update_worker_state()
        self._follow_current()

    def _on_refresh_failed(self, message: str) -> None:
        self.status.set_refresh_failed()
        if self.messages.source in (None, "refresh"):  # never hide what a person's own action reported
            self.messages.show_message(f"Refreshing the orders failed: {message}. Retrying…", Severity.WARNING,
                                       source="refresh")

    def _on_view_changed(self, view: OrderView) -> None:
        self.model.retain(view.statuses)
        self.refresher.set_view(view)

    def _on_pending_arrived(self, orders: list[OrderSummary]) -> None:
        if self.actor.role is Role.CLERK:
            return
        self.notifier.notify([order for order in orders if order.created_by != self.actor.name])

    def _on_current_changed(self, order_id: str) -> None:
        self._update_actions()
        order = self.model.summary(order_id) if order_id else None
        if order is None:
            self._detail_basis = None
            self.detail.clear()
            return
        self.detail.show_summary(order)
        self._request_details(order)

    def _follow_current(self) -> None:
        """After the model changed: refresh the actions, and the details if the selected order moved on."""
        self._update_actions()
        order_id = self.table.current_order_id()
        order = self.model.summary(order_id) if order_id else None
        if order is not None and self._detail_basis != (order.order_id, order.status, order.updated_at):
            self.detail.show_summary(order)
            self._request_details(order)

    def _update_actions(self) -> None:
        order_id = self.table.current_order_id()
        status = self.model.status_of(order_id) if order_id else None
        self.decisions.update_for(status, ready=self.ready and not self._deciding)
        self.copy_id_action.setEnabled(status is not None)
        self.web_ui_action.setEnabled(status is not None and self.settings.workflow_url(order_id or "") is not None)

    def _show_context_menu(self, position: QPoint) -> None:
        menu = QMenu(self)
        menu.setObjectName("ordersContextMenu")
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.addActions(list(self.decisions.actions.values()))
        menu.addSeparator()
        menu.addAction(self.copy_id_action)
        menu.addAction(self.web_ui_action)
        menu.popup(position)

    def _copy_order_id(self) -> None:
        order_id = self.table.current_order_id()
        if order_id:
            QGuiApplication.clipboard().setText(order_id)

    def _focus_form(self) -> None:
        self.form.item_edit.setFocus()
        self.form.item_edit.selectAll()

    def _focus_search(self) -> None:
        self.table.search.setFocus()
        self.table.search.selectAll()

    def _bring_to_front(self) -> None:
        self.showNormal()
        self.raise_()
        self.activateWindow()

    # ---- details ----------------------------------------------------------------------------

    def _request_details(self, order: OrderSummary) -> None:
        if self.service is None:
            return
        self._detail_request += 1
        self._detail_basis = (order.order_id, order.status, order.updated_at)
        self._spawn(self._load_details(self.service, order.order_id, self._detail_request))

    async def _load_details(self, service: OrderService, order_id: str, request: int) -> None:
        try:
            details = await service.details(order_id)
        except Exception as err:  # OrderDeskError, or anything unforeseen: a note in the pane, never a crash
            if not isinstance(err, OrderDeskError):
                log.exception("Loading the details of %s failed", order_id)
            if request == self._detail_request:
                self.detail.show_history_error(str(err) or type(err).__name__)
            return
        if request != self._detail_request or self.detail.order_id != order_id:
            return  # the selection moved on while this was loading
        self.detail.show_details(details)
        known = self.model.status_of(order_id)
        if known is not None and STATUS_RANK[details.status] > STATUS_RANK[known]:
            # The workflow itself is ahead of the list's index: show what it says now.
            self._learn(order_id, details.status, details.updated_at)

    # ---- commands ---------------------------------------------------------------------------

    @asyncSlot(object)
    async def _create(self, request: OrderRequest) -> None:
        service = self.service
        if service is None:
            return
        self.form.set_busy(True)
        created: OrderSummary | None = None
        try:
            order_id = await service.create_order(request, self.actor)
            created = await service.summary(order_id)
        except OrderDeskError as err:
            self.messages.show_message(f"The order was not created: {err}", Severity.ERROR, source="create")
        except Exception as err:
            log.exception("Creating an order failed")
            self.messages.show_message(f"The order was not created: {err}", Severity.ERROR, source="create")
        finally:
            self.form.set_busy(False)
        if created is None:
            return
        self.local.record(created)
        if not self.table.current_view.includes(created.status):
            self.table.set_view(PENDING_VIEW)
        self.model.upsert(created)
        if not self.table.select_order(created.order_id):
            self.table.search.clear()
            self.table.select_order(created.order_id)
        self.form.reset()
        self.messages.show_message(f"Created order {created.order_id}: {created.quantity:,} × {created.item}",
                                   Severity.SUCCESS, source="create")

    @asyncSlot()
    async def _approve(self) -> None:
        await self._decide(Action.APPROVE, self.table.current_order_id())

    @asyncSlot()
    async def _cancel(self) -> None:
        await self._decide(Action.CANCEL, self.table.current_order_id())

    def _ask_reject_reason(self) -> None:
        order_id = self.table.current_order_id()
        order = self.model.summary(order_id) if order_id else None
        if order is None:
            return
        dialog = ReasonDialog(order.order_id, order.item, self)
        dialog.reasonGiven.connect(self._reject)
        dialog.open()

    @asyncSlot(str, str)
    async def _reject(self, order_id: str, reason: str) -> None:
        await self._decide(Action.REJECT, order_id, reason)

    async def _decide(self, action: Action, order_id: str | None, reason: str | None = None) -> None:
        service = self.service
        if service is None or not order_id:
            return
        self._deciding = True
        self._update_actions()
        try:
            status = await service.decide(order_id, action, self.actor, reason or None)
        except (InvalidTransition, Forbidden) as err:
            if err.current_status is not None:
                self._learn(order_id, err.current_status)
            self.messages.show_message(f"{order_id}: {err}", Severity.WARNING, source="decision")
        except OrderDeskError as err:
            self.messages.show_message(f"Could not {action.value} {order_id}: {err}", Severity.ERROR,
                                       source="decision")
        except Exception as err:
            log.exception("Deciding %s failed", order_id)
            self.messages.show_message(f"Could not {action.value} {order_id}: {err}", Severity.ERROR,
                                       source="decision")
        else:
            self._learn(order_id, status)
            self.messages.show_message(f"Order {order_id} {STATUS_TEXT[status].lower()}.", Severity.SUCCESS,
                                       source="decision")
        finally:
            self._deciding = False
            self._follow_current()

    def _learn(self, order_id: str, status: OrderStatus, updated_at: datetime | None = None) -> None:
        """A status learnt here (from a decision or the workflow itself): shown now, kept over older polls."""
        order = self.model.summary(order_id)
        if order is None or order.status == status:
            return
        order = order.model_copy(update={"status": status, "updated_at": updated_at or datetime.now(UTC)})
        self.local.record(order)
        self.model.upsert(order)
        self._follow_current()

    # ---- the worker -------------------------------------------------------------------------

    @asyncSlot(bool)
    async def _toggle_worker(self, run: bool) -> None:
        self._worker_busy = True
        self.worker_action.setEnabled(False)
        self.status.set_worker("starting…" if run else "stopping…")
        try:
            if run:
                await self.runtime.start_worker()
            else:
                await self.runtime.stop_worker()
        except Exception as err:  # the worker's start-up error, say a refused connection
            log.warning("Worker %s failed: %s", "start" if run else "stop", err)
            self.messages.show_message(f"Could not {'start' if run else 'stop'} the embedded worker: {err}",
                                       Severity.ERROR, source="worker")
        else:
            self.messages.clear(source="worker")
        finally:
            self._worker_busy = False
            self.worker_action.setEnabled(self.ready and self.runtime.with_worker)
            self._update_worker_state()

    @property
    def worker_running(self) -> bool:
        worker = self.runtime.worker
        return worker is not None and worker.running

    def _update_worker_state(self) -> None:
        if self._worker_busy:
            return  # a start or stop is under way: its slot updates the state when done
        running = self.worker_running
        worker = self.runtime.worker
        detail = f"Embedded worker on task queue {self.settings.task_queue!r}"
        if running:
            text = "running"
        elif worker is not None and worker.error is not None:
            text, detail = "stopped (failed)", f"The embedded worker failed: {worker.error}"
        elif not self.runtime.with_worker:
            text = "not embedded"
        else:
            text = "stopped"
        self.status.set_worker(text, detail)
        blocked = self.worker_action.blockSignals(True)
        self.worker_action.setChecked(running)
        self.worker_action.blockSignals(blocked)

    # ---- shutdown ---------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if self._closing_done:
            event.accept()
            return
        event.ignore()
        if self._shutdown_task is None:
            self._state.save(self, self.splitter, self.table.view.horizontalHeader(), self.table.current_view)
            self._shutdown_task = asyncio.ensure_future(self._shutdown())

    async def _shutdown(self) -> None:
        """Stop polling, the start-up if still running, the worker and the embedded server; then close."""
        self.centralWidget().setEnabled(False)
        self.menuBar().setEnabled(False)
        self.toolbar.setEnabled(False)
        self._update_actions()
        self.status.set_progress("Stopping the worker and the Temporal server…")
        await self.refresher.stop()
        for task in [self._boot_task, *self._tasks]:
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        try:
            await self.runtime.stop()
        except Exception:
            log.exception("Stopping the runtime failed")
        self.service = None
        self.notifier.close()
        self._closing_done = True
        self.close()
        self.closed.emit()

    @property
    def closed_down(self) -> bool:
        """True once closing has stopped the worker and the server and the window is gone."""
        return self._closing_done

    async def wait_closed(self) -> None:
        if self._closing_done:
            return
        done = asyncio.get_running_loop().create_future()
        self.closed.connect(lambda: done.done() or done.set_result(None))
        await done

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
