"""LocalChanges: what this desk just did stays visible until the polled list has caught up."""

from __future__ import annotations

from core.models import OrderStatus
from desktop.local_changes import LocalChanges
from desktop.views import ALL_VIEW, PENDING_VIEW
from tests.desktop.helpers import summary


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_created_order_shows_before_the_list_has_it() -> None:
    local = LocalChanges(ttl=10, clock=Clock())
    created = summary(1, OrderStatus.VALIDATING)
    local.record(created)
    assert local.merge([summary(2)], PENDING_VIEW) == [summary(2), created]
    # Once the list has it (at the same or a later stage), the list wins and the local change is done.
    assert local.merge([summary(2), summary(1)], PENDING_VIEW) == [summary(2), summary(1)]
    assert local.merge([summary(2)], PENDING_VIEW) == [summary(2)]


def test_a_decision_is_not_undone_by_an_older_poll() -> None:
    local = LocalChanges(ttl=10, clock=Clock())
    approved = summary(1, OrderStatus.APPROVED)
    local.record(approved)
    assert local.merge([summary(1)], PENDING_VIEW) == [approved]
    assert local.merge([summary(1)], ALL_VIEW) == [approved]
    # The pending list no longer has it: it left the view, and goes.
    assert local.merge([], PENDING_VIEW) == []


def test_a_decided_order_stays_in_the_all_view_until_listed() -> None:
    local = LocalChanges(ttl=10, clock=Clock())
    local.record(summary(1, OrderStatus.CANCELLED))
    assert local.merge([], ALL_VIEW) == [summary(1, OrderStatus.CANCELLED)]
    assert local.merge([summary(1, OrderStatus.CANCELLED)], ALL_VIEW) == [summary(1, OrderStatus.CANCELLED)]
    assert local.merge([summary(1)], ALL_VIEW) == [summary(1)]  # recorded change was dropped once listed


def test_local_changes_expire() -> None:
    clock = Clock()
    local = LocalChanges(ttl=10, clock=clock)
    local.record(summary(1, OrderStatus.VALIDATING))
    clock.now = 10.5
    assert local.merge([], PENDING_VIEW) == []
