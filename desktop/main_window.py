"""The main window: lays out the order form, the orders table and the detail pane, builds the menus and the
actions, and wires them to the ``DeskController`` it is given, which does the work.

The window turns gestures into controller calls (dialogs that need a parent open here, with ``open()``, and
hand their answer on) and shows what the controller reports: messages, progress, the worker's state, the
current order, who is signed in where (File → Connect to server…, Sign out). Every text goes through Qt's
translation system and is set again in ``retranslate_ui`` when the language changes.
"""

from __future__ import annotations

import asyncio
from typing import Any

from PySide6.QtCore import QEvent, QPoint, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QSplitter, QToolBar, QVBoxLayout, QWidget

from core.models import Action, OrderSummary
from desktop.connect_dialog import ConnectDialog
from desktop.controller import Command, DeskController
from desktop.decision_actions import DecisionActions
from desktop.detail_pane import DetailPane
from desktop.i18n import LANGUAGES, Translations, catalogue, choose_language
from desktop.message_bar import MessageBar, Severity
from desktop.notifier import PendingNotifier
from desktop.order_form import OrderForm
from desktop.orders_table import OrdersTable
from desktop.reports import WorkerState
from desktop.resources import icon
from desktop.session import Session
from desktop.status_bar import DeskStatusBar
from desktop.views import PENDING_VIEW, VIEWS
from desktop.window_dialogs import WindowDialogs
from desktop.window_shortcuts import WindowShortcutsFirst
from desktop.window_state import WindowState


