"""OrdersModel: Qt's model contract, and incremental updates that keep selection and scroll."""

from __future__ import annotations

import itertools
import random
from datetime import timedelta

from PySide6.QtCore import QModelIndex, QModelRoleData, QModelRoleDataSpan, QPoint, Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QStyleOptionViewItem
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from core.models import OrderFilter, OrderStatus, OrderSummary
from core.text import fold
from desktop.orders_model import ORDER_ID_ROLE, STATUS_ROLE, Column, OrdersModel
from desktop.orders_table import SEARCH_QUIET_MS, OrdersTable
from desktop.views import VIEWS
from tests.desktop.helpers import NOW, summary


def new_table(qtbot: QtBot, *, shown: bool = False) -> tuple[OrdersModel, OrdersTable]:
    """A table over a new model, closed with the test; ``shown``: laid out on screen, so rows have places."""
    model = OrdersModel()
    table = OrdersTable(model)
    qtbot.addWidget(table)
    if shown:
        table.resize(900, 300)
        table.show()
    return model, table


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
    model.sort(Column.STATUS, Qt.SortOrder.AscendingOrder)  # the rows move: a layout change
    model.upsert(summary(17, OrderStatus.CANCELLED))
    model.apply([summary(n) for n in range(10, 40)], NOW)
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
        "Order ID", "Item", "Quantity", "Amount", "Status", "Awaiting", "Created by", "Created at", "Age"]
    assert cell(Column.AMOUNT) == "" and cell(Column.AWAITING) == ""  # no price, and no step awaited


def test_every_status_has_its_name_and_icon() -> None:
    model = OrdersModel()
    model.apply([summary(index, status=status) for index, status in enumerate(OrderStatus)], NOW)

    shown = {model.index(row, Column.STATUS).data(STATUS_ROLE): model.index(row, Column.STATUS)
             for row in range(model.rowCount())}
    assert set(shown) == set(OrderStatus)
    assert not [status for status, cell in shown.items() if cell.data(Qt.ItemDataRole.DecorationRole).isNull()]
    assert shown[OrderStatus.TERMINATED].data() == "Terminated"


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
    model, table = new_table(qtbot, shown=True)
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
    model, table = new_table(qtbot)
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
    model, table = new_table(qtbot)
    model.apply([summary(1, item="Bàn làm việc"), summary(2, item="Ghế xoay"), summary(3, item="BÀN HỌP")], NOW)

    table.search.setText("ba\u0300n")  # decomposed, as macOS types it
    assert sorted(table.proxy.index(r, Column.ITEM).data() for r in range(table.proxy.rowCount())) == [
        "BÀN HỌP", "Bàn làm việc"]
    assert table.current_filter() == OrderFilter.of(OrderStatus.PENDING_APPROVAL, OrderStatus.VALIDATING,
                                                    q="ba\u0300n")


def test_the_table_filters_per_key_but_the_service_is_asked_once_typing_pauses(qtbot: QtBot) -> None:
    model, table = new_table(qtbot)
    model.apply([summary(1, item="Laptop"), summary(2, item="Chair")], NOW)
    asked: list[str] = []
    table.searchChanged.connect(asked.append)

    qtbot.keyClicks(table.search, "lap")
    assert table.proxy.rowCount() == 1 and asked == []
    qtbot.waitUntil(lambda: asked == ["lap"], timeout=5000)
    qtbot.wait(SEARCH_QUIET_MS * 2)
    assert asked == ["lap"]

    qtbot.keyClicks(table.search, "top")
    qtbot.keyClick(table.search, Qt.Key.Key_Return)  # Enter asks at once, and only once
    assert asked == ["lap", "laptop"]
    qtbot.wait(SEARCH_QUIET_MS * 2)
    table.search.clear()  # so does clearing the search
    assert asked == ["lap", "laptop", ""] and table.proxy.rowCount() == 2


# ---- the model's own order: it sorts, the proxy only filters -------------------------------------------------


