"""Approve, Reject and Cancel as QActions: one set shared by the toolbar, the menu and the context
menu, enabled only when the selected order's status allows the decision."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence

from core.models import Action, OrderStatus
from desktop.resources import icon

SHORTCUTS = {
    Action.APPROVE: "Ctrl+Shift+A",
    Action.REJECT: "Ctrl+Shift+R",
    Action.CANCEL: "Ctrl+Shift+C",
}
LABELS = {Action.APPROVE: "&Approve", Action.REJECT: "&Reject…", Action.CANCEL: "&Cancel order"}
ICONS = {Action.APPROVE: "status-approved", Action.REJECT: "status-rejected", Action.CANCEL: "status-cancelled"}


class DecisionActions(QObject):
    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.actions: dict[Action, QAction] = {}
        for decision in Action:
            action = QAction(icon(ICONS[decision]), LABELS[decision], parent)
            action.setObjectName(f"{decision.value}Action")
            action.setShortcut(QKeySequence(SHORTCUTS[decision]))
            action.setToolTip(f"{LABELS[decision].replace('&', '').rstrip('…')} the selected order "
                              f"({SHORTCUTS[decision]})")
            action.setEnabled(False)
            self.actions[decision] = action

    def __getitem__(self, decision: Action) -> QAction:
        return self.actions[decision]

    def update_for(self, status: OrderStatus | None, ready: bool = True) -> None:
        """Enable each decision the status allows; all off when nothing is selected or a call is running."""
        for decision, action in self.actions.items():
            action.setEnabled(ready and status is not None and decision.allowed_from(status))
