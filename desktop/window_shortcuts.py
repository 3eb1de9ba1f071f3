"""The window's shortcuts reach it from a text field too.

A line edit takes some of them for its own editing before the window sees them: on Linux, Ctrl+E is "end of line"
(KDE's and GNOME's key bindings), so File -> Export (Ctrl+E) did nothing while the cursor was in the item field or
the search box, which is where it is after Ctrl+N, after creating an order and after Ctrl+F (a desk QA pass). This
filter declines those keys for the fields it watches, so the window's action gets them. End still ends the line.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QKeyEvent, QKeySequence


class WindowShortcutsFirst(QObject):
    def __init__(self, sequences: list[QKeySequence], parent: QObject) -> None:
        super().__init__(parent)
        self._sequences = {sequence.toString() for sequence in sequences if not sequence.isEmpty()}

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if (event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent)
                and QKeySequence(event.keyCombination()).toString() in self._sequences):
            event.ignore()  # not the field's: the shortcut goes to the window
            return True
        return False
