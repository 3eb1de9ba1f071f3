"""OrdersModel: the orders as a table, changed in place so selection and scroll survive every refresh.

``apply`` takes a fresh list (a poll of the service) and turns the difference into the model
signals views understand: ``dataChanged`` for changed rows, ``beginInsertRows`` for new ones,
``beginRemoveRows`` for gone ones. Rows are stored as plain tuples, indexed by order ID, so a
refresh of thousands of rows costs one dict build and one pass. The model knows no widgets;
a ``QSortFilterProxyModel`` sorts and filters it for the view.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from enum import IntEnum

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from core.ledger.store import fold
from core.models import OrderStatus, OrderSummary
from desktop import formatting
from desktop.resources import status_icon
from desktop.views import status_text


class Column(IntEnum):
    ORDER_ID = 0
    ITEM = 1
    QUANTITY = 2
    STATUS = 3
    CREATED_BY = 4
    CREATED_AT = 5
    AGE = 6


HEADERS = (
    QT_TRANSLATE_NOOP("OrdersModel", "Order ID"),
    QT_TRANSLATE_NOOP("OrdersModel", "Item"),
    QT_TRANSLATE_NOOP("OrdersModel", "Quantity"),
    QT_TRANSLATE_NOOP("OrdersModel", "Status"),
    QT_TRANSLATE_NOOP("OrdersModel", "Created by"),
    QT_TRANSLATE_NOOP("OrdersModel", "Created at"),
    QT_TRANSLATE_NOOP("OrdersModel", "Age"),
)
LAST_COLUMN = len(HEADERS) - 1

DISPLAY_ROLE = int(Qt.ItemDataRole.DisplayRole)
DECORATION_ROLE = int(Qt.ItemDataRole.DecorationRole)
ALIGNMENT_ROLE = int(Qt.ItemDataRole.TextAlignmentRole)
SORT_ROLE = int(Qt.ItemDataRole.UserRole) + 1
ORDER_ID_ROLE = int(Qt.ItemDataRole.UserRole) + 2
STATUS_ROLE = int(Qt.ItemDataRole.UserRole) + 3
SEARCH_ROLE = int(Qt.ItemDataRole.UserRole) + 4

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter

# A row: (order_id, item, quantity, status, created_by, created_at, updated_at).
Row = tuple[str, str, int, OrderStatus, str, datetime, datetime | None]
_ID, _ITEM, _QUANTITY, _STATUS, _CREATED_BY, _CREATED_AT, _UPDATED_AT = range(7)
_NO_PARENT = QModelIndex()
_STATUS_ORDER = {status: number for number, status in enumerate(OrderStatus)}


def _row(order: OrderSummary) -> Row:
    return (order.order_id, order.item, order.quantity, order.status, order.created_by,
            order.created_at, order.updated_at)


def _ranges(rows: Sequence[int]) -> list[tuple[int, int]]:
    """Sorted row numbers as (first, last) runs, so a refresh emits one signal per contiguous block."""
    runs: list[tuple[int, int]] = []
    if not rows:
        return runs
    first = last = rows[0]
    for row in rows[1:]:
        if row != last + 1:
            runs.append((first, last))
            first = row
        last = row
    runs.append((first, last))
    return runs


class OrdersModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Row] = []
        self._index: dict[str, int] = {}
        self._index_stale = False
        self._now = datetime.now(UTC)

    # ---- Qt's model contract ----------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _NO_PARENT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _NO_PARENT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = DISPLAY_ROLE) -> object:
        if role == DISPLAY_ROLE and orientation == Qt.Orientation.Horizontal and 0 <= section < len(HEADERS):
            return QCoreApplication.translate("OrdersModel", HEADERS[section])
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = DISPLAY_ROLE) -> object:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == DISPLAY_ROLE:
            return self._display(row, column)
        if role == SORT_ROLE:
            return self._sort_key(row, column)
        if role == DECORATION_ROLE:
            return status_icon(row[_STATUS]) if column == Column.STATUS else None
        if role == ALIGNMENT_ROLE:
            return _RIGHT if column in (Column.QUANTITY, Column.AGE) else None
        if role == ORDER_ID_ROLE:
            return row[_ID]
        if role == STATUS_ROLE:
            return row[_STATUS].value
        if role == SEARCH_ROLE:
            return fold(row[_ITEM])
        return None

    def _display(self, row: Row, column: int) -> object:
        if column == Column.ORDER_ID:
            return row[_ID]
        if column == Column.ITEM:
            return row[_ITEM]
        if column == Column.QUANTITY:
            return formatting.number(row[_QUANTITY])
        if column == Column.STATUS:
            return status_text(row[_STATUS])
        if column == Column.CREATED_BY:
            return row[_CREATED_BY]
        if column == Column.CREATED_AT:
            return formatting.date_time(row[_CREATED_AT], seconds=False)
        if column == Column.AGE:
            return formatting.age((self._now - row[_CREATED_AT]).total_seconds())
        return None

    @staticmethod
    def _sort_key(row: Row, column: int) -> object:
        if column == Column.QUANTITY:
            return row[_QUANTITY]
        if column == Column.STATUS:
            return _STATUS_ORDER[row[_STATUS]]
        if column in (Column.CREATED_AT, Column.AGE):
            stamp = row[_CREATED_AT].timestamp()
            return stamp if column == Column.CREATED_AT else -stamp
        if column == Column.ITEM:
            return row[_ITEM].casefold()
        if column == Column.CREATED_BY:
            return row[_CREATED_BY].casefold()
        return row[_ID]

    # ---- updates ----------------------------------------------------------------------------

    def apply(self, orders: Iterable[OrderSummary], now: datetime | None = None) -> None:
        """Make the model hold exactly ``orders``, signalling only the difference."""
        self._now = now or datetime.now(UTC)
        fresh = {order.order_id: _row(order) for order in orders}
        rows = self._rows
        take = fresh.pop
        changed: list[int] = []
        gone: list[int] = []
        for number, row in enumerate(rows):
            new = take(row[_ID], None)
            if new is None:
                gone.append(number)
            elif new != row:
                rows[number] = new
                changed.append(number)
        for first, last in _ranges(changed):
            self.dataChanged.emit(self.index(first, 0), self.index(last, LAST_COLUMN))
        self._remove(gone)
        if fresh:
            self._append(list(fresh.values()))
        self._age_changed()

    def upsert(self, order: OrderSummary) -> None:
        """One order, known now (created or decided here): shown at once, before the next poll."""
        number = self._number(order.order_id)
        if number is None:
            self._append([_row(order)])
            return
        new = _row(order)
        if new != self._rows[number]:
            self._rows[number] = new
            self.dataChanged.emit(self.index(number, 0), self.index(number, LAST_COLUMN))

    def retain(self, statuses: frozenset[OrderStatus] | None) -> None:
        """Drop the rows whose status is not in ``statuses`` (None keeps all): a view switch, at once."""
        if statuses is None:
            return
        gone = [number for number, row in enumerate(self._rows) if row[_STATUS] not in statuses]
        self._remove(gone)

    def _remove(self, gone: list[int]) -> None:
        if not gone:
            return
        # Slots run at each endRemoveRows and may look rows up: until the end the index is rebuilt on demand.
        self._index_stale = True
        for first, last in reversed(_ranges(gone)):
            self.beginRemoveRows(_NO_PARENT, first, last)
            del self._rows[first:last + 1]
            self.endRemoveRows()
        self._index_stale = False
        self._index = {row[_ID]: number for number, row in enumerate(self._rows)}

    def _number(self, order_id: str) -> int | None:
        if self._index_stale:
            self._index = {row[_ID]: number for number, row in enumerate(self._rows)}
        return self._index.get(order_id)

    def _append(self, new_rows: list[Row]) -> None:
        first = len(self._rows)
        self.beginInsertRows(_NO_PARENT, first, first + len(new_rows) - 1)
        self._rows.extend(new_rows)
        for offset, row in enumerate(new_rows):
            self._index[row[_ID]] = first + offset
        self.endInsertRows()

    def retranslate(self) -> None:
        """The language or locale changed: headers, status names, numbers and times read differently."""
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, LAST_COLUMN)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, LAST_COLUMN), [DISPLAY_ROLE])

    def _age_changed(self) -> None:
        # Display only: a proxy sorting or filtering on SORT_ROLE / SEARCH_ROLE has nothing to redo.
        if self._rows:
            self.dataChanged.emit(self.index(0, Column.AGE), self.index(len(self._rows) - 1, Column.AGE),
                                  [DISPLAY_ROLE])

    # ---- lookups ----------------------------------------------------------------------------

    def row_of(self, order_id: str) -> int | None:
        return self._number(order_id)

    def summary(self, order_id: str) -> OrderSummary | None:
        number = self._number(order_id)
        if number is None:
            return None
        row = self._rows[number]
        return OrderSummary(order_id=row[_ID], item=row[_ITEM], quantity=row[_QUANTITY], status=row[_STATUS],
                            created_by=row[_CREATED_BY], created_at=row[_CREATED_AT], updated_at=row[_UPDATED_AT])

    def status_of(self, order_id: str) -> OrderStatus | None:
        number = self._number(order_id)
        return None if number is None else self._rows[number][_STATUS]

    def order_ids(self) -> list[str]:
        return [row[_ID] for row in self._rows]
