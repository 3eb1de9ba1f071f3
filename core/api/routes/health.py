"""``/healthz``: for load balancers and scripts waiting for ``serve`` to come up."""

from __future__ import annotations

from fastapi import APIRouter

from core.api.deps import OrderServiceDep
from core.api.errors import error_responses
from core.api.schemas import Health
from core.errors import TemporalUnavailable

router = APIRouter(tags=["system"])


@router.get("/healthz", operation_id="healthz", summary="Whether Temporal answers, and orders stuck on the ledger",
            responses=error_responses(503))
async def healthz(service: OrderServiceDep) -> Health:
    """200 when Temporal answers a health check: `ok`, or `degraded` with the orders whose ledger write keeps
    failing (docs/LEDGER.md); 503 when Temporal or the ledger does not answer. No token needed."""
    if not await service.healthy():
        raise TemporalUnavailable("Temporal does not answer")
    stuck = [order.order_id for order in await service.stuck_orders()]
    return Health(status="degraded" if stuck else "ok", stuck_orders=stuck)
