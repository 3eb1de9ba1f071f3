"""OrdersModel: the orders as a table, changed in place so selection and scroll survive every refresh.

``apply`` takes a fresh list (a poll of the service) and turns the difference into the model
signals views understand: ``dataChanged`` for changed rows, ``beginInsertRows`` for new ones,
``beginRemoveRows`` for gone ones. Rows are stored as plain tuples, indexed by order ID, so a
refresh of thousands of rows costs one dict build and one pass. The model keeps its rows sorted
itself (``sort``), in Python: a sorting ``QSortFilterProxyModel`` would call ``data`` from C++ twice
per comparison, about 300,000 calls to fill 10,000 rows. The model knows no widgets; the view's
proxy only filters it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from enum import IntEnum
from operator import attrgetter, itemgetter
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QModelRoleDataSpan,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from core.models import OrderStatus, OrderSummary, Role
from core.text import fold
from desktop import formatting
from desktop.identity import role_text
from desktop.resources import status_icon
from desktop.views import status_text


class Column(IntEnum):
    ORDER_ID = 0
    ITEM = 1
    QUANTITY = 2
    AMOUNT = 3
    STATUS = 4
    AWAITING = 5
    CREATED_BY = 6
    CREATED_AT = 7
    AGE = 8


HEADERS = (
    QT_TRANSLATE_NOOP("OrdersModel", "Order ID"),
    QT_TRANSLATE_NOOP("OrdersModel", "Item"),
    QT_TRANSLATE_NOOP("OrdersModel", "Quantity"),
    QT_TRANSLATE_NOOP("OrdersModel", "Amount"),
    QT_TRANSLATE_NOOP("OrdersModel", "Status"),
    QT_TRANSLATE_NOOP("OrdersModel", "Awaiting"),
    QT_TRANSLATE_NOOP("OrdersModel", "Created by"),
    QT_TRANSLATE_NOOP("OrdersModel", "Created at"),
    QT_TRANSLATE_NOOP("OrdersModel", "Age"),
)
LAST_COLUMN = len(HEADERS) - 1

DISPLAY_ROLE = int(Qt.ItemDataRole.DisplayRole)
DECORATION_ROLE = int(Qt.ItemDataRole.DecorationRole)
ALIGNMENT_ROLE = int(Qt.ItemDataRole.TextAlignmentRole)
ORDER_ID_ROLE = int(Qt.ItemDataRole.UserRole) + 2
STATUS_ROLE = int(Qt.ItemDataRole.UserRole) + 3
SEARCH_ROLE = int(Qt.ItemDataRole.UserRole) + 4

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter

# A row: (order_id, item, quantity, status, created_by, created_at, updated_at, unit_price, currency, amount,
# awaiting_role).
Row = tuple[str, str, int, OrderStatus, str, datetime, datetime | None, Decimal | None, str | None, Decimal | None,
            Role | None]
(_ID, _ITEM, _QUANTITY, _STATUS, _CREATED_BY, _CREATED_AT, _UPDATED_AT, _UNIT_PRICE, _CURRENCY, _AMOUNT,
 _AWAITING) = range(11)
_NO_PARENT = QModelIndex()
_STATUS_ORDER = {status: number for number, status in enumerate(OrderStatus)}
_BY_CREATED_AT = itemgetter(_CREATED_AT, _ID)
# The order each column sorts rows in, ties broken by order ID, so every order has one place; C getters where the
# value sorts as it is. The age column sorts by creation time, reversed (see ``OrdersModel.sort``).
_SORT_KEYS: dict[int, Callable[[Row], Any]] = {
    Column.ORDER_ID: itemgetter(_ID),
    Column.ITEM: lambda row: (row[_ITEM].casefold(), row[_ID]),
    Column.QUANTITY: itemgetter(_QUANTITY, _ID),
    Column.AMOUNT: lambda row: (row[_AMOUNT] is not None, row[_CURRENCY] or "", row[_AMOUNT] or 0, row[_ID]),
    Column.STATUS: lambda row: (_STATUS_ORDER[row[_STATUS]], row[_ID]),
    Column.AWAITING: lambda row: (row[_AWAITING].rank if row[_AWAITING] else -1, row[_ID]),
    Column.CREATED_BY: lambda row: (row[_CREATED_BY].casefold(), row[_ID]),
    Column.CREATED_AT: _BY_CREATED_AT,
    Column.AGE: _BY_CREATED_AT,
}
# New rows are put in their places one by one (a binary search each) while they are this many, or a sixteenth
# of the rows; more of them (a view switch, a new search) are appended and everything is sorted again at once.
_FEW_NEW_ROWS = 64
_FEW_NEW_ROWS_SHARE = 16

_row: Callable[[OrderSummary], Row] = attrgetter(  # type: ignore[assignment]
    "order_id", "item", "quantity", "status", "created_by", "created_at", "updated_at", "unit_price", "currency",
    "amount", "awaiting_role")


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


def _position(rows: list[Row], key: Callable[[Row], Any], wanted: Any, descending: bool) -> int:
    """Where a row of sort key ``wanted`` goes among ``rows`` (sorted by ``key``), after its equals: a binary
    search that computes the key of about log2(n) rows only."""
    low, high = 0, len(rows)
    while low < high:
        middle = (low + high) // 2
        here = key(rows[middle])
        if (wanted > here) if descending else (wanted < here):
            high = middle
        else:
            low = middle + 1
    return low


class OrdersModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Row] = []
        self._index: dict[str, int] = {}
        self._index_stale = False
        self._now = datetime.now(UTC)
        self._key = _BY_CREATED_AT
        self._descending = True  # newest first, as the view starts

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
        return self._value(self._rows[index.row()], index.column(), role)

    def multiData(self, index: QModelIndex | QPersistentModelIndex,  # noqa: N802
                  roleDataSpan: QModelRoleDataSpan) -> None:  # noqa: N803
        """All the roles a cell is painted with (Qt's delegate asks seven) in one call from Qt into Python
        instead of seven: each such call takes the GIL, and waits for it while the embedded worker runs.

        The delegate hands in the same role data for every cell it paints, so a role this cell has no value
        for is cleared, never left holding the previous cell's icon or alignment."""
        if not index.isValid():
            return
        row, column = self._rows[index.row()], index.column()
        for role_data in roleDataSpan:
            value = self._value(row, column, role_data.role())
            if value is None:
                role_data.clearData()
            else:
                role_data.setData(value)

    def _value(self, row: Row, column: int, role: int) -> object:
        if role == DISPLAY_ROLE:
            return self._display(row, column)
        if role == DECORATION_ROLE:
            return status_icon(row[_STATUS]) if column == Column.STATUS else None
        if role == ALIGNMENT_ROLE:
            return _RIGHT if column in (Column.QUANTITY, Column.AMOUNT, Column.AGE) else None
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
        if column == Column.AMOUNT:
            amount, currency = row[_AMOUNT], row[_CURRENCY]
            return formatting.money(amount, currency) if amount is not None and currency else ""
        if column == Column.STATUS:
            return status_text(row[_STATUS])
        if column == Column.AWAITING:
            awaiting = row[_AWAITING]
            return role_text(awaiting) if awaiting is not None and row[_STATUS] is OrderStatus.PENDING_APPROVAL else ""
        if column == Column.CREATED_BY:
            return row[_CREATED_BY]
        if column == Column.CREATED_AT:
            return formatting.date_time(row[_CREATED_AT], seconds=False)
        if column == Column.AGE:
            return formatting.age((self._now - row[_CREATED_AT]).total_seconds())
        return None

    # ---- sorting ----------------------------------------------------------------------------

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """From the view's header (through the proxy): every row from now on is kept in this order."""
        if column not in _SORT_KEYS:  # no sort column (-1): the view's first order, newest first
            column, order = Column.CREATED_AT, Qt.SortOrder.DescendingOrder
        descending = order == Qt.SortOrder.DescendingOrder
        if column == Column.AGE:  # youngest first is newest first
            descending = not descending
        key = _SORT_KEYS[column]
        if key is self._key and descending == self._descending:
            return  # already in that order: the header's initial sort, a restored header
        self._key, self._descending = key, descending
        self._relayout()

    def _relayout(self) -> None:
        """Sort every row again; persistent indexes (the selection, the current row) follow their orders."""
        self.layoutAboutToBeChanged.emit()
        before = self.persistentIndexList()
        ids = [self._rows[index.row()][_ID] for index in before]
        self._rows.sort(key=self._key, reverse=self._descending)
        self._reindex()
        after = [self.index(self._index[order_id], index.column()) for order_id, index in zip(ids, before, strict=True)]
        self.changePersistentIndexList(before, after)
        self.layoutChanged.emit()

    # ---- updates ----------------------------------------------------------------------------

    def apply(self, orders: Iterable[OrderSummary], now: datetime | None = None) -> None:
        """Make the model hold exactly ``orders``, signalling only the difference."""
        self._now = now or datetime.now(UTC)
        was_empty = not self._rows
        fresh = {order.order_id: _row(order) for order in orders}
        rows = self._rows
        take = fresh.pop
        key = self._key
        changed: list[int] = []
        gone: list[int] = []
        moved = False
        for number, row in enumerate(rows):
            new = take(row[_ID], None)
            if new is None:
                gone.append(number)
            elif new != row:
                moved = moved or key(new) != key(row)  # a status sort, and the status changed
                rows[number] = new
                changed.append(number)
        if changed:
            # One signal for the whole span: the proxy neither sorts nor filters again on a change, and the
            # view repaints what it shows, so a wide span costs nothing per row.
            self.dataChanged.emit(self.index(changed[0], 0), self.index(changed[-1], LAST_COLUMN))
        self._remove(gone)
        if fresh:
            self._insert(list(fresh.values()), in_order=not moved)
        elif moved:
            self._relayout()
        if not was_empty:  # rows just inserted are drawn with the new age anyway
            self._age_changed()

    def upsert(self, order: OrderSummary) -> None:
        """One order, known now (created or decided here): shown at once, before the next poll."""
        number = self._number(order.order_id)
        new = _row(order)
        if number is None:
            self._insert([new])
            return
        old = self._rows[number]
        if new != old:
            self._rows[number] = new
            self.dataChanged.emit(self.index(number, 0), self.index(number, LAST_COLUMN))
            if self._key(new) != self._key(old):
                self._relayout()

    def discard(self, order_ids: Iterable[str]) -> None:
        """Take these orders out (those it holds): they left the view."""
        numbers = sorted(number for order_id in order_ids if (number := self._number(order_id)) is not None)
        self._remove(numbers)

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
        self._reindex()

    def _reindex(self) -> None:
        self._index = {row[_ID]: number for number, row in enumerate(self._rows)}

    def _number(self, order_id: str) -> int | None:
        if self._index_stale:
            self._reindex()
        return self._index.get(order_id)

    def _insert(self, new_rows: list[Row], in_order: bool = True) -> None:
        """New rows where the sort order puts them. A few go in place, one ``beginInsertRows`` per contiguous
        block; many (or any while the rows are out of order, ``in_order`` False) are appended and then everything
        is sorted again at once: thousands of rows put in place one block each cost far more than one sort."""
        key, descending = self._key, self._descending
        new_rows.sort(key=key, reverse=descending)
        rows = self._rows
        if not rows:
            self._insert_blocks([(0, new_rows)])
        elif in_order and len(new_rows) <= max(_FEW_NEW_ROWS, len(rows) // _FEW_NEW_ROWS_SHARE):
            blocks: list[tuple[int, list[Row]]] = []
            for row in new_rows:
                at = _position(rows, key, key(row), descending)
                if blocks and blocks[-1][0] == at:
                    blocks[-1][1].append(row)
                else:
                    blocks.append((at, [row]))
            self._insert_blocks(blocks)
        else:
            self._insert_blocks([(len(rows), new_rows)])
            self._relayout()

    def _insert_blocks(self, blocks: list[tuple[int, list[Row]]]) -> None:
        self._index_stale = True
        for at, block in reversed(blocks):  # from the end, so the positions before stay right
            self.beginInsertRows(_NO_PARENT, at, at + len(block) - 1)
            self._rows[at:at] = block
            self.endInsertRows()
        self._index_stale = False
        self._reindex()

    def retranslate(self) -> None:
        """The language or locale changed: headers, status names, numbers and times read differently."""
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, LAST_COLUMN)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, LAST_COLUMN), [DISPLAY_ROLE])

    def _age_changed(self) -> None:
        # Display only: the proxy, filtering on the item, has nothing to redo.
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
                            created_by=row[_CREATED_BY], created_at=row[_CREATED_AT], updated_at=row[_UPDATED_AT],
                            unit_price=row[_UNIT_PRICE], currency=row[_CURRENCY], amount=row[_AMOUNT],
                            awaiting_role=row[_AWAITING])

    def status_of(self, order_id: str) -> OrderStatus | None:
        number = self._number(order_id)
        return None if number is None else self._rows[number][_STATUS]

    def order_ids(self) -> list[str]:
        return [row[_ID] for row in self._rows]
