"""The refresher lists the view's orders with the search text as ``q``, so a search reaches past the newest orders
the table holds; and it follows the change feed, sorting each change into the view or out of it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pytestqt.qtbot import QtBot

from core.models import OrderSummary
from core.service import OrderService
from core.settings import Settings
from desktop.local_changes import LocalChanges
from desktop.refresher import OrdersRefresher
from desktop.views import ALL_VIEW
from tests.desktop.helpers import CALL_TIMEOUT, seed_ledger, summary

Aio = Callable[..., Any]


def test_a_search_finds_orders_beyond_the_newest_ones(qtbot: QtBot, aio: Aio, other: OrderService,
                                                      desk_settings: Settings) -> None:
    seed_ledger(desk_settings, 30)  # "Vật tư số 0" … "Vật tư số 29", the newest last
    refresher = OrdersRefresher(LocalChanges(), interval=3600, limit=5)
    polls: list[list[OrderSummary]] = []
    refresher.refreshed.connect(lambda orders, _moment: polls.append(orders))
    refresher.set_view(ALL_VIEW)
    refresher.start(other)
    try:
        qtbot.waitUntil(lambda: len(polls) == 1, timeout=CALL_TIMEOUT)
        assert [order.item for order in polls[0]] == [f"Vật tư số {n}" for n in range(29, 24, -1)]

        refresher.set_query("  VẬT TƯ SỐ 1 ")  # case-folded and trimmed, as the service's q
        qtbot.waitUntil(lambda: len(polls) == 2, timeout=CALL_TIMEOUT)
        assert [order.item for order in polls[1]] == [f"Vật tư số {n}" for n in (19, 18, 17, 16, 15)]
        assert refresher.shows(summary(1, item="vật tư số 12")) and not refresher.shows(summary(1, item="Vật tư 2"))
    finally:
        aio(refresher.stop())
