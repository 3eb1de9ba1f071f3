"""The selected order in full: its fields, who created it, its history, and a link to its workflow.

Every text a person typed (the item, reasons, names) is shown as plain text: labels are set to
``Qt.PlainText`` and the history is a table of plain items, so markup in an order is never rendered.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.models import OrderDetails, OrderSummary
from desktop.orders_model import local_time_text
from desktop.resources import icon, status_icon
from desktop.views import STATUS_TEXT

HISTORY_HEADERS = ("Time", "Status", "Actor", "Reason")


def _plain_label(parent: QWidget, name: str) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class DetailPane(QStackedWidget):
    """Shows a summary at once and the full details when they arrive. ``workflow_url`` maps an
    order ID to its Temporal Web UI page (None when no Web UI is known)."""

    def __init__(self, workflow_url: Callable[[str], str | None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("detailPane")
        self._workflow_url = workflow_url
        self.order_id: str | None = None

        self._placeholder = _plain_label(self, "detailPlaceholder")
        self._placeholder.setText("Select an order to see its details and history.")
        self._placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.addWidget(self._placeholder)

        page = QWidget(self)
        self.title = _plain_label(page, "detailTitle")
        self.status_icon = QLabel(page)
        self.fields = {
            name: _plain_label(page, f"detail{name.title().replace(' ', '')}")
            for name in ("item", "quantity", "status", "created by", "created at", "updated at")
        }
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for name, label in self.fields.items():
            form.addRow(f"{name.capitalize()}:", label)

        self.history = QTableWidget(0, len(HISTORY_HEADERS), page)
        self.history.setObjectName("historyTable")
        self.history.setHorizontalHeaderLabels(HISTORY_HEADERS)
        self.history.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.history.verticalHeader().setVisible(False)
        self.history.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.history.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.history.horizontalHeader().setSectionResizeMode(len(HISTORY_HEADERS) - 1,
                                                             QHeaderView.ResizeMode.Stretch)
        self.history.setWordWrap(True)

        self.history_note = _plain_label(page, "historyNote")
        self.history_note.setVisible(False)

        self.workflow_button = QPushButton(icon("web-ui"), "Open in Temporal Web UI", page)
        self.workflow_button.setObjectName("workflowLinkButton")
        self.workflow_button.setFlat(True)
        self.workflow_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.workflow_button.clicked.connect(self.open_workflow)

        title_row = QHBoxLayout()
        title_row.addWidget(self.status_icon)
        title_row.addWidget(self.title, 1)
        layout = QVBoxLayout(page)
        layout.addLayout(title_row)
        layout.addLayout(form)
        layout.addWidget(QLabel("History", page))
        layout.addWidget(self.history, 1)
        layout.addWidget(self.history_note)
        layout.addWidget(self.workflow_button, 0, Qt.AlignmentFlag.AlignLeft)
        self._page = page
        self.addWidget(page)
        self.setMinimumWidth(280)

    def clear(self) -> None:
        self.order_id = None
        self.setCurrentWidget(self._placeholder)

    def show_summary(self, order: OrderSummary) -> None:
        """What the table already knows, shown at once; the history follows with ``show_details``."""
        if order.order_id != self.order_id:
            self.history.setRowCount(0)
            self.history_note.setVisible(False)
        self.order_id = order.order_id
        self.title.setText(order.order_id)
        self.fields["item"].setText(order.item)
        self.fields["quantity"].setText(f"{order.quantity:,}")
        self.fields["status"].setText(STATUS_TEXT[order.status])
        self.fields["created by"].setText(order.created_by)
        self.fields["created at"].setText(local_time_text(order.created_at))
        self.fields["updated at"].setText(local_time_text(order.updated_at) if order.updated_at else "")
        self.status_icon.setPixmap(status_icon(order.status).pixmap(16, 16))
        url = self._workflow_url(order.order_id)
        self.workflow_button.setEnabled(url is not None)
        self.workflow_button.setToolTip(url or "No Temporal Web UI is configured (ORDER_DESK_TEMPORAL_UI_URL)")
        self.setCurrentWidget(self._page)

    def show_details(self, details: OrderDetails) -> None:
        self.show_summary(OrderSummary(
            order_id=details.order_id, item=details.item, quantity=details.quantity, status=details.status,
            created_by=details.created_by, created_at=details.created_at, updated_at=details.updated_at))
        self.history.setRowCount(len(details.history))
        for row, step in enumerate(details.history):
            status = "Reminder sent" if step.kind == "reminder" else STATUS_TEXT[step.status]
            cells = (local_time_text(step.at), status, step.actor, step.reason or "")
            for column, text in enumerate(cells):
                self.history.setItem(row, column, QTableWidgetItem(text))
            self.history.item(row, 1).setIcon(status_icon(step.status))
        self.history_note.setVisible(False)

    def show_history_error(self, message: str) -> None:
        self.history_note.setText(f"History unavailable: {message}")
        self.history_note.setVisible(True)

    def history_rows(self) -> list[tuple[str, ...]]:
        return [
            tuple(self.history.item(row, column).text() for column in range(len(HISTORY_HEADERS)))
            for row in range(self.history.rowCount())
        ]

    def open_workflow(self) -> None:
        url = self._workflow_url(self.order_id) if self.order_id else None
        if url:
            QDesktopServices.openUrl(QUrl(url))
