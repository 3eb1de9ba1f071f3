"""The dialogs the main window opens for the controller: each opens with ``open()`` (never ``exec()``, so the
window stays usable) and hands its answer to the controller. A decision's reason or confirmation, the bulk
dialog that lists every outcome as it lands, the export file, and signing in to a team server.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject, QStandardPaths
from PySide6.QtWidgets import QWidget

from core.models import Action, BulkOutcome, OrderFilter, OrderSummary
from desktop.bulk_dialog import BulkDialog
from desktop.connect_dialog import ConnectDialog
from desktop.controller import Command, DeskController
from desktop.decision_dialog import DecisionDialog
from desktop.export_dialog import ExportDialog
from desktop.views import OrderView
from desktop.window_state import WindowState


class WindowDialogs(QObject):
    def __init__(self, controller: DeskController, state: WindowState, window: QWidget) -> None:
        super().__init__(window)
        self.controller = controller
        self.state = state
        self.window = window
        self.bulk: BulkDialog | None = None
        self.connect: ConnectDialog | None = None
        controller.bulkStarted.connect(self._open_bulk)
        controller.bulkLanded.connect(self._record_outcome)
        controller.signInRequired.connect(self.ask_sign_in)
        controller.signInFailed.connect(self._sign_in_failed)
        controller.signedIn.connect(self._signed_in)
        controller.signedOut.connect(lambda _url: state.save_signed_out())
        controller.exported.connect(lambda path: state.save_export_directory(str(path.parent)))

    # ---- decisions ------------------------------------------------------------------------------

    def request_decision(self, action: Action, orders: list[OrderSummary]) -> None:
        """Approve or cancel one order at once; ask for the reason of a rejection, and confirm a decision on
        several orders first. The service decides, per order, whether it is allowed."""
        if not orders or not self.controller.can_decide:
            return
        if len(orders) == 1 and action is not Action.REJECT:
            self.controller.decide(action, [orders[0].order_id])
            return
        dialog = DecisionDialog(action, orders, self.window)
        dialog.confirmed.connect(self.controller.decide)
        dialog.open()

    def _open_bulk(self, action: Action, orders: list[tuple[str, str]]) -> None:
        """Not modal: every outcome shows in it as it lands, while the window stays usable."""
        if self.bulk is not None and self.bulk.isHidden():
            self.bulk.deleteLater()
        self.bulk = BulkDialog(action, orders, self.window)
        self.bulk.show()

    def _record_outcome(self, outcome: BulkOutcome, why: str) -> None:
        if self.bulk is not None:
            self.bulk.record(outcome, why)

    # ---- export ---------------------------------------------------------------------------------

    def ask_export_file(self, view: OrderView, where: OrderFilter) -> None:
        """The file dialog opens with ``open()``; the view is taken now, as the person sees it."""
        if not self.controller.ready or self.controller.busy(Command.EXPORT):
            return
        directory = self.state.export_directory or QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation)
        dialog = ExportDialog(directory, f"orders-{view.key}-{datetime.now().date().isoformat()}.csv", self.window)
        dialog.fileSelected.connect(lambda path: self.controller.export(Path(path), where))
        dialog.open()

    # ---- a team server --------------------------------------------------------------------------

    def ask_sign_in(self, url: str, why: str) -> None:
        """File → Connect to server…, or the server refused the token: the dialog, filled in with ``url`` (or the
        server last signed in to), saying ``why``. It never blocks the window, and what is typed in it stays."""
        controller = self.controller
        if self.connect is None:
            self.connect = ConnectDialog(not controller.tokens.persistent, self.window)
            self.connect.connectRequested.connect(controller.sign_in)
        remembered = url or (controller.login.url if controller.login else self.state.server_url) or ""
        self.connect.prepare(remembered, why)
        if not self.connect.isVisible():
            self.connect.open()

    def _sign_in_failed(self, why: str) -> None:
        if self.connect is not None and self.connect.isVisible():
            self.connect.show_error(why)

    def _signed_in(self, url: str, _persistent: bool) -> None:
        self.state.save_server_url(url)
        if self.connect is not None and self.connect.isVisible():
            self.connect.signed_in()

    def close_all(self) -> None:
        for dialog in (self.bulk, self.connect):
            if dialog is not None:
                dialog.close()

