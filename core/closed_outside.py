"""Orders that Temporal closed without Order Desk: terminated or cancelled from the Web UI or the ``temporal`` CLI,
timed out, or failed.

No activity of such an order runs again, so nothing would tell the ledger: every face would list it as pending for
good, and a decision would be refused as if the order could still be decided. They end ``TERMINATED``, with a last
history entry saying how Temporal closed them and why. The service writes that entry when it meets such an order
(a status read, the details, a decision), and every worker sweeps for the ones nobody looks at (``sweep``), so that
the lists and the desks' tables follow within ``SWEEP_EVERY``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import (
    WorkflowExecutionStatus,
    WorkflowHandle,
    WorkflowHistoryEventFilterType,
    WorkflowQueryFailedError,
)
from temporalio.service import RPCError

from core.errors import first_line
from core.ledger import Ledger
from core.models import REASON_LENGTH, SYSTEM_ACTOR, OrderDetails, OrderInput, OrderStatus, Transition
from core.text import stored_form
from workflows.order_approval import WORKFLOW_NAME, OrderApprovalWorkflow

if TYPE_CHECKING:
    from core.service import OrderService

log = logging.getLogger(__name__)

CLOSED_OUTSIDE = frozenset({WorkflowExecutionStatus.TERMINATED, WorkflowExecutionStatus.CANCELED,
                            WorkflowExecutionStatus.TIMED_OUT, WorkflowExecutionStatus.FAILED})
# The same statuses as a visibility query names them.
_VISIBLE_AS = "('Terminated', 'Canceled', 'TimedOut', 'Failed')"
SWEEP_EVERY = timedelta(seconds=30)
# Visibility is written a moment after the close: each sweep looks this far behind the previous one's start.
_OVERLAP = timedelta(minutes=1)
QUERY_OF_CLOSED = timedelta(seconds=2)  # a closed order's last state, read once: short, the ledger's copy otherwise
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # what no ledger may store (core.text), and line breaks


async def closing(handle: WorkflowHandle) -> tuple[datetime, str]:
    """When and how Temporal closed the order's workflow: its close event alone (one small read)."""
    async for event in handle.fetch_history_events(event_filter_type=WorkflowHistoryEventFilterType.CLOSE_EVENT):
        return event.event_time.ToDatetime(tzinfo=UTC), _storable(_how(event))
    return datetime.now(UTC), "closed in Temporal outside Order Desk"


def _how(event: HistoryEvent) -> str:
    if event.HasField("workflow_execution_terminated_event_attributes"):
        terminated = event.workflow_execution_terminated_event_attributes
        return "terminated in Temporal, outside Order Desk" + _said(terminated.reason, terminated.identity)
    if event.HasField("workflow_execution_canceled_event_attributes"):
        return "cancelled in Temporal, outside Order Desk (not an Order Desk cancel: nobody's decision)"
    if event.HasField("workflow_execution_timed_out_event_attributes"):
        return "timed out in Temporal: its workflow ran past the execution timeout it was started with"
    if event.HasField("workflow_execution_failed_event_attributes"):
        failure = event.workflow_execution_failed_event_attributes.failure
        return "failed in Temporal: " + ": ".join(
            message for message in (failure.message, failure.cause.message if failure.HasField("cause") else "")
            if message)
    return "closed in Temporal outside Order Desk"


def _said(reason: str, identity: str) -> str:
    parts = [f"reason: {reason}" if reason else "", f"by {identity}" if identity else ""]
    said = "; ".join(part for part in parts if part)
    return f" ({said})" if said else ""


def _storable(text: str) -> str:
    """Temporal's text as every ledger stores it (it comes from whoever terminated, unchecked)."""
    return str(stored_form(_CONTROLS.sub(" ", text)))[:REASON_LENGTH]


async def settle(ledger: Ledger, handle: WorkflowHandle, started_at: datetime,
                 started_input: Callable[[], Awaitable[OrderInput]]) -> OrderDetails:
    """The order of ``handle``, closed outside Order Desk: TERMINATED in the ledger, after its last state: the
    workflow's, if a worker can replay it at once, else the ledger's, else its run's input. An order the ledger holds
    final (approved and fulfilled just before Temporal closed it) stays so."""
    known = await asyncio.to_thread(ledger.get, handle.id)
    if known is not None and known.status.is_final:
        return known
    at, how = await closing(handle)
    with contextlib.suppress(WorkflowQueryFailedError, RPCError):  # no worker, or one that cannot replay it
        known = await handle.query(OrderApprovalWorkflow.details, rpc_timeout=QUERY_OF_CLOSED)
    if known is None:
        started = await started_input()
        known = started.resume.details if started.resume else OrderDetails.started(started, started_at)
    closing_entry = Transition(status=OrderStatus.TERMINATED, at=at, actor=SYSTEM_ACTOR, reason=how)
    return await asyncio.to_thread(ledger.terminate, known, closing_entry)  # which gives the entry its seq


async def sweep(service: OrderService, stop: asyncio.Event) -> None:
    """Until ``stop``: every ``SWEEP_EVERY``, mark each order of the service's task queue that Temporal closed
    outside Order Desk since the previous look (every one it still holds, at the first) and the ledger does not hold
    final. A look that fails is logged and made again at the next; a stop does not wait for a look to end."""
    since: datetime | None = None
    stopping = asyncio.ensure_future(stop.wait())
    try:
        while not stop.is_set():
            started = datetime.now(UTC)
            looking = asyncio.ensure_future(mark(service, since))
            await asyncio.wait({looking, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if not looking.done():
                looking.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):  # cancelled, or failed as it was: stopping
                    await looking
                return
            if looking.exception() is None:
                since = started - _OVERLAP
            else:
                log.warning("Looking for orders closed outside Order Desk failed: %s", looking.exception())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(stopping), SWEEP_EVERY.total_seconds())
    finally:
        stopping.cancel()
        with contextlib.suppress(asyncio.CancelledError):  # ended here, not left pending when the loop closes
            await stopping


async def mark(service: OrderService, since: datetime | None = None) -> list[str]:
    """The IDs of the orders newly marked ``TERMINATED``: closed outside Order Desk (at or after ``since``), and not
    final in the ledger. One that cannot be read is logged and left for the next look; the others are marked."""
    query = (f"WorkflowType = '{WORKFLOW_NAME}' AND TaskQueue = '{service.settings.task_queue}' "
             f"AND ExecutionStatus IN {_VISIBLE_AS}")
    if since is not None:
        query += f" AND CloseTime >= '{since.isoformat()}'"
    marked = []
    async for execution in service.client.list_workflows(query):
        known = await asyncio.to_thread(service.ledger.get, execution.id)
        if known is not None and known.status.is_final:
            continue
        try:
            # Its latest run's: a run closed by a Web UI *Reset* is listed while the run that replaced it runs on.
            if await service.status(execution.id) is OrderStatus.TERMINATED:
                marked.append(execution.id)
        except Exception as err:  # noqa: BLE001 (one order's reading must not keep the others open)
            log.warning("Could not mark %s, closed outside Order Desk: %s", execution.id, first_line(err))
    if marked:
        log.info("Marked %d order(s) closed outside Order Desk as TERMINATED: %s", len(marked), ", ".join(marked))
    return marked
