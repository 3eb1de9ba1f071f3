"""The design a user would otherwise copy: the seed's README (/work/shared/seed/original-readme.vi.md) built as it says.

A FastAPI app (``POST /orders`` starts the workflow, ``GET /orders/{id}/status`` asks the workflow by query,
``POST /orders/{id}/approve|reject|cancel`` sends a signal) and a worker process of its own (the seed's
``worker.py``), on the same workflow shape as Order Desk's: validate -> PENDING_APPROVAL -> notify the manager ->
wait for a decision -> process the approved (or rejected) order -> complete. No ledger, no search attributes, no
Update, no identities: what the seed's design costs. ``bench.throughput --paths seed,rest`` runs it against
``order-desk serve`` under the same load.

    python -m bench._seed_peer api ADDRESS TASK_QUEUE PORT
    python -m bench._seed_peer worker ADDRESS TASK_QUEUE
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from datetime import timedelta

from temporalio import activity, workflow

with workflow.unsafe.imports_passed_through():
    from pydantic import BaseModel

WORKFLOW = "SeedOrderApprovalWorkflow"
ACTIVITY_TIMEOUT = timedelta(seconds=30)


class Order(BaseModel):
    order_id: str
    item: str
    quantity: int


class OrderRequest(BaseModel):
    item: str
    quantity: int


@activity.defn(name="seed_validate_order")
async def validate_order(order: Order) -> None:
    if order.quantity < 1:
        raise ValueError("quantity must be positive")


@activity.defn(name="seed_notify_manager")
async def notify_manager(order: Order) -> None:
    activity.logger.info("Notifying manager about order %s...", order.order_id)


@activity.defn(name="seed_process_approved_order")
async def process_approved_order(order: Order) -> None:
    activity.logger.info("Processing approved order %s", order.order_id)


@activity.defn(name="seed_process_rejected_order")
async def process_rejected_order(order: Order) -> None:
    activity.logger.info("Processing rejected order %s", order.order_id)


ACTIVITIES = [validate_order, notify_manager, process_approved_order, process_rejected_order]


@workflow.defn(name=WORKFLOW)
class SeedOrderApprovalWorkflow:
    def __init__(self) -> None:
        self._status = "VALIDATING"
        self._decision: str | None = None

    @workflow.run
    async def run(self, order: Order) -> str:
        await workflow.execute_activity(validate_order, order, start_to_close_timeout=ACTIVITY_TIMEOUT)
        if self._decision == "CANCELLED":
            self._status = "CANCELLED"
            return self._status
        self._status = "PENDING_APPROVAL"
        await workflow.execute_activity(notify_manager, order, start_to_close_timeout=ACTIVITY_TIMEOUT)
        await workflow.wait_condition(lambda: self._decision is not None)
        self._status = self._decision or "CANCELLED"
        if self._status == "APPROVED":
            await workflow.execute_activity(process_approved_order, order, start_to_close_timeout=ACTIVITY_TIMEOUT)
        elif self._status == "REJECTED":
            await workflow.execute_activity(process_rejected_order, order, start_to_close_timeout=ACTIVITY_TIMEOUT)
        return self._status

    def _decide(self, outcome: str) -> None:
        if self._decision is None:
            self._decision = outcome

    @workflow.signal
    def approve(self) -> None:
        self._decide("APPROVED")

    @workflow.signal
    def reject(self) -> None:
        self._decide("REJECTED")

    @workflow.signal
    def cancel(self) -> None:
        self._decide("CANCELLED")

    @workflow.query
    def status(self) -> str:
        return self._status


def app(address: str, task_queue: str):  # noqa: ANN201 - FastAPI is imported here, in the API process only
    from contextlib import asynccontextmanager

    from fastapi import FastAPI
    from temporalio.client import Client
    from temporalio.contrib.pydantic import pydantic_data_converter

    clients: dict[str, Client] = {}

    @asynccontextmanager
    async def lifespan(_: FastAPI):  # noqa: ANN202
        clients["temporal"] = await Client.connect(address, data_converter=pydantic_data_converter)
        yield

    api = FastAPI(lifespan=lifespan)

    @api.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @api.post("/orders")
    async def create(request: OrderRequest) -> dict[str, str]:
        order = Order(order_id=f"order_{uuid.uuid4().hex[:12]}", item=request.item, quantity=request.quantity)
        await clients["temporal"].start_workflow(SeedOrderApprovalWorkflow.run, order, id=order.order_id,
                                                 task_queue=task_queue)
        return {"order_id": order.order_id, "status": "VALIDATING"}

    @api.get("/orders/{order_id}/status")
    async def status(order_id: str) -> dict[str, str]:
        handle = clients["temporal"].get_workflow_handle(order_id)
        return {"order_id": order_id, "status": await handle.query(SeedOrderApprovalWorkflow.status)}

    def decision(name: str) -> None:
        async def send(order_id: str) -> dict[str, str]:
            await clients["temporal"].get_workflow_handle(order_id).signal(name)
            return {"order_id": order_id, "status": f"{name} signal sent"}
        api.post(f"/orders/{{order_id}}/{name}")(send)

    for name in ("approve", "reject", "cancel"):
        decision(name)
    return api


async def run_worker(address: str, task_queue: str) -> None:
    from temporalio.client import Client
    from temporalio.contrib.pydantic import pydantic_data_converter
    from temporalio.worker import Worker

    client = await Client.connect(address, data_converter=pydantic_data_converter)
    worker = Worker(client, task_queue=task_queue, workflows=[SeedOrderApprovalWorkflow], activities=ACTIVITIES)
    await worker.run()


def main(argv: list[str]) -> None:
    if argv[0] == "api":
        import uvicorn

        address, task_queue, port = argv[1:]
        uvicorn.run(app(address, task_queue), host="127.0.0.1", port=int(port))  # access log on, as the seed runs it
    elif argv[0] == "worker":
        asyncio.run(run_worker(*argv[1:]))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
