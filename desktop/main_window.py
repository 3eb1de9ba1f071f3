"""The main window: wires the order form, the orders table and the detail pane to the service.

It receives its runtime (and so its service) from outside. Start-up runs in ``boot()`` after the
window shows; every call to the service runs as a task on the Qt loop that disables its control, awaits
the call, turns an ``OrderDeskError`` into a message in the window and re-enables in ``finally``.
Every text goes through Qt's translation system and is set again in ``retranslate_ui`` when the language
changes.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import sys
from collections.abc import Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QEvent, QPoint, QSettings, QStandardPaths, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMenu, QSplitter, QToolBar, QVBoxLayout, QWidget
from qasync import asyncSlot

from core.errors import Forbidden, InvalidTransition, OrderDeskError
from core.models import Action, BulkOutcome, OrderFilter, OrderRequest, OrderStatus, OrderSummary, Role
from core.runtime import BootStep, DeskRuntime
from core.service import OrderService
from core.settings import Settings
from desktop import formatting
from desktop.boot_messages import boot_failure_message, step_text
from desktop.bulk_dialog import BulkDialog
from desktop.decision_actions import DecisionActions
from desktop.decision_dialog import DecisionDialog
from desktop.detail_pane import DetailPane
from desktop.export import export_orders
from desktop.i18n import LANGUAGES, Translations, catalogue, choose_language
from desktop.identity import desk_actor
from desktop.local_changes import LocalChanges
from desktop.message_bar import MessageBar, Severity
from desktop.notifier import PendingNotifier
from desktop.order_form import OrderForm
from desktop.orders_model import OrdersModel
from desktop.orders_table import OrdersTable
from desktop.refresher import OrdersRefresher
from desktop.refusals import refusal_text
from desktop.resources import icon
from desktop.status_bar import DeskStatusBar, WorkerState
from desktop.views import PENDING_VIEW, STATUS_RANK, VIEWS, OrderView, status_text
from desktop.window_state import WindowState

log = logging.getLogger(__name__)

FULL_COLLECTION_EVERY = 3  # middle-generation collections (CPython's default: 10)
GIL_SWITCH_INTERVAL = 0.001  # seconds (CPython's default: 0.005)

DECIDED = {
    OrderStatus.APPROVED: QT_TRANSLATE_NOOP("MainWindow", "Order {order} approved."),
    OrderStatus.REJECTED: QT_TRANSLATE_NOOP("MainWindow", "Order {order} rejected."),
    OrderStatus.CANCELLED: QT_TRANSLATE_NOOP("MainWindow", "Order {order} cancelled."),
}


def share_the_process() -> None:
    """Start-up is done (``DeskRuntime.start`` froze what it built): tune the interpreter for a Qt loop that
    shares its process, and the GIL, with the embedded worker's threads. Measured with ``bench.gui``."""
    # The worker's garbage (the sandbox's module copies of each workflow run) goes only in full collections,
    # whose pause grows with what piled up since the last one: more often, they pause about half as long
    # (longest 124 ms -> 56-86 ms while 300 orders flow) for about the same time in all.
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_COLLECTION_EVERY)
    # Each call from Qt into Python takes the GIL and, while a worker thread runs Python, waits for it up to
    # the switch interval: the loop's median lag followed it (5 ms -> 1 ms with a busy thread).
    sys.setswitchinterval(GIL_SWITCH_INTERVAL)


