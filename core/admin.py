"""Administration of the Temporal side: the search attributes the app needs, and re-deriving the ledger
from Temporal. Run at start-up and by ``order-desk ledger rebuild``, never on a request's path."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest, ListSearchAttributesRequest
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from core import search_attributes as sa
from core.errors import first_line
from core.sdk_errors import translated
from workflows.order_approval import WORKFLOW_NAME

if TYPE_CHECKING:
    from core.service import OrderService

log = logging.getLogger(__name__)


async def ensure_search_attributes(client: Client, namespace: str) -> bool:
    """Register the custom search attributes the app needs, if the namespace lacks them. Idempotent.

    Returns False when the server does not let this client register them (Temporal Cloud): they are created
    once by hand there (docs/DEPLOY.md), and the warning in the log names them."""
    async with translated():
        try:
            existing = await client.operator_service.list_search_attributes(
                ListSearchAttributesRequest(namespace=namespace))
            missing = {
                key.name: IndexedValueType.ValueType(key.indexed_value_type.value)
                for key in sa.ALL
                if key.name not in existing.custom_attributes
            }
            if missing:
                await client.operator_service.add_search_attributes(
                    AddSearchAttributesRequest(namespace=namespace, search_attributes=missing))
        except RPCError as err:
            if err.status is RPCStatusCode.ALREADY_EXISTS:
                return True
            if err.status not in (RPCStatusCode.PERMISSION_DENIED, RPCStatusCode.UNIMPLEMENTED):
                raise
            log.warning("Could not register search attributes %s on namespace %r (%s); create them once "
                        "by hand, see docs/DEPLOY.md", ", ".join(k.name for k in sa.ALL), namespace, err.message)
            return False
    return True


async def rebuild_ledger(service: OrderService) -> tuple[int, dict[str, Exception]]:
    """Re-derive the ledger rows of every order of the service's task queue that Temporal still holds.

    Returns how many were rebuilt and, by ID, the error of each order that could not be read: a running order needs
    a worker to answer its query, and one whose workflow task fails cannot answer at all. Those are skipped, not
    guessed, each logged in one line with why; the others are rebuilt all the same."""
    rebuilt = 0
    unreadable: dict[str, Exception] = {}
    query = (f"WorkflowType = '{WORKFLOW_NAME}' AND TaskQueue = '{service.settings.task_queue}' "
             f"AND ExecutionStatus != 'ContinuedAsNew'")  # a pending order's earlier runs: its latest answers
    async with translated():
        async for execution in service.client.list_workflows(query):
            try:
                details = await service.details(execution.id)
            except Exception as err:  # whatever one order's reading raises, the others are still rebuilt
                log.warning("Ledger rebuild skipped %s: %s", execution.id, first_line(err))
                unreadable[execution.id] = err
                continue
            await asyncio.to_thread(service.ledger.record, details)
            rebuilt += 1
    return rebuilt, unreadable

