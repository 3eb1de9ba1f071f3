"""The approval chain of the selected order, in the detail pane: each step the policy asks for, in order, with
the role it awaits and, once signed, who signed it (as what), when, and their comment; and why the order needs
these signatures, or that the system approved it at once (with the reason the workflow recorded).

Names, comments and reasons are what people and the workflow wrote: shown as plain text, never as markup. The
reason is the workflow's record, kept in the words it was written in.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QEvent, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.models import SYSTEM_ACTOR, ApprovalStep, OrderDetails, OrderStatus
from desktop import formatting
from desktop.identity import role_text

HEADERS = (
    QT_TRANSLATE_NOOP("ApprovalChain", "Step"),
    QT_TRANSLATE_NOOP("ApprovalChain", "Role"),
    QT_TRANSLATE_NOOP("ApprovalChain", "Signed by"),
    QT_TRANSLATE_NOOP("ApprovalChain", "Signed at"),
    QT_TRANSLATE_NOOP("ApprovalChain", "Comment"),
)


class ApprovalChain(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("approvalChain")
        self._details: OrderDetails | None = None
        self._title = QLabel(self)
        self.note = QLabel(self)
        self.note.setObjectName("approvalNote")
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setWordWrap(True)
        self.note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table = QTableWidget(0, len(HEADERS), self)
        self.table.setObjectName("approvalTable")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(len(HEADERS) - 1, QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._title)
        layout.addWidget(self.note)
        layout.addWidget(self.table)
        self.retranslate_ui()
        self.clear()

    def retranslate_ui(self) -> None:
        self._title.setText(self.tr("Approval"))
        self.table.setHorizontalHeaderLabels([self.tr(header) for header in HEADERS])
        if self._details is not None:
            self.show_details(self._details)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def clear(self) -> None:
        self._details = None
        self.table.setRowCount(0)
        self.setVisible(False)

    def show_details(self, details: OrderDetails) -> None:
        self._details = details
        system = next((entry for entry in details.history if entry.status is OrderStatus.APPROVED
                       and entry.actor == SYSTEM_ACTOR and not details.steps), None)
        if system is not None:
            self.note.setText(self.tr("Approved at once by the system: {reason}").format(
                reason=system.reason or details.approval_reason or ""))
        elif details.approval_reason and details.steps:
            self.note.setText(self.tr("Signatures needed: {reason}").format(reason=details.approval_reason))
        else:
            self.note.setText("")
        self.note.setVisible(bool(self.note.text()))
        self.table.setRowCount(len(details.steps))
        awaited = next((number for number, step in enumerate(details.steps) if step.signature is None), None)
        for row, step in enumerate(details.steps):
            cells = (self.tr("{step} of {steps}").format(step=formatting.number(row + 1),
                                                         steps=formatting.number(len(details.steps))),
                     role_text(step.role), *self._signature(step, row == awaited and
                                                            details.status is OrderStatus.PENDING_APPROVAL))
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.setVisible(bool(details.steps))
        self.setVisible(bool(details.steps) or system is not None)

    def _signature(self, step: ApprovalStep, awaited: bool) -> tuple[str, str, str]:
        signature = step.signature
        if signature is None:
            return (self.tr("awaiting signature") if awaited else "", "", "")
        signer = signature.actor if signature.role is None else self.tr("{name} ({role})").format(
            name=signature.actor, role=role_text(signature.role))
        return signer, formatting.date_time(signature.at), signature.comment or ""

    def rows(self) -> list[tuple[str, ...]]:
        return [tuple(self.table.item(row, column).text() for column in range(len(HEADERS)))
                for row in range(self.table.rowCount())]
