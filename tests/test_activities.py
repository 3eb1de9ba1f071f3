"""Activities in the SDK's ActivityEnvironment: validation rules and the idempotent fulfilment effect."""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.orders import INVALID_ORDER, OrderActivities
from core.ledger import Ledger
from core.models import FulfilmentInput, OrderInput, OrderStatus

ORDER = OrderInput(order_id="order_test1", item="Laptop", quantity=1, created_by="alice")


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


async def test_simulated_failures_then_success(tmp_path: Path) -> None:
    acts = activities(tmp_path, simulate_validation_failures=2)
    env = ActivityEnvironment()
    for attempt in (1, 2):
        env.info = env.info.__class__(**{**env.info.__dict__, "attempt": attempt})
        with pytest.raises(RuntimeError, match="simulated"):
            await env.run(acts.validate_order, ORDER)
    env.info = env.info.__class__(**{**env.info.__dict__, "attempt": 3})
    await env.run(acts.validate_order, ORDER)


async def test_blocked_item_is_a_non_retryable_failure(tmp_path: Path) -> None:
    acts = activities(tmp_path, blocked_items=["Laptop"])
    with pytest.raises(ApplicationError) as failure:
        await ActivityEnvironment().run(acts.validate_order, ORDER)
    assert failure.value.type == INVALID_ORDER and failure.value.non_retryable


async def test_notify_manager_logs_the_seed_message(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO")
    await ActivityEnvironment().run(activities(tmp_path).notify_manager, ORDER)
    assert "Notifying manager about order order_test1..." in caplog.text
