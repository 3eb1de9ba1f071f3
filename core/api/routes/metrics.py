"""``/metrics``: the app's and the Temporal SDK's Prometheus metrics (docs/OPERATIONS.md).

Behind the same authentication as every other route: any user's token, the shared token, or none in the open
loopback demo. A Prometheus server should rather scrape ``ORDER_DESK_METRICS_PORT``, a listener without a token
for a private network, so that it holds no token that could also create orders.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

router = APIRouter(tags=["system"])


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    registry = request.app.state.telemetry.metrics.registry
    # In a thread: a scrape may read the ledger (order counts, at most every few seconds).
    return Response(await asyncio.to_thread(generate_latest, registry), media_type=CONTENT_TYPE_LATEST)
