"""Activities in the SDK's ActivityEnvironment: validation rules and the idempotent fulfilment effect."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from temporalio import activity
from temporalio.exceptions import ApplicationError, ApplicationErrorCategory, CancelledError
from temporalio.testing import ActivityEnvironment

from activities.inputs import NotifyManagerInput, ValidateOrderInput
from activities.orders import INVALID_ORDER, OrderActivities
from core.ledger import Ledger
from core.models import FulfilmentInput, LedgerEntry, OrderDetails, OrderInput, OrderStatus, Transition

ORDER = OrderInput(order_id="order_test1", item="Laptop", quantity=1, created_by="alice")
VALIDATE = ValidateOrderInput(order_id=ORDER.order_id, item=ORDER.item)
NOTICE = NotifyManagerInput(order_id=ORDER.order_id)


def activities(tmp_path: Path, **kwargs: object) -> OrderActivities:
    return OrderActivities(Ledger(f"sqlite:///{tmp_path / 'ledger.db'}"), **kwargs)  # type: ignore[arg-type]


def test_retried_fulfilment_writes_one_row(tmp_path: Path) -> None:
    acts = activities(tmp_path)
    entry = FulfilmentInput(order_id="order_test1", outcome=OrderStatus.APPROVED, actor="bob")
    env = ActivityEnvironment()
    assert env.run(acts.process_approved_order, entry) is True
    assert env.run(acts.process_approved_order, entry) is False
    assert acts.ledger.fulfilment_count("order_test1") == 1
    assert acts.ledger.fulfilment_outcome("order_test1") == "APPROVED"


def test_fulfilment_refuses_the_wrong_outcome(tmp_path: Path) -> None:
    acts = activities(tmp_path)
    entry = FulfilmentInput(order_id="order_test2", outcome=OrderStatus.REJECTED, actor="bob")
    with pytest.raises(ApplicationError):
        ActivityEnvironment().run(acts.process_approved_order, entry)
    assert acts.ledger.fulfilment_count() == 0


def test_simulated_failures_then_success(tmp_path: Path) -> None:
    acts = activities(tmp_path, simulate_validation_failures=2)
    env = ActivityEnvironment()
    for attempt in (1, 2):
        env.info = env.info.__class__(**{**env.info.__dict__, "attempt": attempt})
        with pytest.raises(ApplicationError, match="simulated") as failed:
            env.run(acts.validate_order, VALIDATE)
        assert not failed.value.non_retryable and failed.value.category is ApplicationErrorCategory.BENIGN
    env.info = env.info.__class__(**{**env.info.__dict__, "attempt": 3})
    env.run(acts.validate_order, VALIDATE)


def test_blocked_item_is_a_non_retryable_failure(tmp_path: Path) -> None:
    acts = activities(tmp_path, blocked_items=["Laptop"])
    with pytest.raises(ApplicationError) as failure:
        ActivityEnvironment().run(acts.validate_order, VALIDATE)
    assert failure.value.type == INVALID_ORDER and failure.value.non_retryable


def test_notify_manager_logs_the_seed_message(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO")
    ActivityEnvironment().run(activities(tmp_path).notify_manager, NOTICE)
    assert "Notifying manager about order order_test1..." in caplog.text


def _details(*statuses: OrderStatus) -> OrderDetails:
    at = datetime(2026, 11, 25, tzinfo=UTC)
    return OrderDetails(order_id=ORDER.order_id, item=ORDER.item, quantity=ORDER.quantity, status=statuses[-1],
                        created_by=ORDER.created_by, created_at=at, updated_at=at,
                        history=[Transition(status=status, at=at, actor="system") for status in statuses])


def _entry(*statuses: OrderStatus) -> LedgerEntry:
    return LedgerEntry.of(_details(*statuses))


def test_each_activity_writes_the_transition_before_it(tmp_path: Path) -> None:
    """The ledger is written by the activity that follows each transition; a late retry of an earlier one
    never moves the order back."""
    acts = activities(tmp_path, simulate_validation_failures=1)
    env = ActivityEnvironment()
    with pytest.raises(ApplicationError, match="simulated"):  # a failed attempt has still recorded the order
        env.run(acts.validate_order, VALIDATE.model_copy(update={"ledger": _entry(OrderStatus.VALIDATING)}))
    assert acts.ledger.get(ORDER.order_id).status is OrderStatus.VALIDATING
    pending = NOTICE.model_copy(update={"ledger": _entry(OrderStatus.VALIDATING, OrderStatus.PENDING_APPROVAL)})
    env.run(acts.notify_manager, pending)
    assert acts.ledger.get(ORDER.order_id).status is OrderStatus.PENDING_APPROVAL
    approved = _details(OrderStatus.VALIDATING, OrderStatus.PENDING_APPROVAL, OrderStatus.APPROVED)
    entry = FulfilmentInput(order_id=ORDER.order_id, outcome=OrderStatus.APPROVED, actor="bob",
                            ledger=LedgerEntry.of(approved))
    assert env.run(acts.process_approved_order, entry) is True
    env.run(acts.notify_manager, pending)
    stored = acts.ledger.get(ORDER.order_id)
    assert stored.status is OrderStatus.APPROVED
    assert [t.status for t in stored.history] == [t.status for t in approved.history]
    assert acts.ledger.fulfilment_outcome(ORDER.order_id) == "APPROVED"


class SlowLedger(Ledger):
    """A real ledger whose writes stay open, running Python code where a thread's cancellation can land, until the
    activity has been asked to cancel."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.writing = threading.Event()

    def _slowly(self) -> None:
        self.writing.set()
        deadline = time.monotonic() + 10
        while not activity.is_cancelled():
            assert time.monotonic() < deadline, "the activity was never cancelled"
            time.sleep(0.001)

    def write(self, entry: LedgerEntry, *, recovered: bool = False) -> None:
        self._slowly()
        super().write(entry, recovered=recovered)

    def record_fulfilment(self, entry: FulfilmentInput, *, recovered: bool = False) -> bool:
        self._slowly()
        return super().record_fulfilment(entry, recovered=recovered)


APPROVED = FulfilmentInput(order_id=ORDER.order_id, outcome=OrderStatus.APPROVED, actor="bob",
                           ledger=_entry(OrderStatus.PENDING_APPROVAL, OrderStatus.APPROVED))


@pytest.mark.parametrize("run", [
    lambda acts: acts.notify_manager(
        NOTICE.model_copy(update={"ledger": _entry(OrderStatus.VALIDATING, OrderStatus.PENDING_APPROVAL)})),
    lambda acts: acts.process_approved_order(APPROVED),
], ids=["notify_manager", "process_approved_order"])
def test_a_cancellation_waits_for_the_ledger_write_to_finish(
        tmp_path: Path, run: Callable[[OrderActivities], object]) -> None:
    """The SDK cancels a sync activity (the workflow cancels it, the worker stops) by raising in its thread
    wherever it is; inside a ledger write that would abandon the write half-way, or land in a callback of
    the database driver's and be lost. The activity finishes its write first, then reports the cancel."""
    acts = OrderActivities(SlowLedger(f"sqlite:///{tmp_path / 'ledger.db'}"))
    ledger = acts.ledger
    assert isinstance(ledger, SlowLedger)
    env = ActivityEnvironment()

    def cancel_mid_write() -> None:
        assert ledger.writing.wait(10)
        env.cancel()

    canceller = threading.Thread(target=cancel_mid_write)
    canceller.start()
    with pytest.raises(CancelledError):
        env.run(run, acts)
    canceller.join()
    assert ledger.get(ORDER.order_id) is not None
