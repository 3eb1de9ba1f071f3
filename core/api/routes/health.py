"""``/healthz``: for load balancers and scripts waiting for ``serve`` to come up."""

from __future__ import annotations

from fastapi import APIRouter

from core.api.deps import OrderServiceDep
from core.api.errors import error_responses
from core.api.schemas import Health
from core.errors import TemporalUnavailable

router = APIRouter(tags=["system"])


@router.get("/healthz", operation_id="healthz", summary="Whether Temporal answers", responses=error_responses(503))
async def healthz(service: OrderServiceDep) -> Health:
    """200 only when Temporal answers a health check; no token needed."""
    if not await service.healthy():
        raise TemporalUnavailable("Temporal does not answer")
    return Health(status="ok")
