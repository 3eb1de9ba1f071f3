"""The orders table with its view tabs and search box; reports the selection and the view upward.

The search matches the item text the way the service's ``q`` filter does (NFC, case-folded, anywhere in the
text), so what the table shows and what File → Export writes are the same orders.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QModelRoleDataSpan,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QAbstractItemView, QHBoxLayout, QLineEdit, QTabBar, QTableView, QVBoxLayout, QWidget

from core.models import OrderFilter
from core.text import fold
from desktop import formatting
from desktop.orders_model import ORDER_ID_ROLE, SEARCH_ROLE, Column, OrdersModel
from desktop.views import REVIEW_VIEW, VIEWS, OrderView

# The table filters as each key is typed; the service (which finds orders beyond the newest the table holds)
# is asked once typing pauses this long, or at once on Enter or when the search is cleared.
SEARCH_QUIET_MS = 300
DEFAULT_WIDTHS = {Column.ORDER_ID: 150, Column.ITEM: 190, Column.QUANTITY: 60, Column.AMOUNT: 130,
                  Column.STATUS: 130, Column.AWAITING: 80, Column.CREATED_BY: 90, Column.CREATED_AT: 130,
                  Column.AGE: 60}


class ItemSearchProxy(QSortFilterProxyModel):
    """Keeps the rows whose item contains the search text, folded as the ledger folds it; never sorts.

    Qt's own filter matches the folded search text in the model's folded item (``SEARCH_ROLE``), so with no
    search text no row costs a call into Python. The model sorts itself (``sort`` hands it the header's
    column) and an order's item never changes: rows are filtered as they come and when the search changes,
    never again for each changed row (not dynamic)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._needle = ""
        self.setDynamicSortFilter(False)
        self.setFilterRole(SEARCH_ROLE)
        self.setFilterKeyColumn(Column.ITEM)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseSensitive)

    def set_search(self, text: str) -> None:
        needle = fold(text.strip())
        if needle != self._needle:
            self._needle = needle
            self.setFilterFixedString(needle)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """The header's sort goes to the model, which keeps its rows in that order."""
        self.sourceModel().sort(column, order)

    def multiData(self, index: QModelIndex | QPersistentModelIndex,  # noqa: N802
                  roleDataSpan: QModelRoleDataSpan) -> None:  # noqa: N803
        """Qt's proxy would ask the model role by role; the model answers a whole cell in one call."""
        self.sourceModel().multiData(self.mapToSource(index), roleDataSpan)


class OrdersView(QTableView):
    """The orders table's view; its paint runs inside one call into Python, on purpose.

    Every call from Qt into Python (the data of each visible cell) takes the GIL, and while the embedded
    worker's threads run Python each such call can wait for it up to the switch interval. Painted from C++,
    a repaint took the GIL again for every cell and queued behind the worker each time; as one Python call
    it keeps the GIL and shares it as any Python code does (measured with bench.gui's loop lag)."""

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        super().paintEvent(event)


