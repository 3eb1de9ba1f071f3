"""Asks for the reason of a rejection (one reason for all the orders) and confirms a decision on several
orders. Opened with ``open()`` (window-modal, never a nested event loop); the answer comes back through
``confirmed``."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from core.models import REASON_LENGTH, Action, OrderSummary
from desktop import formatting

LISTED = 8  # items named in the prompt; the rest are counted

TITLES = {
    Action.APPROVE: QT_TRANSLATE_NOOP("DecisionDialog", "Approve orders"),
    Action.REJECT: QT_TRANSLATE_NOOP("DecisionDialog", "Reject orders"),
    Action.CANCEL: QT_TRANSLATE_NOOP("DecisionDialog", "Cancel orders"),
}
ONE = {
    Action.APPROVE: QT_TRANSLATE_NOOP("DecisionDialog", "Approve order {order} ({item})?"),
    Action.REJECT: QT_TRANSLATE_NOOP("DecisionDialog", "Reject order {order} ({item})?"),
    Action.CANCEL: QT_TRANSLATE_NOOP("DecisionDialog", "Cancel order {order} ({item})?"),
}
MANY = {
    Action.APPROVE: QT_TRANSLATE_NOOP("DecisionDialog", "Approve these {count} orders?"),
    Action.REJECT: QT_TRANSLATE_NOOP("DecisionDialog", "Reject these {count} orders?"),
    Action.CANCEL: QT_TRANSLATE_NOOP("DecisionDialog", "Cancel these {count} orders?"),
}
CONFIRM = {
    Action.APPROVE: QT_TRANSLATE_NOOP("DecisionDialog", "Approve"),
    Action.REJECT: QT_TRANSLATE_NOOP("DecisionDialog", "Reject"),
    Action.CANCEL: QT_TRANSLATE_NOOP("DecisionDialog", "Cancel orders"),
}


class DecisionDialog(QDialog):
    confirmed = Signal(object, list, str)  # Action, order IDs, reason ("" for none)

    def __init__(self, action: Action, orders: list[OrderSummary], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"{action.value}Dialog")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(self.tr(TITLES[action]))
        self.action = action
        self.order_ids = [order.order_id for order in orders]
        prompt = QLabel(self)
        prompt.setObjectName("decisionPrompt")
        prompt.setTextFormat(Qt.TextFormat.PlainText)
        prompt.setWordWrap(True)
        prompt.setText(self._prompt(orders))
        self.reason_edit = QLineEdit(self)
        self.reason_edit.setObjectName("reasonEdit")
        self.reason_edit.setMaxLength(REASON_LENGTH)
        self.reason_edit.setPlaceholderText(self.tr("Reason (optional), e.g. over budget"))
        self.reason_edit.setVisible(action is Action.REJECT)
        buttons = QDialogButtonBox(self)
        back = buttons.addButton(self.tr("Go back"), QDialogButtonBox.ButtonRole.RejectRole)
        back.setObjectName("backButton")
        self.confirm_button = buttons.addButton(self.tr(CONFIRM[action]), QDialogButtonBox.ButtonRole.AcceptRole)
        self.confirm_button.setObjectName("confirmButton")
        self.confirm_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.accepted.connect(
            lambda: self.confirmed.emit(self.action, self.order_ids, self.reason_edit.text().strip()))
        layout = QVBoxLayout(self)
        layout.addWidget(prompt)
        layout.addWidget(self.reason_edit)
        layout.addWidget(buttons)
        self.setMinimumWidth(400)

    def _prompt(self, orders: list[OrderSummary]) -> str:
        if len(orders) == 1:
            return self.tr(ONE[self.action]).format(order=orders[0].order_id, item=formatting.isolated(orders[0].item))
        lines = [self.tr(MANY[self.action]).format(count=formatting.number(len(orders)))]
        lines += [f"• {formatting.isolated(order.item)} ({order.order_id})" for order in orders[:LISTED]]
        if len(orders) > LISTED:
            lines.append(self.tr("…and {count} more").format(count=formatting.number(len(orders) - LISTED)))
        return "\n".join(lines)