def shown_by_proxy(table: OrdersTable) -> list[str]:
    return [table.proxy.index(row, 0).data(ORDER_ID_ROLE) for row in range(table.proxy.rowCount())]


def sort_value(order: OrderSummary, column: Column) -> object:
    """What a person reads as sorted in ``column``: the test's own reading, independent of the model's keys."""
    return {
        Column.ORDER_ID: order.order_id,
        Column.ITEM: order.item.casefold(),
        Column.QUANTITY: order.quantity,
        Column.AMOUNT: (order.amount is not None, order.currency or "", order.amount or 0),
        Column.STATUS: list(OrderStatus).index(order.status),
        Column.AWAITING: order.awaiting_role.rank if order.awaiting_role else -1,
        Column.CREATED_BY: order.created_by.casefold(),
        Column.CREATED_AT: order.created_at,
        Column.AGE: NOW - order.created_at,
    }[column]


def assert_sorted(model: OrdersModel, column: Column, order: Qt.SortOrder) -> None:
    values = [sort_value(summary_of(model, order_id), column) for order_id in model.order_ids()]
    pairs = list(itertools.pairwise(values))
    if order == Qt.SortOrder.AscendingOrder:
        assert all(first <= second for first, second in pairs), (column, values)  # type: ignore[operator]
    else:
        assert all(first >= second for first, second in pairs), (column, values)  # type: ignore[operator]


def summary_of(model: OrdersModel, order_id: str) -> OrderSummary:
    order = model.summary(order_id)
    assert order is not None
    return order


def rebuilt(model: OrdersModel, column: Column, order: Qt.SortOrder) -> list[str]:
    """The same orders filled into a new model sorted the same way: where every row should be."""
    fresh = OrdersModel()
    fresh.sort(column, order)
    fresh.apply([summary_of(model, order_id) for order_id in model.order_ids()], NOW)
    return fresh.order_ids()


def test_a_new_order_goes_where_the_sort_puts_it() -> None:
    model = OrdersModel()
    model.sort(Column.QUANTITY, Qt.SortOrder.AscendingOrder)
    orders = [summary(n, quantity=quantity) for n, quantity in enumerate((40, 10, 30, 20))]
    model.apply(orders, NOW)
    assert model.order_ids() == [orders[n].order_id for n in (1, 3, 2, 0)]
    recorder = Recorder(model)

    model.apply([*orders, summary(7, quantity=25)], NOW)
    model.upsert(summary(8, quantity=5))
    model.upsert(summary(9, quantity=99))

    assert recorder.events == [("inserted", 2, 2), ("inserted", 0, 0), ("inserted", 6, 6)]
    assert [summary_of(model, order_id).quantity for order_id in model.order_ids()] == [5, 10, 20, 25, 30, 40, 99]
    assert [model.row_of(order_id) for order_id in model.order_ids()] == list(range(7))


def test_many_new_orders_among_the_shown_ones_come_in_order(qtbot: QtBot) -> None:
    model, table = new_table(qtbot)
    orders = [summary(n) for n in range(400)]
    model.apply(orders[::2], NOW)  # a narrower view first, then every other order arrives between them
    assert table.select_order(orders[100].order_id)

    with qtbot.assertNotEmitted(table.currentOrderChanged):
        model.apply(orders, NOW)

    assert model.order_ids() == [order.order_id for order in orders]
    assert shown_by_proxy(table) == model.order_ids()
    assert table.selected_order_ids() == [orders[100].order_id]


def test_header_sorts_the_model_and_a_restored_header_sorts_it_again(qtbot: QtBot) -> None:
    model, table = new_table(qtbot, shown=True)
    orders = [summary(n, quantity=(n * 7) % 10 + 1) for n in range(10)]
    model.apply(orders, NOW)
    header = table.view.horizontalHeader()
    middle = QPoint(header.sectionViewportPosition(Column.QUANTITY) + header.sectionSize(Column.QUANTITY) // 2,
                    header.height() // 2)

    for _ in range(2):  # a click sorts by the column, a second click the other way round
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=middle)
        assert header.sortIndicatorSection() == Column.QUANTITY
        assert_sorted(model, Column.QUANTITY, header.sortIndicatorOrder())
        assert shown_by_proxy(table) == model.order_ids()
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder  # the second click: largest first
    saved = header.saveState()

    restored_model = OrdersModel()
    restored = OrdersTable(restored_model)
    qtbot.addWidget(restored)
    assert restored.view.horizontalHeader().restoreState(saved)
    restored_model.apply(orders, NOW)
    assert restored_model.order_ids() == model.order_ids()
    assert shown_by_proxy(restored) == model.order_ids()


