"""Counters at the edges of Temporal that the telemetry owns: the client that starts orders, and the worker that
runs the activities. Neither changes what it intercepts; each only counts what passes through."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from temporalio import client, worker
from temporalio.exceptions import ApplicationError

from activities.orders import LEDGER_REFUSED
from core.telemetry.metrics import AppMetrics

ORDER_WORKFLOW = "OrderApprovalWorkflow"


class CountCreatedOrders(client.Interceptor):
    """``order_desk_orders_created_total``: each order workflow this process's client started. A create that found
    its order already started (a retried ``Idempotency-Key``) raises or is answered from the ledger before it gets
    here; only a retry racing its own first attempt within the same instant can count twice."""

    def __init__(self, metrics: AppMetrics) -> None:
        self.metrics = metrics

    def intercept_client(self, next: client.OutboundInterceptor) -> client.OutboundInterceptor:
        return _CountingOutbound(next, self.metrics)


class _CountingOutbound(client.OutboundInterceptor):
    def __init__(self, next: client.OutboundInterceptor, metrics: AppMetrics) -> None:
        super().__init__(next)
        self.metrics = metrics

    async def start_workflow(self, input: client.StartWorkflowInput) -> client.WorkflowHandle[Any, Any]:
        handle = await super().start_workflow(input)
        if input.workflow == ORDER_WORKFLOW:
            self.metrics.orders_created.inc()
        return handle


class CountLedgerWriteFailures(worker.Interceptor):
    """``order_desk_ledger_write_failures_total``: what the activities' guarded ledger writes log and count in
    ``write_failures`` (``activities.orders._guarded``) leaves the activity as one of two failures: the
    ``LedgerRefused`` application error (the database refused the row), or the SQLAlchemy error itself (it could
    not be reached; Temporal retries it). Nothing else an activity raises is a ledger write."""

    def __init__(self, metrics: AppMetrics) -> None:
        self.metrics = metrics

    def intercept_activity(self, next: worker.ActivityInboundInterceptor) -> worker.ActivityInboundInterceptor:
        return _CountingActivity(next, self.metrics)


class _CountingActivity(worker.ActivityInboundInterceptor):
    def __init__(self, next: worker.ActivityInboundInterceptor, metrics: AppMetrics) -> None:
        super().__init__(next)
        self.metrics = metrics

    async def execute_activity(self, input: worker.ExecuteActivityInput) -> Any:
        try:
            return await super().execute_activity(input)
        except ApplicationError as err:
            if err.type == LEDGER_REFUSED:
                self.metrics.ledger_write_failures.inc()
            raise
        except SQLAlchemyError:
            self.metrics.ledger_write_failures.inc()
            raise
