"""The orders table with its view tabs and search box; reports the current order and view upward."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QPoint, QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QHBoxLayout, QLineEdit, QTabBar, QTableView, QVBoxLayout, QWidget

from desktop.orders_model import ORDER_ID_ROLE, SEARCH_ROLE, SORT_ROLE, Column, OrdersModel
from desktop.views import VIEWS, OrderView

DEFAULT_WIDTHS = {Column.ORDER_ID: 150, Column.ITEM: 210, Column.QUANTITY: 70, Column.STATUS: 140,
                  Column.CREATED_BY: 90, Column.CREATED_AT: 130, Column.AGE: 50}


class OrdersTable(QWidget):
    currentOrderChanged = Signal(str)  # "" when nothing is selected
    viewChanged = Signal(object)  # OrderView
    contextMenuRequested = Signal(QPoint)  # global position

    def __init__(self, model: OrdersModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self._reported: str | None = None
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setObjectName("ordersProxy")
        self.proxy.setSourceModel(model)
        self.proxy.setSortRole(SORT_ROLE)
        self.proxy.setFilterRole(SEARCH_ROLE)
        self.proxy.setFilterKeyColumn(0)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setDynamicSortFilter(True)

        self.tabs = QTabBar(self)
        self.tabs.setObjectName("viewTabs")
        self.tabs.setExpanding(False)
        self.tabs.setDocumentMode(True)
        for view in VIEWS:
            self.tabs.setTabData(self.tabs.addTab(view.title), view.key)
        self.tabs.currentChanged.connect(lambda index: self.viewChanged.emit(VIEWS[index]))

        self.search = QLineEdit(self)
        self.search.setObjectName("searchEdit")
        self.search.setPlaceholderText("Search ID, item, creator, status…")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(240)
        self.search.textChanged.connect(self.proxy.setFilterFixedString)

        self.view = QTableView(self)
        self.view.setObjectName("ordersTable")
        self.view.setModel(self.proxy)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
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
        # Rows leaving the view (a refresh, a filter) can take the selection with them.
        self.proxy.rowsRemoved.connect(lambda *_: self._report_current())
        self.proxy.modelReset.connect(self._report_current)

        top = QHBoxLayout()
        top.addWidget(self.tabs, 1)
        top.addWidget(self.search)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)

    @property
    def current_view(self) -> OrderView:
        return VIEWS[max(self.tabs.currentIndex(), 0)]

    def set_view(self, view: OrderView) -> None:
        self.tabs.setCurrentIndex(VIEWS.index(view))

    def current_order_id(self) -> str | None:
        rows = self.view.selectionModel().selectedRows()
        return rows[0].data(ORDER_ID_ROLE) if rows else None

    def select_order(self, order_id: str) -> bool:
        """Select and show ``order_id``; False when it is not in the table (or hidden by the search)."""
        source_row = self.model.row_of(order_id)
        if source_row is None:
            return False
        index = self.proxy.mapFromSource(self.model.index(source_row, 0))
        if not index.isValid():
            return False
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self.view.selectionModel().setCurrentIndex(index, flags)
        self.view.scrollTo(index)
        return True

    def _report_current(self) -> None:
        current = self.current_order_id()
        if current != self._reported:
            self._reported = current
            self.currentOrderChanged.emit(current or "")