class OrdersTable(QWidget):
    currentOrderChanged = Signal(str)  # "" when nothing is selected
    selectionChanged = Signal(list)  # the selected order IDs, in table order
    viewChanged = Signal(object)  # OrderView
    searchChanged = Signal(str)  # the search text, trimmed, once typing pauses
    contextMenuRequested = Signal(QPoint)  # global position

    def __init__(self, model: OrdersModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self._reported: str | None = None
        self._reported_selection: list[str] = []
        self._review_count: int | None = None
        self.proxy = ItemSearchProxy(self)
        self.proxy.setObjectName("ordersProxy")
        self.proxy.setSourceModel(model)

        self.tabs = QTabBar(self)
        self.tabs.setObjectName("viewTabs")
        self.tabs.setExpanding(False)
        self.tabs.setDocumentMode(True)
        for view in VIEWS:
            self.tabs.setTabData(self.tabs.addTab(view.title), view.key)
        self.tabs.currentChanged.connect(lambda index: self.viewChanged.emit(VIEWS[index]))

        self.search = QLineEdit(self)
        self.search.setObjectName("searchEdit")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(240)
        self.search.textChanged.connect(self._on_search)
        self.search.returnPressed.connect(self._search_settled)
        self._search_quiet = QTimer(self)
        self._search_quiet.setSingleShot(True)
        self._search_quiet.setInterval(SEARCH_QUIET_MS)
        self._search_quiet.timeout.connect(self._search_settled)

        self.view = OrdersView(self)
        self.view.setObjectName("ordersTable")
        self.view.setModel(self.proxy)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(Column.CREATED_AT, Qt.SortOrder.DescendingOrder)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setVisible(False)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.horizontalHeader().setSectionsMovable(True)
        for column, width in DEFAULT_WIDTHS.items():
            self.view.setColumnWidth(column, width)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(
            lambda pos: self.contextMenuRequested.emit(self.view.viewport().mapToGlobal(pos)))
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._report_current())
        self.view.selectionModel().currentChanged.connect(lambda *_: self._report_current())
        # Rows leaving the view (a refresh, a filter) can take the selection with them.
        self.proxy.rowsRemoved.connect(lambda *_: self._report_current())
        self.proxy.modelReset.connect(self._report_current)
        self.proxy.layoutChanged.connect(self._report_current)

        top = QHBoxLayout()
        top.addWidget(self.tabs, 1)
        top.addWidget(self.search)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.search.setPlaceholderText(self.tr("Search items…"))
        self.search.setToolTip(self.tr("Shows the orders whose item contains this text; File → Export writes "
                                       "the same orders"))
        for index, view in enumerate(VIEWS):
            self.tabs.setTabText(index, view.title)
        self.set_review_count(self._review_count)

    def set_review_count(self, count: int | None) -> None:
        """The live count on the "Needs my review" tab: the orders this person may sign next (None: not known)."""
        self._review_count = count
        index = VIEWS.index(REVIEW_VIEW)
        title = REVIEW_VIEW.title if count is None else self.tr("{view} ({count})").format(
            view=REVIEW_VIEW.title, count=formatting.number(count))
        self.tabs.setTabText(index, title)
        self.tabs.setTabToolTip(index, self.tr("The orders awaiting a signature you may give"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    @property
    def current_view(self) -> OrderView:
        return VIEWS[max(self.tabs.currentIndex(), 0)]

    def set_view(self, view: OrderView) -> None:
        self.tabs.setCurrentIndex(VIEWS.index(view))

    @property
    def search_text(self) -> str:
        return self.search.text().strip()

    def current_filter(self) -> OrderFilter:
        """What the table shows, as the service's filter: the tab's statuses and the search text."""
        return self.current_view.filter(self.search_text)

    def selected_order_ids(self) -> list[str]:
        """Every selected order, top to bottom as the table shows them."""
        rows = sorted(self.view.selectionModel().selectedRows(), key=lambda index: index.row())
        return [index.data(ORDER_ID_ROLE) for index in rows]

    def current_order_id(self) -> str | None:
        """The order the details show: the one with the keyboard focus if selected, else the first selected."""
        selection = self.view.selectionModel()
        current = selection.currentIndex()
        if current.isValid() and selection.isRowSelected(current.row(), QModelIndex()):
            return current.data(ORDER_ID_ROLE)
        selected = self.selected_order_ids()
        return selected[0] if selected else None

    def select_order(self, order_id: str) -> bool:
        """Select only ``order_id`` and show it; False when it is not in the table (or hidden by the search)."""
        index = self._proxy_index(order_id)
        if index is None:
            return False
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self.view.selectionModel().setCurrentIndex(index, flags)
        self.view.scrollTo(index)
        return True

    def select_orders(self, order_ids: list[str]) -> int:
        """Select exactly these orders (those the table shows); returns how many were selected."""
        selection = self.view.selectionModel()
        selection.clearSelection()
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        indexes = [index for order_id in order_ids if (index := self._proxy_index(order_id)) is not None]
        for index in indexes:
            selection.select(index, flags)
        if indexes:
            selection.setCurrentIndex(indexes[0], QItemSelectionModel.SelectionFlag.NoUpdate)
        return len(indexes)

    def _proxy_index(self, order_id: str) -> QModelIndex | None:
        source_row = self.model.row_of(order_id)
        if source_row is None:
            return None
        index = self.proxy.mapFromSource(self.model.index(source_row, 0))
        return index if index.isValid() else None

    def _on_search(self, text: str) -> None:
        self.proxy.set_search(text)
        if text.strip():
            self._search_quiet.start()
        else:
            self._search_settled()

    def _search_settled(self) -> None:
        self._search_quiet.stop()
        self.searchChanged.emit(self.search_text)

    def _report_current(self) -> None:
        current = self.current_order_id()
        selection = self.selected_order_ids()
        if selection != self._reported_selection:
            self._reported_selection = selection
            self.selectionChanged.emit(selection)
        if current != self._reported:
            self._reported = current
            self.currentOrderChanged.emit(current or "")