def test_a_decided_order_moves_in_a_status_sort_and_stays_selected(qtbot: QtBot) -> None:
    model, table = new_table(qtbot)
    orders = [summary(n) for n in range(8)]
    model.apply(orders, NOW)
    table.view.sortByColumn(Column.STATUS, Qt.SortOrder.AscendingOrder)
    chosen = orders[2].order_id
    assert table.select_order(chosen)

    with qtbot.assertNotEmitted(table.currentOrderChanged):
        model.apply([o.model_copy(update={"status": OrderStatus.APPROVED}) if o.order_id == chosen else o
                     for o in orders], NOW)
    assert model.order_ids()[-1] == chosen and shown_by_proxy(table)[-1] == chosen
    assert table.current_order_id() == chosen and table.selected_order_ids() == [chosen]

    with qtbot.assertNotEmitted(table.currentOrderChanged):
        model.upsert(summary(2, OrderStatus.VALIDATING))  # decided here: moves at once, before the next poll
    assert model.order_ids()[0] == chosen and shown_by_proxy(table)[0] == chosen
    assert table.current_order_id() == chosen


def test_the_age_column_sorts_youngest_first_then_oldest_first() -> None:
    model = OrdersModel()
    orders = [summary(n) for n in (3, 1, 2)]  # a higher number was created earlier
    model.apply(orders, NOW)
    model.sort(Column.AGE, Qt.SortOrder.AscendingOrder)
    assert [model.index(row, Column.AGE).data() for row in range(3)] == ["1 min", "2 min", "3 min"]
    model.sort(Column.AGE, Qt.SortOrder.DescendingOrder)
    assert [model.index(row, Column.AGE).data() for row in range(3)] == ["3 min", "2 min", "1 min"]
    model.apply([*orders, summary(0)], NOW)
    assert [model.index(row, Column.AGE).data() for row in range(4)] == ["3 min", "2 min", "1 min", "0 s"]


def test_search_text_is_matched_literally(qtbot: QtBot) -> None:
    model, table = new_table(qtbot)
    model.apply([summary(1, item="Cable (2m)"), summary(2, item="Cable 2m"), summary(3, item="a+b kit")], NOW)
    for text, expected in (("(2M", [1]), (".", []), ("A+B", [3]), ("cable", [1, 2])):
        table.search.setText(text)
        assert shown_by_proxy(table) == [summary(n).order_id for n in expected], text


ITEMS = ("Laptop", "laptop stand", "LAPTOP", "Chair", "chair", "Bàn làm việc", "BÀN HỌP", "Ghế")
CREATORS = ("alice", "Bob", "bob", "carol")
SEARCHES = ("", "", "laptop", "BÀN", "ch", "zzz")


