"""One decision for many orders: at most so many in flight, one outcome per order in the given order, and a refusal
is that order's outcome, never the whole call's (the others' decisions are already applied).

Once an order comes back ``no_worker`` (nobody took its decision within the service's 15 s) and no decision has been
applied since that order was sent, the orders not yet sent are answered so at once, without being sent: with no
worker, each batch would otherwise wait 15 s for the same answer (100 orders: over three minutes). Those orders were
not decided. One order whose workflow task keeps failing also comes back ``no_worker``, but while a worker runs the
others are applied meanwhile, and the bulk goes on.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable, Sequence

from core.errors import ErrorCode, Forbidden, IdempotencyConflict, InvalidTransition, OrderDeskError, OrderNotFound
from core.models import BulkOutcome, OrderStatus

CONCURRENCY = 8

Decide = Callable[[str, str | None], Awaitable[OrderStatus]]
"""One order's decision: (order ID, its Update ID or None) -> the new status, or an ``OrderDeskError``."""

_KINDS: dict[type[OrderDeskError], str] = {
    OrderNotFound: "not_found", InvalidTransition: "invalid_transition", Forbidden: "forbidden",
    IdempotencyConflict: "invalid_request"}


async def decide_many(order_ids: Sequence[str], decide: Decide, unsent_because: str, concurrency: int = CONCURRENCY,
                      progress: Callable[[BulkOutcome], None] | None = None,
                      request_id: str | None = None) -> list[BulkOutcome]:
    """``decide`` for each distinct order; with ``request_id``, each order's Update ID derives from it, so a retried
    bulk request is the same set of decisions. ``unsent_because`` is why an order was not sent after a no_worker."""
    limit = asyncio.Semaphore(max(1, concurrency))
    applied_at = -math.inf  # when the latest decision was applied: a worker ran then
    stalled_since: float | None = None  # when an order that came back no_worker was sent, if none applied since

    async def one(order_id: str) -> BulkOutcome:
        nonlocal applied_at, stalled_since
        per_order = None if request_id is None else f"{request_id}:{order_id}"
        async with limit:
            if stalled_since is not None and applied_at < stalled_since:
                outcome = not_sent(order_id, unsent_because)
            else:
                sent_at = time.monotonic()
                outcome = await _outcome(order_id, decide, per_order)
                if outcome.ok:
                    applied_at = time.monotonic()
                elif outcome.code == ErrorCode.NO_WORKER:
                    stalled_since = max(sent_at, stalled_since or sent_at)
        if progress is not None:
            progress(outcome)
        return outcome

    return list(await asyncio.gather(*(one(order_id) for order_id in dict.fromkeys(order_ids))))


def not_sent(order_id: str, because: str) -> BulkOutcome:
    return BulkOutcome(order_id=order_id, ok=False, error_type="unavailable", code=ErrorCode.NO_WORKER,
                       error=f"{order_id} was not sent: {because}")


async def _outcome(order_id: str, decide: Decide, request_id: str | None) -> BulkOutcome:
    try:
        status = await decide(order_id, request_id)
    except OrderDeskError as err:
        return BulkOutcome(order_id=order_id, ok=False, error=str(err), error_type=_KINDS.get(type(err), "unavailable"),
                           status=getattr(err, "current_status", None), code=err.code)
    return BulkOutcome(order_id=order_id, ok=True, status=status)
