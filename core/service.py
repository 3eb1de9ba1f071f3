"""OrderService: the one way into Temporal for every face (REST, desktop, CLI, benchmarks).

It owns the workflow-ID scheme, turns SDK failures into the typed errors of ``core.errors`` (through
``core.sdk_errors``; setting up Temporal and rebuilding the ledger live in ``core.admin``),
and reads state the cheapest consistent way: status from the workflow's own search attributes
(``describe``, served by the server without a worker, strongly consistent), details from the
workflow query while it runs and from its result once closed, and lists, search and exports from
the ledger, which also answers for orders Temporal has forgotten.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import logging
import re
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import UTC, datetime, timedelta

from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflowservice.v1 import DescribeWorkflowExecutionRequest
from temporalio.client import (
    Client,
    WorkflowExecutionDescription,
    WorkflowExecutionStatus,
    WorkflowHandle,
    WorkflowQueryFailedError,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.converter import default as default_converter
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from core import bulk, closed_outside, idempotency
from core import search_attributes as sa
from core.admin import ensure_search_attributes
from core.change_feed import ChangeFeedWaker
from core.csv_export import ledger_csv
from core.errors import (
    ErrorCode,
    InvalidTransition,
    OrderNotFound,
    TemporalUnavailable,
)
from core.ledger import Ledger
from core.models import (
    ALL_ORDERS,
    Action,
    Actor,
    ApprovalPolicy,
    BulkOutcome,
    Decision,
    OrderChange,
    OrderDetails,
    OrderFilter,
    OrderInput,
    OrderRequest,
    OrderStatus,
    OrderSummary,
    StuckOrder,
)
from core.sdk_errors import decision_error, translated, update_aborted
from core.settings import Settings
from core.users import Users
from workflows.order_approval import OrderApprovalWorkflow

log = logging.getLogger(__name__)

ORDER_PREFIX = "order_"
# Order IDs are ``order_<hex>``: anything outside this shape cannot name an order.
_ORDER_ID = re.compile(rf"{re.escape(ORDER_PREFIX)}[0-9A-Za-z_-]{{1,58}}")
DECISION_TIMEOUT = timedelta(seconds=5)
# How long a decision (an Update) is waited for: longer than a workflow task's timeout (10 s). After Temporal
# restarts, a worker that was stopping may take the order's next workflow task and drop it; the decision is applied
# once that task times out, and an answer of "no worker" before then would be wrong.
UPDATE_TIMEOUT = timedelta(seconds=15)
ABORTED_UPDATE_ATTEMPTS = 5
FOLLOW_BATCH = 100
# Search attributes are never encoded by a codec: Temporal indexes them, so the default converter reads them.
_SEARCH_ATTRIBUTES = default_converter().payload_converter


def new_order_id(caller: str | None = None, idempotency_key: str | None = None) -> str:
    """``order_<12 hex>``: random, or derived from (caller, key) so a retried create finds its order."""
    if idempotency_key is None:
        return ORDER_PREFIX + uuid.uuid4().hex[:12]
    digest = hashlib.sha256(f"{caller}\0{idempotency_key}".encode()).hexdigest()
    return ORDER_PREFIX + digest[:16]


def is_order_id(value: str) -> bool:
    """Whether ``value`` is shaped like an order ID at all; only such IDs are worth asking Temporal about."""
    return _ORDER_ID.fullmatch(value) is not None


def workflow_id(order_id: str) -> str:
    """The workflow ID is the order ID itself, as in the seed: what a person reads is what Temporal shows."""
    return order_id


class OrderService:
    def __init__(self, client: Client, settings: Settings, ledger: Ledger | None = None) -> None:
        self.client = client
        self.settings = settings
        self.ledger = ledger or Ledger(settings.ledger_url)
        self.users = Users(self.ledger.users)
        self._waker: ChangeFeedWaker | None = None  # made by the first follower, on its event loop
        self._unlisten: Callable[[], None] | None = None  # stops the waker hearing this process's ledger writes
        self.suspended: str | None = None
        """Why Temporal is not to be asked now, or None. The runtime's watch sets it while it brings Temporal back:
        whatever answers on the address meanwhile may be another data directory's server (``ForeignServer``), whose
        workers would run an order created here and write it to their own ledger."""

    @functools.cached_property
    def policy(self) -> ApprovalPolicy:
        """The approval policy new orders carry, read once (a changed file applies from the next start): by
        ``connect`` for the faces, never for a worker's own service, which creates no order."""
        return self.settings.policy()

    @classmethod
    async def connect(cls, settings: Settings, address: str) -> OrderService:
        from core.temporal_client import connect

        try:
            client = await connect(settings, address)
        except RuntimeError as err:  # the SDK reports a refused connection as RuntimeError
            raise TemporalUnavailable(f"Temporal at {address} does not answer: {err}") from err
        ledger = await asyncio.to_thread(Ledger, settings.ledger_url)
        await ensure_search_attributes(client, settings.namespace)
        service = cls(client, settings, ledger)
        service.policy  # noqa: B018 (read now, at start)
        return service

    def close(self) -> None:
        """Let go of what the service holds beyond its own references: its waker's place among the listeners of this
        process's writes to the ledger (kept per database for the process's life, it would keep the service, and its
        Temporal client, alive) and the ledger's connections. A runtime that stops (a desk signing in to a team
        server, ``serve`` shutting down) calls it."""
        unlisten, self._unlisten = self._unlisten, None
        if unlisten is not None:
            unlisten()
        self.ledger.close()

    async def team(self) -> bool:
        """Whether orders are now created for a team: users exist in the store (or ``ORDER_DESK_TEAM`` or a tokens
        file says the callers are authenticated people). Such an order refuses the seed's signals."""
        if self.settings.team or self.settings.tokens_file is not None:
            return True
        return await asyncio.to_thread(self.users.exist)

    def four_eyes(self, team: bool) -> bool:
        """Four-eyes applies only where identities are configured; the seed's anonymous demo stays open."""
        return self.settings.four_eyes and (team or self.settings.identities_configured)

    async def stuck_orders(self) -> list[StuckOrder]:
        """Orders whose ledger write keeps failing (each waits, retrying, until the cause is fixed)."""
        return await asyncio.to_thread(self.ledger.stuck_orders)

    @contextlib.asynccontextmanager
    async def _temporal(self, order_id: str | None = None) -> AsyncIterator[None]:
        """Around every call to Temporal but the health check: refused while suspended, the SDK's errors typed."""
        if self.suspended is not None:
            raise TemporalUnavailable(self.suspended)
        async with translated(order_id):
            yield

    async def healthy(self) -> bool:
        try:
            await self.client.service_client.check_health(timeout=timedelta(seconds=2))
        except Exception:
            return False
        return True

    # ---- commands -----------------------------------------------------------------------------

    async def create_order(self, request: OrderRequest, actor: Actor,
                           idempotency_key: str | None = None) -> str:
        """Start an order. A price without a currency is in ``ORDER_DESK_CURRENCY``; the approval policy in force
        goes into the order, which works out its steps from that copy (docs/APPROVALS.md)."""
        request = request.priced_in(self.settings.default_currency)
        order_id = new_order_id(actor.name, idempotency_key)
        if idempotency_key is not None:
            # Temporal forgets a closed order after its retention and would then start a second one under the
            # same ID; the ledger remembers it, so a key keeps its promise for as long as the ledger does.
            known = await asyncio.to_thread(self.ledger.get, order_id)
            if known is not None:
                idempotency.same_order(order_id, known, request)
                return order_id
        team = await self.team()
        order = OrderInput(order_id=order_id, item=request.item, quantity=request.quantity,
                           created_by=actor.name, four_eyes=self.four_eyes(team), team=team,
                           reminder_interval=self.settings.approval_reminder,
                           approval_deadline=self.settings.approval_deadline,
                           unit_price=request.unit_price, currency=request.currency, approval=self.policy)
        async with self._temporal():
            try:
                await self.client.start_workflow(
                    OrderApprovalWorkflow.run, order,
                    id=workflow_id(order_id),
                    task_queue=self.settings.task_queue,
                    id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                    id_conflict_policy=(WorkflowIDConflictPolicy.USE_EXISTING if idempotency_key
                                        else WorkflowIDConflictPolicy.FAIL),
                    search_attributes=sa.initial(OrderStatus.VALIDATING.value),
                )
            except WorkflowAlreadyStartedError:
                if idempotency_key is None:
                    raise
            if idempotency_key is not None:
                idempotency.same_order(order_id, await self._started_input(order_id), request)
        return order_id

    async def approve(self, order_id: str, actor: Actor, reason: str | None = None,
                      request_id: str | None = None) -> OrderStatus:
        return await self.decide(order_id, Action.APPROVE, actor, reason, request_id)

    async def reject(self, order_id: str, actor: Actor, reason: str | None = None,
                     request_id: str | None = None) -> OrderStatus:
        return await self.decide(order_id, Action.REJECT, actor, reason, request_id)

    async def cancel(self, order_id: str, actor: Actor, reason: str | None = None,
                     request_id: str | None = None) -> OrderStatus:
        return await self.decide(order_id, Action.CANCEL, actor, reason, request_id)

    async def decide(self, order_id: str, action: Action, actor: Actor, reason: str | None = None,
                     request_id: str | None = None) -> OrderStatus:
        """Send a decision as a Workflow Update, so a refusal comes back at once with its reason.

        ``request_id`` becomes the Update ID: a retried request with the same ID is the same
        decision, not a second one; one whose key was used with another reason is that conflict.
        """
        decision = Decision(action=action, actor=actor, reason=reason or None)
        status = await self._decided(order_id, decision, request_id)
        await idempotency.same_reason(self._handle(order_id), request_id, decision, self.client.data_converter)
        return status

    async def _decided(self, order_id: str, decision: Decision, request_id: str | None) -> OrderStatus:
        async with self._temporal(order_id):
            for attempt in (1, 2):
                try:
                    return await self._send_update(order_id, decision, request_id)
                except WorkflowUpdateFailedError as err:
                    raise decision_error(err.cause) from err
                except WorkflowUpdateRPCTimeoutOrCancelledError as err:
                    raise TemporalUnavailable(
                        f"no worker took the {decision.action.value} decision for {order_id} within "
                        f"{UPDATE_TIMEOUT.total_seconds():.0f} s: it waits in Temporal and is applied if a worker "
                        f"takes it later (look at the order before deciding again); is a worker running on task queue "
                        f"{self.settings.task_queue!r}?", ErrorCode.NO_WORKER) from err
                except RPCError as err:
                    if err.status is not RPCStatusCode.NOT_FOUND:
                        raise
                    # No running workflow took it: the order is closed (final), there is no such order, or the
                    # run it reached was just continuing as a new one (bounded history), which takes it now.
                    status = await self.status(order_id)
                    if attempt == 1 and decision.action.allowed_from(status):
                        continue
                    raise InvalidTransition(
                        f"cannot {decision.action.value} an order that is {status.value}", status) from err
        raise AssertionError("unreachable: the second attempt returns or raises")

    async def _send_update(self, order_id: str, decision: Decision, request_id: str | None) -> OrderStatus:
        """Temporal aborts an Update whose workflow task fails (``WorkflowNotReadyFailure``), e.g. a cancel
        that lands while the first task is completing. The aborted Update was never applied, so it is
        sent again, a few times, with a short backoff."""
        handle = self._handle(order_id)
        for attempt in range(1, ABORTED_UPDATE_ATTEMPTS + 1):
            try:
                return await handle.execute_update(
                    OrderApprovalWorkflow.decide, decision, id=request_id, rpc_timeout=UPDATE_TIMEOUT)
            except RPCError as err:
                if attempt == ABORTED_UPDATE_ATTEMPTS or not update_aborted(err):
                    raise
            await asyncio.sleep(0.05 * attempt)
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def decide_many(self, order_ids: Sequence[str], action: Action, actor: Actor, reason: str | None = None,
                          concurrency: int = bulk.CONCURRENCY,
                          progress: Callable[[BulkOutcome], None] | None = None,
                          request_id: str | None = None) -> list[BulkOutcome]:
        """The same decision for many orders (``core.bulk``): each gets exactly the rules of a single decision
        (state, roles, four-eyes)."""
        async def decide(order_id: str, per_order: str | None) -> OrderStatus:
            try:
                return await self.decide(order_id, action, actor, reason, per_order)
            except RPCError as err:  # one the service does not type: that order's outcome, not the call's failure
                raise TemporalUnavailable(str(err)) from err

        unsent = (f"no worker took the {action.value} decisions sent before it within "
                  f"{UPDATE_TIMEOUT.total_seconds():.0f} s; is a worker running on task queue "
                  f"{self.settings.task_queue!r}?")
        return await bulk.decide_many(order_ids, decide, unsent, concurrency, progress, request_id)

    # ---- reads --------------------------------------------------------------------------------

    async def status(self, order_id: str) -> OrderStatus:
        """Strongly consistent while Temporal holds the order; the ledger's copy after retention.

        The hottest read (every poll of every face), so it decodes only the status attribute of the raw
        describe: ``WorkflowHandle.describe()`` decodes every search attribute and the execution info, a
        fifth of ``serve``'s CPU per ``GET /orders/{id}/status`` (docs/BENCHMARKS.md)."""
        if not is_order_id(order_id):
            return (await self._from_ledger(order_id)).status
        request = DescribeWorkflowExecutionRequest(namespace=self.settings.namespace,
                                                   execution=WorkflowExecution(workflow_id=workflow_id(order_id)))
        try:
            async with self._temporal(order_id):
                described = await self.client.workflow_service.describe_workflow_execution(
                    request, retry=True, timeout=DECISION_TIMEOUT)
        except OrderNotFound:
            return (await self._from_ledger(order_id)).status
        info = described.workflow_execution_info
        if info.status in closed_outside.CLOSED_OUTSIDE:
            return (await self._closed_outside(order_id, info.start_time.ToDatetime(tzinfo=UTC))).status
        attribute = info.search_attributes.indexed_fields[sa.ORDER_STATUS.name]
        return OrderStatus(_SEARCH_ATTRIBUTES.from_payload(attribute, str))

    async def summary(self, order_id: str) -> OrderSummary:
        try:
            description = await self._describe(order_id)
        except OrderNotFound:
            details = await self._from_ledger(order_id)
            return OrderSummary(**details.model_dump(include=set(OrderSummary.model_fields)))
        attrs = description.typed_search_attributes
        info = description.raw_description.workflow_execution_info
        if info.first_run_id and info.first_run_id != description.run_id:
            # A pending order that continued as a new run: this run started later than the order did.
            details = await self.details(order_id)
            return OrderSummary(**details.model_dump(include=set(OrderSummary.model_fields)))
        status = OrderStatus(attrs[sa.ORDER_STATUS])
        if status is not OrderStatus.VALIDATING or description.status in closed_outside.CLOSED_OUTSIDE:
            # Moved since it started: the workflow (or how Temporal closed it) says when, and who awaits.
            details = await self.details(order_id)
            return OrderSummary(**details.model_dump(include=set(OrderSummary.model_fields)))
        # Still as it started: everything is in its input (the search attributes hold only the status).
        started = await self._started_input(order_id)
        return OrderSummary(order_id=order_id, item=started.item, quantity=started.quantity, status=status,
                            created_by=started.created_by, created_at=description.start_time,
                            updated_at=description.start_time, unit_price=started.unit_price,
                            currency=started.currency if started.unit_price is not None else None,
                            amount=started.amount)

    async def _started_input(self, order_id: str) -> OrderInput:
        """The order as it was started: the first history event, decoded (and decrypted) by our converter."""
        async with self._temporal(order_id):
            async for event in self._handle(order_id).fetch_history_events():
                payloads = event.workflow_execution_started_event_attributes.input.payloads
                [started] = await self.client.data_converter.decode(payloads, [OrderInput])
                return started
        raise OrderNotFound(order_id)

    async def details(self, order_id: str) -> OrderDetails:
        """From the workflow while Temporal has it (its query, or its result once closed), else the ledger."""
        try:
            description = await self._describe(order_id)
        except OrderNotFound:
            return await self._from_ledger(order_id)
        if description.status in closed_outside.CLOSED_OUTSIDE:
            return await self._closed_outside(order_id, description.start_time)
        handle = self._handle(order_id)
        async with self._temporal(order_id):
            if description.status is WorkflowExecutionStatus.COMPLETED:
                return await handle.result()
            try:
                return await handle.query(OrderApprovalWorkflow.details, rpc_timeout=DECISION_TIMEOUT)
            except WorkflowQueryFailedError as err:
                raise TemporalUnavailable(f"order {order_id} could not be read: {err}") from err
            except RPCError as err:
                # Temporal answered the describe a moment ago: a query that times out (the client's deadline, or
                # the server giving up first) found no worker to answer it; so did one refused at once because no
                # worker polls the queue (FAILED_PRECONDITION), unless its workflow task is failing (update_aborted's
                # WorkflowNotReadyFailure): that order's own fault, which a worker would not mend.
                if err.status in (RPCStatusCode.DEADLINE_EXCEEDED, RPCStatusCode.CANCELLED) or (
                        err.status is RPCStatusCode.FAILED_PRECONDITION and not update_aborted(err)):
                    raise TemporalUnavailable(
                        f"no worker answered for order {order_id}; is a worker running?", ErrorCode.NO_WORKER) from err
                raise

    async def _closed_outside(self, order_id: str, started_at: datetime) -> OrderDetails:
        async with self._temporal(order_id):
            return await closed_outside.settle(self.ledger, self._handle(order_id), started_at,
                                               lambda: self._started_input(order_id))

    async def _from_ledger(self, order_id: str) -> OrderDetails:
        details = await asyncio.to_thread(self.ledger.get, order_id)
        if details is None:
            raise OrderNotFound(order_id)
        return details

    async def list_orders(self, where: OrderFilter = ALL_ORDERS, limit: int = 200, offset: int = 0
                          ) -> list[OrderSummary]:
        """Newest first, from the ledger (kept current by the workflow within milliseconds)."""
        return await asyncio.to_thread(self.ledger.list, where, limit, offset)

    async def count_orders(self, where: OrderFilter = ALL_ORDERS) -> int:
        return await asyncio.to_thread(self.ledger.count, where)

    async def changes(self, after: int = 0, limit: int = 100) -> list[OrderChange]:
        """The ledger's change feed after ``after`` (a ``seq``), oldest first: every order created, moved or
        reminded, by any process. Asking again after the last ``seq`` seen misses nothing (docs/LEDGER.md)."""
        return await asyncio.to_thread(self.ledger.changes, after, limit)

    async def last_change(self) -> int:
        """The feed's newest ``seq`` (0 when empty): where a reader that wants only what comes next starts."""
        return await asyncio.to_thread(self.ledger.last_change)

    async def follow_changes(self, after: int | None = None, quiet: float = 1.0) -> AsyncIterator[list[OrderChange]]:
        """Every change after ``after`` (None: from now on), in batches as the ledger commits them, by whichever
        process; an empty batch after ``quiet`` seconds without one, so a follower can do its own chores (a
        heartbeat, re-checking who it serves). Never ends by itself: close it."""
        if after is None:
            after = await self.last_change()
        waker = self._waker
        if waker is None:
            waker = self._waker = ChangeFeedWaker(self.last_change, self.settings.events_poll,
                                                  self.settings.events_poll_quiet)
            self._unlisten = self.ledger.local.listen(waker.nudge)  # this process's writes (its worker's): at once
        async with waker.following():
            while True:
                batch = await self.changes(after, FOLLOW_BATCH)
                if batch:
                    after = batch[-1].seq
                    yield batch
                if len(batch) < FOLLOW_BATCH and not await waker.wait_past(after, quiet):
                    yield []

    async def export_csv(self, where: OrderFilter = ALL_ORDERS, chunk: int = 1000) -> AsyncIterator[str]:
        """The filtered list as CSV text chunks, from the ledger (``core.csv_export.ledger_csv``)."""
        async for text in ledger_csv(self.ledger, where, chunk):
            yield text

    # ---- plumbing -----------------------------------------------------------------------------

    def _handle(self, order_id: str) -> WorkflowHandle[OrderApprovalWorkflow, OrderDetails]:
        return self.client.get_workflow_handle_for(OrderApprovalWorkflow.run, workflow_id(order_id))

    async def _describe(self, order_id: str) -> WorkflowExecutionDescription:
        if not is_order_id(order_id):
            raise OrderNotFound(order_id)
        async with self._temporal(order_id):
            return await self._handle(order_id).describe(rpc_timeout=DECISION_TIMEOUT)
