"""Approve, Reject and Cancel as QActions: one set shared by the toolbar, the menu and the context
menu, each enabled when at least one selected order's status allows the decision."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QT_TRANSLATE_NOOP, QObject
from PySide6.QtGui import QAction, QKeySequence

from core.models import Action, OrderStatus
from desktop.resources import icon

SHORTCUTS = {
    Action.APPROVE: "Ctrl+Shift+A",
    Action.REJECT: "Ctrl+Shift+R",
    Action.CANCEL: "Ctrl+Shift+C",
}
LABELS = {
    Action.APPROVE: QT_TRANSLATE_NOOP("DecisionActions", "&Approve"),
    Action.REJECT: QT_TRANSLATE_NOOP("DecisionActions", "&Reject…"),
    Action.CANCEL: QT_TRANSLATE_NOOP("DecisionActions", "&Cancel order"),
}
TOOLTIPS = {
    Action.APPROVE: QT_TRANSLATE_NOOP("DecisionActions", "Approve the selected orders ({shortcut})"),
    Action.REJECT: QT_TRANSLATE_NOOP("DecisionActions", "Reject the selected orders, with a reason ({shortcut})"),
    Action.CANCEL: QT_TRANSLATE_NOOP("DecisionActions", "Cancel the selected orders ({shortcut})"),
}
ICONS = {Action.APPROVE: "status-approved", Action.REJECT: "status-rejected", Action.CANCEL: "status-cancelled"}


class DecisionActions(QObject):
    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.actions: dict[Action, QAction] = {}
        for decision in Action:
            action = QAction(icon(ICONS[decision]), "", parent)
            action.setObjectName(f"{decision.value}Action")
            action.setShortcut(QKeySequence(SHORTCUTS[decision]))
            action.setEnabled(False)
            self.actions[decision] = action
        self.retranslate()

    def retranslate(self) -> None:
        for decision, action in self.actions.items():
            action.setText(self.tr(LABELS[decision]))
            shortcut = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            action.setToolTip(self.tr(TOOLTIPS[decision]).format(shortcut=shortcut))

    def __getitem__(self, decision: Action) -> QAction:
        return self.actions[decision]

    def update_for(self, statuses: Iterable[OrderStatus], ready: bool = True) -> None:
        """Enable each decision that some selected order's status allows; all off when a call is running."""
        known = set(statuses)
        for decision, action in self.actions.items():
            action.setEnabled(ready and any(decision.allowed_from(status) for status in known))
