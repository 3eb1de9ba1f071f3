"""A decision on several orders while it runs: progress, then every order's outcome, refused ones with why.

Shown with ``show()``, not modal: the window stays usable while the decisions run, and the list stays open
until the person closes it. Closing only hides it: outcomes still landing are recorded in it all the same.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QProgressBar,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.models import Action, BulkOutcome
from desktop import formatting
from desktop.outcomes import outcome_text, signed_only, tally_text
from desktop.resources import icon, status_icon

TITLES = {
    Action.APPROVE: QT_TRANSLATE_NOOP("BulkDialog", "Approving orders"),
    Action.REJECT: QT_TRANSLATE_NOOP("BulkDialog", "Rejecting orders"),
    Action.CANCEL: QT_TRANSLATE_NOOP("BulkDialog", "Cancelling orders"),
}
HEADERS = (
    QT_TRANSLATE_NOOP("BulkDialog", "Order ID"),
    QT_TRANSLATE_NOOP("BulkDialog", "Item"),
    QT_TRANSLATE_NOOP("BulkDialog", "Outcome"),
    QT_TRANSLATE_NOOP("BulkDialog", "Reason"),
)
ITEM_COLUMN, OUTCOME_COLUMN, REASON_COLUMN = 1, 2, 3
ITEM_WIDTH = 200  # pixels: a long item is elided (its whole text in the tooltip), never pushes the outcome away


class BulkDialog(QDialog):
    def __init__(self, action: Action, orders: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        """``orders``: the order ID and item of each order the decision goes to."""
        super().__init__(parent)
        self.setObjectName("bulkDialog")
        self.setModal(False)
        self.setWindowModality(Qt.WindowModality.NonModal)
        self.setWindowTitle(self.tr(TITLES[action]))
        self.action = action
        self.total = len(orders)
        self.landed = 0
        self.refused = 0
        self.signed = 0
        self._rows = {order_id: row for row, (order_id, _item) in enumerate(orders)}

        self.summary = QLabel(self)
        self.summary.setObjectName("bulkSummary")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("bulkProgress")
        self.progress.setRange(0, max(1, self.total))
        self.progress.setValue(0)
        self.table = QTableWidget(len(orders), len(HEADERS), self)
        self.table.setObjectName("bulkOutcomes")
        self.table.setHorizontalHeaderLabels([self.tr(header) for header in HEADERS])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(ITEM_COLUMN, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(ITEM_COLUMN, ITEM_WIDTH)
        header.setSectionResizeMode(REASON_COLUMN, QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(True)  # a reason wraps in its column rather than being cut off
        waiting = self.tr("Waiting…")
        for row, (order_id, item) in enumerate(orders):
            for column, text in enumerate((order_id, item, waiting, "")):
                self.table.setItem(row, column, QTableWidgetItem(text))
            self.table.item(row, ITEM_COLUMN).setToolTip(item)
        buttons = QDialogButtonBox(self)
        self.close_button = buttons.addButton(self.tr("Close"), QDialogButtonBox.ButtonRole.RejectRole)
        self.close_button.setObjectName("bulkCloseButton")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.progress)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(680, 360)
        self._show_progress()

    @property
    def finished_all(self) -> bool:
        return self.landed >= self.total

    def record(self, outcome: BulkOutcome, reason: str) -> None:
        """One order's outcome, as it lands; ``reason`` says why it was refused."""
        row = self._rows.get(outcome.order_id)
        if row is None:
            return
        result = self.table.item(row, OUTCOME_COLUMN)
        if outcome.ok and outcome.status is not None:
            result.setText(outcome_text(self.action, outcome.status))
            result.setIcon(status_icon(outcome.status))
            self.signed += signed_only(self.action, outcome.status)
        else:
            self.refused += 1
            result.setText(self.tr("Refused"))
            result.setIcon(status_icon(outcome.status) if outcome.status is not None else icon("status-rejected"))
            self.table.item(row, REASON_COLUMN).setText(reason)
            self.table.item(row, REASON_COLUMN).setToolTip(reason)
            self.table.resizeRowToContents(row)
        self.landed += 1
        self._show_progress()

    def _show_progress(self) -> None:
        self.progress.setValue(self.landed)
        if self.finished_all:
            self.summary.setText(tally_text(self.action, self.landed - self.refused, self.refused, self.signed))
        else:
            self.summary.setText(self.tr("{done} of {total} done…").format(
                done=formatting.number(self.landed), total=formatting.number(self.total)))

    def rows(self) -> list[tuple[str, ...]]:
        """Every row as shown: order ID, item, outcome, reason."""
        return [tuple(self.table.item(row, column).text() for column in range(len(HEADERS)))
                for row in range(self.table.rowCount())]
