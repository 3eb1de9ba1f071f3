"""Desktop notifications for orders that await approval, where the desktop has a system tray."""

from __future__ import annotations

import html
import sys

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QSystemTrayIcon

from core.models import OrderSummary
from desktop import formatting


def _plain(text: str) -> str:
    # Freedesktop notification servers read the body as markup; others show it as is.
    return html.escape(text) if sys.platform.startswith("linux") else text


def pending_message(orders: list[OrderSummary]) -> tuple[str, str]:
    if len(orders) == 1:
        order = orders[0]
        body = QCoreApplication.translate("PendingNotifier", "{quantity} × {item} from {creator} ({order})").format(
            quantity=formatting.number(order.quantity), item=order.item, creator=order.created_by,
            order=order.order_id)
        return QCoreApplication.translate("PendingNotifier", "New order awaits approval"), _plain(body)
    title = QCoreApplication.translate("PendingNotifier", "{count} new orders await approval").format(
        count=formatting.number(len(orders)))
    return title, _plain(", ".join(order.item for order in orders[:5]))


class PendingNotifier(QObject):
    """Owns the tray icon, if there can be one. ``announced`` reports every notification, whether or
    not a tray could show it."""

    announced = Signal(str, str)
    activated = Signal()

    def __init__(self, icon: QIcon, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(icon, self)
            self.tray.messageClicked.connect(self.activated)
            self.tray.activated.connect(lambda _reason: self.activated.emit())
            self.tray.show()
        self.retranslate()

    def retranslate(self) -> None:
        if self.tray is not None:
            self.tray.setToolTip(self.tr("Order Desk"))

    def notify(self, orders: list[OrderSummary]) -> None:
        if not orders:
            return
        title, body = pending_message(orders)
        if self.tray is not None:
            self.tray.showMessage(title, body, QSystemTrayIcon.MessageIcon.Information, 8000)
        self.announced.emit(title, body)

    def close(self) -> None:
        if self.tray is not None:
            self.tray.hide()
            self.tray = None