class MainWindow(QMainWindow):
    closed = Signal()  # after the worker and the embedded server have stopped

    def __init__(self, settings: Settings, runtime: DeskRuntime, store: QSettings, translations: Translations, *,
                 refresh_interval: float = 1.0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowIcon(icon("app"))
        self.settings = settings
        self.runtime = runtime
        self.translations = translations
        self.actor = desk_actor(settings)
        self.service: OrderService | None = None
        self._state = WindowState(store)
        self._boot_task: asyncio.Task[None] | None = None
        self._shutdown_task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._deciding = False
        self._exporting = False
        self._worker_busy = False
        self._closing_done = False
        self._detail_request = 0
        self._detail_basis: tuple[str, OrderStatus, datetime | None] | None = None
        self.bulk_dialog: BulkDialog | None = None
        translations.apply(choose_language(settings.language, self._state.language))

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

        self.status.set_actor(self.actor)
        self.status.set_server(runtime.address)
        screen = QGuiApplication.primaryScreen().availableGeometry()
        self.resize(min(1320, int(screen.width() * 0.95)), min(760, int(screen.height() * 0.9)))
        saved_view = self._state.restore(self, self.splitter, self.table.view.horizontalHeader())
        self.table.set_view(saved_view or PENDING_VIEW)
        self.retranslate_ui()
        self._set_ready(False)

    # ---- construction -----------------------------------------------------------------------

    def _build_actions(self) -> None:
        self.export_action = self._action("exportAction", "Ctrl+E", self._ask_export_file)
        self.refresh_action = self._action("refreshAction", "F5", self.refresher.refresh_now, icon("refresh"))
        self.new_order_action = self._action("newOrderAction", "Ctrl+N", self._focus_form)
        self.find_action = self._action("findAction", "Ctrl+F", self._focus_search)
        self.copy_id_action = self._action("copyIdAction", None, self._copy_order_ids)
        self.web_ui_action = self._action("webUiAction", "Ctrl+Shift+W", self.detail.open_workflow, icon("web-ui"))
        self.quit_action = self._action("quitAction", QKeySequence.StandardKey.Quit, self.close)
        self.worker_action = QAction(icon("worker"), "", self)
        self.worker_action.setObjectName("workerToggle")
        self.worker_action.setCheckable(True)
        self.worker_action.setEnabled(False)
        self.worker_action.toggled.connect(self._toggle_worker)
        self.view_actions = {
            view: self._action(f"view{view.key.title()}Action", f"Ctrl+{number}",
                               lambda view=view: self.table.set_view(view))
            for number, view in enumerate(VIEWS, start=1)
        }
        self.language_group = QActionGroup(self)
        self.language_group.setExclusive(True)
        self.language_actions: dict[str, QAction] = {}
        for code, name in LANGUAGES.items():  # each language by its own name: never translated
            action = QAction(name, self.language_group)
            action.setObjectName(f"language{code.title()}Action")
            action.setCheckable(True)
            action.triggered.connect(lambda _checked=False, code=code: self.switch_language(code))
            self.language_actions[code] = action

        menus = self.menuBar()
        self.file_menu = menus.addMenu("")
        self.file_menu.addAction(self.export_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit_action)
        self.orders_menu = menus.addMenu("")
        self.orders_menu.addAction(self.new_order_action)
        self.orders_menu.addSeparator()
        self.orders_menu.addActions(list(self.decisions.actions.values()))
        self.orders_menu.addSeparator()
        self.orders_menu.addAction(self.copy_id_action)
        self.orders_menu.addAction(self.web_ui_action)
        self.view_menu = menus.addMenu("")
        self.view_menu.addAction(self.refresh_action)
        self.view_menu.addAction(self.find_action)
        self.view_menu.addSeparator()
        self.view_menu.addActions(list(self.view_actions.values()))
        self.view_menu.addSeparator()
        self.language_menu = self.view_menu.addMenu("")
        self.language_menu.setObjectName("languageMenu")
        self.language_menu.addActions(list(self.language_actions.values()))
        self.worker_menu = menus.addMenu("")
        self.worker_menu.addAction(self.worker_action)

        toolbar = QToolBar(self)
        toolbar.setObjectName("decisionToolbar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.addActions(list(self.decisions.actions.values()))
        toolbar.addSeparator()
        toolbar.addAction(self.refresh_action)
        self.toolbar = toolbar
        self.addToolBar(toolbar)

    def _action(self, name: str, shortcut: str | QKeySequence.StandardKey | None, slot: Any,
                action_icon: Any = None) -> QAction:
        action = QAction(self) if action_icon is None else QAction(action_icon, "", self)
        action.setObjectName(name)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Order Desk"))
        self.file_menu.setTitle(self.tr("&File"))
        self.orders_menu.setTitle(self.tr("&Orders"))
        self.view_menu.setTitle(self.tr("&View"))
        self.language_menu.setTitle(self.tr("&Language"))
        self.worker_menu.setTitle(self.tr("&Worker"))
        self.toolbar.setWindowTitle(self.tr("Decisions"))
        self.export_action.setText(self.tr("&Export…"))
        self.export_action.setToolTip(self.tr("Export the orders of this view, search applied, as CSV"))
        self.refresh_action.setText(self.tr("&Refresh now"))
        self.new_order_action.setText(self.tr("&New order"))
        self.find_action.setText(self.tr("&Find"))
        self.copy_id_action.setText(self.tr("Copy order &ID"))
        self.copy_id_action.setToolTip(self.tr("Copy the IDs of the selected orders"))
        self.web_ui_action.setText(self.tr("Open in Temporal &Web UI"))
        self.quit_action.setText(self.tr("&Quit"))
        self.worker_action.setText(self.tr("Run embedded &worker"))
        for view, action in self.view_actions.items():
            action.setText(view.title)
        for code, action in self.language_actions.items():
            action.setChecked(code == self.translations.language)
        self.decisions.retranslate()
        self.notifier.retranslate()
        self.model.retranslate()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def _connect(self) -> None:
        self.form.submitted.connect(self._create)
        self.table.currentOrderChanged.connect(self._on_current_changed)
        self.table.selectionChanged.connect(lambda _ids: self._update_actions())
        self.table.viewChanged.connect(self._on_view_changed)
        self.table.searchChanged.connect(self.refresher.set_query)
        self.table.contextMenuRequested.connect(self._show_context_menu)
        for decision, action in self.decisions.actions.items():
            action.triggered.connect(lambda _checked=False, decision=decision: self.request_decision(decision))
        self.refresher.refreshed.connect(self._on_refreshed)
        self.refresher.failed.connect(self._on_refresh_failed)
        self.refresher.pendingArrived.connect(self._on_pending_arrived)
        self.messages.retryRequested.connect(self.start)
        self.notifier.activated.connect(self._bring_to_front)

    # ---- language -----------------------------------------------------------------------------

    def switch_language(self, language: str) -> None:
        """From the Language menu: applied at once, and remembered for the next launch."""
        if self.translations.apply(language):
            self._state.save_language(language)
        else:
            self.messages.show_message(
                self.tr("{language} is not available: its translation catalogue {path} could not be loaded.").format(
                    language=LANGUAGES[language], path=catalogue(language)), Severity.WARNING, source="language")
        for code, action in self.language_actions.items():
            action.setChecked(code == self.translations.language)

    # ---- start-up ---------------------------------------------------------------------------

    def start(self) -> None:
        """Boot (or retry) in the background; the window stays responsive meanwhile."""
        if self._shutdown_task is None and (self._boot_task is None or self._boot_task.done()):
            self._boot_task = asyncio.ensure_future(self.boot())

    async def boot(self) -> None:
        self.messages.clear(source="boot")
        self.status.set_progress(self.tr("Starting…"))
        self.messages.show_message(self.tr("Starting…"), Severity.INFO, source="boot")
        try:
            service = self.runtime.service or await self.runtime.start(progress=self._on_progress)
        except Exception as err:  # whatever stopped the start, the person gets a message and a Retry
            log.warning("Start-up failed: %s", err, exc_info=not isinstance(err, OrderDeskError))
            self.status.set_progress(None)
            self.status.set_server(self.runtime.address, connected=False)
            self.messages.show_message(boot_failure_message(self.settings, self.runtime.address, err),
                                       Severity.ERROR, source="boot", retry=True)
            return
        self.service = service
        share_the_process()
        self.status.set_progress(None)
        self.status.set_server(self.runtime.address)
        self.messages.clear(source="boot")
        self._update_worker_state()
        self._set_ready(True)
        self.refresher.set_view(self.table.current_view)
        self.refresher.set_query(self.table.search_text)
        self.refresher.start(service)
        log.info("Ready: Temporal at %s, worker %s", self.runtime.address,
                 "running" if self.worker_running else "not running")

    def _on_progress(self, step: BootStep, address: str) -> None:
        shown = step_text(step, address)
        self.status.set_progress(shown)
        self.messages.show_message(shown, Severity.INFO, source="boot")

    @property
    def ready(self) -> bool:
        return self.service is not None and self._shutdown_task is None

    def _set_ready(self, ready: bool) -> None:
        self.form.setEnabled(ready)
        self.refresh_action.setEnabled(ready)
        self.export_action.setEnabled(ready and not self._exporting)
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
            self.messages.show_message(self.tr("Refreshing the orders failed: {error}. Retrying…").format(
                error=message), Severity.WARNING, source="refresh")

    def _on_view_changed(self, view: OrderView) -> None:
        self.model.retain(view.status_set)
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

    def _selected_orders(self) -> list[OrderSummary]:
        orders = (self.model.summary(order_id) for order_id in self.table.selected_order_ids())
        return [order for order in orders if order is not None]

    def _update_actions(self) -> None:
        statuses = [status for order_id in self.table.selected_order_ids()
                    if (status := self.model.status_of(order_id)) is not None]
        self.decisions.update_for(statuses, ready=self.ready and not self._deciding)
        self.copy_id_action.setEnabled(bool(statuses))
        current = self.table.current_order_id()
        self.web_ui_action.setEnabled(current is not None and self.settings.workflow_url(current) is not None)

    def _show_context_menu(self, position: QPoint) -> None:
        menu = QMenu(self)
        menu.setObjectName("ordersContextMenu")
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.addActions(list(self.decisions.actions.values()))
        menu.addSeparator()
        menu.addAction(self.copy_id_action)
        menu.addAction(self.web_ui_action)
        menu.popup(position)

    def _copy_order_ids(self) -> None:
        order_ids = self.table.selected_order_ids()
        if order_ids:
            QGuiApplication.clipboard().setText("\n".join(order_ids))

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
        except Exception as err:
            if not isinstance(err, OrderDeskError):
                log.exception("Creating an order failed")
            self.messages.show_message(self.tr("The order was not created: {error}").format(error=err),
                                       Severity.ERROR, source="create")
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
        self.messages.show_message(
            self.tr("Created order {order}: {quantity} × {item}").format(
                order=created.order_id, quantity=formatting.number(created.quantity), item=created.item),
            Severity.SUCCESS, source="create")

    def request_decision(self, action: Action) -> None:
        """Approve or cancel one order at once; ask for the reason of a rejection, and confirm a decision on
        several orders first. The service decides, per order, whether it is allowed."""
        orders = self._selected_orders()
        if not orders or not self.ready or self._deciding:
            return
        if len(orders) == 1 and action is not Action.REJECT:
            self._run_decision(action, [orders[0].order_id], "")
            return
        dialog = DecisionDialog(action, orders, self)
        dialog.confirmed.connect(self._run_decision)
        dialog.open()

    def _run_decision(self, action: Action, order_ids: list[str], reason: str) -> None:
        if not self.ready or self.service is None or self._deciding or not order_ids:
            return
        self._deciding = True
        self._update_actions()
        if len(order_ids) == 1:
            self._spawn(self._decide(self.service, action, order_ids[0], reason or None))
        else:
            self._spawn(self._decide_many(self.service, action, order_ids, reason or None))

    async def _decide(self, service: OrderService, action: Action, order_id: str, reason: str | None) -> None:
        try:
            status = await service.decide(order_id, action, self.actor, reason)
        except OrderDeskError as err:
            current = getattr(err, "current_status", None)
            if current is not None:
                self._learn(order_id, current)
            severity = Severity.WARNING if isinstance(err, InvalidTransition | Forbidden) else Severity.ERROR
            self.messages.show_message(f"{order_id}: {refusal_text(action, err.code, current, str(err))}", severity,
                                       source="decision")
        except Exception as err:
            log.exception("Deciding %s failed", order_id)
            self.messages.show_message(self.tr("Could not decide on {order}: {error}").format(
                order=order_id, error=err), Severity.ERROR, source="decision")
        else:
            self._learn(order_id, status)
            self.messages.show_message(self._decided_text(order_id, status), Severity.SUCCESS, source="decision")
        finally:
            self._deciding = False
            self._follow_current()

    def _decided_text(self, order_id: str, status: OrderStatus) -> str:
        if status in DECIDED:
            return self.tr(DECIDED[status]).format(order=order_id)
        return self.tr("Order {order} is now {status}.").format(order=order_id, status=status_text(status).lower())

    async def _decide_many(self, service: OrderService, action: Action, order_ids: list[str],
                           reason: str | None) -> None:
        """Concurrently, at most ``BULK_CONCURRENCY`` in flight (the service's bound); each outcome shows in the
        bulk dialog as it lands, and the table follows at once."""
        orders = [self.model.summary(order_id) for order_id in order_ids]
        if self.bulk_dialog is not None and self.bulk_dialog.isHidden():
            self.bulk_dialog.deleteLater()
        dialog = self.bulk_dialog = BulkDialog(action, [order for order in orders if order is not None], self)
        dialog.show()

        def landed(outcome: BulkOutcome) -> None:
            reason_shown = "" if outcome.ok else refusal_text(action, outcome.code, outcome.status,
                                                               outcome.error)
            dialog.record(outcome, reason_shown)
            if outcome.status is not None:
                self._learn(outcome.order_id, outcome.status)

        try:
            outcomes = await service.decide_many(order_ids, action, self.actor, reason, progress=landed)
        except Exception as err:
            log.exception("The %s of %d orders failed", action.value, len(order_ids))
            self.messages.show_message(self.tr("The decisions could not all be sent: {error}").format(error=err),
                                       Severity.ERROR, source="decision")
        else:
            refused = sum(not outcome.ok for outcome in outcomes)
            self.messages.show_message(dialog.summary.text(), Severity.WARNING if refused else Severity.SUCCESS,
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

    # ---- export -----------------------------------------------------------------------------

    def _ask_export_file(self) -> None:
        """The file dialog opens with ``open()``; the view is taken now, as the person sees it."""
        if not self.ready or self._exporting:
            return
        view, where = self.table.current_view, self.table.current_filter()
        dialog = QFileDialog(self, self.tr("Export orders"))
        dialog.setObjectName("exportDialog")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
        dialog.setNameFilters([self.tr("CSV files (*.csv)"), self.tr("All files (*)")])
        dialog.setDefaultSuffix("csv")
        dialog.setLabelText(QFileDialog.DialogLabel.Accept, self.tr("Export"))
        dialog.setLabelText(QFileDialog.DialogLabel.Reject, self.tr("Cancel"))
        dialog.setLabelText(QFileDialog.DialogLabel.FileName, self.tr("File name:"))
        dialog.setLabelText(QFileDialog.DialogLabel.FileType, self.tr("Type:"))
        dialog.setLabelText(QFileDialog.DialogLabel.LookIn, self.tr("Look in:"))
        directory = self._state.export_directory or QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation)
        dialog.setDirectory(directory)
        dialog.selectFile(f"orders-{view.key}-{datetime.now().date().isoformat()}.csv")
        dialog.fileSelected.connect(lambda path: self._start_export(Path(path), where))
        dialog.open()

    def _start_export(self, path: Path, where: OrderFilter) -> None:
        if not self.ready or self.service is None or self._exporting:
            return
        self._exporting = True
        self.export_action.setEnabled(False)
        self._spawn(self._export(self.service, path, where))

    async def _export(self, service: OrderService, path: Path, where: OrderFilter) -> None:
        def progressed(done: int, total: int) -> None:
            self.status.set_progress(self.tr("Exporting orders: {done} of {total}…").format(
                done=formatting.number(done), total=formatting.number(total)), done, total)

        self.status.set_progress(self.tr("Exporting orders…"))
        try:
            written = await export_orders(service, where, path, progressed)
        except Exception as err:
            if not isinstance(err, OrderDeskError | OSError):
                log.exception("Exporting to %s failed", path)
            self.messages.show_message(self.tr("The export failed, nothing was written to {path}: {error}").format(
                path=path, error=err), Severity.ERROR, source="export")
        else:
            self._state.save_export_directory(str(path.parent))
            self.messages.show_message(self.tr("Exported {count} orders to {path}.").format(
                count=formatting.number(written), path=path), Severity.SUCCESS, source="export")
        finally:
            self._exporting = False
            self.status.set_progress(None)
            self.export_action.setEnabled(self.ready)

    # ---- the worker -------------------------------------------------------------------------

    @asyncSlot(bool)
    async def _toggle_worker(self, run: bool) -> None:
        self._worker_busy = True
        self.worker_action.setEnabled(False)
        self.status.set_worker(WorkerState.STARTING if run else WorkerState.STOPPING)
        try:
            if run:
                await self.runtime.start_worker()
            else:
                await self.runtime.stop_worker()
        except Exception as err:  # the worker's start-up error, say a refused connection
            log.warning("Worker %s failed: %s", "start" if run else "stop", err)
            text = (self.tr("Could not start the embedded worker: {error}") if run else
                    self.tr("Could not stop the embedded worker: {error}"))
            self.messages.show_message(text.format(error=err), Severity.ERROR, source="worker")
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
        queue, error = self.settings.task_queue, ""
        if running:
            state = WorkerState.RUNNING
        elif worker is not None and worker.error is not None:
            state, error = WorkerState.FAILED, str(worker.error)
        elif not self.runtime.with_worker:
            state = WorkerState.NOT_EMBEDDED
        else:
            state = WorkerState.STOPPED
        self.status.set_worker(state, queue, error)
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
        """Stop polling, the start-up if still running, any decisions or export under way, the worker and the
        embedded server; then close."""
        self.centralWidget().setEnabled(False)
        self.menuBar().setEnabled(False)
        self.toolbar.setEnabled(False)
        self._update_actions()
        self.status.set_progress(self.tr("Stopping the worker and the Temporal server…"))
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
        if self.bulk_dialog is not None:
            self.bulk_dialog.close()
        self._closing_done = True
        self.close()
        log.info("Closed: the worker and the embedded server have stopped")
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
