"""The selected order in full: its fields, who created it, its history, and a link to its workflow.

Every text a person typed (the item, reasons, names) is shown as plain text: labels are set to
``Qt.PlainText`` and the history is a table of plain items, so markup in an order is never rendered.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP, QEvent, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.models import OrderDetails, OrderStatus, OrderSummary
from desktop import formatting
from desktop.approval_chain import ApprovalChain
from desktop.identity import role_text
from desktop.resources import icon, status_icon
from desktop.views import status_text

FIELD_LABELS = {
    "item": QT_TRANSLATE_NOOP("DetailPane", "Item:"),
    "quantity": QT_TRANSLATE_NOOP("DetailPane", "Quantity:"),
    "unit price": QT_TRANSLATE_NOOP("DetailPane", "Unit price:"),
    "amount": QT_TRANSLATE_NOOP("DetailPane", "Amount:"),
    "status": QT_TRANSLATE_NOOP("DetailPane", "Status:"),
    "awaiting": QT_TRANSLATE_NOOP("DetailPane", "Awaiting:"),
    "created by": QT_TRANSLATE_NOOP("DetailPane", "Created by:"),
    "created at": QT_TRANSLATE_NOOP("DetailPane", "Created at:"),
    "updated at": QT_TRANSLATE_NOOP("DetailPane", "Updated at:"),
}
HISTORY_HEADERS = (
    QT_TRANSLATE_NOOP("DetailPane", "Time"),
    QT_TRANSLATE_NOOP("DetailPane", "Status"),
    QT_TRANSLATE_NOOP("DetailPane", "Actor"),
    QT_TRANSLATE_NOOP("DetailPane", "Reason"),
)


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
        self._summary: OrderSummary | None = None
        self._details: OrderDetails | None = None
        self._history_error: str | None = None

        self._placeholder = _plain_label(self, "detailPlaceholder")
        self._placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.addWidget(self._placeholder)

        page = QWidget(self)
        self.title = _plain_label(page, "detailTitle")
        self.status_icon = QLabel(page)
        self.fields = {
            name: _plain_label(page, f"detail{name.title().replace(' ', '')}") for name in FIELD_LABELS
        }
        self.fields["item"].setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # see show_summary
        self._field_labels = {name: QLabel(page) for name in FIELD_LABELS}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for name, label in self.fields.items():
            form.addRow(self._field_labels[name], label)

        self.history = QTableWidget(0, len(HISTORY_HEADERS), page)
        self.history.setObjectName("historyTable")
        self.history.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.history.verticalHeader().setVisible(False)
        self.history.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.history.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.history.horizontalHeader().setSectionResizeMode(len(HISTORY_HEADERS) - 1,
                                                             QHeaderView.ResizeMode.Stretch)
        self.history.setWordWrap(True)

        self.chain = ApprovalChain(page)

        self.history_note = _plain_label(page, "historyNote")
        self.history_note.setVisible(False)

        self.workflow_button = QPushButton(icon("web-ui"), "", page)
        self.workflow_button.setObjectName("workflowLinkButton")
        self.workflow_button.setFlat(True)
        self.workflow_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.workflow_button.clicked.connect(self.open_workflow)

        self._history_label = QLabel(page)
        title_row = QHBoxLayout()
        title_row.addWidget(self.status_icon)
        title_row.addWidget(self.title, 1)
        layout = QVBoxLayout(page)
        layout.addLayout(title_row)
        layout.addLayout(form)
        layout.addWidget(self.chain)
        layout.addWidget(self._history_label)
        layout.addWidget(self.history, 1)
        layout.addWidget(self.history_note)
        layout.addWidget(self.workflow_button, 0, Qt.AlignmentFlag.AlignLeft)
        self._page = page
        self.addWidget(page)
        self.setMinimumWidth(280)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self._placeholder.setText(self.tr("Select an order to see its details and history."))
        for name, label in self._field_labels.items():
            label.setText(self.tr(FIELD_LABELS[name]))
        self._history_label.setText(self.tr("History"))
        self.history.setHorizontalHeaderLabels([self.tr(header) for header in HISTORY_HEADERS])
        self.workflow_button.setText(self.tr("Open in Temporal Web UI"))
        if self._details is not None:
            self.show_details(self._details)
        elif self._summary is not None:
            self.show_summary(self._summary)
        if self._history_error is not None:
            self.show_history_error(self._history_error)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def clear(self) -> None:
        self.chain.clear()
        self.order_id = None
        self._summary = self._details = None
        self._history_error = None
        self.setCurrentWidget(self._placeholder)

    def show_summary(self, order: OrderSummary) -> None:
        """What the table already knows, shown at once; the history follows with ``show_details``."""
        if order.order_id != self.order_id:
            self.history.setRowCount(0)
            self.history_note.setVisible(False)
            self.chain.clear()
            self._details = None
            self._history_error = None
        self.order_id = order.order_id
        self._summary = order
        self.title.setText(order.order_id)
        self.fields["item"].setText(order.item)
        # A long word (a part number) is clipped by the pane's column, never widens it: whole in the tooltip.
        self.fields["item"].setToolTip(order.item if formatting.has_long_word(order.item) else "")
        self.fields["quantity"].setText(formatting.number(order.quantity))
        priced = order.unit_price is not None and order.currency is not None
        self.fields["unit price"].setText(formatting.money(order.unit_price, order.currency) if priced  # type: ignore[arg-type]
                                          else self.tr("no price"))
        self.fields["amount"].setText(formatting.money(order.amount, order.currency)  # type: ignore[arg-type]
                                      if priced and order.amount is not None else "")
        self.fields["status"].setText(status_text(order.status))
        awaiting = order.awaiting_role if order.status is OrderStatus.PENDING_APPROVAL else None
        self.fields["awaiting"].setText(self.tr("a {role}'s signature").format(role=role_text(awaiting))
                                        if awaiting is not None else "")
        self.fields["created by"].setText(order.created_by)
        self.fields["created at"].setText(formatting.date_time(order.created_at))
        self.fields["updated at"].setText(formatting.date_time(order.updated_at) if order.updated_at else "")
        self.status_icon.setPixmap(status_icon(order.status).pixmap(16, 16))
        url = self._workflow_url(order.order_id)
        self.workflow_button.setEnabled(url is not None)
        self.workflow_button.setToolTip(
            url or self.tr("No Temporal Web UI is configured (ORDER_DESK_TEMPORAL_UI_URL)"))
        self.setCurrentWidget(self._page)

    def show_details(self, details: OrderDetails) -> None:
        self.show_summary(OrderSummary.model_validate(details.model_dump(include=set(OrderSummary.model_fields))))
        self._details = details
        self.chain.show_details(details)
        self._history_error = None
        self.history.setRowCount(len(details.history))
        for row, step in enumerate(details.history):
            status = {"reminder": self.tr("Reminder sent"),
                      "signature": self.tr("Signed, awaits the next step")}.get(step.kind) or status_text(step.status)
            cells = (formatting.date_time(step.at), status, step.actor, step.reason or "")
            for column, text in enumerate(cells):
                self.history.setItem(row, column, QTableWidgetItem(text))
            self.history.item(row, 1).setIcon(status_icon(step.status))
        self.history_note.setVisible(False)

    def show_history_error(self, message: str) -> None:
        self._history_error = message
        self.history_note.setText(self.tr("History unavailable: {error}").format(error=message))
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
