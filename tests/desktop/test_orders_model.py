"""OrdersModel: Qt's model contract, and incremental updates that keep selection and scroll."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import QModelIndex, Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from core.ledger import OrderFilter
from core.models import OrderStatus
from desktop.orders_model import ORDER_ID_ROLE, STATUS_ROLE, Column, OrdersModel
from desktop.orders_table import OrdersTable
from tests.desktop.helpers import NOW, summary


class Recorder:
    """Every structural signal the model sends, in order."""

    def __init__(self, model: OrdersModel) -> None:
        self.events: list[tuple[str, int, int]] = []
        model.rowsInserted.connect(lambda _parent, first, last: self.events.append(("inserted", first, last)))
        model.rowsRemoved.connect(lambda _parent, first, last: self.events.append(("removed", first, last)))
        model.modelReset.connect(lambda: self.events.append(("reset", -1, -1)))
        model.dataChanged.connect(self._changed)

    def _changed(self, top_left: QModelIndex, bottom_right: QModelIndex, roles: list[int]) -> None:
        if top_left.column() == 0 and bottom_right.column() == Column.AGE:  # whole rows, not the age tick
            self.events.append(("changed", top_left.row(), bottom_right.row()))


def test_model_keeps_qts_model_contract_through_updates(qtmodeltester: ModelTester) -> None:
    model = OrdersModel()
    model.apply([summary(n) for n in range(20)], NOW)
    qtmodeltester.check(model)
    model.apply([summary(n, OrderStatus.APPROVED if n % 3 else OrderStatus.PENDING_APPROVAL)
                 for n in range(5, 30)], NOW)
    qtmodeltester.check(model)
    model.apply([], NOW)
    qtmodeltester.check(model)


def test_apply_signals_only_the_difference() -> None:
    model = OrdersModel()
    model.apply([summary(1), summary(2), summary(3), summary(4)], NOW)
    recorder = Recorder(model)

    model.apply([summary(2), summary(3, OrderStatus.APPROVED), summary(4, OrderStatus.REJECTED), summary(5)], NOW)

    assert recorder.events == [("changed", 2, 3), ("removed", 0, 0), ("inserted", 3, 3)]
    assert [model.index(row, Column.ORDER_ID).data() for row in range(model.rowCount())] == [
        summary(n).order_id for n in (2, 3, 4, 5)]
    assert model.status_of(summary(3).order_id) is OrderStatus.APPROVED
    assert model.row_of(summary(5).order_id) == 3
    assert model.row_of(summary(1).order_id) is None


def test_an_unchanged_poll_changes_no_rows() -> None:
    model = OrdersModel()
    orders = [summary(n) for n in range(50)]
    model.apply(orders, NOW)
    recorder = Recorder(model)
    model.apply([o.model_copy() for o in orders], NOW)
    assert recorder.events == []


def test_columns_show_the_order_as_plain_text() -> None:
    model = OrdersModel()
    markup = '<b>bold</b><img src="x"> & co'
    model.apply([summary(1, item=markup, quantity=1234)], NOW + timedelta(minutes=1, seconds=5))

    def cell(column: Column, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        return model.index(0, column).data(role)

    assert cell(Column.ORDER_ID) == summary(1).order_id
    assert cell(Column.ITEM) == markup
    assert cell(Column.QUANTITY) == "1,234"
    assert cell(Column.STATUS) == "Pending approval"
    assert cell(Column.STATUS, STATUS_ROLE) == OrderStatus.PENDING_APPROVAL
    assert cell(Column.CREATED_BY) == "alice"
    assert cell(Column.AGE) == "2 min"
    assert cell(Column.ITEM, ORDER_ID_ROLE) == summary(1).order_id
    assert not model.index(0, Column.STATUS).data(Qt.ItemDataRole.DecorationRole).isNull()
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in Column] == [
        "Order ID", "Item", "Quantity", "Status", "Created by", "Created at", "Age"]


def test_upsert_shows_one_order_at_once() -> None:
    model = OrdersModel()
    model.apply([summary(1)], NOW)
    recorder = Recorder(model)
    model.upsert(summary(1, OrderStatus.CANCELLED))
    model.upsert(summary(2, OrderStatus.VALIDATING))
    assert recorder.events == [("changed", 0, 0), ("inserted", 1, 1)]
    assert model.summary(summary(2).order_id) == summary(2, OrderStatus.VALIDATING)


def test_retain_drops_rows_outside_a_view() -> None:
    model = OrdersModel()
    model.apply([summary(1), summary(2, OrderStatus.APPROVED), summary(3), summary(4, OrderStatus.REJECTED)], NOW)
    model.retain(frozenset({OrderStatus.PENDING_APPROVAL}))
    assert model.order_ids() == [summary(1).order_id, summary(3).order_id]
    assert model.row_of(summary(3).order_id) == 1


def test_refresh_keeps_selection_and_scroll_position(qtbot: QtBot) -> None:
    model = OrdersModel()
    table = OrdersTable(model)
    qtbot.addWidget(table)
    table.resize(900, 300)
    table.show()
    orders = [summary(n) for n in range(200)]
    model.apply(orders, NOW)
    chosen = summary(120).order_id
    assert table.select_order(chosen)
    scrollbar = table.view.verticalScrollBar()
    scroll = scrollbar.value()
    assert scroll > 0

    # The chosen order changes status, others change or go, nothing new sorts above it.
    refreshed = [o.model_copy(update={"status": OrderStatus.APPROVED}) if n in (3, 120, 150) else o
                 for n, o in enumerate(orders) if n not in (160, 170)]
    with qtbot.assertNotEmitted(table.currentOrderChanged):
        model.apply(refreshed, NOW)

    assert table.current_order_id() == chosen
    assert model.status_of(chosen) is OrderStatus.APPROVED
    assert scrollbar.value() == scroll


def test_search_and_sorting_work_on_the_proxy(qtbot: QtBot) -> None:
    model = OrdersModel()
    table = OrdersTable(model)
    qtbot.addWidget(table)
    model.apply([summary(1, item="Laptop", quantity=9), summary(2, item="Chair", quantity=10, created_by="bob"),
                 summary(3, item="laptop stand", quantity=100)], NOW)

    table.view.sortByColumn(Column.QUANTITY, Qt.SortOrder.AscendingOrder)
    assert [table.proxy.index(r, Column.QUANTITY).data() for r in range(3)] == ["9", "10", "100"]

    table.search.setText("LAPTOP")
    assert sorted(table.proxy.index(r, Column.ITEM).data() for r in range(table.proxy.rowCount())) == [
        "Laptop", "laptop stand"]
    table.search.setText("bob")  # the search matches items only, as the service's q (and the export) does
    assert table.proxy.rowCount() == 0
    table.search.setText(" chair ")
    assert [table.proxy.index(0, Column.ITEM).data()] == ["Chair"] and table.proxy.rowCount() == 1


def test_search_matches_vietnamese_items_however_they_were_typed(qtbot: QtBot) -> None:
    model = OrdersModel()
    table = OrdersTable(model)
    qtbot.addWidget(table)
    model.apply([summary(1, item="Bàn làm việc"), summary(2, item="Ghế xoay"), summary(3, item="BÀN HỌP")], NOW)

    table.search.setText("ba\u0300n")  # decomposed, as macOS types it
    assert sorted(table.proxy.index(r, Column.ITEM).data() for r in range(table.proxy.rowCount())) == [
        "BÀN HỌP", "Bàn làm việc"]
    assert table.current_filters() == [OrderFilter(status=OrderStatus.PENDING_APPROVAL, q="ba\u0300n"),
                                       OrderFilter(status=OrderStatus.VALIDATING, q="ba\u0300n")]
