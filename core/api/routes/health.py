"""``/healthz`` and ``/readyz``: for load balancers, orchestrators and scripts waiting for ``serve`` to come up.

``/healthz`` is liveness: the process serves and Temporal answers (restart it if not). ``/readyz`` is readiness:
Temporal, the ledger and, unless ``serve --no-worker``, the embedded worker are all up, and ``serve`` is not
shutting down (send it no traffic if not); its answer names what is not. Neither needs a token, so neither names
an order to a caller the server does not know: ``/healthz`` counts the stuck orders for anyone and lists their IDs
only to a valid token (or in the open demo, where everything is open).
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from core.api.auth import Caller, known_caller
from core.api.deps import OrderServiceDep
from core.api.errors import error_responses
from core.api.schemas import Health
from core.errors import TemporalUnavailable
from core.service import OrderService

router = APIRouter(tags=["system"])

CHECK_TIMEOUT = 2.0  # seconds each check may take: an orchestrator's probe times out soon after


@router.get("/healthz", operation_id="healthz", summary="Whether Temporal answers, and orders stuck on the ledger",
            responses=error_responses(503))
async def healthz(service: OrderServiceDep, caller: Annotated[Caller | None, Depends(known_caller)]) -> Health:
    """200 when Temporal answers a health check: `ok`, or `degraded` with the count of the orders whose ledger write
    keeps failing (docs/LEDGER.md) and, to a caller with a valid token, their IDs; 503 when Temporal or the ledger
    does not answer. No token needed."""
    if service.suspended is not None:  # gone, or another data directory's server on its port: not to be used
        raise TemporalUnavailable(service.suspended)
    if not await service.healthy():
        raise TemporalUnavailable("Temporal does not answer")
    stuck = [order.order_id for order in await service.stuck_orders()]
    return Health(status="degraded" if stuck else "ok", stuck_count=len(stuck),
                  stuck_orders=stuck if caller is not None else None)


Part = Literal["serve", "temporal", "ledger", "worker"]


class Readiness(BaseModel):
    ready: bool
    checks: dict[Part, str] = Field(description="each part: `up`, or why not",
                                    examples=[{"temporal": "up", "ledger": "up", "worker": "stopped"}])
    not_ready: list[Part] = Field(default_factory=list, description="the parts that are not up", examples=[["worker"]])


@router.get("/readyz", operation_id="readyz", summary="Whether Temporal, the ledger and the worker are all up",
            responses={503: {"model": Readiness, "description": "Not ready: `not_ready` names what is not up"}})
async def readyz(request: Request) -> Readiness:
    """200 when every part is up; 503, with the same body, naming those that are not. No token needed."""
    service: OrderService | None = request.app.state.service
    checks: dict[Part, str] = {}
    if getattr(request.app.state, "closing", False):
        checks["serve"] = "shutting down"
    if service is None:
        checks["temporal"] = "not connected"
    else:
        checks["temporal"] = service.suspended or ("up" if await service.healthy() else "does not answer")
        checks["ledger"] = await _ledger(service)
    runtime = request.app.state.runtime
    if runtime is not None and runtime.with_worker:
        checks["worker"] = "up" if runtime.worker is not None and runtime.worker.running else "stopped"
    down: list[Part] = [part for part, state in checks.items() if state != "up"]
    readiness = Readiness(ready=not down, checks=checks, not_ready=down)
    if down:
        return JSONResponse(readiness.model_dump(), status_code=503)  # type: ignore[return-value]
    return readiness


async def _ledger(service: OrderService) -> str:
    try:
        await asyncio.wait_for(service.last_change(), CHECK_TIMEOUT)
    except TimeoutError:
        return "does not answer"
    except Exception as err:  # the database's driver, whichever: a reason in one word, never its message
        return f"does not answer ({type(err).__name__})"
    return "up"
