"""Approve, Reject and Cancel as QActions: one set shared by the toolbar, the menu and the context
menu, each enabled when the person may take it on at least one selected order (its status, their role, the
four-eyes rule)."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QObject
from PySide6.QtGui import QAction, QKeySequence

from core.errors import ErrorCode
from core.models import Action
from desktop.refusals import refusal_text
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

    def update_for(self, allowed: set[Action], ready: bool = True, why_not_approve: ErrorCode | None = None) -> None:
        """Enable each decision the person may take on some selected order; all off when a call is running.
        ``why_not_approve``: the rule that keeps approve off (their role, the step's, four-eyes): its tooltip
        says it in the words a refusal would."""
        for decision, action in self.actions.items():
            action.setEnabled(ready and decision in allowed)
        approve = self.actions[Action.APPROVE]
        if why_not_approve is not None and Action.APPROVE not in allowed:
            reason = refusal_text(Action.APPROVE, why_not_approve, None)
            approve.setToolTip(reason[:1].upper() + reason[1:])
        else:
            shortcut = approve.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            approve.setToolTip(self.tr(TOOLTIPS[Action.APPROVE]).format(shortcut=shortcut))
