"""The selected order's details, loaded apart from the rest of the desk's work: the order the window shows is
reported at once from the table (``currentChanged``), its details follow (``detailsLoaded``), and they are loaded
again whenever the order moves on (a new status, a signature). A late answer for an order no longer shown is
dropped, so a quick walk through the table never shows an older order's details.

The details also tell the desk what the table cannot: who signed which step, so approve is offered only to
someone who may sign the step the order awaits (``known``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from PySide6.QtCore import QObject, Signal

from core.errors import ErrorCode, OrderDeskError
from core.models import OrderDetails, OrderStatus, OrderSummary
from core.service_interface import OrderServiceProtocol
from desktop.orders_model import OrdersModel
from desktop.reports import Message
from desktop.views import STATUS_RANK

DETAILS = "details"  # the command (and the message source) of a detail load

Basis = tuple[str, OrderStatus, datetime | None, object]
Run = Callable[[str, str, Awaitable[object], Callable[[Exception], Message | None], Callable[[object], None]], None]


def _basis(order: OrderSummary) -> Basis:
    """What the details shown were loaded for: they are loaded again when any of it moves on."""
    return order.order_id, order.status, order.updated_at, order.awaiting_role


class DetailLoader(QObject):
    currentChanged = Signal(object)  # the OrderSummary the details show at once, or None
    detailsLoaded = Signal(object)  # OrderDetails of the current order
    detailsFailed = Signal(str)  # why the current order's details could not be loaded
    ahead = Signal(object)  # OrderDetails whose status is ahead of the table's row: the workflow moved on

    def __init__(self, model: OrdersModel, service: Callable[[], OrderServiceProtocol | None], run: Run,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self._service = service
        self._run = run
        self._current: str | None = None
        self._request = 0
        self._basis: Basis | None = None
        self._details: OrderDetails | None = None

    @property
    def current(self) -> str | None:
        return self._current

    def known(self, order_id: str) -> OrderDetails | None:
        """The details last loaded for ``order_id`` if it is the current order, else None."""
        details = self._details
        return details if details is not None and details.order_id == order_id == self._current else None

    def set_current(self, order_id: str | None) -> None:
        """The order whose details the window shows (the table's current one), or None."""
        if order_id != self._current:
            self._details = None
        self._current = order_id or None
        self._show(self._model.summary(order_id) if order_id else None)

    def follow(self) -> None:
        """After the model changed: the details are loaded again if the current order moved on."""
        order = self._model.summary(self._current) if self._current else None
        if order is not None and self._basis != _basis(order):
            self._show(order)

    def _show(self, order: OrderSummary | None) -> None:
        self.currentChanged.emit(order)
        if order is None:
            self._basis = None
        else:
            self._load(order)

    def _load(self, order: OrderSummary) -> None:
        service = self._service()
        if service is None:
            return
        self._request += 1
        self._basis = _basis(order)
        request, order_id = self._request, order.order_id
        self._run(DETAILS, f"Loading the details of {order_id}", service.details(order_id),
                  lambda err: self._failed(order_id, request, err),
                  lambda details: self._loaded(details, request))  # type: ignore[arg-type]

    def _latest(self, order_id: str, request: int) -> bool:
        """Whether the selection has stayed put since this request was made."""
        return request == self._request and order_id == self._current

    def _failed(self, order_id: str, request: int, err: Exception) -> None:
        if self._latest(order_id, request):  # in the detail pane, not the message line
            no_worker = isinstance(err, OrderDeskError) and err.code == ErrorCode.NO_WORKER
            self.detailsFailed.emit(self.tr("no worker answered; is a worker running?") if no_worker
                                    else str(err) or type(err).__name__)

    def _loaded(self, details: OrderDetails, request: int) -> None:
        if not self._latest(details.order_id, request):
            return
        self._details = details
        self.detailsLoaded.emit(details)
        known = self._model.status_of(details.order_id)
        if known is not None and STATUS_RANK[details.status] > STATUS_RANK[known]:
            self.ahead.emit(details)