class MainWindow(QMainWindow):
    closed = Signal()  # after the controller has stopped the worker and the embedded server

    def __init__(self, controller: DeskController, store: QSettings, translations: Translations,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowIcon(icon("app"))
        self.controller = controller
        self.translations = translations
        self._state = WindowState(store)
        self._closed_down = False
        self.dialogs = WindowDialogs(controller, self._state, self)
        translations.apply(choose_language(controller.settings.language, self._state.language))

        self.messages = MessageBar(self)
        self.form = OrderForm(self)
        self.table = OrdersTable(controller.model, self)
        self.detail = DetailPane(controller.workflow_url, self)
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
        self._shortcuts_first = WindowShortcutsFirst([self.export_action.shortcut()], self)
        for field in (self.form.item_edit, self.form.quantity_edit, self.form.price_edit, self.form.currency_edit,
                      self.table.search):
            field.installEventFilter(self._shortcuts_first)

        self.status.set_session(controller.session)
        self.form.set_default_currency(controller.default_currency)
        self.status.set_server(controller.address)
        screen = QGuiApplication.primaryScreen().availableGeometry()
        self.resize(min(1320, int(screen.width() * 0.95)), min(760, int(screen.height() * 0.9)))
        saved_view = self._state.restore(self, self.splitter, self.table.view.horizontalHeader())
        self.table.set_view(saved_view or PENDING_VIEW)
        self.retranslate_ui()
        self._enable()

    # ---- construction -----------------------------------------------------------------------

    def _build_actions(self) -> None:
        self.export_action = self._action("exportAction", "Ctrl+E", lambda: self.dialogs.ask_export_file(
            self.table.current_view, self.controller.view_filter(self.table.current_view, self.table.search_text)))
        self.connect_action = self._action("connectAction", None, lambda: self.dialogs.ask_sign_in("", ""))
        self.sign_out_action = self._action("signOutAction", None, self.controller.sign_out)
        self.refresh_action = self._action("refreshAction", "F5", self.controller.refresh_now, icon("refresh"))
        self.new_order_action = self._action("newOrderAction", "Ctrl+N", self._focus_form)
        self.find_action = self._action("findAction", "Ctrl+F", self._focus_search)
        self.copy_id_action = self._action("copyIdAction", None, self._copy_order_ids)
        self.web_ui_action = self._action("webUiAction", "Ctrl+Shift+W", self.detail.open_workflow, icon("web-ui"))
        self.quit_action = self._action("quitAction", QKeySequence.StandardKey.Quit, self.close)
        self.worker_action = QAction(icon("worker"), "", self)
        self.worker_action.setObjectName("workerToggle")
        self.worker_action.setCheckable(True)
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
        self.file_menu.addAction(self.connect_action)
        self.file_menu.addAction(self.sign_out_action)
        self.file_menu.addSeparator()
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
        self.worker_menu.setToolTipsVisible(True)
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
        self.connect_action.setText(self.tr("&Connect to server…"))
        self.connect_action.setToolTip(self.tr("Sign in to a team server with your personal token"))
        self.sign_out_action.setText(self.tr("Sign &out"))
        self.sign_out_action.setToolTip(self.tr("Forget your token on this computer and work on this desk's own "
                                                "Temporal server"))
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
        self.worker_action.setToolTip(self.tr("The team server runs the workers") if self.controller.signed_in
                                      else self.tr("Start or stop the worker inside this desk"))
        for view, action in self.view_actions.items():
            action.setText(view.title)
        for code, action in self.language_actions.items():
            action.setChecked(code == self.translations.language)
        self.decisions.retranslate()
        self.notifier.retranslate()
        self.controller.model.retranslate()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def _connect(self) -> None:
        controller = self.controller
        self.form.submitted.connect(controller.create)
        self.table.currentOrderChanged.connect(self._on_current_changed)
        self.table.selectionChanged.connect(lambda _ids: self._update_actions())
        self.table.viewChanged.connect(controller.set_view)
        self.table.searchChanged.connect(controller.set_query)
        self.table.contextMenuRequested.connect(self._show_context_menu)
        for decision, action in self.decisions.actions.items():
            action.triggered.connect(lambda _checked=False, decision=decision: self.dialogs.request_decision(
                decision, self._selected_orders()))
        self.worker_action.toggled.connect(controller.run_worker)
        self.messages.retryRequested.connect(controller.start)
        self.notifier.activated.connect(self._bring_to_front)

        controller.readyChanged.connect(lambda _ready: self._enable())
        controller.busyChanged.connect(lambda _command, _busy: self._enable())
        controller.message.connect(self.messages.report)
        controller.messageCleared.connect(self.messages.clear)
        controller.progressChanged.connect(self.status.set_progress)
        controller.serverChanged.connect(self.status.set_server)
        controller.temporalChanged.connect(self.status.set_temporal)
        controller.reviewCountChanged.connect(self.table.set_review_count)
        controller.stuckChanged.connect(self.status.set_stuck)
        controller.workerChanged.connect(self._show_worker)
        controller.refreshed.connect(self.status.set_refreshed)
        controller.refreshFailed.connect(self.status.set_refresh_failed)
        controller.ordersChanged.connect(self._update_actions)
        controller.viewChanged.connect(self.table.set_view)
        controller.currentChanged.connect(self._show_current)
        controller.detailsLoaded.connect(self.detail.show_details)
        controller.detailsLoaded.connect(lambda _details: self._update_actions())
        controller.sessionChanged.connect(self._show_session)
        controller.signInRequired.connect(lambda _url, _why: self.status.set_signed_out())
        controller.detailsFailed.connect(self.detail.show_history_error)
        controller.created.connect(self._show_created)
        controller.pendingArrived.connect(self.notifier.notify)
        controller.closed.connect(self._on_closed)

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

    # ---- what the controller reports ------------------------------------------------------------

    def _enable(self) -> None:
        """What can be used follows the controller: whether it is ready, and which commands are under way."""
        controller = self.controller
        self.form.setEnabled(controller.ready)
        self.form.set_busy(controller.busy(Command.CREATE))
        self.refresh_action.setEnabled(controller.ready)
        self.export_action.setEnabled(controller.ready and not controller.busy(Command.EXPORT))
        self.worker_action.setEnabled(controller.worker_switchable)
        self.sign_out_action.setEnabled(controller.signed_in and not controller.busy(Command.SIGN_IN))
        self.connect_action.setEnabled(not controller.closing and not controller.busy(Command.SIGN_IN))
        self._update_actions()

    def _show_worker(self, state: WorkerState, task_queue: str, error: str) -> None:
        self.status.set_worker(state, task_queue, error)
        if state.settled:
            blocked = self.worker_action.blockSignals(True)
            self.worker_action.setChecked(state is WorkerState.RUNNING)
            self.worker_action.blockSignals(blocked)

    def _show_current(self, order: OrderSummary | None) -> None:
        if order is None:
            self.detail.clear()
        else:
            self.detail.show_summary(order)

    def _show_created(self, order: OrderSummary) -> None:
        """The new order, selected (the search cleared if it hid it), and the form ready for the next one."""
        if not self.table.select_order(order.order_id):
            self.table.search.clear()
            self.table.select_order(order.order_id)
        self.form.reset()

    def _show_session(self, session: Session) -> None:
        self.status.set_session(session)
        self.form.set_default_currency(self.controller.default_currency)
        self.retranslate_ui()
        self._enable()

    # ---- the table --------------------------------------------------------------------------

    def _on_current_changed(self, order_id: str) -> None:
        self._update_actions()
        self.controller.set_current(order_id or None)

    def _selected_orders(self) -> list[OrderSummary]:
        orders = (self.controller.model.summary(order_id) for order_id in self.table.selected_order_ids())
        return [order for order in orders if order is not None]

    def _update_actions(self) -> None:
        controller = self.controller
        orders = self._selected_orders()
        allowed = {action for action in Action if any(controller.may(action, order) for order in orders)}
        why_not = next((code for order in orders if (code := controller.approve_refusal(order)) is not None), None)
        self.decisions.update_for(allowed, ready=controller.can_decide, why_not_approve=why_not)
        self.copy_id_action.setEnabled(bool(orders))
        current = self.table.current_order_id()
        self.web_ui_action.setEnabled(current is not None and controller.workflow_url(current) is not None)

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

    # ---- closing ------------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        """Closing waits for the controller to stop the worker and the server; the window then closes itself."""
        if self._closed_down:
            event.accept()
            return
        event.ignore()
        if not self.controller.closing:
            self._state.save(self, self.splitter, self.table.view.horizontalHeader(), self.table.current_view)
            for part in (self.centralWidget(), self.menuBar(), self.toolbar):
                part.setEnabled(False)
            self.controller.shutdown()

    def _on_closed(self) -> None:
        self.notifier.close()
        self.dialogs.close_all()
        self._closed_down = True
        self.close()
        self.closed.emit()

    @property
    def connect_dialog(self) -> ConnectDialog | None:
        return self.dialogs.connect

    @property
    def closed_down(self) -> bool:
        """True once closing has stopped the worker and the server and the window is gone."""
        return self._closed_down

    async def wait_closed(self) -> None:
        if self._closed_down:
            return
        done = asyncio.get_running_loop().create_future()
        self.closed.connect(lambda: done.done() or done.set_result(None))
        await done
