"""``order_desk_stale_orders{status="VALIDATING"}``: orders Temporal still runs that have been VALIDATING longer than
``STALE_AFTER``, counted by Temporal's visibility (the order's ``OrderStatus`` search attribute).

The ledger cannot see these: an order enters it with its first activity, and the orders stuck before any worker
touched them (no worker, a workflow task failing after a bad deploy) are exactly the ones an on-call engineer
must hear about. One count query every ``INTERVAL`` seconds per ``serve``, from its lifespan.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from core import search_attributes as sa
from core.models import OrderStatus
from core.service import OrderService
from core.telemetry.metrics import AppMetrics
from workflows.order_approval import OrderApprovalWorkflow

log = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=5)  # validation takes seconds; retries of a transient failure, a minute or two
INTERVAL = 15.0  # seconds: Prometheus' scrape interval


async def count_stale(service: OrderService, metrics: AppMetrics) -> None:
    """One reading into the gauge; a failed one leaves the last value and says so once per failure streak."""
    cutoff = (datetime.now(UTC) - STALE_AFTER).isoformat(timespec="seconds").replace("+00:00", "Z")
    query = (f"WorkflowType = '{OrderApprovalWorkflow.__name__}' AND TaskQueue = '{service.settings.task_queue}' "
             f"AND ExecutionStatus = 'Running' AND {sa.ORDER_STATUS.name} = '{OrderStatus.VALIDATING.value}' "
             f"AND StartTime < '{cutoff}'")
    counted = await service.client.count_workflows(query)
    metrics.stale_orders.labels(OrderStatus.VALIDATING.value).set(counted.count)


async def watch(service: OrderService, metrics: AppMetrics) -> None:
    """Until cancelled (``serve`` stopping)."""
    failing = False
    while True:
        try:
            await count_stale(service, metrics)
            failing = False
        except Exception as err:  # Temporal down: /readyz and the other alerts say so; keep watching
            if not failing:
                log.warning("Metrics: cannot count stale orders in Temporal: %s", type(err).__name__)
            failing = True
        await asyncio.sleep(INTERVAL)
