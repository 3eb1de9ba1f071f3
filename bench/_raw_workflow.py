"""The baseline: an order workflow of the app's shape written straight on the temporalio SDK.

start -> validate activity -> notify activity -> wait for an ``approve`` signal -> process activity ->
complete. No ledger, no search attributes, no update: what Temporal itself costs for this shape, so
the app's own overhead is the difference. Models are pydantic and travel through the same converter.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import activity, workflow

with workflow.unsafe.imports_passed_through():
    from pydantic import BaseModel

RAW_WORKFLOW = "BenchRawOrder"
VALIDATING = "VALIDATING"
PENDING_APPROVAL = "PENDING_APPROVAL"
APPROVED = "APPROVED"
ACTIVITY_TIMEOUT = timedelta(seconds=30)
# Events 1-10 are: started, the first workflow task (3), validate scheduled/started/completed, and the
# workflow task that took validate's result (3). From the 10th on, the workflow has left VALIDATING.
VALIDATED_HISTORY_LENGTH = 10


class RawOrder(BaseModel):
    order_id: str
    item: str
    quantity: int
    created_by: str


class RawResult(BaseModel):
    order_id: str
    status: str


@activity.defn(name="bench_validate")
async def validate(order: RawOrder) -> None:
    if order.quantity < 1:
        raise ValueError("quantity must be positive")


@activity.defn(name="bench_notify")
async def notify(order: RawOrder) -> None:
    activity.logger.debug("notifying the manager about %s", order.order_id)


@activity.defn(name="bench_process")
async def process(order: RawOrder) -> None:
    activity.logger.debug("processing %s", order.order_id)


RAW_ACTIVITIES = [validate, notify, process]


@workflow.defn(name=RAW_WORKFLOW)
class RawOrderWorkflow:
    def __init__(self) -> None:
        self._status = VALIDATING
        self._approved = False

    @workflow.run
    async def run(self, order: RawOrder) -> RawResult:
        await workflow.execute_activity(validate, order, start_to_close_timeout=ACTIVITY_TIMEOUT)
        self._status = PENDING_APPROVAL
        await workflow.execute_activity(notify, order, start_to_close_timeout=ACTIVITY_TIMEOUT)
        await workflow.wait_condition(lambda: self._approved)
        self._status = APPROVED
        await workflow.execute_activity(process, order, start_to_close_timeout=ACTIVITY_TIMEOUT)
        return RawResult(order_id=order.order_id, status=self._status)

    @workflow.signal
    def approve(self) -> None:
        """Taken whenever it comes; the workflow acts on it once the manager has been notified."""
        self._approved = True

    @workflow.update
    def decide(self) -> str:
        """The approval as an Update, answered at once (``bench.latency``: the SDK's own Update round trip)."""
        self._approved = True
        return APPROVED

    @workflow.query
    def status(self) -> str:
        return self._status
