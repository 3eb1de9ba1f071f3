"""``POST /orders/bulk/{action}``: one decision for many orders, one result each.

Each order gets exactly the rules of a single decision (state, roles, four-eyes), applied by the workflow
through ``OrderService.decide_many``; a refusal is that order's result, not the request's failure. IDs not
shaped like an order ID are answered ``not_found`` here, as the single routes answer them 404, without a
round trip to Temporal. (``core.api.routes`` includes this router before the orders one.)
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from core.api.deps import ActorDep, IdempotencyKey, OrderServiceDep, decision_request_id, not_found
from core.api.errors import error_responses
from core.api.schemas import BulkDecided, BulkDecisionBody, BulkOrderResult
from core.models import Action, BulkOutcome
from core.service import is_order_id

router = APIRouter(prefix="/orders/bulk", tags=["bulk"])


@router.post("/{action}", operation_id="decide_many", summary="Approve, reject or cancel many orders",
             responses=error_responses(413, 422, 503))
async def decide_many(
    action: Annotated[Action, Path(description="the decision for every order")],
    body: BulkDecisionBody, service: OrderServiceDep, actor: ActorDep, idempotency_key: IdempotencyKey = None,
) -> BulkDecided:
    """Answers 200 even when some (or all) orders are refused: each result says whether its decision was applied
    and, if not, why, exactly as the single `POST /orders/{order_id}/{action}` would have: `code` is the `code`
    of its error body (`four_eyes`, `order_not_found`, `no_worker`, ...), `error_type` the broad kind
    (`not_found` = 404, `invalid_transition` = 409, `forbidden` = 403, `unavailable` = 503), `status` the
    order's current status where known. Results are in request order, a repeated ID once. With an
    `Idempotency-Key`, a retried bulk request is the same set of decisions and gets the same results;
    without one, a repeat finds the orders it decided already decided (`invalid_transition`)."""
    requested = list(dict.fromkeys(body.order_ids))
    decided = await service.decide_many([order_id for order_id in requested if is_order_id(order_id)],
                                        action, actor, reason=body.reason,
                                        request_id=decision_request_id(action, actor, idempotency_key))
    outcomes = {outcome.order_id: outcome for outcome in decided}
    results = [BulkOrderResult.model_validate(outcomes.get(order_id) or _unknown(order_id), from_attributes=True)
               for order_id in requested]
    return BulkDecided(data=results, count=len(results), succeeded=sum(result.ok for result in results))


def _unknown(order_id: str) -> BulkOutcome:
    error = not_found(order_id)
    return BulkOutcome(order_id=order_id, ok=False, error=str(error), error_type="not_found", code=error.code)