def random_order(chaos: random.Random, number: int) -> OrderSummary:
    """Ties everywhere (items, quantities, creators, times), so the order ID has to break them the same way
    whichever path put a row in place."""
    return OrderSummary(order_id=f"order_{number:012x}", item=chaos.choice(ITEMS), quantity=chaos.randint(1, 4),
                        status=chaos.choice(list(OrderStatus)), created_by=chaos.choice(CREATORS),
                        created_at=NOW - timedelta(minutes=number // 3))


def test_random_updates_keep_rows_sorted_filtered_and_selected(qtbot: QtBot) -> None:
    chaos = random.Random(20261125)
    model, table = new_table(qtbot)
    truth = {number: random_order(chaos, number) for number in range(60)}
    selected: str | None = None
    for round_number in range(300):
        number = chaos.randrange(len(truth))
        if chaos.random() < 0.3:
            truth[number] = truth[number].model_copy(update={"status": chaos.choice(list(OrderStatus))})
        step = chaos.choice(("poll", "poll", "poll", "upsert", "view", "sort", "search", "select"))
        if step == "poll":
            model.apply([order for order in truth.values() if chaos.random() < 0.8], NOW)
        elif step == "upsert":
            model.upsert(truth[number])
        elif step == "view":
            model.retain(chaos.choice(VIEWS).status_set)
        elif step == "sort":
            table.view.sortByColumn(chaos.choice(list(Column)), chaos.choice(list(Qt.SortOrder)))
        elif step == "search":
            table.search.setText(chaos.choice(SEARCHES))
        elif (shown := shown_by_proxy(table)) and table.select_order(selected := chaos.choice(shown)):
            assert table.selected_order_ids() == [selected]

        header = table.view.horizontalHeader()
        column, order = Column(header.sortIndicatorSection()), header.sortIndicatorOrder()
        assert_sorted(model, column, order)
        assert model.order_ids() == rebuilt(model, column, order), round_number
        needle = fold(table.search_text)
        assert shown_by_proxy(table) == [order_id for order_id in model.order_ids()
                                         if needle in fold(summary_of(model, order_id).item)], round_number
        if selected is not None and selected not in shown_by_proxy(table):
            selected = None  # gone from the view: nothing to keep selected
        if selected is not None:
            assert table.current_order_id() == selected, round_number
            assert table.selected_order_ids() == [selected], round_number


def test_a_cell_is_painted_with_what_data_answers(qtbot: QtBot) -> None:
    model, table = new_table(qtbot, shown=True)
    model.apply([summary(n, OrderStatus.APPROVED if n % 2 else OrderStatus.PENDING_APPROVAL,
                         item="Chair" if n % 3 else "Laptop", quantity=n * 1000 + 1) for n in range(9)], NOW)
    table.search.setText("laptop")  # proxy rows are not source rows
    roles = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.DecorationRole, Qt.ItemDataRole.TextAlignmentRole,
             Qt.ItemDataRole.FontRole, Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.BackgroundRole,
             Qt.ItemDataRole.CheckStateRole, ORDER_ID_ROLE, STATUS_ROLE)

    def comparable(value: object) -> object:
        return value.cacheKey() if isinstance(value, QIcon) else value

    assert table.proxy.rowCount() == 3
    for row in range(table.proxy.rowCount()):
        for column in Column:
            index = table.proxy.index(row, column)
            for role in roles:
                asked = QModelRoleData(int(role))
                table.proxy.multiData(index, QModelRoleDataSpan(asked))
                assert comparable(asked.data()) == comparable(model.data(table.proxy.mapToSource(index), role))
    assert table.proxy.index(0, Column.QUANTITY).data() == "1"
    assert table.proxy.index(2, Column.QUANTITY).data() == "6,001"
    assert not table.view.grab().isNull()  # the view's own paint, through multiData


def test_a_cell_keeps_nothing_of_the_cell_painted_before_it(qtbot: QtBot) -> None:
    """Qt's delegate reuses one set of role data for every cell it paints: a role a cell has no value for comes
    back empty, not with the status icon or the right alignment of the cell before."""
    model, table = new_table(qtbot, shown=True)
    model.apply([summary(1, item="Chair")], NOW)
    delegate = table.view.itemDelegate()

    def painted(column: Column) -> QStyleOptionViewItem:
        option = QStyleOptionViewItem()
        delegate.initStyleOption(option, table.proxy.index(0, column))
        return option

    assert not painted(Column.STATUS).icon.isNull()
    assert painted(Column.ORDER_ID).icon.isNull() and painted(Column.CREATED_BY).icon.isNull()
    assert painted(Column.QUANTITY).displayAlignment & Qt.AlignmentFlag.AlignRight
    assert not painted(Column.ITEM).displayAlignment & Qt.AlignmentFlag.AlignRight
