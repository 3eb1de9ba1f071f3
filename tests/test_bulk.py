"""``core.bulk``'s scheduling on its own: when a bulk decision stops sending after a ``no_worker``, and when it goes
on. The decisions are stand-ins with the timings of the real ones (an order that no worker takes answers after the
service's wait; the real wait is 15 s, here a tenth of a second); the service's own path runs against a real server
in tests/api/test_error_codes.py."""

from __future__ import annotations

import asyncio

from core import bulk
from core.errors import ErrorCode, TemporalUnavailable
from core.models import OrderStatus

WAIT = 0.1  # the service's wait for a worker, shortened


def no_worker() -> TemporalUnavailable:
    return TemporalUnavailable("no worker took it", ErrorCode.NO_WORKER)


async def test_with_no_worker_only_the_first_batch_is_sent() -> None:
    sent: list[str] = []

    async def decide(order_id: str, _request_id: str | None) -> OrderStatus:
        sent.append(order_id)
        await asyncio.sleep(WAIT)
        raise no_worker()

    ids = [f"order_{n:012x}" for n in range(10)]
    outcomes = await bulk.decide_many(ids, decide, "not sent", concurrency=2)

    assert [outcome.code for outcome in outcomes] == [ErrorCode.NO_WORKER] * 10
    assert sent == ids[:2]


async def test_one_order_no_worker_takes_does_not_stop_the_others_a_worker_applies() -> None:
    """A wedged order (its workflow task keeps failing) answers no_worker while the worker applies the rest."""
    async def decide(order_id: str, _request_id: str | None) -> OrderStatus:
        if order_id == "order_wedged":
            await asyncio.sleep(WAIT)
            raise no_worker()
        await asyncio.sleep(WAIT / 10)
        return OrderStatus.APPROVED

    ids = ["order_wedged", *(f"order_{n:012x}" for n in range(30))]
    outcomes = await bulk.decide_many(ids, decide, "not sent", concurrency=2)

    assert outcomes[0].code == ErrorCode.NO_WORKER
    assert all(outcome.ok for outcome in outcomes[1:]), [outcome.error for outcome in outcomes if not outcome.ok]


async def test_a_worker_that_stops_midway_stops_the_sending_after_one_more_batch() -> None:
    sent: list[str] = []
    gone = asyncio.Event()

    async def decide(order_id: str, _request_id: str | None) -> OrderStatus:
        sent.append(order_id)
        if len(sent) == 5:
            gone.set()
        if gone.is_set():
            await asyncio.sleep(WAIT)
            raise no_worker()
        await asyncio.sleep(WAIT / 10)
        return OrderStatus.APPROVED

    ids = [f"order_{n:012x}" for n in range(40)]
    outcomes = await bulk.decide_many(ids, decide, "not sent", concurrency=2)

    assert [outcome.ok for outcome in outcomes[:4]] == [True] * 4
    assert all(outcome.code == ErrorCode.NO_WORKER for outcome in outcomes[4:])
    assert len(sent) <= 7  # the batch in flight when it stopped, and none after the first no_worker
